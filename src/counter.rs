//! The counter checklist's context (`checklist --pdf`, SPEC §8; the template is
//! `templates/checklist.tera`, its values are in `docs/templates.md`): the employees who go to
//! the counter, each with the visits and items to bring, and the ones who do not go today with
//! the reason — never dropped silently.
//!
//! Invariants: items are numbered 1, 2, 3 … within each visit (as printed); with one visit
//! chosen, every employee's list and the HR clerk's list hold that visit only.

use serde_json::{json, Value};

use crate::checklist::{Checklist, Holder};
use crate::date::Date;
use crate::score::Score;

/// One employee who goes to the counter.
pub fn employee(c: &Checklist, score: &Score, employer: Value, visit: Option<usize>) -> Value {
    let mut visits = crate::pack::visits_context(c, |i| {
        json!({"slug": i.slug, "label": i.label, "copies": i.copies,
               "original": i.original, "reason": i.reason})
    });
    for (vi, v) in visits.iter_mut().enumerate() {
        v["no"] = (vi + 1).into();
        if let Some(items) = v["items"].as_array_mut() {
            for (k, item) in items.iter_mut().enumerate() {
                item["no"] = (k + 1).into();
            }
        }
    }
    if let Some(only) = visit {
        visits = visits.into_iter().skip(only).take(1).collect();
    }
    json!({
        "applicant": c.applicant, "employer": employer, "center": c.center,
        "center_address": c.center_address,
        "score": crate::pack::score_summary(score),
        "visits": visits,
    })
}

/// Someone who does not go today, and why (shown on the first page).
pub fn not_today(name: &str, id_masked: &str, folder: &str, reason: &str) -> Value {
    json!({"name": name, "id_masked": id_masked, "folder": folder, "reason": reason})
}

/// The whole context. `first` is the checklist of the first employee who goes (the HR
/// clerk's items come from the rulebook, the same for all).
pub fn context(
    date: Date,
    first: &Checklist,
    hr: Value,
    employees: Vec<Value>,
    not_today: Vec<Value>,
    visit: Option<usize>,
) -> Value {
    let hr_items = match visit {
        None => crate::pack::hr_items(first),
        Some(only) => first
            .visits
            .get(only)
            .map(|v| {
                first
                    .items
                    .iter()
                    .filter(|i| i.holder == Holder::Hr && i.visits.contains(&v.id))
                    .map(|i| {
                        json!({"label": i.label, "original": i.original,
                               "copies": v.copies_of(i), "reason": i.reason})
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let visit = visit.and_then(|only| {
        first
            .visits
            .get(only)
            .map(|v| json!({"no": only + 1, "id": v.id, "label": v.label}))
    });
    // The employer and center once at the top when every employee shares them.
    let shared = employees.first().and_then(|e0| {
        let key = |e: &Value| {
            (
                e["employer"].clone(),
                e["center"].clone(),
                e["center_address"].clone(),
            )
        };
        employees.iter().all(|e| key(e) == key(e0)).then(|| {
            json!({"employer": e0["employer"], "center": e0["center"],
                            "center_address": e0["center_address"]})
        })
    });
    json!({
        "date": date.to_string(),
        "tool_version": crate::pack::TOOL_VERSION,
        "rulebook": first.rulebook,
        "hr": hr,
        "hr_items": hr_items,
        "visit": visit,
        "shared": shared,
        "employees": employees,
        "not_today": not_today,
    })
}
