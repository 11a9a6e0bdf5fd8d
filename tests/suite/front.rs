//! The command line as a front door over the department core: one language per run, the
//! current folder by default, did-you-mean, completions, a closed pipe.

use std::path::PathBuf;

use crate::common::{copy_dir, Env, Run};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn the_summary_speaks_one_language_per_run() {
    let batch = examples().join("batch");
    let zh = Run::new(&["check", batch.to_str().unwrap()]).code(1);
    zh.stdout_has("汇总\n")
        .stdout_has("共 3 人：就绪 1，未就绪 2");
    zh.stdout_lacks("summary").stdout_lacks("not ready");
    let en = Run::new(&["check", batch.to_str().unwrap()])
        .lang("en")
        .code(1);
    en.stdout_has("Summary\n")
        .stdout_has("total 3: ready 1, not ready 2");
    let summary = en.stdout();
    let tail = &summary[summary.find("Summary").unwrap()..];
    // The folder names are ASCII; the reasons are the findings' words.
    for line in tail.lines().filter(|l| l.contains("ready")) {
        let (head, _) = line.split_at(line.find("ready").unwrap());
        assert!(!has_cjk(head), "{line}");
    }
    // DOSSIER_LANG chooses it too; --lang wins over it.
    Run::new(&["check", batch.to_str().unwrap()])
        .env("DOSSIER_LANG", "en")
        .code(1)
        .stdout_has("Summary\n");
    Run::new(&["check", batch.to_str().unwrap()])
        .env("DOSSIER_LANG", "en")
        .lang("zh")
        .code(1)
        .stdout_has("汇总\n");
}

/// The checklist's own punctuation follows the language too: `受理点：…（正面、反面）` in
/// Chinese, `Counter: … (正面, 反面)` in English, never `scan 2 page(s)（…）`.
#[test]
fn the_checklist_punctuates_in_the_language_of_the_run() {
    let one = examples().join("zhang-wei");
    let zh = Run::new(&["checklist", one.to_str().unwrap()]).code(0);
    zh.stdout_has("受理点：")
        .stdout_has("规则：")
        .stdout_has("扫描 2 页（正面、反面），或 1 页（正反面）")
        .stdout_has("经办人带：单位介绍信（原件）");
    let en = Run::new(&["checklist", one.to_str().unwrap()])
        .lang("en")
        .code(0);
    en.stdout_has("Counter: ")
        .stdout_has("Rulebook: ")
        .stdout_has("scan 2 page(s) (正面, 反面), or 1 page (正反面)")
        .stdout_has("The HR clerk brings: 单位介绍信 (original)")
        .stdout_lacks("page(s)（")
        .stdout_lacks("(original）")
        .stdout_lacks("（original");
}

#[test]
fn json_does_not_depend_on_the_language() {
    let batch = examples().join("batch");
    for cmd in ["check", "score", "checklist"] {
        let zh = Run::new(&["--format", "json", cmd, batch.to_str().unwrap()]).run();
        let en = Run::new(&["--format", "json", cmd, batch.to_str().unwrap()])
            .lang("en")
            .run();
        assert_eq!(zh.json(), en.json(), "{cmd}");
    }
}

#[test]
fn with_no_folder_the_commands_work_on_the_current_one() {
    let env = Env::new();
    let dir = env.path().join("张伟");
    copy_dir(&examples().join("zhang-wei"), &dir);
    Run::new(&["check"]).cwd(&dir).code(0).stdout_has("张伟");
    Run::new(&["score"]).cwd(&dir).code(0).stdout_has("175");
    Run::new(&["checklist"])
        .cwd(&dir)
        .code(0)
        .stdout_has("身份证");
    let out = env.path().join("out");
    Run::new(&["pack", "-o", out.to_str().unwrap()])
        .cwd(&dir)
        .code(0);
    assert!(out.join("张伟-1230.zip").is_file());
}

#[test]
fn a_mistyped_folder_gets_did_you_mean() {
    let wrong = examples().join("zhang-wie");
    Run::new(&["check", wrong.to_str().unwrap()])
        .code(2)
        .stderr_has("文件夹不存在；是不是")
        .stderr_has("zhang-wei")
        .stderr_lacks("did you mean");
    Run::new(&["check", wrong.to_str().unwrap()])
        .lang("en")
        .code(2)
        .stderr_has("no such folder; did you mean")
        .stderr_has("zhang-wei")
        .stderr_lacks("文件夹不存在");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = Run::new(&["completions", shell]).code(0);
        assert!(r.stdout().contains("checklist"), "{shell}");
    }
    Run::new(&["completions", "tcsh"]).code(2);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::process::{Command, Stdio};
    let batch = examples().join("batch");
    for args in [
        vec!["--format", "json", "checklist", batch.to_str().unwrap()],
        vec!["check", batch.to_str().unwrap()],
        vec!["rules"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(["--date", crate::common::DATE])
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Read one byte, then close the pipe, as `| head -c1` does.
        let mut out = child.stdout.take().expect("stdout");
        let mut one = [0u8; 1];
        let _ = std::io::Read::read(&mut out, &mut one);
        drop(out);
        let o = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(o.status.code(), Some(101), "{args:?}: {err}");
        assert!(o.status.code().is_some(), "{args:?}: killed by a signal");
    }
}

#[test]
fn a_full_disk_on_stdout_is_an_error_not_a_panic() {
    let dev_full = std::path::Path::new("/dev/full");
    if !dev_full.exists() {
        return;
    }
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(dev_full)
        .expect("open /dev/full");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["--date", crate::common::DATE, "rules"])
        .stdout(f)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn control_characters_in_a_folder_name_never_reach_the_terminal() {
    let env = Env::new();
    let dir = env.path().join("emp\x1b]0;pwned\x07");
    copy_dir(&examples().join("zhang-wei"), &dir);
    std::fs::write(dir.join("scans").join("x\x1b[2J.jpg"), b"not a jpeg").expect("write");
    let r = Run::new(&["check", dir.to_str().unwrap()]).run();
    let all = format!("{}{}", r.stdout(), r.stderr());
    assert!(!all.contains('\x1b'), "{all:?}");
    assert!(all.contains("\\u{1b}"), "{all}");
}

#[test]
fn init_help_shows_only_the_options_that_apply() {
    let init = Run::new(&["init", "--help"]).code(0);
    init.stdout_has("--lang").stdout_has("--quiet");
    init.stdout_lacks("--rules").stdout_lacks("--date");
    // The other commands keep them, and init still accepts them (they change nothing).
    Run::new(&["check", "--help"])
        .code(0)
        .stdout_has("--rules")
        .stdout_has("--date");
    let env = Env::new();
    let dir = env.path().join("new");
    Run::new(&["init", "--date", "2026-01-01", dir.to_str().unwrap()]).code(0);
    assert!(dir.join("applicant.toml").is_file());
}

#[test]
fn who_is_left_out_of_the_day_is_said_with_the_punctuation_of_the_run() {
    let env = Env::new();
    let batch = examples().join("batch");
    let b = batch.to_str().unwrap();
    let zh = env.path().join("zh.pdf");
    Run::new(&["checklist", b, "--pdf", zh.to_str().unwrap()])
        .code(1)
        .stderr_has("今天不办理，列在柜台清单首页：缺少「户口簿」的扫描件");
    let en = env.path().join("en.pdf");
    Run::new(&[
        "--lang",
        "en",
        "checklist",
        b,
        "--pdf",
        en.to_str().unwrap(),
    ])
    .code(1)
    .stderr_has("not for today: listed on the counter checklist's first page: ");
}
