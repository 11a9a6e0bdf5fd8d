//! Every kind of bad applicant.toml ends in exit 2 with a message naming the file and the line
//! or field; rulebook edits take effect with --rules; a broken rulebook is a located error.
use crate::common::*;

/// Runs `checklist` on one applicant.toml text in Chinese (the default) and in English, and
/// returns the exit code and both stderrs, one after the other, so that a needle may be in
/// either language. Each run speaks its one language: no English in parentheses after the
/// Chinese, no Chinese sentence in the English.
fn bad(text: &str) -> (i32, String) {
    let env = Env::new();
    let d = env.employee("e", text);
    let o = dossier(&["checklist", d.to_str().unwrap()]);
    assert!(o.stdout.is_empty(), "nothing on stdout for a broken file");
    let en = dossier(&["--lang", "en", "checklist", d.to_str().unwrap()]);
    assert_eq!(code(&o), code(&en));
    let (zh, en) = (stderr(&o), stderr(&en));
    if let Some(l) = english_parenthetical(&zh) {
        panic!("English in parentheses in the Chinese output: {l}\n{zh}");
    }
    if let Some(l) = chinese_sentence(&en) {
        panic!("a Chinese sentence in the English output: {l}\n{en}");
    }
    (code(&o), format!("{zh}\n{en}"))
}

fn assert_bad(text: &str, needles: &[&str]) {
    let (code, err) = bad(text);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("applicant.toml"), "names the file: {err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn with(section: &str, from: &str, to: &str) -> String {
    let a = Applicant::default();
    let t = a.text();
    assert!(t.contains(from), "fixture lacks {from} in {section}");
    t.replacen(from, to, 1)
}

#[test]
fn toml_syntax_error_is_located() {
    assert_bad(
        &with("applicant", "hukou = \"family\"", "hukou = \"family"),
        &["applicant.toml:5:", "TOML syntax"],
    );
}

#[test]
fn typoed_key_suggests_the_right_one() {
    assert_bad(
        &with("applicant", "hukou =", "hukuo ="),
        &["unknown key `hukuo`", "did you mean `hukou`", ":5:1"],
    );
}

#[test]
fn unknown_table_is_named() {
    let t = format!("{}\n[famliy]\nx = 1\n", Applicant::default().text());
    assert_bad(&t, &["unknown key `famliy`", "did you mean `family`"]);
}

#[test]
fn id_check_digit() {
    let good = id_for("1993-03-07", "123");
    let last = good.chars().last().unwrap();
    let wrong = if last == '1' { '2' } else { '1' };
    let badid = format!("{}{wrong}", &good[..17]);
    assert_bad(
        &with("applicant", &good, &badid),
        &["applicant.id_number", "校验位", "check character"],
    );
}

#[test]
fn id_wrong_length() {
    let good = id_for("1993-03-07", "123");
    assert_bad(
        &with("applicant", &good, &good[..15]),
        &["applicant.id_number", "18"],
    );
}

#[test]
fn id_impossible_birth_date() {
    let body = "31010419930231123";
    let id = format!("{body}{}", dossier::idnum::id_check_char(body).unwrap());
    assert_bad(
        &with("applicant", &id_for("1993-03-07", "123"), &id),
        &["applicant.id_number", "not a real date"],
    );
}

#[test]
fn id_birth_date_in_the_future() {
    let body = "31010420300101123";
    let id = format!("{body}{}", dossier::idnum::id_check_char(body).unwrap());
    assert_bad(
        &with("applicant", &id_for("1993-03-07", "123"), &id),
        &["applicant.id_number", "after the application date"],
    );
}

#[test]
fn id_of_someone_too_old_or_too_young_to_be_an_employee() {
    // GB 11643's own example number (born 1880) is well-formed, but not an applicant.
    for (birth, age) in [("1880-01-01", "146"), ("2015-06-01", "11")] {
        assert_bad(
            &with(
                "applicant",
                &id_for("1993-03-07", "123"),
                &id_for(birth, "123"),
            ),
            &["applicant.id_number", &format!("would be {age}")],
        );
    }
}

#[test]
fn credit_code_check_character() {
    assert_bad(
        &with("employer", "9131011566778899AR", "9131011566778899AQ"),
        &["employer.credit_code", "check character"],
    );
}

#[test]
fn credit_code_invalid_letter() {
    assert_bad(
        &with("employer", "9131011566778899AR", "9131011566778899AO"),
        &["employer.credit_code", "invalid character"],
    );
}

#[test]
fn spouse_id_check_digit() {
    let a = Applicant::default().married();
    let good = id_for("1993-09-12", "002");
    let last = good.chars().last().unwrap();
    let wrong = if last == '3' { '4' } else { '3' };
    let t = a
        .text()
        .replacen(&good, &format!("{}{wrong}", &good[..17]), 1);
    assert_bad(&t, &["family.spouse.id_number", "校验位"]);
}

#[test]
fn impossible_dates() {
    let t = Applicant::default().text().replacen(
        "graduated_on = \"2015-06-30\"",
        "graduated_on = \"2015-02-30\"",
        1,
    );
    assert_bad(&t, &["education.graduated_on", "not a real date"]);
    let t = Applicant::default().text().replacen(
        "graduated_on = \"2015-06-30\"",
        "graduated_on = \"30/06/2015\"",
        1,
    );
    assert_bad(&t, &["education.graduated_on", "YYYY-MM-DD"]);
}

#[test]
fn married_without_spouse() {
    let t = Applicant::default()
        .family("marital_status = \"married\"\n")
        .text();
    assert_bad(&t, &["family.marital_status", "[family.spouse]"]);
}

#[test]
fn single_with_spouse() {
    let t = Applicant::default().married().text().replacen(
        "marital_status = \"married\"",
        "marital_status = \"single\"",
        1,
    );
    assert_bad(&t, &["[family.spouse] is given", "single"]);
}

#[test]
fn children_out_of_order() {
    let t = Applicant::default()
        .married_with_children(&["2019-08-01", "2017-05-01"])
        .text();
    assert_bad(&t, &["birth order"]);
}

#[test]
fn unknown_district_suggests_one() {
    assert_bad(
        &with(
            "employer",
            "district = \"浦东新区\"",
            "district = \"浦东区\"",
        ),
        &["employer.district", "浦东新区"],
    );
}

#[test]
fn out_of_range_values() {
    let t = Applicant::default()
        .extra("[[certificates]]\ntype = \"skill\"\nlevel = 7\nname = \"电工\"")
        .text();
    assert_bad(&t, &["certificates[1].level", "5"]);
    let t = Applicant::default()
        .insurance("years = -1\nbase_ratio = 1.0\n")
        .text();
    assert_bad(&t, &["insurance.years", "0 to 60"]);
}

#[test]
fn wrong_type() {
    assert_bad(
        &with("employer", "dispatched = false", "dispatched = \"no\""),
        &["employer.dispatched", "true or false"],
    );
}

#[test]
fn bad_choice_suggests() {
    assert_bad(
        &with("education", "level = \"bachelor\"", "level = \"bachelors\""),
        &["education.level", "did you mean \"bachelor\""],
    );
}

#[test]
fn bad_mobile() {
    assert_bad(
        &with(
            "applicant",
            "phone = \"13812345678\"",
            "phone = \"1381234567\"",
        ),
        &["applicant.phone", "mobile"],
    );
}

#[test]
fn missing_required_table_and_key() {
    let t =
        Applicant::default()
            .text()
            .replacen("[insurance]\nyears = 5\nbase_ratio = 0.7\n", "", 1);
    assert_bad(&t, &["missing table [insurance]"]);
    let t = Applicant::default()
        .text()
        .replacen("hukou = \"family\"\n", "", 1);
    assert_bad(&t, &["missing key `hukou`", "[applicant]"]);
}

#[test]
fn empty_file() {
    assert_bad("", &["empty", "dossier init"]);
}

#[test]
fn binary_garbage() {
    let env = Env::new();
    let d = env.dir.path().join("e");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("applicant.toml"),
        [0xff, 0xfe, 0x00, 0x89, b'P', b'N', b'G', 0x00, 0x01],
    )
    .unwrap();
    let o = dossier(&["score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("UTF-8"), "{}", stderr(&o));
}

#[test]
fn every_problem_is_reported_in_one_go() {
    let t = with("applicant", "hukou =", "hukuo =")
        .replacen("9131011566778899AR", "9131011566778899AQ", 1)
        .replacen("level = \"bachelor\"", "level = \"phd\"", 1);
    let (code, err) = bad(&t);
    assert_eq!(code, 2);
    assert!(
        err.contains("hukuo") && err.contains("credit_code") && err.contains("education.level"),
        "{err}"
    );
    assert!(err.contains("problem(s)"));
    // The count is said in the clerk's language too.
    assert!(err.contains("处问题，全部改正后再运行"), "{err}");
}

/// Issue #12: a broken applicant.toml used to be reported in both languages on every line,
/// "English (中文)" or "中文 (English)". Now `--lang en` says it in English, with no Chinese but
/// the file's own words, and the default Chinese run has no English in parentheses; the JSON
/// of a batch says it in Chinese whatever the language.
#[test]
fn a_broken_applicant_file_is_reported_in_the_language_of_the_run() {
    let t = with("applicant", "hukou =", "hukuo =")
        .replacen("9131011566778899AR", "9131011566778899AQ", 1)
        .replacen("level = \"bachelor\"", "level = \"phd\"", 1);
    let env = Env::new();
    let d = env.employee("e", &t);
    let en = stderr(&dossier(&[
        "--lang",
        "en",
        "checklist",
        d.to_str().unwrap(),
    ]));
    for want in [
        "unknown key `hukuo` in [applicant]; did you mean `hukou`?",
        "employer.credit_code: wrong check character",
        "education.level must be one of",
        "missing key `hukou` in [applicant]",
        "4 problem(s) in the applicant file",
    ] {
        assert!(en.contains(want), "{want:?} not in:\n{en}");
    }
    // Every CJK character of a message line is one of the file's (a quoted value, a term).
    let own: String = t
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .collect();
    for l in message_lines(&en) {
        let foreign: String = l
            .chars()
            .filter(|c| {
                ('\u{3000}'..='\u{9fff}').contains(c) || ('\u{ff00}'..='\u{ffef}').contains(c)
            })
            .filter(|c| !own.contains(*c) && !"“”「」".contains(*c))
            .collect();
        assert!(foreign.is_empty(), "Chinese {foreign:?} in: {l}\n{en}");
    }
    let zh = stderr(&dossier(&["checklist", d.to_str().unwrap()]));
    for want in [
        "有未知字段 `hukuo`；是不是 `hukou`？",
        "employer.credit_code：校验位错误",
        "[applicant] 中缺少 `hukou`",
        "共 4 处问题，全部改正后再运行",
    ] {
        assert!(zh.contains(want), "{want:?} not in:\n{zh}");
    }
    assert_eq!(english_parenthetical(&zh), None, "{zh}");
    // Each line starts as a finding does, in the language of the run.
    assert!(
        zh.starts_with("错误：") && en.starts_with("error: "),
        "{zh}\n{en}"
    );
    for english in [
        "did you mean",
        "wrong check character",
        "problem(s)",
        "missing key",
        "error:",
    ] {
        assert!(!zh.contains(english), "{english:?} in:\n{zh}");
    }
    // A batch: the broken employee's line in the summary, and the JSON, which stays Chinese.
    env.employee("f", &Applicant::default().born("1985-01-01").text());
    let batch = env.path().to_str().unwrap();
    let en = stderr(&dossier(&["--lang", "en", "check", batch]));
    assert!(en.contains("did you mean `hukou`"), "{en}");
    assert!(!en.contains("是不是"), "{en}");
    let zh_json = json(&dossier(&["--format", "json", "check", batch]));
    let en_json = json(&dossier(&[
        "--lang", "en", "--format", "json", "check", batch,
    ]));
    assert_eq!(zh_json, en_json);
    let e = zh_json[0]["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("是不是 `hukou`") && !e.contains("did you mean"),
        "{e}"
    );
}

#[test]
fn missing_folder_is_exit_2() {
    let o = dossier(&["checklist", "/nonexistent/dossier-test"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/dossier-test"));
}

#[test]
fn folder_without_applicant_is_exit_2_with_a_hint() {
    let env = Env::new();
    let o = dossier(&["checklist", env.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("dossier init"));
}

#[test]
fn input_file_is_never_modified() {
    let env = Env::new();
    let text = Applicant::default()
        .married_with_children(&["2017-05-01"])
        .text();
    let d = env.employee("e", &text);
    for cmd in ["checklist", "score"] {
        dossier(&[cmd, d.to_str().unwrap()]);
    }
    assert_eq!(
        std::fs::read_to_string(d.join("applicant.toml")).unwrap(),
        text
    );
}

// --- rulebook ------------------------------------------------------------------------------

fn builtin_rules() -> String {
    stdout(&dossier(&["rules"]))
}

#[test]
fn rules_prints_a_rulebook_that_loads_back() {
    let env = Env::new();
    let r = env.file("r.toml", builtin_rules().as_bytes());
    let d = env.employee("e", &Applicant::default().text());
    let a = stdout(&dossier(&[
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap(),
    ]));
    let b = stdout(&dossier(&[
        "--rules",
        r.to_str().unwrap(),
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap(),
    ]));
    assert_eq!(a, b);
}

#[test]
fn rules_and_init_answer_in_json_too() {
    let v = json(&dossier(&["--format", "json", "rules"]));
    assert_eq!(v["rulebook"]["standard_score"], 120, "{v}");
    assert!(v["materials"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["slug"] == "id-card"));
    let env = Env::new();
    let dir = env.path().join("新员工");
    let v = json(&dossier(&[
        "--format",
        "json",
        "init",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(v["folder"], dir.to_str().unwrap(), "{v}");
    assert_eq!(
        v["created"][0],
        dir.join("applicant.toml").to_str().unwrap()
    );
    assert!(dir.join("scans").is_dir());
}

#[test]
fn a_new_material_with_a_condition_takes_effect_without_recompiling() {
    let env = Env::new();
    let rules = builtin_rules()
        + "\n[[materials]]\nslug = \"health-certificate\"\nlabel = \"健康证明\"\ngroup = \"basic\"\nvisits = [\"submission\"]\nwhen = \"derived.age >= 30\"\nreason = \"test\"\nbasis = \"test\"\n";
    let r = env.file("r.toml", rules.as_bytes());
    let old = env.employee("old", &Applicant::default().born("1980-01-01").text());
    let young = env.employee(
        "young",
        &Applicant::default()
            .born("2000-01-01")
            .education("level = \"none\"\n")
            .text(),
    );
    let has = |d: &std::path::Path| {
        let v = json(&dossier(&[
            "--rules",
            r.to_str().unwrap(),
            "--format",
            "json",
            "checklist",
            d.to_str().unwrap(),
        ]));
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["slug"] == "health-certificate")
    };
    assert!(has(&old));
    assert!(!has(&young));
}

#[test]
fn another_standard_score_takes_effect() {
    let env = Env::new();
    let r = env.file(
        "r.toml",
        builtin_rules()
            .replacen("standard_score = 120", "standard_score = 140", 1)
            .as_bytes(),
    );
    let d = env.employee("e", &Applicant::default().text());
    let o = dossier(&[
        "--rules",
        r.to_str().unwrap(),
        "--format",
        "json",
        "score",
        d.to_str().unwrap(),
    ]);
    let v = json(&o);
    assert_eq!(v["standard"], 140);
    assert_eq!(v["eligible"], false);
    assert_eq!(code(&o), 1);
}

#[test]
fn broken_cel_is_a_located_error() {
    let env = Env::new();
    let rules = builtin_rules().replacen(
        "when = \"derived.married\"",
        "when = \"derived.married &&& x\"",
        1,
    );
    let line = rules.lines().position(|l| l.contains("&&& x")).unwrap() + 1;
    let r = env.file("r.toml", rules.as_bytes());
    let d = env.employee("e", &Applicant::default().text());
    let o = dossier(&[
        "--rules",
        r.to_str().unwrap(),
        "checklist",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!("r.toml:{line}:")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_rule_reading_an_absent_spouse_names_what_is_empty_and_how_to_guard() {
    let env = Env::new();
    let guarded = "derived.married && family.spouse.shanghai_hukou ? min(40";
    let rules = builtin_rules();
    assert!(rules.contains(guarded), "the built-in rule changed");
    let rules = rules.replacen(guarded, "family.spouse.shanghai_hukou ? min(40", 1);
    let line = rules
        .lines()
        .position(|l| l.contains("points = \"family.spouse.shanghai_hukou"))
        .unwrap()
        + 1;
    let r = env.file("r.toml", rules.as_bytes());
    let d = env.employee("single", &Applicant::default().text());
    let o = dossier(&["--rules", r.to_str().unwrap(), "score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains(&format!("r.toml:{line}:")), "{err}");
    assert!(
        err.contains("`family.spouse` is empty")
            && err.contains("`derived.married && family.spouse.shanghai_hukou`"),
        "{err}"
    );
    assert_eq!(err.matches("r.toml").count(), 1, "the path once: {err}");
}

#[test]
fn an_empty_value_is_blamed_only_when_it_alone_can_be_the_cause() {
    let env = Env::new();
    let d = env.employee("single", &Applicant::default().text());
    let run = |points: &str| {
        let guarded = "derived.married && family.spouse.shanghai_hukou ? min(40";
        let rules = builtin_rules().replacen(
            &format!("points = \"{guarded}, 4 * derived.marriage_years) : 0\""),
            &format!("points = \"{points}\""),
            1,
        );
        let r = env.file("r.toml", rules.as_bytes());
        let o = dossier(&["--rules", r.to_str().unwrap(), "score", d.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{points}: {}", stdout(&o));
        stderr(&o)
    };
    // The guarded spouse is never read; the marriage date is the null that fails.
    let err = run(
        "derived.married && family.spouse.shanghai_hukou ? 1 : family.married_on > '2000' ? 1 : 0",
    );
    assert!(!err.contains("`family.spouse` is empty"), "{err}");
    // A comparison with null is a guard, not the culprit; the failure is not about a null.
    let err = run("family.married_on == null ? 1 / 0 : 0");
    assert!(!err.contains("is empty"), "{err}");
    assert!(err.contains("failed"), "CEL's own words: {err}");
    // One empty value alone: named, with CEL's words after it.
    let err = run("family.married_on > '2000' ? 1 : 0");
    assert!(err.contains("`family.married_on` is empty"), "{err}");
    assert!(err.contains("family.married_on != null"), "{err}");
}

#[test]
fn a_copy_only_material_at_an_originals_only_visit_is_a_rulebook_error() {
    let env = Env::new();
    let rules = builtin_rules();
    let licence = "slug = \"business-licence\"\nlabel = \"营业执照\"\nwhen = \"employer.kind == 'enterprise'\"\ngroup = \"basic\"\nvisits = [\"submission\"]";
    assert!(rules.contains(licence), "the built-in rule changed");
    let rules = rules.replacen(
        licence,
        &licence.replace("[\"submission\"]", "[\"submission\", \"notice-print\"]"),
        1,
    );
    let line = rules
        .lines()
        .position(|l| l == "visits = [\"submission\", \"notice-print\"]")
        .unwrap()
        + 1;
    let r = env.file("r.toml", rules.as_bytes());
    let o = dossier(&["--rules", r.to_str().unwrap(), "rules"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains(&format!("r.toml:{line}:")), "{err}");
    assert!(err.contains("只收原件"), "{err}");
    let err = stderr(&dossier(&[
        "--lang",
        "en",
        "--rules",
        r.to_str().unwrap(),
        "rules",
    ]));
    assert!(err.contains("takes originals only"), "{err}");
}

#[test]
fn copies_at_a_visit_the_material_is_not_brought_to_is_a_rulebook_error() {
    let env = Env::new();
    let rules = builtin_rules();
    let at = "copies_at = { file-review = 0 }";
    assert!(rules.contains(at), "the built-in rule changed");
    let rules = rules.replacen(at, "copies_at = { notice-print = 0 }", 1);
    let r = env.file("r.toml", rules.as_bytes());
    let o = dossier(&["--lang", "en", "--rules", r.to_str().unwrap(), "rules"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("copies_at names visit \"notice-print\", which is not one of its visits"),
        "{err}"
    );
}

#[test]
fn rulebook_problems_are_all_located() {
    let env = Env::new();
    let rules = builtin_rules()
        .replacen(
            "when = \"employer.dispatched\"",
            "when = \"employer.dispatchd\"",
            1,
        )
        .replacen(
            "visits = [\"file-review\", \"submission\", \"notice-print\"]",
            "visits = [\"file-review\", \"submision\", \"notice-print\"]",
            1,
        )
        .replacen(
            "slug = \"spouse-id-card\"",
            "slug = \"marriage-certificate\"",
            1,
        );
    let r = env.file("r.toml", rules.as_bytes());
    let o = dossier(&["--lang", "en", "--rules", r.to_str().unwrap(), "rules"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2);
    assert!(err.contains("did you mean `employer.dispatched`"), "{err}");
    assert!(err.contains("did you mean \"submission\""), "{err}");
    assert!(
        err.contains("duplicate slug \"marriage-certificate\""),
        "{err}"
    );
    assert!(err.contains("3 problem(s) in the rulebook"), "{err}");
    assert!(chinese_sentence(&err).is_none(), "{err}");
    // In Chinese, all in Chinese (only a CEL syntax error quotes the CEL parser's English).
    let err = stderr(&dossier(&["--rules", r.to_str().unwrap(), "rules"]));
    assert!(err.contains("是不是 `employer.dispatched`"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("是不是 \"submission\""), "{err}");
    assert!(err.contains("slug \"marriage-certificate\" 重复"), "{err}");
    assert!(
        err.contains("规则文件") && err.contains("共 3 处问题"),
        "{err}"
    );
    assert_eq!(english_parenthetical(&err), None, "{err}");
}

#[test]
fn unknown_rulebook_key_is_located() {
    let env = Env::new();
    let rules = builtin_rules().replacen(
        "copies = 0\nsize = \"a4\"",
        "copies = 0\nsize = \"a4\"\ncopys = 2",
        1,
    );
    let r = env.file("r.toml", rules.as_bytes());
    let o = dossier(&["--rules", r.to_str().unwrap(), "rules"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("copys"), "{}", stderr(&o));
    assert!(stderr(&o).contains("r.toml:"), "{}", stderr(&o));
}

// --- init and batches ---------------------------------------------------------------------

#[test]
fn init_creates_a_template_and_never_overwrites() {
    let env = Env::new();
    let d = env.path().join("new");
    let o = dossier(&["init", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("scans").is_dir());
    let text = std::fs::read_to_string(d.join("applicant.toml")).unwrap();
    assert!(text.contains("[applicant]") && text.contains("# "));
    std::fs::write(d.join("applicant.toml"), "edited").unwrap();
    let o = dossier(&["init", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        std::fs::read_to_string(d.join("applicant.toml")).unwrap(),
        "edited"
    );
}

#[test]
fn an_unfilled_template_explains_what_to_fill_in() {
    let env = Env::new();
    let d = env.path().join("new");
    dossier(&["init", d.to_str().unwrap()]);
    let o = dossier(&["checklist", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("applicant.name 不能为空"), "{err}");
    assert!(err.contains("employer.district"), "{err}");
    let err = stderr(&dossier(&[
        "--lang",
        "en",
        "checklist",
        d.to_str().unwrap(),
    ]));
    assert!(err.contains("applicant.name is empty"), "{err}");
    assert!(err.contains("employer.district"), "{err}");
}

#[test]
fn batch_reports_a_broken_employee_by_folder_and_goes_on() {
    let env = Env::new();
    env.employee("a-good", &Applicant::default().text());
    env.employee("b-broken", "[applicant]\nname = 1\n");
    env.employee("c-good", &Applicant::default().born("1985-01-01").text());
    let o = dossier(&[
        "--format",
        "json",
        "checklist",
        env.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    assert_eq!(arr[1]["folder"], "b-broken");
    assert!(arr[0]["items"].is_array() && arr[2]["items"].is_array());
    assert!(stderr(&o).contains("b-broken"));
}

#[test]
fn several_dirs_behave_like_a_batch() {
    let env = Env::new();
    let a = env.employee("a", &Applicant::default().text());
    let b = env.employee(
        "b",
        &Applicant::default()
            .born("1970-01-01")
            .insurance("years = 1\nbase_ratio = 0.5\n")
            .text(),
    );
    let o = dossier(&[
        "--format",
        "json",
        "score",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "one of them is below the standard");
    assert_eq!(json(&o).as_array().unwrap().len(), 2);
}

#[test]
fn the_same_id_in_two_folders_is_an_error_on_both() {
    let env = Env::new();
    env.employee("a", &Applicant::default().text());
    env.employee("b", &Applicant::default().text());
    env.employee("c", &Applicant::default().born("1985-01-01").text());
    let o = dossier(&["--format", "json", "score", env.path().to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let arr = v.as_array().unwrap();
    // JSON speaks Chinese whatever the language.
    assert!(
        arr[0]["error"].as_str().unwrap().contains("与 b 相同"),
        "{v}"
    );
    assert!(
        arr[1]["error"].as_str().unwrap().contains("与 a 相同"),
        "{v}"
    );
    let en = dossier(&[
        "--lang",
        "en",
        "--format",
        "json",
        "score",
        env.path().to_str().unwrap(),
    ]);
    assert_eq!(json(&en)[0]["error"], arr[0]["error"]);
    assert!(stderr(&en).contains("is also in b"), "{}", stderr(&en));
    assert!(arr[2]["total"].is_number());
    assert!(
        !stderr(&o).contains("19930307"),
        "the ID is masked in the message"
    );
}

#[test]
fn a_name_that_cannot_be_a_file_name_is_refused() {
    assert_bad(
        &with("applicant", "name = \"张伟\"", "name = \"张:伟\""),
        &["applicant.name", "cannot be part of a name"],
    );
}

#[test]
fn an_empty_optional_phone_is_not_an_error() {
    let t = with("applicant", "phone = \"13812345678\"", "phone = \"\"");
    let env = Env::new();
    let d = env.employee("e", &t);
    let o = dossier(&["checklist", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_batch_folder_with_a_misnamed_applicant_file_is_reported_not_skipped() {
    let env = Env::new();
    env.employee("a", &Applicant::default().text());
    let b = env.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("applicant.toml.txt"),
        Applicant::default().born("1985-01-01").text(),
    )
    .unwrap();
    let c = env.path().join("c");
    std::fs::create_dir_all(c.join("scans")).unwrap();
    std::fs::create_dir_all(env.path().join("out")).unwrap(); // not an employee: ignored
    let o = dossier(&["--format", "json", "score", env.path().to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3, "{v}");
    assert!(
        arr[1]["error"]
            .as_str()
            .unwrap()
            .contains("applicant.toml.txt"),
        "{v}"
    );
    assert!(
        arr[2]["error"].as_str().unwrap().contains("dossier init"),
        "{v}"
    );
}

/// `浦东` is the everyday name of 浦东新区; the suggestion used to be 黄浦区, the first district
/// at the same edit distance.
#[test]
fn short_district_name_suggests_the_district_it_abbreviates() {
    let (code, err) = bad(&with(
        "employer",
        "district = \"浦东新区\"",
        "district = \"浦东\"",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean \"浦东新区\""), "{err}");
    let (_, err) = bad(&with(
        "employer",
        "district = \"浦东新区\"",
        "district = \"闵行\"",
    ));
    assert!(err.contains("did you mean \"闵行区\""), "{err}");
}

/// 50 years of insurance for a 33-year-old used to score 150 points and pass the standard.
#[test]
fn insurance_years_beyond_working_age_are_an_error() {
    assert_bad(
        &with("insurance", "years = 5", "years = 50"),
        &[
            "insurance.years is 50",
            "insurance.years 为 50",
            "applicant.toml:",
        ],
    );
    // The most that is possible is accepted.
    let env = Env::new();
    let a = Applicant::default().insurance("years = 17\nbase_ratio = 0.7\n");
    let d = env.employee("e", &a.text());
    let o = dossier(&["score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// The command `init` suggests used to print a folder with spaces unquoted, so copying it into a
/// shell ran `dossier checklist` on the wrong folders.
#[test]
fn init_suggests_a_command_that_can_be_copied_for_a_folder_with_spaces() {
    let env = Env::new();
    let d = env.path().join("人事 部").join("新 员工");
    let o = dossier(&["init", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("下一步"), "{out}");
    let cmd = out.split('`').nth(1).expect("a command in backticks");
    let cmd = cmd.replacen("dossier", env!("CARGO_BIN_EXE_dossier"), 1);
    let o = std::process::Command::new("sh")
        .args(["-c", &cmd])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("新 员工/applicant.toml"),
        "ran on the right folder: {err}"
    );
    assert!(!err.contains("not found"), "{err}");
}

/// Giving the scans/ folder or applicant.toml itself (a dragged file) used to say only that
/// there was no applicant.toml, or that it was not a folder.
#[test]
fn a_path_inside_an_employee_folder_names_the_folder_to_give() {
    let env = Env::new();
    let d = env.employee("zhang", &Applicant::default().text());
    for inner in [d.join("scans"), d.join("applicant.toml")] {
        let o = dossier(&["check", inner.to_str().unwrap()]);
        assert_eq!(code(&o), 2);
        let err = stderr(&o);
        assert!(err.contains("在员工文件夹之内"), "{err}");
        assert!(
            err.trim_end().ends_with(d.to_str().unwrap()),
            "names the folder: {err}"
        );
    }
    let o = dossier_in(Some(&d), &["--lang", "en", "score", "applicant.toml"]);
    assert!(
        stderr(&o).contains("give the folder itself, ."),
        "{}",
        stderr(&o)
    );
}

/// A single folder whose applicant.toml was saved as applicant.toml.txt used to be told only
/// that there was no applicant.toml and to run `dossier init`; in a batch it was told to rename.
#[test]
fn a_misnamed_applicant_file_in_a_single_folder_is_named() {
    let env = Env::new();
    let d = env.employee("zhang", &Applicant::default().text());
    std::fs::rename(d.join("applicant.toml"), d.join("applicant.toml.txt")).unwrap();
    let o = dossier(&["check", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("找到 applicant.toml.txt：请改名为 applicant.toml"),
        "{err}"
    );
    let en = stderr(&dossier(&["--lang", "en", "check", d.to_str().unwrap()]));
    assert!(
        en.contains("found applicant.toml.txt: rename it to applicant.toml"),
        "{en}"
    );
}

/// Notepad on a Chinese Windows saves "ANSI", i.e. GBK: such a file used to be refused as not
/// UTF-8; it is read as GB 18030, with a warning to save it as UTF-8.
#[test]
fn a_gbk_applicant_toml_is_read_with_a_warning() {
    let env = Env::new();
    let utf8 = Applicant::default()
        .married()
        .text()
        .replace("\"married\"", "\"已婚\"");
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&utf8);
    assert!(!unmappable);
    assert_ne!(gbk.as_ref(), utf8.as_bytes());
    let a = env.employee("utf8", &utf8);
    let b = env.employee("gbk", "");
    std::fs::write(b.join("applicant.toml"), gbk.as_ref()).unwrap();
    let oa = dossier(&["--format", "json", "score", a.to_str().unwrap()]);
    let ob = dossier(&["--format", "json", "score", b.to_str().unwrap()]);
    assert_eq!(code(&ob), code(&oa), "{}", stderr(&ob));
    assert_eq!(stdout(&oa), stdout(&ob), "the same profile, names included");
    assert!(stderr(&oa).is_empty());
    let warn = stderr(&ob);
    assert!(
        warn.contains("GB 18030") && warn.contains("UTF-8"),
        "{warn}"
    );
}

#[test]
fn a_chinese_word_that_is_not_a_choice_lists_the_words() {
    let t = Applicant::default().text().replacen(
        "marital_status = \"single\"",
        "marital_status = \"已昏\"",
        1,
    );
    assert_bad(
        &t,
        &[
            "family.marital_status",
            "\"married\"（已婚）",
            "did you mean \"已婚\"",
        ],
    );
    let t = Applicant::default()
        .extra("[[certificates]]\ntype = \"技能\"\nlevel = \"六级\"\nname = \"x\"")
        .text();
    assert_bad(&t, &["certificates[1].level", "五级", "一级"]);
    let t = Applicant::default().text().replacen(
        "graduated_on = \"2015-06-30\"",
        "graduated_on = \"2015年6月31日\"",
        1,
    );
    assert_bad(&t, &["education.graduated_on", "2015年6月31日"]);
}

// --- company.toml ----------------------------------------------------------------------------

const COMPANY: &str = "[employer]\nname = \"上海示例科技有限公司\"\ncredit_code = \"9131011566778899AR\"\ndistrict = \"浦东新区\"\nkind = \"企业\"\nhr_name = \"李娜\"\nhr_phone = \"13900001111\"\n";

/// An applicant.toml without [employer] (the batch's company.toml gives it).
fn without_employer(a: &Applicant) -> String {
    a.text()
        .replacen(&format!("[employer]\n{}", a.employer), "", 1)
}

#[test]
fn a_batch_company_toml_gives_every_employee_the_employer_and_keys_override_one_by_one() {
    let env = Env::new();
    env.file("company.toml", COMPANY.as_bytes());
    let a = Applicant::default();
    let plain = env.employee("a", &without_employer(&a));
    // Only the district and the kind are the employee's own: the rest comes from company.toml.
    let own = a
        .clone()
        .born("1985-01-01")
        .employer("district = \"徐汇区\"\nkind = \"事业单位\"\n")
        .text();
    let over = env.employee("b", &own);
    let o = dossier(&[
        "--format",
        "json",
        "checklist",
        env.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v[0]["center"], "浦东新区人才服务中心");
    assert_eq!(v[1]["center"], "徐汇区人才服务中心");
    let slugs = |i: usize| v[i]["items"].to_string();
    assert!(slugs(0).contains("business-licence"), "{}", slugs(0));
    assert!(slugs(1).contains("institution-certificate") && !slugs(1).contains("business-licence"));
    // The same employee given alone inherits company.toml too.
    for d in [&plain, &over] {
        let o = dossier(&["--format", "json", "score", d.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    // And the result is the one the employer block written out in full gives.
    let full = env.employee("c", &a.text());
    let alone = |d: &std::path::Path| {
        stdout(&dossier(&[
            "--format",
            "json",
            "checklist",
            d.to_str().unwrap(),
        ]))
    };
    std::fs::remove_file(env.path().join("company.toml")).unwrap();
    let want = alone(&full);
    env.file("company.toml", COMPANY.as_bytes());
    assert_eq!(alone(&plain), want);
}

#[test]
fn a_bad_company_toml_is_an_input_error_naming_it() {
    let env = Env::new();
    env.file(
        "company.toml",
        COMPANY
            .replace("9131011566778899AR", "9131011566778899AQ")
            .as_bytes(),
    );
    let d = env.employee("a", &without_employer(&Applicant::default()));
    let o = dossier(&["score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("company.toml:3:") && err.contains("credit_code"),
        "{err}"
    );
    assert!(err.contains("单位信息文件"), "{err}");
    // A key the file does not know, with "did you mean".
    env.file(
        "company.toml",
        COMPANY.replace("hr_name", "hr_nmae").as_bytes(),
    );
    let err = stderr(&dossier(&["score", d.to_str().unwrap()]));
    assert!(err.contains("是不是 `hr_name`"), "{err}");
    let err = stderr(&dossier(&["--lang", "en", "score", d.to_str().unwrap()]));
    assert!(err.contains("did you mean `hr_name`"), "{err}");
}

#[test]
fn an_employer_key_in_neither_file_is_missing_and_says_where_it_was_looked_for() {
    let env = Env::new();
    env.file(
        "company.toml",
        COMPANY.replace("hr_name = \"李娜\"\n", "").as_bytes(),
    );
    let d = env.employee("a", &without_employer(&Applicant::default()));
    let o = dossier(&["--lang", "en", "score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("missing key `hr_name`") && err.contains("company.toml"),
        "{err}"
    );
    let err = stderr(&dossier(&["score", d.to_str().unwrap()]));
    assert!(
        err.contains("缺少 `hr_name`") && err.contains("company.toml 中也没有"),
        "{err}"
    );
    // Without company.toml the [employer] table itself is required, as before.
    std::fs::remove_file(env.path().join("company.toml")).unwrap();
    let err = stderr(&dossier(&["--lang", "en", "score", d.to_str().unwrap()]));
    assert!(err.contains("missing table [employer]"), "{err}");
}

// --- the insurance record --------------------------------------------------------------------

#[test]
fn insurance_record_mistakes_are_located() {
    let ins = |s: &str| Applicant::default().insurance(s).text();
    assert_bad(
        &ins("months = 12\nyears = 1\nbase_ratio = 1.0\n"),
        &["insurance", "`months` or `years`, not both"],
    );
    assert_bad(
        &ins("months = 10\n[[insurance.periods]]\nfrom = \"2026-01\"\nbase_ratio = 1.0\n"),
        &["insurance.months is 10", "cover 11 months"],
    );
    assert_bad(
        &ins("[[insurance.periods]]\nfrom = \"2026-01\"\nbase = 12000\nbase_ratio = 1.0\n"),
        &["insurance.periods[1]", "one of the two"],
    );
    assert_bad(
        &ins("[[insurance.periods]]\nfrom = \"2025-01\"\nto = \"2025-12\"\nbase_ratio = 1.0\n[[insurance.periods]]\nfrom = \"2025-06\"\nbase_ratio = 1.0\n"),
        &["overlaps", "applicant.toml:"],
    );
    assert_bad(
        &ins("[[insurance.periods]]\nfrom = \"2026-01\"\nto = \"2027-01\"\nbase_ratio = 1.0\n"),
        &[
            "insurance.periods[1]",
            "after the application month 2026-11",
        ],
    );
    assert_bad(
        &ins("[[insurance.periods]]\nfrom = \"2026-1\"\nbase_ratio = 1.0\n"),
        &["insurance.periods[1].from", "YYYY-MM"],
    );
    assert_bad(
        &ins("base_ratio = 1.0\n[[insurance.periods]]\nfrom = \"2026-01\"\nbase_ratio = 1.0\n"),
        &["insurance.base_ratio is the shorthand"],
    );
    assert_bad(&ins("base_ratio = 1.0\n"), &["missing key `months`"]);
    assert_bad(
        &ins("months = 400\nbase_ratio = 1.0\n"),
        &["insurance.months is 400"],
    );
}
