//! The simulated points score: every points rule evaluated for one applicant, item by item,
//! against the standard score (SPEC §5).
//!
//! Invariants: `total` is the sum of the items' `points` (items that lose a best-of comparison
//! show 0 and carry their raw value in `raw`); any veto makes `eligible` false whatever the total.

use serde::Serialize;

use crate::checklist::ApplicantSummary;
use crate::profile::Profile;
use crate::rules::{Env, Rulebook};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScoreItem {
    pub id: String,
    pub label: String,
    pub group: String,
    /// The points that count toward the total.
    pub points: i64,
    /// What the formula gave before a best-of comparison, when it differs from `points`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<i64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// This applicant's figures behind the points (`33 周岁`, `5 年`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub explain: String,
    pub basis: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Veto {
    pub id: String,
    pub label: String,
    pub basis: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    pub applicant: ApplicantSummary,
    pub total: i64,
    pub standard: i64,
    pub eligible: bool,
    pub items: Vec<ScoreItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<Veto>,
}

/// Scores one applicant. Errors are rule evaluation failures, with their rulebook location.
pub fn score(book: &Rulebook, p: &Profile, env: &Env) -> Result<Score, String> {
    let mut items = Vec::new();
    for rule in &book.points {
        let points = env.points(&rule.points)?;
        let detail = match &rule.detail {
            Some(d) => env.text(d)?,
            None => String::new(),
        };
        items.push(ScoreItem {
            detail,
            id: rule.id.clone(),
            label: rule.label.clone(),
            group: rule.group.clone(),
            points,
            raw: None,
            note: String::new(),
            explain: rule.explain.clone(),
            basis: rule.basis.clone(),
        });
    }
    // Best-of groups: the first item with the highest points counts; the others show 0.
    for (i, rule) in book.points.iter().enumerate() {
        let Some(group) = &rule.best_of else { continue };
        let members: Vec<usize> = book
            .points
            .iter()
            .enumerate()
            .filter(|(_, r)| r.best_of.as_ref() == Some(group))
            .map(|(j, _)| j)
            .collect();
        let best = members
            .iter()
            .copied()
            .max_by_key(|&j| (items[j].points, std::cmp::Reverse(j)))
            .unwrap_or(i);
        if best != i && items[i].points != 0 {
            let labels: Vec<&str> = members
                .iter()
                .map(|&j| book.points[j].label.as_str())
                .collect();
            items[i].raw = Some(items[i].points);
            items[i].note = format!(
                "{}取高者计分，按{}计",
                labels.join("、"),
                book.points[best].label
            );
            items[i].points = 0;
        }
    }
    let mut vetoes = Vec::new();
    for v in &book.vetoes {
        if env.condition(&v.when, None)? {
            vetoes.push(Veto {
                id: v.id.clone(),
                label: v.label.clone(),
                basis: v.basis.clone(),
            });
        }
    }
    let total = items
        .iter()
        .try_fold(0i64, |sum, i| sum.checked_add(i.points))
        .ok_or_else(|| {
            format!(
                "{}: the points add up beyond any sensible total: check the formulas",
                book.path.display()
            )
        })?;
    Ok(Score {
        applicant: ApplicantSummary {
            name: p.applicant.name.clone(),
            id_masked: crate::idnum::mask(&p.applicant.id_number),
        },
        total,
        standard: book.standard_score,
        eligible: total >= book.standard_score && vetoes.is_empty(),
        items,
        vetoes,
    })
}
