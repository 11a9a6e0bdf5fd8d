//! The simulated score: the three reference cases, every points item and every age
//! band edge.
use crate::common::*;

/// A birth date that makes the applicant `age` full years old on the test date (2026-11-26).
fn born_aged(age: i32) -> String {
    format!("{}-01-15", 2026 - age)
}

#[test]
fn age_33_bachelor_degree_5_years_low_base_is_135_and_eligible() {
    let a = Applicant::default()
        .born("1993-03-07")
        .insurance("years = 5\nbase_ratio = 0.7\n");
    let (code, v) = score(&a);
    assert_eq!(v["total"], 135, "{v}");
    assert_eq!(v["standard"], 120);
    assert_eq!(v["eligible"], true);
    assert_eq!(code, 0);
}

#[test]
fn age_50_associate_3_years_is_76_and_not_eligible() {
    let a = Applicant::default()
        .born("1976-01-01")
        .education("level = \"associate\"\nmode = \"full-time\"\ngraduated_on = \"1998-07-01\"\n")
        .insurance("years = 3\nbase_ratio = 0.5\n");
    let (code, v) = score(&a);
    assert_eq!(v["total"], 76, "{v}");
    assert_eq!(v["eligible"], false);
    assert_eq!(code, 1);
}

#[test]
fn age_38_senior_title_bachelor_4_years_base_1_is_232() {
    let a = Applicant::default()
        .born("1988-05-05")
        .insurance("years = 4\nbase_ratio = 1.0\n")
        .extra("[[certificates]]\ntype = \"title\"\nlevel = \"senior\"\nname = \"高级工程师\"");
    let (code, v) = score(&a);
    assert_eq!(v["total"], 232, "{v}");
    assert_eq!(points(&v, "title"), 140);
    assert_eq!(
        points(&v, "education"),
        0,
        "education and title: only the higher counts"
    );
    assert_eq!(code, 0);
}

#[test]
fn every_age_band_edge() {
    let table = [
        (18, 30),
        (43, 30),
        (44, 29),
        (45, 27),
        (46, 25),
        (47, 23),
        (48, 21),
        (49, 19),
        (50, 17),
        (51, 15),
        (52, 13),
        (53, 11),
        (54, 9),
        (55, 7),
        (56, 5),
        (60, 5),
        (61, 0),
    ];
    for (age, want) in table {
        let a = Applicant::default()
            .born(&born_aged(age))
            .education("level = \"none\"\n")
            .insurance("years = 1\nbase_ratio = 0.7\n");
        let (_, v) = score(&a);
        assert_eq!(points(&v, "age"), want, "age {age}");
    }
}

#[test]
fn age_counts_full_years_at_the_application_date() {
    let age_points = |born: &str| {
        points(
            &score(
                &Applicant::default()
                    .born(born)
                    .education("level = \"none\"\n"),
            )
            .1,
            "age",
        )
    };
    assert_eq!(
        age_points("1982-11-26"),
        29,
        "44 on the application date itself"
    );
    assert_eq!(age_points("1982-11-27"), 30, "turns 44 only the day after");
    assert_eq!(age_points("1971-11-26"), 7, "55 on the day");
    assert_eq!(age_points("1970-11-27"), 7, "56 only tomorrow");
    assert_eq!(age_points("1970-11-26"), 5, "56 on the day");
}

#[test]
fn education_levels() {
    let cases = [
        ("level = \"associate\"\ngraduated_on = \"2012-07-01\"\n", 50),
        (
            "level = \"bachelor\"\ndegree = false\ngraduated_on = \"2012-07-01\"\n",
            60,
        ),
        (
            "level = \"bachelor\"\ndegree = true\ngraduated_on = \"2012-07-01\"\n",
            90,
        ),
        (
            "level = \"master\"\ndegree = true\ngraduated_on = \"2015-07-01\"\n",
            100,
        ),
        (
            "level = \"doctorate\"\ndegree = true\ngraduated_on = \"2019-07-01\"\n",
            110,
        ),
        ("level = \"none\"\n", 0),
    ];
    for (edu, want) in cases {
        let (_, v) = score(&Applicant::default().education(edu));
        assert_eq!(points(&v, "education"), want, "{edu}");
    }
}

fn cert(kind: &str, level: &str) -> String {
    format!("[[certificates]]\ntype = \"{kind}\"\nlevel = {level}\nname = \"x\"")
}

#[test]
fn skill_levels_and_titles_with_the_base_condition() {
    let none = "level = \"none\"\n";
    let cases = [
        (cert("skill", "5"), 0.5, "skill", 15),
        (cert("skill", "4"), 0.5, "skill", 30),
        (cert("skill", "3"), 0.5, "skill", 60),
        (cert("skill", "2"), 0.99, "skill", 0),
        (cert("skill", "2"), 1.0, "skill", 100),
        (cert("skill", "1"), 0.5, "skill", 0),
        (cert("skill", "1"), 1.5, "skill", 140),
        (cert("title", "\"junior\""), 1.5, "title", 0),
        (cert("title", "\"intermediate\""), 0.9, "title", 0),
        (cert("title", "\"intermediate\""), 1.0, "title", 100),
        (cert("title", "\"senior\""), 2.0, "title", 140),
    ];
    for (c, base, id, want) in cases {
        let a = Applicant::default()
            .education(none)
            .insurance(&format!("years = 1\nbase_ratio = {base}\n"))
            .extra(&c);
        let (_, v) = score(&a);
        assert_eq!(points(&v, id), want, "{c} base {base}");
    }
}

#[test]
fn the_higher_of_education_and_skill_counts() {
    let a = Applicant::default().extra(&cert("skill", "3"));
    let (_, v) = score(&a);
    assert_eq!(points(&v, "education"), 90);
    assert_eq!(points(&v, "skill"), 0);
    let skill = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "skill")
        .unwrap();
    assert_eq!(
        skill["raw"], 60,
        "the losing item shows what it would have scored"
    );
}

/// The text line of a best-of item that does not count used to end in `按教育背景计（60 分）`,
/// which reads as "education counts 60 points" while education shows 90.
#[test]
fn the_losing_best_of_item_says_its_own_points_do_not_count() {
    let a = Applicant::default().extra(&cert("skill", "3"));
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["score", d.to_str().unwrap()]);
    let out = stdout(&o);
    let line = out.lines().find(|l| l.contains("技能等级")).unwrap();
    assert!(line.contains("本项 60 分不计"), "{line}");
    assert!(line.ends_with("按教育背景计"), "{line}");
}

#[test]
fn insurance_years_and_base_tiers() {
    for (years, want) in [(0, 0), (1, 3), (7, 21)] {
        let (_, v) =
            score(&Applicant::default().insurance(&format!("years = {years}\nbase_ratio = 0.5\n")));
        assert_eq!(points(&v, "insurance-years"), want);
    }
    // The tiers need 36 of the last 48 months (24 of 36 for the top one): 4 years at the ratio.
    for (base, want) in [
        (0.79, 0),
        (0.8, 25),
        (0.99, 25),
        (1.0, 50),
        (1.99, 50),
        (2.0, 100),
        (2.99, 100),
        (3.0, 120),
        (5.0, 120),
    ] {
        let (_, v) =
            score(&Applicant::default().insurance(&format!("years = 4\nbase_ratio = {base}\n")));
        assert_eq!(points(&v, "insurance-base"), want, "base {base}");
    }
}

#[test]
fn bonus_items() {
    let full_time = "level = \"associate\"\nmode = \"full-time\"\ngraduated_on = \"2026-06-30\"\nfresh_graduate = true\nshortage_major = true\n";
    let (_, v) = score(&Applicant::default().education(full_time));
    assert_eq!(points(&v, "fresh-graduate"), 10);
    assert_eq!(points(&v, "shortage-major"), 30);
    // The shortage-major catalogue lists full-time 大专 majors only.
    let bachelor = full_time.replace("associate", "bachelor");
    let (_, v) = score(&Applicant::default().education(&bachelor));
    assert_eq!(points(&v, "shortage-major"), 0);
    assert_eq!(points(&v, "fresh-graduate"), 10);
    let part_time = full_time.replace("full-time", "online");
    let (_, v) = score(&Applicant::default().education(&part_time));
    assert_eq!(points(&v, "fresh-graduate"), 0);
    assert_eq!(points(&v, "shortage-major"), 0);

    let spouse = id_for("1993-09-12", "002");
    for (married_on, want) in [("2016-10-01", 40), ("2023-11-26", 12), ("2023-11-27", 8)] {
        let a = Applicant::default().family(&format!(
            "marital_status = \"married\"\nmarried_on = \"{married_on}\"\n[family.spouse]\nname = \"王芳\"\nid_number = \"{spouse}\"\nshanghai_hukou = true\n"
        ));
        let (_, v) = score(&a);
        assert_eq!(points(&v, "spouse-hukou"), want, "married {married_on}");
    }

    let bonus = |s: &str| score(&Applicant::default().extra(&format!("[bonus]\n{s}"))).1;
    assert_eq!(points(&bonus("remote_area_years = 4"), "remote-area"), 0);
    assert_eq!(points(&bonus("remote_area_years = 5"), "remote-area"), 10);
    assert_eq!(points(&bonus("remote_area_years = 15"), "remote-area"), 20);
    assert_eq!(
        points(&bonus("public_service_years = 4"), "public-service"),
        0
    );
    assert_eq!(
        points(&bonus("public_service_years = 6"), "public-service"),
        24
    );
    assert_eq!(points(&bonus("awards = [\"bureau\"]"), "awards"), 30);
    assert_eq!(
        points(&bonus("awards = [\"municipal\", \"bureau\"]"), "awards"),
        60
    );
    assert_eq!(points(&bonus("awards = [\"national\"]"), "awards"), 110);
    assert_eq!(points(&bonus("investment_points = 40"), "investment"), 40);
    assert_eq!(points(&bonus("investment_points = 300"), "investment"), 120);
}

#[test]
fn deductions_are_negative_and_vetoes_override_the_total() {
    let d = |s: &str| score(&Applicant::default().extra(&format!("[deductions]\n{s}")));
    let (_, v) = d("false_materials = 1");
    assert_eq!(points(&v, "false-materials"), -150);
    let (_, v) = d("detentions = 2");
    assert_eq!(points(&v, "detentions"), -100);
    assert_eq!(v["total"], 135 - 100);
    let (_, v) = d("crimes = 1");
    assert_eq!(points(&v, "crimes"), -150);
    let rich = Applicant::default()
        .extra("[bonus]\ninvestment_points = 120\n[deductions]\nserious_crime = true");
    let (code, v) = score(&rich);
    assert!(v["total"].as_i64().unwrap() >= 120);
    assert_eq!(v["eligible"], false);
    assert_eq!(v["vetoes"][0]["id"], "serious-crime");
    assert_eq!(code, 1);
}

#[test]
fn total_is_the_sum_of_items_and_every_item_has_a_basis() {
    let (_, v) = score(&Applicant::default().married_with_children(&["2017-05-01"]));
    let items = v["items"].as_array().unwrap();
    let sum: i64 = items.iter().map(|i| i["points"].as_i64().unwrap()).sum();
    assert_eq!(v["total"].as_i64().unwrap(), sum);
    assert!(items
        .iter()
        .all(|i| !i["basis"].as_str().unwrap().is_empty()
            && !i["label"].as_str().unwrap().is_empty()));
}

#[test]
fn text_output_shows_total_and_verdict() {
    let env = Env::new();
    let d = env.employee("e", &Applicant::default().text());
    let o = dossier(&["score", d.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("135 / 标准分 120"), "{out}");
    assert!(out.contains("达到标准分"));
}

#[test]
fn a_lower_skill_level_counts_when_a_higher_one_does_not_meet_the_base() {
    // Level 2 needs a base of at least 1×; at 0.9 the level-3 certificate still gives 60.
    let a = Applicant::default()
        .education("level = \"associate\"\nmode = \"full-time\"\ngraduated_on = \"2012-07-01\"\n")
        .insurance("years = 4\nbase_ratio = 0.9\n")
        .extra(&cert("skill", "3"))
        .extra(&cert("skill", "2"));
    let (_, v) = score(&a);
    assert_eq!(points(&v, "skill"), 60, "{v}");
}

#[test]
fn spouse_hukou_without_a_marriage_date_says_so() {
    let spouse = id_for("1993-09-12", "002");
    let a = Applicant::default().family(&format!(
        "marital_status = \"married\"\n[family.spouse]\nname = \"王芳\"\nid_number = \"{spouse}\"\nshanghai_hukou = true\n"
    ));
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let out = stdout(&dossier(&["score", d.to_str().unwrap()]));
    assert!(out.contains("未填写 family.married_on"), "{out}");
}

/// `--quiet` is "only problems": of a batch, only the employees below the standard.
#[test]
fn quiet_score_of_a_batch_shows_only_those_below_the_standard() {
    let batch = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch");
    let o = dossier(&["-q", "score", batch.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(
        text.contains("── wang-lei ──") && text.contains("未达到标准分"),
        "{text}"
    );
    assert!(
        !text.contains("li-ming") && !text.contains("chen-jing"),
        "{text}"
    );
}

/// The clerk's Chinese words and dates (SPEC §3) mean exactly what the English codes mean: the
/// checklist and the score, as JSON, are the same byte for byte (JSON keeps the English codes).
#[test]
fn chinese_words_and_english_codes_give_the_same_checklist_and_score() {
    let spouse = id_for("1990-09-12", "002");
    let english = Applicant::default()
        .born("1975-05-05")
        .applicant(&format!(
            "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"collective\"\npermit_expires = \"2027-06-30\"\n",
            id_for("1975-05-05", "123")
        ))
        .employer("name = \"上海示例医院\"\ncredit_code = \"9131011566778899AR\"\ndistrict = \"浦东新区\"\nkind = \"institution\"\ndispatched = true\nhr_name = \"李娜\"\n")
        .family(&format!(
            "marital_status = \"married\"\nmarried_on = \"2016-10-01\"\n[family.spouse]\nname = \"王芳\"\nid_number = \"{spouse}\"\nshanghai_hukou = true\n[[family.children]]\nname = \"张小明\"\nbirth_date = \"2017-05-01\"\n[[family.children]]\nname = \"张小红\"\nbirth_date = \"2020-01-09\"\n"
        ))
        .education("level = \"master\"\ndegree = false\nmode = \"self-study\"\ngraduated_on = \"2001-06-30\"\noverseas = false\nfresh_graduate = false\nshortage_major = false\n")
        .insurance("years = 6\nbase_ratio = 1.2\n")
        .extra("[[certificates]]\ntype = \"skill\"\nlevel = 3\nname = \"电工\"\n[[certificates]]\ntype = \"title\"\nlevel = \"intermediate\"\nname = \"工程师\"\n[tax]\ncertificates = true\n[bonus]\nawards = [\"municipal\", \"bureau\"]\n[deductions]\nserious_crime = false\n");
    let chinese = english
        .clone()
        .applicant(&format!(
            "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"集体户\"\npermit_expires = \"2027年6月30日\"\n",
            id_for("1975-05-05", "123")
        ))
        .employer("name = \"上海示例医院\"\ncredit_code = \"9131011566778899AR\"\ndistrict = \"浦东新区\"\nkind = \"事业单位\"\ndispatched = \"是\"\nhr_name = \"李娜\"\n")
        .family(&format!(
            "marital_status = \"已婚\"\nmarried_on = \"2016.10.01\"\n[family.spouse]\nname = \"王芳\"\nid_number = \"{spouse}\"\nshanghai_hukou = \"是\"\n[[family.children]]\nname = \"张小明\"\nbirth_date = \"2017/5/1\"\n[[family.children]]\nname = \"张小红\"\nbirth_date = \"2020年1月9日\"\n"
        ))
        .education("level = \"硕士\"\ndegree = \"否\"\nmode = \"自学考试\"\ngraduated_on = \"2001/6/30\"\noverseas = \"否\"\nfresh_graduate = \"否\"\nshortage_major = \"否\"\n");
    let mut chinese = chinese;
    chinese.extra = "[[certificates]]\ntype = \"技能\"\nlevel = \"三级\"\nname = \"电工\"\n[[certificates]]\ntype = \"职称\"\nlevel = \"中级\"\nname = \"工程师\"\n[tax]\ncertificates = \"是\"\n[bonus]\nawards = [\"市级\", \"局级\"]\n[deductions]\nserious_crime = \"否\"\n".into();
    let env = Env::new();
    let en = env.employee("en", &english.text());
    let zh = env.employee("zh", &chinese.text());
    for cmd in ["checklist", "score"] {
        let a = dossier(&["--format", "json", cmd, en.to_str().unwrap()]);
        let b = dossier(&["--format", "json", cmd, zh.to_str().unwrap()]);
        assert_eq!(code(&a), code(&b), "{cmd}: {}", stderr(&b));
        assert!(stderr(&b).is_empty(), "{cmd}: {}", stderr(&b));
        assert_eq!(stdout(&a), stdout(&b), "{cmd}");
        // Not vacuous: the profile reaches the items the words decide.
        let v = json(&a);
        let text = v.to_string();
        for want in [
            "collective-hukou-certificate",
            "dispatch-agreement",
            "institution-certificate",
            "child-2-birth-permit",
            "education-verification-report",
            "student-records",
            "title-certificate",
        ] {
            if cmd == "checklist" {
                assert!(text.contains(want), "{want}: {text}");
            }
        }
        if cmd == "score" {
            assert_eq!(points(&v, "awards"), 60);
            assert_eq!(points(&v, "title"), 100);
            assert!(points(&v, "spouse-hukou") > 0);
        }
    }
}

// --- the insurance record and its windows (issue #14) --------------------------------------

/// The audit's first case: 4 months of insurance and a senior title scored 220 and "eligible".
/// The title needs 6 of the last 12 months at ≥ 1×, the base bonus 36 of the last 48.
#[test]
fn four_months_and_a_senior_title_is_120_without_the_title() {
    let a = Applicant::default()
        .insurance("months = 4\nbase_ratio = 1.0\n")
        .extra("[[certificates]]\ntype = \"title\"\nlevel = \"senior\"\nname = \"高级工程师\"");
    let (_, v) = score(&a);
    assert_eq!(points(&v, "title"), 0, "{v}");
    assert_eq!(points(&v, "insurance-base"), 0);
    assert_eq!(points(&v, "education"), 90);
    assert_eq!(v["total"], 120);
}

/// The audit's second case: a fresh graduate with no insurance yet got the 50-point base bonus.
#[test]
fn a_fresh_graduate_with_no_months_gets_no_base_bonus() {
    let a = Applicant::default()
        .education("level = \"bachelor\"\ndegree = true\nmode = \"full-time\"\ngraduated_on = \"2026-06-30\"\nfresh_graduate = true\n")
        .insurance("months = 0\nbase_ratio = 1.0\n");
    let (_, v) = score(&a);
    assert_eq!(points(&v, "insurance-base"), 0, "{v}");
    assert_eq!(points(&v, "insurance-years"), 0);
    assert_eq!(points(&v, "fresh-graduate"), 10);
}

/// Periods: `n` months at ratio 1.0 then the rest of the last 48 months at 0.5.
fn record_with_months_at_one(n: i64) -> String {
    // The application month is 2026-11; the 48-month window starts 2022-12.
    let start = dossier::date::Month::parse("2022-12").unwrap();
    let split = start.plus(n);
    format!(
        "[[insurance.periods]]\nfrom = \"{start}\"\nto = \"{}\"\nbase_ratio = 1.0\n[[insurance.periods]]\nfrom = \"{split}\"\nbase_ratio = 0.5\n",
        split.plus(-1)
    )
}

#[test]
fn the_base_bonus_needs_36_of_the_last_48_months() {
    let (_, v) = score(&Applicant::default().insurance(&record_with_months_at_one(35)));
    assert_eq!(points(&v, "insurance-base"), 0, "35 of 48: {v}");
    assert_eq!(
        points(&v, "insurance-years"),
        12,
        "48 months are 4 full years"
    );
    let (_, v) = score(&Applicant::default().insurance(&record_with_months_at_one(36)));
    assert_eq!(points(&v, "insurance-base"), 50, "36 of 48: {v}");
    // Older months do not count: 36 months at 1.0 that ended 13 months ago leave 35 in the window.
    let old = "[[insurance.periods]]\nfrom = \"2022-11\"\nto = \"2025-10\"\nbase_ratio = 1.0\n[[insurance.periods]]\nfrom = \"2025-11\"\nbase_ratio = 0.5\n";
    let (_, v) = score(&Applicant::default().insurance(old));
    assert_eq!(points(&v, "insurance-base"), 0, "{v}");
}

#[test]
fn the_top_base_tier_needs_24_of_the_last_36_months_at_three_times() {
    let ins = |n: i64| {
        let start = dossier::date::Month::parse("2023-12").unwrap();
        format!("[[insurance.periods]]\nfrom = \"2022-12\"\nto = \"2023-11\"\nbase_ratio = 2.0\n[[insurance.periods]]\nfrom = \"{start}\"\nto = \"{}\"\nbase_ratio = 3.0\n[[insurance.periods]]\nfrom = \"{}\"\nbase_ratio = 2.0\n", start.plus(n - 1), start.plus(n))
    };
    let (_, v) = score(&Applicant::default().insurance(&ins(23)));
    assert_eq!(
        points(&v, "insurance-base"),
        100,
        "23 of 36 at 3×: the 2× tier"
    );
    let (_, v) = score(&Applicant::default().insurance(&ins(24)));
    assert_eq!(points(&v, "insurance-base"), 120, "24 of 36 at 3×");
}

/// A title needs 6 of the last 12 months at ≥ 1× the city's average wage. The base is given in
/// yuan: 12,250 is above the 2023–24 figure (12,183) and below the 2024–25 one (12,307), so the
/// months from July 2024 do not count; a period crossing the July boundary is split by it.
#[test]
fn a_title_needs_6_of_the_last_12_months_and_july_changes_the_figure() {
    let title = "[[certificates]]\ntype = \"title\"\nlevel = \"senior\"\nname = \"高级工程师\"";
    let run = |from: &str| {
        let a = Applicant::default()
            .insurance(&format!(
                "[[insurance.periods]]\nfrom = \"{from}\"\nto = \"2024-12\"\nbase = 12250\n"
            ))
            .extra(title);
        let env = Env::new();
        let d = env.employee("e", &a.text());
        let o = dossier(&[
            "--date",
            "2024-12-20",
            "--format",
            "json",
            "score",
            d.to_str().unwrap(),
        ]);
        (json(&o), stderr(&o))
    };
    let (v, err) = run("2024-01");
    assert_eq!(
        points(&v, "title"),
        140,
        "January to June 2024: 6 months at ≥ 1×: {v}"
    );
    assert!(err.is_empty(), "inside the table, no warning: {err}");
    let (v, _) = run("2024-02");
    assert_eq!(points(&v, "title"), 0, "5 months: {v}");
}

#[test]
fn a_base_past_the_wage_table_uses_the_last_year_with_a_warning() {
    let a =
        Applicant::default().insurance("[[insurance.periods]]\nfrom = \"2022-11\"\nbase = 40000\n");
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["--format", "json", "score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(points(&v, "insurance-base"), 120, "{v}");
    assert_eq!(points(&v, "insurance-years"), 3 * 4);
    let err = stderr(&o);
    assert!(
        err.contains("2026-07") && err.contains("average_wage"),
        "{err}"
    );
    // The 2025–26 figure is not confirmed: said too.
    assert!(err.contains("未经核实"), "{err}");
    let o = dossier(&["--lang", "en", "score", d.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(err.contains("not confirmed"), "{err}");
    assert!(chinese_sentence(&err).is_none(), "{err}");
}

#[test]
fn a_base_in_yuan_before_the_wage_table_needs_a_ratio() {
    let a = Applicant::default()
        .insurance("[[insurance.periods]]\nfrom = \"2018-01\"\nto = \"2018-12\"\nbase = 9000\n[[insurance.periods]]\nfrom = \"2019-01\"\nbase_ratio = 1.0\n");
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["score", d.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("insurance.periods[1]") && err.contains("base_ratio"),
        "{err}"
    );
}

#[test]
fn years_and_months_are_the_same_record() {
    let (_, a) = score(&Applicant::default().insurance("years = 5\nbase_ratio = 1.1\n"));
    let (_, b) = score(&Applicant::default().insurance("months = 60\nbase_ratio = 1.1\n"));
    let (_, c) = score(
        &Applicant::default()
            .insurance("[[insurance.periods]]\nfrom = \"2021-12\"\nbase_ratio = 1.1\n"),
    );
    assert_eq!(a, b);
    assert_eq!(a["total"], c["total"]);
    assert_eq!(points(&a, "insurance-years"), 15);
}

// --- gates: one verdict for score, check, pack and the counter checklist ------------------------

fn gate<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no gate {id}: {v}"))
}

fn check_json(a: &Applicant) -> (i32, serde_json::Value) {
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["--format", "json", "check", d.to_str().unwrap()]);
    (code(&o), json(&o))
}

fn codes(check: &serde_json::Value, severity: &str) -> Vec<String> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The audit's third case: `check` said "not ready" for an expired permit while `score` said
/// "eligible". Both say not eligible now, from the same gate.
#[test]
fn an_expired_permit_makes_score_and_check_both_not_eligible() {
    let a = Applicant::default().applicant(&format!(
        "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"family\"\npermit_expires = \"2026-11-25\"\n",
        id_for("1993-03-07", "123")
    ));
    let (code_s, v) = score(&a);
    assert_eq!(v["total"], 135, "the points are not the question");
    assert_eq!(v["eligible"], false, "{v}");
    assert_eq!(code_s, 1);
    assert_eq!(gate(&v, "permit-valid")["ok"], false);
    let (code_c, c) = check_json(&a);
    assert_eq!(c["ready"], false);
    assert_eq!(code_c, 1);
    assert!(
        codes(&c, "error").contains(&"permit-expired".to_string()),
        "{c}"
    );
    // The text verdict says why.
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let out = stdout(&dossier(&["score", d.to_str().unwrap()]));
    assert!(
        out.contains("上海市居住证已过期") && out.contains("不符合申请条件"),
        "{out}"
    );
}

#[test]
fn four_months_and_a_senior_title_is_not_eligible_in_score_and_check() {
    let a = Applicant::default()
        .insurance("months = 4\nbase_ratio = 1.0\n")
        .extra("[[certificates]]\ntype = \"title\"\nlevel = \"senior\"\nname = \"高级工程师\"");
    let (code_s, v) = score(&a);
    assert_eq!(v["total"], 120);
    assert_eq!(v["eligible"], false, "Art. 2 needs 6 months: {v}");
    assert_eq!(code_s, 1);
    assert_eq!(gate(&v, "insurance")["ok"], false);
    let (_, c) = check_json(&a);
    assert_eq!(c["ready"], false);
    assert!(
        codes(&c, "error").contains(&"not-eligible".to_string()),
        "{c}"
    );
    // Six months are enough for the gate.
    let (_, v) = score(&a.clone().insurance("months = 6\nbase_ratio = 1.0\n"));
    assert_eq!(gate(&v, "insurance")["ok"], true);
    assert_eq!(v["eligible"], true, "{v}");
}

#[test]
fn not_paying_in_the_application_month_fails_the_insurance_gate() {
    let (_, v) = score(
        &Applicant::default().insurance("years = 5\nbase_ratio = 0.7\ncontributing = \"否\"\n"),
    );
    assert_eq!(gate(&v, "insurance")["ok"], false, "{v}");
    assert_eq!(v["eligible"], false);
    // A record that ended months ago is not paying now either.
    let (_, v) = score(&Applicant::default().insurance(
        "[[insurance.periods]]\nfrom = \"2020-01\"\nto = \"2026-06\"\nbase_ratio = 0.7\n",
    ));
    assert_eq!(gate(&v, "insurance")["ok"], false, "{v}");
}

#[test]
fn a_permit_expiring_within_20_working_days_is_a_warning_only() {
    // 2026-11-26 is a Thursday: 2026-12-23 is 19 working days on, 2026-12-24 is 20.
    let with_permit = |d: &str| {
        Applicant::default().applicant(&format!(
            "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"family\"\npermit_expires = \"{d}\"\n",
            id_for("1993-03-07", "123")
        ))
    };
    let (code_s, v) = score(&with_permit("2026-12-23"));
    assert_eq!(gate(&v, "permit-time")["ok"], false, "{v}");
    assert_eq!(gate(&v, "permit-time")["severity"], "warning");
    assert_eq!(v["eligible"], true);
    assert_eq!(code_s, 0);
    let (_, c) = check_json(&with_permit("2026-12-23"));
    assert!(
        codes(&c, "warning").contains(&"permit-expiring".to_string()),
        "{c}"
    );
    assert!(!codes(&c, "error").contains(&"permit-expiring".to_string()));
    let (_, v) = score(&with_permit("2026-12-24"));
    assert_eq!(gate(&v, "permit-time")["ok"], true, "{v}");
    // Unknown expiry: a warning too, never a failed gate.
    let (_, v) = score(&Applicant::default());
    assert_eq!(gate(&v, "permit-known")["ok"], false);
    assert_eq!(gate(&v, "permit-valid")["ok"], true);
    assert_eq!(v["eligible"], true);
}

#[test]
fn the_age_gate_is_a_warning() {
    let (_, v) = score(
        &Applicant::default()
            .born(&born_aged(61))
            .extra("[bonus]\ninvestment_points = 120\n"),
    );
    assert_eq!(gate(&v, "age")["ok"], false);
    assert_eq!(gate(&v, "age")["severity"], "warning");
    assert_eq!(v["eligible"], true, "{v}");
}

#[test]
fn score_json_lists_every_gate_with_id_label_ok_and_reason() {
    let (_, v) = score(&Applicant::default());
    let ids: Vec<&str> = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert!(g["label"].is_string() && g["ok"].is_boolean() && g["reason"].is_string());
            g["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        ids,
        [
            "permit-valid",
            "permit-known",
            "permit-time",
            "insurance",
            "age",
            "no-veto"
        ]
    );
}

/// `pack` and the counter checklist take the same verdict: an expired permit is not packed
/// and not put on the counter's list.
#[test]
fn pack_and_the_counter_checklist_leave_out_an_applicant_who_is_not_eligible() {
    let env = Env::new();
    let dir = env.path().join("batch").join("zhang-wei");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei");
    copy_dir(&src, &dir);
    let toml = std::fs::read_to_string(dir.join("applicant.toml")).unwrap();
    std::fs::write(
        dir.join("applicant.toml"),
        toml.replacen(
            "hukou = \"family\"",
            "hukou = \"family\"\npermit_expires = \"2026-11-01\"",
            1,
        ),
    )
    .unwrap();
    let out = env.path().join("out");
    let o = dossier(&["pack", dir.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
    let pdf = env.path().join("day.pdf");
    let o = dossier(&[
        "checklist",
        dir.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
    ]);
    // Not ready is a finding (exit 1), as for `copies`; nothing written, and the reason said.
    assert_eq!(code(&o), 1, "nothing can be filed: {}", stderr(&o));
    assert!(stderr(&o).contains("没有可以办理的员工"), "{}", stderr(&o));
    assert!(!pdf.exists());
}

// --- the road to the standard (to_standard) ---------------------------------------------------

/// 30 (age) + 60 (bachelor without the degree) + 18 (72 months) = 108. Time alone reaches 120
/// when the record reaches 10 full years, on 2030-11-01; scoring on that date with the record
/// extended says the same, and the day before does not.
#[test]
fn to_standard_gives_the_date_time_alone_reaches_it_and_score_on_that_date_agrees() {
    let edu = "level = \"bachelor\"\ndegree = false\nmode = \"full-time\"\ngraduated_on = \"2015-06-30\"\n";
    let a = Applicant::default()
        .education(edu)
        .insurance("months = 72\nbase_ratio = 0.7\n");
    let (code_now, v) = score(&a);
    assert_eq!(v["total"], 108, "{v}");
    assert_eq!(code_now, 1);
    let ways = v["to_standard"]
        .as_array()
        .expect("to_standard below the standard");
    let time = ways
        .iter()
        .find(|w| !w["on"].is_null())
        .expect("a way by time");
    assert_eq!(time["on"], "2030-11-01", "{v}");
    assert_eq!(time["points"], 12);
    assert!(
        time["what"].as_str().unwrap().contains("社保年限 +12"),
        "{time}"
    );
    assert!(
        !time["what"].as_str().unwrap().contains("年龄"),
        "age 37 still scores 30: {time}"
    );
    // The missing degree is an act: +30, no date.
    let degree = ways
        .iter()
        .find(|w| w["what"].as_str().unwrap().contains("学位"))
        .expect("the degree");
    assert_eq!(degree["points"], 30);
    assert!(degree["on"].is_null());
    // Nearest first: the way by time, then the acts by points.
    assert!(!ways[0]["on"].is_null());
    let env = Env::new();
    let later = a.clone().insurance("months = 120\nbase_ratio = 0.7\n");
    let d = env.employee("later", &later.text());
    let o = dossier(&[
        "--date",
        "2030-11-01",
        "--format",
        "json",
        "score",
        d.to_str().unwrap(),
    ]);
    let v = json(&o);
    assert_eq!(v["total"], 120, "{v}");
    assert_eq!(v["eligible"], true);
    assert_eq!(code(&o), 0);
    assert!(
        v.get("to_standard").is_none(),
        "at the standard, no road: {v}"
    );
    let before = a.insurance("months = 119\nbase_ratio = 0.7\n");
    let d = env.employee("before", &before.text());
    let o = dossier(&[
        "--date",
        "2030-10-31",
        "--format",
        "json",
        "score",
        d.to_str().unwrap(),
    ]);
    assert_eq!(json(&o)["total"], 117);
}

/// A base tier whose window is one month short fills by time: 35 months at 0.8× and 25 points
/// from next month on.
#[test]
fn to_standard_sees_a_base_window_filling() {
    let a = Applicant::default()
        .education("level = \"associate\"\nmode = \"full-time\"\ngraduated_on = \"2012-06-30\"\n")
        .insurance("months = 35\nbase_ratio = 0.8\n")
        .extra("[[certificates]]\ntype = \"skill\"\nlevel = 3\nname = \"电工\"");
    // 30 + 60 (skill level 3 over the associate's 50) + 6 (2 years) = 96; next month the 36th
    // month completes a third year (+3) and the base tier's window (+25): 124.
    let (_, v) = score(&a);
    assert_eq!(v["total"], 96, "{v}");
    let time = &v["to_standard"][0];
    assert_eq!(time["on"], "2026-12-01", "{v}");
    assert_eq!(time["points"], 28);
    assert!(
        time["what"].as_str().unwrap().contains("社保缴费基数 +25"),
        "{time}"
    );
    // The text output lists the road too.
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let out = stdout(&dossier(&["score", d.to_str().unwrap()]));
    assert!(
        out.contains("达标途径") && out.contains("2026-12-01 起"),
        "{out}"
    );
    assert!(out.contains("取高者计分，按技能等级计"), "{out}");
    assert!(out.contains("继续在本市缴纳社保（"), "{out}");
    assert_eq!(english_parenthetical(&out), None, "{out}");
    // In English: our words in English; the rulebook's labels stay as the rulebook says them.
    let out = stdout(&dossier(&["--lang", "en", "score", d.to_str().unwrap()]));
    for want in [
        "Ways to the standard",
        "keep paying Shanghai social insurance (",
        "社保缴费基数 +25",
        "from 2026-12-01",
        "only the highest of",
        "a bachelor's education and degree: +30 points",
    ] {
        assert!(out.contains(want), "{want:?} not in:\n{out}");
    }
    for chinese in ["取高者", "继续在本市", "达标途径", "取得本科"] {
        assert!(!out.contains(chinese), "{chinese:?} in:\n{out}");
    }
    // JSON does not depend on the language.
    let en = json(&dossier(&[
        "--lang",
        "en",
        "--format",
        "json",
        "score",
        d.to_str().unwrap(),
    ]));
    assert_eq!(en, v);
}

/// 创业人才 / 创新创业中介服务人才: 120 points, the standard on its own.
#[test]
fn an_entrepreneur_reaches_the_standard_directly() {
    let a = Applicant::default()
        .education("level = \"none\"\n")
        .extra("[bonus]\nentrepreneur = \"是\"\n");
    let (code, v) = score(&a);
    assert_eq!(points(&v, "entrepreneur"), 120, "{v}");
    assert!(v["total"].as_i64().unwrap() >= 120);
    assert_eq!(code, 0);
    let (_, v) = score(&Applicant::default());
    assert_eq!(points(&v, "entrepreneur"), 0);
}

/// A base in yuan gives a ratio such as 1.0053080263792826; the detail text shows it as a
/// clerk writes it (`fixed(x, 2)` in the rulebook), not as `string()` of a double.
#[test]
fn the_base_ratio_in_a_detail_text_has_two_decimals() {
    let a = Applicant::default().insurance(
        "months = 50\n[[insurance.periods]]\nfrom = \"2022-10\"\nto = \"2026-11\"\nbase = 12500\n",
    );
    let (_, v) = score(&a);
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "insurance-base")
        .expect("the base item")
        .clone();
    let detail = item["detail"].as_str().unwrap();
    assert!(detail.ends_with("现为 1.01 倍"), "{detail}");
}

/// A total can reach the standard for a few months only: a year of insurance added in
/// January 2034 makes 120, and the birthday in March costs two age points. The road used to
/// try every sixth month and missed it (no way by time at all); every date on which the total
/// can change is tried now.
#[test]
fn to_standard_finds_a_window_of_a_few_months() {
    let a = Applicant::default()
        .born("1981-03-01")
        .education("level = \"大专\"\nmode = \"全日制\"\ngraduated_on = \"2002-07-01\"\n")
        .insurance("months = 130\nbase_ratio = 0.7\n");
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["--date", "2025-11-15", "--format", "json", "score", s_(&d)]);
    let v = json(&o);
    let total = v["total"].as_i64().unwrap();
    assert!(total < 120, "{v}");
    let time = v["to_standard"]
        .as_array()
        .expect("below the standard")
        .iter()
        .find(|w| !w["on"].is_null())
        .unwrap_or_else(|| panic!("no way by time: {v}"))
        .clone();
    let on = time["on"].as_str().unwrap().to_string();
    // On that date, with the record extended, the score agrees.
    let (y, m) = (
        on[..4].parse::<i64>().unwrap(),
        on[5..7].parse::<i64>().unwrap(),
    );
    let months = 130 + (y - 2025) * 12 + (m - 11);
    let later = a.insurance(&format!("months = {months}\nbase_ratio = 0.7\n"));
    let d = env.employee("later", &later.text());
    let v = json(&dossier(&[
        "--date",
        &on,
        "--format",
        "json",
        "score",
        s_(&d),
    ]));
    assert!(v["total"].as_i64().unwrap() >= 120, "{on}: {v}");
    assert!(on.as_str() <= "2034-01-01", "{on}");
}

fn s_(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// A base in yuan before the rulebook's wage table cannot be made a ratio: an input error (exit
/// 2) that names the employee's applicant.toml by its path (it named a bare `applicant.toml`,
/// which in a batch does not say whose).
#[test]
fn a_base_in_yuan_before_the_wage_table_names_the_employee() {
    let env = Env::new();
    let a = Applicant::default()
        .insurance("[[insurance.periods]]\nfrom = \"2010-01\"\nto = \"2026-10\"\nbase = 12500\n");
    let d = env.employee("张伟-1230", &a.text());
    let o = dossier(&["score", s_(&d)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("张伟-1230/applicant.toml"), "{err}");
    assert!(
        err.contains("insurance.periods[1]") && err.contains("base_ratio"),
        "{err}"
    );
}
