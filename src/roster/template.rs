//! `roster new`: the blank roster HR fills in. Sheet `员工` has the header row of SPEC §12, frozen
//! and bold, each header with a note saying what to type; columns wide enough for Chinese; a
//! drop-down of the Chinese choices on every closed column; dates formatted as dates; ID
//! numbers formatted as text (typed as a number, Excel keeps 15 digits and loses the rest).
//! Sheet `单位` takes the employer, labels in A and values in B.

use rust_xlsxwriter::{
    DataValidation, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};

use super::{Column, Kind, COMPANY_FIELDS, COMPANY_SHEET, EMPLOYEE_COLUMNS, EMPLOYEE_SHEET};

/// Rows of `员工` that get the drop-downs and formats: a department's worth and more.
pub const TEMPLATE_ROWS: u32 = 2000;

/// The number format of date cells.
pub const DATE_FORMAT: &str = "yyyy-mm-dd";

/// The template as xlsx bytes. `districts` are the rulebook's district names (the drop-down of
/// 所在区).
pub fn template(districts: &[String]) -> Result<Vec<u8>, String> {
    build(districts).map_err(|e| format!("cannot write the roster template: {e}"))
}

fn build(districts: &[String]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format(DATE_FORMAT);

    let ws = wb.add_worksheet();
    ws.set_name(EMPLOYEE_SHEET)?;
    for (i, c) in EMPLOYEE_COLUMNS.iter().enumerate() {
        let col = i as u16;
        ws.write_string_with_format(0, col, c.header, &header)?;
        ws.set_column_width(col, c.width)?;
        ws.insert_note(0, col, &note(c))?;
        match c.kind {
            Kind::Date => {
                ws.set_column_format(col, &date)?;
            }
            // Text, so that an ID number or a mobile number is never turned into a number.
            Kind::IdNumber | Kind::Phone | Kind::Text => {
                ws.set_column_format(col, &text)?;
            }
            _ => {}
        }
        validate(ws, 1, col, TEMPLATE_ROWS, c, districts)?;
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 2)?;

    let ws = wb.add_worksheet();
    ws.set_name(COMPANY_SHEET)?;
    let label = Format::new().set_bold().set_background_color("#DDEBF7");
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(2, 50)?;
    ws.set_column_format(1, &text)?;
    for (i, c) in COMPANY_FIELDS.iter().enumerate() {
        let row = i as u32;
        ws.write_string_with_format(row, 0, c.header, &label)?;
        ws.write_string(row, 2, c.note)?;
        validate(ws, row, 1, row, c, districts)?;
    }
    wb.save_to_buffer()
}

fn note(c: &Column) -> Note {
    let mut text = c.note.to_string();
    match c.kind {
        Kind::Date => text.push_str("\n日期：Excel 日期，或文本 2017-05-01"),
        Kind::Choice(_) | Kind::Skill => {
            text.push_str(&format!("\n可选：{}", super::choices(c.kind).join(" / ")))
        }
        _ => {}
    }
    Note::new(text)
        .add_author_prefix(false)
        .set_width(260)
        .set_height(110)
}

/// The drop-down (or number rule) of one column, over rows `first..=last`.
fn validate(
    ws: &mut Worksheet,
    first: u32,
    col: u16,
    last: u32,
    c: &Column,
    districts: &[String],
) -> Result<(), XlsxError> {
    let list = |items: &[&str]| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_list_strings(items)?
            .set_error_title(c.header)?
            .set_error_message(format!("请从下拉列表中选择：{}", items.join(" / ")))
    };
    let dv = match c.kind {
        Kind::Choice(_) | Kind::Skill | Kind::YesNo => list(&super::choices(c.kind))?,
        Kind::District => {
            let names: Vec<&str> = districts.iter().map(String::as_str).collect();
            list(&names)?
        }
        _ => return Ok(()),
    };
    ws.add_data_validation(first, col, last, col, &dv)?;
    Ok(())
}
