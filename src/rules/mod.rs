//! The rulebook: materials, points, vetoes, visits, districts and limits as data (SPEC §4).
//!
//! The built-in Shanghai rulebook is `rules/shanghai.toml`, compiled into the binary; `--rules
//! FILE` replaces it. Conditions (`when`) and point formulas (`points`) are CEL expressions over
//! the applicant's tables by their TOML names plus `derived` (and `child` inside per-child
//! materials). Loading validates everything a rule can get wrong before any applicant is seen:
//! unknown keys, CEL syntax, references to fields that do not exist, duplicate slugs and labels,
//! visits that do not exist, a missing basis. Invariant: a loaded `Rulebook` only holds compiled
//! programs whose references are known.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::IdedExpr;
use serde::Serialize;

use crate::error::{Diagnostic, Error};
use crate::profile::{self, Profile};
use crate::t;
use crate::vocab::{DocSize, Holder, Limits};

/// The built-in rulebook source, as shipped.
pub const BUILTIN: &str = include_str!("../../rules/shanghai.toml");
pub const BUILTIN_NAME: &str = "rules/shanghai.toml (built-in)";

mod env;
mod load;
mod refs;
#[cfg(test)]
mod tests;

pub use env::{Env, MAX_POINTS};
use load::{RawRulebook, Validator};

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
