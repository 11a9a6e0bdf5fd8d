//! The second pass: each laid-out page as printpdf operators, the running header and footer
//! with the page number filled in.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, Point, Pt, Rect,
    TextItem, TextRenderingMode,
};

use super::*;

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
