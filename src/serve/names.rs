//! Names that come in a request (a folder, a scan file, a file of `out/`) checked before any
//! path is made of them: one plain component each, never `..`, never absolute, no separators or
//! control characters, and then looked up in the tree (the caller does that).
//!
//! Invariant: a name accepted here, joined onto its folder, stays directly in that folder.

/// Why a name is refused (the answer is a 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadName(pub String);

/// One plain path component as it may come in a request: a folder of DIR, a file of `out/`.
pub fn component(name: &str) -> Result<&str, BadName> {
    let bad = |why: &str| Err(BadName(format!("「{}」{why}", shown(name))));
    if name.is_empty() {
        return bad("为空 (empty name)");
    }
    if name == "." || name == ".." {
        return bad("不是文件夹或文件名 (not a name)");
    }
    if name.contains(['/', '\\']) {
        return bad("含有路径分隔符 (a name, not a path)");
    }
    if name.chars().any(|c| c.is_control()) {
        return bad("含有控制字符 (control characters)");
    }
    if name.len() > 255 {
        return bad("太长 (too long)");
    }
    // `C:` on Windows names a drive; nothing of ours starts that way.
    if name.contains(':') {
        return bad("含有冒号 (a colon)");
    }
    Ok(name)
}

/// A name for a new employee folder: a [`component`] that is also a good folder name on
/// Windows (the folders are copied to office PCs).
pub fn new_folder(name: &str) -> Result<&str, BadName> {
    let name = component(name)?;
    let bad = |why: &str| Err(BadName(format!("「{}」{why}", shown(name))));
    if name.starts_with('.') {
        return bad("以点开头，是隐藏文件夹 (starts with a dot)");
    }
    if name.ends_with(['.', ' ']) || name.starts_with(' ') {
        return bad("首尾不能是空格或点 (leading/trailing space or dot)");
    }
    if name.contains(['<', '>', '"', '|', '?', '*']) {
        return bad("含有 Windows 不允许的字符 < > \" | ? * (not allowed on Windows)");
    }
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"];
    let numbered = (stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.len() == 4
        && stem.as_bytes()[3].is_ascii_digit();
    if reserved.contains(&stem.as_str()) || numbered {
        return bad("是 Windows 的保留名 (a reserved name on Windows)");
    }
    if name == "out" || name == "scans" {
        return bad("是 dossier 自己使用的文件夹名 (a name dossier uses itself)");
    }
    if name.chars().count() > 64 {
        return bad("太长，最多 64 个字 (too long)");
    }
    Ok(name)
}

/// A scan's name relative to `scans/` (`身份证-正面.jpg`, or `旧/身份证.jpg` in a sub-folder):
/// `/`-separated plain components. The caller still checks it names a file the check found.
pub fn scan_rel(name: &str) -> Result<&str, BadName> {
    if name.starts_with('/') || name.is_empty() {
        return Err(BadName(format!(
            "「{}」不是 scans/ 里的文件名 (not a name inside scans/)",
            shown(name)
        )));
    }
    for c in name.split('/') {
        component(c)?;
    }
    Ok(name)
}

/// A part name as the clerk may type it (`正面`, `p2`): a short plain word.
pub fn part(p: &str) -> Result<&str, BadName> {
    let bad = || {
        Err(BadName(format!(
            "分页名「{}」不可用：只用字母、数字或汉字 (a part name is a short word)",
            shown(p)
        )))
    };
    if p.chars().count() > 20
        || p.chars()
            .any(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
    {
        return bad();
    }
    if p.starts_with(['-', '_']) {
        return bad();
    }
    Ok(p)
}

/// A name shown back in a message: control characters escaped, at most 80 characters.
pub fn shown(name: &str) -> String {
    name.chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        for ok in ["张伟", "zhang-wei", "a b", "王 伟.2"] {
            assert_eq!(component(ok), Ok(ok));
        }
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", "/etc", "C:x", "a\u{0}b", "a\nb",
        ] {
            assert!(component(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn new_folders() {
        assert!(new_folder("李明").is_ok());
        for bad in [
            ".git", "a.", " a", "CON", "com1", "a?b", "out", "scans", "a|b",
        ] {
            assert!(new_folder(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scan_names() {
        assert!(scan_rel("身份证.jpg").is_ok());
        assert!(scan_rel("旧/身份证.jpg").is_ok());
        for bad in ["/etc/passwd", "../applicant.toml", "a/../../b", "a//b", ""] {
            assert!(scan_rel(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parts() {
        assert!(part("正面").is_ok());
        assert!(part("p2").is_ok());
        assert!(part("").is_ok());
        for bad in ["a/b", "..", "x.jpg", "-a", "a b"] {
            assert!(part(bad).is_err(), "{bad:?}");
        }
    }
}
