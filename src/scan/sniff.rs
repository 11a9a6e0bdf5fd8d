//! What a file is, by its first bytes rather than its name.
//!
//! Only the head of the file is looked at (a few dozen bytes), so sniffing is free once the first
//! buffer is read. For PNG the header also gives the pixel size, so a decompression bomb is
//! refused before a single row is inflated.

use serde::Serialize;

/// The content types a scan may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    /// The usual extension (what `accept` lists).
    pub fn ext(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Pdf => "pdf",
        }
    }

    /// The name shown to the clerk.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
            FileKind::Pdf => "PDF",
        }
    }

    /// The kind an extension promises (`jpeg`, `jpe` and `jfif` are JPEG).
    pub fn from_ext(ext: &str) -> Option<FileKind> {
        match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(FileKind::Jpeg),
            "png" => Some(FileKind::Png),
            "pdf" => Some(FileKind::Pdf),
            _ => None,
        }
    }
}

/// The result of looking at a file's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A scan type; for PNG the header's pixel size when the head held it.
    Scan {
        kind: FileKind,
        dims: Option<(u32, u32)>,
    },
    /// Something else, described for the clerk (`HEIC 图片`, `Word 文档` ...).
    Other { zh: &'static str, en: &'static str },
}

/// Identifies a file from its first bytes (pass at least the first 32 when the file has them).
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Scan {
            kind: FileKind::Jpeg,
            dims: None,
        };
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Scan {
            kind: FileKind::Png,
            dims: png_dims(head),
        };
    }
    // A PDF header may follow some junk (the spec allows it within the first 1024 bytes).
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Sniffed::Scan {
            kind: FileKind::Pdf,
            dims: None,
        };
    }
    let (zh, en) = describe_other(head);
    Sniffed::Other { zh, en }
}

/// Width and height from a PNG's IHDR chunk, which must come first.
fn png_dims(head: &[u8]) -> Option<(u32, u32)> {
    if head.len() < 24 || &head[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes([head[16], head[17], head[18], head[19]]);
    let h = u32::from_be_bytes([head[20], head[21], head[22], head[23]]);
    Some((w, h))
}

/// What a file that is no scan seems to be, in Chinese and in English.
fn describe_other(head: &[u8]) -> (&'static str, &'static str) {
    let ftyp = head.len() >= 12 && &head[4..8] == b"ftyp";
    if ftyp
        && matches!(
            &head[8..12],
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc"
        )
    {
        ("HEIC 图片", "HEIC image")
    } else if ftyp && matches!(&head[8..12], b"avif" | b"avis") {
        ("AVIF 图片", "AVIF image")
    } else if ftyp {
        ("视频或 MP4 类文件", "video / MP4 container")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        ("GIF 图片", "GIF image")
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        ("TIFF 图片", "TIFF image")
    } else if head.starts_with(b"BM") {
        ("BMP 图片", "BMP image")
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        ("WebP 图片", "WebP image")
    } else if head.starts_with(b"PK\x03\x04") {
        ("ZIP 压缩包或 Office 文档", "ZIP archive or Office document")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        ("旧版 Office 文档", "legacy Office document")
    } else if head.starts_with(b"Rar!") || head.starts_with(b"7z\xBC\xAF") {
        ("压缩包", "archive")
    } else if std::str::from_utf8(head).is_ok() || head.iter().all(|&b| b >= 0x09) {
        ("文本文件", "text")
    } else {
        ("未知格式", "unknown format")
    }
}

/// The first position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_not_names() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Sniffed::Scan {
                kind: FileKind::Jpeg,
                dims: None
            }
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n"),
            Sniffed::Scan {
                kind: FileKind::Pdf,
                dims: None
            }
        );
        assert_eq!(
            sniff(b"\xEF\xBB\xBF%PDF-1.4"),
            Sniffed::Scan {
                kind: FileKind::Pdf,
                dims: None
            }
        );
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&60000u32.to_be_bytes());
        png.extend_from_slice(&40000u32.to_be_bytes());
        assert_eq!(
            sniff(&png),
            Sniffed::Scan {
                kind: FileKind::Png,
                dims: Some((60000, 40000))
            }
        );
        assert_eq!(
            sniff(&png[..20]),
            Sniffed::Scan {
                kind: FileKind::Png,
                dims: None
            }
        );
        assert!(
            matches!(sniff(b"\0\0\0\x18ftypheic\0\0"), Sniffed::Other { en, .. } if en.starts_with("HEIC"))
        );
        assert!(
            matches!(sniff(b"PK\x03\x04rest"), Sniffed::Other { en, .. } if en.contains("Office"))
        );
        assert!(
            matches!(sniff("合同文本".as_bytes()), Sniffed::Other { zh: "文本文件", en } if en.contains("text"))
        );
    }

    #[test]
    fn extensions_promise_kinds() {
        assert_eq!(FileKind::from_ext("JPEG"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::from_ext("pdf"), Some(FileKind::Pdf));
        assert_eq!(FileKind::from_ext("heic"), None);
        assert_eq!(FileKind::from_ext(""), None);
    }
}
