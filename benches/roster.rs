//! How long the Excel roster takes for a department: `roster import` of a 500-row roster
//! (written here with rust_xlsxwriter, Excel date cells), the same import again (nothing
//! changes), and `roster export` of the 500 employee folders it made, each with the scans of
//! examples/zhang-wei hard-linked in, so the export checks real files. Prints seconds; asserts
//! nothing. Run with `cargo bench --bench roster` (`DOSSIER_BENCH_N=2000` for more rows).

use std::path::Path;
use std::time::Instant;

use dossier::date::Date;
use dossier::department::Context;
use dossier::rules::Rulebook;
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};

fn id_for(birth: Date, seq: usize) -> String {
    let body = format!(
        "310104{:04}{:02}{:02}{:03}",
        birth.year,
        birth.month,
        birth.day,
        seq % 1000
    );
    let c = dossier::idnum::id_check_char(&body).expect("17 digits");
    format!("{body}{c}")
}

const HEADERS: &[&str] = &[
    "文件夹",
    "姓名",
    "身份证号",
    "手机号",
    "户口类型",
    "居住证有效期",
    "婚姻状况",
    "结婚日期",
    "配偶姓名",
    "配偶身份证号",
    "配偶上海户籍",
    "子女1出生日期",
    "学历",
    "学位",
    "学习形式",
    "毕业日期",
    "社保月数",
    "社保基数比例",
    "完税证明",
];

fn roster(path: &Path, n: usize) {
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet().set_name("员工").expect("sheet");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let day = |y: u16, m: u8, d: u8| ExcelDateTime::from_ymd(y, m, d).expect("date");
    for i in 0..n {
        let r = i as u32 + 1;
        let born = Date::from_unix(Date::new(1980, 1, 1).unwrap().unix() + i as i64 * 86_400 * 7);
        let spouse_born = Date::from_unix(born.unix() + 200 * 86_400);
        let cells = [
            "",
            &format!("员工{i:04}"),
            &id_for(born, i),
            "13812345678",
            "家庭户",
            "",
            "已婚",
            "",
            "配偶",
            &id_for(spouse_born, i + 1),
            "是",
            "",
            "本科",
            "是",
            "全日制",
            "",
            "60",
            "0.7",
            "是",
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, *v).expect("cell");
            }
        }
        ws.write_datetime_with_format(r, 5, day(2027, 6, 30), &date)
            .expect("date");
        ws.write_datetime_with_format(r, 7, day(2016, 10, 1), &date)
            .expect("date");
        ws.write_datetime_with_format(r, 11, day(2017, 5, 1), &date)
            .expect("date");
        ws.write_datetime_with_format(r, 15, day(2015, 6, 30), &date)
            .expect("date");
        // An empty row now and then, as a real roster has.
        if i % 50 == 49 {
            ws.write_string(r + 1, 0, "").expect("empty");
        }
    }
    let ws = wb.add_worksheet().set_name("单位").expect("sheet");
    for (r, (k, v)) in [
        ("单位名称", "上海示例科技有限公司"),
        ("统一社会信用代码", "9131011566778899AR"),
        ("所在区", "浦东新区"),
        ("单位类型", "企业"),
        ("是否派遣", "否"),
        ("经办人", "李娜"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(r as u32, 0, *k).expect("label");
        ws.write_string(r as u32, 1, *v).expect("value");
    }
    wb.save(path).expect("save roster");
}

fn link_scans(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("scans") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            link_scans(&e.path(), &target);
        } else if std::fs::hard_link(e.path(), &target).is_err() {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn main() {
    let n: usize = std::env::var("DOSSIER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("roster.xlsx");
    let dept = dir.path().join("dept");
    let t = Instant::now();
    roster(&file, n);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "roster of {n} rows written by rust_xlsxwriter: {:.3} s ({} KB)",
        t.elapsed().as_secs_f64(),
        bytes / 1024
    );
    let book = Rulebook::builtin().expect("rulebook");
    let today = Date::new(2026, 11, 26).expect("date");
    let districts = book.district_names();

    let t = Instant::now();
    let done = dossier::roster::import::import(&file, &dept, &districts, today).expect("import");
    println!(
        "roster import, {} rows → {} new folders: {:.3} s",
        n,
        done.employees.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    dossier::roster::import::import(&file, &dept, &districts, today).expect("import");
    println!(
        "roster import again, nothing changed: {:.3} s",
        t.elapsed().as_secs_f64()
    );

    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei/scans");
    for e in &done.employees {
        link_scans(&example, &dept.join(&e.folder).join("scans"));
    }
    let ctx = Context { book, date: today };
    let t = Instant::now();
    let (xlsx, summary) =
        dossier::roster::export::export(&ctx, std::slice::from_ref(&dept)).expect("export");
    println!(
        "roster export, {} employees ({} ready) with 20 scans each: {:.3} s ({} KB)",
        summary.employees,
        summary.ready,
        t.elapsed().as_secs_f64(),
        xlsx.len() / 1024
    );
}
