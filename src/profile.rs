//! The applicant's circumstances, read from `applicant.toml` (SPEC §3).
//!
//! Parsing walks the spanned TOML tree by hand rather than through serde so that every problem
//! in the file is reported in one go, each located by line and column: syntax, unknown keys
//! (with "did you mean"), wrong types, check characters, impossible dates and inconsistencies.
//! Invariant: a `Profile` that exists is valid — its ID numbers pass their check characters,
//! its dates are real and not in the future, and marital status, spouse and children agree.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::date::{Date, Month};
use crate::error::{Diagnostic, Error};
use crate::idnum;
use crate::t;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Profile {
    pub applicant: Applicant,
    pub employer: Employer,
    pub family: Family,
    pub education: Education,
    pub insurance: Insurance,
    pub certificates: Vec<Certificate>,
    pub tax: Tax,
    pub bonus: Bonus,
    pub deductions: Deductions,
    /// What was read but should be fixed in the file (not UTF-8 …), for the commands to show.
    #[serde(skip)]
    pub warnings: Vec<crate::messages::Text>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Applicant {
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    /// `family` (户口簿) or `collective` (集体户口).
    pub hukou: String,
    pub permit_expires: Option<Date>,
    /// From the ID number; not a TOML key.
    pub birth_date: Date,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Employer {
    pub name: String,
    pub credit_code: String,
    pub district: String,
    /// `enterprise`, `institution` or `social-org`.
    pub kind: String,
    pub dispatched: bool,
    pub hr_name: String,
    pub hr_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Family {
    /// `single`, `married`, `divorced` or `widowed`.
    pub marital_status: String,
    pub married_on: Option<Date>,
    pub spouse: Option<Spouse>,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Spouse {
    pub name: String,
    pub id_number: String,
    pub shanghai_hukou: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Child {
    pub name: String,
    pub birth_date: Date,
    /// A child of an earlier marriage (再婚前所生): not counted among the current couple's
    /// children for the birth-permit rule.
    pub earlier_marriage: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Education {
    /// `none`, `associate`, `bachelor`, `master` or `doctorate`.
    pub level: String,
    pub degree: bool,
    /// `full-time`, `adult-exam`, `self-study`, `online` or `open-university`.
    pub mode: String,
    pub graduated_on: Option<Date>,
    pub overseas: bool,
    pub fresh_graduate: bool,
    pub shortage_major: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Insurance {
    /// Months of Shanghai employee social insurance paid on time (back-pay excluded): the
    /// record's length. With `periods`, the months they cover.
    pub months: i64,
    /// Full years of the record (`months / 12`): what the years item counts.
    pub years: i64,
    /// The shorthand's one constant ratio of the contribution base to the city's average wage;
    /// `None` with `periods`, where each period has its own base.
    pub base_ratio: Option<f64>,
    /// Paying in the application month (default true).
    pub contributing: bool,
    /// The contribution base over time (社保缴费记录), oldest first; empty for the shorthand.
    pub periods: Vec<Period>,
}

/// Months of insurance at one contribution base, both ends included.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Period {
    pub from: Month,
    /// `None`: up to the application month (whatever date the record is read for).
    pub to: Option<Month>,
    /// The monthly contribution base in yuan (缴费基数), made a ratio by the rulebook's table of
    /// the city's average wage.
    pub base: Option<f64>,
    /// Or the ratio itself.
    pub base_ratio: Option<f64>,
}

impl Period {
    /// The last month of the period for an application in `application`.
    pub fn end(&self, application: Month) -> Month {
        self.to.unwrap_or(application)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Certificate {
    /// `skill` or `title`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Skill: 5 (lowest) .. 1 (highest); title: `junior`, `intermediate`, `senior`.
    pub level: CertLevel,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum CertLevel {
    Skill(i64),
    Title(String),
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Tax {
    pub certificates: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Bonus {
    /// 创业人才 / 创新创业中介服务人才, as recognised under the city's criteria.
    pub entrepreneur: bool,
    pub awards: Vec<String>,
    pub remote_area_years: i64,
    pub public_service_years: i64,
    pub investment_points: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Deductions {
    pub false_materials: i64,
    pub detentions: i64,
    pub crimes: i64,
    /// 严重刑事犯罪记录: a one-vote veto.
    pub serious_crime: bool,
    /// 违反国家和本市计划生育政策规定: a one-vote veto.
    pub family_planning_violation: bool,
}

pub const HUKOU: &[&str] = &["family", "collective"];
pub const EMPLOYER_KINDS: &[&str] = &["enterprise", "institution", "social-org"];
pub const MARITAL: &[&str] = &["single", "married", "divorced", "widowed"];
pub const LEVELS: &[&str] = &["none", "associate", "bachelor", "master", "doctorate"];
pub const MODES: &[&str] = &[
    "full-time",
    "adult-exam",
    "self-study",
    "online",
    "open-university",
];
pub const CERT_TYPES: &[&str] = &["skill", "title"];
pub const TITLE_LEVELS: &[&str] = &["junior", "intermediate", "senior"];
pub const AWARDS: &[&str] = &["bureau", "municipal", "national"];

/// The words a clerk may write instead of an English code (SPEC §3), as (word, code). A word
/// is read only where its code is allowed, so one table serves every field; the first word of
/// a code is the one the template and the messages show.
pub const WORDS: &[(&str, &str)] = &[
    ("家庭户", "family"),
    ("家庭户口", "family"),
    ("集体户", "collective"),
    ("集体户口", "collective"),
    ("企业", "enterprise"),
    ("事业单位", "institution"),
    ("社会组织", "social-org"),
    ("社会团体", "social-org"),
    ("民办非企业单位", "social-org"),
    ("未婚", "single"),
    ("已婚", "married"),
    ("离异", "divorced"),
    ("离婚", "divorced"),
    ("丧偶", "widowed"),
    ("无", "none"),
    ("大专", "associate"),
    ("专科", "associate"),
    ("本科", "bachelor"),
    ("硕士", "master"),
    ("硕士研究生", "master"),
    ("博士", "doctorate"),
    ("博士研究生", "doctorate"),
    ("全日制", "full-time"),
    ("成人高考", "adult-exam"),
    ("成考", "adult-exam"),
    ("自学考试", "self-study"),
    ("自考", "self-study"),
    ("网络教育", "online"),
    ("网教", "online"),
    ("开放大学", "open-university"),
    ("电大", "open-university"),
    ("技能", "skill"),
    ("技能等级", "skill"),
    ("职业资格", "skill"),
    ("职称", "title"),
    ("专业技术职称", "title"),
    ("初级", "junior"),
    ("中级", "intermediate"),
    ("高级", "senior"),
    ("副高级", "senior"),
    ("正高级", "senior"),
    ("局级", "bureau"),
    ("委办局级", "bureau"),
    ("市级", "municipal"),
    ("国家级", "national"),
    ("省部级", "national"),
];

/// Skill levels as written: `五级` (lowest) … `一级` (highest), also `5级`, `"5"`.
const SKILL_WORDS: &[(&str, i64)] = &[
    ("五级", 5),
    ("四级", 4),
    ("三级", 3),
    ("二级", 2),
    ("一级", 1),
];

/// The code a value stands for among `allowed`: the code itself or one of its [`WORDS`].
pub fn code_for<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let value = value.trim();
    allowed.iter().copied().find(|c| *c == value).or_else(|| {
        WORDS
            .iter()
            .find(|(w, _)| *w == value)
            .and_then(|(_, code)| allowed.iter().copied().find(|c| c == code))
    })
}

/// `"single" (未婚) | "married" (已婚) …`: the allowed codes with the word a clerk writes.
/// The choices of a key: in Chinese each with the Chinese word that may be written instead
/// (`"married"（已婚）`), in English the codes alone.
fn list_choices(allowed: &[&str]) -> (String, String) {
    let zh = allowed
        .iter()
        .map(|a| match WORDS.iter().find(|(_, c)| c == a) {
            Some((w, _)) => format!("\"{a}\"（{w}）"),
            None => format!("\"{a}\""),
        })
        .collect::<Vec<_>>()
        .join(" | ");
    let en = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(" | ");
    (zh, en)
}

/// A skill level 1–5 from a number or its written forms (`三级`, `3级`, `"3"`).
fn skill_level(v: &DeValue<'_>) -> Option<i64> {
    let n = match v {
        DeValue::Integer(i) => parse_int(i.as_str(), i.radix())?,
        DeValue::String(s) => {
            let s = s.trim();
            match SKILL_WORDS.iter().find(|(w, _)| *w == s) {
                Some((_, n)) => *n,
                None => s.strip_suffix('级').unwrap_or(s).trim().parse().ok()?,
            }
        }
        _ => return None,
    };
    (1..=5).contains(&n).then_some(n)
}

impl Profile {
    /// Reads and validates `applicant.toml`, with the `company.toml` of the batch it is in, if
    /// any ([`company_path`]). `districts` are the district names the rulebook knows; `today` is
    /// the application date (`--date`).
    pub fn load(path: &Path, districts: &[String], today: Date) -> Result<Profile, Error> {
        let company = match company_path(path) {
            Some(c) => Some(Company::load(&c, districts, today)?),
            None => None,
        };
        let (text, warning) = read_text(path)?;
        let mut profile = Profile::parse_with(&text, company.as_ref(), districts, today).map_err(
            |diagnostics| Error::Applicant {
                path: path.into(),
                diagnostics,
            },
        )?;
        if let Some(c) = company {
            profile.warnings.extend(
                c.warnings
                    .iter()
                    .map(|w| w.clone().map(|_, w| format!("{}: {w}", c.path.display()))),
            );
        }
        profile.warnings.extend(warning);
        Ok(profile)
    }

    /// Parses and validates the text of an `applicant.toml`; all problems or a valid profile.
    pub fn parse(
        text: &str,
        districts: &[String],
        today: Date,
    ) -> Result<Profile, Vec<Diagnostic>> {
        Profile::parse_with(text, None, districts, today)
    }

    /// As [`Profile::parse`], with the employer data of the batch's `company.toml`, which the
    /// applicant's own `[employer]` overrides key by key.
    pub fn parse_with(
        text: &str,
        company: Option<&Company>,
        districts: &[String],
        today: Date,
    ) -> Result<Profile, Vec<Diagnostic>> {
        parse_toml(text, company, districts, today, |p, root| p.profile(root))
    }

    /// The applicant's age in full years (周岁) on `on`.
    pub fn age(&self, on: Date) -> i64 {
        self.applicant.birth_date.full_years_until(on)
    }

    pub fn married(&self) -> bool {
        self.family.marital_status == "married"
    }

    /// The highest title level held (`none`, `junior`, `intermediate`, `senior`).
    pub fn best_title(&self) -> &str {
        let mut best = "none";
        for c in &self.certificates {
            if let CertLevel::Title(t) = &c.level {
                let rank = |s: &str| {
                    TITLE_LEVELS
                        .iter()
                        .position(|x| *x == s)
                        .map_or(-1, |p| p as i64)
                };
                if rank(t) > rank(best) {
                    best = TITLE_LEVELS[rank(t) as usize];
                }
            }
        }
        best
    }

    /// The highest skill level held (1 is the highest), or 0 for none.
    pub fn best_skill(&self) -> i64 {
        self.skill_levels().first().copied().unwrap_or(0)
    }

    /// Every skill level held (1 is the highest), so a rule can count the best one that scores.
    pub fn skill_levels(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .certificates
            .iter()
            .filter_map(|c| match c.level {
                CertLevel::Skill(l) if c.kind == "skill" => Some(l),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The folder-independent name used for outputs: `<name>-<last 4 of ID>`, altered where
    /// Windows would take it for a device (`NUL.A-1230` → `NUL_.A-1230`).
    pub fn file_stem(&self) -> String {
        let id = &self.applicant.id_number;
        // Never an ID number in a file name, and never a name part over 200 bytes (SPEC §7):
        // `<name>-1230-封面.pdf` stays under it.
        let name = crate::pack::file_name_part(&self.applicant.name, &self.id_numbers(), 150);
        crate::platform::windows_file_name(&format!("{name}-{}", &id[id.len().saturating_sub(4)..]))
    }

    /// The ID numbers of this file (the applicant's, the spouse's): masked wherever they appear.
    pub fn id_numbers(&self) -> Vec<String> {
        let mut ids = vec![self.applicant.id_number.clone()];
        if let Some(s) = &self.family.spouse {
            ids.push(s.id_number.clone());
        }
        ids
    }
}

/// The most `[[family.children]]` an applicant file may list (SPEC §9: a sane cap, so the
/// checklist and the check stay small).
pub const MAX_CHILDREN: usize = 20;
/// The text of an input file: UTF-8, or else GB 18030 (what Notepad saves as "ANSI" on a
/// Chinese Windows, a superset of GBK and GB 2312) with a warning to save it as UTF-8. Bytes
/// that are neither are an error located at the first byte that is not UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<(String, Option<crate::messages::Text>), Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(t) => Ok((t, None)),
        Err(e) => {
            let bytes = e.as_bytes();
            if let Some(text) =
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            {
                // GB 18030 decodes almost any byte string; text with control characters in it
                // is not a TOML file saved by an editor but something else.
                if !text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    let w = t!(
                        "文件为 GBK 编码，已按 GB 18030 读取：请另存为 UTF-8（记事本：另存为 → 编码 UTF-8）",
                        "the file is saved as GB 18030/GBK (\"ANSI\"), not UTF-8: save it as UTF-8 (Notepad: Save as → Encoding UTF-8)"
                    );
                    return Ok((text.into_owned(), Some(w)));
                }
            }
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            Err(Diagnostic::at(
                &lossy,
                at..at + 1,
                t!(
                    "文件不是 UTF-8 编码：请另存为 UTF-8，或从 `dossier init` 重新开始",
                    "the file is not UTF-8 text: save it as UTF-8, or start again from `dossier init`"
                ),
            ))
        }
    }
}

/// Parses a TOML input file and reads it with `read`; every problem found, located, or the value.
fn parse_toml<T>(
    text: &str,
    company: Option<&Company>,
    districts: &[String],
    today: Date,
    read: impl FnOnce(&mut Parser<'_>, &DeTable<'_>) -> Option<T>,
) -> Result<T, Vec<Diagnostic>> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - text_no_bom.len();
    if text_no_bom.trim().is_empty() {
        return Err(vec![Diagnostic::whole_file(t!(
            "文件为空：运行 `dossier init DIR` 得到带注释的模板",
            "the file is empty: run `dossier init DIR` for a commented template"
        ))]);
    }
    let (root, errors) = DeTable::parse_recoverable(text_no_bom);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| {
                let span = e.span().unwrap_or(0..0);
                Diagnostic::at(text, span.start + offset..span.end + offset, {
                    let m = e.message().trim();
                    t!("TOML 语法：{m}", "TOML syntax: {m}")
                })
            })
            .collect());
    }
    let mut p = Parser {
        text,
        offset,
        diags: Vec::new(),
        today,
        districts,
        company,
    };
    let value = read(&mut p, root.get_ref());
    match value {
        Some(value) if p.diags.is_empty() => Ok(value),
        _ => {
            p.diags.sort_by_key(|d| (d.line, d.column));
            p.diags.dedup();
            Err(p.diags)
        }
    }
}

/// The `company.toml` that an employee folder inherits: the one in the folder holding it (the
/// batch root), found also when the employee folder is given alone.
pub fn company_path(applicant_toml: &Path) -> Option<PathBuf> {
    let dir = match applicant_toml.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let root = std::fs::canonicalize(dir)
        .ok()?
        .parent()?
        .join(COMPANY_FILE);
    root.exists().then_some(root)
}

/// The file name of a batch's employer data.
pub const COMPANY_FILE: &str = "company.toml";

/// The employer data of a batch (`company.toml`, an `[employer]` table with the keys of
/// `applicant.toml`'s, each optional): what every employee of the batch inherits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Company {
    pub path: PathBuf,
    pub employer: PartialEmployer,
    pub warnings: Vec<crate::messages::Text>,
}

/// Employer keys as far as they are given; each validated like in `applicant.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartialEmployer {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub district: Option<String>,
    pub kind: Option<String>,
    pub dispatched: Option<bool>,
    pub hr_name: Option<String>,
    pub hr_phone: Option<String>,
}

impl Company {
    /// Reads and validates a `company.toml`.
    pub fn load(path: &Path, districts: &[String], today: Date) -> Result<Company, Error> {
        let (text, warning) = read_text(path)?;
        let employer =
            Company::parse(&text, districts, today).map_err(|diagnostics| Error::Applicant {
                path: path.into(),
                diagnostics,
            })?;
        Ok(Company {
            path: path.to_path_buf(),
            employer,
            warnings: warning.into_iter().collect(),
        })
    }

    /// Parses the text of a `company.toml`: its `[employer]` table, every key optional.
    pub fn parse(
        text: &str,
        districts: &[String],
        today: Date,
    ) -> Result<PartialEmployer, Vec<Diagnostic>> {
        parse_toml(text, None, districts, today, |p, root| {
            let top = Tbl {
                name: String::new(),
                table: root,
                span: 0..0,
            };
            p.unknown_keys(&top, &["employer"]);
            let t = p.sub_table(&top, "employer", true)?;
            Some(p.employer_keys(&t))
        })
    }
}

/// An input file's text (see [`decode`]), with the warning decoding gave, if any.
fn read_text(path: &Path) -> Result<(String, Option<crate::messages::Text>), Error> {
    // Regular files under 1 MB only: a FIFO or a device is an error, never a hang (SPEC §9).
    let what = if path.ends_with("company.toml") {
        "company file"
    } else {
        "applicant file"
    };
    let bytes = crate::input::read_bounded(path, crate::input::MAX_TEXT_INPUT, what)?;
    decode(bytes).map_err(|d| Error::Applicant {
        path: path.into(),
        diagnostics: vec![d],
    })
}

/// Keys of each table, for unknown-key checks and "did you mean".
const APPLICANT_KEYS: &[&str] = &["name", "id_number", "phone", "hukou", "permit_expires"];
const EMPLOYER_KEYS: &[&str] = &[
    "name",
    "credit_code",
    "district",
    "kind",
    "dispatched",
    "hr_name",
    "hr_phone",
];
const FAMILY_KEYS: &[&str] = &["marital_status", "married_on", "spouse", "children"];
const SPOUSE_KEYS: &[&str] = &["name", "id_number", "shanghai_hukou"];
const CHILD_KEYS: &[&str] = &["name", "birth_date", "earlier_marriage"];
const EDUCATION_KEYS: &[&str] = &[
    "level",
    "degree",
    "mode",
    "graduated_on",
    "overseas",
    "fresh_graduate",
    "shortage_major",
];
const INSURANCE_KEYS: &[&str] = &["months", "years", "base_ratio", "contributing", "periods"];
const PERIOD_KEYS: &[&str] = &["from", "to", "base", "base_ratio"];
const CERT_KEYS: &[&str] = &["type", "level", "name"];
const TAX_KEYS: &[&str] = &["certificates"];
const BONUS_KEYS: &[&str] = &[
    "entrepreneur",
    "awards",
    "remote_area_years",
    "public_service_years",
    "investment_points",
];
const DEDUCTION_KEYS: &[&str] = &[
    "false_materials",
    "detentions",
    "crimes",
    "serious_crime",
    "family_planning_violation",
];
/// The tables of applicant.toml.
pub const TOP_KEYS: &[&str] = &[
    "applicant",
    "employer",
    "family",
    "education",
    "insurance",
    "certificates",
    "tax",
    "bonus",
    "deductions",
];

type Val<'i> = Spanned<DeValue<'i>>;

struct Parser<'a> {
    text: &'a str,
    offset: usize,
    diags: Vec<Diagnostic>,
    today: Date,
    districts: &'a [String],
    /// The batch's employer data, which `[employer]` overrides key by key.
    company: Option<&'a Company>,
}

/// A table being read: remembers its name (for messages) and where it is.
struct Tbl<'t, 'i> {
    name: String,
    table: &'t DeTable<'i>,
    span: Range<usize>,
}

impl Tbl<'_, '_> {
    /// Where `key`'s value is, or the table when the key is absent.
    fn span_of(&self, key: &str) -> Range<usize> {
        self.table
            .get(key)
            .map(|v| v.span())
            .unwrap_or(self.span.clone())
    }
}

impl<'a> Parser<'a> {
    fn err(&mut self, span: Range<usize>, msg: impl Into<crate::messages::Text>) {
        let span = span.start + self.offset..span.end + self.offset;
        self.diags.push(Diagnostic::at(self.text, span, msg));
    }

    fn profile(&mut self, root: &DeTable<'_>) -> Option<Profile> {
        let top = Tbl {
            name: String::new(),
            table: root,
            span: 0..0,
        };
        self.unknown_keys(&top, TOP_KEYS);
        let applicant = self
            .sub_table(&top, "applicant", true)
            .and_then(|t| self.applicant(&t));
        let employer = match self.company {
            // With a company.toml the applicant's own [employer] is optional.
            Some(company) => {
                let empty = DeTable::new();
                let t = self.sub_table(&top, "employer", false).unwrap_or(Tbl {
                    name: "employer".into(),
                    table: &empty,
                    span: 0..0,
                });
                self.employer(&t, Some(company))
            }
            None => self
                .sub_table(&top, "employer", true)
                .and_then(|t| self.employer(&t, None)),
        };
        let family = self
            .sub_table(&top, "family", true)
            .and_then(|t| self.family(&t, applicant.as_ref()));
        let education = self
            .sub_table(&top, "education", true)
            .and_then(|t| self.education(&t, applicant.as_ref()));
        let insurance = self
            .sub_table(&top, "insurance", true)
            .and_then(|t| self.insurance(&t, applicant.as_ref()));
        let certificates = self.certificates(&top);
        let tax = match self.sub_table(&top, "tax", false) {
            Some(t) => {
                self.unknown_keys(&t, TAX_KEYS);
                Tax {
                    certificates: self.bool(&t, "certificates", Some(false)).unwrap_or(false),
                }
            }
            None => Tax::default(),
        };
        let bonus = match self.sub_table(&top, "bonus", false) {
            Some(t) => self.bonus(&t),
            None => Bonus::default(),
        };
        let deductions = match self.sub_table(&top, "deductions", false) {
            Some(t) => self.deductions(&t),
            None => Deductions::default(),
        };
        Some(Profile {
            applicant: applicant?,
            employer: employer?,
            family: family?,
            education: education?,
            insurance: insurance?,
            certificates: certificates?,
            tax,
            bonus,
            deductions,
            warnings: Vec::new(),
        })
    }

    fn applicant(&mut self, t: &Tbl) -> Option<Applicant> {
        self.unknown_keys(t, APPLICANT_KEYS);
        let name = self.name(t, "name");
        let id = self.id_number(t, "id_number");
        let phone = self.mobile(t, "phone", false);
        let hukou = self.choice(t, "hukou", HUKOU, None);
        let permit_expires = self.date(t, "permit_expires", false, false);
        let (id_number, birth_date) = id?;
        // An applicant is an employee: of working age, and alive (GB 11643's own example number
        // is born in 1880, so the ID check alone cannot say this).
        let age = birth_date.full_years_until(self.today);
        if !(16..=100).contains(&age) {
            let span = t.span_of("id_number");
            self.err(span, t!(
                "applicant.id_number：按身份证号，申请人在申请日为 {age} 周岁，不可能是在职员工：请核对出生日期的数字",
                "applicant.id_number: the applicant would be {age} on the application date: re-check the digits of the birth date"
            ));
            return None;
        }
        Some(Applicant {
            name: name?,
            id_number,
            phone: phone?,
            hukou: hukou?,
            permit_expires: permit_expires?,
            birth_date,
        })
    }

    /// The employer: the applicant's `[employer]` keys, each falling back to the batch's
    /// `company.toml`; a required key given in neither is missing.
    fn employer(&mut self, t: &Tbl, company: Option<&Company>) -> Option<Employer> {
        let own = self.employer_keys(t);
        let base = company.map(|c| c.employer.clone()).unwrap_or_default();
        let given = |key: &str| t.table.get(key).is_some();
        let need = |p: &mut Self, key: &str, value: Option<String>, what: crate::messages::Text| {
            if value.is_none() && !given(key) {
                let what = match company {
                    Some(c) => {
                        let path = c.path.display();
                        what.map(|lang, w| match lang {
                            crate::messages::Lang::Zh => format!("{w}；{path} 中也没有"),
                            crate::messages::Lang::En => format!("{w}; not in {path} either"),
                        })
                    }
                    None => what,
                };
                p.missing(t, key, what);
            }
            value
        };
        let text = || t!("带引号的文字", "a text value in quotes");
        let name = need(self, "name", own.name.or(base.name), text());
        let credit_code = need(
            self,
            "credit_code",
            own.credit_code.or(base.credit_code),
            t!("18 位统一社会信用代码", "the 18-character 统一社会信用代码"),
        );
        let district = need(
            self,
            "district",
            own.district.or(base.district),
            t!(
                "单位注册所在的区",
                "the district where the employer is registered"
            ),
        );
        let hr_name = need(self, "hr_name", own.hr_name.or(base.hr_name), text());
        let kind = own
            .kind
            .or(base.kind)
            .unwrap_or_else(|| "enterprise".to_string());
        let dispatched = own.dispatched.or(base.dispatched).unwrap_or(false);
        Some(Employer {
            name: name?,
            credit_code: credit_code?,
            district: district?,
            kind,
            dispatched,
            hr_name: hr_name?,
            hr_phone: own.hr_phone.or(base.hr_phone),
        })
    }

    /// The employer keys a table gives, each validated; absent keys are `None` (as are invalid
    /// ones, which are reported).
    fn employer_keys(&mut self, t: &Tbl) -> PartialEmployer {
        self.unknown_keys(t, EMPLOYER_KEYS);
        let has = |key: &str| t.table.get(key).is_some();
        let name = if has("name") {
            self.name(t, "name")
        } else {
            None
        };
        let credit_code = if has("credit_code") {
            self.string(t, "credit_code", true).and_then(|s| {
                let (code, span) = s?;
                if code.is_empty() {
                    self.err(span, t!(
                        "employer.credit_code 不能为空：填写营业执照上 18 位的统一社会信用代码",
                        "employer.credit_code is empty: the 18-character 统一社会信用代码 on the business licence"
                    ));
                    return None;
                }
                match idnum::check_uscc(&code) {
                    Ok(()) => Some(code),
                    Err(m) => {
                        self.err(span, prefixed("employer.credit_code", m));
                        None
                    }
                }
            })
        } else {
            None
        };
        let district = if has("district") {
            self.string(t, "district", true).and_then(|s| {
                let (d, span) = s?;
                if self.districts.contains(&d) {
                    return Some(d);
                }
                if d.is_empty() {
                    let known = self.districts.join("、");
                    self.err(span, t!(
                        "employer.district 不能为空：填写单位注册所在的区，为 {known} 之一",
                        "employer.district is empty: the district where the employer is registered, one of {known}"
                    ));
                    return None;
                }
                let near = suggest(&d, self.districts.iter().map(String::as_str));
                let (hint_zh, hint_en) = match near {
                    Some(s) => (format!("；是不是“{s}”？"), format!("; did you mean \"{s}\"?")),
                    None => ("。".to_string(), ".".to_string()),
                };
                let known = self.districts.join("、");
                self.err(
                    span,
                    t!(
                        "employer.district：“{d}”不是上海的区{hint_zh}可填：{known}",
                        "employer.district: \"{d}\" is not one of Shanghai's 16 districts{hint_en} Known: {known}"
                    ),
                );
                None
            })
        } else {
            None
        };
        let kind = if has("kind") {
            self.choice(t, "kind", EMPLOYER_KINDS, None)
        } else {
            None
        };
        let dispatched = if has("dispatched") {
            self.bool(t, "dispatched", None)
        } else {
            None
        };
        let hr_name = if has("hr_name") {
            self.name(t, "hr_name")
        } else {
            None
        };
        let hr_phone = self.mobile(t, "hr_phone", false).flatten();
        PartialEmployer {
            name,
            credit_code,
            district,
            kind,
            dispatched,
            hr_name,
            hr_phone,
        }
    }

    fn family(&mut self, t: &Tbl, applicant: Option<&Applicant>) -> Option<Family> {
        self.unknown_keys(t, FAMILY_KEYS);
        let status = self.choice(t, "marital_status", MARITAL, None);
        let married_on = self.date(t, "married_on", false, true);
        let spouse_tbl = self.sub_table(t, "spouse", false);
        let spouse = spouse_tbl.as_ref().map(|s| self.spouse(s, applicant));
        let mut children = Vec::new();
        let mut ok = true;
        if let Some(v) = t.table.get("children") {
            match v.get_ref() {
                DeValue::Array(arr) if arr.len() > MAX_CHILDREN => {
                    let n = arr.len();
                    self.err(v.span(), t!(
                        "family.children 列了 {n} 个子女，超出上限 {MAX_CHILDREN}：没有申请会有这么多，请检查文件（是不是复制了多次？）",
                        "family.children lists {n} children, more than {MAX_CHILDREN}: no application has so many; check the file (a list copied many times?)"
                    ));
                    ok = false;
                }
                DeValue::Array(arr) => {
                    let mut prev: Option<Date> = None;
                    for (i, c) in arr.iter().enumerate() {
                        let Some(ct) = self.as_table(c, &format!("family.children[{}]", i + 1))
                        else {
                            ok = false;
                            continue;
                        };
                        self.unknown_keys(&ct, CHILD_KEYS);
                        // SPEC §3: a child's name is optional (the roster has only dates).
                        let name = if ct.table.contains_key("name") {
                            self.name(&ct, "name")
                        } else {
                            Some(String::new())
                        };
                        let born = self.date(&ct, "birth_date", true, true);
                        let earlier = self.bool(&ct, "earlier_marriage", Some(false));
                        match (name, born, earlier) {
                            (Some(name), Some(Some(birth_date)), Some(earlier_marriage)) => {
                                let span = ct.span_of("birth_date");
                                if let Some(p) = prev {
                                    if birth_date < p {
                                        let (this, before) = (i + 1, i);
                                        self.err(span.clone(), t!(
                                            "family.children：请按出生先后填写：第 {this} 个子女生于 {birth_date}，早于第 {before} 个（{p}）",
                                            "family.children: list children in birth order: child {this} was born {birth_date}, before child {before} ({p})"
                                        ));
                                        ok = false;
                                    }
                                }
                                if let Some(a) = applicant {
                                    if birth_date <= a.birth_date {
                                        let (n, own) = (i + 1, a.birth_date);
                                        self.err(span, t!(
                                            "family.children[{n}].birth_date {birth_date} 不晚于申请人的出生日期 {own}：子女出生日期有误",
                                            "family.children[{n}].birth_date {birth_date} is not after the applicant's birth date {own}"
                                        ));
                                        ok = false;
                                    }
                                }
                                prev = Some(birth_date);
                                children.push(Child {
                                    name,
                                    birth_date,
                                    earlier_marriage,
                                });
                            }
                            _ => ok = false,
                        }
                    }
                }
                _ => {
                    self.err(v.span(), t!(
                        "family.children 须是 [[family.children]] 表的列表：每个子女一个 [[family.children]]",
                        "family.children must be a list of [[family.children]] tables, one per child"
                    ));
                    ok = false;
                }
            }
        }
        let status = status?;
        let married_on = married_on?;
        let spouse = match spouse {
            Some(s) => Some(s?),
            None => None,
        };
        match (status.as_str(), &spouse) {
            ("married", None) => {
                let span = t.span_of("marital_status");
                self.err(span, t!(
                    "family.marital_status 为“married”（已婚），却没有 [family.spouse] 表：已婚须填写配偶信息 name、id_number 和 shanghai_hukou",
                    "family.marital_status is \"married\" but there is no [family.spouse] table: add name, id_number and shanghai_hukou"
                ));
                return None;
            }
            (s, Some(_)) if s != "married" => {
                let span = spouse_tbl.map(|s| s.span).unwrap_or(t.span.clone());
                self.err(span, t!(
                    "填写了 [family.spouse]，但 marital_status 为“{s}”：非已婚不应填写配偶，请删除它，或设 marital_status = \"married\"",
                    "[family.spouse] is given but marital_status is \"{s}\": remove it or set marital_status = \"married\""
                ));
                return None;
            }
            _ => {}
        }
        if let (Some(m), Some(a)) = (married_on, applicant) {
            if status != "married" && status != "divorced" && status != "widowed" {
                let span = t.span_of("married_on");
                self.err(
                    span,
                    t!(
                        "填写了 family.married_on，但申请人未婚：未婚不应填写结婚日期",
                        "family.married_on is given for a single applicant"
                    ),
                );
                return None;
            }
            if m <= a.birth_date {
                let span = t.span_of("married_on");
                let own = a.birth_date;
                self.err(
                    span,
                    t!(
                        "family.married_on {m} 早于申请人的出生日期 {own}：结婚日期有误",
                        "family.married_on {m} is before the applicant's birth date {own}"
                    ),
                );
                return None;
            }
        }
        if !ok {
            return None;
        }
        Some(Family {
            marital_status: status,
            married_on,
            spouse,
            children,
        })
    }

    fn spouse(&mut self, t: &Tbl, applicant: Option<&Applicant>) -> Option<Spouse> {
        self.unknown_keys(t, SPOUSE_KEYS);
        let name = self.name(t, "name");
        let id = self.id_number(t, "id_number");
        let hukou = self.bool(t, "shanghai_hukou", Some(false));
        let (id_number, _) = id?;
        if let Some(a) = applicant {
            if a.id_number.eq_ignore_ascii_case(&id_number) {
                let span = t.span_of("id_number");
                self.err(
                    span,
                    t!(
                        "family.spouse.id_number 与申请人的身份证号相同",
                        "family.spouse.id_number is the applicant's own ID number"
                    ),
                );
                return None;
            }
        }
        Some(Spouse {
            name: name?,
            id_number,
            shanghai_hukou: hukou?,
        })
    }

    fn education(&mut self, t: &Tbl, applicant: Option<&Applicant>) -> Option<Education> {
        self.unknown_keys(t, EDUCATION_KEYS);
        let level = self.choice(t, "level", LEVELS, None);
        let degree = self.bool(t, "degree", Some(false));
        let mode = self.choice(t, "mode", MODES, Some("full-time"));
        let needs_date = level.as_deref().is_some_and(|l| l != "none");
        let graduated_on = self.date(t, "graduated_on", needs_date, true);
        let overseas = self.bool(t, "overseas", Some(false));
        let fresh = self.bool(t, "fresh_graduate", Some(false));
        let shortage = self.bool(t, "shortage_major", Some(false));
        let (level, degree) = (level?, degree?);
        if level == "none" && degree {
            let span = t.span_of("degree");
            self.err(
                span,
                t!(
                    "education.degree = true，但 level = \"none\"：无学历不能有学位，请填写学历",
                    "education.degree = true with level = \"none\": set the level"
                ),
            );
            return None;
        }
        let graduated_on = graduated_on?;
        if let (Some(g), Some(a)) = (graduated_on, applicant) {
            if g.year < a.birth_date.year + 14 {
                let span = t.span_of("graduated_on");
                let own = a.birth_date;
                self.err(
                    span,
                    t!(
                        "education.graduated_on {g} 对 {own} 出生的人来说太早：毕业日期有误",
                        "education.graduated_on {g} is too early for someone born {own}"
                    ),
                );
                return None;
            }
        }
        Some(Education {
            level,
            degree,
            mode: mode?,
            graduated_on,
            overseas: overseas?,
            fresh_graduate: fresh?,
            shortage_major: shortage?,
        })
    }

    /// The social-insurance record: `months` (or the shorthand `years`) at one `base_ratio`, or
    /// `[[insurance.periods]]` with their bases (SPEC §3).
    fn insurance(&mut self, t: &Tbl, applicant: Option<&Applicant>) -> Option<Insurance> {
        self.unknown_keys(t, INSURANCE_KEYS);
        let has = |key: &str| t.table.get(key).is_some();
        let contributing = self.bool(t, "contributing", Some(true))?;
        let application = Month::of(self.today);
        // Nobody is insured as an employee before 16 (the legal working age): more than that is
        // a typo, and each year is 3 points, enough to pass the standard score on its own.
        let most_years = applicant.map(|a| (a.birth_date.full_years_until(self.today) - 16).max(0));
        if has("years") && has("months") {
            let span = t.span_of("years");
            self.err(span, t!(
                "insurance：`months` 与 `years` 只填一项：months 是已缴月数，years 是整年数的简写",
                "insurance: give `months` or `years`, not both: months counts the paid months, years is the shorthand for full years"
            ));
            return None;
        }
        let months_given = if has("months") {
            Some(self.int(t, "months", None, 0..=720)?)
        } else {
            None
        };
        let years_given = if has("years") {
            Some(self.int(t, "years", None, 0..=60)?)
        } else {
            None
        };
        if let (Some(y), Some(most)) = (years_given, most_years) {
            if y > most {
                let span = t.span_of("years");
                self.err(span, t!(
                    "insurance.years 为 {y}，超过申请人 16 周岁以来的 {most} 个整年：请填写上海职工社保的整年数",
                    "insurance.years is {y}, more than the {most} full years since the applicant turned 16: count the full years of Shanghai employee social insurance"
                ));
                return None;
            }
        }
        if let (Some(m), Some(most)) = (months_given, most_years) {
            if m > most * 12 + 11 {
                let span = t.span_of("months");
                self.err(span, t!(
                    "insurance.months 为 {m}，超过申请人 16 周岁以来的月数：请按社保缴费记录数已缴月数",
                    "insurance.months is {m}, more than the months since the applicant turned 16: count the paid months on the 社保缴费记录"
                ));
                return None;
            }
        }
        let periods = match t.table.get("periods") {
            None => Vec::new(),
            Some(v) => self.periods(v, application)?,
        };
        if periods.is_empty() {
            let months = match (months_given, years_given) {
                (Some(m), _) => m,
                (None, Some(y)) => y * 12,
                (None, None) => {
                    self.missing(
                        t,
                        "months",
                        t!(
                            "已缴社保月数，整数；或 [[insurance.periods]]",
                            "the months of insurance paid, a whole number; or [[insurance.periods]]"
                        ),
                    );
                    return None;
                }
            };
            let base_ratio = self.float(t, "base_ratio", 0.0..=20.0)?;
            return Some(Insurance {
                months,
                years: months / 12,
                base_ratio: Some(base_ratio),
                contributing,
                periods,
            });
        }
        if has("base_ratio") || has("years") {
            let key = if has("years") { "years" } else { "base_ratio" };
            let span = t.span_of(key);
            self.err(span, t!(
                "insurance.{key} 是没有缴费记录分段时的简写，有分段时不填 {key}：请给每段 [[insurance.periods]] 填写 base 或 base_ratio，months 可填可不填",
                "insurance.{key} is the shorthand for a record without periods: give each [[insurance.periods]] its base or base_ratio, and months if you like"
            ));
            return None;
        }
        let months: i64 = periods
            .iter()
            .map(|p| p.end(application).index() - p.from.index() + 1)
            .sum();
        if let Some(m) = months_given {
            if m != months {
                let span = t.span_of("months");
                self.err(span, t!(
                    "insurance.months 为 {m}，但缴费记录分段共 {months} 个月，两者不符：改正其一，或不填 months",
                    "insurance.months is {m}, but the periods cover {months} months: correct one of them, or leave months out"
                ));
                return None;
            }
        }
        Some(Insurance {
            months,
            years: months / 12,
            base_ratio: None,
            contributing,
            periods,
        })
    }

    /// `[[insurance.periods]]`: each `from`–`to` with a base or a ratio, none overlapping, none
    /// after the application month; returned oldest first.
    fn periods(&mut self, v: &Val<'_>, application: Month) -> Option<Vec<Period>> {
        let DeValue::Array(arr) = v.get_ref() else {
            self.err(v.span(), t!(
                "insurance.periods 须是 [[insurance.periods]] 表的列表：每段缴费记录一个 [[insurance.periods]]",
                "insurance.periods must be a list of [[insurance.periods]] tables, one per period of the record"
            ));
            return None;
        };
        let mut out: Vec<(Period, Range<usize>)> = Vec::new();
        let mut ok = true;
        for (i, p) in arr.iter().enumerate() {
            let name = format!("insurance.periods[{}]", i + 1);
            let Some(pt) = self.as_table(p, &name) else {
                ok = false;
                continue;
            };
            self.unknown_keys(&pt, PERIOD_KEYS);
            let from = self.month(&pt, "from", true);
            let to = self.month(&pt, "to", false);
            let has = |key: &str| pt.table.get(key).is_some();
            let base = if has("base") {
                self.float(&pt, "base", 1.0..=10_000_000.0).map(Some)
            } else {
                Some(None)
            };
            let ratio = if has("base_ratio") {
                self.float(&pt, "base_ratio", 0.0..=20.0).map(Some)
            } else {
                Some(None)
            };
            let (Some(Some(from)), Some(to), Some(base), Some(base_ratio)) =
                (from, to, base, ratio)
            else {
                ok = false;
                continue;
            };
            if base.is_some() == base_ratio.is_some() {
                self.err(pt.span.clone(), t!(
                    "{name}：缴费基数（元，base = 12500）或基数与全市职工月平均工资之比（base_ratio = 1.0），二选一",
                    "{name}: give the monthly contribution base in yuan (base = 12500) or its ratio to the city's average wage (base_ratio = 1.0), one of the two"
                ));
                ok = false;
                continue;
            }
            let end = to.unwrap_or(application);
            if end < from {
                self.err(
                    pt.span_of("to"),
                    t!(
                        "{name}：截止月份 {end} 早于起始月份 {from}",
                        "{name}: ends {end} before it starts {from}"
                    ),
                );
                ok = false;
                continue;
            }
            if end > application {
                let key = if to.is_some() { "to" } else { "from" };
                self.err(
                    pt.span_of(key),
                    t!(
                        "{name}：{end} 晚于申请月份 {application}",
                        "{name}: {end} is after the application month {application}"
                    ),
                );
                ok = false;
                continue;
            }
            out.push((
                Period {
                    from,
                    to,
                    base,
                    base_ratio,
                },
                pt.span.clone(),
            ));
        }
        out.sort_by_key(|(p, _)| p.from);
        for w in out.windows(2) {
            let (a, b) = (&w[0].0, &w[1].0);
            if a.end(application) >= b.from {
                let (b_from, b_end, a_from, a_end) =
                    (b.from, b.end(application), a.from, a.end(application));
                self.err(w[1].1.clone(), t!(
                    "insurance.periods：{b_from}–{b_end} 与 {a_from}–{a_end} 重叠：每个月只属于一段缴费记录",
                    "insurance.periods: {b_from}–{b_end} overlaps {a_from}–{a_end}: each month belongs to one period"
                ));
                ok = false;
            }
        }
        ok.then(|| out.into_iter().map(|(p, _)| p).collect())
    }

    /// A `YYYY-MM` month (also `YYYY.MM`, `YYYY/M`, `YYYY年M月`). `Some(None)` when absent and
    /// optional.
    #[allow(clippy::option_option)]
    fn month(&mut self, t: &Tbl, key: &str, required: bool) -> Option<Option<Month>> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            if required {
                self.missing(t, key, t!("月份 \"YYYY-MM\"", "a month \"YYYY-MM\""));
                return None;
            }
            return Some(None);
        };
        let raw = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            other => {
                self.err(v.span(), {
                    let (zh, en) = (type_zh(other), type_name(other));
                    t!(
                        "{full} 须是带引号的月份 \"YYYY-MM\"，这里是{zh}",
                        "{full} must be a month in quotes, \"YYYY-MM\", found {en}"
                    )
                });
                return None;
            }
        };
        match Month::parse(&raw) {
            Some(m) if m.year >= 1990 => Some(Some(m)),
            _ => {
                self.err(v.span(), t!(
                    "{full}：“{raw}”不是有效月份：格式为 2023-07，也可写 2023.7、2023/7 或 2023年7月",
                    "{full}: \"{raw}\" is not a month in the form YYYY-MM (also 2023.7, 2023/7 or 2023年7月)"
                ));
                None
            }
        }
    }

    fn certificates(&mut self, top: &Tbl) -> Option<Vec<Certificate>> {
        let Some(v) = top.table.get("certificates") else {
            return Some(Vec::new());
        };
        let DeValue::Array(arr) = v.get_ref() else {
            self.err(
                v.span(),
                t!(
                    "certificates 须是 [[certificates]] 表的列表",
                    "certificates must be a list of [[certificates]] tables"
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, c) in arr.iter().enumerate() {
            let Some(ct) = self.as_table(c, &format!("certificates[{}]", i + 1)) else {
                ok = false;
                continue;
            };
            self.unknown_keys(&ct, CERT_KEYS);
            let kind = self.choice(&ct, "type", CERT_TYPES, None);
            let name = self
                .string(&ct, "name", false)
                .map(|s| s.map(|(s, _)| s).unwrap_or_default());
            let level = match (kind.as_deref(), ct.table.get("level")) {
                (_, None) => {
                    let name = &ct.name;
                    self.err(ct.span.clone(), t!(
                        "{name}：缺少 `level`（技能等级：5 最低 … 1 最高；职称：\"junior\" | \"intermediate\" | \"senior\"）",
                        "{name}: missing key `level` (skill: 5 lowest … 1 highest; title: \"junior\" | \"intermediate\" | \"senior\")"
                    ));
                    None
                }
                (Some("skill"), Some(v)) => match skill_level(v.get_ref()) {
                    Some(n) => Some(CertLevel::Skill(n)),
                    None => {
                        let (name, got) = (&ct.name, display_value(v.get_ref()));
                        self.err(v.span(), t!(
                            "{name}.level：技能等级为“五级”（最低）…“一级”（最高），或 5 到 1 的数字，不是 {got}",
                            "{name}.level: a skill level is \"五级\" (lowest) … \"一级\" (highest), or a number from 5 to 1, not {got}"
                        ));
                        None
                    }
                },
                (Some("title"), Some(v)) => match v.get_ref() {
                    DeValue::String(s) if code_for(s, TITLE_LEVELS).is_some() => {
                        code_for(s, TITLE_LEVELS).map(|c| CertLevel::Title(c.to_string()))
                    }
                    _ => {
                        let got = display_value(v.get_ref());
                        let words = WORDS
                            .iter()
                            .filter(|(_, c)| TITLE_LEVELS.contains(c))
                            .map(|(w, _)| *w);
                        let near = suggest(&got, TITLE_LEVELS.iter().copied().chain(words));
                        let (hint_zh, hint_en) = did_you_mean(near);
                        let name = &ct.name;
                        self.err(v.span(), t!(
                            "{name}.level：职称等级为“初级”（junior）、“中级”（intermediate）或“高级”（senior），不是 {got}{hint_zh}",
                            "{name}.level: a title level is \"初级\" (junior), \"中级\" (intermediate) or \"高级\" (senior), not {got}{hint_en}"
                        ));
                        None
                    }
                },
                _ => None,
            };
            match (kind, level, name) {
                (Some(kind), Some(level), Some(name)) => {
                    out.push(Certificate { kind, level, name })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn bonus(&mut self, t: &Tbl) -> Bonus {
        self.unknown_keys(t, BONUS_KEYS);
        let mut awards = Vec::new();
        if let Some(v) = t.table.get("awards") {
            match v.get_ref() {
                DeValue::Array(arr) => {
                    for a in arr {
                        match a.get_ref() {
                            DeValue::String(s) if code_for(s, AWARDS).is_some() => {
                                awards.extend(code_for(s, AWARDS).map(str::to_string))
                            }
                            other => {
                                let got = display_value(other);
                                let (hint_zh, hint_en) =
                                    did_you_mean(suggest(&got, AWARDS.iter().copied()));
                                self.err(a.span(), t!(
                                    "bonus.awards：{got} 不是奖项级别；请用“局级”（bureau，委办局级）、“市级”（municipal）或“国家级”（national，省部级及以上）{hint_zh}",
                                    "bonus.awards: {got} is not an award level; use \"局级\" (bureau, 委办局级), \"市级\" (municipal) or \"国家级\" (national, 省部级及以上){hint_en}"
                                ));
                            }
                        }
                    }
                }
                _ => self.err(
                    v.span(),
                    t!(
                        "bonus.awards 须是列表，例如 awards = [\"municipal\"]",
                        "bonus.awards must be a list, e.g. awards = [\"municipal\"]"
                    ),
                ),
            }
        }
        Bonus {
            awards,
            remote_area_years: self
                .int(t, "remote_area_years", Some(0), 0..=60)
                .unwrap_or(0),
            public_service_years: self
                .int(t, "public_service_years", Some(0), 0..=60)
                .unwrap_or(0),
            investment_points: self
                .int(t, "investment_points", Some(0), 0..=1000)
                .unwrap_or(0),
            entrepreneur: self.bool(t, "entrepreneur", Some(false)).unwrap_or(false),
        }
    }

    fn deductions(&mut self, t: &Tbl) -> Deductions {
        self.unknown_keys(t, DEDUCTION_KEYS);
        Deductions {
            false_materials: self
                .int(t, "false_materials", Some(0), 0..=100)
                .unwrap_or(0),
            detentions: self.int(t, "detentions", Some(0), 0..=100).unwrap_or(0),
            crimes: self.int(t, "crimes", Some(0), 0..=100).unwrap_or(0),
            serious_crime: self.bool(t, "serious_crime", Some(false)).unwrap_or(false),
            family_planning_violation: self
                .bool(t, "family_planning_violation", Some(false))
                .unwrap_or(false),
        }
    }

    // --- typed field readers: each reports its own problem and returns None on failure ---

    fn full(&self, t: &Tbl, key: &str) -> String {
        if t.name.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", t.name)
        }
    }

    fn missing(&mut self, t: &Tbl, key: &str, what: impl Into<crate::messages::Text>) {
        let what = what.into();
        let (what_zh, what_en) = (&what.zh, &what.en);
        let msg = if t.name.is_empty() {
            t!(
                "文件中缺少 `{key}`（{what_zh}）",
                "missing key `{key}` in the file ({what_en})"
            )
        } else {
            let table = &t.name;
            t!(
                "[{table}] 中缺少 `{key}`（{what_zh}）",
                "missing key `{key}` in [{table}] ({what_en})"
            )
        };
        if t.span.is_empty() {
            self.diags.push(Diagnostic::whole_file(msg));
        } else {
            let span = t.span.clone();
            self.err(span.start..span.start + 1, msg);
        }
    }

    fn unknown_keys(&mut self, t: &Tbl, known: &[&str]) {
        for (k, _) in t.table.iter() {
            let key: &str = k.get_ref();
            if known.contains(&key) {
                continue;
            }
            let near = suggest(key, known.iter().copied());
            let (hint_zh, hint_en) = match near {
                Some(s) => (
                    format!("；是不是 `{s}`？"),
                    format!("; did you mean `{s}`?"),
                ),
                None => (String::new(), String::new()),
            };
            let (table_zh, table_en) = if t.name.is_empty() {
                ("顶层".to_string(), "at the top level".to_string())
            } else {
                (format!("[{}] 中", t.name), format!("in [{}]", t.name))
            };
            let known = known.join(", ");
            self.err(
                k.span(),
                t!(
                    "{table_zh}有未知字段 `{key}`{hint_zh}（已知字段：{known}）",
                    "unknown key `{key}` {table_en}{hint_en} (known: {known})"
                ),
            );
        }
    }

    fn sub_table<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<Tbl<'t, 'i>> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => {
                if required {
                    let m = t!(
                        "缺少 [{full}] 部分：模板见 `dossier init`",
                        "missing table [{full}]: see `dossier init` for a template"
                    );
                    self.diags.push(Diagnostic::whole_file(m));
                }
                None
            }
            Some(v) => self.as_table(v, &full),
        }
    }

    fn as_table<'t, 'i>(&mut self, v: &'t Val<'i>, name: &str) -> Option<Tbl<'t, 'i>> {
        match v.get_ref() {
            DeValue::Table(table) => Some(Tbl {
                name: name.to_string(),
                table,
                span: v.span(),
            }),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "`{name}` 须是表，这里是{zh}",
                        "`{name}` must be a table, found {en}"
                    ),
                );
                None
            }
        }
    }

    /// `Some(None)` when an optional string is absent; `None` on error.
    #[allow(clippy::option_option)]
    fn string(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
    ) -> Option<Option<(String, Range<usize>)>> {
        match t.table.get(key) {
            None if required => {
                self.missing(t, key, t!("带引号的文字", "a text value in quotes"));
                None
            }
            None => Some(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(Some((s.trim().to_string(), v.span()))),
                other => {
                    let full = self.full(t, key);
                    let (zh, en) = (type_zh(other), type_name(other));
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是带引号的文字，这里是{zh}",
                            "{full} must be text in quotes, found {en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    fn name(&mut self, t: &Tbl, key: &str) -> Option<String> {
        let (s, span) = self.string(t, key, true)??;
        let full = self.full(t, key);
        if s.is_empty() {
            self.err(span, t!("{full} 不能为空", "{full} is empty"));
            return None;
        }
        // Names become file and folder names of the bundle: nothing a file system refuses.
        if let Some(c) = s
            .chars()
            .find(|&c| c.is_control() || "/\\:*?\"<>|%".contains(c))
        {
            let c = c.escape_debug();
            self.err(span, t!(
                "{full}：姓名/名称不能含“{c}”（不能含 / \\ : * ? \" < > | % 或控制字符）",
                "{full}: “{c}” cannot be part of a name (no / \\ : * ? \" < > | % or control characters)"
            ));
            return None;
        }
        if s.chars().count() > 60 {
            self.err(
                span,
                t!(
                    "{full}：姓名/名称过长，超过 60 个字符",
                    "{full}: longer than 60 characters"
                ),
            );
            return None;
        }
        Some(s)
    }

    fn id_number(&mut self, t: &Tbl, key: &str) -> Option<(String, Date)> {
        let (s, span) = self.string(t, key, true)??;
        let full = self.full(t, key);
        if s.is_empty() {
            self.err(
                span,
                t!(
                    "{full} 不能为空：填写 18 位身份证号",
                    "{full} is empty: the 18-character 身份证号"
                ),
            );
            return None;
        }
        let s = s.to_ascii_uppercase();
        match idnum::check_id(&s, self.today) {
            Ok(born) => Some((s, born)),
            Err(m) => {
                self.err(span, prefixed(&full, m));
                None
            }
        }
    }

    #[allow(clippy::option_option)]
    fn mobile(&mut self, t: &Tbl, key: &str, required: bool) -> Option<Option<String>> {
        let Some((s, span)) = self.string(t, key, required)? else {
            return Some(None);
        };
        // The template ships `phone = ""`: an empty optional number is simply not given.
        if s.is_empty() && !required {
            return Some(None);
        }
        match idnum::normalize_mobile(&s) {
            Ok(m) => Some(Some(m)),
            Err(m) => {
                let full = self.full(t, key);
                self.err(span, prefixed(&full, m));
                None
            }
        }
    }

    fn choice(
        &mut self,
        t: &Tbl,
        key: &str,
        allowed: &[&str],
        default: Option<&str>,
    ) -> Option<String> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d.to_string()),
                None => {
                    let (zh, en) = list_choices(allowed);
                    self.missing(t, key, t!("可选：{zh}", "one of: {en}"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::String(s) if code_for(s, allowed).is_some() => {
                    code_for(s, allowed).map(str::to_string)
                }
                other => {
                    let got = display_value(other);
                    let words = WORDS
                        .iter()
                        .filter(|(_, c)| allowed.contains(c))
                        .map(|(w, _)| *w);
                    let near = suggest(&got, allowed.iter().copied().chain(words));
                    let (hint_zh, hint_en) = did_you_mean(near);
                    let (zh, en) = list_choices(allowed);
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是 {zh} 之一，不是 {got}{hint_zh}",
                            "{full} must be one of {en}, not {got}{hint_en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    fn bool(&mut self, t: &Tbl, key: &str, default: Option<bool>) -> Option<bool> {
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d),
                None => {
                    self.missing(t, key, t!("true 或 false", "true or false"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                // SPEC §3: booleans also as 是/否, as a clerk would type them.
                DeValue::String(s) if s.trim() == "是" => Some(true),
                DeValue::String(s) if s.trim() == "否" => Some(false),
                other => {
                    let full = self.full(t, key);
                    let got = display_value(other);
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是 true 或 false（不加引号），或 \"是\" / \"否\"，这里是 {got}",
                            "{full} must be true or false (without quotes), or \"是\" / \"否\", found {got}"
                        ),
                    );
                    None
                }
            },
        }
    }

    fn int(
        &mut self,
        t: &Tbl,
        key: &str,
        default: Option<i64>,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let full = self.full(t, key);
        match t.table.get(key) {
            None => match default {
                Some(d) => Some(d),
                None => {
                    self.missing(t, key, t!("整数", "a whole number"));
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => match parse_int(i.as_str(), i.radix()) {
                    Some(n) if range.contains(&n) => Some(n),
                    _ => {
                        let (lo, hi) = (range.start(), range.end());
                        self.err(
                            v.span(),
                            t!(
                                "{full} 超出范围：须是 {lo} 到 {hi} 之间的整数",
                                "{full} must be a whole number from {lo} to {hi}"
                            ),
                        );
                        None
                    }
                },
                other => {
                    let (zh, en) = (type_zh(other), type_name(other));
                    self.err(
                        v.span(),
                        t!(
                            "{full} 须是整数，这里是{zh}",
                            "{full} must be a whole number, found {en}"
                        ),
                    );
                    None
                }
            },
        }
    }

    fn float(&mut self, t: &Tbl, key: &str, range: std::ops::RangeInclusive<f64>) -> Option<f64> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            self.missing(t, key, t!("数字，如 1.0", "a number such as 1.0"));
            return None;
        };
        let n = match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|n| n as f64),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "{full} 须是数字，如 1.0，这里是{zh}",
                        "{full} must be a number such as 1.0, found {en}"
                    ),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() && range.contains(&n) => Some(n),
            _ => {
                let (lo, hi) = (range.start(), range.end());
                self.err(
                    v.span(),
                    t!(
                        "{full} 超出范围：须是 {lo} 到 {hi} 之间的数字",
                        "{full} must be a number from {lo} to {hi}"
                    ),
                );
                None
            }
        }
    }

    /// A `YYYY-MM-DD` date, quoted or as a TOML local date. `Some(None)` when absent and optional.
    #[allow(clippy::option_option)]
    fn date(
        &mut self,
        t: &Tbl,
        key: &str,
        required: bool,
        not_future: bool,
    ) -> Option<Option<Date>> {
        let full = self.full(t, key);
        let Some(v) = t.table.get(key) else {
            if required {
                self.missing(t, key, t!("日期 \"YYYY-MM-DD\"", "a date \"YYYY-MM-DD\""));
                return None;
            }
            return Some(None);
        };
        let raw = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                let (zh, en) = (type_zh(other), type_name(other));
                self.err(
                    v.span(),
                    t!(
                        "{full} 须是日期 \"YYYY-MM-DD\"，这里是{zh}",
                        "{full} must be a date \"YYYY-MM-DD\", found {en}"
                    ),
                );
                return None;
            }
        };
        let Some(d) = Date::parse_written(&raw) else {
            self.err(v.span(), t!(
                "{full}：“{raw}”不是有效日期：格式为 2016-10-01，也可写 2016.10.01、2016/10/1 或 2016年10月1日",
                "{full}: \"{raw}\" is not a real date in the form YYYY-MM-DD (also 2016.10.01, 2016/10/1 or 2016年10月1日)"
            ));
            return None;
        };
        if not_future && d > self.today {
            self.err(v.span(), {
                let today = self.today;
                t!(
                    "{full}：{d} 晚于申请日期 {today}",
                    "{full}: {d} is after the application date {today}"
                )
            });
            return None;
        }
        if d.year < 1900 {
            self.err(
                v.span(),
                t!(
                    "{full}：{d} 早于 1900 年，日期有误",
                    "{full}: {d} is before 1900"
                ),
            );
            return None;
        }
        Some(Some(d))
    }
}

fn parse_int(s: &str, radix: u32) -> Option<i64> {
    let s = s.replace('_', "");
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s.trim_start_matches('+').to_string()),
    };
    let digits = digits
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    let n = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// [`type_name`] in Chinese.
fn type_zh(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "文字",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => " true/false",
        DeValue::Datetime(_) => "日期",
        DeValue::Array(_) => "列表",
        DeValue::Table(_) => "表",
    }
}

/// A message about a key, after the key: `key：…` in Chinese, `key: …` in English.
fn prefixed(key: &str, m: crate::messages::Text) -> crate::messages::Text {
    m.map(|lang, m| match lang {
        crate::messages::Lang::Zh => format!("{key}：{m}"),
        crate::messages::Lang::En => format!("{key}: {m}"),
    })
}

/// A "did you mean" hint in both languages, or none.
fn did_you_mean(near: Option<&str>) -> (String, String) {
    match near {
        Some(s) => (
            format!("；是不是“{s}”？"),
            format!("; did you mean \"{s}\"?"),
        ),
        None => (String::new(), String::new()),
    }
}

fn display_value(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

/// The closest candidate by edit distance, when close enough to be a likely typo. A candidate
/// the word abbreviates (`浦东` → `浦东新区`) comes before any other at the same or a greater
/// distance: a short name is far more often a shortening than a typo of a different word.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word = word.trim_matches('"').to_lowercase();
    let mut best: Option<((bool, usize), &str)> = None;
    for c in candidates {
        let lower = c.to_lowercase();
        let key = (!lower.starts_with(&word), levenshtein(&word, &lower));
        if best.is_none_or(|(bk, _)| key < bk) {
            best = Some((key, c));
        }
    }
    let ((_, d), c) = best?;
    let len = word.chars().count().max(c.chars().count());
    (d <= (len / 3).max(1)
        || (len <= 4 && d <= 2 && d < len)
        || c.contains(&word)
        || word.contains(c))
    .then_some(c)
}

/// Edit distance over characters (not bytes, so Chinese names compare fairly), counting a swap
/// of two neighbours as one edit (optimal string alignment): `hukuo` is one edit from `hukou`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Field names of every applicant table, for checking rulebook expressions (`table.field`).
pub fn schema() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        (
            "applicant",
            &[
                "name",
                "id_number",
                "phone",
                "hukou",
                "permit_expires",
                "birth_date",
            ][..],
        ),
        ("employer", EMPLOYER_KEYS),
        ("family", FAMILY_KEYS),
        ("family.spouse", SPOUSE_KEYS),
        ("education", EDUCATION_KEYS),
        ("insurance", INSURANCE_KEYS),
        ("insurance.periods", PERIOD_KEYS),
        ("tax", TAX_KEYS),
        ("bonus", BONUS_KEYS),
        ("deductions", DEDUCTION_KEYS),
    ])
}
