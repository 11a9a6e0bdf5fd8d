//! ID numbers out of everything the program shows (SPEC §9): the last filter before a line of
//! text or a JSON document leaves the process. ID-number-like runs are masked wherever they
//! appear (`3101**********1230`), and so are the ID numbers of the applicants loaded in this run
//! ([`add_known_id`]) in any spelling (with spaces, hyphens, full-width digits).
//!
//! The printer passes every line through [`mask_text`] and every JSON document through
//! [`json_text`]. File names that the tool writes use [`crate::idnum::mask_ids_in`] with `x`.

use std::borrow::Cow;
use std::sync::Mutex;

use crate::idnum::{mask_ids_in, MaskMode};

static KNOWN_IDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// An ID number to mask in all later output, in any spelling (the applicant's and the
/// spouse's, once their `applicant.toml` has been read).
pub fn add_known_id(id: &str) {
    if id.chars().count() < 15 {
        return;
    }
    if let Ok(mut k) = KNOWN_IDS.lock() {
        if !k.iter().any(|x| x.eq_ignore_ascii_case(id)) {
            k.push(id.to_string());
        }
    }
}

/// The ID numbers registered with [`add_known_id`].
pub fn known_ids() -> Vec<String> {
    KNOWN_IDS.lock().map(|k| k.clone()).unwrap_or_default()
}

/// `text` with every ID number masked (`*`), as it may be shown.
pub fn mask_text(text: &str) -> Cow<'_, str> {
    mask_ids_in(text, '*', &known_ids(), MaskMode::IdLike)
}

/// A JSON document as it may be printed: ID numbers masked, and the characters JSON leaves raw
/// that a terminal would obey (C1 controls, bidirectional overrides and isolates) written as
/// `\uXXXX` escapes, so the document is still the same JSON.
pub fn json_text(json: &str) -> String {
    let masked = mask_text(json);
    let mut out = String::with_capacity(masked.len());
    for c in masked.chars() {
        let obeyed = (c.is_control() && c != '\n') || crate::text::invisible_format(c);
        if obeyed {
            // serde_json escapes C0 already; what is left is in the BMP.
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Masks every ID number in the strings of a PDF template context (rulebook texts, names,
/// file names), with `known` (the applicant's and the spouse's) in any spelling. The payload
/// fingerprint is hex, not text, and is left alone.
pub fn mask_json(v: &mut serde_json::Value, known: &[String]) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Cow::Owned(m) = mask_ids_in(s, '*', known, MaskMode::IdLike) {
                *s = m;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_json(x, known)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k != "fingerprint" {
                    mask_json(x, known);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_stays_the_same_json() {
        let v = serde_json::json!({"name": "a\u{202e}b\u{85}c 310115199303071230"});
        let s = json_text(&serde_json::to_string_pretty(&v).unwrap());
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["name"], "a\u{202e}b\u{85}c 3101**********1230");
        assert!(!s.contains('\u{202e}') && !s.contains('\u{85}'), "{s}");
    }

    #[test]
    fn known_ids_are_masked_in_any_spelling() {
        // A wrong check character: not ID-like, but this run's applicant typed it so.
        add_known_id("310115199303071239");
        assert_eq!(
            mask_text("文件夹 310115-19930307-1239"),
            "文件夹 3101**-********-1239"
        );
    }
}
