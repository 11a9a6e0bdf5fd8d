//! Photocopies (复印件, SPEC §11): which sheets the counter takes from one ready employee, in
//! the order they are handed in — visit by visit in checklist order, each item as often as the
//! visit asks for copies of it. [`crate::render::copies`] turns the sheets into the PDF.
//!
//! Invariants: only the applicant's own scanned items are copied (the HR clerk's documents are
//! not in `scans/`); an item appears at a visit exactly `visit.copies_of(item)` times, each time
//! with every page of every part, collated (copy 1 whole, then copy 2); a card-sized item
//! (`size = "card"`) scanned as one image (or one card-sized PDF page) per side puts two sides
//! on one sheet, front and back in part order. A file whose part says it holds both sides (`正反面`) is one sheet like any
//! other document.

use std::path::PathBuf;

use crate::checklist::{Checklist, DocSize};
use crate::scan::{CheckReport, FileKind, ScanFile};

/// One scan file as the sheets refer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The part name (`正面`, `p2`, or empty).
    pub part: String,
    /// The content hash (the PDF's `/ID` is derived from it, so the output follows the inputs).
    pub sha256: [u8; 32],
    /// Pages of a PDF; 1 for an image.
    pub pages: u32,
    /// The length and CRC-32 the check saw: the PDF writer compares the bytes it copies.
    pub bytes: u64,
    pub crc32: u32,
}

impl Source {
    fn of(f: &ScanFile) -> Source {
        Source {
            path: f.path.clone(),
            kind: f.kind,
            part: f.part.clone(),
            sha256: f.sha256,
            pages: f.pages.max(1),
            bytes: f.bytes,
            crc32: f.crc32,
        }
    }
}

/// What one sheet shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Card sides at true size (85.6 × 54 mm), one above the other: one or two images.
    Cards(Vec<Source>),
    /// One page of a document, fitted to the printable area: an image (`page` 0) or page
    /// `page` (0-based) of a PDF.
    Page { source: Source, page: u32 },
}

/// One printed sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The visit's number in the checklist (1-based), even when one visit is printed alone.
    pub visit_no: usize,
    pub visit_label: String,
    pub item_label: String,
    /// What of the item this sheet shows (`正面、反面`, `第 2 / 5 页`), or empty.
    pub detail: String,
    /// Which copy of the item (1-based) and how many the visit takes.
    pub copy: u32,
    pub copies: u32,
    pub content: Content,
}

/// The copies of one employee.
#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeCopies {
    pub name: String,
    pub id_masked: String,
    pub sheets: Vec<Sheet>,
}

/// The visit a `--visit` argument names: its 1-based number, or its id (`submission`), or its
/// label. Returns the 0-based index.
/// `visits` are `(id, label)` pairs in order.
pub fn resolve_visit(visits: &[(&str, &str)], arg: &str) -> Result<usize, crate::messages::Text> {
    let arg = arg.trim();
    if let Ok(n) = arg.parse::<usize>() {
        if (1..=visits.len()).contains(&n) {
            return Ok(n - 1);
        }
    } else if let Some(i) = visits
        .iter()
        .position(|(id, label)| *id == arg || *label == arg)
    {
        return Ok(i);
    }
    let known: Vec<String> = visits
        .iter()
        .enumerate()
        .map(|(i, (id, label))| format!("{} = {id} ({label})", i + 1))
        .collect();
    let (zh, en) = (known.join("、"), known.join(", "));
    Err(crate::t!(
        "--visit {arg}：没有这一次窗口办理；规则中有 {zh}",
        "--visit {arg}: no such counter visit; the rulebook has {en}"
    ))
}

/// The sheets of one ready employee: for each visit (or only `visit`, 0-based), every
/// applicant item that visit takes copies of, `copies` times.
pub fn plan(checklist: &Checklist, report: &CheckReport, visit: Option<usize>) -> EmployeeCopies {
    let mut sheets = Vec::new();
    for (vi, v) in checklist.visits.iter().enumerate() {
        if visit.is_some_and(|only| only != vi) {
            continue;
        }
        for item in checklist.scanned_items() {
            if !item.visits.contains(&v.id) {
                continue;
            }
            let copies = v.copies_of(item);
            if copies == 0 {
                continue;
            }
            let Some(rep) = report.items.iter().find(|r| r.slug == item.slug) else {
                continue;
            };
            let one_copy = item_sheets(&rep.files, item.size == DocSize::Card, &item.combined);
            for copy in 1..=copies {
                for (content, detail) in &one_copy {
                    sheets.push(Sheet {
                        visit_no: vi + 1,
                        visit_label: v.label.clone(),
                        item_label: item.label.clone(),
                        detail: detail.clone(),
                        copy,
                        copies,
                        content: content.clone(),
                    });
                }
            }
        }
    }
    EmployeeCopies {
        name: checklist.applicant.name.clone(),
        id_masked: checklist.applicant.id_masked.clone(),
        sheets,
    }
}

/// The largest PDF page taken for a card side, in points, either way round: 120 × 90 mm, an
/// ID-1 card (85.6 × 54 mm) with the margins a scanner app leaves when it crops to the card.
/// A bigger page (an A4 flatbed scan with the card somewhere on it) is a document page.
const CARD_PAGE_PT: (u32, u32) = (340, 255);

/// Whether a PDF is one side of a card: one page, card-sized.
fn card_sized_pdf(f: &ScanFile) -> bool {
    f.pages == 1
        && f.page_pt.is_some_and(|(w, h)| {
            w.max(h) <= CARD_PAGE_PT.0 && w.min(h) <= CARD_PAGE_PT.1 && w.min(h) > 0
        })
}

/// The sheets of one copy of an item, with what each shows.
fn item_sheets(files: &[ScanFile], card: bool, combined: &[String]) -> Vec<(Content, String)> {
    let mut out = Vec::new();
    // Card sides: images, or one-page card-sized PDFs, one side each (a 正反面 file already
    // holds both).
    let is_side = |f: &ScanFile| {
        card && (f.kind != FileKind::Pdf || card_sized_pdf(f))
            && !combined.iter().any(|c| c == &f.part)
    };
    let mut i = 0;
    while i < files.len() {
        let f = &files[i];
        if is_side(f) {
            let mut sides = vec![Source::of(f)];
            if let Some(next) = files.get(i + 1).filter(|n| is_side(n)) {
                sides.push(Source::of(next));
                i += 1;
            }
            let detail = sides
                .iter()
                .map(|s| s.part.as_str())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("、");
            out.push((Content::Cards(sides), detail));
        } else {
            let pages = f.pages.max(1);
            for page in 0..pages {
                let mut detail = f.part.clone();
                if pages > 1 {
                    if !detail.is_empty() {
                        detail.push(' ');
                    }
                    detail.push_str(&format!("第 {} / {pages} 页", page + 1));
                }
                out.push((
                    Content::Page {
                        source: Source::of(f),
                        page: if f.kind == FileKind::Pdf { page } else { 0 },
                    },
                    detail,
                ));
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::{ApplicantSummary, Holder, Item, RulebookRef, Visit};
    use crate::scan::{ItemReport, ItemStatus};

    fn item(slug: &str, size: DocSize, visits: &[&str], copies: u32) -> Item {
        Item {
            slug: slug.into(),
            label: format!("{slug}-label"),
            aliases: vec![],
            visits: visits.iter().map(|s| s.to_string()).collect(),
            required: true,
            original: true,
            copies,
            min_parts: 1,
            parts: vec![],
            combined: vec!["正反面".into()],
            copies_at: Default::default(),
            reason: String::new(),
            basis: String::new(),
            group: "basic".into(),
            holder: Holder::Applicant,
            accept: vec!["jpg".into(), "png".into(), "pdf".into()],
            size,
            rule_slug: slug.into(),
        }
    }

    fn file(name: &str, part: &str, kind: FileKind, pages: u32) -> ScanFile {
        ScanFile {
            path: PathBuf::from(name),
            rel: name.into(),
            part: part.into(),
            bytes: 1,
            sha256: [0; 32],
            crc32: 0,
            kind,
            pages,
            page_pt: (kind == FileKind::Pdf).then_some((595, 842)),
            ext: kind.ext().into(),
        }
    }

    fn visit(id: &str, originals_only: bool) -> Visit {
        Visit {
            id: id.into(),
            label: format!("{id}-label"),
            note: String::new(),
            originals_only,
        }
    }

    fn setup() -> (Checklist, CheckReport) {
        let mut diploma = item("diploma", DocSize::Booklet, &["a", "b"], 1);
        diploma.copies_at.insert("a".into(), 0);
        let items = vec![
            item("id-card", DocSize::Card, &["a", "b", "c"], 1),
            item("contract", DocSize::A4, &["b"], 2),
            diploma,
        ];
        let files = [
            vec![
                file("f.jpg", "正面", FileKind::Jpeg, 1),
                file("b.jpg", "反面", FileKind::Jpeg, 1),
            ],
            vec![file("c.pdf", "", FileKind::Pdf, 3)],
            vec![file("d.png", "", FileKind::Png, 1)],
        ];
        let report = CheckReport {
            ready: true,
            items: items
                .iter()
                .zip(files)
                .map(|(i, files)| ItemReport {
                    slug: i.slug.clone(),
                    label: i.label.clone(),
                    status: ItemStatus::Ok,
                    files,
                })
                .collect(),
            findings: vec![],
        };
        let c = Checklist {
            applicant: ApplicantSummary {
                name: "张伟".into(),
                id_masked: "3101**********1234".into(),
            },
            rulebook: RulebookRef {
                id: "x".into(),
                version: "1".into(),
            },
            center: String::new(),
            center_address: None,
            visits: vec![visit("a", false), visit("b", false), visit("c", true)],
            items,
            not_needed: vec![],
        };
        (c, report)
    }

    #[test]
    fn visits_in_order_copies_repeated_and_collated() {
        let (c, r) = setup();
        let p = plan(&c, &r, None);
        let seen: Vec<(usize, &str, String, u32)> = p
            .sheets
            .iter()
            .map(|s| (s.visit_no, s.item_label.as_str(), s.detail.clone(), s.copy))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, "id-card-label", "正面、反面".to_string(), 1),
                (2, "id-card-label", "正面、反面".to_string(), 1),
                (2, "contract-label", "第 1 / 3 页".to_string(), 1),
                (2, "contract-label", "第 2 / 3 页".to_string(), 1),
                (2, "contract-label", "第 3 / 3 页".to_string(), 1),
                (2, "contract-label", "第 1 / 3 页".to_string(), 2),
                (2, "contract-label", "第 2 / 3 页".to_string(), 2),
                (2, "contract-label", "第 3 / 3 页".to_string(), 2),
                (2, "diploma-label", String::new(), 1),
            ]
        );
        assert!(matches!(&p.sheets[0].content, Content::Cards(s) if s.len() == 2));
        // Σ copies × pages: 1 card sheet at visit 1; at visit 2: 1 + 2 × 3 + 1.
        assert_eq!(p.sheets.len(), 1 + 1 + 2 * 3 + 1);
    }

    #[test]
    fn one_visit_only_and_visit_names() {
        let (c, r) = setup();
        let p = plan(&c, &r, Some(0));
        assert_eq!(p.sheets.len(), 1);
        let visits: Vec<(&str, &str)> = c
            .visits
            .iter()
            .map(|v| (v.id.as_str(), v.label.as_str()))
            .collect();
        assert_eq!(resolve_visit(&visits, "2"), Ok(1));
        assert_eq!(resolve_visit(&visits, "c"), Ok(2));
        assert_eq!(resolve_visit(&visits, "b-label"), Ok(1));
        let err = resolve_visit(&visits, "4").unwrap_err();
        assert!(err.en.contains("1 = a (a-label)"), "{err}");
        assert!(err.zh.contains("没有这一次窗口办理"), "{err}");
        assert!(resolve_visit(&visits, "0").is_err());
        // An originals-only visit takes no copies.
        assert!(plan(&c, &r, Some(2)).sheets.is_empty());
    }

    #[test]
    fn a_combined_card_file_or_a_pdf_is_a_page_of_its_own() {
        let files = vec![
            file("both.jpg", "正反面", FileKind::Jpeg, 1),
            file("x.pdf", "正面", FileKind::Pdf, 1),
            file("y.png", "反面", FileKind::Png, 1),
        ];
        let s = item_sheets(&files, true, &["正反面".to_string()]);
        assert_eq!(s.len(), 3);
        assert!(matches!(&s[0].0, Content::Page { .. }));
        assert!(matches!(&s[1].0, Content::Page { .. }));
        assert!(matches!(&s[2].0, Content::Cards(v) if v.len() == 1));
    }

    #[test]
    fn a_card_sized_one_page_pdf_is_a_card_side() {
        let card_pdf = |name: &str, part: &str, pt: (u32, u32), pages: u32| ScanFile {
            page_pt: Some(pt),
            ..file(name, part, FileKind::Pdf, pages)
        };
        // 85.6 × 54 mm, and 54 × 85.6 (portrait): sides, two on one sheet.
        let s = item_sheets(
            &[
                card_pdf("f.pdf", "正面", (243, 153), 1),
                card_pdf("b.pdf", "反面", (153, 243), 1),
            ],
            true,
            &[],
        );
        assert!(
            matches!(&s[..], [(Content::Cards(v), d)] if v.len() == 2 && d == "正面、反面"),
            "{s:?}"
        );
        // An A4 scan of a card, a two-page PDF, or a card-sized page of a document item: pages.
        for (f, card) in [
            (card_pdf("a4.pdf", "正面", (595, 842), 1), true),
            (card_pdf("two.pdf", "", (243, 153), 2), true),
            (card_pdf("doc.pdf", "", (243, 153), 1), false),
        ] {
            let s = item_sheets(std::slice::from_ref(&f), card, &[]);
            assert!(
                s.iter().all(|(c, _)| matches!(c, Content::Page { .. })),
                "{}: {s:?}",
                f.rel
            );
        }
    }
}
