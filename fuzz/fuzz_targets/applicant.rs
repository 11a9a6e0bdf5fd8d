//! `applicant.toml` parsing and validation: any text gives a profile or diagnostics, never a
//! panic; every diagnostic's line and column point inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use dossier::date::Date;
use dossier::profile::Profile;

fn districts() -> &'static [String] {
    static D: OnceLock<Vec<String>> = OnceLock::new();
    D.get_or_init(|| {
        dossier::rules::Rulebook::builtin()
            .expect("built-in rulebook")
            .district_names()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = Date::new(2026, 11, 26).expect("date");
    if let Err(diags) = Profile::parse(text, districts(), today) {
        assert!(!diags.is_empty(), "an error without a diagnostic");
    }
});
