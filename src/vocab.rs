//! The words the rulebook, the checklist and the scan check share: who holds a document, its
//! physical size, and the limits on a scan. A leaf module (it uses no other), so that
//! [`crate::rules`] and [`crate::checklist`] both depend on it and not on each other.

use serde::{Deserialize, Serialize};

/// Who brings an item to the counter.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Holder {
    /// The applicant's own document: scanned into `scans/` and bundled.
    #[default]
    Applicant,
    /// The HR clerk's document (介绍信, 经办人身份证): brought to each visit, never scanned.
    Hr,
}

/// The physical size of a document, which decides the least scan resolution.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DocSize {
    /// ID card, residence permit card (85.6 × 54 mm).
    Card,
    /// Booklets and certificates (户口簿, 结婚证, 学位证书 …).
    Booklet,
    /// A4 pages (contracts, forms, records).
    #[default]
    A4,
}

/// Limits on what a scan may be: rulebook settings (`[limits]`, SPEC §6) used by the check.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Larger files are refused unread (default 20 MB).
    pub max_file_bytes: u64,
    /// Images whose header claims more pixels are refused undecoded (default 100 million:
    /// an A3 page at 600 dpi is 70 million).
    pub max_pixels: u64,
    /// The least resolution, judged against the document's nominal size (default 150 dpi).
    pub min_dpi: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 20_000_000,
            max_pixels: 100_000_000,
            min_dpi: 150,
        }
    }
}
