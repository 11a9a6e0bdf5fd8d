//! A department in one run: parallel, never stopping at the first bad employee, a summary.
use crate::common::*;
use std::path::Path;

/// examples/zhang-wei copied to `batch/name` with another applicant ID number.
fn employee(batch: &Path, name: &str, birth: &str) -> std::path::PathBuf {
    example_employee(&batch.join(name), &id_for(birth, "123"), false)
}

#[test]
fn a_batch_of_five_packs_exactly_the_ready_ones_with_distinct_ids() {
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a-ready", "1990-01-01");
    employee(&batch, "b-ready", "1991-02-02");
    let c = employee(&batch, "c-not-ready", "1992-03-03");
    std::fs::remove_file(c.join("scans/劳动合同.pdf")).unwrap();
    let d = employee(&batch, "d-broken", "1993-04-04");
    std::fs::write(d.join("applicant.toml"), "[applicant\nname = ").unwrap();
    employee(&batch, "e-same-id-as-a", "1990-01-01");
    let out = env.path().join("out");

    let o = dossier(&[
        "--format",
        "json",
        "pack",
        batch.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    let by_folder = |f: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["folder"] == f)
            .unwrap()
            .clone()
    };
    assert_eq!(by_folder("b-ready")["status"], "packed");
    assert_eq!(by_folder("c-not-ready")["status"], "not-ready");
    assert!(by_folder("d-broken")["error"]
        .as_str()
        .unwrap()
        .contains("applicant.toml"));
    // The same ID twice: both are not ready, each with a finding naming the other folder.
    for (f, other) in [("a-ready", "e-same-id-as-a"), ("e-same-id-as-a", "a-ready")] {
        let e = by_folder(f);
        assert_eq!(e["status"], "not-ready", "{e}");
        let dup = e["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == "duplicate-id-number")
            .unwrap_or_else(|| panic!("no duplicate-id-number finding for {f}: {e}"))
            .clone();
        assert!(dup["message"].as_str().unwrap().contains(other), "{dup}");
    }
    let written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zip"))
        .collect();
    assert_eq!(written.len(), 1, "only b is packed: {written:?}");

    // The text output ends with a summary naming every folder.
    let out2 = env.path().join("out2");
    let o = dossier(&[
        "pack",
        batch.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(text.contains("汇总\n"), "{text}");
    assert!(!text.contains("summary"), "one language only: {text}");
    for f in [
        "a-ready",
        "b-ready",
        "c-not-ready",
        "d-broken",
        "e-same-id-as-a",
    ] {
        assert!(text.contains(f), "{f} missing from the summary:\n{text}");
    }
    assert!(text.contains("已打包 1"), "{text}");
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn no_progress_bar_on_a_pipe() {
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a", "1990-01-01");
    employee(&batch, "b", "1991-02-02");
    let o = dossier(&["check", batch.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        !err.contains('\r') && !err.contains("\x1b["),
        "no progress bar when stderr is not a terminal: {err:?}"
    );
}

/// The batch summary used to label a bundle already in the way as 无法读取 (cannot read) and to
/// total `已打包 0` after a `check`, which never packs.
#[test]
fn the_summary_names_what_happened_and_totals_only_what_happened() {
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a", "1990-01-01");
    employee(&batch, "b", "1991-02-02");
    let o = dossier(&["check", batch.to_str().unwrap()]);
    let text = stdout(&o);
    let total = text.lines().find(|l| l.contains("共 2 人")).unwrap();
    assert_eq!(total, "  共 2 人：就绪 2", "{text}");
    let en = stdout(&dossier(&[
        "--lang",
        "en",
        "check",
        batch.to_str().unwrap(),
    ]));
    assert!(en.contains("\n  total 2: ready 2\n"), "{en}");
    assert!(!en.contains("就绪"), "{en}");

    let out = env.path().join("out");
    let pack = || dossier(&["pack", batch.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code(&pack()), 0);
    let o = pack();
    let text = stdout(&o);
    let line = text.lines().find(|l| l.contains(" a ")).unwrap();
    assert!(!line.contains("无法读取"), "{line}");
    assert!(line.contains("出错") && line.contains("已存在"), "{line}");
    assert!(text.contains("共 2 人：出错 2\n"), "{text}");
}

/// `--quiet` promises "only problems", but a not-ready employee used to be printed whole, every
/// ✓ item with its files.
#[test]
fn quiet_check_prints_only_the_items_that_need_attention() {
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a", "1990-01-01");
    let b = employee(&batch, "b", "1991-02-02");
    std::fs::remove_file(b.join("scans/劳动合同.pdf")).unwrap();
    let out = env.path().join("out");
    for cmd in ["check", "pack"] {
        let mut args = vec!["-q", cmd, batch.to_str().unwrap()];
        if cmd == "pack" {
            args.extend(["-o", out.to_str().unwrap()]);
        }
        let o = dossier(&args);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("劳动合同 (labour-contract)  缺少"),
            "{cmd}: {text}"
        );
        assert!(!text.contains("✓ 身份证"), "{cmd}: {text}");
        assert!(!text.contains("scans/身份证-正面.png"), "{cmd}: {text}");
        assert!(text.contains("未就绪："), "{cmd}: {text}");
    }
}

/// Two 张伟 whose ID numbers end alike used to get the same bundle name: the second was told to
/// pass --force, which wrote one person's bundle over the other's.
#[test]
fn two_employees_with_the_same_bundle_name_never_overwrite_each_other() {
    let first = id_for("1990-01-01", "123");
    let other = (2..=28)
        .map(|d| format!("1990-02-{d:02}"))
        .find(|b| id_for(b, "123").ends_with(&first[14..]))
        .expect("a birth date with the same check character");
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a", "1990-01-01");
    employee(&batch, "b", &other);
    let out = env.path().join("out");
    for extra in [None, Some("--force")] {
        let mut args = vec!["pack", batch.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend(extra);
        let o = dossier(&args);
        assert_eq!(code(&o), 1, "{}", stdout(&o));
        let text = stdout(&o);
        let b = text.lines().find(|l| l.contains(" b ")).unwrap();
        assert!(b.contains("同名且身份证后四位相同"), "{b}");
        assert!(!b.contains("--force"), "{b}");
        let o = dossier(&[
            "--format",
            "json",
            "verify",
            out.join(format!("张伟-{}.zip", &first[14..]))
                .to_str()
                .unwrap(),
        ]);
        assert_eq!(json(&o)["ok"], true);
    }
}

/// SPEC §6: the same ID number twice in one batch is a `check` finding (`duplicate-id-number`,
/// documented in docs/findings.md), not a broken employee without findings.
#[test]
fn the_same_id_twice_in_a_batch_is_a_check_finding_on_both() {
    let env = Env::new();
    let batch = env.path().join("employees");
    employee(&batch, "a", "1990-01-01");
    employee(&batch, "b", "1991-02-02");
    employee(&batch, "c-copy-of-a", "1990-01-01");
    let o = dossier(&["--format", "json", "check", batch.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    for e in v.as_array().unwrap() {
        let codes: Vec<&str> = e["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("no findings for {}: {e}", e["folder"]))
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let duplicated = e["folder"] != "b";
        assert_eq!(e["ready"], !duplicated, "{e}");
        assert_eq!(codes.contains(&"duplicate-id-number"), duplicated, "{e}");
        assert!(
            !e.to_string().contains(&id_for("1990-01-01", "123")),
            "the ID number is masked: {e}"
        );
    }
    // The text report names the other folder.
    let o = dossier(&["check", batch.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("duplicate-id-number"), "{}", stdout(&o));
    assert!(stdout(&o).contains("c-copy-of-a"), "{}", stdout(&o));
}

/// Two people with the same name and the same last 4 of the ID number get the same bundle name
/// (SPEC §7: `<name>-<last 4 of ID>.zip`). Packing both in one batch used to race: one bundle
/// replaced the other (with --force, both reported as packed) or failed on a vanished temporary
/// file. The first folder's bundle is written; the later one is refused, naming the first.
#[test]
fn two_people_with_one_bundle_name_in_a_batch_are_not_packed_over_each_other() {
    let env = Env::new();
    let batch = env.path().join("employees");
    let first = "1990-01-01";
    let last4 = |id: &str| id[14..].to_string();
    let second = (1970..1990)
        .map(|y| format!("{y}-01-01"))
        .find(|b| last4(&id_for(b, "123")) == last4(&id_for(first, "123")))
        .expect("another birth date with the same check character");
    employee(&batch, "a", first);
    employee(&batch, "b", &second);
    employee(&batch, "c", "1991-02-02");
    let out = env.path().join("out");
    for _ in 0..3 {
        let o = dossier(&[
            "--format",
            "json",
            "pack",
            batch.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let v = json(&o);
        let by_folder = |f: &str| {
            v.as_array()
                .unwrap()
                .iter()
                .find(|e| e["folder"] == f)
                .unwrap()
                .clone()
        };
        assert_eq!(by_folder("a")["status"], "packed", "{v}");
        assert_eq!(by_folder("c")["status"], "packed", "{v}");
        let e = by_folder("b");
        assert_ne!(e["status"], "packed", "{e}");
        let err = e["error"].as_str().unwrap_or_default();
        assert!(err.contains("a") && err.contains("-o"), "b names a: {e}");
        let zips: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".zip"))
            .collect();
        assert_eq!(zips.len(), 2, "a's and c's bundles: {zips:?}");
    }
}

/// SPEC §2: several DIRs behave like a batch. A missing one used to stop the whole command
/// (exit 2, nothing reported for the good folders); now it is reported by name among them.
#[test]
fn a_missing_dir_among_several_is_reported_and_the_others_still_run() {
    let env = Env::new();
    let batch = env.path().join("employees");
    let a = employee(&batch, "a", "1990-01-01");
    let b = employee(&batch, "b", "1991-02-02");
    let missing = env.path().join("no-such-folder");
    let o = dossier(&[
        "--format",
        "json",
        "check",
        a.to_str().unwrap(),
        missing.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 3, "{v}");
    assert_eq!(all[0]["ready"], true, "{v}");
    assert_eq!(all[2]["ready"], true, "{v}");
    assert!(
        all[1]["error"].as_str().unwrap().contains("no-such-folder"),
        "{v}"
    );
    // One DIR alone that is missing is still a usage error.
    let o = dossier(&["check", missing.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
}

/// Two DIRs with the same last component are told apart by their paths, not both called `e`.
#[test]
fn folders_of_the_same_name_are_named_by_their_paths() {
    let env = Env::new();
    let a = employee(&env.path().join("dept-a"), "e", "1990-01-01");
    let b = employee(&env.path().join("dept-b"), "e", "1991-02-02");
    let o = dossier(&[
        "--format",
        "json",
        "check",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let folders: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, [a.to_str().unwrap(), b.to_str().unwrap()], "{v}");
}
