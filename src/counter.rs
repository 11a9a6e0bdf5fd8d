//! The counter checklist's context (`checklist --pdf`, SPEC §8; the template is
//! `templates/checklist.tera`, its values are the types of [`crate::render::context`]): the
//! employees who go to the counter, each with the visits and items to bring, and the ones who do
//! not go today with the reason — never dropped silently.
//!
//! Invariants: items are numbered 1, 2, 3 … within each visit (as printed); with one visit
//! chosen, every employee's list and the HR clerk's list hold that visit only.

use crate::checklist::{Checklist, Holder};
use crate::date::Date;
use crate::render::context as ctx;
use crate::score::Score;

/// One employee who goes to the counter.
pub fn employee(
    c: &Checklist,
    score: &Score,
    employer: ctx::Employer,
    visit: Option<usize>,
) -> ctx::CounterEmployee {
    let mut visits = crate::pack::visits_context(c, |i, copies| ctx::CounterItem {
        no: 0,
        slug: i.slug.clone(),
        label: i.label.clone(),
        copies,
        original: i.original,
        reason: i.reason.clone(),
    });
    for (vi, v) in visits.iter_mut().enumerate() {
        v.no = Some(vi + 1);
        for (k, item) in v.items.iter_mut().enumerate() {
            item.no = k + 1;
        }
    }
    if let Some(only) = visit {
        visits = visits.into_iter().skip(only).take(1).collect();
    }
    ctx::CounterEmployee {
        applicant: c.applicant.clone(),
        employer,
        center: c.center.clone(),
        center_address: c.center_address.clone(),
        score: crate::pack::score_summary(score),
        visits,
    }
}

/// Someone who does not go today, and why (shown on the first page).
pub fn not_today(name: &str, id_masked: &str, folder: &str, reason: &str) -> ctx::NotToday {
    ctx::NotToday {
        name: name.to_string(),
        id_masked: id_masked.to_string(),
        folder: folder.to_string(),
        reason: reason.to_string(),
    }
}

/// The whole context. `first` is the checklist of the first employee who goes (the HR
/// clerk's items come from the rulebook, the same for all).
pub fn context(
    date: Date,
    first: &Checklist,
    hr: ctx::Hr,
    employees: Vec<ctx::CounterEmployee>,
    not_today: Vec<ctx::NotToday>,
    visit: Option<usize>,
) -> ctx::Counter {
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
                    .map(|i| crate::pack::hr_item(i, v.copies_of(i)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let visit = visit.and_then(|only| {
        first.visits.get(only).map(|v| ctx::VisitRef {
            no: only + 1,
            id: v.id.clone(),
            label: v.label.clone(),
        })
    });
    // The employer and center once at the top when every employee shares them.
    let shared_of = |e: &ctx::CounterEmployee| ctx::Shared {
        employer: e.employer.clone(),
        center: e.center.clone(),
        center_address: e.center_address.clone(),
    };
    let shared = employees
        .first()
        .map(shared_of)
        .filter(|s0| employees.iter().all(|e| shared_of(e) == *s0));
    ctx::Counter {
        date: date.to_string(),
        tool_version: crate::pack::TOOL_VERSION,
        rulebook: first.rulebook.clone(),
        hr,
        hr_items,
        visit,
        shared,
        employees,
        not_today,
    }
}
