//! pack and verify end to end on the shipped example: a valid, deterministic, private BagIt ZIP
//! with the cover sheet; not ready means no bundle; verify names what was tampered with.
use crate::common::*;
use crate::scans;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of examples/zhang-wei in a temp folder, and an output folder.
fn fixture() -> (Env, PathBuf, PathBuf) {
    let env = Env::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei");
    let dir = env.path().join("zhang-wei");
    copy_dir(&src, &dir);
    let out = env.path().join("out");
    (env, dir, out)
}

fn pack(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["pack", dir.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    dossier(&args)
}

fn zip_of(out: &Path) -> PathBuf {
    out.join("张伟-1230.zip")
}

/// Entry names and bytes of a ZIP, through an independent implementation (the zip crate).
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

#[test]
fn packs_a_ready_employee_into_a_bag_and_a_cover_sheet() {
    let (_env, dir, out) = fixture();
    let o = pack(&dir, &out, &["--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["status"], "packed");
    assert!(v["zip"].as_str().unwrap().ends_with("张伟-1230.zip"));
    assert!(v["cover"].as_str().unwrap().ends_with("张伟-1230-封面.pdf"));
    let names: Vec<String> = entries(&zip_of(&out)).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names[0], "张伟-1230/bagit.txt");
    assert_eq!(
        names[1], "张伟-1230/data/00-封面.pdf",
        "the cover sheet comes first"
    );
    assert!(
        names.contains(&"张伟-1230/data/01-身份证-正面.png".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"张伟-1230/data/05-劳动合同.pdf".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"张伟-1230/data/目录.csv".to_string()));
    for tag in [
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
    ] {
        assert!(names.contains(&format!("张伟-1230/{tag}")), "{tag}");
    }
    let all = entries(&zip_of(&out));
    let info = String::from_utf8(
        all.iter()
            .find(|(n, _)| n.ends_with("bag-info.txt"))
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        info.contains("Source-Organization: 上海示例科技有限公司"),
        "{info}"
    );
    assert!(info.contains("Payload-Oxum: "));
    assert!(info.contains("Bagging-Date: 2026-11-26"));
    assert!(
        info.contains("Rulebook-Id: shanghai-residence-points")
            && info.contains("Rulebook-Version: 2022.1")
    );
    assert!(!info.contains("19930307"), "no full ID number in bag-info");
    let csv = &all.iter().find(|(n, _)| n.ends_with("目录.csv")).unwrap().1;
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "the index opens in Excel: UTF-8 with BOM"
    );
}

/// The index row of the cover sheet used to say 0 pages.
#[test]
fn the_index_gives_the_cover_sheets_page_count() {
    let (_env, dir, out) = fixture();
    let o = pack(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let all = entries(&zip_of(&out));
    let csv = &all.iter().find(|(n, _)| n.ends_with("目录.csv")).unwrap().1;
    let csv = String::from_utf8_lossy(csv);
    let row = csv.lines().find(|l| l.contains("00-封面.pdf")).unwrap();
    let pages: u32 = row.split(',').nth(3).unwrap().parse().unwrap();
    let cover = &all
        .iter()
        .find(|(n, _)| n.ends_with("00-封面.pdf"))
        .unwrap()
        .1;
    let want = lopdf::Document::load_mem(cover).unwrap().get_pages().len();
    assert!(want >= 1);
    assert_eq!(pages as usize, want, "{row}");
}

#[test]
fn outputs_are_private_and_inputs_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let (_env, dir, out) = fixture();
    let before = listing(&dir);
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    for f in std::fs::read_dir(&out).unwrap() {
        let mode = f.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "outputs are not readable by other users ({mode:o})"
        );
    }
    assert_eq!(
        listing(&dir),
        before,
        "the employee folder is never modified"
    );
}

fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn same_inputs_and_epoch_give_identical_bytes() {
    let (env, dir, out) = fixture();
    let out2 = env.path().join("out2");
    let run = |o: &Path| {
        let st = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args([
                "--date",
                DATE,
                "pack",
                dir.to_str().unwrap(),
                "-o",
                o.to_str().unwrap(),
            ])
            .env("SOURCE_DATE_EPOCH", "1764201600")
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    run(&out);
    run(&out2);
    for name in ["张伟-1230.zip", "张伟-1230-封面.pdf"] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(out2.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_second_run_without_force_refuses_and_keeps_the_first() {
    let (_env, dir, out) = fixture();
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    let first = std::fs::read(zip_of(&out)).unwrap();
    let o = pack(&dir, &out, &[]);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(zip_of(&out)).unwrap(), first);
    let o = pack(&dir, &out, &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn not_ready_writes_no_bundle_and_lists_every_finding() {
    let (_env, dir, out) = fixture();
    std::fs::remove_file(dir.join("scans/结婚证.png")).unwrap();
    std::fs::write(dir.join("scans/学位证书.png"), b"").unwrap();
    let o = pack(&dir, &out, &[]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(
        text.contains("missing-item") && text.contains("结婚证"),
        "{text}"
    );
    assert!(text.contains("empty-file"), "{text}");
    assert!(!zip_of(&out).exists());
    assert!(!out.join("张伟-1230-封面.pdf").exists());
}

#[test]
fn ascii_names_inside_data() {
    let (_env, dir, out) = fixture();
    assert_eq!(code(&pack(&dir, &out, &["--ascii-names"])), 0);
    for (name, _) in entries(&zip_of(&out)) {
        if let Some(inner) = name.split_once("/data/").map(|(_, d)| d) {
            assert!(inner.is_ascii(), "{inner} is not ASCII");
        }
    }
    let v = json(&dossier(&[
        "--format",
        "json",
        "verify",
        zip_of(&out).to_str().unwrap(),
    ]));
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn verify_passes_a_fresh_bundle_and_names_tampered_files() {
    let (env, dir, out) = fixture();
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    let zip = zip_of(&out);
    let o = dossier(&["verify", zip.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));

    // Rewrite the ZIP with one payload byte changed, one file removed, one added.
    let tampered = env.path().join("tampered.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&tampered).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, mut bytes) in entries(&zip) {
            if name.ends_with("06-营业执照.png") {
                continue;
            }
            if name.ends_with("08-结婚证.png") {
                let last = bytes.len() - 1;
                bytes[last] ^= 0xff;
            }
            w.start_file(name, opts).unwrap();
            std::io::Write::write_all(&mut w, &bytes).unwrap();
        }
        w.start_file("张伟-1230/data/99-extra.png", opts).unwrap();
        std::io::Write::write_all(&mut w, b"extra").unwrap();
        w.finish().unwrap();
    }
    let o = dossier(&["verify", tampered.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    for name in ["08-结婚证.png", "06-营业执照.png", "99-extra.png"] {
        assert!(text.contains(name), "{name} not named in:\n{text}");
    }
    // In Chinese: the problems and what to do next.
    assert!(
        text.contains("不要提交") && text.contains("dossier pack --force"),
        "{text}"
    );
    assert!(text.contains("多出的文件"), "{text}");
    assert_eq!(english_parenthetical(&text), None, "{text}");
    let en = stdout(&dossier(&[
        "--lang",
        "en",
        "verify",
        tampered.to_str().unwrap(),
    ]));
    assert!(en.contains("a file was added"), "{en}");
    assert!(chinese_sentence(&en).is_none(), "{en}");
    let o = dossier(&["verify", dir.join("applicant.toml").to_str().unwrap()]);
    assert_eq!(code(&o), 2, "not a ZIP at all");
    assert!(
        stderr(&o).contains("无法作为 ZIP 文件读取"),
        "{}",
        stderr(&o)
    );
    let o = dossier(&[
        "--lang",
        "en",
        "verify",
        dir.join("applicant.toml").to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("cannot be read as a ZIP file"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("无法"), "{}", stderr(&o));
}

#[test]
fn o_pointing_at_a_file_is_a_clear_error() {
    let (env, dir, _) = fixture();
    let f = env.file("a-file", b"x");
    let o = pack(&dir, &f, &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("是文件，不是文件夹"), "{}", stderr(&o));
}

#[test]
fn counter_checklist_pdf_for_a_batch() {
    let env = Env::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch");
    copy_dir(&src, &env.path().join("batch"));
    let pdf = env.path().join("day.pdf");
    let o = dossier(&[
        "checklist",
        env.path().join("batch").to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
    ]);
    // wang-lei is below the standard: left out, exit 1; the others are printed.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("wang-lei"));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        bytes.len() < 200_000,
        "fonts are subset: {} bytes",
        bytes.len()
    );
}

/// The reference BagIt validator and sha256sum accept the bag (needs python3 with bagit,
/// unzip and sha256sum: `.ci/interop` installs them).
#[test]
#[ignore = "needs python3 with bagit, and unzip: run by .ci/interop"]
fn bagit_reference_validator_accepts_the_bag() {
    let (_env, dir, out) = fixture();
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-bag");
    let o = Command::new("bash")
        .arg(script)
        .arg(zip_of(&out))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_bad_font_is_an_error_naming_it_before_any_work() {
    let (env, dir, out) = fixture();
    let missing = env.path().join("no-such-font.ttc");
    let o = pack(&dir, &out, &["--font", missing.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-font.ttc"), "{}", stderr(&o));
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing written"
    );
    let garbage = env.file("garbage.otf", b"not a font");
    let pdf = env.path().join("day.pdf");
    let o = dossier(&[
        "checklist",
        dir.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
        "--font",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("garbage.otf"), "{}", stderr(&o));
    assert!(!pdf.exists());
}

#[test]
fn leftovers_of_an_interrupted_run_are_cleaned_up() {
    let (_env, dir, out) = fixture();
    std::fs::create_dir_all(&out).unwrap();
    let stale = out.join(".dossier-张伟-1230.zip-abc123.part");
    std::fs::write(&stale, b"partial").unwrap();
    // Left by a killed run a minute ago (nobody holds its lock): a fresh one could be another
    // live run's, which is never touched (tests/hostile.rs, two packs at once).
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
    let other = out.join(".dossier-李明-2112.zip-abc123.part");
    std::fs::write(&other, b"another bundle's").unwrap();
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    assert!(!stale.exists(), "the leftover of this bundle is removed");
    assert!(
        other.exists(),
        "another bundle's temporary file is left alone"
    );
}

/// SPEC §7: an interrupted or failed run leaves no file under a final name. The cover sheet
/// used to be renamed into place before the ZIP was written, so a ZIP write that failed (here:
/// a folder where the ZIP goes) left a cover sheet without its bundle.
#[test]
fn a_failed_zip_write_leaves_no_cover_sheet_under_its_final_name() {
    let (_env, dir, out) = fixture();
    std::fs::create_dir_all(zip_of(&out)).unwrap();
    let o = pack(&dir, &out, &["--force"]);
    assert_ne!(code(&o), 0, "{}", stdout(&o));
    assert!(
        !out.join("张伟-1230-封面.pdf").exists(),
        "a cover sheet without its bundle was left under its final name"
    );
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// SPEC §2: a bundle that does not verify is exit 1. A bundle cut off in a copy (it still starts
/// like a ZIP, its directory at the end is gone) is such a bundle, not a usage error (exit 2,
/// which stays for a file that is not a ZIP at all).
#[test]
fn a_cut_off_bundle_does_not_verify_and_exits_1() {
    let (env, dir, out) = fixture();
    assert_eq!(code(&pack(&dir, &out, &[])), 0);
    let bytes = std::fs::read(zip_of(&out)).unwrap();
    for keep in [bytes.len() / 2, bytes.len() - 10, 100] {
        let cut = env.path().join(format!("cut-{keep}.zip"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let o = dossier(&["verify", cut.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{keep}: {}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("cut-"), "{keep}: {}", stdout(&o));
        let o = dossier(&["--format", "json", "verify", cut.to_str().unwrap()]);
        assert_eq!(code(&o), 1);
        assert_eq!(json(&o)["ok"], false);
    }
}

/// SPEC §6: the longest match wins. A scan named after a material this applicant does not
/// need (学历证书电子注册备案表: only for diplomas from 2002 on) used to be claimed by the
/// shorter label 学历证书 and bundled as a part of the diploma. It is a stray file now.
#[test]
fn a_scan_of_a_material_not_on_the_checklist_is_not_claimed_by_a_shorter_label() {
    let (_env, dir, out) = fixture();
    let toml = std::fs::read_to_string(dir.join("applicant.toml")).unwrap();
    let toml = toml
        .replace("310115199303071230", &id_for("1975-03-07", "123"))
        .replace(
            "graduated_on = \"2015-06-30\"",
            "graduated_on = \"2000-06-30\"",
        );
    std::fs::write(dir.join("applicant.toml"), toml).unwrap();
    // The diploma of 2000 needs a 学历认证报告 instead of the registration record.
    std::fs::write(
        dir.join("scans/学历认证报告.pdf"),
        [
            std::fs::read(dir.join("scans/学历证书电子注册备案表.pdf")).unwrap(),
            b"\n% another scan\n".to_vec(),
        ]
        .concat(),
    )
    .unwrap();
    let o = dossier(&["--format", "json", "check", dir.to_str().unwrap()]);
    let v = json(&o);
    let diploma = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == "diploma")
        .unwrap()
        .clone();
    assert_eq!(
        diploma["files"],
        serde_json::json!(["scans/学历证书.png"]),
        "{v}"
    );
    let stray = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "scans/学历证书电子注册备案表.pdf")
        .unwrap_or_else(|| panic!("no finding for the record: {v}"))
        .clone();
    assert_eq!(stray["code"], "unmatched-file", "{stray}");
    let o = pack(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let names: Vec<String> =
        entries(&out.join(format!("张伟-{}.zip", &id_for("1975-03-07", "123")[14..])))
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    assert!(
        !names.iter().any(|n| n.contains("备案表")),
        "bundled: {names:?}"
    );
}

/// Counters take both sides of an ID card copied onto one page; so does the check, when the file
/// says so (`身份证-正反面`), and the bundle names it that way.
#[test]
fn both_sides_of_a_card_on_one_page_count_as_both_parts() {
    let (_env, dir, out) = fixture();
    std::fs::remove_file(dir.join("scans/身份证-正面.png")).unwrap();
    std::fs::remove_file(dir.join("scans/身份证-反面.png")).unwrap();
    let (w, h) = scans::A4;
    std::fs::write(
        dir.join("scans/身份证-正反面.png"),
        scans::text_png(w, h, 77),
    )
    .unwrap();
    let o = pack(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let names: Vec<String> = entries(&zip_of(&out)).into_iter().map(|(n, _)| n).collect();
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("data/01-身份证-正反面.png")),
        "{names:?}"
    );

    // One side alone is still one part short, and the hint names the one-page way.
    std::fs::rename(
        dir.join("scans/身份证-正反面.png"),
        dir.join("scans/身份证-正面.png"),
    )
    .unwrap();
    let o = dossier(&["--format", "json", "check", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let few = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "too-few-parts")
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    assert!(
        few["hint"].as_str().unwrap().contains("身份证-正反面.jpg"),
        "{few}"
    );
}
