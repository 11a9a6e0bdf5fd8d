//! The check of one employee's scans against the checklist (SPEC §6): which file belongs to
//! which item, whether each file really is a readable scan, and whether every required item is
//! there with enough pages.
//!
//! [`check`] walks `scans/` without following links ([`walk`]), matches each file to an item by
//! name ([`matching`]), checks each matched file's bytes once ([`content`], in parallel, output
//! in a fixed order), then looks across files: the same content under two items, too few parts,
//! missing items. Everything wrong is a [`Finding`]; nothing here fails or panics on bad input.
//!
//! Invariants: the employee folder is only read, never written; the report depends only on the
//! folder's content and the checklist (never on walk or thread order); `ready` is true exactly
//! when there is no error-severity finding and every required scanned item is `ok`.

// Public only to the fuzz targets (`fuzz/`, built with `--cfg fuzzing`); internal otherwise.
#[cfg(fuzzing)]
pub mod content;
#[cfg(not(fuzzing))]
mod content;
pub mod matching;
pub mod sniff;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::checklist::{Checklist, Item};
use crate::finding::{Code, Finding};
use crate::messages::Text;
use crate::t;
use matching::{natural_cmp, Match, Matcher};
use walk::Found;

pub use content::human_bytes;
pub use sniff::FileKind;

/// Limits on what a scan may be (the rulebook's `[limits]`).
pub use crate::vocab::Limits as ScanLimits;

/// One scan file matched to an item and identified as a JPEG, PNG or PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFile {
    /// The path as walked (the employee folder joined with `rel`).
    pub path: PathBuf,
    /// Relative to the employee folder, `/`-separated, for display (`scans/身份证-正面.jpg`).
    pub rel: String,
    /// The part name (`正面`, `p2`, or empty), unique within the item.
    pub part: String,
    pub bytes: u64,
    pub sha256: [u8; 32],
    /// The CRC-32 of the same bytes: the bundle writer compares the bytes it stores with it
    /// instead of hashing them again.
    pub crc32: u32,
    /// The content type, from the bytes.
    pub kind: FileKind,
    /// 1 for an image; the page count for a PDF.
    pub pages: u32,
    /// A PDF's first page: width and height in points.
    pub page_pt: Option<(u32, u32)>,
    /// The file's own extension, lower case, without the dot (may disagree with `kind`: then there
    /// is a `type-mismatch` finding).
    pub ext: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    Ok,
    Missing,
    Invalid,
}

/// The outcome for one scanned item, in checklist order.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    pub slug: String,
    pub label: String,
    pub status: ItemStatus,
    /// The item's JPEG/PNG/PDF files in part order. Files whose content is not a scan at all
    /// (empty, HEIC, over the size limit …) appear only in the findings.
    pub files: Vec<ScanFile>,
}

impl Serialize for ItemReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let files: Vec<&str> = self.files.iter().map(|f| f.rel.as_str()).collect();
        let mut s = serializer.serialize_struct("ItemReport", 4)?;
        s.serialize_field("slug", &self.slug)?;
        s.serialize_field("label", &self.label)?;
        s.serialize_field("status", &self.status)?;
        s.serialize_field("files", &files)?;
        s.end()
    }
}

/// The check of one employee folder (`check --format json` prints this per employee).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub ready: bool,
    pub items: Vec<ItemReport>,
    pub findings: Vec<Finding>,
}

/// A file claimed by an item, before its content is checked.
struct Claim {
    entry: usize,
    part: String,
}

/// A file under `scans/` that matches no item: its entry, and the item it comes closest to.
type Stray = (usize, Option<usize>);

/// Checks `employee_dir/scans` against the scanned items of `checklist`.
pub fn check(employee_dir: &Path, checklist: &Checklist, limits: &ScanLimits) -> CheckReport {
    let mut findings = Vec::new();
    let entries = walk::walk(employee_dir, &mut findings);
    let (mut claims, strays) = claim(checklist, &entries, &mut findings);
    order_parts(checklist, &entries, &mut claims);

    // Content checks: one job per claimed file, in checklist order; rayon keeps that order.
    let jobs: Vec<(usize, usize)> = claims
        .iter()
        .enumerate()
        .flat_map(|(item, list)| (0..list.len()).map(move |c| (item, c)))
        .collect();
    let inspections: Vec<content::Inspection> = jobs
        .par_iter()
        .map(|&(item, c)| {
            let it = &checklist.items[item];
            let entry = &entries[claims[item][c].entry];
            let expect = content::Expect {
                ext: &entry.ext,
                accept: &it.accept,
                size: it.size,
                label: &it.label,
            };
            content::inspect(&entry.path, &expect, limits)
        })
        .collect();
    let hashes: HashMap<usize, [u8; 32]> = jobs
        .iter()
        .zip(&inspections)
        .filter_map(|(&(item, c), i)| Some((claims[item][c].entry, i.sha256?)))
        .collect();
    dedupe_parts(checklist, &entries, &mut claims, &hashes, &mut findings);

    let mut tally = Tally::new(checklist);
    for (&(item, c), inspection) in jobs.iter().zip(inspections) {
        let entry = &entries[claims[item][c].entry];
        tally.add(
            checklist,
            item,
            &claims[item][c],
            entry,
            inspection,
            &mut findings,
        );
    }
    duplicate_content(checklist, &tally.by_hash, &mut findings);
    missing_and_strays(checklist, &entries, &claims, &strays, &tally, &mut findings);
    sort_findings(checklist, &mut findings);
    report(checklist, &claims, tally.files, findings)
}

/// Which item each file under `scans/` is a part of (`claims`, per item), and the files that
/// match none (`strays`, with the closest item); links, special files and undecodable names
/// are findings and claim nothing.
fn claim(
    checklist: &Checklist,
    entries: &[walk::Entry],
    findings: &mut Vec<Finding>,
) -> (Vec<Vec<Claim>>, Vec<Stray>) {
    let matcher = Matcher::new(checklist);
    let mut claims: Vec<Vec<Claim>> = checklist.items.iter().map(|_| Vec::new()).collect();
    let mut strays: Vec<Stray> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let comps: Vec<&str> = entry.components.iter().map(String::as_str).collect();
        let matched = matcher.match_path(&comps);
        let finding = match &entry.found {
            Found::Symlink { target } => Finding::new(
                Code::Symlink,
                t!(
                    "这是指向 {target} 的符号链接，不会被读取",
                    "a symbolic link to {target}: never followed"
                ),
                t!(
                    "把链接换成真实的文件副本（不要放快捷方式或链接）",
                    "replace the link with a real copy of the file (no shortcuts or links)"
                ),
            ),
            Found::Special => Finding::new(
                Code::SpecialFile,
                t!(
                    "不是普通文件（管道、套接字或设备），已跳过",
                    "not a regular file (a pipe, socket or device): skipped"
                ),
                t!("只在 scans/ 中放扫描文件", "keep only scan files in scans/"),
            ),
            Found::NonUtf8 => Finding::new(
                Code::NonUtf8Name,
                t!(
                    "文件名不是有效的 UTF-8 编码，无法可靠识别和打包",
                    "the file name is not valid UTF-8: it cannot be matched or packed reliably"
                ),
                t!(
                    "用中文或英文重新命名这个文件（常见于从旧系统或压缩包中解出的文件）",
                    "rename the file in Chinese or English (common with files from old systems or archives)"
                ),
            ),
            Found::File => {
                match matched {
                    Match::Item { item, part } => claims[item].push(Claim { entry: i, part }),
                    Match::Unmatched { closest } => strays.push((i, closest)),
                }
                continue;
            }
        };
        let finding = finding.with_path(entry.rel.clone());
        findings.push(match &matched {
            Match::Item { item, .. } => finding.with_slug(checklist.items[*item].slug.clone()),
            Match::Unmatched { .. } => finding,
        });
    }
    (claims, strays)
}

/// Parts the rulebook names come in its order (正面 before 反面, 首页 before 本人页), the rest
/// after them in natural order (p2 before p10).
fn order_parts(checklist: &Checklist, entries: &[walk::Entry], claims: &mut [Vec<Claim>]) {
    for (list, item) in claims.iter_mut().zip(&checklist.items) {
        let rank = |part: &str| {
            item.parts
                .iter()
                .position(|p| p == part)
                .unwrap_or(item.parts.len())
        };
        list.sort_by(|a, b| {
            rank(&a.part)
                .cmp(&rank(&b.part))
                .then_with(|| natural_cmp(&a.part, &b.part))
                .then_with(|| natural_cmp(&entries[a.entry].rel, &entries[b.entry].rel))
        });
    }
}

/// What the inspected files of each item add up to.
struct Tally {
    /// The sound files of each item, in part order.
    files: Vec<Vec<ScanFile>>,
    /// Pages counted towards each item's parts (a duplicate counts once, a blank PDF page not).
    parts_seen: Vec<u32>,
    /// The blank PDF pages of each item, to say why its parts fall short.
    blank_notes: Vec<Vec<Text>>,
    /// Every sound file by its content: (item, path) in checklist order.
    by_hash: HashMap<[u8; 32], Vec<(usize, String)>>,
}

impl Tally {
    fn new(checklist: &Checklist) -> Tally {
        let n = checklist.items.len();
        Tally {
            files: (0..n).map(|_| Vec::new()).collect(),
            parts_seen: vec![0; n],
            blank_notes: (0..n).map(|_| Vec::new()).collect(),
            by_hash: HashMap::new(),
        }
    }

    /// One inspected file of item `item`: its problems become findings, its pages count, and a
    /// sound file joins the item's files.
    fn add(
        &mut self,
        checklist: &Checklist,
        item: usize,
        claim: &Claim,
        entry: &walk::Entry,
        inspection: content::Inspection,
        findings: &mut Vec<Finding>,
    ) {
        let it = &checklist.items[item];
        for p in inspection.problems {
            findings.push(
                Finding::new(p.code, p.message, p.hint)
                    .with_slug(&it.slug)
                    .with_path(&entry.rel),
            );
        }
        // Blank pages inside a PDF (duplex scans) are no fault in themselves, but they are not
        // parts: a 户口簿 PDF whose second page is blank has one page.
        let blank = u32::try_from(inspection.blank_pages.len()).unwrap_or(u32::MAX);
        if blank > 0 {
            let list: Vec<String> = inspection.blank_pages.iter().map(u32::to_string).collect();
            let (rel, zh, en) = (&entry.rel, list.join("、"), list.join(", "));
            self.blank_notes[item].push(t!("{rel} 第 {zh} 页空白", "{rel} page {en} blank"));
        }
        let pages = match inspection.kind {
            Some(FileKind::Pdf) => inspection.pages.saturating_sub(blank).max(1),
            _ => 1,
        };
        // `身份证-正反面.jpg`: both sides of the card on one page count as every part.
        let key = matching::fold_key(&claim.part);
        let pages = if it.combined.iter().any(|c| matching::fold_key(c) == key) {
            pages.max(it.min_parts)
        } else {
            pages
        };
        let (Some(kind), Some(sha256), Some(crc32)) =
            (inspection.kind, inspection.sha256, inspection.crc32)
        else {
            self.parts_seen[item] += pages;
            return;
        };
        let same = self.by_hash.entry(sha256).or_default();
        if let Some((_, earlier)) = same.iter().find(|(i, _)| *i == item) {
            findings.push(
                Finding::new(
                    Code::DuplicatePart,
                    t!(
                        "与 {earlier} 内容完全相同，只算一份",
                        "the same content as {earlier}: counted once"
                    ),
                    t!(
                        "删除重复的文件，或换成缺少的那一页",
                        "delete the duplicate, or replace it with the missing page"
                    ),
                )
                .with_slug(&it.slug)
                .with_path(&entry.rel),
            );
        } else {
            self.parts_seen[item] += pages;
        }
        same.push((item, entry.rel.clone()));
        if let Some(f) = unprintable_part(&claim.part) {
            findings.push(f.with_slug(&it.slug).with_path(&entry.rel));
        }
        self.files[item].push(ScanFile {
            path: entry.path.clone(),
            rel: entry.rel.clone(),
            part: claim.part.clone(),
            bytes: inspection.bytes,
            sha256,
            crc32,
            kind,
            pages: inspection.pages,
            page_pt: inspection.page_pt,
            ext: entry.ext.clone(),
        });
    }
}

/// The part name is printed on the cover sheet (`01-身份证-正面.jpg`): a character the font
/// cannot print is said now, not as a surprise at pack (SPEC §9).
fn unprintable_part(part: &str) -> Option<Finding> {
    let unprintable = printable_part(part);
    if unprintable.is_empty() {
        return None;
    }
    let shown: Vec<String> = unprintable
        .iter()
        .map(|c| format!("{} (U+{:04X})", c.escape_debug(), *c as u32))
        .collect();
    Some(Finding::new(
        Code::UnprintableName,
        t!(
            "文件名中的 {} 无法印在封面上",
            "the cover sheet's font cannot print {} of the file name",
            shown.join("、")
        ),
        t!(
            "重命名文件，去掉表情符号等特殊字符",
            "rename the file without emoji and other special characters"
        ),
    ))
}

/// Items with too few parts, required items with no file (naming the strays that look like
/// them), and the strays (naming what is still missing).
fn missing_and_strays(
    checklist: &Checklist,
    entries: &[walk::Entry],
    claims: &[Vec<Claim>],
    strays: &[Stray],
    tally: &Tally,
    findings: &mut Vec<Finding>,
) {
    let scanned = || checklist.scanned_indexed();
    let mut missing_labels = Vec::new();
    for (i, it) in scanned() {
        if claims[i].is_empty() {
            if it.required {
                missing_labels.push(it.label.clone());
            }
        } else if tally.parts_seen[i] < it.min_parts {
            findings.push(too_few_parts(
                it,
                tally.parts_seen[i],
                &tally.blank_notes[i],
            ));
        }
    }
    for (i, it) in scanned() {
        if claims[i].is_empty() && it.required {
            let lookalikes: Vec<&str> = strays
                .iter()
                .filter(|(_, c)| *c == Some(i))
                .map(|(e, _)| entries[*e].rel.as_str())
                .collect();
            findings.push(missing_item(it, &lookalikes));
        }
    }
    for (e, closest) in strays {
        findings.push(stray(
            &entries[*e].rel,
            closest.map(|c| &checklist.items[c]),
            &missing_labels,
        ));
    }
}

/// The report: each scanned item's status and files, and whether the folder is ready.
fn report(
    checklist: &Checklist,
    claims: &[Vec<Claim>],
    mut files: Vec<Vec<ScanFile>>,
    findings: Vec<Finding>,
) -> CheckReport {
    let items: Vec<ItemReport> = checklist
        .scanned_indexed()
        .map(|(i, it)| {
            let status = if claims[i].is_empty() {
                ItemStatus::Missing
            } else if findings
                .iter()
                .any(|f| f.is_error() && f.slug.as_deref() == Some(it.slug.as_str()))
            {
                ItemStatus::Invalid
            } else {
                ItemStatus::Ok
            };
            ItemReport {
                slug: it.slug.clone(),
                label: it.label.clone(),
                status,
                files: std::mem::take(&mut files[i]),
            }
        })
        .collect();
    let required_ok = items
        .iter()
        .zip(checklist.scanned_items())
        .all(|(r, it)| !it.required || r.status == ItemStatus::Ok);
    let ready = required_ok && !findings.iter().any(Finding::is_error);
    CheckReport {
        ready,
        items,
        findings,
    }
}

/// Makes part names unique within each item (case-insensitively, as bundle names must be):
/// a later file naming the same part gets `-2`, `-3` …, and a warning.
///
/// An exact copy is renamed the same way but not warned about here: `duplicate-part` says it.
fn dedupe_parts(
    checklist: &Checklist,
    entries: &[walk::Entry],
    claims: &mut [Vec<Claim>],
    hashes: &HashMap<usize, [u8; 32]>,
    findings: &mut Vec<Finding>,
) {
    for (item, list) in claims.iter_mut().enumerate() {
        let it = &checklist.items[item];
        let mut taken: HashMap<Vec<char>, usize> = HashMap::new();
        for claim in list.iter_mut() {
            let rel = &entries[claim.entry].rel;
            let key = matching::fold_key(&claim.part);
            let Some(&first) = taken.get(&key) else {
                taken.insert(key, claim.entry);
                continue;
            };
            let copy = hashes
                .get(&claim.entry)
                .is_some_and(|h| hashes.get(&first) == Some(h));
            let first = &entries[first].rel;
            let shown = if claim.part.is_empty() {
                t!("（无分页名）", "(no part name)")
            } else {
                Text::same(format!("「{}」", claim.part))
            };
            let mut n = 2;
            let unique = loop {
                let candidate = if claim.part.is_empty() {
                    n.to_string()
                } else {
                    format!("{}-{n}", claim.part)
                };
                if !taken.contains_key(&matching::fold_key(&candidate)) {
                    break candidate;
                }
                n += 1;
            };
            taken.insert(matching::fold_key(&unique), claim.entry);
            claim.part = unique.clone();
            if copy {
                continue;
            }
            findings.push(
                Finding::new(
                    Code::PartNameClash,
                    Text::new(
                        format!(
                            "与 {first} 同为「{}」的{}部分，将作为「{unique}」打包",
                            it.label, shown.zh
                        ),
                        format!(
                            "{first} names the same part {} of 「{}」: this one is packed as 「{unique}」",
                            shown.en, it.label
                        ),
                    ),
                    t!(
                        "给文件加上不同的分页名（如 -正面、-反面、-p1、-p2），或删除多余的一份",
                        "give the files different part names (-正面, -反面, -p1, -p2 …), or delete the extra one"
                    ),
                )
                .with_slug(&it.slug)
                .with_path(rel),
            );
        }
    }
}

/// One `duplicate-content` finding per file whose exact content also serves another item.
fn duplicate_content(
    checklist: &Checklist,
    by_hash: &HashMap<[u8; 32], Vec<(usize, String)>>,
    findings: &mut Vec<Finding>,
) {
    for users in by_hash.values() {
        for (item, rel) in users {
            let others: Vec<(&str, &str)> = users
                .iter()
                .filter(|(other, _)| other != item)
                .map(|(other, orel)| (orel.as_str(), checklist.items[*other].label.as_str()))
                .collect();
            if others.is_empty() {
                continue;
            }
            let zh: Vec<String> = others
                .iter()
                .map(|(orel, label)| format!("{orel}（{label}）"))
                .collect();
            let en: Vec<String> = others
                .iter()
                .map(|(orel, label)| format!("{orel} ({label})"))
                .collect();
            let (zh, en) = (zh.join("、"), en.join(", "));
            let it = &checklist.items[*item];
            let label = &it.label;
            findings.push(
                Finding::new(
                    Code::DuplicateContent,
                    t!(
                        "与 {zh} 内容完全相同：同一份扫描不能当两种材料",
                        "the same content as {en}: one scan cannot serve as two documents"
                    ),
                    t!(
                        "放入「{label}」自己的扫描件",
                        "put in a scan of 「{label}」 itself"
                    ),
                )
                .with_slug(&it.slug)
                .with_path(rel),
            );
        }
    }
}

fn too_few_parts(it: &Item, have: u32, blank_notes: &[Text]) -> Finding {
    let label = &it.label;
    let hint = if it.parts.is_empty() {
        t!(
            "补扫缺少的页：每页一个文件（如 {label}-p1.jpg、{label}-p2.jpg），或合成一个多页 PDF",
            "scan the missing pages: one file a page ({label}-p1.jpg, {label}-p2.jpg …), or one PDF of all the pages"
        )
    } else {
        let (zh, en) = (
            it.combined
                .first()
                .map(|c| format!("，或两面在同一页的一个文件（如 {label}-{c}.jpg）"))
                .unwrap_or_default(),
            it.combined
                .first()
                .map(|c| format!(", or one file with both sides on one page ({label}-{c}.jpg)"))
                .unwrap_or_default(),
        );
        let first = &it.parts[0];
        let (zh_parts, en_parts) = (it.parts.join("、"), it.parts.join(", "));
        t!(
            "需要：{zh_parts}；每页一个文件（如 {label}-{first}.jpg），或合成一个多页 PDF{zh}",
            "needed: {en_parts}; one file a page ({label}-{first}.jpg …), or one PDF of all the pages{en}"
        )
    };
    let (zh, en) = if blank_notes.is_empty() {
        (String::new(), String::new())
    } else {
        let zh: Vec<&str> = blank_notes.iter().map(|t| t.zh.as_str()).collect();
        let en: Vec<&str> = blank_notes.iter().map(|t| t.en.as_str()).collect();
        (
            format!("（{}，不计）", zh.join("；")),
            format!(" ({}: not counted)", en.join("; ")),
        )
    };
    let min = it.min_parts;
    Finding::new(
        Code::TooFewParts,
        t!(
            "「{label}」只有 {have} 页有内容的扫描{zh}，至少需要 {min} 页",
            "「{label}」 has {have} scanned page(s) with content{en}; {min} needed"
        ),
        hint,
    )
    .with_slug(&it.slug)
}

fn missing_item(it: &Item, lookalikes: &[&str]) -> Finding {
    // An example name in a type the item accepts: an image per part, else one PDF.
    let accepts = |ext: &str| it.accept.is_empty() || it.accept.iter().any(|a| a == ext);
    let any = it.accept.first().map_or("pdf", String::as_str);
    let example = match it.parts.first() {
        Some(p) => format!(
            "scans/{}-{p}.{}",
            it.label,
            if accepts("jpg") { "jpg" } else { any }
        ),
        None => format!(
            "scans/{}.{}",
            it.label,
            if accepts("pdf") { "pdf" } else { any }
        ),
    };
    let (label, slug, min) = (&it.label, &it.slug, it.min_parts);
    let mut hint = t!(
        "扫描后存为 {example}（文件名以「{label}」或「{slug}」开头）",
        "scan it and save it as {example} (a file name starting with 「{label}」 or {slug})"
    );
    if min > 1 {
        hint.zh.push_str(&format!("，共需 {min} 页"));
        hint.en.push_str(&format!(", {min} pages in all"));
    }
    if !lookalikes.is_empty() {
        let (zh, en) = (lookalikes.join("、"), lookalikes.join(", "));
        hint = Text::new(
            format!(
                "{zh} 可能就是它：请改名为以「{label}」开头。否则{}",
                hint.zh
            ),
            format!(
                "{en} may be it: rename it to start with 「{label}」. Otherwise {}",
                hint.en
            ),
        );
    }
    Finding::new(
        Code::MissingItem,
        t!(
            "缺少「{label}」的扫描件",
            "no scan of 「{label}」, a required item"
        ),
        hint,
    )
    .with_slug(&it.slug)
}

fn stray(rel: &str, closest: Option<&Item>, missing: &[String]) -> Finding {
    let no_item = || {
        t!(
            "文件不属于清单中的任何材料",
            "the file matches no item of the checklist"
        )
    };
    let (message, hint) = match closest {
        Some(it) => {
            let (label, slug) = (&it.label, &it.slug);
            (
                t!(
                    "文件不属于清单中的任何材料；最接近的是「{label}」({slug})",
                    "the file matches no item of the checklist; the closest is 「{label}」 ({slug})"
                ),
                t!(
                    "如果这是「{label}」，请改名为以「{label}」开头，如「{label}-正面.jpg」；否则移出 scans/",
                    "if this is 「{label}」, rename it to start with 「{label}」, like 「{label}-正面.jpg」; otherwise move it out of scans/"
                ),
            )
        }
        None if !missing.is_empty() => {
            let (zh, en) = (missing.join("、"), missing.join(", "));
            (
                no_item(),
                t!(
                    "如果这是缺少的材料之一（{zh}），请按材料名改名；否则移出 scans/",
                    "if this is one of the missing items ({en}), rename it after the item; otherwise move it out of scans/"
                ),
            )
        }
        None => (
            no_item(),
            t!(
                "文件名要以材料名或其英文代号开头（如「身份证-正面.jpg」）；不需要的文件请移出 scans/",
                "a file name starts with the item's name or its English code (「身份证-正面.jpg」, id-card.pdf); move files that are not needed out of scans/"
            ),
        ),
    };
    Finding::new(Code::UnmatchedFile, message, hint).with_path(rel)
}

/// Folder-level findings first, then by item in checklist order, then the other files; within
/// each, item-level findings before file ones, files in natural name order. Stable, so the
/// findings of one file keep the order they were found in.
fn sort_findings(checklist: &Checklist, findings: &mut [Finding]) {
    let position: HashMap<&str, usize> = checklist
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.slug.as_str(), i))
        .collect();
    let group = |f: &Finding| match (&f.slug, &f.path) {
        (None, None) => (0, 0),
        (Some(s), _) => (1, position.get(s.as_str()).copied().unwrap_or(usize::MAX)),
        (None, Some(_)) => (2, 0),
    };
    findings.sort_by(|a, b| {
        group(a)
            .cmp(&group(b))
            .then_with(|| match (&a.path, &b.path) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => natural_cmp(x, y),
            })
    });
}

/// The characters of a part name, as the bundle names it, that the cover sheet's font (the
/// embedded one, or an installed Chinese font standing in) cannot print.
fn printable_part(part: &str) -> Vec<char> {
    let name = crate::pack::safe(part);
    if name.is_ascii() {
        return Vec::new();
    }
    crate::render::Fonts::embedded()
        .map(|f| f.unprintable(&name))
        .unwrap_or_default()
}
