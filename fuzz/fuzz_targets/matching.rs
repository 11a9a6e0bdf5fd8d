//! File-name matching against the example applicant's checklist (married, children, spouse
//! items): any path under `scans/` matches an item or nothing, never panics, and the matched
//! index is inside the checklist.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use dossier::checklist::Checklist;
use dossier::date::Date;
use dossier::profile::Profile;
use dossier::rules::{Env, Rulebook};
use dossier::scan::matching::{fold_key, is_junk, natural_cmp, split_ext, Match, Matcher};

fn setup() -> &'static (Checklist, Matcher) {
    static S: OnceLock<(Checklist, Matcher)> = OnceLock::new();
    S.get_or_init(|| {
        let book = Rulebook::builtin().expect("built-in rulebook");
        let today = Date::new(2026, 11, 26).expect("date");
        let text = include_str!("../../examples/zhang-wei/applicant.toml");
        let p = Profile::parse(text, &book.district_names(), today).expect("example profile");
        let env = Env::new(&book, &p, today).expect("example record");
        let cl = dossier::checklist::resolve(&book, &p, &env).expect("checklist");
        let m = Matcher::new(&cl);
        (cl, m)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    let (cl, m) = setup();
    let comps: Vec<&str> = path.split('/').collect();
    if let Some((last, folders)) = comps.split_last() {
        let _ = is_junk(last);
        let (stem, _ext) = split_ext(last);
        let mut parts: Vec<&str> = folders.to_vec();
        parts.push(stem);
        match m.match_path(&parts) {
            Match::Item { item, .. } => assert!(item < cl.items.len()),
            Match::Unmatched { closest } => assert!(closest.is_none_or(|c| c < cl.items.len())),
        }
    }
    let _ = fold_key(path);
    if comps.len() >= 2 {
        let a = natural_cmp(comps[0], comps[1]);
        let b = natural_cmp(comps[1], comps[0]);
        assert_eq!(a, b.reverse(), "natural_cmp is not antisymmetric");
    }
});
