//! The resolved materials list for one applicant: which items the rulebook asks of this person,
//! for which counter visit, original or copy, and how many scanned parts each needs.
//!
//! Invariants: items keep rulebook order (per-person items expand in place, child 1 before
//! child 2); slugs and labels are unique within a checklist; every visit id named by an item
//! exists in `visits`.

use serde::Serialize;

pub use crate::vocab::{DocSize, Holder};

/// One counter visit (学历认证及档案审核, 积分申请材料提交, 打印积分通知书).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Visit {
    pub id: String,
    pub label: String,
    /// What happens at this visit, in the counter's words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Nothing is handed in at this visit (打印积分通知书: 只需带身份证原件): no copies.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub originals_only: bool,
}

impl Visit {
    /// The copies of `item` to bring to this visit: none at an originals-only visit, else the
    /// item's copies for this visit (rulebook `copies_at`) or its usual number.
    pub fn copies_of(&self, item: &Item) -> u32 {
        if self.originals_only {
            0
        } else {
            item.copies_at.get(&self.id).copied().unwrap_or(item.copies)
        }
    }
}

/// One document the applicant (or the HR clerk) must bring.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Item {
    /// Stable ASCII key (`id-card`, `child-2-birth-certificate`).
    pub slug: String,
    /// The name the counter uses (`身份证`, `子女出生医学证明（2）`).
    pub label: String,
    /// Other names a scan file may start with (rulebook `aliases`, numbered per child).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Every visit this item is brought to, in visit order.
    pub visits: Vec<String>,
    pub required: bool,
    /// The original must be shown at the counter.
    pub original: bool,
    /// Photocopies to hand in.
    pub copies: u32,
    /// The least number of scanned pages (户口簿: 首页 and 本人页 → 2).
    pub min_parts: u32,
    /// Names of the expected parts, when the rulebook gives them (`正面`, `反面`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// Part names that say one file holds every part (`正反面`), when the rulebook gives them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combined: Vec<String>,
    /// Copies at particular visits where they differ from `copies` (visit id → copies).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub copies_at: std::collections::BTreeMap<String, u32>,
    /// Why this applicant needs it.
    pub reason: String,
    /// The policy source of the rule.
    pub basis: String,
    /// Section of the list: `basic`, `family`, `points`, `hr`.
    pub group: String,
    pub holder: Holder,
    /// Accepted scan file types (lower-case extensions without the dot: `pdf`, `jpg`, `png`).
    pub accept: Vec<String>,
    pub size: DocSize,
    /// The rulebook slug this item was made from (differs from `slug` for per-person items).
    #[serde(skip)]
    pub rule_slug: String,
}

impl Item {
    /// Whether a scan of this item is expected in `scans/` (HR documents are not scanned).
    pub fn scanned(&self) -> bool {
        self.holder == Holder::Applicant
    }
}

/// The applicant as shown in outputs: never the full ID number.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ApplicantSummary {
    pub name: String,
    pub id_masked: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RulebookRef {
    pub id: String,
    pub version: String,
}

/// The resolved checklist of one applicant (SPEC §5).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Checklist {
    pub applicant: ApplicantSummary,
    pub rulebook: RulebookRef,
    /// The talent service center of the employer's district.
    pub center: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_address: Option<String>,
    pub visits: Vec<Visit>,
    pub items: Vec<Item>,
    /// The slugs, labels and aliases of the rulebook's scanned materials that are not on this
    /// list: a scan named after one of them is a stray, not a part of an item whose label
    /// happens to be its start (学历证书电子注册备案表 is not a part of 学历证书).
    #[serde(skip)]
    pub not_needed: Vec<String>,
}

impl Checklist {
    pub fn item(&self, slug: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.slug == slug)
    }

    /// The items the applicant's scans must cover, in checklist order.
    pub fn scanned_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.scanned())
    }

    /// [`Checklist::scanned_items`] with each item's index in `items`.
    pub fn scanned_indexed(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.items.iter().enumerate().filter(|(_, i)| i.scanned())
    }
}

/// Resolves the rulebook's materials for one applicant. Errors are rule evaluation failures
/// (a rulebook expression that cannot be evaluated for this applicant), with their location.
pub fn resolve(
    book: &crate::rules::Rulebook,
    p: &crate::profile::Profile,
    env: &crate::rules::Env,
) -> Result<Checklist, String> {
    use crate::rules::Per;
    let mut items = Vec::new();
    let mut not_needed = Vec::new();
    for m in &book.materials {
        let before = items.len();
        let instances: Vec<(Option<usize>, Option<serde_json::Value>)> = match m.per {
            Per::Once => vec![(None, None)],
            Per::Child => {
                // The current couple's children are numbered apart: after a remarriage a child of
                // the earlier marriage is not the couple's first (0 for such a child).
                let mut in_marriage = 0;
                p.family
                    .children
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let age = c.birth_date.full_years_until(env.date);
                        let own = if c.earlier_marriage {
                            0
                        } else {
                            in_marriage += 1;
                            in_marriage
                        };
                        let v = serde_json::json!({"order": i + 1, "order_in_marriage": own,
                            "earlier_marriage": c.earlier_marriage, "name": c.name,
                            "birth_date": c.birth_date.to_string(), "age": age});
                        (Some(i + 1), Some(v))
                    })
                    .collect()
            }
        };
        for (n, child) in instances {
            if let Some(when) = &m.when {
                if !env.condition(when, child.as_ref())? {
                    continue;
                }
            }
            let (slug, label, aliases) = match n {
                Some(n) => (
                    format!("child-{n}-{}", m.slug),
                    format!("{}（{n}）", m.label),
                    m.aliases.iter().map(|a| format!("{a}（{n}）")).collect(),
                ),
                None => (m.slug.clone(), m.label.clone(), m.aliases.clone()),
            };
            let reason = match (n, &child) {
                (Some(n), Some(c)) => format!(
                    "{}：第 {n} 个子女 {}",
                    m.reason,
                    c["name"].as_str().unwrap_or("")
                ),
                _ => m.reason.clone(),
            };
            items.push(Item {
                slug,
                label,
                aliases,
                visits: m.visits.clone(),
                required: m.required,
                original: m.original,
                copies: m.copies,
                min_parts: m.min_parts,
                parts: m.parts.clone(),
                combined: m.combined.clone(),
                copies_at: m.copies_at.clone(),
                reason,
                basis: m.basis.clone(),
                group: m.group.clone(),
                holder: m.holder,
                accept: m.accept.clone(),
                size: m.size,
                rule_slug: m.slug.clone(),
            });
        }
        if items.len() == before && m.holder == Holder::Applicant {
            not_needed.extend([&m.slug, &m.label].into_iter().chain(&m.aliases).cloned());
        }
    }
    let district = book.district(&p.employer.district);
    Ok(Checklist {
        applicant: ApplicantSummary {
            name: p.applicant.name.clone(),
            id_masked: crate::idnum::mask(&p.applicant.id_number),
        },
        rulebook: RulebookRef {
            id: book.id.clone(),
            version: book.version.clone(),
        },
        center: district.map_or_else(
            || format!("{}人才服务中心", p.employer.district),
            |d| d.center.clone(),
        ),
        center_address: district.and_then(|d| d.address.clone()),
        visits: book
            .visits
            .iter()
            .map(|v| Visit {
                id: v.id.clone(),
                label: v.label.clone(),
                note: v.note.clone(),
                originals_only: v.originals_only,
            })
            .collect(),
        items,
        not_needed,
    })
}
