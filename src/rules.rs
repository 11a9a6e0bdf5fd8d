//! The rulebook: materials, points, vetoes, visits, districts and limits as data (SPEC §4).
//!
//! The built-in Shanghai rulebook is `rules/shanghai.toml`, compiled into the binary; `--rules
//! FILE` replaces it. Conditions (`when`) and point formulas (`points`) are CEL expressions over
//! the applicant's tables by their TOML names plus `derived` (and `child` inside per-child
//! materials). Loading validates everything a rule can get wrong before any applicant is seen:
//! unknown keys, CEL syntax, references to fields that do not exist, duplicate slugs and labels,
//! visits that do not exist, a missing basis. Invariant: a loaded `Rulebook` only holds compiled
//! programs whose references are known.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::common::ast::Expr;
use cel::parser::PrattParser;
use cel::{Context, IdedExpr, Value};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Diagnostic, Error};
use crate::profile::{self, Profile};
use crate::t;
use crate::vocab::{DocSize, Holder, Limits};

/// The built-in rulebook source, as shipped.
pub const BUILTIN: &str = include_str!("../rules/shanghai.toml");
pub const BUILTIN_NAME: &str = "rules/shanghai.toml (built-in)";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRulebook {
    rulebook: RawMeta,
    #[serde(default)]
    limits: Limits,
    visits: Vec<RawVisit>,
    districts: Vec<RawDistrict>,
    materials: Vec<RawMaterial>,
    #[serde(default)]
    points: Vec<RawPoints>,
    #[serde(default)]
    vetoes: Vec<RawVeto>,
    #[serde(default)]
    average_wage: Vec<RawWage>,
    #[serde(default)]
    gates: Vec<RawGate>,
}

/// A condition of eligibility (SPEC §5): every error gate must hold, whatever the points.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    id: Spanned<String>,
    label: String,
    /// CEL: true when the gate holds.
    ok: Spanned<String>,
    #[serde(default = "error_severity")]
    severity: Spanned<String>,
    /// What is wrong when it does not hold, and what to do.
    fail: String,
    /// CEL text with this applicant's figures (optional).
    detail: Option<Spanned<String>>,
    /// The `check` finding code a failure gives (default: not-eligible, or eligibility-warning
    /// for a warning gate).
    finding: Option<Spanned<String>>,
    basis: Spanned<String>,
}

fn error_severity() -> Spanned<String> {
    Spanned::new(0..0, "error".to_string())
}

/// One year of the city's average monthly wage, the reference of the contribution-base ratio.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWage {
    /// `YYYY-07`: the July that starts the social-insurance year.
    from: Spanned<String>,
    monthly: f64,
    source: Spanned<String>,
    #[serde(default = "yes")]
    confirmed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    version: String,
    #[serde(default)]
    title: String,
    standard_score: i64,
    #[serde(default)]
    basis: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVisit {
    id: Spanned<String>,
    label: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    originals_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDistrict {
    name: Spanned<String>,
    code: String,
    center: String,
    #[serde(default)]
    address: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    slug: Spanned<String>,
    label: Spanned<String>,
    #[serde(default)]
    aliases: Vec<String>,
    group: String,
    #[serde(default)]
    holder: Holder,
    visits: Spanned<Vec<String>>,
    when: Option<Spanned<String>>,
    per: Option<Spanned<String>>,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default = "yes")]
    original: bool,
    #[serde(default = "one")]
    copies: u32,
    #[serde(default = "one")]
    min_parts: u32,
    #[serde(default)]
    parts: Vec<String>,
    #[serde(default)]
    combined: Vec<String>,
    #[serde(default)]
    copies_at: BTreeMap<String, u32>,
    accept: Option<Vec<String>>,
    #[serde(default)]
    size: DocSize,
    reason: String,
    basis: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoints {
    id: Spanned<String>,
    label: String,
    group: String,
    best_of: Option<String>,
    points: Spanned<String>,
    /// CEL giving a short text about this applicant (`string(derived.age) + ' 周岁'`).
    detail: Option<Spanned<String>>,
    #[serde(default)]
    explain: String,
    basis: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVeto {
    id: Spanned<String>,
    label: String,
    when: Spanned<String>,
    basis: Spanned<String>,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}

/// A compiled CEL expression with its source, for messages.
#[derive(Clone)]
pub struct Expression {
    pub source: String,
    program: Arc<IdedExpr>,
    /// Where the expression is in the rulebook (`path:line`), for run-time errors.
    pub location: String,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expression({:?})", self.source)
    }
}

#[derive(Debug, Clone)]
pub struct VisitRule {
    pub id: String,
    pub label: String,
    pub note: String,
    /// Nothing is handed in at this visit: originals are shown, no copies are brought.
    pub originals_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct District {
    pub name: String,
    pub code: String,
    pub center: String,
    pub address: Option<String>,
}

/// What a material repeats over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Once,
    /// One item per child (`child-N-<slug>`, `<label>（N）`); `child` is bound in `when`.
    Child,
}

#[derive(Debug, Clone)]
pub struct MaterialRule {
    pub slug: String,
    pub label: String,
    pub aliases: Vec<String>,
    pub group: String,
    pub holder: Holder,
    pub visits: Vec<String>,
    pub when: Option<Expression>,
    pub per: Per,
    pub required: bool,
    pub original: bool,
    pub copies: u32,
    pub min_parts: u32,
    pub parts: Vec<String>,
    /// Part names that say one file holds every part (`正反面`: both sides of a card on one
    /// page).
    pub combined: Vec<String>,
    /// Copies at particular visits, where they differ from `copies` (visit id → copies).
    pub copies_at: BTreeMap<String, u32>,
    pub accept: Vec<String>,
    pub size: DocSize,
    pub reason: String,
    pub basis: String,
}

#[derive(Debug, Clone)]
pub struct PointsRule {
    pub id: String,
    pub label: String,
    pub group: String,
    /// Items sharing a `best_of` group: only the highest counts.
    pub best_of: Option<String>,
    pub points: Expression,
    pub detail: Option<Expression>,
    pub explain: String,
    pub basis: String,
}

#[derive(Debug, Clone)]
pub struct VetoRule {
    pub id: String,
    pub label: String,
    pub when: Expression,
    pub basis: String,
}

#[derive(Debug, Clone)]
pub struct GateRule {
    pub id: String,
    pub label: String,
    pub ok: Expression,
    /// A warning gate is said, never decides.
    pub severity: crate::finding::Severity,
    pub fail: String,
    pub detail: Option<Expression>,
    pub finding: crate::finding::Code,
    pub basis: String,
}

#[derive(Debug, Clone)]
pub struct Rulebook {
    pub id: String,
    pub version: String,
    pub title: String,
    pub standard_score: i64,
    pub basis: String,
    pub limits: Limits,
    pub visits: Vec<VisitRule>,
    pub districts: Vec<District>,
    pub materials: Vec<MaterialRule>,
    pub points: Vec<PointsRule>,
    pub vetoes: Vec<VetoRule>,
    /// The city's average monthly wage per social-insurance year, oldest first, contiguous.
    pub wages: Vec<crate::insurance::Wage>,
    /// The conditions of eligibility besides the points, in rulebook order.
    pub gates: Vec<GateRule>,
    /// The source text, for `dossier rules`.
    pub source: String,
    pub path: PathBuf,
}

const MAX_EXPRESSION_BYTES: usize = 2000;

/// A name an expression may start with: an applicant.toml table, or `derived`.
fn is_root(name: &str) -> bool {
    name == "derived" || profile::TOP_KEYS.contains(&name)
}

fn roots() -> Vec<&'static str> {
    let mut r = profile::TOP_KEYS.to_vec();
    r.push("derived");
    r
}
/// The fields of `derived`.
pub const DERIVED: &[&str] = &[
    "age",
    "married",
    "children",
    "marriage_years",
    "title",
    "skill",
    "skills",
    "graduation_year",
    "application_date",
    "permit_valid",
    "permit_working_days",
];
const CHILD_FIELDS: &[&str] = &[
    "order",
    "order_in_marriage",
    "earlier_marriage",
    "name",
    "birth_date",
    "age",
];
const GROUPS: &[&str] = &["basic", "family", "points", "hr"];
const FILE_TYPES: &[&str] = &["pdf", "jpg", "jpeg", "png"];

impl Rulebook {
    pub fn builtin() -> Result<Rulebook, Error> {
        Rulebook::parse(BUILTIN, Path::new(BUILTIN_NAME))
    }

    pub fn load(path: &Path) -> Result<Rulebook, Error> {
        let bytes = crate::input::read_bounded(path, crate::input::MAX_TEXT_INPUT, "rulebook")?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Rulebook {
            path: path.into(),
            diagnostics: vec![Diagnostic::whole_file(crate::t!(
                "规则文件不是 UTF-8 编码：请另存为 UTF-8",
                "the rulebook is not UTF-8 text: save it as UTF-8"
            ))],
        })?;
        Rulebook::parse(&text, path)
    }

    /// Parses and validates a rulebook; every problem found is reported, located by line.
    pub fn parse(text: &str, path: &Path) -> Result<Rulebook, Error> {
        let fail = |diagnostics| Error::Rulebook {
            path: path.into(),
            diagnostics,
        };
        let raw: RawRulebook = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            fail(vec![Diagnostic::at(
                text,
                span,
                e.message().trim().to_string(),
            )])
        })?;
        let mut v = Validator {
            text,
            path,
            diags: Vec::new(),
        };
        let book = v.build(raw, text);
        if v.diags.is_empty() {
            Ok(book)
        } else {
            v.diags.sort_by_key(|d| (d.line, d.column));
            Err(fail(v.diags))
        }
    }

    pub fn district_names(&self) -> Vec<String> {
        self.districts.iter().map(|d| d.name.clone()).collect()
    }

    pub fn district(&self, name: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.name == name)
    }
}

struct Validator<'a> {
    text: &'a str,
    path: &'a Path,
    diags: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, msg: impl Into<crate::messages::Text>) {
        self.diags.push(Diagnostic::at(self.text, span, msg));
    }

    fn location(&self, span: &std::ops::Range<usize>) -> String {
        let line = self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("{}:{line}", self.path.display())
    }

    fn build(&mut self, raw: RawRulebook, source: &str) -> Rulebook {
        let visit_ids: Vec<String> = raw.visits.iter().map(|v| v.id.get_ref().clone()).collect();
        let originals_only: Vec<&String> = raw
            .visits
            .iter()
            .filter(|v| v.originals_only)
            .map(|v| v.id.get_ref())
            .collect();
        let mut seen = HashSet::new();
        for v in &raw.visits {
            if !seen.insert(v.id.get_ref().clone()) {
                let id = v.id.get_ref();
                self.err(
                    v.id.span(),
                    t!("窗口办理 id \"{id}\" 重复", "duplicate visit id \"{id}\""),
                );
            }
        }
        if raw.rulebook.standard_score <= 0 {
            self.diags.push(Diagnostic::whole_file(t!(
                "rulebook.standard_score 须是正数",
                "rulebook.standard_score must be a positive number"
            )));
        }
        let mut names = HashSet::new();
        for d in &raw.districts {
            if !names.insert(d.name.get_ref().clone()) {
                let name = d.name.get_ref();
                self.err(
                    d.name.span(),
                    t!("区 \"{name}\" 重复", "duplicate district \"{name}\""),
                );
            }
        }
        let mut slugs = HashSet::new();
        let mut labels = HashSet::new();
        let mut materials = Vec::new();
        for m in raw.materials {
            let slug = m.slug.get_ref().clone();
            if !is_slug(&slug) {
                self.err(
                    m.slug.span(),
                    t!(
                        "slug \"{slug}\" 只能由小写 ASCII 字母、数字和连字符组成",
                        "slug \"{slug}\" must be lower-case ASCII letters, digits and hyphens"
                    ),
                );
            }
            if !slugs.insert(slug.clone()) {
                self.err(
                    m.slug.span(),
                    t!(
                        "slug \"{slug}\" 重复：每种材料须有自己的 slug",
                        "duplicate slug \"{slug}\": every material needs its own"
                    ),
                );
            }
            let label = m.label.get_ref().clone();
            if label.trim().is_empty()
                || label
                    .chars()
                    .any(|c| c.is_control() || "/\\:*?\"<>|%".contains(c))
            {
                self.err(m.label.span(), t!(
                    "label 是窗口对这份材料的称呼：不能为空，不能含 / \\ : * ? \" < > | %（它是材料包中的文件名）",
                    "a label is the counter's name for the document: not empty, none of / \\ : * ? \" < > | % (it names files in the bundle)"
                ));
            }
            if !m.parts.is_empty() && m.parts.len() != m.min_parts as usize {
                let (n, min) = (m.parts.len(), m.min_parts);
                self.err(m.label.span(), t!(
                    "材料 \"{slug}\"：min_parts = {min}，却有 {n} 个分页名；每页一个名字",
                    "material \"{slug}\": {n} part names for min_parts = {min}; give one name per part"
                ));
            }
            if !labels.insert(label.clone()) {
                self.err(
                    m.label.span(),
                    t!(
                        "label \"{label}\" 重复：每种材料的 label 须不同",
                        "duplicate label \"{label}\": labels must be unique"
                    ),
                );
            }
            for visit in m.visits.get_ref() {
                if !visit_ids.contains(visit) {
                    let near = profile::suggest(visit, visit_ids.iter().map(String::as_str));
                    let (hint_zh, hint_en) = match near {
                        Some(s) => (
                            format!("；是不是 \"{s}\"？"),
                            format!("; did you mean \"{s}\"?"),
                        ),
                        None => (String::new(), String::new()),
                    };
                    self.err(m.visits.span(), t!(
                        "材料 \"{slug}\" 列出的窗口办理 \"{visit}\" 不是 [[visits]] 的 id{hint_zh}",
                        "material \"{slug}\" names visit \"{visit}\", which is not a [[visits]] id{hint_en}"
                    ));
                }
                if !m.original && originals_only.contains(&visit) {
                    self.err(m.visits.span(), t!(
                        "材料 \"{slug}\" 只交复印件（original = false），但窗口办理 \"{visit}\" 只收原件：请从它的 visits 中去掉这一次",
                        "material \"{slug}\" is a copy only (original = false), but visit \"{visit}\" takes originals only: leave that visit out of its visits"
                    ));
                }
            }
            for visit in m.copies_at.keys() {
                if !m.visits.get_ref().contains(visit) {
                    self.err(m.slug.span(), t!(
                        "材料 \"{slug}\"：copies_at 列出的窗口办理 \"{visit}\" 不在它的 visits 中",
                        "material \"{slug}\": copies_at names visit \"{visit}\", which is not one of its visits"
                    ));
                }
            }
            if m.visits.get_ref().is_empty() {
                self.err(
                    m.visits.span(),
                    t!(
                        "材料 \"{slug}\" 不在任何一次窗口办理中提交",
                        "material \"{slug}\" is brought to no visit"
                    ),
                );
            }
            if !GROUPS.contains(&m.group.as_str()) {
                self.err(m.slug.span(), {
                    let (group, groups) = (&m.group, GROUPS.join(", "));
                    t!(
                        "材料 \"{slug}\"：group \"{group}\" 不是 {groups} 之一",
                        "material \"{slug}\": group \"{group}\" is not one of {groups}"
                    )
                });
            }
            self.basis(&m.basis);
            let per = match m.per.as_ref().map(|p| p.get_ref().as_str()) {
                None => Per::Once,
                Some("child") => Per::Child,
                Some(other) => {
                    let span = m.per.as_ref().map(|p| p.span()).unwrap_or(0..0);
                    self.err(
                        span,
                        t!(
                            "per = \"{other}\"：只有 \"child\" 可以让材料按人重复",
                            "per = \"{other}\": only \"child\" repeats a material"
                        ),
                    );
                    Per::Once
                }
            };
            let accept = m
                .accept
                .unwrap_or_else(|| vec!["pdf".into(), "jpg".into(), "png".into()]);
            for a in &accept {
                if !FILE_TYPES.contains(&a.as_str()) {
                    self.err(
                        m.slug.span(),
                        t!(
                            "材料 \"{slug}\"：accept \"{a}\" 不是 pdf、jpg、png 之一",
                            "material \"{slug}\": accept \"{a}\" is not one of pdf, jpg, png"
                        ),
                    );
                }
            }
            if m.min_parts == 0 || m.min_parts > 50 {
                self.err(
                    m.slug.span(),
                    t!(
                        "材料 \"{slug}\"：min_parts 须在 1 到 50 之间",
                        "material \"{slug}\": min_parts must be 1 to 50"
                    ),
                );
            }
            let when = m.when.as_ref().map(|w| self.compile(w, per == Per::Child));
            materials.push(MaterialRule {
                slug,
                label,
                aliases: m.aliases,
                group: m.group,
                holder: m.holder,
                visits: order_visits(m.visits.get_ref(), &visit_ids),
                when: when.flatten(),
                per,
                required: m.required,
                original: m.original,
                copies: m.copies,
                min_parts: m.min_parts,
                parts: m.parts,
                combined: m.combined,
                copies_at: m.copies_at,
                accept,
                size: m.size,
                reason: m.reason,
                basis: m.basis.into_inner(),
            });
        }
        let mut ids = HashSet::new();
        let mut points = Vec::new();
        for p in raw.points {
            if !ids.insert(p.id.get_ref().clone()) {
                let id = p.id.get_ref();
                self.err(
                    p.id.span(),
                    t!("积分项 id \"{id}\" 重复", "duplicate points id \"{id}\""),
                );
            }
            self.basis(&p.basis);
            if !["basic", "bonus", "deduction"].contains(&p.group.as_str()) {
                self.err(p.id.span(), {
                    let (id, group) = (p.id.get_ref(), &p.group);
                    t!(
                        "积分项 \"{id}\"：group \"{group}\" 不是 basic、bonus、deduction 之一",
                        "points \"{id}\": group \"{group}\" is not one of basic, bonus, deduction"
                    )
                });
            }
            let detail = p.detail.as_ref().and_then(|d| self.compile(d, false));
            if let Some(expr) = self.compile(&p.points, false) {
                points.push(PointsRule {
                    detail,
                    id: p.id.into_inner(),
                    label: p.label,
                    group: p.group,
                    best_of: p.best_of,
                    points: expr,
                    explain: p.explain,
                    basis: p.basis.into_inner(),
                });
            }
        }
        let mut vetoes = Vec::new();
        let mut veto_ids = HashSet::new();
        for vr in raw.vetoes {
            self.basis(&vr.basis);
            if !veto_ids.insert(vr.id.get_ref().clone()) {
                let id = vr.id.get_ref();
                self.err(
                    vr.id.span(),
                    t!("一票否决 id \"{id}\" 重复", "duplicate veto id \"{id}\""),
                );
            }
            if let Some(expr) = self.compile(&vr.when, false) {
                vetoes.push(VetoRule {
                    id: vr.id.into_inner(),
                    label: vr.label,
                    when: expr,
                    basis: vr.basis.into_inner(),
                });
            }
        }
        let wages = self.wages(raw.average_wage);
        let gates = self.gates(raw.gates);
        Rulebook {
            wages,
            gates,
            id: raw.rulebook.id,
            version: raw.rulebook.version,
            title: raw.rulebook.title,
            standard_score: raw.rulebook.standard_score,
            basis: raw.rulebook.basis,
            limits: raw.limits,
            visits: raw
                .visits
                .into_iter()
                .map(|v| VisitRule {
                    id: v.id.into_inner(),
                    label: v.label,
                    note: v.note,
                    originals_only: v.originals_only,
                })
                .collect(),
            districts: raw
                .districts
                .into_iter()
                .map(|d| District {
                    name: d.name.into_inner(),
                    code: d.code,
                    center: d.center,
                    address: d.address.filter(|a| !a.is_empty()),
                })
                .collect(),
            materials,
            points,
            vetoes,
            source: source.to_string(),
            path: self.path.to_path_buf(),
        }
    }

    fn gates(&mut self, raw: Vec<RawGate>) -> Vec<GateRule> {
        use crate::finding::{Code, Severity};
        let mut out = Vec::new();
        let mut ids = HashSet::new();
        for g in raw {
            let id = g.id.get_ref().clone();
            if !ids.insert(id.clone()) {
                self.err(
                    g.id.span(),
                    t!("申请条件 id \"{id}\" 重复", "duplicate gate id \"{id}\""),
                );
            }
            self.basis(&g.basis);
            let severity = match g.severity.get_ref().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                other => {
                    self.err(
                        g.severity.span(),
                        t!(
                            "申请条件 \"{id}\"：severity \"{other}\" 须是 \"error\" 或 \"warning\"",
                            "gate \"{id}\": severity \"{other}\" is not \"error\" or \"warning\""
                        ),
                    );
                    Severity::Error
                }
            };
            let finding = match &g.finding {
                None if severity == Severity::Warning => Code::EligibilityWarning,
                None => Code::NotEligible,
                Some(f) => match Code::ALL.iter().find(|c| c.as_str() == f.get_ref()) {
                    Some(c) => *c,
                    None => {
                        let code = f.get_ref();
                        self.err(f.span(), t!(
                            "申请条件 \"{id}\"：finding \"{code}\" 不是检查结果代码（见 docs/findings.md）",
                            "gate \"{id}\": finding \"{code}\" is not a finding code (docs/findings.md)"
                        ));
                        Code::NotEligible
                    }
                },
            };
            let detail = g.detail.as_ref().and_then(|d| self.compile(d, false));
            if let Some(ok) = self.compile(&g.ok, false) {
                out.push(GateRule {
                    id,
                    label: g.label,
                    ok,
                    severity,
                    fail: g.fail,
                    detail,
                    finding,
                    basis: g.basis.into_inner(),
                });
            }
        }
        out
    }

    /// The average-wage table: every year starts in July, years ascending without a gap, every
    /// figure with its source.
    fn wages(&mut self, raw: Vec<RawWage>) -> Vec<crate::insurance::Wage> {
        use crate::date::Month;
        let mut out: Vec<crate::insurance::Wage> = Vec::new();
        for w in raw {
            let Some(from) = Month::parse(w.from.get_ref()).filter(|m| m.month == 7) else {
                let from = w.from.get_ref();
                self.err(w.from.span(), t!(
                    "average_wage.from = \"{from}\"：须是社保年度开始的七月，\"YYYY-07\"",
                    "average_wage.from = \"{from}\": the July that starts the social-insurance year, \"YYYY-07\""
                ));
                continue;
            };
            if let Some(prev) = out.last() {
                if from.year != prev.from.year + 1 {
                    let before = prev.from;
                    self.err(w.from.span(), t!(
                        "average_wage：{from} 没有紧接在 {before} 之后：请按年份顺序逐年列出，不要跳年",
                        "average_wage: {from} does not follow {before}: list the years in order, one per year, without a gap"
                    ));
                    continue;
                }
            }
            if !(w.monthly.is_finite() && w.monthly > 0.0) {
                self.err(
                    w.from.span(),
                    t!(
                        "average_wage.monthly 须是正数（元）",
                        "average_wage.monthly must be a positive number of yuan"
                    ),
                );
                continue;
            }
            if w.source.get_ref().trim().is_empty() {
                self.err(w.source.span(), t!(
                    "每个平均工资数字都须注明来源（没有来源时写明，并设 confirmed = false）",
                    "every average-wage figure cites its source (or says that it has none, with confirmed = false)"
                ));
            }
            out.push(crate::insurance::Wage {
                from,
                monthly: w.monthly,
                source: w.source.into_inner(),
                confirmed: w.confirmed,
            });
        }
        out
    }

    fn basis(&mut self, basis: &Spanned<String>) {
        if basis.get_ref().trim().is_empty() {
            self.err(
                basis.span(),
                t!(
                    "每条规则都须注明依据（所依据的政策或来源）",
                    "every rule cites its basis (the policy or source it comes from)"
                ),
            );
        }
    }

    /// Compiles a CEL expression, reporting syntax errors and unknown references at its place.
    fn compile(&mut self, src: &Spanned<String>, child: bool) -> Option<Expression> {
        // The span covers the quoted TOML string; point inside the quotes.
        let span = src.span();
        let inner = span.start + 1..span.end.saturating_sub(1).max(span.start + 1);
        // Deeply nested expressions would exhaust the stack when parsed, checked or evaluated;
        // no real rule comes near this.
        if src.get_ref().len() > MAX_EXPRESSION_BYTES {
            self.err(
                inner,
                t!(
                    "表达式超过 {MAX_EXPRESSION_BYTES} 字节：请拆分这条规则",
                    "expression longer than {MAX_EXPRESSION_BYTES} bytes: split the rule"
                ),
            );
            return None;
        }
        let program = match PrattParser::new().parse(src.get_ref()) {
            Ok(p) => p,
            Err(e) => {
                let msg = e
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or("syntax error")
                    .trim()
                    .to_string();
                // The parser says `ERROR: <input>:LINE:COL: message`; point the caret there.
                let (at, msg) = cel_error_position(&msg, src.get_ref());
                let start = (inner.start + at)
                    .min(inner.end.saturating_sub(1))
                    .max(inner.start);
                self.err(
                    start..inner.end,
                    format!("CEL syntax error in `{}`: {msg}", src.get_ref()),
                );
                return None;
            }
        };
        let mut problems = Vec::new();
        check_refs(&program.expr, &mut Vec::new(), child, &mut problems);
        let expr = src.get_ref();
        for p in &problems {
            let (zh, en) = (&p.zh, &p.en);
            self.err(inner.clone(), t!("`{expr}` 中：{zh}", "in `{expr}`: {en}"));
        }
        if !problems.is_empty() {
            return None;
        }
        if let Some(why) = crate::celcost::over_budget(&program.expr) {
            let (zh, en) = (&why.zh, &why.en);
            self.err(inner, t!("`{expr}` 中：{zh}", "in `{expr}`: {en}"));
            return None;
        }
        Some(Expression {
            source: src.get_ref().clone(),
            program: Arc::new(program),
            location: self.location(&span),
        })
    }
}

/// The byte offset in `source` and the bare message of a CEL parse error
/// (`ERROR: <input>:1:19: unexpected …`); offset 0 when the message has no position.
fn cel_error_position(msg: &str, source: &str) -> (usize, String) {
    let Some(rest) = msg.split("<input>:").nth(1) else {
        return (0, msg.to_string());
    };
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(1);
    let col: usize = parts
        .next()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(1);
    let text = parts.next().unwrap_or(msg).trim().to_string();
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let in_line = source[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    (line_start + in_line, text)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// The visits of a material in the rulebook's visit order.
fn order_visits(named: &[String], order: &[String]) -> Vec<String> {
    order
        .iter()
        .filter(|v| named.contains(v))
        .cloned()
        .collect()
}

/// Walks a CEL expression and reports names that the applicant data does not have.
fn check_refs(
    expr: &Expr,
    bound: &mut Vec<String>,
    child: bool,
    problems: &mut Vec<crate::messages::Text>,
) {
    match expr {
        Expr::Ident(name) => {
            let known = bound.contains(name) || is_root(name) || (child && name == "child");
            if !known {
                let mut roots = roots();
                if child {
                    roots.push("child");
                }
                let (hint_zh, hint_en) =
                    did_you_mean(profile::suggest(name, roots.iter().copied()));
                let known = roots.join(", ");
                problems.push(t!(
                    "未知名称 `{name}`{hint_zh}（已知：{known}）",
                    "unknown name `{name}`{hint_en} (known: {known})"
                ));
            }
        }
        Expr::Select(sel) => {
            if let Some(path) = select_path(expr) {
                if !bound.contains(&path[0]) {
                    check_path(&path, child, problems);
                    return;
                }
            }
            check_refs(&sel.operand.expr, bound, child, problems);
        }
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                check_refs(&t.expr, bound, child, problems);
            }
            for a in &call.args {
                check_refs(&a.expr, bound, child, problems);
            }
        }
        Expr::Comprehension(c) => {
            check_refs(&c.iter_range.expr, bound, child, problems);
            check_refs(&c.accu_init.expr, bound, child, problems);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v2) = &c.iter_var2 {
                bound.push(v2.clone());
            }
            bound.push(c.accu_var.clone());
            check_refs(&c.loop_cond.expr, bound, child, problems);
            check_refs(&c.loop_step.expr, bound, child, problems);
            check_refs(&c.result.expr, bound, child, problems);
            bound.truncate(before);
        }
        Expr::List(l) => {
            for e in &l.elements {
                check_refs(&e.expr, bound, child, problems);
            }
        }
        Expr::Map(m) => {
            for e in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &e.expr {
                    check_refs(&me.key.expr, bound, child, problems);
                    check_refs(&me.value.expr, bound, child, problems);
                }
            }
        }
        Expr::Literal(_) | Expr::Unspecified | Expr::Struct(_) => {}
    }
}

/// `a.b.c` as `["a", "b", "c"]` when the expression is a plain qualified name.
fn select_path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Ident(n) => Some(vec![n.clone()]),
        Expr::Select(s) => {
            let mut p = select_path(&s.operand.expr)?;
            p.push(s.field.clone());
            Some(p)
        }
        _ => None,
    }
}

fn check_path(path: &[String], child: bool, problems: &mut Vec<crate::messages::Text>) {
    let schema = profile::schema();
    let root = path[0].as_str();
    let fields: Option<&[&str]> = match root {
        "derived" => Some(DERIVED),
        "child" if child => Some(CHILD_FIELDS),
        "certificates" => None,
        r if is_root(r) => schema.get(r).copied(),
        _ => {
            check_refs(
                &Expr::Ident(path[0].clone()),
                &mut Vec::new(),
                child,
                problems,
            );
            return;
        }
    };
    let Some(fields) = fields else {
        if path.len() > 1 {
            problems.push(t!(
                "`{root}` 是列表：请用 certificates.exists(c, c.type == 'skill') 之类的写法",
                "`{root}` is a list: use certificates.exists(c, c.type == 'skill') and the like"
            ));
        }
        return;
    };
    if path.len() < 2 {
        return;
    }
    let field = path[1].as_str();
    if !fields.contains(&field) {
        let near = profile::suggest(field, fields.iter().copied()).map(|s| format!("{root}.{s}"));
        let (hint_zh, hint_en) = did_you_mean(near.as_deref());
        problems.push(t!(
            "`{root}` 没有字段 `{field}`{hint_zh}",
            "`{root}` has no field `{field}`{hint_en}"
        ));
        return;
    }
    if root == "family" && field == "spouse" && path.len() > 2 {
        let sub = path[2].as_str();
        let fields = schema["family.spouse"];
        if !fields.contains(&sub) {
            let near =
                profile::suggest(sub, fields.iter().copied()).map(|s| format!("family.spouse.{s}"));
            let (hint_zh, hint_en) = did_you_mean(near.as_deref());
            problems.push(t!(
                "`family.spouse` 没有字段 `{sub}`{hint_zh}",
                "`family.spouse` has no field `{sub}`{hint_en}"
            ));
        }
    }
}

/// A "did you mean `x`" hint in both languages, or none.
fn did_you_mean(near: Option<&str>) -> (String, String) {
    match near {
        Some(s) => (
            format!("；是不是 `{s}`？"),
            format!("; did you mean `{s}`?"),
        ),
        None => (String::new(), String::new()),
    }
}

/// The most points (plus or minus) one rule may give (SPEC §9): more is a rulebook error.
pub const MAX_POINTS: i64 = 1000;

/// The variables one applicant's expressions are evaluated against.
pub struct Env {
    tables: BTreeMap<String, Value>,
    /// The application date the derived values were computed for.
    pub date: crate::date::Date,
    /// The social-insurance record month by month, for the window helpers.
    pub record: Arc<crate::insurance::Record>,
    /// What the clerk should know about how the values were made (an average wage past the
    /// rulebook's table …).
    pub warnings: Vec<crate::messages::Text>,
    /// The CEL context over `tables`, made once: making it converts the whole of the
    /// applicant's data, which done per evaluation made per-child rules quadratic in the
    /// number of children (3,000 children: 15 s).
    root: std::sync::OnceLock<Context<'static, 'static>>,
}

impl Env {
    /// The values of one applicant on the application date `on`. An error is an insurance
    /// record the rulebook's average-wage table cannot make ratios of.
    pub fn new(
        book: &Rulebook,
        p: &Profile,
        on: crate::date::Date,
    ) -> Result<Env, crate::messages::Text> {
        let record =
            crate::insurance::Record::new(&p.insurance, &book.wages, crate::date::Month::of(on))?;
        let mut tables = BTreeMap::new();
        let mut json = serde_json::to_value(p).unwrap_or_default();
        // The rules see the record's figures, also where periods give them: the paid months,
        // their full years, the newest month's ratio, and whether the application month is paid.
        json["insurance"]["months"] = (record.months.len() as i64).into();
        json["insurance"]["years"] = (record.months.len() as i64 / 12).into();
        json["insurance"]["base_ratio"] = record.latest_ratio().into();
        json["insurance"]["contributing"] = record.paying_now().into();
        if let serde_json::Value::Object(map) = json {
            for (k, v) in map {
                tables.insert(k, json_to_cel(&v));
            }
        }
        let marriage_years = match (p.married(), p.family.married_on) {
            (true, Some(m)) => m.full_years_until(on).max(0),
            _ => 0,
        };
        let derived = serde_json::json!({
            "age": p.age(on),
            "married": p.married(),
            "children": p.family.children.len(),
            "marriage_years": marriage_years,
            "title": p.best_title(),
            "skill": p.best_skill(),
            "skills": p.skill_levels(),
            "graduation_year": p.education.graduated_on.map_or(0, |d| d.year),
            "application_date": on.to_string(),
            "permit_valid": p.applicant.permit_expires.is_none_or(|d| d >= on),
            "permit_working_days": p.applicant.permit_expires.map(|d| on.working_days_until(d)),
        });
        tables.insert("derived".into(), json_to_cel(&derived));
        Ok(Env {
            tables,
            date: on,
            warnings: record.warnings.clone(),
            record: Arc::new(record),
            root: std::sync::OnceLock::new(),
        })
    }

    fn context(&self) -> Context<'static, 'static> {
        let mut ctx = Context::default();
        for (k, v) in &self.tables {
            ctx.add_variable_from_value(k.clone(), v.clone());
        }
        // Registering a new name cannot conflict; the Result only reports overload clashes.
        let _ = ctx.add_function("max", cel::functions::max);
        let _ = ctx.add_function("min", cel::functions::min);
        // The insurance windows: months_at(W, R) is the number of paid months among the last W
        // (the application month included) at a ratio ≥ R; window(M, W, R) is months_at ≥ M.
        let record = Arc::clone(&self.record);
        let _ = ctx.add_function(
            "months_at",
            move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
                let (w, r) = window_args("months_at", &args, 2)?;
                Ok::<Value, cel::ExecutionError>(Value::Int(record.months_at(w[0], r)))
            },
        );
        let record = Arc::clone(&self.record);
        let _ = ctx.add_function(
            "window",
            move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
                let (w, r) = window_args("window", &args, 3)?;
                Ok::<Value, cel::ExecutionError>(Value::Bool(record.months_at(w[1], r) >= w[0]))
            },
        );
        ctx
    }

    /// Evaluates a condition; `child` binds the per-child variable.
    pub fn condition(
        &self,
        e: &Expression,
        child: Option<&serde_json::Value>,
    ) -> Result<bool, String> {
        match self.eval(e, child)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not true/false",
                e.location, e.source
            )),
        }
    }

    /// Evaluates a points formula to a whole number.
    pub fn points(&self, e: &Expression) -> Result<i64, String> {
        let out_of_range = |v: &dyn std::fmt::Display| {
            format!(
                "{}: `{}` gave {v} points, outside ±{MAX_POINTS}: a rulebook error",
                e.location, e.source
            )
        };
        match self.eval(e, None)? {
            Value::Int(i) if i.abs() <= MAX_POINTS => Ok(i),
            Value::UInt(u) if u <= MAX_POINTS as u64 => Ok(u as i64),
            Value::Float(f) if f.is_finite() && f.round().abs() <= MAX_POINTS as f64 => {
                Ok(f.round() as i64)
            }
            Value::Int(i) => Err(out_of_range(&i)),
            Value::UInt(u) => Err(out_of_range(&u)),
            Value::Float(f) => Err(out_of_range(&f)),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not a number of points",
                e.location, e.source
            )),
        }
    }

    /// Evaluates a text expression (a points item's `detail`).
    pub fn text(&self, e: &Expression) -> Result<String, String> {
        match self.eval(e, None)? {
            Value::String(s) => Ok(s.to_string()),
            other => Err(format!(
                "{}: `{}` gave {other:?}, not text",
                e.location, e.source
            )),
        }
    }

    fn eval(&self, e: &Expression, child: Option<&serde_json::Value>) -> Result<Value, String> {
        let root = self.root.get_or_init(|| self.context());
        let result = match child {
            Some(c) => {
                let mut ctx = root.new_inner_scope();
                ctx.add_variable_from_value("child", json_to_cel(c));
                ctx.resolve(&e.program)
            }
            None => root.resolve(&e.program),
        };
        result.map_err(|err| {
            // Explained only when the failure is about a null and one empty value accounts for
            // it; CEL's own words always follow.
            let about_null = err.to_string().to_lowercase().contains("null");
            let empty = about_null
                .then(|| self.empty_on_path(&e.program.expr))
                .flatten();
            let why = match empty {
                Some((empty, path)) if empty == path => format!(
                    " cannot be evaluated for this applicant: `{empty}` is empty (not filled in, or not applicable); guard it, e.g. `{empty} != null && …` ({err})"
                ),
                Some((empty, path)) => {
                    let guard = if empty == "family.spouse" {
                        "derived.married".to_string()
                    } else {
                        format!("{empty} != null")
                    };
                    format!(
                        " cannot be evaluated for this applicant: `{empty}` is empty (not filled in, or not applicable), so `{path}` has no value; guard it, e.g. `{guard} && {path}` ({err})"
                    )
                }
                None => format!(" failed: {err}"),
            };
            format!("{}: `{}`{why}", e.location, e.source)
        })
    }

    /// The empty (null) value of this applicant's data that an evaluation error about a null
    /// comes from, as (the empty part, the whole name): `family.spouse` for
    /// `family.spouse.shanghai_hukou` when there is no spouse, or `family.married_on` itself.
    /// Names compared with `null` are guards, not culprits. `None` unless exactly one empty
    /// value is in question.
    fn empty_on_path(&self, expr: &Expr) -> Option<(String, String)> {
        let mut names = Vec::new();
        qualified_names(expr, &mut names);
        // How many leading segments of `path` end at an empty value.
        let empty_at = |path: &[String]| -> Option<usize> {
            let mut v = self.tables.get(&path[0])?;
            for (i, seg) in path.iter().enumerate().skip(1) {
                match v {
                    Value::Null => return Some(i),
                    Value::Map(m) => {
                        v = m
                            .map
                            .get(&cel::objects::Key::String(Arc::new(seg.clone())))?
                    }
                    _ => return None,
                }
            }
            matches!(v, Value::Null).then_some(path.len())
        };
        let found: Vec<(String, String, bool)> = names
            .iter()
            .filter_map(|p| {
                let i = empty_at(p)?;
                Some((p[..i].join("."), p.join("."), i < p.len()))
            })
            .collect();
        // A name read through the empty value explains it better than the value itself.
        let first = found.iter().find(|f| f.2).or_else(|| found.first())?;
        found
            .iter()
            .all(|f| f.0 == first.0)
            .then(|| (first.0.clone(), first.1.clone()))
    }
}

/// The arguments of a window helper: `n - 1` whole numbers (months), then a ratio.
fn window_args(
    name: &str,
    args: &[Value],
    n: usize,
) -> Result<(Vec<i64>, f64), cel::ExecutionError> {
    if args.len() != n {
        return Err(cel::ExecutionError::function_error(
            name,
            format!("takes {n} arguments, got {}", args.len()),
        ));
    }
    let mut months = Vec::new();
    for a in &args[..n - 1] {
        match a {
            Value::Int(i) if (0..=1200).contains(i) => months.push(*i),
            Value::UInt(u) if *u <= 1200 => months.push(*u as i64),
            other => {
                return Err(cel::ExecutionError::function_error(
                    name,
                    format!("months must be a whole number from 0 to 1200, not {other:?}"),
                ))
            }
        }
    }
    let ratio = match &args[n - 1] {
        Value::Float(f) if f.is_finite() => *f,
        Value::Int(i) => *i as f64,
        Value::UInt(u) => *u as f64,
        other => {
            return Err(cel::ExecutionError::function_error(
                name,
                format!("the ratio must be a number, not {other:?}"),
            ))
        }
    };
    Ok((months, ratio))
}

/// Every plain qualified name (`a.b.c`) in `expr`, outermost first.
fn qualified_names(expr: &Expr, out: &mut Vec<Vec<String>>) {
    if let Some(path) = select_path(expr).filter(|p| p.len() > 1) {
        out.push(path);
        return;
    }
    match expr {
        Expr::Select(sel) => qualified_names(&sel.operand.expr, out),
        // `x == null`, `x != null`: a guard, which cannot fail on an empty `x`.
        Expr::Call(call)
            if matches!(call.func_name.as_str(), "_==_" | "_!=_")
                && call.args.iter().any(|a| {
                    matches!(a.expr, Expr::Literal(cel::common::ast::LiteralValue::Null))
                }) => {}
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                qualified_names(&t.expr, out);
            }
            for a in &call.args {
                qualified_names(&a.expr, out);
            }
        }
        Expr::Comprehension(c) => {
            for e in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                qualified_names(&e.expr, out);
            }
        }
        Expr::List(l) => l
            .elements
            .iter()
            .for_each(|e| qualified_names(&e.expr, out)),
        Expr::Map(m) => {
            for e in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &e.expr {
                    qualified_names(&me.key.expr, out);
                    qualified_names(&me.value.expr, out);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified | Expr::Struct(_) => {}
    }
}

fn json_to_cel(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::String(Arc::new(s.clone())),
        J::Array(a) => Value::List(Arc::new(a.iter().map(json_to_cel).collect())),
        J::Object(o) => {
            let map: std::collections::HashMap<String, Value> =
                o.iter().map(|(k, v)| (k.clone(), json_to_cel(v))).collect();
            Value::from(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rulebook_loads() {
        let r = Rulebook::builtin().map_err(|e| e.render()).unwrap();
        assert_eq!(r.standard_score, 120);
        assert_eq!(r.districts.len(), 16);
    }

    #[test]
    fn unknown_field_reference_is_located() {
        let text = BUILTIN.replacen("when = \"derived.married\"", "when = \"derived.maried\"", 1);
        let err = Rulebook::parse(&text, Path::new("r.toml")).unwrap_err();
        let msg = err.render_in(crate::messages::Lang::En);
        assert!(msg.contains("did you mean `derived.married`"), "{msg}");
        assert!(msg.contains("r.toml:"), "{msg}");
        let msg = err.render_in(crate::messages::Lang::Zh);
        assert!(msg.contains("是不是 `derived.married`"), "{msg}");
        assert!(!msg.contains("did you mean"), "{msg}");
    }

    #[test]
    fn syntax_error_is_located() {
        let text = BUILTIN.replacen(
            "when = \"derived.married\"",
            "when = \"derived.married &&\"",
            1,
        );
        let line = text
            .lines()
            .position(|l| l.contains("derived.married &&"))
            .unwrap()
            + 1;
        let msg = Rulebook::parse(&text, Path::new("r.toml"))
            .unwrap_err()
            .render();
        assert!(msg.contains(&format!("r.toml:{line}:")), "{msg}");
        assert!(msg.contains("CEL syntax error"), "{msg}");
    }
}
