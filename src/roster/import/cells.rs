//! The cells of a roster: what a spreadsheet stored, as text an applicant.toml can take, and
//! where each value came from (for a problem located at its cell).

use super::*;

/// A cell's content, whatever the spreadsheet program stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(Date),
    /// An Excel error value (`#N/A`) or a duration.
    Bad(Text),
}

impl Cell {
    pub(super) fn from_data(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(t.to_string())
                }
            }
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) if dt.is_datetime() => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                match Date::new(i32::from(y), u32::from(m), u32::from(d)) {
                    Some(date) => Cell::Date(date),
                    None => Cell::Bad(t!(
                        "{y}-{m}-{d} 不是有效日期",
                        "{y}-{m}-{d} is not a real date"
                    )),
                }
            }
            Data::DateTime(_) | Data::DurationIso(_) => {
                Cell::Bad(t!("是时长，不是日期", "a duration, not a date"))
            }
            Data::DateTimeIso(s) => match s.get(..10).and_then(Date::parse) {
                Some(date) => Cell::Date(date),
                None => Cell::Text(s.clone()),
            },
            Data::Error(e) => Cell::Bad(t!("单元格是错误值 {e}", "the cell holds an error, {e}")),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as a person reads it.
    pub(super) fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Bad(s) => s.zh.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// A number as typed: integers without `.0`.
pub(super) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A TOML basic string.
pub(super) fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The TOML value of a choice or yes/no cell: the word as the clerk chose it (`已婚`, `三级`,
/// `是`), which the profile parser reads (SPEC §3); Excel's own TRUE/FALSE as booleans.
pub(super) fn choice_value(cell: &Cell) -> String {
    match cell {
        Cell::Bool(b) => b.to_string(),
        Cell::Number(n) => number_text(*n),
        c => quoted(&c.text()),
    }
}

/// Where a generated line came from.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// No cell: a comment, or a table header whose keys were all given.
    None,
    Cell(Addr),
    /// A table header: a diagnostic about a missing key is the cell of that key (empty).
    Table(Vec<(&'static str, Addr)>),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Addr {
    pub(super) sheet: &'static str,
    pub(super) row: usize,
    pub(super) col: usize,
    /// The column header (`员工`) or label (`单位`).
    pub(super) header: &'static str,
}

/// An `applicant.toml` being written, line by line, with the origin of each line.
#[derive(Default)]
pub(super) struct Gen {
    pub(super) text: String,
    pub(super) origins: Vec<Origin>,
}

impl Gen {
    pub(super) fn line(&mut self, s: &str, origin: Origin) {
        self.text.push_str(s);
        self.text.push('\n');
        self.origins.push(origin);
    }
}

/// A value read from a sheet: where it is, what it holds, and its column.
#[derive(Debug, Clone)]
pub(super) struct Value {
    pub(super) addr: Addr,
    pub(super) cell: Cell,
    pub(super) column: Column,
}

/// One row of `员工` (or the sheet `单位`), by header.
pub(super) struct Fields {
    pub(super) by_header: HashMap<&'static str, Value>,
    /// Problems found while turning cells into TOML values.
    pub(super) problems: Vec<Problem>,
    /// Empty cells of keys the parser requires: a "missing key" diagnostic is shown there.
    pub(super) table_keys: Vec<(&'static str, Addr)>,
}

impl Fields {
    pub(super) fn get(&self, header: &str) -> Option<&Value> {
        self.by_header.get(header).filter(|v| !v.cell.is_empty())
    }

    /// Writes `key = value` for the cell under `header` when it is not empty.
    pub(super) fn kv(&mut self, g: &mut Gen, key: &'static str, header: &'static str) {
        let Some(v) = self.by_header.get(header).cloned() else {
            return;
        };
        if v.cell.is_empty() {
            self.table_keys.push((key, v.addr));
            return;
        }
        match self.toml_value(&v) {
            Some(value) => g.line(&format!("{key} = {value}"), Origin::Cell(v.addr)),
            // Reported already; a "missing key" from the parser is that same cell.
            None => self.table_keys.push((key, v.addr)),
        }
    }

    /// The TOML value of a cell, or `None` after recording why it cannot be one.
    pub(super) fn toml_value(&mut self, v: &Value) -> Option<String> {
        let at = cell_address(v.addr.sheet, v.addr.row, v.addr.col);
        let header = v.column.header;
        let problem = |message: Text| Problem {
            at: at.clone(),
            message: message.map(|_, m| format!("{header}: {m}")),
        };
        if let Cell::Bad(why) = &v.cell {
            self.problems.push(problem(why.clone()));
            return None;
        }
        Some(match (v.column.kind, &v.cell) {
            (Kind::IdNumber, Cell::Number(_)) => {
                self.problems.push(problem(t!(
                    "身份证号存成了数字，Excel 只保留 15 位有效数字，后几位已经丢失：把这一列设为“文本”格式后重新输入",
                    "the ID number is stored as a number and Excel has lost its last digits: format the column as text and type it again"
                )));
                return None;
            }
            (Kind::Date, Cell::Date(d)) => quoted(&d.to_string()),
            (Kind::Date, Cell::Number(n)) => {
                let n = number_text(*n);
                self.problems.push(problem(t!(
                    "{n} 是数字，不是日期：把单元格设为日期格式，或输入 2017-05-01",
                    "{n} is a number, not a date: format the cell as a date, or type 2017-05-01"
                )));
                return None;
            }
            (Kind::Choice(_) | Kind::Skill | Kind::YesNo, c) => choice_value(c),
            (Kind::Int, Cell::Number(n)) => number_text(*n),
            (Kind::Number, Cell::Number(n)) => {
                let s = number_text(*n);
                if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
                    format!("{n}")
                } else {
                    s
                }
            }
            (Kind::Int, Cell::Text(t)) if t.parse::<i64>().is_ok() => t.clone(),
            (Kind::Number, Cell::Text(t)) if t.parse::<f64>().is_ok_and(f64::is_finite) => {
                let n: f64 = t.parse().unwrap_or_default();
                number_text(n)
            }
            (_, c) => quoted(&c.text()),
        })
    }

    /// A table header, remembering the empty cells of its keys for "missing key" diagnostics.
    pub(super) fn header(&mut self, g: &mut Gen, header: &str) {
        g.line(header, Origin::None);
    }

    /// Closes the table begun at line `at`: its header line points at its empty cells.
    pub(super) fn close(&mut self, g: &mut Gen, at: usize) {
        let keys = std::mem::take(&mut self.table_keys);
        if let Some(o) = g.origins.get_mut(at) {
            *o = Origin::Table(keys);
        }
    }
}
