//! The text files of a BagIt 1.0 bag (RFC 8493) and the bundle's index CSV: how they are
//! written and read back.
//!
//! Invariants: tag files are UTF-8 without a BOM and end every line with LF; manifest paths
//! percent-encode exactly CR, LF and `%` (RFC 8493 §2.1.3) and decode the same three; a
//! bag-info value never holds a line break (it would start a new tag), and long lines are folded
//! only at spaces, so folding never changes a value's words.

use sha2::{Digest, Sha256};

/// `bagit.txt`, byte for byte.
pub(crate) const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A path as written in a manifest: `%` → `%25`, CR → `%0D`, LF → `%0A`.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`encode_path`]; any other `%` sequence is kept as it is.
pub(crate) fn decode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).map(str::to_ascii_uppercase);
        let decoded = match code.as_deref() {
            Some("25") => Some('%'),
            Some("0D") => Some('\r'),
            Some("0A") => Some('\n'),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One manifest line: `<hex>  <encoded path>\n` (two spaces, as `sha256sum` writes it).
pub(crate) fn manifest_line(digest: &[u8; 32], path: &str) -> String {
    format!("{}  {}\n", hex(digest), encode_path(path))
}

/// Why `name` cannot be a path inside the bag (`None` when it can). Refuses what would escape
/// or confuse an extractor: absolute paths, `.`/`..` parts, empty parts, backslashes, drive
/// letters and `:` (not allowed in Windows file names), NUL.
pub(crate) fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.starts_with('/') {
        return Some("it is an absolute path");
    }
    if name.contains('\\') {
        return Some("it holds a backslash");
    }
    if name.contains('\0') {
        return Some("it holds a NUL character");
    }
    if name.contains(':') {
        return Some("it holds ':' (a drive letter, or a name Windows cannot create)");
    }
    for part in name.split('/') {
        match part {
            "" => return Some("it has an empty path part ('//' or a trailing '/')"),
            "." | ".." => return Some("it has a '.' or '..' part"),
            p if p.len() > MAX_NAME_PART_BYTES => {
                return Some("a part of it is longer than 200 bytes, which unzip tools and file systems cannot create")
            }
            _ => {}
        }
    }
    None
}

/// The longest file or folder name inside a bundle, in bytes (SPEC §7; file systems stop at
/// 255, and unzip tools add to a name when they must rename).
pub const MAX_NAME_PART_BYTES: usize = 200;

/// A bag-info label: non-empty, no `:`, no whitespace or control characters.
pub(crate) fn bad_label(label: &str) -> Option<&'static str> {
    if label.is_empty() {
        Some("it is empty")
    } else if label.contains(':') {
        Some("it holds ':'")
    } else if label.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it holds white space or a control character")
    } else {
        None
    }
}

const FOLD_AT: usize = 79;

/// `bag-info.txt` from (label, value) pairs in order. Line breaks inside a value become spaces;
/// a line longer than 79 characters is folded at spaces onto indented continuation lines.
pub(crate) fn bag_info_text(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (label, value) in fields {
        let value: String = value
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        let mut line = format!("{label}: {}", value.trim());
        let mut first = true;
        while line.chars().count() > FOLD_AT {
            // The last space that keeps this line within the limit (never the one after the
            // label's colon on the first line, nor a leading indent).
            let min = if first { label.len() + 2 } else { 2 };
            let cut = line
                .char_indices()
                .take(FOLD_AT + 1)
                .filter(|&(i, c)| c == ' ' && i > min)
                .map(|(i, _)| i)
                .last();
            let Some(cut) = cut else { break };
            out.push_str(line[..cut].trim_end());
            out.push('\n');
            line = format!("  {}", line[cut..].trim_start());
            first = false;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Parses a tag file (`bagit.txt`, `bag-info.txt`): `Label: value` lines, with continuation
/// lines (starting with a space or tab) joined to the previous value by a space. Returns the
/// pairs and the 1-based numbers of lines that are neither.
pub(crate) fn parse_tags(text: &str) -> (Vec<(String, String)>, Vec<usize>) {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match tags.last_mut() {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => bad.push(n + 1),
            }
            continue;
        }
        match line.split_once(':') {
            Some((l, v)) if !l.trim().is_empty() => {
                tags.push((l.trim().to_string(), v.trim().to_string()))
            }
            _ => bad.push(n + 1),
        }
    }
    (tags, bad)
}

/// An approximate human size for `Bag-Size` (decimal units, as RFC 8493's example "260 GB").
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// One row of the index CSV.
pub(crate) struct IndexLine<'a> {
    pub(crate) no: u32,
    pub(crate) item: &'a str,
    pub(crate) file: &'a str,
    pub(crate) pages: u32,
    pub(crate) bytes: u64,
    pub(crate) sha256: [u8; 32],
}

/// A text cell for Excel: quoted when it holds a comma, quote, line break or edge spaces, and
/// prefixed with `'` when it would otherwise be read as a formula (`=`, `+`, `-`, `@`).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The index: UTF-8 with BOM (so Excel shows Chinese), CRLF line ends.
pub(crate) fn index_csv(rows: &[IndexLine<'_>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}序号,材料,文件,页数,字节,SHA-256\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            r.no,
            csv_cell(r.item),
            csv_cell(r.file),
            r.pages,
            r.bytes,
            hex(&r.sha256)
        ));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_encoding_round_trips_the_three_characters() {
        let p = "data/a%b\r\nc.jpg";
        assert_eq!(encode_path(p), "data/a%25b%0D%0Ac.jpg");
        assert_eq!(decode_path(&encode_path(p)), p);
        assert_eq!(decode_path("data/%41%2"), "data/%41%2");
        assert_eq!(decode_path("x%0ay"), "x\ny");
    }

    #[test]
    fn unsafe_names_are_named() {
        for n in [
            "../evil", "a/../b", "/etc/x", "a\\b", "C:x", "a//b", "./a", "a/", "",
        ] {
            assert!(unsafe_name(n).is_some(), "{n}");
        }
        assert_eq!(unsafe_name("01-身份证-正面.jpg"), None);
        assert_eq!(unsafe_name("sub/a..b.jpg"), None);
        assert!(unsafe_name(&format!("bag/data/{}.jpg", "长".repeat(67))).is_some());
        assert_eq!(
            unsafe_name(&format!("bag/data/{}.jpg", "长".repeat(65))),
            None
        );
    }

    #[test]
    fn long_bag_info_values_fold_at_spaces_and_parse_back() {
        let value = "word ".repeat(40);
        let text = bag_info_text(&[("External-Description".into(), value.clone())]);
        assert!(text.lines().count() > 1);
        assert!(text.lines().all(|l| l.chars().count() <= FOLD_AT), "{text}");
        let (tags, bad) = parse_tags(&text);
        assert!(bad.is_empty());
        assert_eq!(
            tags,
            vec![("External-Description".to_string(), value.trim().to_string())]
        );
    }

    #[test]
    fn line_breaks_in_values_cannot_inject_tags() {
        let text = bag_info_text(&[("Contact-Name".into(), "李娜\nPayload-Oxum: 1.1".into())]);
        let (tags, _) = parse_tags(&text);
        assert_eq!(tags.len(), 1);
    }

    #[test]
    fn index_csv_has_bom_crlf_and_quotes() {
        let rows = [IndexLine {
            no: 1,
            item: "a,b",
            file: "=x.jpg",
            pages: 2,
            bytes: 10,
            sha256: [0; 32],
        }];
        let csv = String::from_utf8(index_csv(&rows)).unwrap();
        assert!(csv.starts_with("\u{feff}序号,材料,文件,页数,字节,SHA-256\r\n"));
        assert!(csv.contains("1,\"a,b\",'=x.jpg,2,10,0000"));
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(12_345_678), "12.3 MB");
    }
}
