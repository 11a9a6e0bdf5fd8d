//! Writing a file the user named (`--pdf FILE`, `-o FILE.xlsx`): SPEC §9's promises in one place.
//!
//! An output never lands on an input (`applicant.toml`, `company.toml`, anything under an
//! employee's `scans/`), never on anything that is not a regular file (a FIFO, `/dev/null`), and
//! never over an existing file without `--force`; it is written under a temporary name, synced,
//! and renamed into place, readable only by its owner. A refused write is an [`Error::Usage`]
//! (exit 2).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::messages::Text;
use crate::t;

/// Why `path` may not receive an output, if it may not.
pub fn refuse(path: &Path, force: bool) -> Option<Text> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    // Case-insensitively: on Windows and macOS `Applicant.TOML` is the same file. Any other
    // `.toml` may be a rulebook (`--rules`): no output of dossier is TOML.
    if name.eq_ignore_ascii_case("applicant.toml")
        || name.eq_ignore_ascii_case("company.toml")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return Some(t!(
            "{name} 是 dossier 的输入文件，输出不能覆盖输入文件",
            "{name} is an input of dossier; an output is never written onto it"
        ));
    }
    if inside_scans(path) {
        return Some(t!(
            "在员工的 scans/ 文件夹内，那里的文件都是输入，不能写入：请写到别处",
            "is inside an employee's scans/ folder, whose files are inputs; write the output elsewhere"
        ));
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Some(t!(
            "是符号链接，输出从不经由链接写入：请换一个名字",
            "is a symbolic link; outputs are never written through a link: give another name"
        )),
        Ok(m) if !m.is_file() => Some(t!(
            "已存在，且不是普通文件（文件夹、管道或设备）：请给出文件名",
            "exists and is not a regular file (a folder, pipe or device): give a file name"
        )),
        Ok(_) if !force => Some(t!(
            "已存在：加 --force 覆盖，或换一个名字",
            "already exists: pass --force to replace it, or give another name"
        )),
        _ => None,
    }
}

/// Whether `path` lies under the `scans/` folder of an employee folder (one holding
/// `applicant.toml`), looking through `..` and links as the file system does.
pub fn inside_scans(path: &Path) -> bool {
    let abs = absolute(path);
    abs.ancestors().skip(1).any(|a| {
        a.file_name().is_some_and(|n| n == "scans")
            && a.parent()
                .is_some_and(|emp| emp.join("applicant.toml").is_file())
    })
}

/// `path` made absolute with its existing part resolved (links, `..`), the rest appended.
fn absolute(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(&existing) {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Writes `bytes` to `path` as SPEC §9 promises (see the module doc); returns the path written.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<PathBuf, Error> {
    write_file_with(path, force, |w, _| {
        Ok(w.write_all(bytes)
            .map_err(crate::bundle::io_err(path, "write"))?)
    })
}

/// [`write_file`] for an output written piece by piece: `write` gets the temporary file and
/// the folder it is in (for scratch files, which must stay in the output's folder).
pub fn write_file_with(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn std::io::Write, &Path) -> Result<(), Error>,
) -> Result<PathBuf, Error> {
    if let Some(why) = refuse(path, force) {
        return Err(refused(path, why));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| {
            let path = path.display();
            Error::Usage(t!("{path}：不是文件名", "{path}: not a file name"))
        })?
        .to_string_lossy()
        .into_owned();
    let staged = crate::bundle::stage_with(&dir, &name, force, |w| write(w, &dir))?;
    Ok(staged.persist()?)
}

/// The error of a refused output: the path, then why.
pub fn refused(path: &Path, why: Text) -> Error {
    let path = path.display();
    Error::Usage(why.map(|_, why| format!("{path}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employee(t: &Path) -> PathBuf {
        let e = t.join("张伟");
        std::fs::create_dir_all(e.join("scans").join("sub")).expect("mkdir");
        std::fs::write(e.join("applicant.toml"), "x").expect("write");
        e
    }

    #[test]
    fn inputs_are_never_outputs() {
        let t = tempfile::tempdir().expect("tempdir");
        let e = employee(t.path());
        for p in [
            e.join("applicant.toml"),
            e.join("scans").join("身份证.jpg"),
            e.join("scans").join("sub").join("new.pdf"),
            e.join("scans").join("..").join("scans").join("x.pdf"),
            t.path().join("company.toml"),
        ] {
            assert!(refuse(&p, true).is_some(), "{} accepted", p.display());
        }
        // Beside the scans, in the employee folder, is fine.
        assert!(refuse(&e.join("day.pdf"), false).is_none());
        assert!(refuse(&e.join("out").join("day.pdf"), false).is_none());
    }

    #[test]
    fn an_existing_file_needs_force_and_a_device_is_never_written() {
        let t = tempfile::tempdir().expect("tempdir");
        let f = t.path().join("day.pdf");
        std::fs::write(&f, "old").expect("write");
        assert!(refuse(&f, false).is_some());
        assert!(refuse(&f, true).is_none());
        assert!(write_file(&f, b"new", false).is_err());
        assert_eq!(std::fs::read(&f).expect("read"), b"old");
        write_file(&f, b"new", true).expect("forced");
        assert_eq!(std::fs::read(&f).expect("read"), b"new");
        #[cfg(unix)]
        {
            assert!(refuse(Path::new("/dev/null"), true).is_some());
            assert!(refuse(t.path(), true).is_some());
        }
    }
}
