//! Reading `applicant.toml` (and `company.toml`) from the spanned TOML tree: every problem in
//! one go, each located. The tables are read here; [`family`] and [`insurance`] read the two
//! largest, [`values`] the typed values every table is made of.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::*;

mod family;
mod insurance;
mod values;

pub(in crate::profile) use values::*;
pub use values::{levenshtein, suggest};

/// Parses a TOML input file and reads it with `read`; every problem found, located, or the value.
pub(in crate::profile) fn parse_toml<T>(
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

pub(in crate::profile) struct Parser<'a> {
    pub(in crate::profile) text: &'a str,
    pub(in crate::profile) offset: usize,
    pub(in crate::profile) diags: Vec<Diagnostic>,
    pub(in crate::profile) today: Date,
    pub(in crate::profile) districts: &'a [String],
    /// The batch's employer data, which `[employer]` overrides key by key.
    pub(in crate::profile) company: Option<&'a Company>,
}

/// A table being read: remembers its name (for messages) and where it is.
pub(in crate::profile) struct Tbl<'t, 'i> {
    pub(in crate::profile) name: String,
    pub(in crate::profile) table: &'t DeTable<'i>,
    pub(in crate::profile) span: Range<usize>,
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

    pub(in crate::profile) fn profile(&mut self, root: &DeTable<'_>) -> Option<Profile> {
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
    pub(in crate::profile) fn employer_keys(&mut self, t: &Tbl) -> PartialEmployer {
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
