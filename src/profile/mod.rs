//! The applicant's circumstances, read from `applicant.toml` (SPEC §3).
//!
//! Parsing walks the spanned TOML tree by hand rather than through serde so that every problem
//! in the file is reported in one go, each located by line and column: syntax, unknown keys
//! (with "did you mean"), wrong types, check characters, impossible dates and inconsistencies.
//! Invariant: a `Profile` that exists is valid — its ID numbers pass their check characters,
//! its dates are real and not in the future, and marital status, spouse and children agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::de::DeValue;

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
mod input;
mod parse;

use input::read_text;
pub use input::{company_path, decode, Company, PartialEmployer, COMPANY_FILE};
pub use parse::{levenshtein, schema, suggest, TOP_KEYS};
use parse::{parse_int, parse_toml};
