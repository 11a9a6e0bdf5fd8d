//! Reading a rulebook: its TOML as raw tables, then every check of [`super`]'s invariant (known
//! references, unique slugs and labels, visits that exist, a basis for every rule) before a
//! [`Rulebook`] is made.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use cel::parser::PrattParser;
use serde::Deserialize;
use toml::Spanned;

use super::refs::check_refs;
use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRulebook {
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

pub(super) struct Validator<'a> {
    pub(super) text: &'a str,
    pub(super) path: &'a Path,
    pub(super) diags: Vec<Diagnostic>,
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

    pub(super) fn build(&mut self, raw: RawRulebook, source: &str) -> Rulebook {
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
        let (mut slugs, mut labels) = (HashSet::new(), HashSet::new());
        let materials = raw
            .materials
            .into_iter()
            .map(|m| self.material(m, &mut slugs, &mut labels, &visit_ids, &originals_only))
            .collect();
        let points = self.points(raw.points);
        let vetoes = self.vetoes(raw.vetoes);
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

    /// One `[[materials]]` entry, checked (`slugs` and `labels` are those seen before it).
    fn material(
        &mut self,
        m: RawMaterial,
        slugs: &mut HashSet<String>,
        labels: &mut HashSet<String>,
        visit_ids: &[String],
        originals_only: &[&String],
    ) -> MaterialRule {
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
            self.err(
                m.label.span(),
                t!(
                "材料 \"{slug}\"：min_parts = {min}，却有 {n} 个分页名；每页一个名字",
                "material \"{slug}\": {n} part names for min_parts = {min}; give one name per part"
            ),
            );
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
        MaterialRule {
            slug,
            label,
            aliases: m.aliases,
            group: m.group,
            holder: m.holder,
            visits: order_visits(m.visits.get_ref(), visit_ids),
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
        }
    }

    /// The `[[points]]` items, checked; one whose expression does not compile is left out (its
    /// error is reported).
    fn points(&mut self, raw: Vec<RawPoints>) -> Vec<PointsRule> {
        let mut ids = HashSet::new();
        let mut points = Vec::new();
        for p in raw {
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
        points
    }

    /// The `[[vetoes]]`, checked like the points.
    fn vetoes(&mut self, raw: Vec<RawVeto>) -> Vec<VetoRule> {
        let mut vetoes = Vec::new();
        let mut veto_ids = HashSet::new();
        for vr in raw {
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
        vetoes
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
