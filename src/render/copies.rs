//! The photocopies PDF (SPEC §11): one A4 sheet per [`Sheet`], with a small header (name,
//! masked ID, item, visit, page) and an empty box for the employer's stamp beside it, and the
//! scan below — card sides at true size (85.6 × 54 mm) one above the other, any other page
//! fitted to the printable area without cropping or stretching.
//!
//! The text is laid out with the same font machinery as the other PDFs (printpdf, the subset
//! CJK font); the scans are added to the serialised document afterwards ([`super::embed`]):
//! JPEG bytes as they are, PNG samples losslessly, PDF pages as form XObjects. Each scan is
//! stored once however many sheets show it.
//!
//! Invariants: nothing is drawn outside the printable area (10 mm margins); a scan never
//! overlaps the header or the stamp box; the bytes depend only on the sheets, the scans' bytes
//! and the date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Object};
use printpdf::{FontId, Mm, Op, PdfPage};
use sha2::{Digest, Sha256};

use super::embed::{self, Drawable, Orient};
use super::font::Face;
use super::layout::{self, Draw, Style, PAGE_H, PAGE_W};
use super::spill::{Spill, SpillError};
use super::{Fonts, RenderError};
use crate::copies::{Content, EmployeeCopies, Sheet, Source};
use crate::date::Date;
use crate::scan::FileKind;

/// Millimetres per point.
const PT: f32 = 25.4 / 72.0;
const MARGIN: f32 = 10.0;
/// The stamp box: a company seal is 40–42 mm across.
const STAMP: f32 = 44.0;
const STAMP_TOP: f32 = MARGIN;
/// The rule under the header, and the top of the scan area below it.
const RULE: f32 = STAMP_TOP + STAMP + 2.0;
const AREA_TOP: f32 = RULE + 3.0;
const AREA_W: f32 = PAGE_W - 2.0 * MARGIN;
const AREA_H: f32 = PAGE_H - MARGIN - AREA_TOP;
/// The header text's width: left of the stamp box.
const HEADER_W: f32 = PAGE_W - 2.0 * MARGIN - STAMP - 6.0;
/// ISO/IEC 7810 ID-1: identity cards, residence permits.
pub const CARD_W: f32 = 85.6;
pub const CARD_H: f32 = 54.0;
const CARD_GAP: f32 = 10.0;

/// What the copies need besides the sheets.
#[derive(Debug, Clone)]
pub struct CopiesOptions {
    /// The print date (header, PDF dates).
    pub date: Date,
    /// Scans over this size are not read (the rulebook's file size limit).
    pub max_file_bytes: u64,
    /// PNGs with more pixels are not decoded (the rulebook's pixel limit).
    pub max_pixels: u64,
}

/// The four header lines of one sheet.
struct Header {
    lines: [String; 4],
}

/// The photocopies of several employees as one PDF, employees in the given order, written to
/// `out`; returns the bytes written. The scans' bytes are streamed into `out`, never held in
/// memory together ([`super::spill`]); the spool file that some need is made in `spool_dir`
/// (the folder the PDF goes to) and removed when this returns.
pub fn copies_pdf(
    employees: &[EmployeeCopies],
    opts: &CopiesOptions,
    fonts: &Fonts,
    spool_dir: &Path,
    out: &mut dyn std::io::Write,
) -> Result<u64, RenderError> {
    let sheets: Vec<(&EmployeeCopies, &Sheet)> = employees
        .iter()
        .flat_map(|e| e.sheets.iter().map(move |s| (e, s)))
        .collect();
    if sheets.is_empty() {
        return Err(RenderError::Context(
            "no copies to print: no visit asks for a copy of any scanned item".into(),
        ));
    }
    let total = sheets.len();
    let headers: Vec<Header> = sheets
        .iter()
        .enumerate()
        .map(|(i, (e, s))| header(e, s, i + 1, total, opts.date))
        .collect();
    let mut all_text = String::from("0123456789 与原件一致单位盖章");
    for h in &headers {
        for l in &h.lines {
            all_text.push_str(l);
        }
    }
    let face = fonts.face_for(&all_text)?;

    let mut seed = Sha256::new();
    for ((_, s), h) in sheets.iter().zip(&headers) {
        for l in &h.lines {
            seed.update(l.as_bytes());
            seed.update([0]);
        }
        for src in sources(s) {
            seed.update(src.sha256);
            seed.update(src.page_key(s));
        }
    }
    let seed = format!("{:x}", seed.finalize());

    let doc = super::Pdf::new("复印件", &face, opts.date.unix(), &seed)?;
    let pages = headers
        .iter()
        .map(|h| PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), sheet_ops(h, &doc.font_id, &face)))
        .collect();
    let mut lo = doc.into_lopdf(pages);

    let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    let mut scans = Scans {
        cache: HashMap::new(),
        spill: Spill::new(spool_dir),
        opts,
    };
    for ((_, sheet), page_id) in sheets.iter().zip(page_ids) {
        let mut placed: Vec<(lopdf::ObjectId, [f32; 6])> = Vec::new();
        match &sheet.content {
            Content::Cards(sides) => {
                let x = (PAGE_W - CARD_W) / 2.0;
                for (k, side) in sides.iter().enumerate() {
                    let d = scans.drawable(&mut lo, side, 0)?;
                    let top = AREA_TOP + 6.0 + k as f32 * (CARD_H + CARD_GAP);
                    placed.push(card(&d, x, top));
                }
            }
            Content::Page { source, page } => {
                let d = scans.drawable(&mut lo, source, *page)?;
                placed.push(fitted(&d));
            }
        }
        add_to_page(&mut lo, page_id, &placed)?;
    }
    scans.spill.write(lo, out).map_err(|e| match e {
        SpillError::Scan { path, message } => RenderError::Scan { path, message },
        SpillError::Io(e) => RenderError::Context(format!("writing the PDF failed: {e}")),
    })
}

/// The scans brought into the document so far, each once, and where their bytes wait.
struct Scans<'a> {
    cache: HashMap<PathBuf, Vec<Drawable>>,
    spill: Spill,
    opts: &'a CopiesOptions,
}

impl Source {
    /// What of the source a sheet shows, for the document's seed.
    fn page_key(&self, s: &Sheet) -> [u8; 4] {
        match &s.content {
            Content::Page { page, .. } => page.to_be_bytes(),
            Content::Cards(_) => [0xFF; 4],
        }
    }
}

fn sources(s: &Sheet) -> Vec<&Source> {
    match &s.content {
        Content::Cards(v) => v.iter().collect(),
        Content::Page { source, .. } => vec![source],
    }
}

/// Text from inputs as it may be printed: ID numbers masked (a part name can hold one:
/// `身份证-正面-310115….jpg`), control characters gone (they would print as nothing or as boxes).
fn clean(s: &str) -> String {
    crate::privacy::mask_text(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn header(e: &EmployeeCopies, s: &Sheet, page: usize, pages: usize, date: Date) -> Header {
    let mut item = clean(&s.item_label);
    if !s.detail.is_empty() {
        item.push_str(&format!("（{}）", clean(&s.detail)));
    }
    let mut visit = format!("第 {} 次窗口：{}", s.visit_no, clean(&s.visit_label));
    visit.push_str(&format!(" · 复印件第 {} / {} 份", s.copy, s.copies));
    Header {
        lines: [
            format!("{}  {}", clean(&e.name), e.id_masked),
            item,
            visit,
            format!("{date} · dossier 复印件 · 第 {page} / {pages} 页"),
        ],
    }
}

fn width(face: &Face, s: &str, size: f32) -> f32 {
    s.chars().map(|c| face.advance(c)).sum::<f32>() * size * PT
}

/// `s` at `size`, or smaller (down to 6 pt), or cut with `…`, to fit `max` mm.
fn fit_text(face: &Face, s: &str, size: f32, max: f32) -> (String, f32) {
    let w = width(face, s, size);
    if w <= max {
        return (s.to_string(), size);
    }
    let smaller = (size * max / w).max(6.0);
    if width(face, s, smaller) <= max {
        return (s.to_string(), smaller);
    }
    let mut cut = String::new();
    for c in s.chars() {
        if width(face, &format!("{cut}{c}…"), smaller) > max {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    (cut, smaller)
}

/// The header, the stamp box and the rule of one sheet.
fn sheet_ops(h: &Header, font: &FontId, face: &Face) -> Vec<Op> {
    let mut draws = Vec::new();
    let styles = [
        (
            Style {
                size: 12.0,
                bold: true,
                grey: 0.0,
            },
            16.0,
        ),
        (
            Style {
                size: 10.5,
                bold: false,
                grey: 0.0,
            },
            24.0,
        ),
        (
            Style {
                size: 9.5,
                bold: false,
                grey: 0.0,
            },
            31.0,
        ),
        (
            Style {
                size: 8.0,
                bold: false,
                grey: 0.35,
            },
            38.0,
        ),
    ];
    for (line, (style, y)) in h.lines.iter().zip(styles) {
        let (text, size) = fit_text(face, line, style.size, HEADER_W);
        draws.push(Draw::Text {
            x: MARGIN,
            y,
            style: Style { size, ..style },
            text,
        });
    }
    let note = "复印件仅供居住证积分申请使用";
    draws.push(Draw::Text {
        x: MARGIN,
        y: 47.0,
        style: Style {
            size: 7.5,
            bold: false,
            grey: 0.35,
        },
        text: note.into(),
    });
    // The stamp box, with its words inside the corners so the middle stays empty.
    let (x0, y0) = (PAGE_W - MARGIN - STAMP, STAMP_TOP);
    let (x1, y1) = (x0 + STAMP, y0 + STAMP);
    for (a, b, c, d) in [
        (x0, y0, x1, y0),
        (x1, y0, x1, y1),
        (x1, y1, x0, y1),
        (x0, y1, x0, y0),
    ] {
        draws.push(Draw::Line {
            x1: a,
            y1: b,
            x2: c,
            y2: d,
            width_pt: 0.6,
        });
    }
    let top_word = "与原件一致";
    draws.push(Draw::Text {
        x: x0 + (STAMP - width(face, top_word, 9.0)) / 2.0,
        y: y0 + 5.5,
        style: Style {
            size: 9.0,
            bold: true,
            grey: 0.0,
        },
        text: top_word.into(),
    });
    let bottom_word = "单位盖章";
    draws.push(Draw::Text {
        x: x0 + (STAMP - width(face, bottom_word, 7.5)) / 2.0,
        y: y1 - 2.5,
        style: Style {
            size: 7.5,
            bold: false,
            grey: 0.35,
        },
        text: bottom_word.into(),
    });
    draws.push(Draw::Line {
        x1: MARGIN,
        y1: RULE,
        x2: PAGE_W - MARGIN,
        y2: RULE,
        width_pt: 0.4,
    });
    let mut ops = Vec::new();
    for d in &draws {
        layout::draw_ops(&mut ops, d, font);
    }
    ops
}

impl Scans<'_> {
    /// The drawable for page `page` of `src`, embedding the file on first use.
    fn drawable(
        &mut self,
        lo: &mut lopdf::Document,
        src: &Source,
        page: u32,
    ) -> Result<Drawable, RenderError> {
        if !self.cache.contains_key(&src.path) {
            let embedded = self.embed(lo, src)?;
            self.cache.insert(src.path.clone(), embedded);
        }
        let all = &self.cache[&src.path];
        all.get(page as usize)
            .or_else(|| all.last())
            .cloned()
            .ok_or_else(|| RenderError::Scan {
                path: src.path.clone(),
                message: "has no pages".into(),
            })
    }

    /// Brings a scan into the document: a JPEG's headers only (its bytes are copied from the
    /// file as the PDF is written); a PNG or a PDF read whole (each under the size limit) and
    /// its big streams parked in the spool.
    fn embed(
        &mut self,
        lo: &mut lopdf::Document,
        src: &Source,
    ) -> Result<Vec<Drawable>, RenderError> {
        let from = lo.max_id + 1;
        let drawn = self.load(lo, src).map_err(|e| RenderError::Scan {
            path: src.path.clone(),
            message: e.0,
        })?;
        // The spool's own trouble (a full disk) is not the scan's.
        self.spill.park_from(lo, from).map_err(|e| {
            RenderError::Context(format!(
                "cannot write the spool file in the output folder: {e}"
            ))
        })?;
        Ok(drawn)
    }

    /// The scan's objects added to the document: a JPEG's headers only, a PNG or a PDF read
    /// whole — regular files only (never blocking on a FIFO), within the size limit even if
    /// the file grew since its metadata was read, and the bytes the check saw.
    fn load(
        &mut self,
        lo: &mut lopdf::Document,
        src: &Source,
    ) -> Result<Vec<Drawable>, embed::EmbedError> {
        let path = &src.path;
        let meta =
            std::fs::metadata(path).map_err(|e| embed::EmbedError(format!("cannot read: {e}")))?;
        if !meta.is_file() {
            return Err(embed::EmbedError("is not a regular file".into()));
        }
        if meta.len() > self.opts.max_file_bytes {
            return Err(embed::EmbedError(format!(
                "is {} bytes, over the size limit of {}",
                meta.len(),
                self.opts.max_file_bytes
            )));
        }
        if src.kind == FileKind::Jpeg {
            let info = embed::jpeg_head(path, src.bytes)?;
            let d = embed::jpeg(lo, &info, Vec::new());
            self.spill.scan(d.id, path, src.bytes, src.crc32);
            return Ok(vec![d]);
        }
        let mut bytes = Vec::new();
        crate::input::open_regular(path)
            .and_then(|f| {
                use std::io::Read;
                f.take(self.opts.max_file_bytes + 1).read_to_end(&mut bytes)
            })
            .map_err(|e| embed::EmbedError(format!("cannot read: {e}")))?;
        if bytes.len() as u64 != src.bytes || crc32fast::hash(&bytes) != src.crc32 {
            return Err(embed::EmbedError("changed since it was checked".into()));
        }
        Ok(match src.kind {
            FileKind::Png => vec![embed::png(lo, &bytes, self.opts.max_pixels)?],
            _ => embed::pdf_pages(lo, &bytes)?,
        })
    }
}

/// Points from millimetres, and the PDF's y (from the bottom) of a top-down `y` in mm.
fn pt(mm: f32) -> f32 {
    mm / PT
}

/// A card side in the card box whose top-left corner is `(x, top)` mm: as large as the box
/// allows without stretching (a scan cropped to the card fills it: true size), lying landscape.
fn card(d: &Drawable, x: f32, top: f32) -> (lopdf::ObjectId, [f32; 6]) {
    let (uw, uh) = d.upright((d.w, d.h));
    let (extra, (uw, uh)) = if uh > uw {
        (Orient::QUARTER_LEFT, (uh, uw))
    } else {
        (Orient::UPRIGHT, (uw, uh))
    };
    let k = (CARD_W / uw).min(CARD_H / uh);
    let (w, h) = (uw * k, uh * k);
    let (x, top) = (x + (CARD_W - w) / 2.0, top + (CARD_H - h) / 2.0);
    (
        d.id,
        d.placement(extra, pt(x), pt(PAGE_H - top - h), pt(w), pt(h)),
    )
}

/// A document page in the scan area: at true size when the file says it and it fits, else
/// scaled down (or, without a known size, up) to fit; centred, at the top, upright.
fn fitted(d: &Drawable) -> (lopdf::ObjectId, [f32; 6]) {
    let (w, h) = match d.true_size {
        Some(size) => {
            let (tw, th) = d.upright(size);
            let (tw, th) = (tw * PT, th * PT);
            let k = 1f32.min(AREA_W / tw).min(AREA_H / th);
            (tw * k, th * k)
        }
        None => {
            let (uw, uh) = d.upright((d.w, d.h));
            let k = (AREA_W / uw).min(AREA_H / uh);
            (uw * k, uh * k)
        }
    };
    let x = MARGIN + (AREA_W - w) / 2.0;
    (
        d.id,
        d.placement(
            Orient::UPRIGHT,
            pt(x),
            pt(PAGE_H - AREA_TOP - h),
            pt(w),
            pt(h),
        ),
    )
}

/// Draws the placed XObjects on a page, under its text.
fn add_to_page(
    lo: &mut lopdf::Document,
    page_id: lopdf::ObjectId,
    placed: &[(lopdf::ObjectId, [f32; 6])],
) -> Result<(), RenderError> {
    let broken = |what: &str| RenderError::Context(format!("the PDF writer's page {what}"));
    let mut names = Dictionary::new();
    let mut content = Vec::new();
    for (k, (id, m)) in placed.iter().enumerate() {
        let name = format!("Scan{k}");
        names.set(name.as_bytes().to_vec(), Object::Reference(*id));
        let nums: Vec<String> = m.iter().map(|v| num(*v)).collect();
        content.extend_from_slice(format!("q {} cm /{name} Do Q\n", nums.join(" ")).as_bytes());
    }
    let page = lo
        .get_dictionary(page_id)
        .map_err(|_| broken("is missing"))?;
    let resources = page
        .get(b"Resources")
        .and_then(Object::as_reference)
        .map_err(|_| broken("has no resources"))?;
    let old_contents = page
        .get(b"Contents")
        .cloned()
        .map_err(|_| broken("has no content"))?;
    lo.get_dictionary_mut(resources)
        .map_err(|_| broken("resources are missing"))?
        .set("XObject", Object::Dictionary(names));
    let scans = lo.add_object(Object::Stream(lopdf::Stream::new(
        Dictionary::new(),
        content,
    )));
    let mut contents = vec![Object::Reference(scans)];
    match old_contents {
        Object::Array(a) => contents.extend(a),
        other => contents.push(other),
    }
    lo.get_dictionary_mut(page_id)
        .map_err(|_| broken("is missing"))?
        .set("Contents", Object::Array(contents));
    Ok(())
}

/// A number for a content stream: at most 4 decimals, no exponent, no `-0`.
fn num(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(242.64567), "242.6457");
        assert_eq!(num(-12.5), "-12.5");
    }

    fn source(path: &Path, kind: FileKind, bytes: &[u8]) -> Source {
        Source {
            path: path.to_path_buf(),
            kind,
            part: String::new(),
            sha256: [0; 32],
            pages: 1,
            bytes: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
        }
    }

    /// A PNG or PDF changed since the check (or a FIFO in its place) is an error naming it,
    /// never printed silently, never waited on.
    #[test]
    fn a_scan_changed_since_the_check_or_swapped_for_a_fifo_is_refused() {
        let t = tempfile::tempdir().expect("tempdir");
        let path = t.path().join("营业执照.png");
        std::fs::write(&path, b"checked bytes").expect("write");
        let opts = CopiesOptions {
            date: Date::parse("2026-11-26").expect("date"),
            max_file_bytes: 1 << 20,
            max_pixels: 1 << 24,
        };
        let mut scans = Scans {
            cache: HashMap::new(),
            spill: Spill::new(t.path()),
            opts: &opts,
        };
        let mut lo = lopdf::Document::with_version("1.7");
        let checked = source(&path, FileKind::Png, b"checked bytes");
        std::fs::write(&path, b"changed bytes").expect("write");
        let err = scans.load(&mut lo, &checked).expect_err("changed");
        assert!(err.0.contains("changed since it was checked"), "{}", err.0);
        #[cfg(target_os = "linux")]
        {
            let fifo = t.path().join("身份证-正面.jpg");
            let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
            // SAFETY: a plain syscall with a NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
            for kind in [FileKind::Jpeg, FileKind::Png] {
                let err = scans
                    .load(&mut lo, &source(&fifo, kind, b"x"))
                    .expect_err("a FIFO");
                assert!(err.0.contains("not a regular file"), "{}", err.0);
            }
            // Swapped after the embedding, as the PDF is written: refused, not waited on.
            let (id, len) = ((1, 0), 1);
            let mut spill = Spill::new(t.path());
            spill.scan(id, &fifo, len, 0);
            let mut doc = lopdf::Document::with_version("1.7");
            doc.objects.insert(
                id,
                Object::Stream(lopdf::Stream::new(Dictionary::new(), Vec::new())),
            );
            doc.max_id = 1;
            let err = spill.write(doc, &mut Vec::new()).expect_err("a FIFO");
            assert!(
                matches!(&err, crate::render::spill::SpillError::Scan { message, .. } if message.contains("not a regular file")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn a_card_scan_lies_landscape_at_card_size_and_a_page_fits_the_area() {
        let d = Drawable {
            id: (1, 0),
            bbox: None,
            w: 675.0,
            h: 1070.0,
            orient: Orient::UPRIGHT,
            true_size: None,
        };
        let (_, m) = card(&d, 10.0, 60.0);
        // A quarter turn: the unit square's x goes down the page, its y across.
        assert_eq!((m[0], m[3]), (0.0, 0.0));
        assert!((m[2].abs() * PT - CARD_W).abs() < 0.01, "{m:?}");
        assert!((m[1].abs() * PT - CARD_H).abs() < 0.01, "{m:?}");
        // An A4 PDF page: scaled down to the area's height, upright, centred.
        let a4 = Drawable {
            id: (2, 0),
            bbox: Some([0.0, 0.0, 595.0, 842.0]),
            w: 595.0,
            h: 842.0,
            orient: Orient::UPRIGHT,
            true_size: Some((595.0, 842.0)),
        };
        let (_, m) = fitted(&a4);
        let k = AREA_H / 297.0;
        assert!((m[0] - k).abs() < 0.01 && (m[3] - k).abs() < 0.01, "{m:?}");
        assert!(
            (m[5] * PT - MARGIN).abs() < 0.01,
            "bottom at the margin: {m:?}"
        );
        // A small scan with a known resolution keeps its true size.
        let small = Drawable {
            true_size: Some((300.0, 200.0)),
            bbox: None,
            ..a4
        };
        let (_, m) = fitted(&small);
        assert!((m[0] - 300.0).abs() < 0.01 && (m[3] - 200.0).abs() < 0.01);
    }
}
