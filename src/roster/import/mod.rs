//! `roster import`: one employee folder per row of `员工`, `company.toml` from `单位`.
//!
//! Each row becomes the text of an `applicant.toml`, written the way a person would write it,
//! and that text goes through [`Profile::parse`] — the same validation as a hand-written file.
//! Every generated line remembers the cell it came from, so each diagnostic of the parser is
//! reported at its cell (`员工!G5`). Invariants: all problems of the workbook are collected
//! before anything is written, and with any problem nothing is written; an `applicant.toml`
//! (or `company.toml`) is replaced only when its content changes, atomically; nothing under
//! `scans/` is ever touched; one person (ID number) has one folder.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader};
use serde::Serialize;

use super::{
    cell_address, Column, Invalid, Kind, Problem, COMPANY_FIELDS, COMPANY_SHEET, EMPLOYEE_COLUMNS,
    EMPLOYEE_SHEET,
};
use crate::date::Date;
use crate::error::{mask_id_numbers, Diagnostic, Error};
use crate::messages::Text;
use crate::profile::Profile;
use crate::t;

mod cells;
mod people;

use cells::*;
use people::*;

/// A roster larger than this is not a department's spreadsheet (and calamine holds it whole).
pub const MAX_ROSTER_BYTES: u64 = 20 * 1024 * 1024;
/// The most a roster's parts may unpack to, as its ZIP directory declares (a 500-row roster
/// unpacks to about 0.5 MB).
pub const MAX_ROSTER_UNPACKED: u64 = 200 * 1024 * 1024;

/// What `roster import` did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The department folder the employee folders are in.
    pub out: PathBuf,
    /// `company.toml`, when the sheet `单位` gave the employer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Written>,
    pub employees: Vec<ImportedEmployee>,
    /// Rows of `员工` (1-based, as Excel numbers them) skipped because they were entirely empty.
    pub skipped_rows: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedEmployee {
    /// The row of `员工`, 1-based as Excel shows it.
    pub row: usize,
    pub folder: String,
    pub name: String,
    pub id_masked: String,
    pub status: Written,
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

/// Reads the roster at `path` and creates or updates the employee folders in `out`.
/// `districts` and `today` are what the profile parser needs (the rulebook's districts, the
/// application date).
pub fn import(
    path: &Path,
    out: &Path,
    districts: &[String],
    today: Date,
) -> Result<Imported, Error> {
    let plan = plan(path, out, districts, today)?;
    write(plan)
}

/// Everything `roster import` will write, decided before anything is written.
struct Plan {
    out: PathBuf,
    company: Option<String>,
    rows: Vec<PlannedRow>,
    skipped_rows: Vec<usize>,
}

struct PlannedRow {
    row: usize,
    folder: String,
    text: String,
    name: String,
    id_masked: String,
}

fn roster_error(path: &Path, problems: Vec<Problem>) -> Error {
    Error::Roster(Invalid {
        path: path.to_path_buf(),
        problems,
    })
}

/// Reads the workbook (any of xlsx, xls, xlsb, ods, by content), bounded in size.
fn open(path: &Path) -> Result<calamine::Sheets<Cursor<Vec<u8>>>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if !meta.is_file() {
        let path = path.display();
        return Err(Error::Usage(t!(
            "{path}：不是文件；请给出花名册工作簿（.xlsx）",
            "{path}: not a file; give the roster workbook (.xlsx)"
        )));
    }
    if meta.len() > MAX_ROSTER_BYTES {
        let (path, len, most) = (path.display(), meta.len(), MAX_ROSTER_BYTES / 1024 / 1024);
        return Err(Error::Usage(t!(
            "{path}：{len} 字节，超过花名册的上限 {most} MB",
            "{path}: {len} bytes, more than the {most} MB a roster may have"
        )));
    }
    let bytes = crate::input::open_regular(path)
        .and_then(|f| {
            use std::io::Read;
            let mut v = Vec::new();
            f.take(MAX_ROSTER_BYTES + 1).read_to_end(&mut v).map(|_| v)
        })
        .map_err(|e| Error::io(path, &e))?;
    // An xlsx is a ZIP: what its parts unpack to is bounded before calamine unpacks them (a
    // 3 MB workbook padded with 3 GB of spaces took 3 GB of memory).
    if bytes.starts_with(b"PK") {
        let unpacked: u64 =
            crate::bundle::zipfmt::read_directory(&mut Cursor::new(&bytes), bytes.len() as u64)
                .map(|entries| entries.iter().map(|e| e.size).sum())
                .unwrap_or(0);
        if unpacked > MAX_ROSTER_UNPACKED {
            let (path, most) = (path.display(), MAX_ROSTER_UNPACKED / 1024 / 1024);
            return Err(Error::Usage(t!(
                "{path}：解压后有 {unpacked} 字节，超过花名册的上限 {most} MB：请用 `dossier roster new` 的模板",
                "{path}: unpacks to {unpacked} bytes, more than the {most} MB a roster may have: start from `dossier roster new`"
            )));
        }
    }
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        let path = path.display();
        Error::Usage(t!(
            "{path}：不是可读取的 Excel 文件：{e}",
            "{path}: not an Excel workbook that can be read: {e}"
        ))
    })
}

/// A sheet by name, or the problem that it is missing.
fn sheet(
    wb: &mut calamine::Sheets<Cursor<Vec<u8>>>,
    name: &str,
) -> Result<Option<Range<Data>>, Problem> {
    let names = wb.sheet_names();
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    wb.worksheet_range(name).map(Some).map_err(|e| Problem {
        at: name.to_string(),
        message: t!("无法读取这个工作表：{e}", "the sheet cannot be read: {e}"),
    })
}

/// The cell at an absolute position (0-based row and column).
fn cell_at(range: &Range<Data>, row: usize, col: usize) -> Cell {
    range
        .get_value((row as u32, col as u32))
        .map_or(Cell::Empty, Cell::from_data)
}

fn plan(path: &Path, out: &Path, districts: &[String], today: Date) -> Result<Plan, Error> {
    check_out(out)?;
    let wb = open(path)?;
    plan_rows(path, out, wb, districts, today)
}

/// `-o` must be a department folder: not an employee's, not inside a `scans/`.
fn check_out(out: &Path) -> Result<(), Error> {
    if out.join("applicant.toml").exists() {
        let out = out.display();
        return Err(Error::Usage(t!(
            "-o {out}：是员工文件夹（含 applicant.toml）；请给出存放员工文件夹的部门文件夹",
            "-o {out}: is an employee folder (it holds applicant.toml); give the department folder the employee folders go in"
        )));
    }
    // `out` is a folder: anything written goes below it (the scans folder itself counts).
    if crate::output::inside_scans(&out.join("x")) {
        let out = out.display();
        return Err(Error::Usage(t!(
            "-o {out}：在员工的 scans/ 文件夹内，不能写入：请给出部门文件夹",
            "-o {out}: is inside an employee's scans/ folder: give the department folder"
        )));
    }
    Ok(())
}

/// The rows of `员工` as applicant files, each validated with the employer it inherits, and the
/// folders they go to; every problem of the workbook at its cell, or nothing is planned.
fn plan_rows(
    path: &Path,
    out: &Path,
    mut wb: calamine::Sheets<Cursor<Vec<u8>>>,
    districts: &[String],
    today: Date,
) -> Result<Plan, Error> {
    let mut problems = Vec::new();
    let employees = match sheet(&mut wb, EMPLOYEE_SHEET) {
        Ok(Some(r)) => r,
        Ok(None) => {
            let names = wb.sheet_names().join("、");
            return Err(roster_error(
                path,
                vec![Problem {
                    at: EMPLOYEE_SHEET.into(),
                    message: t!(
                        "工作簿中没有名为“员工”的工作表（有：{names}）：请从 `dossier roster new` 开始",
                        "the workbook has no sheet named 员工 (it has: {names}): start from `dossier roster new`"
                    ),
                }],
            ));
        }
        Err(p) => return Err(roster_error(path, vec![p])),
    };
    let company_range = match sheet(&mut wb, COMPANY_SHEET) {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            None
        }
    };

    // The employer the rows inherit: the sheet 单位 (validated as the company.toml it becomes,
    // located at its cells), or else the department's company.toml as it is.
    let company = company(company_range.as_ref(), &mut problems);
    let inherited = inherited_employer(&company, out, districts, today, &mut problems)?;
    // Without a usable employer every row would say so: it is reported once, above.
    let employer_ok = inherited.is_some();

    // Headers of 员工, row 1.
    let columns = headers(&employees, &mut problems);
    let Some(columns) = columns else {
        return Err(roster_error(path, problems));
    };

    let existing = existing_people(out);
    let mut rows = Vec::new();
    let mut skipped_rows = Vec::new();
    let end_row = employees.end().map_or(0, |(r, _)| r as usize);
    // Whole-file diagnostics about the employer repeat on every row: reported once.
    let mut seen = std::collections::HashSet::new();
    for row in 1..=end_row {
        let mut by_header = HashMap::new();
        let mut any = false;
        for (&col, column) in &columns {
            let cell = cell_at(&employees, row, col);
            any |= !cell.is_empty();
            by_header.insert(
                column.header,
                Value {
                    addr: Addr {
                        sheet: EMPLOYEE_SHEET,
                        row,
                        col,
                        header: column.header,
                    },
                    cell,
                    column: *column,
                },
            );
        }
        // Cells outside the known columns count too: a row with only a note is not empty.
        let any_other = (0..employees.end().map_or(0, |(_, c)| c as usize + 1))
            .filter(|c| !columns.contains_key(c))
            .any(|c| !cell_at(&employees, row, c).is_empty());
        if !any {
            if !any_other {
                skipped_rows.push(row + 1);
            }
            continue;
        }
        let mut f = Fields {
            by_header,
            problems: Vec::new(),
            table_keys: Vec::new(),
        };
        let g = applicant_text(&mut f);
        let parsed = Profile::parse_with(&g.text, inherited.as_ref(), districts, today);
        // Cells that could not become a value are reported as such, not again by the parser.
        let mut row_problems = std::mem::take(&mut f.problems);
        match parsed {
            Ok(profile) => {
                let folder = match f.get("文件夹") {
                    Some(v) => {
                        let name = v.cell.text();
                        if let Some(why) = bad_folder_name(&name) {
                            row_problems.push(Problem {
                                at: cell_address(EMPLOYEE_SHEET, row, v.addr.col),
                                message: {
                                    let name = name.escape_debug();
                                    why.map(|_, why| format!("文件夹: “{name}” {why}"))
                                },
                            });
                        }
                        name
                    }
                    None => profile.file_stem(),
                };
                if row_problems.is_empty() {
                    rows.push((row, folder, g.text, profile));
                }
            }
            Err(diags) => {
                for d in diags {
                    // The employer is inherited: what it lacks is a cell of 单位, said once.
                    if d.line == 0 && d.message.en.contains("[employer]") {
                        if !employer_ok {
                            continue;
                        }
                        let p = at_key(&d.message, &company.empty_keys, COMPANY_SHEET.into());
                        if seen.insert((p.at.clone(), p.message.clone())) {
                            problems.push(p);
                        }
                        continue;
                    }
                    let p = locate(&d, &g, format!("{EMPLOYEE_SHEET}!{}:{}", row + 1, row + 1));
                    if row_problems.iter().any(|q| q.at == p.at) {
                        continue;
                    }
                    row_problems.push(p);
                }
            }
        }
        problems.append(&mut row_problems);
    }
    let planned = one_folder_per_person(rows, &columns, &existing, out, &mut problems);
    if !problems.is_empty() {
        return Err(roster_error(path, problems));
    }
    Ok(Plan {
        out: out.to_path_buf(),
        company: company.given.then_some(company.gen.text),
        rows: planned,
        skipped_rows,
    })
}

/// The employer the rows inherit: the sheet 单位 (validated as the company.toml it becomes,
/// located at its cells), or else the department's company.toml as it is; `None` (with the
/// problem said) when there is neither.
fn inherited_employer(
    company: &Company,
    out: &Path,
    districts: &[String],
    today: Date,
    problems: &mut Vec<Problem>,
) -> Result<Option<crate::profile::Company>, Error> {
    let company_file = out.join(crate::profile::COMPANY_FILE);
    Ok(if company.given {
        match crate::profile::Company::parse(&company.gen.text, districts, today) {
            Ok(employer) => Some(crate::profile::Company {
                path: company_file,
                employer,
                warnings: Vec::new(),
            }),
            Err(diags) => {
                for d in diags {
                    problems.push(locate(&d, &company.gen, COMPANY_SHEET.into()));
                }
                None
            }
        }
    } else if company_file.is_file() {
        Some(crate::profile::Company::load(
            &company_file,
            districts,
            today,
        )?)
    } else {
        problems.push(Problem {
            at: COMPANY_SHEET.into(),
            message: {
                let out = out.display();
                t!(
                    "缺少单位信息：工作表“单位”不存在或为空，{out} 中也没有 company.toml：在 B 列填写单位名称、统一社会信用代码、所在区、经办人",
                    "the sheet 单位 is missing or empty, and {out} has no company.toml: fill in 单位名称, 统一社会信用代码, 所在区, 经办人 in column B"
                )
            },
        });
        None
    })
}

/// The columns of `员工` found in row 1, by 0-based column index; `None` when the sheet cannot
/// be used at all (no header row, no 姓名 or 身份证号).
fn headers(range: &Range<Data>, problems: &mut Vec<Problem>) -> Option<BTreeMap<usize, Column>> {
    let width = range.end().map_or(0, |(_, c)| c as usize + 1);
    let mut found: BTreeMap<usize, Column> = BTreeMap::new();
    let mut unknown = Vec::new();
    for col in 0..width {
        let text = cell_at(range, 0, col).text();
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match EMPLOYEE_COLUMNS.iter().find(|c| c.header == text) {
            Some(c) => {
                if let Some((&first, _)) = found.iter().find(|(_, f)| f.header == c.header) {
                    problems.push(Problem {
                        at: cell_address(EMPLOYEE_SHEET, 0, col),
                        message: {
                            let also = cell_address(EMPLOYEE_SHEET, 0, first);
                            t!(
                                "列名 {text} 重复，另一个在 {also}",
                                "the column {text} appears twice, also at {also}"
                            )
                        },
                    });
                    continue;
                }
                found.insert(col, *c);
            }
            None => unknown.push((col, text.to_string())),
        }
    }
    // An unknown header close to a missing one is a typo of it, not an extra column.
    for (col, text) in unknown {
        let missing = EMPLOYEE_COLUMNS
            .iter()
            .filter(|c| !found.values().any(|f| f.header == c.header))
            .map(|c| c.header);
        if let Some(s) = crate::profile::suggest(&text, missing) {
            problems.push(Problem {
                at: cell_address(EMPLOYEE_SHEET, 0, col),
                message: t!(
                    "未知列名“{text}”；是不是“{s}”？",
                    "unknown column “{text}”; did you mean “{s}”?"
                ),
            });
        }
    }
    let mut ok = true;
    for must in ["姓名", "身份证号"] {
        if !found.values().any(|c| c.header == must) {
            problems.push(Problem {
                at: format!("{EMPLOYEE_SHEET}!1:1"),
                message: t!(
                    "第 1 行缺少“{must}”列：请从 `dossier roster new` 开始",
                    "no column {must} in the header row: start from `dossier roster new`"
                ),
            });
            ok = false;
        }
    }
    ok.then_some(found)
}

/// The sheet `单位` as the text of a `company.toml`, each line with its cell.
fn company(range: Option<&Range<Data>>, problems: &mut Vec<Problem>) -> Company {
    let Some(range) = range else {
        return Company::default();
    };
    let keys = [
        ("单位名称", "name"),
        ("统一社会信用代码", "credit_code"),
        ("所在区", "district"),
        ("单位类型", "kind"),
        ("是否派遣", "dispatched"),
        ("经办人", "hr_name"),
        ("经办人电话", "hr_phone"),
    ];
    let height = range.end().map_or(0, |(r, _)| r as usize + 1);
    let mut given = false;
    let mut f = Fields {
        by_header: HashMap::new(),
        problems: Vec::new(),
        table_keys: Vec::new(),
    };
    for row in 0..height {
        let label = cell_at(range, row, 0).text();
        let Some(column) = COMPANY_FIELDS.iter().find(|c| c.header == label.trim()) else {
            continue;
        };
        let cell = cell_at(range, row, 1);
        given |= !cell.is_empty();
        f.by_header.insert(
            column.header,
            Value {
                addr: Addr {
                    sheet: COMPANY_SHEET,
                    row,
                    col: 1,
                    header: column.header,
                },
                cell,
                column: *column,
            },
        );
    }
    let mut g = Gen::default();
    // The comment does not name the workbook: the same roster saved under another name (花名册
    // -1130.xlsx) must not count as a change of every file.
    g.line(
        "# 单位信息：由 `dossier roster import` 根据花名册的「单位」表生成。",
        Origin::None,
    );
    g.line(
        "# 本部门每个员工文件夹的 [employer] 都取自这个文件；请改花名册后重新导入，不要直接改这个文件。",
        Origin::None,
    );
    g.line("", Origin::None);
    let at = g.origins.len();
    g.line("[employer]", Origin::None);
    for (header, key) in keys {
        f.kv(&mut g, key, header);
    }
    let empty_keys = f.table_keys.clone();
    f.close(&mut g, at);
    problems.append(&mut f.problems);
    Company {
        gen: g,
        empty_keys,
        given,
    }
}

/// The employer as read from the sheet `单位`.
#[derive(Default)]
struct Company {
    /// The text of `company.toml`, each line with its cell.
    gen: Gen,
    /// Keys whose cell in column B is empty: where "missing key" of an employee points.
    empty_keys: Vec<(&'static str, Addr)>,
    /// Whether any value was given.
    given: bool,
}

/// The `applicant.toml` of one row.
fn applicant_text(f: &mut Fields) -> Gen {
    let mut g = Gen::default();
    g.line(
        "# 申请人信息：由 `dossier roster import` 根据花名册的「员工」表生成。",
        Origin::None,
    );
    g.line("# 请改花名册后重新导入，不要直接改这个文件。", Origin::None);
    g.line("", Origin::None);
    let at = g.origins.len();
    f.header(&mut g, "[applicant]");
    f.kv(&mut g, "name", "姓名");
    f.kv(&mut g, "id_number", "身份证号");
    f.kv(&mut g, "phone", "手机号");
    f.kv(&mut g, "hukou", "户口类型");
    f.kv(&mut g, "permit_expires", "居住证有效期");
    f.close(&mut g, at);

    g.line("", Origin::None);
    let at = g.origins.len();
    f.header(&mut g, "[family]");
    f.kv(&mut g, "marital_status", "婚姻状况");
    f.kv(&mut g, "married_on", "结婚日期");
    f.close(&mut g, at);
    if f.get("配偶姓名").is_some() || f.get("配偶身份证号").is_some() {
        let at = g.origins.len();
        f.header(&mut g, "[family.spouse]");
        f.kv(&mut g, "name", "配偶姓名");
        f.kv(&mut g, "id_number", "配偶身份证号");
        f.kv(&mut g, "shanghai_hukou", "配偶上海户籍");
        f.close(&mut g, at);
    }
    for header in ["子女1出生日期", "子女2出生日期", "子女3出生日期"] {
        if let Some(v) = f.get(header).cloned() {
            g.line("[[family.children]]", Origin::Cell(v.addr));
            f.kv(&mut g, "birth_date", header);
        }
    }

    g.line("", Origin::None);
    let at = g.origins.len();
    f.header(&mut g, "[education]");
    f.kv(&mut g, "level", "学历");
    f.kv(&mut g, "degree", "学位");
    f.kv(&mut g, "mode", "学习形式");
    f.kv(&mut g, "graduated_on", "毕业日期");
    f.kv(&mut g, "overseas", "海外学历");
    f.kv(&mut g, "fresh_graduate", "应届生");
    f.kv(&mut g, "shortage_major", "紧缺专业");
    f.close(&mut g, at);

    g.line("", Origin::None);
    let at = g.origins.len();
    f.header(&mut g, "[insurance]");
    f.kv(&mut g, "months", "社保月数");
    f.kv(&mut g, "base_ratio", "社保基数比例");
    f.close(&mut g, at);

    for (level, name, kind) in [
        ("技能等级", "技能名称", "skill"),
        ("职称", "职称名称", "title"),
    ] {
        if let Some(v) = f.get(level).cloned() {
            g.line("", Origin::None);
            g.line("[[certificates]]", Origin::Cell(v.addr));
            g.line(&format!("type = \"{kind}\""), Origin::None);
            f.kv(&mut g, "level", level);
            f.kv(&mut g, "name", name);
        }
    }

    if f.by_header.contains_key("完税证明") {
        g.line("", Origin::None);
        g.line("[tax]", Origin::None);
        f.kv(&mut g, "certificates", "完税证明");
        f.table_keys.clear();
    }
    g
}

/// The problem a parser diagnostic is, at the cell its line came from (`fallback` for a line
/// that came from no cell).
fn locate(d: &Diagnostic, g: &Gen, fallback: String) -> Problem {
    let origin = if d.line == 0 {
        &Origin::None
    } else {
        g.origins.get(d.line - 1).unwrap_or(&Origin::None)
    };
    match origin {
        Origin::Cell(a) => Problem {
            at: cell_address(a.sheet, a.row, a.col),
            message: d
                .message
                .clone()
                .map(|_, m| format!("{}: {}", a.header, mask_id_numbers(&m))),
        },
        Origin::Table(keys) => at_key(&d.message, keys, fallback),
        Origin::None => Problem {
            at: fallback,
            message: d.message.clone().map(|_, m| mask_id_numbers(&m)),
        },
    }
}

/// A "missing key" diagnostic at the (empty) cell of that key, if it has one.
fn at_key(message: &Text, keys: &[(&'static str, Addr)], fallback: String) -> Problem {
    let message = message.clone().map(|_, m| mask_id_numbers(&m));
    match keys
        .iter()
        .find(|(k, _)| message.en.contains(&format!("`{k}`")))
    {
        Some((_, a)) => Problem {
            at: cell_address(a.sheet, a.row, a.col),
            message: message.map(|lang, m| match lang {
                crate::messages::Lang::Zh => format!("{}: 必填，不能为空：{m}", a.header),
                crate::messages::Lang::En => format!("{}: required: {m}", a.header),
            }),
        },
        None => Problem {
            at: fallback,
            message,
        },
    }
}

/// Writes what [`plan`] decided: folders created private, files replaced only when changed.
fn write(plan: Plan) -> Result<Imported, Error> {
    let out = plan.out;
    create_private_dir(&out)?;
    let company = match &plan.company {
        Some(text) => Some(replace_if_changed(&out, "company.toml", text)?),
        None => None,
    };
    let mut employees = Vec::with_capacity(plan.rows.len());
    for r in plan.rows {
        let dir = out.join(&r.folder);
        create_private_dir(&dir)?;
        // applicant.toml first: refused (a link, a folder in its place), nothing else is made.
        let status = replace_if_changed(&dir, "applicant.toml", &r.text)?;
        create_private_dir(&dir.join("scans"))?;
        employees.push(ImportedEmployee {
            row: r.row,
            folder: r.folder,
            name: r.name,
            id_masked: r.id_masked,
            status,
        });
    }
    Ok(Imported {
        out,
        company,
        employees,
        skipped_rows: plan.skipped_rows,
    })
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    crate::platform::create_private_dir(dir).map_err(|e| Error::io(dir, &e))
}

/// Writes `dir/name` atomically unless it already holds exactly `text`.
fn replace_if_changed(dir: &Path, name: &str, text: &str) -> Result<Written, Error> {
    let path = dir.join(name);
    let status = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => match std::fs::read(&path) {
            Ok(old) if old == text.as_bytes() => return Ok(Written::Unchanged),
            _ => Written::Updated,
        },
        Ok(_) => {
            let path = path.display();
            return Err(Error::Usage(t!(
                "{path}：不是普通文件；roster import 只写普通文件",
                "{path}: is not a regular file; roster import writes only regular files"
            )));
        }
        Err(_) => Written::Created,
    };
    crate::bundle::write_atomic(dir, name, text.as_bytes(), true)
        .map_err(crate::pack::bundle_error)?;
    Ok(status)
}
