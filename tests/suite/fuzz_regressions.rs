//! Inputs that once crashed `dossier` (found by the property tests and the fuzz targets in
//! `fuzz/`), kept so they never crash again. Each must end in a clear error or finding with the
//! documented exit code, never a panic.
use crate::common::*;

/// `check_id` split the ID at byte 17 before checking the characters: a full-width digit
/// (3 bytes in UTF-8, as a Chinese IME types it) among the first 17 characters put byte 17
/// inside a character and panicked. Found by `tests/properties.rs`.
#[test]
fn an_id_number_with_a_full_width_digit_is_an_input_error() {
    // 15 digits, a full-width digit (bytes 15..18), 2 digits: byte 17 is inside the character.
    for id in [
        "310104199003071７34",
        "3101041990030712３4",
        "3101041990030７1234",
        "３１０１０４１９９００３０７１２３４",
    ] {
        let today = dossier::date::Date::new(2026, 11, 26).unwrap();
        assert!(dossier::idnum::check_id(id, today).is_err(), "{id}");
        let a = Applicant::default().applicant(&format!(
            "name = \"张伟\"\nid_number = \"{id}\"\nhukou = \"family\"\n"
        ));
        let env = Env::new();
        let d = env.employee("e", &a.text());
        let o = dossier(&["check", d.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{id}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        assert!(stderr(&o).contains("id_number"), "{}", stderr(&o));
    }
}
