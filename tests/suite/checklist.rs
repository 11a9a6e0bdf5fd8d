//! The checklist holds the right items, and no others, for each circumstance (issue: core).
use crate::common::*;

const BASE: &[&str] = &[
    "hr-introduction-letter",
    "hr-id-card",
    "id-card",
    "application-form",
    "residence-permit",
    "hukou-booklet",
    "labour-contract",
    "business-licence",
    "social-insurance-record",
    "diploma",
    "degree-certificate",
    "chsi-record",
    "degree-verification-report",
];

fn expect(a: &Applicant, add: &[&str], remove: &[&str]) {
    let mut want: Vec<String> = BASE
        .iter()
        .filter(|s| !remove.contains(s))
        .map(|s| s.to_string())
        .collect();
    want.extend(add.iter().map(|s| s.to_string()));
    want.sort();
    let mut got = slugs(a);
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn single() {
    expect(&Applicant::default(), &[], &[]);
}

#[test]
fn married_with_one_child() {
    let a = Applicant::default().married_with_children(&["2017-05-01"]);
    expect(
        &a,
        &[
            "marriage-certificate",
            "spouse-id-card",
            "spouse-hukou-booklet",
            "child-1-birth-certificate",
        ],
        &[],
    );
}

#[test]
fn married_with_two_children_has_two_birth_certificates_and_one_birth_permit() {
    let a = Applicant::default().married_with_children(&["2017-05-01", "2019-08-01"]);
    expect(
        &a,
        &[
            "marriage-certificate",
            "spouse-id-card",
            "spouse-hukou-booklet",
            "child-1-birth-certificate",
            "child-2-birth-certificate",
            "child-2-birth-permit",
        ],
        &[],
    );
}

#[test]
fn per_child_items_have_numbered_labels() {
    let env = Env::new();
    let a = Applicant::default().married_with_children(&["2017-05-01", "2019-08-01"]);
    let d = env.employee("e", &a.text());
    let v = json(&dossier(&[
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap(),
    ]));
    let labels: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"子女出生医学证明（1）"));
    assert!(labels.contains(&"子女出生医学证明（2）"));
    assert!(labels.contains(&"生育证明（2）"));
}

#[test]
fn tax_certificates() {
    let a = Applicant::default().extra("[tax]\ncertificates = true");
    expect(&a, &["tax-certificate"], &[]);
}

#[test]
fn skill_certificate() {
    let a = Applicant::default()
        .extra("[[certificates]]\ntype = \"skill\"\nlevel = 3\nname = \"电工\"");
    expect(&a, &["skill-certificate"], &[]);
}

#[test]
fn intermediate_title_brings_title_certificate_appointment_letter_and_tax() {
    let a = Applicant::default()
        .extra("[[certificates]]\ntype = \"title\"\nlevel = \"intermediate\"\nname = \"工程师\"");
    expect(
        &a,
        &["title-certificate", "appointment-letter", "tax-certificate"],
        &[],
    );
}

#[test]
fn dispatched() {
    let a = Applicant::default().employer(
        "name = \"上海示例人力资源有限公司\"\ncredit_code = \"9131011566778899AR\"\ndistrict = \"徐汇区\"\ndispatched = true\nhr_name = \"李娜\"\n",
    );
    expect(&a, &["dispatch-agreement", "dispatch-post-agreement"], &[]);
}

#[test]
fn collective_hukou() {
    let a = Applicant::default().applicant(&format!(
        "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"collective\"\n",
        id_for("1993-03-07", "123")
    ));
    expect(&a, &["collective-hukou-certificate"], &["hukou-booklet"]);
}

#[test]
fn diploma_before_2002_needs_a_verification_report() {
    let a = Applicant::default()
        .born("1978-04-01")
        .education("level = \"bachelor\"\ndegree = true\nmode = \"full-time\"\ngraduated_on = \"2000-07-01\"\n");
    expect(&a, &["education-verification-report"], &["chsi-record"]);
}

#[test]
fn overseas_masters_degree() {
    let a = Applicant::default()
        .education("level = \"master\"\ndegree = true\nmode = \"full-time\"\ngraduated_on = \"2018-09-30\"\noverseas = true\n");
    expect(
        &a,
        &["overseas-degree-certification"],
        &["chsi-record", "degree-verification-report"],
    );
}

#[test]
fn non_full_time_study_needs_student_records() {
    let a = Applicant::default()
        .education("level = \"bachelor\"\ndegree = false\nmode = \"self-study\"\ngraduated_on = \"2018-12-30\"\n");
    expect(
        &a,
        &["student-records"],
        &["degree-certificate", "degree-verification-report"],
    );
}

/// 学位在线验证报告 (学位网) is asked for whenever a degree is claimed: the reference's list and
/// both 2021 first-hand accounts name it. Without a degree it is not asked.
#[test]
fn a_degree_brings_its_online_verification_report() {
    let no_degree = Applicant::default().education(
        "level = \"bachelor\"\ndegree = false\nmode = \"full-time\"\ngraduated_on = \"2015-06-30\"\n",
    );
    expect(
        &no_degree,
        &[],
        &["degree-certificate", "degree-verification-report"],
    );
}

/// The online 学籍 report (学籍在线验证报告) counts as the 学籍材料 of non-full-time study: a scan
/// named so is matched to it.
#[test]
fn the_online_student_status_report_is_the_student_records_item() {
    let env = Env::new();
    let a = Applicant::default().education(
        "level = \"bachelor\"\ndegree = false\nmode = \"online\"\ngraduated_on = \"2018-12-30\"\n",
    );
    let d = env.employee("e", &a.text());
    std::fs::write(d.join("scans/学籍在线验证报告.pdf"), b"%PDF-1.4\n").unwrap();
    let v = json(&dossier(&[
        "--format",
        "json",
        "check",
        d.to_str().unwrap(),
    ]));
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == "student-records")
        .unwrap();
    assert_eq!(item["files"][0], "scans/学籍在线验证报告.pdf", "{v}");
}

/// After a remarriage, a child of the earlier marriage used to be "child 1" of the couple, and
/// the couple's own first child was asked for a 生育证明 (birth permit) as if a second child.
#[test]
fn a_child_of_an_earlier_marriage_does_not_make_the_couples_first_child_a_second() {
    let a = Applicant::default().married_with_children(&["2012-05-01", "2019-08-01"]);
    let mut remarried = a.clone();
    remarried.family = remarried.family.replacen(
        "birth_date = \"2012-05-01\"\n",
        "birth_date = \"2012-05-01\"\nearlier_marriage = \"是\"\n",
        1,
    );
    let both = [
        "marriage-certificate",
        "spouse-id-card",
        "spouse-hukou-booklet",
        "child-1-birth-certificate",
        "child-2-birth-certificate",
    ];
    let mut with_permit = both.to_vec();
    with_permit.push("child-2-birth-permit");
    expect(&a, &with_permit, &[]);
    expect(&remarried, &both, &[]);
    // The couple's second child still brings one.
    let mut three = remarried.clone();
    three
        .family
        .push_str("[[family.children]]\nname = \"孩子3\"\nbirth_date = \"2021-03-01\"\n");
    let mut want = both.to_vec();
    want.extend(["child-3-birth-certificate", "child-3-birth-permit"]);
    expect(&three, &want, &[]);
}

#[test]
fn institution_gives_its_legal_person_certificate() {
    let code = format!(
        "12310000425010010{}",
        dossier::idnum::uscc_check_char("12310000425010010").unwrap()
    );
    let a = Applicant::default().employer(&format!(
        "name = \"上海示例研究所\"\ncredit_code = \"{code}\"\ndistrict = \"黄浦区\"\nkind = \"institution\"\nhr_name = \"李娜\"\n"
    ));
    expect(&a, &["institution-certificate"], &["business-licence"]);
}

#[test]
fn json_matches_the_contract() {
    let env = Env::new();
    let d = env.employee("e", &Applicant::default().text());
    let v = json(&dossier(&[
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap(),
    ]));
    assert_eq!(v["applicant"]["name"], "张伟");
    let id = id_for("1993-03-07", "123");
    assert_eq!(
        v["applicant"]["id_masked"],
        format!("3101**********{}", &id[14..])
    );
    assert_eq!(v["center"], "浦东新区人才服务中心");
    assert_eq!(v["rulebook"]["id"], "shanghai-residence-points");
    let visits: Vec<&str> = v["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(visits, ["file-review", "submission", "notice-print"]);
    let id = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == "id-card")
        .unwrap();
    assert_eq!(
        id["visits"],
        serde_json::json!(["file-review", "submission", "notice-print"])
    );
    assert_eq!(id["min_parts"], 2);
    assert_eq!(id["original"], true);
    assert_eq!(id["copies"], 1);
    assert_eq!(id["required"], true);
    assert!(id["reason"].as_str().unwrap().contains("身份证"));
    let hukou = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == "hukou-booklet")
        .unwrap();
    assert_eq!(hukou["min_parts"], 2);
    // The full ID number never appears.
    assert!(!stdout(&dossier(&[
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap()
    ]))
    .contains("19930307"));
}

#[test]
fn text_is_grouped_by_visit_in_order() {
    let env = Env::new();
    let d = env.employee("e", &Applicant::default().text());
    let out = stdout(&dossier(&["checklist", d.to_str().unwrap()]));
    let a = out.find("学历认证及档案审核").unwrap();
    let b = out.find("积分申请材料提交").unwrap();
    let c = out.find("打印积分通知书").unwrap();
    assert!(a < b && b < c, "{out}");
    assert!(out.contains("单位介绍信"));
    assert!(!out.contains("19930307"));
}

/// The reference process (seed page): to print the notice 只需带上身份证原件 — the original ID
/// card, no copy. The third visit used to ask for 原件 + 复印件 1 份, like the first two.
#[test]
fn the_notice_print_visit_asks_for_the_original_id_card_only() {
    let env = Env::new();
    let d = env.employee("e", &Applicant::default().text());
    let out = stdout(&dossier(&["checklist", d.to_str().unwrap()]));
    let visit = |label: &str| {
        let from = out.find(label).unwrap();
        let rest = &out[from..];
        let to = rest[label.len()..]
            .find("\n第 ")
            .map_or(rest.len(), |i| i + label.len());
        rest[..to].to_string()
    };
    let id_line = |section: &str| {
        section
            .lines()
            .find(|l| l.contains("[ ] 身份证 "))
            .unwrap_or_else(|| panic!("no 身份证 line in:\n{section}"))
            .to_string()
    };
    let print = visit("打印积分通知书");
    assert!(id_line(&print).contains("原件"), "{print}");
    assert!(!id_line(&print).contains("复印件"), "{print}");
    for copies_given in ["学历认证及档案审核", "积分申请材料提交"] {
        let section = visit(copies_given);
        assert!(id_line(&section).contains("复印件 1 份"), "{section}");
    }
    let v = json(&dossier(&[
        "--format",
        "json",
        "checklist",
        d.to_str().unwrap(),
    ]));
    let flags: Vec<bool> = v["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["originals_only"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(flags, [false, false, true]);
}

/// The seed page's first visit asks for 毕业证书原件 and 学位证原件 and the clerk's own ID card,
/// without copies; copies come at the submission visit.
#[test]
fn the_first_visit_takes_diploma_degree_and_clerk_id_without_copies() {
    let env = Env::new();
    let d = env.employee("e", &Applicant::default().text());
    let text = stdout(&dossier(&["checklist", d.to_str().unwrap()]));
    let visit = |n: usize| -> String {
        let start = text.find(&format!("第 {n} 次")).expect("visit heading");
        let rest = &text[start..];
        let next = format!("第 {} 次", n + 1);
        rest[..rest.find(&next).unwrap_or(rest.len())].to_string()
    };
    let line = |v: &str, label: &str| -> String {
        v.lines()
            .find(|l| l.contains(&format!("[ ] {label} ")))
            .unwrap_or_else(|| panic!("no {label} in {v}"))
            .to_string()
    };
    let (first, second) = (visit(1), visit(2));
    for label in ["学历证书", "学位证书"] {
        assert!(!line(&first, label).contains("复印件"), "{first}");
        assert!(line(&second, label).contains("复印件 1 份"), "{second}");
    }
    assert!(first.contains("经办人身份证（原件）"), "{first}");
    assert!(
        second.contains("经办人身份证（原件 + 复印件 1 份）"),
        "{second}"
    );
}

/// The counter checklist's "each visit" table of the clerk's own items says at which visit a
/// copy is due when the visits differ.
#[test]
fn the_clerks_table_says_which_visit_takes_the_id_copy() {
    use dossier::{checklist, date::Date, pack, profile::Profile, rules};
    let book = rules::Rulebook::builtin().unwrap();
    let date = Date::parse(DATE).unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei/applicant.toml");
    let profile = Profile::load(&path, &book.district_names(), date).unwrap();
    let env = rules::Env::new(&book, &profile, date).unwrap();
    let c = checklist::resolve(&book, &profile, &env).unwrap();
    let hr = pack::hr_items(&c);
    let id = hr.iter().find(|i| i["label"] == "经办人身份证").unwrap();
    assert_eq!(id["copies_note"], "第 2 次 1 份", "{id}");
    let letter = hr.iter().find(|i| i["label"] == "单位介绍信").unwrap();
    assert!(letter.get("copies_note").is_none(), "{letter}");
}
