//! `dossier copies` (SPEC §11): the print-ready photocopies. The tests marked #[ignore] read the
//! PDF with independent tools (poppler's pdfimages/pdftotext/pdfinfo, qpdf); `.ci/interop`
//! installs them and runs these.

use crate::scans;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// ID-1 card size in pixels at 317.5 dpi: exactly 85.6 × 54 mm.
const CARD_PX: (usize, usize) = (1070, 675);

fn dpi_jpeg(w: usize, h: usize, seed: u64, dpi: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 85);
    enc.set_density(jpeg_encoder::PixelDensity::dpi(dpi));
    enc.encode(
        &scans::text_page(w, h, seed),
        w as u16,
        h as u16,
        jpeg_encoder::ColorType::Luma,
    )
    .expect("encode jpeg");
    out
}

/// examples/zhang-wei in `dir`, with the ID card as two JPEGs (card-sized, 317.5 dpi) and the
/// marriage certificate as a 300-dpi JPEG; returns the folder.
fn employee(dir: &Path, id: &str) -> PathBuf {
    let d = example_employee(dir, id, false);
    let scans = d.join("scans");
    for side in ["正面", "反面"] {
        std::fs::remove_file(scans.join(format!("身份证-{side}.png"))).unwrap();
    }
    std::fs::write(
        scans.join("身份证-正面.jpg"),
        dpi_jpeg(CARD_PX.0, CARD_PX.1, 1, 318),
    )
    .unwrap();
    std::fs::write(
        scans.join("身份证-反面.jpg"),
        dpi_jpeg(CARD_PX.0, CARD_PX.1, 2, 318),
    )
    .unwrap();
    std::fs::remove_file(scans.join("结婚证.png")).unwrap();
    std::fs::write(scans.join("结婚证.jpg"), dpi_jpeg(1000, 700, 3, 300)).unwrap();
    std::fs::write(
        scans.join("劳动合同.pdf"),
        text_pdf(&["LABOUR CONTRACT PAGE ONE", "LABOUR CONTRACT PAGE TWO"]),
    )
    .unwrap();
    d
}

/// A PDF with one line of text (Helvetica) and a ruled frame per page: a "scan" that is vector
/// and text, as office software exports it.
fn text_pdf(lines: &[&str]) -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for line in lines {
        let content = format!(
            "0.5 w 40 40 515 762 re S BT /F1 20 Tf 72 740 Td ({line}) Tj ET\n\
             BT /F1 11 Tf 72 700 Td (The employer and the employee agree as follows.) Tj ET"
        );
        let c = doc.add_object(Stream::new(lopdf::Dictionary::new(), content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => c,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn pages_of_pdf(path: &Path) -> usize {
    lopdf::Document::load(path).unwrap().get_pages().len()
}

/// The sheets the copies must have, worked out from `checklist` and `check` JSON and the scan
/// files: Σ over visits of copies × pages, a card's two image sides counting as one page.
fn expected_sheets(dir: &Path, visit: Option<usize>) -> usize {
    let d = dir.to_str().unwrap();
    let c = json(&dossier(&["--format", "json", "checklist", d]));
    let k = json(&dossier(&["--format", "json", "check", d]));
    let mut total = 0;
    for (vi, v) in c["visits"].as_array().unwrap().iter().enumerate() {
        if visit.is_some_and(|only| only != vi) || v["originals_only"] == true {
            continue;
        }
        let vid = v["id"].as_str().unwrap();
        for item in c["items"].as_array().unwrap() {
            if item["holder"] != "applicant"
                || !item["visits"].as_array().unwrap().iter().any(|x| x == vid)
            {
                continue;
            }
            let copies = item["copies_at"][vid]
                .as_u64()
                .or(item["copies"].as_u64())
                .unwrap();
            let files: Vec<String> = k["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["slug"] == item["slug"])
                .map(|r| {
                    r["files"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let mut pages = 0;
            let mut images: usize = 0;
            for f in &files {
                if f.ends_with(".pdf") {
                    pages += pages_of_pdf(&dir.join(f));
                } else {
                    images += 1;
                }
            }
            pages += if item["size"] == "card" {
                images.div_ceil(2)
            } else {
                images
            };
            total += copies as usize * pages;
        }
    }
    total
}

fn copies(args: &[&str]) -> std::process::Output {
    let mut a = vec!["copies"];
    a.extend_from_slice(args);
    dossier(&a)
}

#[test]
fn every_copy_the_checklist_asks_for_once_per_copy_and_the_same_bytes_twice() {
    let env = Env::new();
    let d = employee(&env.path().join("zhang"), "310115199303071230");
    let (a, b) = (env.path().join("a.pdf"), env.path().join("b.pdf"));
    for out in [&a, &b] {
        let o = copies(&[d.to_str().unwrap(), "--pdf", out.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let want = expected_sheets(&d, None);
    assert!(want > 10, "{want}");
    assert_eq!(pages_of_pdf(&a), want);
    // Each scan is stored once, however many sheets show it: the two ID card JPEGs (shown at
    // two visits) are in the file once each.
    let pdf = std::fs::read(&a).unwrap();
    let front = std::fs::read(d.join("scans/身份证-正面.jpg")).unwrap();
    let found = pdf.windows(front.len()).filter(|w| *w == front).count();
    assert_eq!(found, 1, "the JPEG's bytes, unchanged, once");

    // One visit: by number or id.
    let one = env.path().join("one.pdf");
    let o = copies(&[
        d.to_str().unwrap(),
        "--pdf",
        one.to_str().unwrap(),
        "--visit",
        "submission",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(pages_of_pdf(&one), expected_sheets(&d, Some(1)));
    let o = copies(&[
        d.to_str().unwrap(),
        "--pdf",
        one.to_str().unwrap(),
        "--visit",
        "1",
        "--force",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(pages_of_pdf(&one), expected_sheets(&d, Some(0)));
    let o = copies(&[d.to_str().unwrap(), "--pdf", "x.pdf", "--visit", "9"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("2 = submission"), "{}", stderr(&o));
}

#[test]
fn an_existing_file_is_kept_without_force() {
    let env = Env::new();
    let d = employee(&env.path().join("zhang"), "310115199303071230");
    let out = env.path().join("copies.pdf");
    std::fs::write(&out, b"mine").unwrap();
    let o = copies(&[d.to_str().unwrap(), "--pdf", out.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"mine");
    let o = copies(&[
        d.to_str().unwrap(),
        "--pdf",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn a_not_ready_employee_is_left_out_with_the_reason_and_exit_1() {
    let env = Env::new();
    let batch = env.path().join("dept");
    employee(&batch.join("a-zhang"), "310115199303071230");
    let other = employee(&batch.join("b-li"), &id_for("1990-01-01", "456"));
    std::fs::remove_file(other.join("scans/劳动合同.pdf")).unwrap();
    let out = env.path().join("c.pdf");
    let o = copies(&[batch.to_str().unwrap(), "--pdf", out.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("b-li") && err.contains("劳动合同"), "{err}");
    // The ready one is printed alone.
    assert_eq!(
        pages_of_pdf(&out),
        expected_sheets(&batch.join("a-zhang"), None)
    );

    // Nobody ready: nothing written, exit 1.
    let out2 = env.path().join("none.pdf");
    let o = copies(&[other.to_str().unwrap(), "--pdf", out2.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!out2.exists());
}

#[test]
fn pack_with_copies_writes_them_beside_the_bundle() {
    let env = Env::new();
    let d = employee(&env.path().join("zhang"), "310115199303071230");
    let out = env.path().join("out");
    let o = dossier(&[
        "pack",
        d.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--copies",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let pdf = out.join("张伟-1230-复印件.pdf");
    assert_eq!(pages_of_pdf(&pdf), expected_sheets(&d, None));
    let standalone = env.path().join("s.pdf");
    let o = copies(&[d.to_str().unwrap(), "--pdf", standalone.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(&standalone).unwrap()
    );

    // The JSON names it; a copies PDF already there (the bundle gone) is refused before
    // anything is written, and replaced with --force (SPEC §9).
    std::fs::remove_file(out.join("张伟-1230.zip")).unwrap();
    std::fs::remove_file(out.join("张伟-1230-封面.pdf")).unwrap();
    std::fs::write(&pdf, b"the clerk's own file").unwrap();
    let args = [
        "pack",
        d.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--copies",
    ];
    let o = dossier(&args);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("复印件.pdf"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&pdf).unwrap(), b"the clerk's own file");
    assert!(!out.join("张伟-1230.zip").exists(), "nothing written");
    let mut forced = vec!["--format", "json"];
    forced.extend_from_slice(&args);
    forced.push("--force");
    let o = dossier(&forced);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(&standalone).unwrap()
    );
    let v = json(&o);
    let listed = v.to_string();
    assert!(listed.contains("张伟-1230-复印件.pdf"), "{listed}");
}

// --- with outside tools (.ci/interop) ---------------------------------------------------------

fn tool(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (apt-get install poppler-utils qpdf)"));
    assert!(
        o.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
#[ignore = "needs poppler-utils and qpdf (.ci/interop)"]
fn poppler_and_qpdf_read_the_copies_as_printed() {
    let env = Env::new();
    let d = employee(&env.path().join("zhang"), "310115199303071230");
    let pdf = env.path().join("copies.pdf");
    let o = copies(&[d.to_str().unwrap(), "--pdf", pdf.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = pdf.to_str().unwrap();

    tool("qpdf", &["--check", p]);
    let info = tool("pdfinfo", &[p]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert_eq!(pages, expected_sheets(&d, None));

    // pdfimages -list: page num type width height color comp bpc enc interp object ID x-ppi y-ppi …
    let list = tool("pdfimages", &["-list", p]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let on_page_1: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "1").collect();
    assert_eq!(
        on_page_1.len(),
        2,
        "both sides of the ID card on page 1:\n{list}"
    );
    let ppi = |mm: f64, px: usize| px as f64 / (mm / 25.4);
    for r in on_page_1 {
        assert_eq!((r[3], r[4]), ("1070", "675"), "original pixel size: {r:?}");
        assert_eq!(r[8], "jpeg", "DCT passthrough: {r:?}");
        let (x, y): (f64, f64) = (r[12].parse().unwrap(), r[13].parse().unwrap());
        // 85.6 × 54 mm on paper, from the ppi poppler measures.
        assert!((x - ppi(85.6, 1070)).abs() <= 1.0, "x-ppi {x}: {r:?}");
        assert!((y - ppi(54.0, 675)).abs() <= 1.0, "y-ppi {y}: {r:?}");
    }
    // The 300-dpi marriage certificate is printed at its true size, not blown up.
    let marriage = rows
        .iter()
        .find(|r| r[3] == "1000" && r[4] == "700")
        .expect("the marriage certificate's JPEG");
    assert_eq!(marriage[8], "jpeg");
    assert_eq!((marriage[12], marriage[13]), ("300", "300"), "{marriage:?}");

    // The JPEG streams are the files' bytes: pdfimages -j writes them out as they are.
    let prefix = env.path().join("img");
    tool(
        "pdfimages",
        &["-j", "-f", "1", "-l", "1", p, prefix.to_str().unwrap()],
    );
    let front = std::fs::read(d.join("scans/身份证-正面.jpg")).unwrap();
    let back = std::fs::read(d.join("scans/身份证-反面.jpg")).unwrap();
    let out0 = std::fs::read(env.path().join("img-000.jpg")).unwrap();
    let out1 = std::fs::read(env.path().join("img-001.jpg")).unwrap();
    assert!(
        out0 == front && out1 == back,
        "extracted JPEGs differ from the scans"
    );

    // Every page: the name, the masked ID and the stamp words, in the text layer.
    for page in 1..=pages {
        let n = page.to_string();
        let text = tool("pdftotext", &["-f", &n, "-l", &n, "-layout", p, "-"]);
        for want in ["张伟", "3101**********1230", "与原件一致", "单位盖章"] {
            assert!(text.contains(want), "page {page} lacks {want}:\n{text}");
        }
        assert!(
            !text.contains("310115199303071230"),
            "the full ID on page {page}"
        );
    }

    // The scanned PDF pages are kept as PDF (vector and text): the labour contract's own text
    // is still text.
    let src = tool(
        "pdftotext",
        &[d.join("scans/劳动合同.pdf").to_str().unwrap(), "-"],
    );
    let first_words: String = src.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    if !first_words.is_empty() {
        let all = tool("pdftotext", &[p, "-"]);
        let all_words = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all_words.contains(&first_words),
            "{first_words:?} not in the copies"
        );
    }
}

// --- the counter checklist: one visit, and who does not go today -------------------------------

fn batch(env: &Env) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch");
    let dir = env.path().join("batch");
    copy_dir(&src, &dir);
    dir
}

#[test]
fn checklist_visit_must_name_a_visit() {
    let env = Env::new();
    let b = batch(&env);
    let pdf = env.path().join("day.pdf");
    let args = |v: &str| {
        dossier(&[
            "checklist",
            b.to_str().unwrap(),
            "--pdf",
            pdf.to_str().unwrap(),
            "--visit",
            v,
        ])
    };
    let o = args("9");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("3 = notice-print"), "{}", stderr(&o));
    assert!(!pdf.exists());
    // Below the standard: exit 1, but the PDF is written and the employee is named.
    let o = args("notice-print");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("wang-lei"), "{}", stderr(&o));
    assert!(pdf.exists());
}

#[test]
#[ignore = "needs poppler-utils (.ci/interop)"]
fn the_counter_checklist_names_who_does_not_go_today_on_its_first_page() {
    let env = Env::new();
    let b = batch(&env);
    let pdf = env.path().join("day.pdf");
    let p = pdf.to_str().unwrap();
    let o = dossier(&["checklist", b.to_str().unwrap(), "--pdf", p]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let first = tool("pdftotext", &["-f", "1", "-l", "1", "-layout", p, "-"]);
    assert!(first.contains("今天不办理"), "{first}");
    assert!(
        first.contains("王磊") && first.contains("未达到标准分"),
        "{first}"
    );
    let all = tool("pdftotext", &["-layout", p, "-"]);
    assert!(!all.contains("1. 王磊") && all.contains("陈静") && all.contains("李明"));
    assert!(all.contains("学历认证及档案审核"));

    // One visit: only its items, each employee's list numbered from 1.
    let o = dossier(&[
        "checklist",
        b.to_str().unwrap(),
        "--pdf",
        p,
        "--visit",
        "3",
        "--force",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let all = tool("pdftotext", &["-layout", p, "-"]);
    assert!(all.contains("本清单只列第 3 次窗口"), "{all}");
    assert!(!all.contains("学历认证及档案审核"), "{all}");
    let info = tool("pdfinfo", &[p]);
    assert!(
        info.contains("Pages:           1"),
        "two one-item visits share a page:\n{info}"
    );
}

/// SPEC §9 for what is printed: a scan named by ID numbers (the applicant's, and another
/// person's typed with spaces) shows neither in full on the cover sheet, the counter checklist
/// or the copies, as pdftotext reads them — the masked form is what the window sees.
#[test]
#[ignore = "needs poppler-utils (.ci/interop)"]
fn id_numbers_in_scan_names_are_masked_in_every_printed_pdf() {
    let env = Env::new();
    let id = "310115199303071230";
    let d = employee(&env.path().join("zhang"), id);
    let scans = d.join("scans");
    std::fs::rename(
        scans.join("身份证-正面.jpg"),
        scans.join(format!("身份证-正面-{id}.jpg")),
    )
    .unwrap();
    let other = id_for("1985-01-01", "456");
    let spaced = format!("{} {} {}", &other[..6], &other[6..14], &other[14..]);
    std::fs::rename(
        scans.join("结婚证.jpg"),
        scans.join(format!("结婚证-{spaced}.jpg")),
    )
    .unwrap();
    let out = env.path().join("out");
    let day = env.path().join("day.pdf");
    let copies_pdf = env.path().join("copies.pdf");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    for args in [
        vec!["pack".to_string(), p(&d), "-o".into(), p(&out)],
        vec!["checklist".into(), p(&d), "--pdf".into(), p(&day)],
        vec!["copies".into(), p(&d), "--pdf".into(), p(&copies_pdf)],
    ] {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = dossier(&a);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains(id) && !stdout(&o).contains(id));
    }
    let cover = out.join("张伟-1230-封面.pdf");
    for pdf in [&cover, &day, &copies_pdf] {
        let text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for full in [id, other.as_str()] {
            assert!(
                !digits.contains(&full[4..14]),
                "{}: the middle of {full} is printed:\n{text}",
                pdf.display()
            );
        }
        assert!(text.contains("3101"), "{}: {text}", pdf.display());
    }
    let cover_text = tool("pdftotext", &[cover.to_str().unwrap(), "-"]);
    // The bundle's entry name, as the cover lists it (wrapped in its cell), masked with `x`.
    let joined: String = cover_text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        joined.contains("01-身份证-正面-3101xxxxxxxxxx1230.jpg"),
        "{cover_text}"
    );
}

/// An ID card scanned to PDF by a phone app that crops to the card (one card-sized page per
/// side) is printed like an image scan: both sides on one sheet, at 85.6 × 54 mm. An A4 page is
/// not a card side: it is a page of its own, fitted.
#[test]
#[ignore = "needs poppler-utils (.ci/interop)"]
fn card_sides_scanned_as_card_sized_pdfs_share_a_sheet_at_true_size() {
    let env = Env::new();
    let d = employee(&env.path().join("zhang"), "310115199303071230");
    let card_pt = (85.6 / 25.4 * 72.0, 54.0 / 25.4 * 72.0);
    for (side, seed) in [("正面", 1), ("反面", 2)] {
        std::fs::remove_file(d.join(format!("scans/身份证-{side}.jpg"))).unwrap();
        let page = scans::Page::Jpeg(
            dpi_jpeg(CARD_PX.0, CARD_PX.1, seed, 318),
            CARD_PX.0,
            CARD_PX.1,
        );
        std::fs::write(
            d.join(format!("scans/身份证-{side}.pdf")),
            scans::pdf_of(&[page], card_pt, None),
        )
        .unwrap();
    }
    let pdf = env.path().join("copies.pdf");
    let o = copies(&[d.to_str().unwrap(), "--pdf", pdf.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = pdf.to_str().unwrap();
    tool("qpdf", &["--check", p]);
    let list = tool("pdfimages", &["-list", "-f", "1", "-l", "1", p]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "both sides on page 1:\n{list}");
    let ppi = |mm: f64, px: usize| px as f64 / (mm / 25.4);
    for r in &rows {
        assert_eq!((r[3], r[4], r[8]), ("1070", "675", "jpeg"), "{r:?}");
        let (x, y): (f64, f64) = (r[12].parse().unwrap(), r[13].parse().unwrap());
        assert!((x - ppi(85.6, 1070)).abs() <= 1.0, "x-ppi {x}: {r:?}");
        assert!((y - ppi(54.0, 675)).abs() <= 1.0, "y-ppi {y}: {r:?}");
    }
    let first = tool("pdftotext", &["-f", "1", "-l", "1", p, "-"]);
    assert!(first.contains("身份证（正面、反面）"), "{first}");

    // The same sides as A4 pages: one page each.
    for (side, seed) in [("正面", 1), ("反面", 2)] {
        let page = scans::Page::Jpeg(dpi_jpeg(2480, 3508, seed, 300), 2480, 3508);
        std::fs::write(
            d.join(format!("scans/身份证-{side}.pdf")),
            scans::pdf_of(&[page], (595.0, 842.0), None),
        )
        .unwrap();
    }
    let o = copies(&[
        d.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = tool("pdfimages", &["-list", "-f", "1", "-l", "1", p]);
    assert_eq!(
        list.lines().skip(2).count(),
        1,
        "one A4 page a sheet:\n{list}"
    );
}

/// `--format json` says what was printed for whom, and who was left out and why.
#[test]
fn copies_json_lists_each_employee_and_the_pdf() {
    let env = Env::new();
    let batch = env.path().join("batch");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch"),
        &batch,
    );
    let pdf = env.path().join("c.pdf");
    let o = dossier(&[
        "--format",
        "json",
        "copies",
        batch.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "two are not ready: {}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["pdf"], pdf.to_str().unwrap());
    let employees = v["employees"].as_array().unwrap();
    let status: Vec<(&str, &str)> = employees
        .iter()
        .map(|e| (e["folder"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("chen-jing", "not-ready"),
            ("li-ming", "printed"),
            ("wang-lei", "not-ready")
        ]
    );
    assert_eq!(employees[1]["sheets"], v["sheets"]);
    assert_eq!(v["sheets"].as_u64().unwrap() as usize, pages_of_pdf(&pdf));
    assert!(employees[0]["reason"].as_str().unwrap().contains("户口簿"));
}
