//! What the PDF templates receive (`templates/cover.tera`, `templates/checklist.tera`), as
//! types: `docs/templates.md`'s list of values is checked by the compiler here, and a template
//! can only name a value one of these structs serialises.
//!
//! The values are owned data (no borrows), so a context outlives the employee it was made
//! from: the counter checklist gathers many. An optional value the documentation calls absent
//! when not given (`copies_note`, a visit's `no`) is left out rather than `null`.

use serde::Serialize;

use crate::checklist::{ApplicantSummary, RulebookRef};

/// The cover sheet of one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    /// `YYYY-MM-DD`, also the PDF's creation date.
    pub date: String,
    pub tool_version: &'static str,
    pub rulebook: RulebookRef,
    pub applicant: ApplicantSummary,
    pub employer: Employer,
    pub hr: Hr,
    pub center: String,
    pub center_address: Option<String>,
    pub score: ScoreLine,
    /// The bundle's fingerprint (SPEC §7).
    pub fingerprint: String,
    pub hr_items: Vec<HrItem>,
    pub visits: Vec<Visit<CoverItem>>,
}

/// The counter checklist of a day (SPEC §8).
#[derive(Debug, Clone, Serialize)]
pub struct Counter {
    pub date: String,
    pub tool_version: &'static str,
    pub rulebook: RulebookRef,
    pub hr: Hr,
    pub hr_items: Vec<HrItem>,
    /// The one visit printed, when one was chosen (`--visit`).
    pub visit: Option<VisitRef>,
    /// The employer and center, once, when every employee shares them.
    pub shared: Option<Shared>,
    pub employees: Vec<CounterEmployee>,
    pub not_today: Vec<NotToday>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Employer {
    pub name: String,
    pub credit_code: String,
    pub district: String,
}

/// The employer's HR clerk.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Hr {
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct ScoreLine {
    pub total: i64,
    pub standard: i64,
    pub eligible: bool,
}

/// One of the HR clerk's items.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HrItem {
    pub label: String,
    pub original: bool,
    /// At one visit: the copies for it; over all visits: the most.
    pub copies: u32,
    pub reason: String,
    /// `第 2 次 1 份，第 3 次 2 份` where the copies differ between the visits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copies_note: Option<String>,
}

/// One counter visit with what is brought to it.
#[derive(Debug, Clone, Serialize)]
pub struct Visit<I> {
    /// 1, 2, 3 … on the counter checklist; absent on the cover sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no: Option<usize>,
    pub id: String,
    pub label: String,
    pub note: String,
    /// The applicant's items, each with its copies for this visit.
    pub items: Vec<I>,
    pub hr_items: Vec<HrItem>,
}

/// An applicant's item on the cover sheet: where its scans are in the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct CoverItem {
    /// The item's number in the bundle (its files' `NN-` prefix), if it has scans there.
    pub no: Option<u32>,
    pub nn: Option<String>,
    pub slug: String,
    pub label: String,
    /// The bundle's file names of its scans.
    pub files: Vec<String>,
    pub copies: u32,
    pub original: bool,
    pub reason: String,
}

/// An applicant's item on the counter checklist.
#[derive(Debug, Clone, Serialize)]
pub struct CounterItem {
    /// 1, 2, 3 … within its visit, as printed.
    pub no: usize,
    pub slug: String,
    pub label: String,
    pub copies: u32,
    pub original: bool,
    pub reason: String,
}

/// The visit chosen with `--visit`.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRef {
    pub no: usize,
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Shared {
    pub employer: Employer,
    pub center: String,
    pub center_address: Option<String>,
}

/// One employee who goes to the counter.
#[derive(Debug, Clone, Serialize)]
pub struct CounterEmployee {
    pub applicant: ApplicantSummary,
    pub employer: Employer,
    pub center: String,
    pub center_address: Option<String>,
    pub score: ScoreLine,
    pub visits: Vec<Visit<CounterItem>>,
}

/// Someone who does not go today, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotToday {
    pub name: String,
    pub id_masked: String,
    pub folder: String,
    pub reason: String,
}

/// A context as the template engine takes it (and as [`crate::privacy::mask_json`] walks it).
pub fn to_json(ctx: &impl Serialize) -> Result<serde_json::Value, super::RenderError> {
    serde_json::to_value(ctx).map_err(|e| super::RenderError::Context(e.to_string()))
}
