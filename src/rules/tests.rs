use super::*;

#[test]
fn builtin_rulebook_loads() {
    let r = Rulebook::builtin().map_err(|e| e.render()).unwrap();
    assert_eq!(r.standard_score, 120);
    assert_eq!(r.districts.len(), 16);
}

#[test]
fn unknown_field_reference_is_located() {
    let text = BUILTIN.replacen("when = \"derived.married\"", "when = \"derived.maried\"", 1);
    let err = Rulebook::parse(&text, Path::new("r.toml")).unwrap_err();
    let msg = err.render_in(crate::messages::Lang::En);
    assert!(msg.contains("did you mean `derived.married`"), "{msg}");
    assert!(msg.contains("r.toml:"), "{msg}");
    let msg = err.render_in(crate::messages::Lang::Zh);
    assert!(msg.contains("是不是 `derived.married`"), "{msg}");
    assert!(!msg.contains("did you mean"), "{msg}");
}

#[test]
fn syntax_error_is_located() {
    let text = BUILTIN.replacen(
        "when = \"derived.married\"",
        "when = \"derived.married &&\"",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("derived.married &&"))
        .unwrap()
        + 1;
    let msg = Rulebook::parse(&text, Path::new("r.toml"))
        .unwrap_err()
        .render();
    assert!(msg.contains(&format!("r.toml:{line}:")), "{msg}");
    assert!(msg.contains("CEL syntax error"), "{msg}");
}
