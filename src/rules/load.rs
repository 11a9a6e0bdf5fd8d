//! Reading a rulebook: its TOML as raw tables, then every check of [`super`]'s invariant (known
//! references, unique slugs and labels, visits that exist, a basis for every rule) before a
//! [`Rulebook`] is made.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use cel::common::ast::Expr;
use cel::parser::PrattParser;
use serde::Deserialize;
use toml::Spanned;

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
                self.err(
                    v.id.span(),
                    format!("duplicate visit id \"{}\"", v.id.get_ref()),
                );
            }
        }
        if raw.rulebook.standard_score <= 0 {
            self.diags.push(Diagnostic::whole_file(
                "rulebook.standard_score must be a positive number",
            ));
        }
        let mut names = HashSet::new();
        for d in &raw.districts {
            if !names.insert(d.name.get_ref().clone()) {
                self.err(
                    d.name.span(),
                    format!("duplicate district \"{}\"", d.name.get_ref()),
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
                format!("slug \"{slug}\" must be lower-case ASCII letters, digits and hyphens"),
            );
        }
        if !slugs.insert(slug.clone()) {
            self.err(
                m.slug.span(),
                format!("duplicate slug \"{slug}\": every material needs its own"),
            );
        }
        let label = m.label.get_ref().clone();
        if label.trim().is_empty()
            || label
                .chars()
                .any(|c| c.is_control() || "/\\:*?\"<>|%".contains(c))
        {
            self.err(m.label.span(), "a label is the counter's name for the document: not empty, none of / \\ : * ? \" < > | % (it names files in the bundle)");
        }
        if !m.parts.is_empty() && m.parts.len() != m.min_parts as usize {
            self.err(
                m.label.span(),
                format!(
                    "material \"{slug}\": {} part names for min_parts = {}; give one name per part",
                    m.parts.len(),
                    m.min_parts
                ),
            );
        }
        if !labels.insert(label.clone()) {
            self.err(
                m.label.span(),
                format!("duplicate label \"{label}\": labels must be unique"),
            );
        }
        for visit in m.visits.get_ref() {
            if !visit_ids.contains(visit) {
                let hint = profile::suggest(visit, visit_ids.iter().map(String::as_str))
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default();
                self.err(m.visits.span(), format!("material \"{slug}\" names visit \"{visit}\", which is not a [[visits]] id{hint}"));
            }
            if !m.original && originals_only.contains(&visit) {
                self.err(m.visits.span(), format!("material \"{slug}\" is a copy only (original = false), but visit \"{visit}\" takes originals only: leave that visit out of its visits"));
            }
        }
        for visit in m.copies_at.keys() {
            if !m.visits.get_ref().contains(visit) {
                self.err(m.slug.span(), format!("material \"{slug}\": copies_at names visit \"{visit}\", which is not one of its visits"));
            }
        }
        if m.visits.get_ref().is_empty() {
            self.err(
                m.visits.span(),
                format!("material \"{slug}\" is brought to no visit"),
            );
        }
        if !GROUPS.contains(&m.group.as_str()) {
            self.err(
                m.slug.span(),
                format!(
                    "material \"{slug}\": group \"{}\" is not one of {}",
                    m.group,
                    GROUPS.join(", ")
                ),
            );
        }
        self.basis(&m.basis);
        let per = match m.per.as_ref().map(|p| p.get_ref().as_str()) {
            None => Per::Once,
            Some("child") => Per::Child,
            Some(other) => {
                let span = m.per.as_ref().map(|p| p.span()).unwrap_or(0..0);
                self.err(
                    span,
                    format!("per = \"{other}\": only \"child\" repeats a material"),
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
                    format!("material \"{slug}\": accept \"{a}\" is not one of pdf, jpg, png"),
                );
            }
        }
        if m.min_parts == 0 || m.min_parts > 50 {
            self.err(
                m.slug.span(),
                format!("material \"{slug}\": min_parts must be 1 to 50"),
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
                self.err(
                    p.id.span(),
                    format!("duplicate points id \"{}\"", p.id.get_ref()),
                );
            }
            self.basis(&p.basis);
            if !["basic", "bonus", "deduction"].contains(&p.group.as_str()) {
                self.err(
                    p.id.span(),
                    format!(
                        "points \"{}\": group \"{}\" is not one of basic, bonus, deduction",
                        p.id.get_ref(),
                        p.group
                    ),
                );
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
                self.err(
                    vr.id.span(),
                    format!("duplicate veto id \"{}\"", vr.id.get_ref()),
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
                self.err(g.id.span(), format!("duplicate gate id \"{id}\""));
            }
            self.basis(&g.basis);
            let severity = match g.severity.get_ref().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                other => {
                    self.err(
                        g.severity.span(),
                        format!(
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
                        self.err(f.span(), format!("gate \"{id}\": finding \"{}\" is not a finding code (docs/findings.md)", f.get_ref()));
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
                self.err(w.from.span(), format!("average_wage.from = \"{}\": the July that starts the social-insurance year, \"YYYY-07\"", w.from.get_ref()));
                continue;
            };
            if let Some(prev) = out.last() {
                if from.year != prev.from.year + 1 {
                    self.err(w.from.span(), format!("average_wage: {from} does not follow {}: list the years in order, one per year, without a gap", prev.from));
                    continue;
                }
            }
            if !(w.monthly.is_finite() && w.monthly > 0.0) {
                self.err(
                    w.from.span(),
                    "average_wage.monthly must be a positive number of yuan",
                );
                continue;
            }
            if w.source.get_ref().trim().is_empty() {
                self.err(w.source.span(), "every average-wage figure cites its source (or says that it has none, with confirmed = false)");
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
                "every rule cites its basis (the policy or source it comes from)",
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
                format!("expression longer than {MAX_EXPRESSION_BYTES} bytes: split the rule"),
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
        for p in &problems {
            self.err(inner.clone(), format!("in `{}`: {p}", src.get_ref()));
        }
        if !problems.is_empty() {
            return None;
        }
        if let Some(why) = crate::celcost::over_budget(&program.expr) {
            self.err(inner, format!("in `{}`: {why}", src.get_ref()));
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
fn check_refs(expr: &Expr, bound: &mut Vec<String>, child: bool, problems: &mut Vec<String>) {
    match expr {
        Expr::Ident(name) => {
            let known = bound.contains(name) || is_root(name) || (child && name == "child");
            if !known {
                let mut roots = roots();
                if child {
                    roots.push("child");
                }
                let hint = profile::suggest(name, roots.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                problems.push(format!(
                    "unknown name `{name}`{hint} (known: {})",
                    roots.join(", ")
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
pub(super) fn select_path(expr: &Expr) -> Option<Vec<String>> {
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

fn check_path(path: &[String], child: bool, problems: &mut Vec<String>) {
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
            problems.push(format!(
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
        let hint = profile::suggest(field, fields.iter().copied())
            .map(|s| format!("; did you mean `{root}.{s}`?"))
            .unwrap_or_default();
        problems.push(format!("`{root}` has no field `{field}`{hint}"));
        return;
    }
    if root == "family" && field == "spouse" && path.len() > 2 {
        let sub = path[2].as_str();
        let fields = schema["family.spouse"];
        if !fields.contains(&sub) {
            let hint = profile::suggest(sub, fields.iter().copied())
                .map(|s| format!("; did you mean `family.spouse.{s}`?"))
                .unwrap_or_default();
            problems.push(format!("`family.spouse` has no field `{sub}`{hint}"));
        }
    }
}
