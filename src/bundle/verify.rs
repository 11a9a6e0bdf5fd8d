//! `verify`: proves that a bundle ZIP is still the bag that was written — complete, unchanged,
//! and safe to extract — by reading the ZIP directly, never extracting it.
//!
//! Invariants: every problem is collected and named by its path inside the bag (or the entry
//! name, for entries outside it); an `Err` means only that the file is not a ZIP at all (a ZIP
//! whose directory is damaged or cut off is a problem in the report); entry data is streamed
//! through the hasher (only the four tag files are held, capped), and entry counts and sizes
//! are capped, so a hostile ZIP costs bounded memory and time and never panics.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::bagit;
use super::zipfmt::{self, DirectoryError};
use super::BundleError;

/// One thing wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyProblem {
    /// The path inside the bag (`data/01-身份证.jpg`, `bag-info.txt`); the full entry name for
    /// problems with an entry as such (unsafe, duplicate or link names, outside the bag folder);
    /// the ZIP's own path for the archive as a whole.
    pub path: String,
    /// What is wrong, in both languages (the JSON of `verify` has the Chinese); the words of
    /// BagIt's own format are not translated.
    pub message: crate::messages::Text,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// No problems.
    pub ok: bool,
    pub problems: Vec<VerifyProblem>,
    /// Payload files found (under `data/`).
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// Per-entry and whole-archive read caps: a scan is at most tens of MB and a bundle well under
/// a GiB, so these only ever stop a decompression bomb.
const MAX_ENTRY: u64 = 1 << 30;
const MAX_TOTAL: u64 = 8 << 30;
/// Tag files are held in memory to be parsed.
const MAX_TAG_FILE: u64 = 64 << 20;

const BAGIT: &str = "bagit.txt";
const BAG_INFO: &str = "bag-info.txt";
const MANIFEST: &str = "manifest-sha256.txt";
const TAGMANIFEST: &str = "tagmanifest-sha256.txt";

struct Found {
    digest: [u8; 32],
    size: u64,
}

#[derive(Default)]
struct Problems(Vec<VerifyProblem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<crate::messages::Text>) {
        self.0.push(VerifyProblem {
            path: path.into(),
            message: message.into(),
        });
    }
}

/// Whether the file begins with a ZIP local file header, as every bundle does.
fn starts_like_a_zip(path: &Path) -> bool {
    let mut head = [0u8; 4];
    crate::input::open_regular(path)
        .and_then(|mut f| io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == *b"PK\x03\x04")
}

/// Verifies the bundle at `zip_path`. `Err` only when it cannot be opened or is not a ZIP at
/// all; anything wrong inside, or a damaged directory, is a problem in the report.
pub fn verify(zip_path: &Path) -> Result<VerifyReport, BundleError> {
    // Never a blocking open: a FIFO given as the bundle is an error, not a hang.
    let file = crate::input::open_regular(zip_path).map_err(|source| BundleError::Io {
        path: zip_path.to_path_buf(),
        action: "open the bundle",
        source,
    })?;
    let len = file
        .metadata()
        .map_err(|source| BundleError::Io {
            path: zip_path.to_path_buf(),
            action: "read the bundle",
            source,
        })?
        .len();
    let mut r = BufReader::with_capacity(64 * 1024, file);
    let not_zip = |reason: String| BundleError::NotZip {
        path: zip_path.to_path_buf(),
        reason,
    };
    let whole = zip_path.display().to_string();
    // A file that starts like a ZIP but whose directory cannot be read is a damaged bundle (cut
    // off in a copy, overwritten at the end): a bundle that does not verify, not a wrong file.
    let damaged = |reason: String| -> Result<VerifyReport, BundleError> {
        if !starts_like_a_zip(zip_path) {
            return Err(not_zip(reason));
        }
        Ok(VerifyReport {
            ok: false,
            problems: vec![VerifyProblem {
                path: whole.clone(),
                message: crate::t!(
                    "ZIP 文件已损坏或不完整（{reason}），无法列出内容：请从 `dossier pack` 写出的位置重新复制材料包",
                    "the ZIP is damaged or cut off ({reason}): its contents cannot be listed; copy the bundle again from where `dossier pack` wrote it"
                ),
            }],
            files: 0,
            bytes: 0,
        })
    };
    let entries = match zipfmt::read_directory(&mut r, len) {
        Ok(entries) => entries,
        Err(DirectoryError::NotZip(reason)) => return damaged(reason),
        Err(DirectoryError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return damaged("truncated".into())
        }
        Err(DirectoryError::Io(source)) => {
            return Err(BundleError::Io {
                path: zip_path.to_path_buf(),
                action: "read the bundle",
                source,
            })
        }
        Err(DirectoryError::Refused(message)) => {
            let problems = vec![VerifyProblem {
                path: whole,
                message: message.into(),
            }];
            return Ok(VerifyReport {
                ok: false,
                problems,
                files: 0,
                bytes: 0,
            });
        }
    };

    let mut p = Problems::default();
    let names = entry_names(&entries, &mut p);
    let prefix = format!("{}/", bag_folder(&names, &whole, &mut p));
    let read = read_entries(&mut r, len, &entries, &names, &prefix, &mut p);
    let Read {
        files,
        order,
        unreadable,
        tags,
    } = &read;
    check_other_tag_files(order, &mut p);
    check_bagit_txt(tags.get(BAGIT), unreadable.contains(BAGIT), &mut p);

    let payload: Vec<&String> = order.iter().filter(|r| r.starts_with("data/")).collect();
    let payload_bytes: u64 = payload
        .iter()
        .filter_map(|r| files.get(*r))
        .map(|f| f.size)
        .sum();
    let any_unreadable_payload = unreadable.iter().any(|r| r.starts_with("data/"));
    if payload.is_empty() && !any_unreadable_payload {
        p.add(format!("{prefix}data/"), "missing: the bag has no payload");
    }

    if let Some(text) = text_of(tags, BAG_INFO, unreadable, &mut p) {
        // With a payload file unreadable, its size is unknown: that file is reported already.
        let actual =
            (!any_unreadable_payload).then(|| format!("{payload_bytes}.{}", payload.len()));
        check_bag_info(text, actual.as_deref(), &mut p);
    }
    if let Some(text) = text_of(tags, MANIFEST, unreadable, &mut p) {
        check_payload_manifest(text, &read, &payload, &mut p);
    }
    if let Some(text) = text_of(tags, TAGMANIFEST, unreadable, &mut p) {
        check_tag_manifest(text, &read, &mut p);
    }

    let problems = p.0;
    Ok(VerifyReport {
        ok: problems.is_empty(),
        problems,
        files: payload.len(),
        bytes: payload_bytes,
    })
}

/// The entries' names: decodable, safe, unique, no links (`None` for one that is not).
fn entry_names(entries: &[zipfmt::CentralEntry], p: &mut Problems) -> Vec<Option<String>> {
    let mut seen = HashSet::new();
    let mut folded = HashSet::new();
    entries
        .iter()
        .map(|e| {
            let Ok(name) = String::from_utf8(e.name.clone()) else {
                p.add(
                    String::from_utf8_lossy(&e.name),
                    "entry name is not UTF-8; a bundle's names always are",
                );
                return None;
            };
            if let Some(reason) = bagit::unsafe_name(name.strip_suffix('/').unwrap_or(&name)) {
                p.add(
                    &name,
                    format!(
                        "unsafe entry name: {reason}; extracting it could write outside the bag"
                    ),
                );
                return None;
            }
            if !seen.insert(name.clone()) {
                p.add(
                    &name,
                    "appears more than once in the ZIP; an extractor would keep only one",
                );
                return None;
            }
            if !folded.insert(name.to_lowercase()) {
                p.add(
                    &name,
                    "differs from another entry only in letter case; extracting on Windows or macOS would keep only one",
                );
            }
            if e.is_symlink() {
                p.add(&name, "is a symbolic link; a bag holds only plain files");
                return None;
            }
            Some(name)
        })
        .collect()
}

/// The bag's folder: the one holding bagit.txt (the first when there are several, each a problem).
fn bag_folder(names: &[Option<String>], whole: &str, p: &mut Problems) -> String {
    let tops: Vec<&str> = names
        .iter()
        .flatten()
        .filter_map(|n| n.strip_suffix("/bagit.txt"))
        .filter(|t| !t.contains('/'))
        .collect();
    match tops.as_slice() {
        [one] => one.to_string(),
        [] => {
            p.add(
                whole,
                "no bagit.txt in a top-level folder: this is not a BagIt bag",
            );
            names
                .iter()
                .flatten()
                .next()
                .and_then(|n| n.split('/').next())
                .unwrap_or_default()
                .to_string()
        }
        several => {
            p.add(
                whole,
                format!(
                    "holds several bags ({}); a bundle holds one",
                    several.join(", ")
                ),
            );
            several[0].to_string()
        }
    }
}

/// Every file of the bag read once: its digest and size, the tag files' text, and which could
/// not be read.
struct Read {
    files: HashMap<String, Found>,
    order: Vec<String>,
    unreadable: HashSet<String>,
    tags: HashMap<&'static str, Vec<u8>>,
}

/// Reads every entry under `prefix` once: hashes it, keeps the tag files' text.
fn read_entries<R: io::Read + io::Seek>(
    r: &mut R,
    len: u64,
    entries: &[zipfmt::CentralEntry],
    names: &[Option<String>],
    prefix: &str,
    p: &mut Problems,
) -> Read {
    let mut out = Read {
        files: HashMap::new(),
        order: Vec::new(),
        unreadable: HashSet::new(),
        tags: HashMap::new(),
    };
    let mut budget = MAX_TOTAL;
    for (e, name) in entries.iter().zip(names) {
        let Some(name) = name else { continue };
        let Some(rel) = name.strip_prefix(prefix) else {
            if name != prefix {
                p.add(name, format!("is outside the bag's folder {prefix}"));
            }
            continue;
        };
        if name.ends_with('/') {
            continue; // a directory entry
        }
        let keep = [BAGIT, BAG_INFO, MANIFEST, TAGMANIFEST]
            .into_iter()
            .find(|t| *t == rel);
        if e.size > budget {
            p.add(
                rel,
                "not checked: the ZIP holds more data than verify reads (8 GiB)",
            );
            out.unreadable.insert(rel.to_string());
            continue;
        }
        let limit = if keep.is_some() {
            MAX_TAG_FILE
        } else {
            MAX_ENTRY
        };
        let mut hasher = Sha256::new();
        let mut content = Vec::new();
        let read = zipfmt::read_entry(r, len, e, limit, &mut |b| {
            hasher.update(b);
            if keep.is_some() {
                content.extend_from_slice(b);
            }
        });
        match read {
            Ok(size) => {
                budget = budget.saturating_sub(size);
                let digest = hasher.finalize().into();
                out.files.insert(rel.to_string(), Found { digest, size });
                out.order.push(rel.to_string());
                if let Some(tag) = keep {
                    out.tags.insert(tag, content);
                }
            }
            Err(message) => {
                p.add(rel, message);
                out.unreadable.insert(rel.to_string());
            }
        }
    }
    out
}

/// A fetch.txt or a manifest for another algorithm: a bag dossier cannot check whole.
fn check_other_tag_files(order: &[String], p: &mut Problems) {
    for rel in order {
        if rel == "fetch.txt" {
            p.add(rel, "lists files to download: this bag is not complete");
        } else if !rel.contains('/')
            && rel != MANIFEST
            && rel != TAGMANIFEST
            && (rel.starts_with("manifest-") || rel.starts_with("tagmanifest-"))
            && rel.ends_with(".txt")
        {
            p.add(rel, "a manifest for an algorithm other than SHA-256, which dossier does not check; validate the bag with a BagIt tool");
        }
    }
}

/// The payload manifest: every payload file listed exactly once, every listed file present and
/// unchanged.
fn check_payload_manifest(text: &str, read: &Read, payload: &[&String], p: &mut Problems) {
    let mut listed = HashSet::new();
    for (line, path, digest) in parse_manifest(text, MANIFEST, p) {
        if !path.starts_with("data/") {
            p.add(
                MANIFEST,
                format!("line {line}: {path:?} is not under data/"),
            );
            continue;
        }
        if !listed.insert(path.clone()) {
            p.add(&path, format!("is listed more than once in {MANIFEST}"));
            continue;
        }
        compare(&read.files, &read.unreadable, &path, &digest, MANIFEST, p);
    }
    for rel in payload {
        if !listed.contains(*rel) {
            p.add(
                *rel,
                crate::t!(
                    "多出的文件：{MANIFEST} 中没有它，是后来加进去的",
                    "is not listed in {MANIFEST}: a file was added"
                ),
            );
        }
    }
}

/// The tag manifest: what it lists is unchanged, and it covers the files that define the bag.
fn check_tag_manifest(text: &str, read: &Read, p: &mut Problems) {
    let mut listed = HashSet::new();
    for (line, path, digest) in parse_manifest(text, TAGMANIFEST, p) {
        if path.starts_with("data/") || path == TAGMANIFEST {
            p.add(
                TAGMANIFEST,
                format!("line {line}: {path:?} cannot be in a tag manifest"),
            );
            continue;
        }
        if !listed.insert(path.clone()) {
            p.add(&path, format!("is listed more than once in {TAGMANIFEST}"));
            continue;
        }
        compare(
            &read.files,
            &read.unreadable,
            &path,
            &digest,
            TAGMANIFEST,
            p,
        );
    }
    // Stricter than RFC 8493, which lets tag files go unlisted: a bundle is a record, and an
    // unlisted file in it could be added or changed unnoticed.
    for rel in read
        .order
        .iter()
        .filter(|r| !r.starts_with("data/") && *r != TAGMANIFEST)
    {
        if !listed.contains(rel) {
            p.add(
                rel,
                format!("is not listed in {TAGMANIFEST}: it was added, or changes to it would go unnoticed"),
            );
        }
    }
}

/// bag-info.txt: well-formed, with one Payload-Oxum equal to `actual` (when known).
fn check_bag_info(text: &str, actual: Option<&str>, p: &mut Problems) {
    let (fields, bad) = bagit::parse_tags(text);
    for line in bad {
        p.add(BAG_INFO, format!("line {line} is not `Label: value`"));
    }
    let oxums: Vec<&String> = fields
        .iter()
        .filter(|(l, _)| l.eq_ignore_ascii_case("Payload-Oxum"))
        .map(|(_, v)| v)
        .collect();
    match (oxums.as_slice(), actual) {
        ([], _) => p.add(BAG_INFO, "has no Payload-Oxum"),
        ([oxum], Some(actual)) if oxum.as_str() != actual => p.add(
            BAG_INFO,
            crate::t!(
                "文件数或总字节数与打包时不同：Payload-Oxum 为 {oxum}，实际为 {actual}（字节数.文件数）：有文件被加入、删除或改动",
                "Payload-Oxum says {oxum}, the payload is {actual} (bytes.files): files were added, removed or changed"
            ),
        ),
        ([_], _) => {}
        _ => p.add(BAG_INFO, "has Payload-Oxum more than once"),
    }
}

/// The UTF-8 text of a required tag file, or a problem saying why there is none.
fn text_of<'a>(
    tags: &'a HashMap<&'static str, Vec<u8>>,
    name: &'static str,
    unreadable: &HashSet<String>,
    p: &mut Problems,
) -> Option<&'a str> {
    match tags.get(name) {
        None if unreadable.contains(name) => None,
        None => {
            p.add(name, "missing: every bundle has it");
            None
        }
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) if text.starts_with('\u{feff}') => {
                p.add(name, "starts with a byte order mark, which BagIt forbids");
                None
            }
            Ok(text) => Some(text),
            Err(_) => {
                p.add(name, "is not UTF-8 text");
                None
            }
        },
    }
}

fn check_bagit_txt(content: Option<&Vec<u8>>, unreadable: bool, p: &mut Problems) {
    let Some(bytes) = content else {
        if !unreadable {
            p.add(BAGIT, "missing: every bag has it");
        }
        return;
    };
    if bytes.as_slice() == bagit::BAGIT_TXT.as_bytes() {
        return;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        p.add(BAGIT, "is not UTF-8 text");
        return;
    };
    let (tags, _) = bagit::parse_tags(text.trim_start_matches('\u{feff}'));
    let get = |label: &str| {
        tags.iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.as_str())
    };
    match get("BagIt-Version") {
        Some("1.0" | "0.97") => {}
        Some(v) => p.add(BAGIT, format!("BagIt-Version is {v}; expected 1.0")),
        None => p.add(BAGIT, "has no BagIt-Version"),
    }
    if !get("Tag-File-Character-Encoding").is_some_and(|e| e.eq_ignore_ascii_case("UTF-8")) {
        p.add(BAGIT, "Tag-File-Character-Encoding is not UTF-8");
    }
    if text.starts_with('\u{feff}') {
        p.add(BAGIT, "starts with a byte order mark, which BagIt forbids");
    }
}

/// Manifest lines as (line number, decoded path, lowercase hex digest); malformed lines are
/// problems.
fn parse_manifest(text: &str, file: &str, p: &mut Problems) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let parsed = line.split_once([' ', '\t']).and_then(|(hex, rest)| {
            let path = rest.trim_start_matches([' ', '\t']);
            let ok =
                hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty();
            ok.then(|| (hex.to_ascii_lowercase(), bagit::decode_path(path)))
        });
        match parsed {
            Some((hex, path)) => out.push((n + 1, path, hex)),
            None => p.add(file, format!("line {}: not `<sha256>  <path>`", n + 1)),
        }
    }
    out
}

fn compare(
    files: &HashMap<String, Found>,
    unreadable: &HashSet<String>,
    path: &str,
    hex: &str,
    manifest: &str,
    p: &mut Problems,
) {
    match files.get(path) {
        Some(found) if bagit::hex(&found.digest) == hex => {}
        Some(_) => p.add(
            path,
            crate::t!(
                "内容已被改动：SHA-256 与 {manifest} 不符",
                "its SHA-256 does not match {manifest}: the file was changed"
            ),
        ),
        None if unreadable.contains(path) => {}
        None => p.add(
            path,
            crate::t!(
                "文件缺失：{manifest} 中列有它，材料包中却没有，是被删掉了",
                "is listed in {manifest} but missing from the bag: a file was removed"
            ),
        ),
    }
}
