//! The applicant's circumstances, read from `applicant.toml` (SPEC §3).
//!
//! Parsing walks the spanned TOML tree by hand rather than through serde so that every problem
//! in the file is reported in one go, each located by line and column: syntax, unknown keys
//! (with "did you mean"), wrong types, check characters, impossible dates and inconsistencies.
//! Invariant: a `Profile` that exists is valid — its ID numbers pass their check characters,
//! its dates are real and not in the future, and marital status, spouse and children agree.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::date::Date;
use crate::error::{Diagnostic, Error};
use crate::idnum;

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
    pub years: i64,
    pub base_ratio: f64,
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

impl Profile {
    /// Reads and validates `applicant.toml`. `districts` are the district names the rulebook
    /// knows; `today` is the application date (`--date`).
    pub fn load(path: &Path, districts: &[String], today: Date) -> Result<Profile, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let d = Diagnostic::at(&lossy, at..at + 1, "the file is not UTF-8 text (文件不是 UTF-8 编码): save it as UTF-8, or start again from `dossier init`");
                return Err(Error::Applicant {
                    path: path.into(),
                    diagnostics: vec![d],
                });
            }
        };
        Profile::parse(&text, districts, today).map_err(|diagnostics| Error::Applicant {
            path: path.into(),
            diagnostics,
        })
    }

    /// Parses and validates the text of an `applicant.toml`; all problems or a valid profile.
    pub fn parse(
        text: &str,
        districts: &[String],
        today: Date,
    ) -> Result<Profile, Vec<Diagnostic>> {
        let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
        let offset = text.len() - text_no_bom.len();
        if text_no_bom.trim().is_empty() {
            return Err(vec![Diagnostic::whole_file(
                "the file is empty (文件为空): run `dossier init DIR` for a commented template",
            )]);
        }
        let (root, errors) = DeTable::parse_recoverable(text_no_bom);
        if !errors.is_empty() {
            return Err(errors
                .iter()
                .map(|e| {
                    let span = e.span().unwrap_or(0..0);
                    Diagnostic::at(
                        text,
                        span.start + offset..span.end + offset,
                        format!("TOML syntax: {}", e.message().trim()),
                    )
                })
                .collect());
        }
        let mut p = Parser {
            text,
            offset,
            diags: Vec::new(),
            today,
            districts,
        };
        let profile = p.profile(root.get_ref());
        match profile {
            Some(profile) if p.diags.is_empty() => Ok(profile),
            _ => {
                p.diags.sort_by_key(|d| (d.line, d.column));
                p.diags.dedup();
                Err(p.diags)
            }
        }
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
        crate::platform::windows_file_name(&format!(
            "{}-{}",
            self.applicant.name,
            &id[id.len().saturating_sub(4)..]
        ))
    }
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
const CHILD_KEYS: &[&str] = &["name", "birth_date"];
const EDUCATION_KEYS: &[&str] = &[
    "level",
    "degree",
    "mode",
    "graduated_on",
    "overseas",
    "fresh_graduate",
    "shortage_major",
];
const INSURANCE_KEYS: &[&str] = &["years", "base_ratio"];
const CERT_KEYS: &[&str] = &["type", "level", "name"];
const TAX_KEYS: &[&str] = &["certificates"];
const BONUS_KEYS: &[&str] = &[
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
    fn err(&mut self, span: Range<usize>, msg: impl Into<String>) {
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
        let employer = self
            .sub_table(&top, "employer", true)
            .and_then(|t| self.employer(&t));
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
            self.err(span, format!("applicant.id_number: the applicant would be {age} on the application date (按身份证号申请人为 {age} 周岁，不可能是在职员工): re-check the digits of the birth date"));
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

    fn employer(&mut self, t: &Tbl) -> Option<Employer> {
        self.unknown_keys(t, EMPLOYER_KEYS);
        let name = self.name(t, "name");
        let credit_code = self.string(t, "credit_code", true).and_then(|s| {
            let (code, span) = s?;
            if code.is_empty() {
                self.err(span, "employer.credit_code is empty (不能为空): the 18-character 统一社会信用代码 on the business licence");
                return None;
            }
            match idnum::check_uscc(&code) {
                Ok(()) => Some(code),
                Err(m) => {
                    self.err(span, format!("employer.credit_code: {m}"));
                    None
                }
            }
        });
        let district = self.string(t, "district", true).and_then(|s| {
            let (d, span) = s?;
            if self.districts.contains(&d) {
                return Some(d);
            }
            if d.is_empty() {
                self.err(span, format!("employer.district is empty (不能为空): the district where the employer is registered, one of {}", self.districts.join("、")));
                return None;
            }
            let hint = suggest(&d, self.districts.iter().map(String::as_str))
                .map(|s| format!("; did you mean \"{s}\"?"))
                .unwrap_or_default();
            self.err(
                span,
                format!("employer.district: \"{d}\" is not one of Shanghai's 16 districts (不是上海的区){hint} Known: {}", self.districts.join("、")),
            );
            None
        });
        let kind = self.choice(t, "kind", EMPLOYER_KINDS, Some("enterprise"));
        let dispatched = self.bool(t, "dispatched", Some(false));
        let hr_name = self.name(t, "hr_name");
        let hr_phone = self.mobile(t, "hr_phone", false);
        Some(Employer {
            name: name?,
            credit_code: credit_code?,
            district: district?,
            kind: kind?,
            dispatched: dispatched?,
            hr_name: hr_name?,
            hr_phone: hr_phone?,
        })
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
                DeValue::Array(arr) => {
                    let mut prev: Option<Date> = None;
                    for (i, c) in arr.iter().enumerate() {
                        let Some(ct) = self.as_table(c, &format!("family.children[{}]", i + 1))
                        else {
                            ok = false;
                            continue;
                        };
                        self.unknown_keys(&ct, CHILD_KEYS);
                        let name = self.name(&ct, "name");
                        let born = self.date(&ct, "birth_date", true, true);
                        match (name, born) {
                            (Some(name), Some(Some(birth_date))) => {
                                let span = ct.span_of("birth_date");
                                if let Some(p) = prev {
                                    if birth_date < p {
                                        self.err(span.clone(), format!("family.children: list children in birth order (按出生先后填写): child {} was born {birth_date}, before child {} ({p})", i + 1, i));
                                        ok = false;
                                    }
                                }
                                if let Some(a) = applicant {
                                    if birth_date <= a.birth_date {
                                        self.err(span, format!("family.children[{}].birth_date {birth_date} is not after the applicant's birth date {} (子女出生日期早于申请人)", i + 1, a.birth_date));
                                        ok = false;
                                    }
                                }
                                prev = Some(birth_date);
                                children.push(Child { name, birth_date });
                            }
                            _ => ok = false,
                        }
                    }
                }
                _ => {
                    self.err(v.span(), "family.children must be a list of [[family.children]] tables (每个子女一个 [[family.children]])");
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
                self.err(span, "family.marital_status is \"married\" but there is no [family.spouse] table (已婚须填写配偶信息): add name, id_number and shanghai_hukou");
                return None;
            }
            (s, Some(_)) if s != "married" => {
                let span = spouse_tbl.map(|s| s.span).unwrap_or(t.span.clone());
                self.err(span, format!("[family.spouse] is given but marital_status is \"{s}\" (非已婚不应填写配偶): remove it or set marital_status = \"married\""));
                return None;
            }
            _ => {}
        }
        if let (Some(m), Some(a)) = (married_on, applicant) {
            if status != "married" && status != "divorced" && status != "widowed" {
                let span = t.span_of("married_on");
                self.err(
                    span,
                    "family.married_on is given for a single applicant (未婚不应填写结婚日期)",
                );
                return None;
            }
            if m <= a.birth_date {
                let span = t.span_of("married_on");
                self.err(span, format!("family.married_on {m} is before the applicant's birth date {} (结婚日期有误)", a.birth_date));
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
                self.err(span, "family.spouse.id_number is the applicant's own ID number (配偶身份证号与申请人相同)");
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
                "education.degree = true with level = \"none\" (无学历不能有学位): set the level",
            );
            return None;
        }
        let graduated_on = graduated_on?;
        if let (Some(g), Some(a)) = (graduated_on, applicant) {
            if g.year < a.birth_date.year + 14 {
                let span = t.span_of("graduated_on");
                self.err(span, format!("education.graduated_on {g} is too early for someone born {} (毕业日期有误)", a.birth_date));
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

    fn insurance(&mut self, t: &Tbl, applicant: Option<&Applicant>) -> Option<Insurance> {
        self.unknown_keys(t, INSURANCE_KEYS);
        let years = self.int(t, "years", None, 0..=60);
        let base_ratio = self.float(t, "base_ratio", 0.0..=20.0);
        // Nobody is insured as an employee before 16 (the legal working age): more years than
        // that is a typo, and each year is 3 points, enough to pass the standard score on its own.
        if let (Some(y), Some(a)) = (years, applicant) {
            let most = (a.birth_date.full_years_until(self.today) - 16).max(0);
            if y > most {
                let span = t.span_of("years");
                self.err(span, format!("insurance.years is {y}, more than the {most} full years since the applicant turned 16 (社保年限超过 16 周岁以来的年数): count the full years of Shanghai employee social insurance"));
                return None;
            }
        }
        Some(Insurance {
            years: years?,
            base_ratio: base_ratio?,
        })
    }

    fn certificates(&mut self, top: &Tbl) -> Option<Vec<Certificate>> {
        let Some(v) = top.table.get("certificates") else {
            return Some(Vec::new());
        };
        let DeValue::Array(arr) = v.get_ref() else {
            self.err(
                v.span(),
                "certificates must be a list of [[certificates]] tables",
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
                    self.err(ct.span.clone(), format!("{}: missing key `level` (skill: 5 lowest … 1 highest; title: \"junior\" | \"intermediate\" | \"senior\")", ct.name));
                    None
                }
                (Some("skill"), Some(v)) => match v.get_ref() {
                    DeValue::Integer(i)
                        if parse_int(i.as_str(), i.radix())
                            .is_some_and(|n| (1..=5).contains(&n)) =>
                    {
                        parse_int(i.as_str(), i.radix()).map(CertLevel::Skill)
                    }
                    _ => {
                        self.err(v.span(), format!("{}.level: a skill level is a number from 5 (五级, lowest) to 1 (一级, highest)", ct.name));
                        None
                    }
                },
                (Some("title"), Some(v)) => match v.get_ref() {
                    DeValue::String(s) if TITLE_LEVELS.contains(&s.as_ref()) => {
                        Some(CertLevel::Title(s.to_string()))
                    }
                    _ => {
                        let got = display_value(v.get_ref());
                        let hint = suggest(&got, TITLE_LEVELS.iter().copied())
                            .map(|s| format!("; did you mean \"{s}\"?"))
                            .unwrap_or_default();
                        self.err(v.span(), format!("{}.level: a title level is \"junior\" (初级), \"intermediate\" (中级) or \"senior\" (高级), not {got}{hint}", ct.name));
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
                            DeValue::String(s) if AWARDS.contains(&s.as_ref()) => {
                                awards.push(s.to_string())
                            }
                            other => {
                                let got = display_value(other);
                                let hint = suggest(&got, AWARDS.iter().copied())
                                    .map(|s| format!("; did you mean \"{s}\"?"))
                                    .unwrap_or_default();
                                self.err(a.span(), format!("bonus.awards: {got} is not an award level; use \"bureau\" (委办局级), \"municipal\" (市级) or \"national\" (省部级及以上){hint}"));
                            }
                        }
                    }
                }
                _ => self.err(
                    v.span(),
                    "bonus.awards must be a list, e.g. awards = [\"municipal\"]",
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

    fn missing(&mut self, t: &Tbl, key: &str, what: &str) {
        let table = if t.name.is_empty() {
            "the file".to_string()
        } else {
            format!("[{}]", t.name)
        };
        let msg = format!("missing key `{key}` in {table} ({what})");
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
            let hint = suggest(key, known.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let table = if t.name.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in [{}]", t.name)
            };
            self.err(
                k.span(),
                format!(
                    "unknown key `{key}` {table}{hint} (未知字段; known: {})",
                    known.join(", ")
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
                    let m = format!("missing table [{full}] (缺少 [{full}] 部分): see `dossier init` for a template");
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
                self.err(
                    v.span(),
                    format!("`{name}` must be a table, found {}", type_name(other)),
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
                self.missing(t, key, "a text value in quotes");
                None
            }
            None => Some(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(Some((s.trim().to_string(), v.span()))),
                other => {
                    let full = self.full(t, key);
                    self.err(
                        v.span(),
                        format!("{full} must be text in quotes, found {}", type_name(other)),
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
            self.err(span, format!("{full} is empty (不能为空)"));
            return None;
        }
        // Names become file and folder names of the bundle: nothing a file system refuses.
        if let Some(c) = s
            .chars()
            .find(|&c| c.is_control() || "/\\:*?\"<>|%".contains(c))
        {
            self.err(span, format!("{full}: “{}” cannot be part of a name (姓名/名称不能含 / \\ : * ? \" < > | % 或控制字符)", c.escape_debug()));
            return None;
        }
        if s.chars().count() > 60 {
            self.err(
                span,
                format!("{full}: longer than 60 characters (姓名/名称过长)"),
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
                format!("{full} is empty (不能为空): the 18-character 身份证号"),
            );
            return None;
        }
        let s = s.to_ascii_uppercase();
        match idnum::check_id(&s, self.today) {
            Ok(born) => Some((s, born)),
            Err(m) => {
                self.err(span, format!("{full}: {m}"));
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
                self.err(span, format!("{full}: {m}"));
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
                    let what = format!(
                        "one of: {}",
                        allowed
                            .iter()
                            .map(|a| format!("\"{a}\""))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    self.missing(t, key, &what);
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::String(s) if allowed.contains(&s.as_ref()) => Some(s.to_string()),
                other => {
                    let got = display_value(other);
                    let hint = suggest(&got, allowed.iter().copied())
                        .map(|s| format!("; did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    let list = allowed
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    self.err(
                        v.span(),
                        format!("{full} must be one of {list}, not {got}{hint}"),
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
                    self.missing(t, key, "true or false");
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                other => {
                    let full = self.full(t, key);
                    self.err(
                        v.span(),
                        format!(
                            "{full} must be true or false (without quotes), found {}",
                            type_name(other)
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
                    self.missing(t, key, "a whole number");
                    None
                }
            },
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => match parse_int(i.as_str(), i.radix()) {
                    Some(n) if range.contains(&n) => Some(n),
                    _ => {
                        self.err(
                            v.span(),
                            format!(
                                "{full} must be a whole number from {} to {} (超出范围)",
                                range.start(),
                                range.end()
                            ),
                        );
                        None
                    }
                },
                other => {
                    self.err(
                        v.span(),
                        format!(
                            "{full} must be a whole number (整数), found {}",
                            type_name(other)
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
            self.missing(t, key, "a number such as 1.0");
            return None;
        };
        let n = match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|n| n as f64),
            other => {
                self.err(
                    v.span(),
                    format!(
                        "{full} must be a number such as 1.0, found {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() && range.contains(&n) => Some(n),
            _ => {
                self.err(
                    v.span(),
                    format!(
                        "{full} must be a number from {} to {} (超出范围)",
                        range.start(),
                        range.end()
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
                self.missing(t, key, "a date \"YYYY-MM-DD\"");
                return None;
            }
            return Some(None);
        };
        let raw = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                self.err(
                    v.span(),
                    format!(
                        "{full} must be a date \"YYYY-MM-DD\", found {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        let Some(d) = Date::parse(&raw) else {
            self.err(v.span(), format!("{full}: \"{raw}\" is not a real date in the form YYYY-MM-DD (日期无效，格式为 2016-10-01)"));
            return None;
        };
        if not_future && d > self.today {
            self.err(
                v.span(),
                format!(
                    "{full}: {d} is after the application date {} (日期晚于申请日期)",
                    self.today
                ),
            );
            return None;
        }
        if d.year < 1900 {
            self.err(v.span(), format!("{full}: {d} is before 1900 (日期有误)"));
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
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, v) in d[0].iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
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
        ("tax", TAX_KEYS),
        ("bonus", BONUS_KEYS),
        ("deductions", DEDUCTION_KEYS),
    ])
}
