//! Bounded reads of the small text inputs (SPEC §9): `applicant.toml`, `company.toml` and a
//! rulebook are read only when they are regular files under [`MAX_TEXT_INPUT`] bytes. A FIFO,
//! a device or a socket is an input error before anything is read (never a hang: the file is
//! opened non-blocking), and a file that grows past the limit while it is read (a symlink to
//! an endless stream in `/proc`, say) is cut off at the limit and refused.

use std::io::Read;
use std::path::Path;

use crate::error::Error;
use crate::messages::{Lang, Text};
use crate::t;

/// The most bytes read from `applicant.toml`, `company.toml` or a rulebook (1 MB).
pub const MAX_TEXT_INPUT: u64 = 1 << 20;

/// Opens `path` for reading only if it is a regular file, without ever blocking (a FIFO opened
/// for reading would wait for a writer; it is refused instead). The error of a file that is
/// not regular is `InvalidInput` and says what it is.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let not_regular = |m: &std::fs::Metadata| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", kind(m)),
        )
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(nonblock_flag());
    }
    let f = o.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(f)
}

/// The whole of a small input file, refused unless it is a regular file of at most `max`
/// bytes. `what` names the file in the message (`applicant file`, `rulebook`).
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, Error> {
    let refuse = |why: Text| Error::Io {
        path: path.to_path_buf(),
        message: why,
    };
    let what_zh = what_zh(what);
    // Following symlinks: a link to a regular file is that file.
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if !meta.is_file() {
        let kind = kind_text(&meta);
        let (kind_zh, kind_en) = (kind.get(Lang::Zh), kind.get(Lang::En));
        return Err(refuse(t!(
            "不是普通文件（{kind_zh}），不作为{what_zh}读取",
            "is not a regular file ({kind_en}), so it is not read as the {what}"
        )));
    }
    if meta.len() > max {
        return Err(refuse(too_big(meta.len(), max, what)));
    }
    // Opened non-blocking and checked again: a path swapped for a FIFO after the check above
    // is refused, not waited on.
    let f = open_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => refuse(t!(
            "不是普通文件，不作为{what_zh}读取",
            "is {e}, so it is not read as the {what}"
        )),
        _ => Error::io(path, &e),
    })?;
    let meta = f.metadata().map_err(|e| Error::io(path, &e))?;
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(refuse(too_big(bytes.len() as u64, max, what)));
    }
    Ok(bytes)
}

fn too_big(len: u64, max: u64, what: &str) -> Text {
    let (kb, what_zh) = (max / 1024, what_zh(what));
    t!(
        "文件过大（{len} 字节以上，上限 {kb} KB），不可能是{what_zh}：请确认给出的文件是否正确",
        "is larger than {kb} KB ({len} bytes or more), so it cannot be the {what}; check that the right file is given"
    )
}

/// The Chinese name of an input file named in English in [`read_bounded`]'s `what`.
fn what_zh(what: &str) -> &str {
    match what {
        "applicant file" => "申请人信息文件",
        "company file" => "单位信息文件",
        "rulebook" => "规则文件",
        "font" => "字体文件",
        "cover sheet" => "封面",
        other => other,
    }
}

/// What kind of file a non-regular one is, in both languages.
pub fn kind_text(meta: &std::fs::Metadata) -> Text {
    let en = kind(meta);
    let zh = match en {
        "a folder" => "文件夹",
        "a named pipe (FIFO)" => "命名管道（FIFO）",
        "a device" => "设备",
        "a socket" => "套接字",
        "a symbolic link" => "符号链接",
        "a regular file" => "普通文件",
        _ => "非普通文件",
    };
    Text::new(zh, en)
}

#[cfg(unix)]
fn nonblock_flag() -> i32 {
    #[cfg(target_os = "linux")]
    {
        libc::O_NONBLOCK
    }
    // Elsewhere the type check before opening stands alone.
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// What kind of file a non-regular one is, in words.
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    if t.is_file() {
        return "a regular file";
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_read_and_big_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, b"x = 1\n").unwrap();
        assert_eq!(read_bounded(&p, 100, "test").unwrap(), b"x = 1\n");
        std::fs::write(&p, vec![b'#'; 101]).unwrap();
        let e = read_bounded(&p, 100, "test").unwrap_err();
        assert!(e.render_in(Lang::En).contains("larger"), "{e}");
        assert!(e.render_in(Lang::Zh).contains("文件过大"), "{e}");
        let e = read_bounded(dir.path(), 100, "test").unwrap_err();
        assert!(e.render_in(Lang::En).contains("folder"), "{e}");
        assert!(e.render_in(Lang::Zh).contains("文件夹"), "{e}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_is_refused_unread() {
        let e = read_bounded(Path::new("/dev/zero"), 100, "test").unwrap_err();
        assert!(e.render_in(Lang::En).contains("device"), "{e}");
    }
}
