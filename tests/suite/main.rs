//! The integration tests, one binary (the crate links once, not once per file), a module per
//! area. `common` runs the real `dossier` binary hermetically; `scans` makes scan fixtures.

mod batch;
mod browser;
mod bundle;
mod checklist;
mod common;
mod copies;
mod desktop;
mod examples;
mod front;
mod fuzz_regressions;
mod hostile;
mod input_errors;
mod pack;
mod properties;
mod render;
mod roster;
mod scan;
mod scans;
mod score;
mod serve;
