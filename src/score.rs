//! The simulated points score: every points rule evaluated for one applicant, item by item,
//! against the standard score (SPEC §5).
//!
//! Invariants: `total` is the sum of the items' `points` (items that lose a best-of comparison
//! show 0 and carry their raw value in `raw`); `eligible` is the one verdict every command uses
//! (`score`, `check`, `pack`, the counter checklist): the total reaches the standard, no veto
//! holds and every error-level gate of the rulebook holds (SPEC §5). [`findings`] turns the same
//! verdict into `check` findings, so the two can never disagree.

use crate::messages::Text;
use crate::t;
use serde::Serialize;

use crate::checklist::ApplicantSummary;
use crate::finding::{Code, Finding, Severity};
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
    /// Why `raw` does not count (a best-of group): made here, in both languages.
    #[serde(skip_serializing_if = "Text::is_empty")]
    pub note: Text,
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

/// One condition of eligibility and whether it holds for this applicant.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gate {
    pub id: String,
    /// The rulebook's words (the same in both languages), or ours for the veto gate.
    pub label: Text,
    pub ok: bool,
    /// Why it fails (what to do), or this applicant's figures when it holds.
    pub reason: Text,
    /// `error`: failing makes the applicant not eligible; `warning`: only said.
    pub severity: Severity,
    #[serde(skip)]
    pub finding: Code,
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
    /// Every gate of the rulebook, holding or not, and one for the vetoes.
    pub gates: Vec<Gate>,
    /// Below the standard: the nearest ways to reach it, each alone enough, nearest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to_standard: Vec<Way>,
}

/// One way to reach the standard score, found by scoring a what-if profile with the same rules.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Way {
    /// What to do, in both languages (JSON: the Chinese).
    pub what: Text,
    /// The points it adds to today's total.
    pub points: i64,
    /// The first day from which it holds by time alone; `None` when it needs an act (a
    /// certificate, a degree).
    pub on: Option<crate::date::Date>,
}

impl Way {
    /// The way as one line in the words of a run: what to do (`what`, as the caller shows it:
    /// escaped for a terminal, masked for a workbook), its points, and its date when time
    /// alone gets there (`学位：+30 分`, `社保年限 +12：+12 分，2030-11-01 起`).
    pub fn line(&self, w: &crate::messages::Words, what: &str) -> String {
        let when = self
            .on
            .map(|d| format!("{}{}", w.comma, (w.way_from)(&d.to_string())))
            .unwrap_or_default();
        format!("{what}{}{}{when}", w.colon, (w.way_points)(self.points))
    }
}

impl Score {
    /// The gates that do not hold, errors first.
    pub fn failed_gates(&self) -> impl Iterator<Item = &Gate> {
        let errors = self
            .gates
            .iter()
            .filter(|g| !g.ok && g.severity == Severity::Error);
        let warnings = self
            .gates
            .iter()
            .filter(|g| !g.ok && g.severity == Severity::Warning);
        errors.chain(warnings)
    }
}

/// The id of the gate that stands for the rulebook's vetoes.
pub const VETO_GATE: &str = "no-veto";

/// Scores one applicant, with the road to the standard when below it. Errors are rule
/// evaluation failures, with their rulebook location.
pub fn score(book: &Rulebook, p: &Profile, env: &Env) -> Result<Score, String> {
    let mut sc = points(book, p, env)?;
    if sc.total < sc.standard {
        sc.to_standard = crate::whatif::ways(book, p, env.date, sc.total)?;
    }
    Ok(sc)
}

/// The points, vetoes and gates of one applicant on the date of `env`: the rules alone, which
/// the what-ifs of [`crate::whatif`] re-run.
pub fn points(book: &Rulebook, p: &Profile, env: &Env) -> Result<Score, String> {
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
            note: Text::default(),
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
            let (zh, en, best) = (
                labels.join("、"),
                labels.join(", "),
                &book.points[best].label,
            );
            items[i].note = t!(
                "{zh}取高者计分，按{best}计",
                "only the highest of {en} counts: {best}"
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
    let gates = gates(book, env, &vetoes)?;
    let gates_hold = gates
        .iter()
        .all(|g| g.ok || g.severity == Severity::Warning);
    Ok(Score {
        applicant: ApplicantSummary {
            name: p.applicant.name.clone(),
            id_masked: crate::idnum::mask(&p.applicant.id_number),
        },
        total,
        standard: book.standard_score,
        eligible: total >= book.standard_score && gates_hold,
        items,
        vetoes,
        gates,
        to_standard: Vec::new(),
    })
}

/// Every gate of the rulebook for this applicant, then the vetoes as one gate.
fn gates(book: &Rulebook, env: &Env, vetoes: &[Veto]) -> Result<Vec<Gate>, String> {
    let mut out = Vec::new();
    for g in &book.gates {
        let ok = env.condition(&g.ok, None)?;
        let detail = match &g.detail {
            Some(d) => env.text(d)?,
            None => String::new(),
        };
        let reason = match (ok, detail.is_empty()) {
            (true, _) => detail,
            (false, true) => g.fail.clone(),
            (false, false) => format!("{}（{detail}）", g.fail),
        };
        out.push(Gate {
            id: g.id.clone(),
            label: Text::same(g.label.clone()),
            ok,
            reason: Text::same(reason),
            severity: g.severity,
            finding: g.finding,
            basis: g.basis.clone(),
        });
    }
    let labels: Vec<&str> = vetoes.iter().map(|v| v.label.as_str()).collect();
    let (zh, en) = (labels.join("、"), labels.join(", "));
    out.push(Gate {
        id: VETO_GATE.into(),
        label: t!("无一票否决情形", "no one-vote veto"),
        ok: vetoes.is_empty(),
        reason: if vetoes.is_empty() {
            Text::default()
        } else {
            t!("一票否决：{zh}", "one-vote veto: {en}")
        },
        severity: Severity::Error,
        finding: Code::Vetoed,
        basis: "rulebook [[vetoes]]".into(),
    });
    Ok(out)
}

/// The `check` findings of a score: what makes the applicant not eligible (a failed gate, a
/// veto, a total below the standard) and the warning-level gates that fail. The same verdict as
/// [`Score::eligible`]: an error finding here exactly when the score is not eligible.
pub fn findings(sc: &Score) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in sc.failed_gates() {
        let hint = match g.finding {
            Code::Vetoed => t!(
                "不能申请积分；核实 applicant.toml 的 [deductions] 是否填写正确",
                "no points application is possible; check that [deductions] in applicant.toml is right"
            ),
            Code::PermitExpired => t!(
                "先办理居住证签注或续办，再更新 applicant.toml 的 permit_expires",
                "have the residence permit endorsed or renewed first, then update permit_expires in applicant.toml"
            ),
            Code::PermitExpiring => t!(
                "先办理居住证签注，再到窗口申请",
                "have the residence permit endorsed first, then apply at the counter"
            ),
            _ if g.severity == Severity::Warning => t!(
                "核实后再申请；运行 `dossier score` 查看各项条件",
                "check before applying; run `dossier score` to see each condition"
            ),
            _ => t!(
                "条件满足前窗口不予受理；运行 `dossier score` 查看各项条件和达标途径",
                "the counter does not accept the application until the condition holds; run `dossier score` to see each condition and the ways to reach it"
            ),
        };
        let id = &g.id;
        let (label_zh, reason_zh) = (&g.label.zh, &g.reason.zh);
        let (label_en, reason_en) = (&g.label.en, &g.reason.en);
        let message = if g.id == VETO_GATE {
            g.reason.clone()
        } else {
            t!(
                "未满足「{label_zh}」：{reason_zh}（条件 {id}）",
                "gate {id} fails: {label_en}: {reason_en}"
            )
        };
        let mut f = Finding::new(g.finding, message, hint);
        f.severity = g.severity;
        if g.finding != Code::Vetoed {
            f = f.with_path("applicant.toml");
        }
        out.push(f);
    }
    let vetoed = sc.gates.iter().any(|g| g.id == VETO_GATE && !g.ok);
    if !vetoed && sc.total < sc.standard {
        out.push(Finding::new(
            Code::BelowStandard,
            t!(
                "模拟积分 {} 分，未达到标准分 {} 分",
                "simulated score {}, below the standard score of {}",
                sc.total,
                sc.standard
            ),
            t!(
                "未达到标准分的申请窗口不予受理；运行 `dossier score` 查看各项得分",
                "the counter does not accept an application below the standard score; run `dossier score` to see each item's points"
            ),
        ));
    }
    out
}
