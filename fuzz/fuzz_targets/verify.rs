//! `verify` reading an arbitrary file as a bundle ZIP: a report or an error, never a panic,
//! bounded time and memory.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(data).expect("write");
    f.flush().expect("flush");
    if let Ok(r) = dossier::bundle::verify(f.path()) {
        assert_eq!(r.ok, r.problems.is_empty());
    }
});
