//! `dossier roster`: the template, import of rosters written by another program (openpyxl
//! fixtures and rust_xlsxwriter here), cell-addressed errors, and export read back with calamine.
use crate::common::*;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roster")
        .join(name)
}

/// Every sheet of a workbook as rows of text, read by calamine.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = calamine::open_workbook_auto(path).expect("a workbook calamine reads");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("sheet");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (n, rows)
        })
        .collect()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    sheets(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

/// A file inside the xlsx (it is a ZIP), read with the zip crate.
fn part(path: &Path, name: &str) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut e = z.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
    let mut s = String::new();
    std::io::Read::read_to_string(&mut e, &mut s).unwrap();
    s
}

const HEADERS: &str = "文件夹 姓名 身份证号 手机号 户口类型 居住证有效期 婚姻状况 结婚日期 配偶姓名 配偶身份证号 配偶上海户籍 子女1出生日期 子女2出生日期 子女3出生日期 学历 学位 学习形式 毕业日期 海外学历 应届生 紧缺专业 社保月数 社保基数比例 技能等级 技能名称 职称 职称名称 完税证明";

const COMPANY: &[(&str, &str)] = &[
    ("单位名称", "上海示例科技有限公司"),
    ("统一社会信用代码", "9131011566778899AR"),
    ("所在区", "浦东新区"),
    ("单位类型", "企业"),
    ("是否派遣", "否"),
    ("经办人", "李娜"),
];

/// A roster written with rust_xlsxwriter: `rows` are (header, value) pairs, all as text.
fn roster(path: &Path, rows: &[Vec<(&str, &str)>]) {
    roster_with(path, rows, COMPANY)
}

fn roster_with(path: &Path, rows: &[Vec<(&str, &str)>], company: &[(&str, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("员工").unwrap();
    let headers: Vec<&str> = HEADERS.split(' ').collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (h, v) in row {
            let c = headers.iter().position(|x| x == h).expect("known header");
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name("单位").unwrap();
    for (r, (k, v)) in company.iter().enumerate() {
        ws.write_string(r as u32, 0, *k).unwrap();
        ws.write_string(r as u32, 1, *v).unwrap();
    }
    wb.save(path).unwrap();
}

fn person<'a>(name: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("姓名", name),
        ("身份证号", id),
        ("户口类型", "家庭户"),
        ("婚姻状况", "未婚"),
        ("学历", "本科"),
        ("学位", "是"),
        ("毕业日期", "2014-07-01"),
        ("社保月数", "60"),
        ("社保基数比例", "1"),
    ]
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn new_writes_the_spec_headers_and_the_employer_labels_and_never_overwrites() {
    let env = Env::new();
    let file = env.path().join("花名册.xlsx");
    let o = dossier(&["roster", "new", s(&file)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let names: Vec<String> = sheets(&file).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["员工", "单位"]);
    assert_eq!(sheet(&file, "员工")[0].join(" "), HEADERS);
    let labels: Vec<String> = sheet(&file, "单位").iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        labels,
        [
            "单位名称",
            "统一社会信用代码",
            "所在区",
            "单位类型",
            "是否派遣",
            "经办人",
            "经办人电话"
        ]
    );

    let before = std::fs::read(&file).unwrap();
    let o = dossier(&["roster", "new", s(&file)]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    let o = dossier(&["roster", "new", s(&file), "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn the_template_has_chinese_drop_downs_notes_date_formats_and_a_frozen_header() {
    let env = Env::new();
    let file = env.path().join("r.xlsx");
    assert_eq!(code(&dossier(&["roster", "new", s(&file)])), 0);
    let xml = part(&file, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(r#"<pane xSplit="2" ySplit="1""#),
        "frozen header"
    );
    for list in [
        "未婚,已婚,离异,丧偶",
        "家庭户,集体户",
        "无,大专,本科,硕士,博士",
        "全日制,成人高考,自学考试,网络教育,开放大学",
        "五级,四级,三级,二级,一级",
        "初级,中级,高级",
        "是,否",
    ] {
        assert!(
            xml.contains(&format!("<formula1>\"{list}\"</formula1>")),
            "drop-down {list}"
        );
    }
    // 婚姻状况 is column G.
    assert!(xml.contains(r#"sqref="G2:G2001""#), "{xml}");
    let notes = part(&file, "xl/comments1.xml");
    assert!(notes.contains("18 位身份证号"), "a note on 身份证号");
    assert_eq!(notes.matches("<comment ").count(), 28, "a note per column");
    let styles = part(&file, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#));
    let company = part(&file, "xl/worksheets/sheet2.xml");
    assert!(
        company.contains("浦东新区"),
        "the districts of the rulebook as a drop-down"
    );
}

#[test]
fn an_openpyxl_roster_with_excel_dates_and_empty_rows_becomes_employee_folders() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let o = dossier(&[
        "--format",
        "json",
        "roster",
        "import",
        s(&fixture("openpyxl-good.xlsx")),
        "-o",
        s(&dept),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let folders: Vec<&str> = v["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["张伟-123X", "lina", "王强-3171"]);
    assert_eq!(v["skipped_rows"], serde_json::json!([3, 5]));
    assert_eq!(v["company"], "created");
    assert!(dept.join("张伟-123X/scans").is_dir());
    let zw = std::fs::read_to_string(dept.join("张伟-123X/applicant.toml")).unwrap();
    // Excel date cells, a number cell for the phone, a child without a name.
    assert!(zw.contains("permit_expires = \"2027-06-30\""), "{zw}");
    assert!(zw.contains("married_on = \"2016-10-01\""), "{zw}");
    assert!(zw.contains("phone = \"13812345678\""), "{zw}");
    assert!(
        zw.contains("[[family.children]]\nbirth_date = \"2017-05-01\""),
        "{zw}"
    );
    let company = std::fs::read_to_string(dept.join("company.toml")).unwrap();
    assert!(company.contains("credit_code = \"9131011566778899AR\""));

    // The folders are what the other commands read: scores for all three.
    let o = dossier(&["--format", "json", "score", s(&dept)]);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
    let totals: Vec<i64> = json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["total"].as_i64().unwrap())
        .collect();
    assert_eq!(totals.len(), 3);
}

#[test]
fn a_second_import_changes_only_what_changed_and_never_touches_scans() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let file = fixture("openpyxl-good.xlsx");
    assert_eq!(
        code(&dossier(&["roster", "import", s(&file), "-o", s(&dept)])),
        0
    );
    let scan = dept.join("lina/scans/身份证-正面.jpg");
    std::fs::write(&scan, b"not really a jpeg").unwrap();
    let toml = dept.join("lina/applicant.toml");
    std::fs::write(&toml, "# edited by hand\n").unwrap();
    let unchanged = dept.join("王强-3171/applicant.toml");
    let before = std::fs::metadata(&unchanged).unwrap().modified().unwrap();

    let import = |roster: &Path| {
        let o = dossier(&[
            "--format",
            "json",
            "roster",
            "import",
            s(roster),
            "-o",
            s(&dept),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o)
    };
    let v = import(&file);
    let status: Vec<&str> = v["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["unchanged", "updated", "unchanged"]);
    assert_eq!(v["company"], "unchanged");
    assert_eq!(std::fs::read(&scan).unwrap(), b"not really a jpeg");
    assert!(std::fs::read_to_string(&toml)
        .unwrap()
        .contains("name = \"李娜\""));
    assert_eq!(
        std::fs::metadata(&unchanged).unwrap().modified().unwrap(),
        before
    );

    // The same roster saved under another name ("Save As" with a date) changes nothing.
    let renamed = env.path().join("花名册-1130.xlsx");
    std::fs::copy(&file, &renamed).unwrap();
    let v = import(&renamed);
    assert!(
        v["employees"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "unchanged"),
        "{v}"
    );
    assert_eq!(v["company"], "unchanged");
}

/// SPEC §9: nothing is written under an employee's `scans/` — `-o` naming the scans folder
/// itself is refused like a folder inside it.
#[test]
fn import_into_an_employees_scans_folder_is_refused() {
    let env = Env::new();
    let emp = env.employee("zhang", &Applicant::default().text());
    let scans = emp.join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let file = fixture("openpyxl-good.xlsx");
    for out in [scans.clone(), scans.join("sub")] {
        let o = dossier(&["roster", "import", s(&file), "-o", s(&out)]);
        assert_eq!(code(&o), 2, "{}: {}", out.display(), stderr(&o));
        assert!(stderr(&o).contains("scans/"), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_dir(&scans).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn every_bad_cell_is_reported_at_its_address_and_nothing_is_written() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let o = dossier(&[
        "roster",
        "import",
        s(&fixture("openpyxl-bad.xlsx")),
        "-o",
        s(&dept),
    ]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    // A wrong check character, a choice that is not one, a day that does not exist, an ID
    // number Excel stored as a number.
    for (at, what) in [
        ("员工!C2: 身份证号", "校验位"),
        ("员工!G3: 婚姻状况", "结婚"),
        ("员工!R4: 毕业日期", "2019-02-30"),
        ("员工!C5: 身份证号", "文本"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(at))
            .unwrap_or_else(|| panic!("no {at} in:\n{err}"));
        assert!(line.contains(what), "{line}");
    }
    assert!(
        !err.contains("员工!C6") && !err.contains(":6"),
        "row 6 is fine:\n{err}"
    );
    assert!(err.contains("共 4 处问题"), "{err}");
    assert!(!dept.exists(), "nothing written");
    // Never an ID number in full, even a wrong one.
    assert!(!err.contains("310104199204010"), "{err}");
}

#[test]
fn one_person_one_folder_an_id_with_another_folder_is_refused_naming_both() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let file = fixture("openpyxl-good.xlsx");
    assert_eq!(
        code(&dossier(&["roster", "import", s(&file), "-o", s(&dept)])),
        0
    );
    std::fs::rename(dept.join("lina"), dept.join("李娜-旧")).unwrap();
    let o = dossier(&["roster", "import", s(&file), "-o", s(&dept)]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("员工!C4"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("李娜-旧") && line.contains("lina"), "{line}");
    assert!(!dept.join("lina").exists());
}

#[test]
fn the_same_id_twice_or_the_same_folder_twice_in_a_roster_is_refused() {
    let env = Env::new();
    let file = env.path().join("r.xlsx");
    let a = id_for("1990-01-01", "123");
    let b = id_for("1991-02-02", "123");
    let mut third = person("王五", &b);
    third.push(("文件夹", "张三-1"));
    let mut first = person("张三", &a);
    first.push(("文件夹", "张三-1"));
    roster(&file, &[first, person("李四", &a), third]);
    let o = dossier(&["roster", "import", s(&file), "-o", s(&env.path().join("d"))]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("员工!C3: 身份证号") && err.contains("第 2 行"),
        "{err}"
    );
    assert!(
        err.contains("员工!A4: 文件夹") && err.contains("第 2 行"),
        "{err}"
    );
    let o = dossier(&[
        "--lang",
        "en",
        "roster",
        "import",
        s(&file),
        "-o",
        s(&env.path().join("d")),
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("员工!C3: 身份证号") && err.contains("is also in row 2"),
        "{err}"
    );
    assert!(err.contains("2 problem(s) in the roster"), "{err}");
    assert!(chinese_sentence(&err).is_none(), "{err}");
}

#[test]
fn text_cells_import_and_a_missing_required_cell_is_named() {
    let env = Env::new();
    let file = env.path().join("r.xlsx");
    let id = id_for("1990-01-01", "123");
    let mut p = person("张三", &id);
    p.retain(|(h, _)| *h != "户口类型");
    roster(&file, &[p]);
    let o = dossier(&["roster", "import", s(&file), "-o", s(&env.path().join("d"))]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("员工!E2: 户口类型: 必填"), "{err}");

    roster(&file, &[person("张三", &id)]);
    let o = dossier(&["roster", "import", s(&file), "-o", s(&env.path().join("d"))]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn export_of_imported_folders_carries_the_same_people_with_masked_ids() {
    let env = Env::new();
    let dept = env.path().join("dept");
    assert_eq!(
        code(&dossier(&[
            "roster",
            "import",
            s(&fixture("openpyxl-good.xlsx")),
            "-o",
            s(&dept)
        ])),
        0
    );
    // One employee folder that cannot be read is a row with its problem, not a failure.
    env.employee("dept/zz-broken", "[applicant\n");
    let out = env.path().join("状态.xlsx");
    let o = dossier(&["roster", "export", s(&dept), "-o", s(&out)]);
    assert_eq!(code(&o), 1, "not ready: {}", stderr(&o));
    let summary = sheet(&out, "汇总");
    assert_eq!(
        summary[0].join(" "),
        "文件夹 姓名 身份证号 模拟积分 达标 就绪 缺少材料 问题 距标准分"
    );
    let row = |folder: &str| {
        summary
            .iter()
            .find(|r| r[0] == folder)
            .unwrap_or_else(|| panic!("no {folder}: {summary:?}"))
            .clone()
    };
    let mut names: Vec<&str> = summary[1..].iter().map(|r| r[1].as_str()).collect();
    names.sort();
    assert_eq!(names, ["", "张伟", "李娜", "王强"]);
    assert_eq!(row("张伟-123X")[2], "3101**********123X");
    for f in ["lina", "张伟-123X", "王强-3171"] {
        let r = row(f);
        assert!(r[5] == "否" && r[6].contains("身份证"), "{r:?}");
        assert!(r[3].parse::<i64>().unwrap() > 100, "{r:?}");
    }
    let broken = row("zz-broken");
    assert!(
        broken[5] == "否" && broken[7].contains("applicant"),
        "{broken:?}"
    );

    let materials = sheet(&out, "材料");
    assert_eq!(materials[0][..3].join(" "), "文件夹 姓名 身份证");
    let m = |folder: &str| materials.iter().find(|r| r[0] == folder).unwrap().clone();
    assert_eq!(m("lina")[2], "缺");
    // 集体户口证明 is 李娜's only: blank for the others.
    let col = materials[0]
        .iter()
        .position(|h| h == "集体户口证明")
        .unwrap();
    assert_eq!(m("lina")[col], "缺");
    assert_eq!(m("张伟-123X")[col], "");

    // No ID number in full anywhere in the workbook.
    for (_, rows) in sheets(&out) {
        for cell in rows.iter().flatten() {
            let digits = cell.chars().filter(|c| c.is_ascii_digit()).count();
            assert!(digits < 17, "{cell}");
        }
    }
    let xml = part(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<autoFilter ref=\"A1:I5\""), "{xml}");
    assert!(xml.contains("<conditionalFormatting"), "not ready in red");

    let o = dossier(&["roster", "export", s(&dept), "-o", s(&out)]);
    assert_eq!(code(&o), 2, "never over an existing file without --force");
    let o = dossier(&["roster", "export", s(&dept), "-o", s(&out), "--force"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn the_employer_sheet_is_validated_at_its_cells_and_reported_once() {
    let env = Env::new();
    let file = env.path().join("r.xlsx");
    let a = id_for("1990-01-01", "123");
    let b = id_for("1991-02-02", "123");
    let mut company = COMPANY.to_vec();
    company[1] = ("统一社会信用代码", "9131011566778899AA");
    company[5] = ("经办人", "");
    roster_with(&file, &[person("张三", &a), person("李四", &b)], &company);
    let o = dossier(&["roster", "import", s(&file), "-o", s(&env.path().join("d"))]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.matches("单位!B2: 统一社会信用代码").count(), 1, "{err}");
    assert!(!env.path().join("d").exists());

    company[1] = COMPANY[1];
    roster_with(&file, &[person("张三", &a), person("李四", &b)], &company);
    let o = dossier(&["roster", "import", s(&file), "-o", s(&env.path().join("d"))]);
    let err = stderr(&o);
    assert_eq!(
        err.matches("单位!B6: 经办人: 必填").count(),
        1,
        "once, not per row: {err}"
    );
}

#[cfg(unix)]
#[test]
fn an_employee_folder_that_is_a_link_is_never_written_through() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let elsewhere = env.path().join("elsewhere");
    std::fs::create_dir_all(&dept).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dept.join("lina")).unwrap();
    let o = dossier(&[
        "roster",
        "import",
        s(&fixture("openpyxl-good.xlsx")),
        "-o",
        s(&dept),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("员工!A4: 文件夹"), "{}", stderr(&o));
    assert!(!elsewhere.join("applicant.toml").exists());
    assert!(!dept.join("company.toml").exists(), "nothing written");
}

/// 距标准分 is the score's road to the standard, not only the gap: every way of `score`'s
/// `to_standard`, with its points and, for time, the date (30 + 60 + 18 = 108: ten years of
/// insurance on 2030-11-01, or the degree).
#[test]
fn the_export_gives_the_road_to_the_standard_for_those_below_it() {
    let env = Env::new();
    let edu = "level = \"bachelor\"\ndegree = false\nmode = \"full-time\"\ngraduated_on = \"2015-06-30\"\n";
    let below = Applicant::default()
        .education(edu)
        .insurance("months = 72\nbase_ratio = 0.7\n");
    let d = env.employee("dept/below", &below.text());
    env.employee("dept/at", &Applicant::default().text());
    let v = json(&dossier(&["--format", "json", "score", s(&d)]));
    assert_eq!(v["total"], 108, "{v}");
    let ways = v["to_standard"].as_array().expect("ways").clone();
    assert!(ways.len() >= 2, "{v}");

    let out = env.path().join("状态.xlsx");
    let o = dossier(&[
        "roster",
        "export",
        s(&env.path().join("dept")),
        "-o",
        s(&out),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let summary = sheet(&out, "汇总");
    let col = summary[0].iter().position(|h| h == "距标准分").unwrap();
    let row = |f: &str| summary.iter().find(|r| r[0] == f).unwrap().clone();
    let road = row("below")[col].clone();
    assert!(road.starts_with("还差 12 分"), "{road}");
    for w in &ways {
        let what = w["what"].as_str().unwrap();
        let line = road
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} not in {road}"));
        assert!(line.contains(&format!("+{} 分", w["points"])), "{line}");
        if let Some(on) = w["on"].as_str() {
            assert!(line.contains(&format!("{on} 起")), "{line}");
        }
    }
    assert!(road.contains("2030-11-01 起"), "{road}");
    assert_eq!(row("at")[col], "", "at the standard: no road");
}

/// A folder named by the ID number (`张伟-310115199303071230`) does not put the number in full
/// into the workbook (SPEC §9: folder names too).
#[test]
fn an_id_number_in_a_folder_name_is_masked_in_the_export() {
    let env = Env::new();
    let id = "310115199303071230";
    env.employee(&format!("dept/张伟-{id}"), &Applicant::default().text());
    let out = env.path().join("状态.xlsx");
    let o = dossier(&[
        "roster",
        "export",
        s(&env.path().join("dept")),
        "-o",
        s(&out),
    ]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    for (name, rows) in sheets(&out) {
        for row in rows {
            for cell in row {
                assert!(!cell.contains(id), "{name}: {cell}");
            }
        }
    }
    assert_eq!(sheet(&out, "汇总")[1][0], "张伟-3101**********1230");
}

/// A small workbook whose parts unpack to gigabytes (a ZIP bomb, or a sheet padded with
/// spaces) is refused from its ZIP directory, before anything is unpacked.
#[test]
fn a_roster_that_unpacks_to_too_much_is_refused_unread() {
    use std::io::Write;
    let env = Env::new();
    let bomb = env.path().join("bomb.xlsx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..210 {
        z.write_all(&spaces).unwrap();
    }
    z.finish().unwrap();
    assert!(
        std::fs::metadata(&bomb).unwrap().len() < 2 << 20,
        "small on disk"
    );
    let o = dossier(&["roster", "import", s(&bomb), "-o", s(&env.path().join("d"))]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("解压后"), "{}", stderr(&o));
    assert!(!env.path().join("d").exists());
}

/// An `applicant.toml` that is a link is never written through, and the refused row leaves
/// nothing behind (its `scans/` was made before the refusal).
#[test]
fn an_applicant_toml_that_is_a_link_is_refused_and_nothing_is_made() {
    let env = Env::new();
    let dept = env.path().join("dept");
    let target = env.path().join("elsewhere.toml");
    std::fs::write(&target, "# not an employee's\n").unwrap();
    std::fs::create_dir_all(dept.join("lina")).unwrap();
    std::os::unix::fs::symlink(&target, dept.join("lina/applicant.toml")).unwrap();
    let o = dossier(&[
        "roster",
        "import",
        s(&fixture("openpyxl-good.xlsx")),
        "-o",
        s(&dept),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "# not an employee's\n"
    );
    assert!(!dept.join("lina/scans").exists(), "{}", stderr(&o));
}
