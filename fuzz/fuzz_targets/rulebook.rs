//! Rulebook loading: any text gives a rulebook or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

use dossier::rules::Rulebook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(book) = Rulebook::parse(text, Path::new("fuzz.toml")) {
        let _ = book.district_names();
    }
});
