//! Pack: turns one ready employee into the submission bundle (SPEC §7) — the plan of bundle
//! file names in checklist order, the payload fingerprint printed on the cover sheet, the
//! cover-sheet context, and the BagIt spec handed to [`crate::bundle`].
//!
//! Invariants: names inside `data/` are `NN-<label>[-<part>].<ext>` (slugs with `--ascii-names`),
//! unique, free of characters that break `sha256sum -c` or Windows (`% \ / : * ? " < > |`, CR,
//! LF); the cover sheet is `00-…` and comes first; the fingerprint covers the scans (not the
//! cover, which prints it, nor the index) and equals the sha256 of their manifest lines.

use std::path::{Path, PathBuf};

use crate::bundle::{self, BagSpec, CheckedFile, IndexRow, PayloadEntry, PayloadSource};
use crate::checklist::{Checklist, Holder, Item};
use crate::date::Date;
use crate::error::Error;
use crate::profile::Profile;
use crate::render::context as ctx;
use crate::scan::{CheckReport, ScanFile};
use crate::score::Score;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where and how to write bundles.
#[derive(Debug, Clone)]
pub struct PackOptions {
    pub out: PathBuf,
    pub force: bool,
    pub ascii_names: bool,
    /// Timestamp of every ZIP entry and of the PDFs (SOURCE_DATE_EPOCH, or the application date).
    pub epoch: i64,
    pub date: Date,
}

/// One scan as it will be named in the bundle.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// The item's number in the bundle (01, 02 …).
    pub no: u32,
    pub item: &'a Item,
    pub file: &'a ScanFile,
    /// The name under `data/`.
    pub name: String,
}

/// The bundle's outputs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Packed {
    pub zip: PathBuf,
    pub cover: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub payload_oxum: String,
    pub fingerprint: String,
    /// The photocopies PDF written beside the bundle (`pack --copies`), if any.
    pub copies: Option<PathBuf>,
}

/// Names every scan of a ready report in checklist order.
///
/// Names never show an ID number (SPEC §7, §9): an ID-number-like run in a part name, and the
/// ID numbers in `known` (the applicant's and the spouse's) in any spelling, are masked with
/// `x`. The label is cut to [`MAX_LABEL_BYTES`] and the part to [`MAX_PART_BYTES`], so no name
/// is longer than 200 bytes.
pub fn plan<'a>(
    checklist: &'a Checklist,
    report: &'a CheckReport,
    ascii: bool,
    known: &[String],
) -> Vec<Planned<'a>> {
    let mut out = Vec::new();
    let mut no = 0;
    for item in checklist.scanned_items() {
        let Some(rep) = report.items.iter().find(|r| r.slug == item.slug) else {
            continue;
        };
        if rep.files.is_empty() {
            continue;
        }
        no += 1;
        let base = if ascii {
            item.slug.clone()
        } else {
            item.label.clone()
        };
        let base = file_name_part(&base, known, MAX_LABEL_BYTES);
        let many = rep.files.len() > 1;
        let mut used: Vec<String> = Vec::new();
        for (i, f) in rep.files.iter().enumerate() {
            let part = if ascii {
                let p = safe(&f.part);
                if !p.is_empty() && p.is_ascii() {
                    p
                } else if many || !f.part.is_empty() {
                    format!("p{}", i + 1)
                } else {
                    String::new()
                }
            } else {
                let p = safe(&f.part);
                if p.is_empty() && many {
                    (i + 1).to_string()
                } else {
                    p
                }
            };
            let mut part = file_name_part(&part, known, MAX_PART_BYTES);
            if used.contains(&part) {
                part = format!("{part}{}", i + 1);
            }
            used.push(part.clone());
            let stem = if part.is_empty() {
                format!("{no:02}-{base}")
            } else {
                format!("{no:02}-{base}-{part}")
            };
            out.push(Planned {
                no,
                item,
                file: f,
                name: format!("{stem}.{}", f.kind.ext()),
            });
        }
    }
    out
}

/// The longest label in a bundle file name, in bytes.
pub const MAX_LABEL_BYTES: usize = 100;
/// The longest part name in a bundle file name, in bytes: `NN-<label>-<part>.<ext>` stays
/// under 200 bytes.
pub const MAX_PART_BYTES: usize = 80;

/// `s` as a piece of a file name the tool writes: ID numbers masked with `x` (Windows file
/// names cannot hold `*`), cut at a character boundary to at most `max` bytes.
pub fn file_name_part(s: &str, known: &[String], max: usize) -> String {
    let masked = crate::idnum::mask_ids_in(s, 'x', known, crate::idnum::MaskMode::IdLike);
    let mut end = masked.len().min(max);
    while !masked.is_char_boundary(end) {
        end -= 1;
    }
    masked[..end].to_string()
}

/// A part name safe inside a bundle file name: no control or format character (a
/// right-to-left override would make `gnp.exe` look like `exe.png`), none that Windows or
/// `sha256sum -c` refuse.
pub(crate) fn safe(part: &str) -> String {
    let s: String = part
        .chars()
        .map(|c| {
            if c.is_control() || is_format_char(c) || "%\\/:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    s.trim_matches(|c: char| c == '.' || c == ' ' || c == '_')
        .chars()
        .take(40)
        .collect()
}

/// Invisible format characters: zero-width ones, bidirectional marks, overrides and isolates.
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The cover sheet's file name inside the bundle and its name beside the ZIP.
pub fn cover_names(stem: &str, ascii: bool) -> (String, String) {
    let inner = if ascii {
        "00-cover.pdf"
    } else {
        "00-封面.pdf"
    };
    (inner.to_string(), format!("{stem}-封面.pdf"))
}

/// The payload fingerprint printed on the cover sheet: sha256 over the scans' manifest lines.
pub fn fingerprint(planned: &[Planned<'_>]) -> String {
    let entries: Vec<(String, [u8; 32])> = planned
        .iter()
        .map(|p| (p.name.clone(), p.file.sha256))
        .collect();
    bundle::fingerprint(&entries)
}

/// What the cover-sheet template is given (see `templates/cover.tera`).
pub fn cover_context(
    profile: &Profile,
    checklist: &Checklist,
    score: &Score,
    planned: &[Planned<'_>],
    fingerprint: &str,
    date: Date,
) -> ctx::Cover {
    let visits = visits_context(checklist, |i, copies| {
        let files: Vec<String> = planned
            .iter()
            .filter(|p| p.item.slug == i.slug)
            .map(|p| p.name.clone())
            .collect();
        let no = planned.iter().find(|p| p.item.slug == i.slug).map(|p| p.no);
        ctx::CoverItem {
            no,
            nn: no.map(|n| format!("{n:02}")),
            slug: i.slug.clone(),
            label: i.label.clone(),
            files,
            copies,
            original: i.original,
            reason: i.reason.clone(),
        }
    });
    ctx::Cover {
        date: date.to_string(),
        tool_version: TOOL_VERSION,
        rulebook: checklist.rulebook.clone(),
        applicant: checklist.applicant.clone(),
        employer: employer(profile),
        hr: hr(profile),
        center: checklist.center.clone(),
        center_address: checklist.center_address.clone(),
        score: score_summary(score),
        fingerprint: fingerprint.to_string(),
        hr_items: hr_items(checklist),
        visits,
    }
}

/// The visits of a PDF context, in order: each with the applicant's items for that visit (as
/// `item` makes them from the item and its copies at that visit) and the HR clerk's items for
/// it. Shared by the cover sheet and the counter checklist.
pub fn visits_context<I>(
    checklist: &Checklist,
    item: impl Fn(&Item, u32) -> I,
) -> Vec<ctx::Visit<I>> {
    checklist
        .visits
        .iter()
        .map(|v| {
            let in_visit = |holder: Holder| {
                checklist
                    .items
                    .iter()
                    .filter(move |i| i.holder == holder && i.visits.contains(&v.id))
            };
            ctx::Visit {
                no: None,
                id: v.id.clone(),
                label: v.label.clone(),
                note: v.note.clone(),
                items: in_visit(Holder::Applicant)
                    .map(|i| item(i, v.copies_of(i)))
                    .collect(),
                hr_items: in_visit(Holder::Hr)
                    .map(|i| hr_item(i, v.copies_of(i)))
                    .collect(),
            }
        })
        .collect()
}

pub fn employer(profile: &Profile) -> ctx::Employer {
    ctx::Employer {
        name: profile.employer.name.clone(),
        credit_code: profile.employer.credit_code.clone(),
        district: profile.employer.district.clone(),
    }
}

pub fn score_summary(score: &Score) -> ctx::ScoreLine {
    ctx::ScoreLine {
        total: score.total,
        standard: score.standard,
        eligible: score.eligible,
    }
}

pub fn hr(profile: &Profile) -> ctx::Hr {
    ctx::Hr {
        name: profile.employer.hr_name.clone(),
        phone: profile.employer.hr_phone.clone(),
    }
}

/// The HR clerk's own items, once each. Where the copies differ between its visits, the item
/// also says at which visit how many (`copies_note`: `第 2 次 1 份`); `copies` is then the most.
pub fn hr_items(checklist: &Checklist) -> Vec<ctx::HrItem> {
    checklist
        .items
        .iter()
        .filter(|i| i.holder == Holder::Hr)
        .map(|i| {
            let mut x = hr_item(i, i.copies);
            let per_visit: Vec<(usize, u32)> = checklist
                .visits
                .iter()
                .enumerate()
                .filter(|(_, v)| i.visits.contains(&v.id))
                .map(|(n, v)| (n + 1, v.copies_of(i)))
                .collect();
            if per_visit.windows(2).any(|w| w[0].1 != w[1].1) {
                let note: Vec<String> = per_visit
                    .iter()
                    .filter(|(_, c)| *c > 0)
                    .map(|(n, c)| format!("第 {n} 次 {c} 份"))
                    .collect();
                x.copies = per_visit.iter().map(|p| p.1).max().unwrap_or(0);
                x.copies_note = Some(note.join("，"));
            }
            x
        })
        .collect()
}

/// One HR item with `copies` copies.
pub fn hr_item(i: &Item, copies: u32) -> ctx::HrItem {
    ctx::HrItem {
        label: i.label.clone(),
        original: i.original,
        copies,
        reason: i.reason.clone(),
        copies_note: None,
    }
}

/// Writes the bundle ZIP and the cover sheet beside it. `cover_pdf` renders the cover sheet
/// from its context. Nothing is written when the ZIP exists and `force` is off.
///
/// Both are written under temporary names; once the ZIP is complete, the cover sheet is renamed
/// into place and then the ZIP, so a run that fails or is interrupted while writing leaves
/// neither under its final name (SPEC §7), and a ZIP under its final name means the run
/// completed. A cover sheet without its ZIP is replaced only when it is byte for byte the one
/// this run writes (an interrupted run's), else only with `force`.
pub fn write(
    profile: &Profile,
    checklist: &Checklist,
    report: &CheckReport,
    score: &Score,
    opts: &PackOptions,
    cover_pdf: impl FnOnce(&serde_json::Value) -> Result<crate::render::Rendered, Error>,
) -> Result<Packed, Error> {
    let stem = profile.file_stem();
    let known = profile.id_numbers();
    let planned = plan(checklist, report, opts.ascii_names, &known);
    let fp = fingerprint(&planned);
    let (cover_inner, cover_outer) = cover_names(&stem, opts.ascii_names);
    let zip_path = opts.out.join(format!("{stem}.zip"));
    if !opts.force && zip_path.exists() {
        let zip = zip_path.display();
        return Err(Error::Usage(crate::t!(
            "{zip} 材料包已存在，未覆盖，什么也没写：加 --force 覆盖",
            "{zip} already exists: pass --force to replace it (nothing was written)"
        )));
    }
    let mut ctx = crate::render::context::to_json(&cover_context(
        profile, checklist, score, &planned, &fp, opts.date,
    ))?;
    // No ID number in full on the printed cover sheet, whatever text the rulebook gives.
    crate::privacy::mask_json(&mut ctx, &known);
    let rendered = cover_pdf(&ctx)?;
    // The index gives the cover sheet's page count like any other PDF's.
    let cover_pages = u32::try_from(rendered.pages).unwrap_or(u32::MAX);
    let cover = rendered.bytes;
    let mut payload = vec![PayloadEntry {
        name: cover_inner,
        source: PayloadSource::Bytes(cover.clone()),
        expected_sha256: None,
        index: Some(IndexRow {
            no: 0,
            item: "封面".into(),
            pages: cover_pages,
        }),
    }];
    for p in &planned {
        payload.push(PayloadEntry {
            name: p.name.clone(),
            source: PayloadSource::Checked(CheckedFile {
                path: p.file.path.clone(),
                bytes: p.file.bytes,
                sha256: p.file.sha256,
                crc32: p.file.crc32,
            }),
            expected_sha256: None,
            index: Some(IndexRow {
                no: p.no,
                item: crate::idnum::mask_ids_in(
                    &p.item.label,
                    '*',
                    &known,
                    crate::idnum::MaskMode::IdLike,
                )
                .into_owned(),
                pages: p.file.pages,
            }),
        });
    }
    let mut bag_info = vec![
        (
            "Source-Organization".to_string(),
            profile.employer.name.clone(),
        ),
        ("Contact-Name".to_string(), profile.employer.hr_name.clone()),
    ];
    if let Some(phone) = &profile.employer.hr_phone {
        bag_info.push(("Contact-Phone".into(), phone.clone()));
    }
    bag_info.extend([
        (
            "External-Identifier".to_string(),
            checklist.applicant.id_masked.clone(),
        ),
        (
            "External-Description".to_string(),
            format!(
                "上海市居住证积分申请材料：{}（{}），{}",
                checklist.applicant.name, checklist.applicant.id_masked, checklist.center
            ),
        ),
        ("Bagging-Date".to_string(), opts.date.to_string()),
        ("Rulebook-Id".to_string(), checklist.rulebook.id.clone()),
        (
            "Rulebook-Version".to_string(),
            checklist.rulebook.version.clone(),
        ),
        (
            "Simulated-Score".to_string(),
            format!("{} / {}", score.total, score.standard),
        ),
        ("Payload-Fingerprint-SHA256".to_string(), fp.clone()),
        (
            "Bag-Software-Agent".to_string(),
            format!("dossier {TOOL_VERSION}"),
        ),
    ]);
    let spec = BagSpec {
        name: stem.clone(),
        bag_info,
        payload,
        index_name: if opts.ascii_names {
            "index.csv".into()
        } else {
            "目录.csv".into()
        },
        epoch: opts.epoch,
    };
    // A cover sheet whose ZIP is gone is kept when it is this run's cover byte for byte (the
    // state an interrupted run leaves); any other is replaced only with --force. Checked once
    // here, before the work, and again under the output folder's lock just before the renames,
    // where two runs packing into the same folder take turns.
    let cover_path = opts.out.join(&cover_outer);
    let cover_state = || -> Result<CoverState, Error> {
        match std::fs::symlink_metadata(&cover_path) {
            Err(_) => Ok(CoverState::Absent),
            Ok(_) if opts.force => Ok(CoverState::Replace),
            Ok(_) => {
                let same = crate::input::read_bounded(
                    &cover_path,
                    (cover.len() as u64).max(1),
                    "cover sheet",
                )
                .is_ok_and(|b| b == cover);
                if same {
                    Ok(CoverState::Same)
                } else {
                    let cover = cover_path.display();
                    Err(Error::Usage(crate::t!(
                        "{cover} 封面已存在且内容不同，未覆盖，什么也没写：加 --force 覆盖",
                        "{cover} already exists and is not the cover sheet this run writes: pass --force to replace it (nothing was written)"
                    )))
                }
            }
        }
    };
    cover_state()?;
    // Staged past the existence check (done above); the rename below decides.
    let staged = bundle::stage(&opts.out, &cover_outer, &cover, true).map_err(bundle_error)?;
    let mut cover_written = None;
    let mut refused = None;
    let written = bundle::write_bag_then(&spec, &opts.out, opts.force, || {
        // Under the lock, the ZIP known not to exist (or --force).
        match cover_state() {
            Ok(CoverState::Same) => drop(staged),
            Ok(CoverState::Absent) => cover_written = Some(staged.persist_as(false)?),
            Ok(CoverState::Replace) => cover_written = Some(staged.persist_as(true)?),
            Err(e) => {
                refused = Some(e);
                return Err(bundle::BundleError::Exists {
                    path: cover_path.clone(),
                });
            }
        }
        Ok(())
    })
    .map_err(|e| {
        // The ZIP could not take its name after the cover took its own: no file of this run
        // stays under a final name.
        if let Some(c) = &cover_written {
            let _ = std::fs::remove_file(c);
        }
        refused.take().unwrap_or_else(|| bundle_error(e))
    })?;
    let cover_written = cover_written.unwrap_or(cover_path);
    Ok(Packed {
        zip: written.zip_path,
        cover: cover_written,
        files: planned.len(),
        bytes: written.bytes_written,
        payload_oxum: written.payload_oxum,
        fingerprint: fp,
        copies: None,
    })
}

/// What becomes of a cover sheet already under its final name.
enum CoverState {
    Absent,
    /// This run's cover, byte for byte: kept.
    Same,
    /// Another one, and --force.
    Replace,
}

pub fn bundle_error(e: bundle::BundleError) -> Error {
    Error::Bundle(e)
}

/// Whether `out` can hold outputs: an existing regular file there is an error before any work.
pub fn check_out_dir(out: &Path) -> Result<(), Error> {
    // The next `check` would count an old cover as a page and the ZIP as a broken PDF; and
    // outputs are never written among the inputs (SPEC §9).
    if crate::output::inside_scans(&out.join("x")) {
        let out = out.display();
        return Err(Error::Usage(crate::t!(
            "-o {out}：在员工的 scans/ 文件夹内，那里的文件都是输入，不能输出到那里：请给出 scans/ 之外的文件夹，例如默认的 ./out",
            "-o {out}: is inside an employee's scans/ folder, whose files are inputs: give a folder outside scans/, e.g. the default ./out"
        )));
    }
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => {
            let out = out.display();
            Err(Error::Usage(crate::t!(
                "-o {out}：是文件，不是文件夹；请给出存放材料包的文件夹",
                "-o {out}: is a file, not a folder; give a folder for the bundles"
            )))
        }
        _ => Ok(()),
    }
}
