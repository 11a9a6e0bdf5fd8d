//! `roster export`: a department's status as a workbook to filter, print and send on. Sheet
//! `汇总` has one row per employee (folder, name, masked ID, score, whether it reaches the
//! standard, whether the folder is ready, what is missing, the problems, and what would bring
//! the score to the standard); sheet `材料` has employees × checklist items, each cell ✓ / 缺 /
//! 无效, blank when the item is not on that employee's checklist.
//!
//! Invariants: an ID number never appears in full (the masked form, and every message passed
//! through the mask); the same folders give the same bytes (the workbook's dates come from the
//! application date, not the clock).

use std::collections::HashMap;
use std::path::PathBuf;

use rust_xlsxwriter::{
    ConditionalFormatFormula, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, XlsxError,
};

use super::{MATERIALS_SHEET, SUMMARY_SHEET};
use crate::department::{self, Context, Outcome};
use crate::error::{mask_id_numbers, Error};
use crate::finding::Code;
use crate::scan::ItemStatus;
use crate::score::Way;

/// The columns of `汇总`.
pub const SUMMARY_COLUMNS: &[(&str, f64)] = &[
    ("文件夹", 16.0),
    ("姓名", 10.0),
    ("身份证号", 22.0),
    ("模拟积分", 10.0),
    ("达标", 6.0),
    ("就绪", 6.0),
    ("缺少材料", 40.0),
    ("问题", 60.0),
    ("距标准分", 40.0),
];

/// The counts the command prints.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub employees: usize,
    pub ready: usize,
    /// Employees whose folder could not be read (broken applicant.toml …).
    pub broken: usize,
}

/// One employee's line, whatever happened to the folder.
struct Line {
    folder: String,
    name: String,
    id_masked: String,
    score: Option<(i64, i64)>,
    eligible: bool,
    ready: bool,
    missing: Vec<String>,
    problems: Vec<String>,
    /// Slug → status of every scanned item on the employee's checklist.
    items: HashMap<String, ItemStatus>,
    /// Below the standard: the ways to reach it (the score's `to_standard`).
    ways: Vec<Way>,
}

/// Checks and scores every employee of `dirs` and writes the workbook; its bytes and counts.
pub fn export(ctx: &Context, dirs: &[PathBuf]) -> Result<(Vec<u8>, Summary), Error> {
    let (results, _batch) = department::check_all(ctx, dirs, &department::Silent)?;
    // Items in the order they first appear, by slug, with their labels.
    let mut items: Vec<(String, String)> = Vec::new();
    let mut lines = Vec::with_capacity(results.len());
    for (e, r) in results {
        match r {
            Outcome::Done(department::Checked {
                report,
                checklist,
                score: sc,
            }) => {
                let applicant = checklist.applicant;
                merge_items(
                    &mut items,
                    report
                        .items
                        .iter()
                        .map(|i| (i.slug.as_str(), i.label.as_str())),
                );
                let missing = report
                    .items
                    .iter()
                    .filter(|i| i.status == ItemStatus::Missing)
                    .map(|i| i.label.clone())
                    .collect();
                let problems = report
                    .findings
                    .iter()
                    .filter(|f| f.is_error() && f.code != Code::MissingItem)
                    .map(|f| mask_id_numbers(&f.message.zh))
                    .collect();
                lines.push(Line {
                    folder: mask_id_numbers(&e.folder),
                    name: applicant.name,
                    id_masked: applicant.id_masked,
                    score: Some((sc.total, sc.standard)),
                    eligible: sc.eligible,
                    ready: report.ready,
                    missing,
                    problems,
                    items: report
                        .items
                        .iter()
                        .map(|i| (i.slug.clone(), i.status))
                        .collect(),
                    ways: sc.to_standard,
                });
            }
            Outcome::Broken(err) => {
                let text = err.render();
                let first = text.lines().next().unwrap_or_default();
                lines.push(Line {
                    folder: mask_id_numbers(&e.folder),
                    name: String::new(),
                    id_masked: String::new(),
                    score: None,
                    eligible: false,
                    ready: false,
                    missing: Vec::new(),
                    problems: vec![mask_id_numbers(
                        first
                            .strip_prefix(crate::error::error_word(crate::messages::Lang::Zh))
                            .unwrap_or(first),
                    )],
                    items: HashMap::new(),
                    ways: Vec::new(),
                });
            }
        }
    }
    let summary = Summary {
        employees: lines.len(),
        ready: lines.iter().filter(|l| l.ready).count(),
        broken: lines.iter().filter(|l| l.score.is_none()).count(),
    };
    let bytes = workbook(ctx, &lines, &items).map_err(|e| {
        Error::Other(crate::t!(
            "无法生成工作簿：{e}",
            "cannot write the workbook: {e}"
        ))
    })?;
    Ok((bytes, summary))
}

/// Adds an employee's items to the columns of `材料`, each new one right after the item that
/// precedes it on this employee's list, so the columns keep checklist order across employees
/// (户口簿 next to 身份证 even when the first employee has a 集体户口证明 instead).
fn merge_items<'a>(
    items: &mut Vec<(String, String)>,
    mine: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut at = 0;
    for (slug, label) in mine {
        match items.iter().position(|(s, _)| s == slug) {
            Some(p) => at = p + 1,
            None => {
                items.insert(at, (slug.to_string(), label.to_string()));
                at += 1;
            }
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// What would bring the score to the standard: how far below it is, then each way (any one is
/// enough, nearest first) with its points and, where time alone gets there, the date — the
/// score's `to_standard`, worded as `score` prints it (a cell of the workbook is a document in
/// Chinese, like the PDFs).
fn road(l: &Line) -> String {
    match l.score {
        Some((total, standard)) if total < standard => {
            let w = crate::messages::Lang::Zh.words();
            let mut out = format!("还差 {} 分", standard - total);
            if !l.ways.is_empty() {
                out.push_str(&format!("，{}", w.to_standard));
            }
            for way in &l.ways {
                out.push_str(&format!(
                    "\n· {}",
                    way.line(w, &mask_id_numbers(&way.what.zh))
                ));
            }
            out
        }
        _ => String::new(),
    }
}

fn workbook(
    ctx: &Context,
    lines: &[Line],
    items: &[(String, String)],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let d = ctx.date;
    let created = ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("积分申请 汇总")
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let red = Format::new()
        .set_font_color("#9C0006")
        .set_background_color("#FFC7CE");

    let ws = wb.add_worksheet();
    ws.set_name(SUMMARY_SHEET)?;
    for (c, (h, w)) in SUMMARY_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &l.folder)?;
        ws.write_string(r, 1, &l.name)?;
        ws.write_string(r, 2, &l.id_masked)?;
        if let Some((total, _)) = l.score {
            ws.write_number(r, 3, total as f64)?;
            ws.write_string(r, 4, yes_no(l.eligible))?;
        }
        ws.write_string(r, 5, yes_no(l.ready))?;
        ws.write_string_with_format(r, 6, l.missing.join("、"), &wrap)?;
        ws.write_string_with_format(r, 7, l.problems.join("；\n"), &wrap)?;
        ws.write_string_with_format(r, 8, road(l), &wrap)?;
    }
    let last_row = lines.len() as u32;
    let last_col = SUMMARY_COLUMNS.len() as u16 - 1;
    ws.set_freeze_panes(1, 2)?;
    ws.autofilter(0, 0, last_row.max(1), last_col)?;
    if !lines.is_empty() {
        // Not ready: the whole row in red, from the data, so it follows a re-sort or filter.
        let rule = ConditionalFormatFormula::new()
            .set_rule("=$F2=\"否\"")
            .set_format(&red);
        ws.add_conditional_format(1, 0, last_row, last_col, &rule)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(MATERIALS_SHEET)?;
    let center = Format::new().set_align(FormatAlign::Center);
    ws.write_string_with_format(0, 0, "文件夹", &header)?;
    ws.write_string_with_format(0, 1, "姓名", &header)?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 10)?;
    let item_header = header.clone().set_text_wrap();
    for (c, (_, label)) in items.iter().enumerate() {
        let col = c as u16 + 2;
        ws.write_string_with_format(0, col, label, &item_header)?;
        ws.set_column_width(col, 10)?;
    }
    ws.set_row_height(0, 45)?;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &l.folder)?;
        ws.write_string(r, 1, &l.name)?;
        for (c, (slug, _)) in items.iter().enumerate() {
            let mark = match l.items.get(slug) {
                Some(ItemStatus::Ok) => "✓",
                Some(ItemStatus::Missing) => "缺",
                Some(ItemStatus::Invalid) => "无效",
                None => continue,
            };
            ws.write_string_with_format(r, c as u16 + 2, mark, &center)?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    if !items.is_empty() {
        ws.autofilter(0, 0, last_row.max(1), items.len() as u16 + 1)?;
        let last = items.len() as u16 + 1;
        for (text, format) in [("缺", red.clone()), ("无效", red.clone())] {
            let rule = ConditionalFormatFormula::new()
                .set_rule(format!("=C2=\"{text}\"").as_str())
                .set_format(&format);
            if !lines.is_empty() {
                ws.add_conditional_format(1, 2, last_row, last, &rule)?;
            }
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::merge_items;

    #[test]
    fn items_merge_in_checklist_order() {
        let mut items = Vec::new();
        merge_items(
            &mut items,
            [
                ("id", "身份证"),
                ("collective", "集体户口证明"),
                ("contract", "劳动合同"),
            ]
            .into_iter(),
        );
        merge_items(
            &mut items,
            [
                ("id", "身份证"),
                ("hukou", "户口簿"),
                ("contract", "劳动合同"),
                ("tax", "完税证明"),
            ]
            .into_iter(),
        );
        let slugs: Vec<&str> = items.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(slugs, ["id", "hukou", "collective", "contract", "tax"]);
    }
}
