//! `dossier init DIR`: a new employee folder with the commented template; never overwrites.

use std::io::Write;
use std::path::Path;

use super::ExitStatus;
use crate::error::Error;
use crate::printer::Printer;

/// The commented `applicant.toml` that `init` writes.
pub const TEMPLATE: &str = include_str!("../../templates/applicant.toml");

pub(super) fn run(p: &Printer, dir: &Path) -> Result<ExitStatus, Error> {
    let file = dir.join("applicant.toml");
    if file.exists() {
        let file = file.display();
        return Err(Error::Usage(crate::t!(
            "{file} 已存在，init 从不覆盖：请直接编辑它，或换一个新文件夹",
            "{file} already exists: init never overwrites; edit it, or choose a new folder"
        )));
    }
    create_folder(dir)?;
    if p.is_json() {
        p.json(&serde_json::json!({"folder": dir, "created": [file, dir.join("scans")]}));
    } else if !p.quiet {
        let w = p.words();
        p.line(&(w.created)(
            &p.input(crate::printer::Tone::Plain, &file.display().to_string()),
            &p.input(
                crate::printer::Tone::Plain,
                &dir.join("scans").display().to_string(),
            ),
        ));
        let cmd = format!(
            "dossier checklist {}",
            crate::text::escape(&shell_arg(&dir.display().to_string()))
        );
        p.line(&(w.next_step)(&cmd));
    }
    Ok(ExitStatus::Success)
}

/// Creates an employee folder as `init` does: DIR, `scans/` and the commented template, private
/// to the user; fails if `applicant.toml` exists (`serve` creates employees so too).
pub fn create_folder(dir: &Path) -> Result<(), Error> {
    // The folder is shared with Windows machines: no name Windows cannot create (CON, "a.").
    if let Some(problem) = dir
        .file_name()
        .and_then(|n| crate::platform::windows_name_problem(&n.to_string_lossy()))
    {
        let dir = dir.display();
        return Err(Error::Usage(crate::messages::Text::new(
            format!("{dir}：{}", problem.zh),
            format!("{dir}: {}", problem.en),
        )));
    }
    // Nothing is ever written under an employee's scans/ (SPEC §9), the folder itself included.
    if crate::output::inside_scans(&dir.join("x")) {
        let dir = dir.display();
        return Err(Error::Usage(crate::t!(
            "{dir}：在员工的 scans/ 文件夹内，不能在这里建员工文件夹：请换一个文件夹",
            "{dir}: is inside an employee's scans/ folder: create the employee folder elsewhere"
        )));
    }
    let private = |d: &Path| crate::platform::create_private_dir(d).map_err(|e| Error::io(d, &e));
    private(dir)?;
    private(&dir.join("scans"))?;
    write_new_private(&dir.join("applicant.toml"), TEMPLATE.as_bytes())
}

/// A path as it must be typed in a shell to be one argument: quoted when it holds a space or a
/// character the shell would interpret, so a suggested command can be copied as it is.
fn shell_arg(s: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "/._-+,:@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else if !s.contains(['"', '$', '`', '\\', '!']) {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Creates a new file readable only by its owner; fails if it exists.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path).map_err(|e| Error::io(path, &e))?;
    crate::platform::restrict_file(&f, path).map_err(|e| Error::io(path, &e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, &e))
}

#[cfg(test)]
mod tests {
    use super::shell_arg;

    #[test]
    fn suggested_paths_are_one_shell_argument() {
        assert_eq!(shell_arg("emp/张伟"), "emp/张伟");
        assert_eq!(shell_arg("my emp"), "\"my emp\"");
        assert_eq!(shell_arg("a$b"), "'a$b'");
        assert_eq!(shell_arg("it's $x"), "'it'\\''s $x'");
    }
}
