//! The Excel roster (SPEC §12): the spreadsheet HR already keeps, in and out of the employee
//! folders. [`template`] writes the blank roster (`roster new`), [`import`] turns its rows into
//! employee folders (`roster import`), [`export`] writes a department's status (`roster export`).
//!
//! Invariants: the columns of the sheet `员工` and the labels of the sheet `单位` are defined once,
//! here ([`EMPLOYEE_COLUMNS`], [`COMPANY_FIELDS`]), and both the template and the import read
//! them, so a roster written by `roster new` is always one `roster import` reads. An imported
//! row is validated by the profile parser itself, on the very `applicant.toml` text that would
//! be written: there is no second set of rules for the spreadsheet. Nothing here prints; the
//! command formats what these functions return.

pub mod export;
pub mod import;
pub mod template;

use std::path::PathBuf;

use crate::profile;

/// The sheet of employees, one per row, headers in row 1.
pub const EMPLOYEE_SHEET: &str = "员工";
/// The sheet of the employer: labels in column A, values in column B.
pub const COMPANY_SHEET: &str = "单位";
/// `roster export`: one row per employee.
pub const SUMMARY_SHEET: &str = "汇总";
/// `roster export`: employees × checklist items.
pub const MATERIALS_SHEET: &str = "材料";

/// What a cell of the roster holds, which decides how it is read and offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names).
    Text,
    /// An 18-character ID number: must be text in Excel (a number loses its last digits).
    IdNumber,
    /// A mobile number (a number cell is read as its digits).
    Phone,
    /// A date: an Excel date cell, or text such as 2017-05-01.
    Date,
    /// One of a closed list of the profile's codes, offered as a drop-down of the words a
    /// clerk writes for them (`已婚` for `married`: [`crate::profile::WORDS`]).
    Choice(&'static [&'static str]),
    /// A skill level, 五级 (lowest) … 一级 (highest).
    Skill,
    /// 是 / 否.
    YesNo,
    /// A whole number.
    Int,
    /// A decimal number.
    Number,
    /// One of the rulebook's districts (a drop-down made from the rulebook).
    District,
}

/// One column of the sheet `员工` or one line of the sheet `单位`.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header (`员工`) or label (`单位`), as SPEC §12 names it.
    pub header: &'static str,
    pub kind: Kind,
    /// Width in Excel character units (a CJK character is about two).
    pub width: f64,
    /// What to type, shown as the header cell's note in the template.
    pub note: &'static str,
}

pub const YES_NO: &[&str] = &["是", "否"];
pub const SKILL_ZH: &[&str] = &["五级", "四级", "三级", "二级", "一级"];

/// The drop-down of a column: the word a clerk writes for each code (the first of its words
/// in the profile's table), in the order of the codes.
pub fn choices(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Choice(codes) => codes
            .iter()
            .map(|code| {
                crate::profile::WORDS
                    .iter()
                    .find(|(_, c)| c == code)
                    .map_or(*code, |(word, _)| *word)
            })
            .collect(),
        Kind::Skill => SKILL_ZH.to_vec(),
        Kind::YesNo => YES_NO.to_vec(),
        _ => Vec::new(),
    }
}

const fn col(header: &'static str, kind: Kind, width: f64, note: &'static str) -> Column {
    Column {
        header,
        kind,
        width,
        note,
    }
}

/// The columns of the sheet `员工`, in the template's order (SPEC §12). Import finds them by
/// header, so a clerk may reorder them or delete those she never fills.
pub const EMPLOYEE_COLUMNS: &[Column] = &[
    col(
        "文件夹",
        Kind::Text,
        16.0,
        "员工文件夹的名称（可不填：默认为 姓名-身份证号后4位）",
    ),
    col("姓名", Kind::Text, 10.0, "申请人姓名（必填）"),
    col(
        "身份证号",
        Kind::IdNumber,
        22.0,
        "18 位身份证号（必填）。本列为文本格式：请勿改成数字，否则 Excel 会丢掉后几位",
    ),
    col("手机号", Kind::Phone, 14.0, "申请人手机号（可不填）"),
    col(
        "户口类型",
        Kind::Choice(profile::HUKOU),
        10.0,
        "家庭户（户口簿）或 集体户（集体户口）（必填）",
    ),
    col(
        "居住证有效期",
        Kind::Date,
        13.0,
        "上海市居住证有效期至，日期（可不填）",
    ),
    col(
        "婚姻状况",
        Kind::Choice(profile::MARITAL),
        10.0,
        "未婚 / 已婚 / 离异 / 丧偶（必填）。已婚须填写配偶姓名和配偶身份证号",
    ),
    col(
        "结婚日期",
        Kind::Date,
        12.0,
        "结婚登记日期（可不填；配偶户籍加分需要）",
    ),
    col("配偶姓名", Kind::Text, 10.0, "已婚时必填"),
    col(
        "配偶身份证号",
        Kind::IdNumber,
        22.0,
        "已婚时必填，18 位，文本格式",
    ),
    col(
        "配偶上海户籍",
        Kind::YesNo,
        12.0,
        "配偶是否本市户籍：是 / 否（不填为 否）",
    ),
    col(
        "子女1出生日期",
        Kind::Date,
        13.0,
        "第一个子女的出生日期（无子女不填）",
    ),
    col("子女2出生日期", Kind::Date, 13.0, "第二个子女的出生日期"),
    col("子女3出生日期", Kind::Date, 13.0, "第三个子女的出生日期"),
    col(
        "学历",
        Kind::Choice(profile::LEVELS),
        8.0,
        "最高学历：无 / 大专 / 本科 / 硕士 / 博士（必填）",
    ),
    col(
        "学位",
        Kind::YesNo,
        8.0,
        "是否持有相应学位证书：是 / 否（不填为 否）",
    ),
    col(
        "学习形式",
        Kind::Choice(profile::MODES),
        11.0,
        "全日制 / 成人高考 / 自学考试 / 网络教育 / 开放大学（不填为 全日制）",
    ),
    col(
        "毕业日期",
        Kind::Date,
        12.0,
        "毕业证书上的日期（有学历时必填）",
    ),
    col(
        "海外学历",
        Kind::YesNo,
        10.0,
        "国（境）外学历学位：是 / 否（不填为 否）",
    ),
    col(
        "应届生",
        Kind::YesNo,
        8.0,
        "应届高校毕业生：是 / 否（不填为 否）",
    ),
    col(
        "紧缺专业",
        Kind::YesNo,
        10.0,
        "本市紧缺急需专业：是 / 否（不填为 否）",
    ),
    col(
        "社保月数",
        Kind::Int,
        10.0,
        "在本市按时缴纳职工社保的月数（必填，整数；补缴不算）",
    ),
    col(
        "社保基数比例",
        Kind::Number,
        13.0,
        "缴费基数 ÷ 上年度全市职工月平均工资，例如 0.7、1、2.5（必填）",
    ),
    col(
        "技能等级",
        Kind::Skill,
        10.0,
        "职业资格/技能等级：五级（最低）… 一级（最高）（无则不填）",
    ),
    col("技能名称", Kind::Text, 12.0, "技能证书的工种，例如 电工"),
    col(
        "职称",
        Kind::Choice(profile::TITLE_LEVELS),
        8.0,
        "专业技术职称：初级 / 中级 / 高级（无则不填）",
    ),
    col("职称名称", Kind::Text, 14.0, "职称名称，例如 工程师"),
    col(
        "完税证明",
        Kind::YesNo,
        10.0,
        "提供个人所得税纳税（完税）证明：是 / 否（不填为 否）",
    ),
];

/// The lines of the sheet `单位`: label in column A, value in column B (SPEC §12).
pub const COMPANY_FIELDS: &[Column] = &[
    col("单位名称", Kind::Text, 0.0, "与营业执照一致"),
    col(
        "统一社会信用代码",
        Kind::Text,
        0.0,
        "18 位，营业执照上的代码",
    ),
    col(
        "所在区",
        Kind::District,
        0.0,
        "单位注册地所在区，决定去哪个区的人才服务中心",
    ),
    col(
        "单位类型",
        Kind::Choice(profile::EMPLOYER_KINDS),
        0.0,
        "企业 / 事业单位 / 社会组织",
    ),
    col(
        "是否派遣",
        Kind::YesNo,
        0.0,
        "劳务派遣：是 / 否（是：须加派遣协议和派遣岗位协议）",
    ),
    col("经办人", Kind::Text, 0.0, "去窗口办理的单位人事经办人"),
    col("经办人电话", Kind::Phone, 0.0, "经办人手机号（可不填）"),
];

/// The column letters of a 0-based column index (0 → A, 27 → AB).
pub fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell's address as Excel shows it, with its sheet: `员工!G5` (row and column 0-based).
pub fn cell_address(sheet: &str, row: usize, col: usize) -> String {
    format!("{sheet}!{}{}", column_letters(col), row + 1)
}

/// One problem with the roster, at a cell (`员工!G5`), a row (`员工!5:5`) or a sheet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Where: `员工!G5`, `员工!5:5`, `单位!B3` or the sheet name.
    pub at: String,
    pub message: crate::messages::Text,
}

/// Why a roster cannot be read or imported: every problem at once.
#[derive(Debug)]
pub struct Invalid {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

impl Invalid {
    /// One line per problem, `file: 员工!G5: message`, then the count, in `lang`.
    pub fn render_in(&self, lang: crate::messages::Lang) -> String {
        let mut out = String::new();
        let path = self.path.display();
        for p in &self.problems {
            out.push_str(&format!(
                "{}{path}: {}: {}\n",
                crate::error::error_word(lang),
                p.at,
                p.message.get(lang)
            ));
        }
        let n = self.problems.len();
        out.push_str(&match lang {
            crate::messages::Lang::Zh => {
                format!("花名册 {path} 共 {n} 处问题，全部改正后再导入，未写入任何文件")
            }
            crate::messages::Lang::En => {
                format!("{n} problem(s) in the roster {path}; nothing was written")
            }
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(6), "G");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(cell_address("员工", 4, 6), "员工!G5");
    }

    #[test]
    fn drop_downs_are_the_words_of_the_profile() {
        let list = |h: &str| {
            choices(
                EMPLOYEE_COLUMNS
                    .iter()
                    .find(|c| c.header == h)
                    .unwrap()
                    .kind,
            )
            .join(",")
        };
        assert_eq!(list("婚姻状况"), "未婚,已婚,离异,丧偶");
        assert_eq!(list("户口类型"), "家庭户,集体户");
        assert_eq!(list("学历"), "无,大专,本科,硕士,博士");
        assert_eq!(
            list("学习形式"),
            "全日制,成人高考,自学考试,网络教育,开放大学"
        );
        assert_eq!(list("职称"), "初级,中级,高级");
        assert_eq!(list("技能等级"), "五级,四级,三级,二级,一级");
        assert_eq!(list("学位"), "是,否");
        let kind = COMPANY_FIELDS
            .iter()
            .find(|c| c.header == "单位类型")
            .unwrap()
            .kind;
        assert_eq!(choices(kind).join(","), "企业,事业单位,社会组织");
    }

    #[test]
    fn the_columns_are_the_spec_headers_once_each() {
        let spec = "文件夹, 姓名, 身份证号, 手机号, 户口类型, 居住证有效期, 婚姻状况, 结婚日期, 配偶姓名, 配偶身份证号, 配偶上海户籍, 子女1出生日期, 子女2出生日期, 子女3出生日期, 学历, 学位, 学习形式, 毕业日期, 海外学历, 应届生, 紧缺专业, 社保月数, 社保基数比例, 技能等级, 技能名称, 职称, 职称名称, 完税证明";
        let headers: Vec<&str> = EMPLOYEE_COLUMNS.iter().map(|c| c.header).collect();
        assert_eq!(headers.join(", "), spec);
        let labels: Vec<&str> = COMPANY_FIELDS.iter().map(|c| c.header).collect();
        assert_eq!(
            labels.join(", "),
            "单位名称, 统一社会信用代码, 所在区, 单位类型, 是否派遣, 经办人, 经办人电话"
        );
    }
}
