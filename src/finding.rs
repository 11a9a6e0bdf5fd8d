//! What is wrong with an employee folder: findings are data, not errors.
//!
//! A [`Finding`] names a stable [`Code`], a [`Severity`], the item and the file it is about, a
//! message (what is wrong, where) and a hint (what to do next). Codes are kebab-case words that
//! scripts may rely on: a code, once published, keeps its word and its meaning. Every code is
//! listed in [`Code::ALL`] and documented in `docs/findings.md`; the tests keep the two in step and
//! the words unique. Error-severity findings make an applicant not ready; warnings do not.

use serde::{Serialize, Serializer};

use crate::messages::Text;

/// How much a finding matters: an error blocks the bundle, a warning is for the clerk to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Every kind of finding. The word (`as_str`) is the stable public name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    ScansFolderMissing,
    MissingItem,
    TooFewParts,
    UnmatchedFile,
    EmptyFile,
    TypeMismatch,
    UnsupportedType,
    TypeNotAccepted,
    Truncated,
    Corrupt,
    PdfEncrypted,
    LowResolution,
    BlankPage,
    DuplicateContent,
    DuplicatePart,
    PartNameClash,
    Symlink,
    NonUtf8Name,
    UnprintableName,
    FileTooLarge,
    TooManyPixels,
    Unreadable,
    SpecialFile,
    DuplicateIdNumber,
    BelowStandard,
    Vetoed,
    PermitExpired,
    PermitExpiring,
    NotEligible,
    EligibilityWarning,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 30] = [
        Code::ScansFolderMissing,
        Code::MissingItem,
        Code::TooFewParts,
        Code::UnmatchedFile,
        Code::EmptyFile,
        Code::TypeMismatch,
        Code::UnsupportedType,
        Code::TypeNotAccepted,
        Code::Truncated,
        Code::Corrupt,
        Code::PdfEncrypted,
        Code::LowResolution,
        Code::BlankPage,
        Code::DuplicateContent,
        Code::DuplicatePart,
        Code::PartNameClash,
        Code::Symlink,
        Code::NonUtf8Name,
        Code::UnprintableName,
        Code::FileTooLarge,
        Code::TooManyPixels,
        Code::Unreadable,
        Code::SpecialFile,
        Code::DuplicateIdNumber,
        Code::BelowStandard,
        Code::Vetoed,
        Code::PermitExpired,
        Code::PermitExpiring,
        Code::NotEligible,
        Code::EligibilityWarning,
    ];

    /// The stable kebab-case word used in JSON output and in `docs/findings.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ScansFolderMissing => "scans-folder-missing",
            Code::MissingItem => "missing-item",
            Code::TooFewParts => "too-few-parts",
            Code::UnmatchedFile => "unmatched-file",
            Code::EmptyFile => "empty-file",
            Code::TypeMismatch => "type-mismatch",
            Code::UnsupportedType => "unsupported-type",
            Code::TypeNotAccepted => "type-not-accepted",
            Code::Truncated => "truncated",
            Code::Corrupt => "corrupt",
            Code::PdfEncrypted => "pdf-encrypted",
            Code::LowResolution => "low-resolution",
            Code::BlankPage => "blank-page",
            Code::DuplicateContent => "duplicate-content",
            Code::DuplicatePart => "duplicate-part",
            Code::PartNameClash => "part-name-clash",
            Code::Symlink => "symlink",
            Code::NonUtf8Name => "non-utf8-name",
            Code::UnprintableName => "unprintable-name",
            Code::FileTooLarge => "file-too-large",
            Code::TooManyPixels => "too-many-pixels",
            Code::Unreadable => "unreadable",
            Code::SpecialFile => "special-file",
            Code::DuplicateIdNumber => "duplicate-id-number",
            Code::BelowStandard => "below-standard",
            Code::Vetoed => "vetoed",
            Code::PermitExpired => "permit-expired",
            Code::PermitExpiring => "permit-expiring",
            Code::NotEligible => "not-eligible",
            Code::EligibilityWarning => "eligibility-warning",
        }
    }

    /// One line saying what the code means.
    pub fn description(self) -> &'static str {
        match self {
            Code::ScansFolderMissing => "the employee folder has no scans/ folder",
            Code::MissingItem => "a required item has no scan",
            Code::TooFewParts => {
                "an item has fewer scanned pages than it needs (户口簿: 首页 and 本人页)"
            }
            Code::UnmatchedFile => "a file in scans/ matches no item of the checklist",
            Code::EmptyFile => "a scan is an empty (zero-byte) file",
            Code::TypeMismatch => {
                "a file's content is not what its extension says (PNG bytes named .pdf)"
            }
            Code::UnsupportedType => {
                "a file's content is not PDF, JPEG or PNG (HEIC, Word, text ...)"
            }
            Code::TypeNotAccepted => "a valid scan of a type this item does not accept",
            Code::Truncated => "a scan ends early: the file was cut off while copying or saving",
            Code::Corrupt => "a scan cannot be decoded: its content is damaged",
            Code::PdfEncrypted => "a PDF is encrypted or password-protected",
            Code::LowResolution => "an image has too few pixels to be read at the document's size",
            Code::BlankPage => "an image is blank or nearly blank",
            Code::DuplicateContent => "the same file content is used for two different items",
            Code::DuplicatePart => "the same file content appears twice within one item",
            Code::PartNameClash => "two files of one item name the same part",
            Code::Symlink => "a symbolic link in scans/, which is never followed",
            Code::NonUtf8Name => "a file or folder name that is not valid UTF-8",
            Code::UnprintableName => {
                "a scan's name, or a value of `applicant.toml`, holds a character the PDFs' font cannot print (emoji, say)"
            }
            Code::FileTooLarge => "a file is larger than the size limit",
            Code::TooManyPixels => {
                "an image header claims more pixels than any scan has (refused undecoded)"
            }
            Code::Unreadable => "a file or folder cannot be read (permissions, I/O error)",
            Code::SpecialFile => {
                "an entry in scans/ that is not a regular file (pipe, socket, device)"
            }
            Code::DuplicateIdNumber => "the same ID number appears for two employees in one batch",
            Code::BelowStandard => "the simulated score does not reach the standard score: the counter will not accept it",
            Code::Vetoed => "a one-vote veto (一票否决) applies: the applicant cannot apply",
            Code::PermitExpired => "the Shanghai residence permit expired before the application date",
            Code::PermitExpiring => "the residence permit expires before the counter visits can be done (about 20 working days)",
            Code::NotEligible => "an eligibility gate of the rulebook does not hold (too little social insurance …): the counter will not accept it",
            Code::EligibilityWarning => "a warning-level gate of the rulebook does not hold (permit expiry unknown, age outside the range a source gives): check it before filing",
        }
    }

    /// The severity a finding of this code carries.
    pub fn severity(self) -> Severity {
        match self {
            Code::UnmatchedFile
            | Code::DuplicatePart
            | Code::PartNameClash
            | Code::SpecialFile
            | Code::PermitExpiring
            | Code::EligibilityWarning => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One thing wrong with an employee folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The file, relative to the employee folder with `/` separators (`scans/身份证.jpg`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The checklist item the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// What is wrong, in the clerk's terms (in both languages; JSON carries the Chinese).
    pub message: Text,
    /// What to do next.
    pub hint: Text,
}

impl Finding {
    /// A finding with the code's own severity, about no particular item or file.
    pub fn new(code: Code, message: Text, hint: Text) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            path: None,
            slug: None,
            message,
            hint,
        }
    }

    /// The same finding, about the item `slug`.
    pub fn with_slug(mut self, slug: impl Into<String>) -> Finding {
        self.slug = Some(slug.into());
        self
    }

    /// The same finding, about the file `path` (relative to the employee folder).
    pub fn with_path(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_words() {
        let mut words = HashSet::new();
        for code in Code::ALL {
            let w = code.as_str();
            assert!(words.insert(w), "code word {w} used twice");
            assert!(
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{w} is not kebab-case"
            );
            assert!(
                !w.starts_with('-') && !w.ends_with('-') && !w.contains("--"),
                "{w} is not kebab-case"
            );
            assert!(!code.description().is_empty());
        }
        let variants: HashSet<Code> = Code::ALL.into_iter().collect();
        assert_eq!(
            variants.len(),
            Code::ALL.len(),
            "a code is listed twice in Code::ALL"
        );
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/findings.md");
        for code in Code::ALL {
            let heading = format!("## `{}`", code.as_str());
            assert!(
                doc.contains(&heading),
                "docs/findings.md has no section {heading}"
            );
            assert!(
                doc.contains(code.description()),
                "docs/findings.md lacks the description of {code}"
            );
        }
        let sections = doc.lines().filter(|l| l.starts_with("## `")).count();
        assert_eq!(
            sections,
            Code::ALL.len(),
            "docs/findings.md documents a code that does not exist"
        );
    }

    #[test]
    fn finding_serialises_as_the_spec_says() {
        let f = Finding::new(
            Code::BlankPage,
            crate::t!("空白页", "blank page"),
            crate::t!("重新扫描", "scan it again"),
        )
        .with_slug("id-card")
        .with_path("scans/身份证.jpg");
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "blank-page", "severity": "error", "path": "scans/身份证.jpg",
                               "slug": "id-card", "message": "空白页", "hint": "重新扫描"})
        );
        let bare = serde_json::to_value(Finding::new(
            Code::UnmatchedFile,
            Text::new("m", "em"),
            Text::new("h", "aitch"),
        ))
        .unwrap();
        assert_eq!(
            bare,
            serde_json::json!({"code": "unmatched-file", "severity": "warning", "message": "m", "hint": "h"})
        );
    }
}
