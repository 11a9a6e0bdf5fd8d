//! A small layout engine for A4 forms: it places markup [`Block`]s on pages (headings,
//! paragraphs, ruled tables with wrapped cells, tick boxes, signature lines, running header and
//! footer) and turns each page into printpdf `Op`s.
//!
//! Two passes: [`layout`] measures and places everything in millimetres from the top-left corner
//! (so the page count is known), then [`page_ops`] emits PDF operators with the page number
//! filled in. Widths come from the font's advance widths (no shaping: the PDF text operators do
//! none either), and lines break at UAX #14 opportunities, falling back to single characters when
//! one word is wider than its cell.
//!
//! Invariants: no text is drawn outside the text area or over a rule — a line that does not fit
//! wraps, a row that does not fit moves to the next page (with the table's header rows repeated),
//! and a row taller than a page is split between lines. A `pagebreak` never makes a blank page.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, Point, Pt, Rect,
    TextItem, TextRenderingMode,
};

use super::font::Face;
use super::markup::{Align, Block, Cell, Table, PAGE, PAGES};

pub(crate) const PAGE_W: f32 = 210.0;
pub(crate) const PAGE_H: f32 = 297.0;
const LEFT: f32 = 18.0;
const RIGHT: f32 = PAGE_W - 18.0;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = 19.0;
const BOTTOM: f32 = PAGE_H - 17.0;
/// Millimetres per point.
const PT: f32 = 25.4 / 72.0;
const LINE_HEIGHT: f32 = 1.42;

const TITLE: f32 = 16.0;
const HEADING: f32 = 12.0;
const SUBHEADING: f32 = 10.5;
const BODY: f32 = 10.0;
const NOTE: f32 = 8.5;
const TABLE: f32 = 9.5;
const RUNNING: f32 = 7.5;

const CELL_PAD_X: f32 = 1.6;
const CELL_PAD_Y: f32 = 1.3;
const TICK: f32 = 3.6;
const GREY_TEXT: f32 = 0.35;
const GREY_FILL: f32 = 0.9;
const BORDER_PT: f32 = 0.5;

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    /// 0 black … 1 white.
    pub grey: f32,
}

const fn style(size: f32, bold: bool, grey: f32) -> Style {
    Style { size, bold, grey }
}

/// Something drawn on a page; coordinates in mm from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Draw {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width_pt: f32,
    },
    /// A filled rectangle (table header shading); `y` is the top edge.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: f32,
    },
    /// A tick box; `y` is the top edge.
    Tick { x: f32, y: f32, checked: bool },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub header: (String, String),
    pub draws: Vec<Draw>,
}

/// The laid-out document.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Laid {
    pub title: Option<String>,
    pub footer: (String, String),
    pub pages: Vec<Page>,
}

/// Every character the document will draw (page-number placeholders count as digits), for the
/// font coverage check.
pub(crate) fn all_text(blocks: &[Block]) -> String {
    let mut out = String::from("0123456789");
    let mut add = |s: &str| {
        out.extend(s.chars().filter(|&c| c != PAGE && c != PAGES));
        out.push(' ');
    };
    for block in blocks {
        match block {
            Block::DocTitle(_)
            | Block::Rule
            | Block::Space(_)
            | Block::PageBreak
            | Block::KeepStart
            | Block::KeepEnd => {}
            Block::Header(l, r) | Block::Footer(l, r) => {
                add(l);
                add(r);
            }
            Block::Title(s)
            | Block::Heading(s)
            | Block::Subheading(s)
            | Block::Paragraph(s)
            | Block::Note(s) => add(s),
            Block::KeyValues(rows) => rows.iter().flatten().for_each(|(k, v)| {
                add(k);
                add(v);
            }),
            Block::Signatures(labels) => labels.iter().for_each(|l| add(l)),
            Block::Table(t) => t.head.iter().chain(&t.rows).flatten().for_each(|c| {
                if let Cell::Text(s) = c {
                    add(s);
                }
            }),
        }
    }
    out
}

/// Places the blocks on A4 pages.
pub(crate) fn layout(blocks: &[Block], face: &Face) -> Laid {
    let mut l = Layouter::new(face);
    // Open `keep` groups: where each started, to lay it out again from a new page when it ran
    // onto the next page but would fit on one.
    let mut keeps: Vec<Snapshot> = Vec::new();
    let mut i = 0;
    while let Some(block) = blocks.get(i) {
        match block {
            Block::KeepStart => keeps.push(l.snapshot(i)),
            Block::KeepEnd => {
                if let Some(snap) = keeps.pop() {
                    // An enclosing group that ran over and would fit on a page moves as a whole
                    // at its own end, this one with it.
                    let outer_moves = keeps.iter().any(|k| l.would_move(k));
                    if l.would_move(&snap) && !outer_moves {
                        l.restore(&snap);
                        // Again from the group's start, which now finds a fresh page: a group
                        // that does not fit a whole page either flows on from there.
                        l.break_pending = true;
                        i = snap.index + 1;
                        keeps.push(l.snapshot(snap.index));
                        continue;
                    }
                }
            }
            other => l.block(other),
        }
        i += 1;
    }
    if l.laid.pages.is_empty() {
        l.new_page();
    }
    l.laid
}

/// The layouter's state at the start of a `keep` group.
struct Snapshot {
    index: usize,
    pages: usize,
    draws: usize,
    y: f32,
    fresh: bool,
    break_pending: bool,
    header: (String, String),
}

struct Layouter<'a> {
    face: &'a Face,
    laid: Laid,
    /// The top of the free space on the current page.
    y: f32,
    header: (String, String),
    /// Nothing drawn yet on the current page (or there is no page yet).
    fresh: bool,
    /// A `pagebreak` waits for the next thing drawn, so a trailing one makes no blank page.
    break_pending: bool,
}

impl<'f> Layouter<'f> {
    /// A layouter at the top of an empty first page.
    fn new(face: &'f Face) -> Layouter<'f> {
        Layouter {
            face,
            laid: Laid::default(),
            y: TOP,
            header: Default::default(),
            fresh: true,
            break_pending: false,
        }
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.face.advance(c)).sum::<f32>() * size * PT
    }

    fn line_height(size: f32) -> f32 {
        size * PT * LINE_HEIGHT
    }

    /// The baseline of a line whose line box starts at `top`: the ideographic em box (0.88 em
    /// above, 0.12 em below the baseline) is centred in the line box.
    fn baseline(top: f32, size: f32) -> f32 {
        let em = size * PT;
        top + (Self::line_height(size) - em) / 2.0 + 0.88 * em
    }

    /// Breaks `text` into lines no wider than `max` mm, filling each line (prose).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        self.wrap_with(text, size, max, false)
    }

    /// Like [`Self::wrap`], for table cells: a line that must break ends, when it can, at a
    /// list separator or space at least half-way along, so that `a.jpg、b.jpg` breaks between
    /// the names rather than inside one — unless that would take more lines than filling them.
    fn wrap_cell(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let filled = self.wrap_with(text, size, max, false);
        if filled.len() < 2 {
            return filled;
        }
        let soft = self.wrap_with(text, size, max, true);
        if soft.len() <= filled.len() {
            soft
        } else {
            filled
        }
    }

    /// Splits a full line at its last soft break (after `、，；` or a space) when that keeps at
    /// least half the line; returns the line and the carried-over rest.
    fn soft_split(&self, cur: &str, size: f32, max: f32) -> (String, String) {
        let trimmed = cur.trim_end();
        let soft = trimmed
            .char_indices()
            .filter(|&(_, c)| matches!(c, '、' | '，' | '；' | ' '))
            .map(|(i, c)| i + c.len_utf8())
            .rfind(|&end| end < trimmed.len() && self.width(&trimmed[..end], size) >= max * 0.5);
        match soft {
            // The rest keeps its trailing space: the next word follows it.
            Some(end) => (
                trimmed[..end].trim_end().to_string(),
                cur[end..].to_string(),
            ),
            None => (trimmed.to_string(), String::new()),
        }
    }

    fn wrap_with(&self, text: &str, size: f32, max: f32, soft: bool) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        let mut cur_w = 0.0;
        let mut start = 0;
        for (end, _) in unicode_linebreak::linebreaks(text) {
            // No break after a hyphen: text extractors (pdftotext) take a line-final hyphen for
            // hyphenation and drop it, so `06-劳动合同.jpg` would come back as `06劳动合同.jpg`.
            if end < text.len() && text[..end].ends_with('-') {
                continue;
            }
            let seg = &text[start..end];
            start = end;
            // Trailing spaces may hang past the edge; they are trimmed from the finished line.
            let seg_w = self.width(seg, size);
            let ink_w = self.width(seg.trim_end(), size);
            if !cur.is_empty() && cur_w + ink_w > max {
                let (line, rest) = if soft {
                    self.soft_split(&cur, size, max)
                } else {
                    (cur.trim_end().to_string(), String::new())
                };
                lines.push(line);
                cur_w = self.width(&rest, size);
                cur = rest;
                if !cur.is_empty() && cur_w + ink_w > max {
                    lines.push(cur.trim_end().to_string());
                    cur.clear();
                    cur_w = 0.0;
                }
            }
            if cur.is_empty() && ink_w > max {
                // One unbreakable run wider than the line: break between characters.
                for c in seg.chars() {
                    let w = self.face.advance(c) * size * PT;
                    if !cur.is_empty() && !c.is_whitespace() && cur_w + w > max {
                        lines.push(cur.trim_end().to_string());
                        cur.clear();
                        cur_w = 0.0;
                    }
                    cur.push(c);
                    cur_w += w;
                }
            } else {
                cur.push_str(seg);
                cur_w += seg_w;
            }
        }
        if !cur.trim_end().is_empty() || lines.is_empty() {
            lines.push(cur.trim_end().to_string());
        }
        lines
    }

    fn snapshot(&self, index: usize) -> Snapshot {
        Snapshot {
            index,
            pages: self.laid.pages.len(),
            draws: self.laid.pages.last().map_or(0, |p| p.draws.len()),
            y: self.y,
            // No page yet counts as fresh: the group starts the document.
            fresh: self.fresh || self.laid.pages.is_empty() || self.break_pending,
            break_pending: self.break_pending,
            header: self.header.clone(),
        }
    }

    /// Whether the group begun at `s` ran onto another page and would fit on a fresh one (a
    /// group taller than a page gains nothing by moving: it flows on where it is).
    fn would_move(&self, s: &Snapshot) -> bool {
        let pages = self.laid.pages.len();
        !s.fresh && pages == s.pages + 1 && (BOTTOM - s.y) + (self.y - TOP) <= BOTTOM - TOP
    }

    fn restore(&mut self, s: &Snapshot) {
        self.laid.pages.truncate(s.pages);
        if let Some(p) = self.laid.pages.last_mut() {
            p.draws.truncate(s.draws);
        }
        self.y = s.y;
        self.fresh = s.fresh;
        self.break_pending = s.break_pending;
        self.header = s.header.clone();
    }

    fn new_page(&mut self) {
        self.laid.pages.push(Page {
            header: self.header.clone(),
            draws: Vec::new(),
        });
        self.y = TOP;
        self.fresh = true;
    }

    /// Makes room for `h` mm: a new page when it does not fit (and the page is not fresh).
    fn room(&mut self, h: f32) {
        if self.laid.pages.is_empty()
            || (!self.fresh && (self.break_pending || self.y + h > BOTTOM))
        {
            self.new_page();
        }
        self.break_pending = false;
        self.fresh = false;
    }

    fn draw(&mut self, d: Draw) {
        if let Some(page) = self.laid.pages.last_mut() {
            page.draws.push(d);
        }
    }

    fn text(&mut self, x: f32, top: f32, style: Style, text: &str) {
        if !text.is_empty() {
            let y = Self::baseline(top, style.size);
            self.draw(Draw::Text {
                x,
                y,
                style,
                text: text.to_string(),
            });
        }
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, width_pt: f32) {
        self.draw(Draw::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width_pt,
        });
    }

    fn vline(&mut self, x: f32, y1: f32, y2: f32) {
        self.draw(Draw::Line {
            x1: x,
            y1,
            x2: x,
            y2,
            width_pt: BORDER_PT,
        });
    }

    /// Wrapped text over the full width (or centred), with `before` and `after` spacing;
    /// `keep` extra millimetres must fit below the first line (headings stay with what follows).
    fn flow(&mut self, text: &str, st: Style, before: f32, after: f32, keep: f32, centred: bool) {
        let lh = Self::line_height(st.size);
        let lines = self.wrap(text, st.size, WIDTH);
        self.room(before + lh + keep);
        if self.y > TOP {
            self.y += before;
        }
        for line in &lines {
            self.room(lh);
            let x = if centred {
                LEFT + (WIDTH - self.width(line, st.size)) / 2.0
            } else {
                LEFT
            };
            let top = self.y;
            self.text(x, top, st, line);
            self.y += lh;
        }
        self.y += after;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::DocTitle(t) => self.laid.title = Some(t.clone()),
            Block::Header(l, r) => {
                self.header = (l.clone(), r.clone());
                // A header set before anything is drawn on a page belongs to that page.
                if self.fresh {
                    if let Some(page) = self.laid.pages.last_mut() {
                        page.header = self.header.clone();
                    }
                }
            }
            Block::Footer(l, r) => self.laid.footer = (l.clone(), r.clone()),
            Block::Title(t) => self.flow(t, style(TITLE, true, 0.0), 0.0, 3.0, 10.0, true),
            Block::Heading(t) => {
                let st = style(HEADING, true, 0.0);
                // Keep room for the note, the table header and a first row under a heading.
                self.flow(t, st, 4.5, 0.6, 32.0, false);
                let y = self.y;
                self.hline(LEFT, RIGHT, y, 0.8);
                self.y += 2.2;
            }
            Block::Subheading(t) => {
                // Like headings: keep room for a note, a table header and a two-line row.
                self.flow(t, style(SUBHEADING, true, 0.0), 2.5, 1.0, 28.0, false)
            }
            Block::Paragraph(t) => self.flow(t, style(BODY, false, 0.0), 0.0, 1.2, 0.0, false),
            Block::Note(t) => self.flow(t, style(NOTE, false, GREY_TEXT), 0.0, 1.0, 0.0, false),
            Block::KeyValues(rows) => self.key_values(rows),
            Block::Table(t) => self.table(t),
            Block::Signatures(labels) => self.signatures(labels),
            Block::Rule => {
                self.room(3.0);
                let y = self.y + 1.5;
                self.hline(LEFT, RIGHT, y, BORDER_PT);
                self.y += 3.0;
            }
            Block::Space(mm) => {
                if !self.fresh && !self.break_pending {
                    self.y = (self.y + mm).min(BOTTOM);
                }
            }
            Block::PageBreak => self.break_pending = true,
            // Handled by `layout`, which can lay a group out again.
            Block::KeepStart | Block::KeepEnd => {}
        }
    }

    /// Label | value rows as a ruled grid, labels shaded and bold. Rows with two pairs put the
    /// second pair in a right half whose label column lines up from row to row; a row with one
    /// pair gives its value the full width.
    fn key_values(&mut self, rows: &[Vec<(String, String)>]) {
        let widest = |i: usize| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|(k, _)| self.width(k, BODY) + 2.0 * CELL_PAD_X + 0.5)
                .fold(0.0, f32::max)
                .min(WIDTH * 0.25)
        };
        let (label1, label2) = (widest(0), widest(1));
        let column = |weight: f32| super::markup::Column {
            weight,
            align: Align::Left,
        };
        for row in rows {
            let mut columns = vec![column(label1)];
            match row.len() {
                1 => columns.push(column(WIDTH - label1)),
                _ => {
                    let value = (WIDTH - label1 - label2) / 2.0;
                    columns.extend([column(value), column(label2), column(value)]);
                }
            }
            let cells = row
                .iter()
                .flat_map(|(k, v)| [Cell::Text(k.clone()), Cell::Text(v.clone())])
                .collect();
            self.grid(
                &Table {
                    columns,
                    head: Vec::new(),
                    rows: vec![cells],
                },
                BODY,
                true,
            );
        }
        self.y += 2.0;
    }

    fn table(&mut self, t: &Table) {
        self.grid(t, TABLE, false);
        self.y += 2.5;
    }

    /// A ruled grid. `label_column`: every other column, from the first, holds labels, shaded and
    /// bold (key/value grids).
    fn grid(&mut self, t: &Table, size: f32, label_column: bool) {
        let total: f32 = t.columns.iter().map(|c| c.weight).sum();
        let mut xs = vec![LEFT];
        for c in &t.columns {
            let last = xs.last().copied().unwrap_or(LEFT);
            xs.push(last + c.weight / total * WIDTH);
        }
        let lh = Self::line_height(size);
        let wrap_row = |l: &Self, row: &[Cell]| -> Vec<Vec<String>> {
            row.iter()
                .zip(xs.windows(2))
                .map(|(cell, x)| match cell {
                    Cell::Text(s) => l.wrap_cell(s, size, x[1] - x[0] - 2.0 * CELL_PAD_X),
                    Cell::Tick(_) => vec![String::new()],
                })
                .collect()
        };
        let head: Vec<Vec<Vec<String>>> = t.head.iter().map(|r| wrap_row(self, r)).collect();
        let head_h: f32 = head.iter().map(|r| row_height(r, lh)).sum();
        // The first body row must fit with the header; otherwise start on the next page.
        let first_h = t
            .rows
            .first()
            .map_or(0.0, |r| row_height(&wrap_row(self, r), lh));
        self.room(head_h + first_h.min(BOTTOM - TOP - head_h));
        let draw_head = |l: &mut Self| {
            for (cells, row) in head.iter().zip(&t.head) {
                l.row(&xs, t, row, cells, size, RowKind::Head);
            }
        };
        draw_head(self);
        for row in &t.rows {
            let mut cells = wrap_row(self, row);
            let mut ticks = true;
            loop {
                let h = row_height(&cells, lh);
                let kind = if label_column {
                    RowKind::Label
                } else {
                    RowKind::Body
                };
                let original: &[Cell] = if ticks { row } else { &[] };
                let fits = ((BOTTOM - self.y - 2.0 * CELL_PAD_Y) / lh).floor().max(0.0) as usize;
                let page_empty = self.y <= TOP + head_h + 0.01;
                if self.y + h <= BOTTOM || (page_empty && fits == 0) {
                    // (The second case only when the header rows fill a whole page: overflow
                    // rather than loop forever.)
                    self.row(&xs, t, original, &cells, size, kind);
                    break;
                }
                if fits >= 1 && (page_empty || fits >= 3) {
                    // Split between lines: this page takes what fits.
                    let rest: Vec<Vec<String>> = cells
                        .iter_mut()
                        .map(|c| c.split_off(fits.min(c.len())))
                        .collect();
                    self.row(&xs, t, original, &cells, size, kind);
                    cells = rest;
                    ticks = false;
                }
                self.new_page();
                self.fresh = false;
                draw_head(self);
            }
        }
    }

    /// Draws one row (or the part of a split row) at `self.y` and moves below it. `row` holds
    /// the original cells, for tick boxes (empty for the continuation of a split row).
    fn row(
        &mut self,
        xs: &[f32],
        t: &Table,
        row: &[Cell],
        cells: &[Vec<String>],
        size: f32,
        kind: RowKind,
    ) {
        let lh = Self::line_height(size);
        let h = row_height(cells, lh);
        let top = self.y;
        if kind == RowKind::Head {
            self.draw(Draw::Fill {
                x: LEFT,
                y: top,
                w: WIDTH,
                h,
                grey: GREY_FILL,
            });
        }
        if kind == RowKind::Label {
            for x in xs.windows(2).step_by(2) {
                self.draw(Draw::Fill {
                    x: x[0],
                    y: top,
                    w: x[1] - x[0],
                    h,
                    grey: 0.94,
                });
            }
        }
        for (i, (lines, x)) in cells.iter().zip(xs.windows(2)).enumerate() {
            let (x0, x1) = (x[0], x[1]);
            let align = t.columns.get(i).map_or(Align::Left, |c| c.align);
            let bold = kind == RowKind::Head || (kind == RowKind::Label && i % 2 == 0);
            let st = style(size, bold, 0.0);
            let block_h = lines.len() as f32 * lh;
            let mut line_top = top + CELL_PAD_Y + ((h - 2.0 * CELL_PAD_Y - block_h) / 2.0).max(0.0);
            if let Some(Cell::Tick(checked)) = row.get(i) {
                let bx = match align {
                    Align::Left => x0 + CELL_PAD_X,
                    Align::Center => (x0 + x1 - TICK) / 2.0,
                    Align::Right => x1 - CELL_PAD_X - TICK,
                };
                self.draw(Draw::Tick {
                    x: bx,
                    y: top + (h - TICK) / 2.0,
                    checked: *checked,
                });
                continue;
            }
            for line in lines {
                let w = self.width(line, size);
                let x = match align {
                    Align::Left => x0 + CELL_PAD_X,
                    Align::Center => (x0 + x1 - w) / 2.0,
                    Align::Right => x1 - CELL_PAD_X - w,
                };
                self.text(x, line_top, st, line);
                line_top += lh;
            }
        }
        self.hline(LEFT, RIGHT, top, BORDER_PT);
        self.hline(LEFT, RIGHT, top + h, BORDER_PT);
        for &x in xs {
            self.vline(x, top, top + h);
        }
        self.y = top + h;
    }

    /// Signature fields side by side: the label, then a line to sign on. A label too long for
    /// its field wraps (the line follows its last line) rather than being cut.
    fn signatures(&mut self, labels: &[String]) {
        if labels.is_empty() {
            return;
        }
        let slot = WIDTH / labels.len() as f32;
        let lh = Self::line_height(BODY);
        let wrapped: Vec<Vec<String>> = labels
            .iter()
            .map(|l| self.wrap(l, BODY, (slot - 26.0).max(10.0)))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let h = 4.0 + lines as f32 * lh + 4.0;
        self.room(h);
        for (i, label_lines) in wrapped.iter().enumerate() {
            let x = LEFT + slot * i as f32;
            let mut top = self.y + 4.0;
            for line in label_lines {
                self.text(x, top, style(BODY, false, 0.0), line);
                top += lh;
            }
            let last = label_lines.last().map_or(0.0, |l| self.width(l, BODY));
            let base = Self::baseline(top - lh, BODY) + 0.8;
            self.hline(x + last + 1.5, x + slot - 6.0, base, BORDER_PT);
        }
        self.y += h;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Head,
    Body,
    Label,
}

fn row_height(cells: &[Vec<String>], lh: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * lh + 2.0 * CELL_PAD_Y
}

/// The PDF operators of page `index` (0-based), with the running header and footer.
pub(crate) fn page_ops(laid: &Laid, index: usize, font: &FontId, face: &Face) -> Vec<Op> {
    let Some(page) = laid.pages.get(index) else {
        return Vec::new();
    };
    let fill = |s: &str| {
        s.replace(PAGE, &(index + 1).to_string())
            .replace(PAGES, &laid.pages.len().to_string())
    };
    let width = |s: &str, size: f32| s.chars().map(|c| face.advance(c)).sum::<f32>() * size * PT;
    let mut ops = Vec::with_capacity(page.draws.len() * 8 + 32);
    let running = style(RUNNING, false, GREY_TEXT);
    let (hl, hr) = (fill(&page.header.0), fill(&page.header.1));
    let (fl, fr) = (fill(&laid.footer.0), fill(&laid.footer.1));
    let mut extra = Vec::new();
    if !hl.is_empty() || !hr.is_empty() {
        extra.push(Draw::Text {
            x: LEFT,
            y: 11.5,
            style: running,
            text: hl,
        });
        extra.push(Draw::Text {
            x: RIGHT - width(&hr, RUNNING),
            y: 11.5,
            style: running,
            text: hr,
        });
        extra.push(Draw::Line {
            x1: LEFT,
            y1: 13.2,
            x2: RIGHT,
            y2: 13.2,
            width_pt: 0.3,
        });
    }
    if !fl.is_empty() || !fr.is_empty() {
        extra.push(Draw::Line {
            x1: LEFT,
            y1: PAGE_H - 13.5,
            x2: RIGHT,
            y2: PAGE_H - 13.5,
            width_pt: 0.3,
        });
        extra.push(Draw::Text {
            x: LEFT,
            y: PAGE_H - 9.8,
            style: running,
            text: fl,
        });
        extra.push(Draw::Text {
            x: RIGHT - width(&fr, RUNNING),
            y: PAGE_H - 9.8,
            style: running,
            text: fr,
        });
    }
    for d in page.draws.iter().chain(&extra) {
        draw_ops(&mut ops, d, font);
    }
    ops
}

fn grey(g: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: g,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point::new(Mm(x), Mm(PAGE_H - y)),
        bezier: false,
    }
}

fn line_ops(ops: &mut Vec<Op>, points: Vec<LinePoint>, width_pt: f32) {
    ops.push(Op::SetOutlineThickness { pt: Pt(width_pt) });
    ops.push(Op::DrawLine {
        line: Line {
            points,
            is_closed: false,
        },
    });
}

pub(crate) fn draw_ops(ops: &mut Vec<Op>, d: &Draw, font: &FontId) {
    match d {
        Draw::Text { text, .. } if text.is_empty() => {}
        Draw::Text { x, y, style, text } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor {
                col: grey(style.grey),
            });
            if style.bold {
                // Faux bold: fill and stroke the outlines (no second font face to embed).
                ops.push(Op::SetOutlineColor {
                    col: grey(style.grey),
                });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(style.size * 0.035),
                });
                ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::FillStroke,
                });
            }
            ops.push(Op::StartTextSection);
            ops.push(Op::SetTextCursor {
                pos: Point::new(Mm(*x), Mm(PAGE_H - y)),
            });
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font.clone()),
                size: Pt(style.size),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
            ops.push(Op::EndTextSection);
            ops.push(Op::RestoreGraphicsState);
        }
        Draw::Line {
            x1,
            y1,
            x2,
            y2,
            width_pt,
        } => line_ops(ops, vec![point(*x1, *y1), point(*x2, *y2)], *width_pt),
        Draw::Fill {
            x,
            y,
            w,
            h,
            grey: g,
        } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor { col: grey(*g) });
            ops.push(Op::DrawRectangle {
                rectangle: rect(*x, *y, *w, *h, PaintMode::Fill),
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Draw::Tick { x, y, checked } => {
            ops.push(Op::SetOutlineThickness { pt: Pt(0.7) });
            ops.push(Op::DrawRectangle {
                rectangle: rect(*x, *y, TICK, TICK, PaintMode::Stroke),
            });
            if *checked {
                let pts = vec![
                    point(x + 0.7, y + 1.9),
                    point(x + 1.5, y + 2.9),
                    point(x + 3.0, y + 0.6),
                ];
                line_ops(ops, pts, 0.9);
            }
        }
    }
}

/// A rectangle from its top-left corner in page mm.
fn rect(x: f32, y: f32, w: f32, h: f32, mode: PaintMode) -> Rect {
    Rect {
        x: Mm(x).into(),
        y: Mm(PAGE_H - y - h).into(),
        width: Mm(w).into(),
        height: Mm(h).into(),
        mode: Some(mode),
        winding_order: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markup::parse;
    use crate::render::Fonts;

    fn face() -> std::sync::Arc<Face> {
        Fonts::embedded().unwrap().face_for("").unwrap()
    }

    fn layouter(face: &Face) -> Layouter<'_> {
        Layouter::new(face)
    }

    /// The page (0-based) each text is on.
    fn page_of(laid: &Laid, needle: &str) -> Vec<usize> {
        laid.pages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.draws
                    .iter()
                    .any(|d| matches!(d, Draw::Text { text, .. } if text == needle))
            })
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn a_soft_break_keeps_the_space_before_the_next_word() {
        let face = face();
        let l = layouter(&face);
        let text = "模拟积分 112 分，未达到标准分 120 分 (below the standard score)";
        for max in 20..90 {
            let lines = l.wrap_cell(text, 9.5, max as f32);
            let joined = lines.join(" ");
            assert!(!joined.contains("standardscore"), "{max}: {lines:?}");
        }
    }

    #[test]
    fn a_keep_group_moves_whole_to_the_next_page_and_small_groups_share_a_page() {
        let face = face();
        let filler: String = (0..36).map(|i| format!("p: line {i}\n")).collect();
        let group = "keep\n### 第 3 次窗口\ntable: 10 | 10\nrow: a1 | b\nrow: a2 | b\nrow: a3 | b\nrow: a4 | b\nrow: a5 | b\nrow: a6 | b\nendtable\nendkeep\n";
        let laid = layout(&parse(&format!("{filler}{group}")).unwrap(), &face);
        // Without keep the heading and the first rows would stay on page 1.
        assert_eq!(page_of(&laid, "第 3 次窗口"), vec![1]);
        assert_eq!(page_of(&laid, "a1"), vec![1]);
        assert_eq!(page_of(&laid, "a6"), vec![1]);
        assert_eq!(page_of(&laid, "line 35"), vec![0]);
        let plain = group.replace("endkeep\n", "").replace("keep\n", "");
        let laid = layout(&parse(&format!("{filler}{plain}")).unwrap(), &face);
        assert_ne!(
            page_of(&laid, "a1"),
            page_of(&laid, "a6"),
            "the case keep is for"
        );

        // Ten small groups (one-row visits) share pages instead of taking one each.
        let small: String = (0..10)
            .map(|i| {
                format!("keep\n### 员工 {i}\ntable: 10 | 10\nrow: x{i} | y\nendtable\nendkeep\n")
            })
            .collect();
        let laid = layout(&parse(&small).unwrap(), &face);
        assert_eq!(laid.pages.len(), 1);

        // A group taller than a page is not moved (it flows on where it is), and nesting works:
        // an outer group that fits moves whole, inner ones with it.
        let rows: String = (0..80).map(|i| format!("row: r{i} | y\n")).collect();
        let big = format!("p: intro\nkeep\n### big\nkeep\ntable: 10 | 10\n{rows}endtable\nendkeep\nendkeep\np: after\n");
        let laid = layout(&parse(&big).unwrap(), &face);
        assert_eq!(page_of(&laid, "intro"), vec![0]);
        assert_eq!(page_of(&laid, "big"), vec![0]);
        assert_eq!(page_of(&laid, "r0"), vec![0]);
        assert!(page_of(&laid, "r79")[0] >= 1);
        let nested = format!(
            "{filler}keep\n### outer\nkeep\n### inner\ntable: 10 | 10\nrow: a1 | b\nrow: a2 | b\nrow: a3 | b\nendtable\nendkeep\nkeep\n### second\ntable: 10 | 10\nrow: c1 | d\nrow: c2 | d\nendtable\nendkeep\nendkeep\n"
        );
        let laid = layout(&parse(&nested).unwrap(), &face);
        for t in ["outer", "inner", "a1", "a3", "second", "c2"] {
            assert_eq!(page_of(&laid, t), vec![1], "{t}");
        }
        assert!(parse("endkeep").is_err());
    }

    #[test]
    fn wrapping_keeps_every_character_and_respects_the_width() {
        let face = face();
        let l = layouter(&face);
        let text = "原件及正反面复印件各一份（复印件须清晰），Bank card for payroll and a verylongunbreakablewordthatmustbesplit";
        for max in [15.0, 30.0, 60.0, 500.0] {
            let lines = l.wrap(text, 10.0, max);
            let joined: String = lines
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, expected, "max {max}");
            for line in &lines {
                assert!(
                    l.width(line, 10.0) <= max + 1e-3,
                    "{line:?} wider than {max}"
                );
            }
        }
        // UAX #14: no line starts with a closing mark or a comma; no line ends with a hyphen
        // unless a single word had to be split.
        for line in l.wrap(text, 10.0, 22.0) {
            assert!(!line.starts_with(['）', '，', '。']), "{line:?}");
        }
        // (These widths broke `06-` off before the rule.)
        for line in l.wrap(
            "06-劳动合同-p1.jpg、06-劳动合同-p2.jpg、06-劳动合同-p3.jpg",
            9.5,
            70.07,
        ) {
            assert!(!line.ends_with('-'), "{line:?}");
        }
        assert_eq!(l.wrap("", 10.0, 20.0), vec![String::new()]);
    }

    #[test]
    fn table_cells_break_between_file_names() {
        let face = face();
        let l = layouter(&face);
        let files = "10-配偶身份证-正面.jpg、10-配偶身份证-反面.jpg";
        assert_eq!(
            l.wrap_cell(files, 9.5, 70.0),
            vec!["10-配偶身份证-正面.jpg、", "10-配偶身份证-反面.jpg"]
        );
        // Prose fills its lines instead.
        assert_eq!(l.wrap(files, 9.5, 70.0).len(), 2);
        assert_ne!(l.wrap(files, 9.5, 70.0)[0], "10-配偶身份证-正面.jpg、");
        // Not at the price of an extra line.
        let reason = "技能等级三级（高级工）加分；需在国家职业资格证书全国联网查询系统可查";
        assert_eq!(
            l.wrap_cell(reason, 9.5, 62.0).len(),
            l.wrap(reason, 9.5, 62.0).len()
        );
        for max in [12.0, 25.0, 40.0, 90.0] {
            let text = "技能等级三级（高级工）加分；需在国家职业资格证书全国联网查询系统可查, and some English words";
            let lines = l.wrap_cell(text, 9.5, max);
            assert_eq!(
                lines.concat().replace(' ', ""),
                text.replace(' ', ""),
                "max {max}"
            );
            assert!(
                lines.iter().all(|line| l.width(line, 9.5) <= max + 1e-3),
                "max {max}: {lines:?}"
            );
        }
    }

    #[test]
    fn long_tables_repeat_their_header_and_stay_inside_the_page() {
        let face = face();
        let mut src = String::from("# 标题\ntable: 10^ | 60 | 10^\nhead: 序号 | 材料 | 核对\n");
        for i in 0..80 {
            src.push_str(&format!(
                "row: {i} | 材料名称{i}，说明文字较长需要换行的内容，Latin words too | [ ]\n"
            ));
        }
        src.push_str("endtable\n");
        let laid = layout(&parse(&src).unwrap(), &face);
        assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
        for page in &laid.pages {
            let heads = page
                .draws
                .iter()
                .filter(|d| matches!(d, Draw::Text { text, .. } if text == "序号"))
                .count();
            assert_eq!(heads, 1, "every page repeats the header once");
            for d in &page.draws {
                if let Draw::Text { x, y, .. } | Draw::Tick { x, y, .. } = d {
                    assert!(
                        (LEFT..=RIGHT).contains(x) && (TOP..=BOTTOM).contains(y),
                        "{d:?}"
                    );
                }
            }
        }
        let ticks = laid
            .pages
            .iter()
            .flat_map(|p| &p.draws)
            .filter(|d| matches!(d, Draw::Tick { .. }))
            .count();
        assert_eq!(ticks, 80);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_not_cut() {
        let face = face();
        let long = "很长的说明。".repeat(400);
        let src = format!("table: 1 | 3\nhead: 项目 | 说明\nrow: A | {long}\nendtable\n");
        let laid = layout(&parse(&src).unwrap(), &face);
        assert!(laid.pages.len() >= 2);
        let drawn: String = laid
            .pages
            .iter()
            .flat_map(|p| &p.draws)
            .filter_map(|d| match d {
                Draw::Text { text, style, .. } if !style.bold && text != "A" => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(drawn, long);
    }

    #[test]
    fn pagebreaks_never_make_blank_pages() {
        let face = face();
        let laid = layout(
            &parse("pagebreak\np: 一\npagebreak\npagebreak\np: 二\npagebreak").unwrap(),
            &face,
        );
        assert_eq!(laid.pages.len(), 2);
        assert!(laid.pages.iter().all(|p| !p.draws.is_empty()));
    }

    #[test]
    fn headers_belong_to_the_page_they_are_set_on() {
        let face = face();
        let laid = layout(
            &parse("header: 甲\np: 一\npagebreak\nheader: 乙\np: 二").unwrap(),
            &face,
        );
        assert_eq!(laid.pages[0].header.0, "甲");
        assert_eq!(laid.pages[1].header.0, "乙");
    }
}
