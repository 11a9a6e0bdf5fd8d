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
        out.contains("wang-lei") && out.contains("未达到标准分"),
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

/// A copy of the batch example with more to find: an empty scan, a text file named .pdf, a stray
/// file, one scan used for two items.
fn troubled_batch(env: &Env) -> String {
    let batch = env.path().join("batch");
    copy_dir(std::path::Path::new(&example("batch")), &batch);
    let scans = batch.join("chen-jing/scans");
    std::fs::write(scans.join("劳动合同-p2.pdf"), b"").unwrap();
    std::fs::write(scans.join("学位证书-副本.pdf"), "这是一段文字".as_bytes()).unwrap();
    std::fs::write(scans.join("readme.txt"), b"notes").unwrap();
    let li = batch.join("li-ming/scans");
    std::fs::copy(li.join("身份证-正面.png"), li.join("营业执照-副本.png")).unwrap();
    batch.to_string_lossy().into_owned()
}

/// The string values of a JSON document and every run of CJK ideographs in them, except its
/// messages and hints: the words that come from the inputs and the rulebook (names, labels,
/// parts, file names), which no language setting translates.
fn input_words(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            out.push(s.clone());
            let mut run = String::new();
            for c in s.chars().chain([' ']) {
                if is_ideograph(c) {
                    run.push(c);
                } else if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| input_words(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k != "message" && k != "hint" {
                    input_words(x, out);
                }
            }
        }
        _ => {}
    }
}

fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Chinese punctuation that only a Chinese sentence brings (not the 「」 that quote a label).
fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '：' | '；' | '、' | '（' | '）' | '？' | '！'
    )
}

#[test]
fn lang_en_check_speaks_english_except_for_what_the_inputs_say() {
    let env = Env::new();
    let batch = troubled_batch(&env);
    let o = dossier(&["--lang", "en", "check", &batch]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    // The findings in English, one line each, with their codes.
    for want in [
        "error[missing-item] no scan of 「户口簿」, a required item",
        "error[empty-file] scans/劳动合同-p2.pdf: empty file: 0 bytes",
        "error[unsupported-type] scans/学位证书-副本.pdf: the content is text, not PDF, JPEG or PNG",
        "warning[unmatched-file] scans/readme.txt: the file matches no item of the checklist",
        "error[duplicate-content] scans/营业执照-副本.png: the same content as scans/身份证-正面.png (身份证)",
        "error[below-standard] simulated score",
        "  → scan it again, or copy the file again from where it came from",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // Strip every word that comes from the inputs and the rulebook: nothing Chinese is left.
    let mut words = Vec::new();
    input_words(
        &json(&dossier(&["--format", "json", "check", &batch])),
        &mut words,
    );
    for who in ["chen-jing", "li-ming", "wang-lei"] {
        let dir = format!("{batch}/{who}");
        input_words(
            &json(&dossier(&["--format", "json", "checklist", &dir])),
            &mut words,
        );
        // The rulebook's gates: their labels and reasons are its own words.
        input_words(
            &json(&dossier(&["--format", "json", "score", &dir])),
            &mut words,
        );
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let mut rest = text.clone();
    for w in &words {
        rest = rest.replace(w.as_str(), "");
    }
    let chinese: Vec<&str> = rest
        .lines()
        .filter(|l| l.chars().any(|c| is_ideograph(c) || is_cjk_punctuation(c)))
        .collect();
    assert!(
        chinese.is_empty(),
        "Chinese in --lang en: {chinese:#?}\n{text}"
    );
}

#[test]
fn zh_check_prints_no_english_after_the_chinese() {
    let env = Env::new();
    let batch = troubled_batch(&env);
    for args in [
        vec!["check", batch.as_str()],
        vec!["--lang", "zh", "check", &batch],
    ] {
        let text = stdout(&dossier(&args));
        assert!(text.contains("缺少「户口簿」的扫描件"), "{text}");
        assert!(text.contains("文件是空的，0 字节"), "{text}");
        // No "(english words)" anywhere: the slug after a label, `(id-card)`, is one word.
        let english: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.split('(').skip(1).any(|after| {
                    let inside = after.split(')').next().unwrap_or("");
                    inside
                        .split(' ')
                        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
                        .count()
                        > 1
                })
            })
            .collect();
        assert!(
            english.is_empty(),
            "English in zh output: {english:#?}\n{text}"
        );
        for gone in [
            "(no scan",
            "(empty file)",
            "(matches no item)",
            "(below the standard",
        ] {
            assert!(!text.contains(gone), "{gone} in:\n{text}");
        }
    }
}

#[test]
fn json_of_a_troubled_batch_does_not_depend_on_the_language() {
    let env = Env::new();
    let batch = troubled_batch(&env);
    for cmd in ["check", "score", "checklist"] {
        let run = |lang: &str| {
            let o = dossier(&["--lang", lang, "--format", "json", cmd, &batch]);
            (code(&o), o.stdout)
        };
        let (zh, en) = (run("zh"), run("en"));
        assert_eq!(zh.0, en.0, "{cmd}");
        assert!(
            zh.1 == en.1,
            "{cmd}: the JSON differs between --lang zh and --lang en"
        );
        // Messages are in the default language, Chinese, with no English beside them.
        if cmd == "check" {
            let v: serde_json::Value = serde_json::from_slice(&zh.1).unwrap();
            let msg = v[0]["findings"][0]["message"].as_str().unwrap().to_string();
            assert!(msg.chars().any(is_ideograph) && !msg.contains('('), "{msg}");
        }
    }
}
