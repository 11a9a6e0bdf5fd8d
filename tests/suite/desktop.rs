//! dossier.exe from Explorer (SPEC §13), tested on any platform: a folder dropped onto the
//! program is checked and the window is not left waiting when stdin is closed or a pipe; a
//! double-click serves the current folder; names Windows cannot use are altered
//! (bundles) or refused (folders the user names).
use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the program with exactly `args` (no --date: a dropped folder gets no options) and
/// `stdin` (None: closed), failing the test if it has not ended within 60 s (a wait for Enter
/// that would never come).
fn run_bare(cwd: &Path, args: &[&Path], stdin: Option<&[u8]>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dossier"));
    c.args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1764201600") // 2026-11-27, as the examples expect
        .env("NO_COLOR", "1")
        .env_remove("DOSSIER_LANG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = c.spawn().expect("run dossier");
    if let Some(bytes) = stdin {
        let mut si = child.stdin.take().unwrap();
        si.write_all(bytes).unwrap();
        // Kept open until the program ends: a prompt would block on it if it read more.
        std::mem::forget(si);
    }
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("dossier {args:?} did not end: waiting for input it should not wait for");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn example_in(env: &Env, name: &str) -> std::path::PathBuf {
    let dir = env.path().join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei"),
        &dir,
    );
    dir
}

#[test]
fn a_dropped_folder_is_checked_like_check_and_does_not_wait_with_stdin_closed() {
    let env = Env::new();
    let dir = example_in(&env, "员工 张伟");
    let dropped = run_bare(env.path(), &[&dir], None);
    let checked = run_bare(env.path(), &[Path::new("check"), &dir], None);
    assert_eq!(code(&dropped), code(&checked), "{}", stderr(&dropped));
    assert_eq!(
        code(&dropped),
        0,
        "the example is ready: {}",
        stdout(&dropped)
    );
    assert_eq!(stdout(&dropped), stdout(&checked));
    assert!(stdout(&dropped).contains("张伟"), "{}", stdout(&dropped));
    assert!(
        !stdout(&dropped).contains("按回车键"),
        "no prompt without a terminal"
    );
}

#[test]
fn a_dropped_folder_with_a_newline_on_stdin_ends_and_reports_findings() {
    let env = Env::new();
    let dir = example_in(&env, "张伟 待补");
    std::fs::remove_file(dir.join("scans/身份证-正面.png")).unwrap();
    let o = run_bare(env.path(), &[&dir], Some(b"\n"));
    assert_eq!(code(&o), 1, "findings: {}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("身份证"), "{}", stdout(&o));
}

#[test]
fn a_dropped_batch_folder_checks_every_employee() {
    let o = run_bare(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch")],
        None,
    );
    let text = stdout(&o);
    for name in [
        "── chen-jing ──",
        "── li-ming ──",
        "── wang-lei ──",
        "共 3 人",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }
    let checked = run_bare(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            Path::new("check"),
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch"),
        ],
        None,
    );
    assert_eq!(text, stdout(&checked));
    assert_eq!(code(&o), code(&checked));
}

#[test]
fn a_double_click_serves_the_current_folder() {
    // BROWSER: what the webbrowser crate runs on Linux to open the page; `true` opens nothing.
    let env = Env::new();
    example_in(&env, "张伟");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(env.path())
        .env("BROWSER", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dossier");
    let mut first = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("http://127.0.0.1:") && first.contains("/?token="),
        "{first}"
    );
}

#[test]
fn a_folder_named_like_a_command_does_not_hide_the_command() {
    // The repository holds rules/: `dossier rules` there still prints the rulebook.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join("rules").is_dir());
    let o = run_bare(root, &[Path::new("rules")], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("[rulebook]"), "{}", stdout(&o));
}

#[test]
fn a_name_windows_takes_for_a_device_gets_an_altered_bundle_name() {
    let env = Env::new();
    let dir = example_in(&env, "nul");
    let toml = std::fs::read_to_string(dir.join("applicant.toml")).unwrap();
    std::fs::write(
        dir.join("applicant.toml"),
        toml.replacen("name = \"张伟\"", "name = \"NUL.A\"", 1),
    )
    .unwrap();
    let out = env.path().join("out");
    let o = dossier(&["pack", dir.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["NUL_.A-1230-封面.pdf", "NUL_.A-1230.zip"]);
    // The folder inside the ZIP is renamed the same way.
    let zip = std::fs::read(out.join("NUL_.A-1230.zip")).unwrap();
    let z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert!(z.file_names().all(|n| n.starts_with("NUL_.A-1230/")));
}

#[test]
fn init_refuses_a_folder_name_windows_cannot_create() {
    let env = Env::new();
    for name in ["CON", "com1.d", "张伟."] {
        let o = dossier(&["init", env.path().join(name).to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("Windows"), "{name}: {}", stderr(&o));
        assert!(!env.path().join(name).exists(), "{name}");
    }
}
