//! The shipped examples work as the README says (they are what a new user runs first).
use crate::common::*;
use std::path::PathBuf;

fn example(p: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(p)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn the_complete_example_is_ready() {
    let o = dossier(&["check", &example("zhang-wei")]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("就绪："));
}

#[test]
fn the_batch_example_reports_each_employee_and_a_summary() {
    let o = dossier(&["check", &example("batch")]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("汇总\n"), "{out}");
    assert!(
        out.contains("chen-jing") && out.contains("缺少「户口簿」"),
        "{out}"
    );
    assert!(
        out.contains("wang-lei") && out.contains("below the standard"),
        "{out}"
    );
    let v = json(&dossier(&["--format", "json", "check", &example("batch")]));
    let ready: Vec<bool> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ready"].as_bool().unwrap())
        .collect();
    assert_eq!(ready, [false, true, false]);
    // The examples leave permit_expires out: a warning (eligibility-warning), not an error.
    let codes: Vec<&str> = v[2]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["below-standard"]);
}

#[test]
fn check_json_has_the_contract_shape() {
    let v = json(&dossier(&[
        "--format",
        "json",
        "check",
        &example("zhang-wei"),
    ]));
    assert_eq!(v["ready"], true);
    let id = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == "id-card")
        .unwrap();
    assert_eq!(id["status"], "ok");
    assert_eq!(id["files"].as_array().unwrap().len(), 2);
    // The example leaves permit_expires out (it would expire for whoever runs it later): the
    // one finding is the warning that the permit's validity cannot be checked.
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["code"], "eligibility-warning");
    assert_eq!(findings[0]["severity"], "warning");
}

#[test]
fn an_expired_permit_is_a_finding() {
    // A copy of the example whose residence permit expired the day before the application date.
    let env = Env::new();
    let dir = env.path().join("zhang-wei");
    copy_dir(std::path::Path::new(&example("zhang-wei")), &dir);
    let toml = std::fs::read_to_string(dir.join("applicant.toml")).unwrap();
    let toml = toml.replacen(
        "hukou = \"family\"",
        "hukou = \"family\"\npermit_expires = \"2026-11-25\"",
        1,
    );
    std::fs::write(dir.join("applicant.toml"), toml).unwrap();
    let o = dossier(&["--format", "json", "check", dir.to_str().unwrap()]);
    let v = json(&o);
    assert_eq!(v["ready"], false);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "permit-expired"),
        "{v}"
    );
    assert_eq!(code(&o), 1);
    // In text it heads the report, not under "other files" (其他文件), which are stray scans.
    let text = stdout(&dossier(&["check", dir.to_str().unwrap()]));
    let at = text.find("permit-expired").expect("the finding");
    assert!(!text.contains("其他文件"), "{text}");
    assert!(at < text.find("身份证 (id-card)").unwrap(), "{text}");
}
