//! Tests of the rendered PDFs that need nothing but Rust: the PDF is parsed back with lopdf and
//! its text is decoded through the font's ToUnicode map (what `pdftotext` does), so a missing
//! glyph, a dropped line or a broken map fails here.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;

pub(crate) fn fixture(name: &str) -> Value {
    let text = match name {
        "cover-typical" => include_str!("../../tests/fixtures/render/cover-typical.json"),
        "cover-family" => include_str!("../../tests/fixtures/render/cover-family.json"),
        "checklist-1" => include_str!("../../tests/fixtures/render/checklist-1.json"),
        "checklist-3" => include_str!("../../tests/fixtures/render/checklist-3.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

fn fonts() -> Fonts {
    Fonts::embedded().unwrap()
}

/// A parsed PDF: its pages' text runs (one string per text-showing operator), decoded.
struct Parsed {
    doc: lopdf::Document,
    pages: Vec<Vec<String>>,
}

impl Parsed {
    fn new(bytes: &[u8]) -> Parsed {
        let doc = lopdf::Document::load_mem(bytes).expect("the PDF parses");
        let mut pages = Vec::new();
        for (_, page_id) in doc.get_pages() {
            let cmaps = page_cmaps(&doc, page_id);
            let content = doc
                .get_and_decode_page_content(page_id)
                .expect("content decodes");
            let mut runs = Vec::new();
            let mut font = String::new();
            for op in &content.operations {
                match op.operator.as_str() {
                    "Tf" => {
                        font = op.operands[0]
                            .as_name()
                            .map(|n| String::from_utf8_lossy(n).into_owned())
                            .unwrap()
                    }
                    "Tj" | "TJ" => {
                        let cmap = &cmaps[&font];
                        let mut run = String::new();
                        let strings: Vec<&lopdf::Object> = match &op.operands[0] {
                            lopdf::Object::Array(items) => items.iter().collect(),
                            s => vec![s],
                        };
                        for s in strings {
                            if let lopdf::Object::String(bytes, _) = s {
                                for pair in bytes.chunks(2) {
                                    let code =
                                        u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                                    run.push_str(
                                        cmap.get(&code).map_or("\u{FFFD}", String::as_str),
                                    );
                                }
                            }
                        }
                        runs.push(run);
                    }
                    _ => {}
                }
            }
            pages.push(runs);
        }
        Parsed { doc, pages }
    }

    /// All text, runs joined without separators, whitespace removed (for values that wrap).
    fn squeezed(&self) -> String {
        self.pages
            .iter()
            .flatten()
            .flat_map(|r| r.chars())
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    fn has_run(&self, page: usize, needle: &str) -> bool {
        self.pages[page].iter().any(|r| r.contains(needle))
    }

    fn info(&self, key: &[u8]) -> Vec<u8> {
        let info = self
            .doc
            .trailer
            .get(b"Info")
            .and_then(lopdf::Object::as_reference)
            .unwrap();
        let dict = self.doc.get_dictionary(info).unwrap();
        dict.get(key)
            .and_then(lopdf::Object::as_str)
            .unwrap()
            .to_vec()
    }
}

/// The ToUnicode maps of a page's fonts, by resource name.
fn page_cmaps(
    doc: &lopdf::Document,
    page: lopdf::ObjectId,
) -> BTreeMap<String, BTreeMap<u16, String>> {
    let mut out = BTreeMap::new();
    for (name, font) in doc.get_page_fonts(page).unwrap() {
        let stream = font
            .get(b"ToUnicode")
            .and_then(lopdf::Object::as_reference)
            .unwrap();
        let stream = doc
            .get_object(stream)
            .and_then(lopdf::Object::as_stream)
            .unwrap();
        let text = String::from_utf8(
            stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone()),
        )
        .unwrap();
        out.insert(
            String::from_utf8_lossy(&name).into_owned(),
            parse_cmap(&text),
        );
    }
    out
}

/// `bfchar` and `bfrange` entries of a ToUnicode CMap.
fn parse_cmap(text: &str) -> BTreeMap<u16, String> {
    let hex = |s: &str| -> Vec<u16> {
        let s = s.trim_matches(|c| c == '<' || c == '>');
        (0..s.len() / 4)
            .map(|i| u16::from_str_radix(&s[i * 4..i * 4 + 4], 16).unwrap())
            .collect()
    };
    let utf16 = |s: &str| String::from_utf16(&hex(s)).unwrap();
    let mut map = BTreeMap::new();
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") || line.ends_with("beginbfrange") {
            section = if line.ends_with("beginbfchar") {
                "char"
            } else {
                "range"
            };
            continue;
        }
        if line.starts_with("endbf") {
            section = "";
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        match (section, parts.as_slice()) {
            ("char", [code, uni]) => {
                map.insert(hex(code)[0], utf16(uni));
            }
            ("range", [lo, hi, uni]) if uni.starts_with('<') => {
                let (lo, hi, start) = (hex(lo)[0], hex(hi)[0], hex(uni));
                for (k, code) in (lo..=hi).enumerate() {
                    let mut units = start.clone();
                    if let Some(last) = units.last_mut() {
                        *last += k as u16;
                    }
                    map.insert(code, String::from_utf16(&units).unwrap());
                }
            }
            _ => {}
        }
    }
    map
}

#[test]
fn the_cover_sheet_carries_everything_spec_8_asks_for() {
    let ctx = fixture("cover-typical");
    let pdf = Parsed::new(&cover_sheet(&ctx, &fonts()).unwrap());
    let all = pdf.squeezed();
    for needle in [
        "张伟",
        "3101**********1234",
        "上海示例科技有限公司",
        "91310115MA1K4ABC2X",
        "浦东新区人才服务中心",
    ] {
        assert!(all.contains(needle), "{needle} missing from {all}");
    }
    assert!(all.contains("135分/标准分值120分"), "{all}");
    for visit in ctx["visits"].as_array().unwrap() {
        assert!(all.contains(visit["label"].as_str().unwrap()));
        for item in visit["items"].as_array().unwrap() {
            assert!(
                all.contains(item["label"].as_str().unwrap()),
                "{}",
                item["label"]
            );
            for file in item["files"].as_array().unwrap() {
                assert!(all.contains(file.as_str().unwrap()), "{file} missing");
            }
        }
    }
    assert!(all.contains("单位介绍信") && all.contains("经办人身份证"));
    assert!(
        all.contains(ctx["fingerprint"].as_str().unwrap()),
        "the fingerprint"
    );
    assert!(all.contains("shanghai-residence-points2022.1") && all.contains("2026-11-26"));
    assert!(
        pdf.has_run(0, "第 1 / "),
        "page numbers: {:?}",
        pdf.pages[0]
    );
    assert!(
        !all.contains('\u{FFFD}'),
        "every glyph maps back to its character"
    );
}

#[test]
fn names_outside_gb2312_print() {
    let pdf = Parsed::new(&cover_sheet(&fixture("cover-family"), &fonts()).unwrap());
    assert!(pdf.has_run(0, "王喆堃"), "{:?}", pdf.pages[0]);
    let all = pdf.squeezed();
    for name in [
        "上海堃喆信息技术有限公司",
        "漕溪北路331号",
        "子女出生医学证明（4）",
    ] {
        assert!(all.contains(name), "{name}");
    }
    assert!(
        pdf.pages.len() >= 2,
        "four children spill onto a second page"
    );
    assert!(pdf.has_run(
        pdf.pages.len() - 1,
        &format!("第 {n} / {n} 页", n = pdf.pages.len())
    ));
}

#[test]
fn the_counter_checklist_lists_who_does_not_go_today_first_and_employees_share_pages() {
    let ctx = fixture("checklist-3");
    let pdf = Parsed::new(&counter_checklist(&ctx, &fonts()).unwrap());
    let names: Vec<&str> = ctx["employees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["applicant"]["name"].as_str().unwrap())
        .collect();
    let mut pages_seen = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let heading = format!("{}. {name}", i + 1);
        let page = (0..pdf.pages.len())
            .find(|&p| pdf.has_run(p, &heading))
            .unwrap_or_else(|| panic!("{heading}"));
        pages_seen.push(page);
    }
    assert!(
        pages_seen.windows(2).all(|w| w[0] <= w[1]),
        "{pages_seen:?}"
    );
    // Not silently dropped: who does not go today, with the reason, on the first page.
    let first: String = pdf.pages[0].concat().split_whitespace().collect();
    assert!(first.contains("今天不办理"), "{first}");
    for n in ctx["not_today"].as_array().unwrap() {
        for key in ["name", "id_masked"] {
            assert!(first.contains(n[key].as_str().unwrap()), "{key}: {first}");
        }
    }
    assert!(first.contains("未达到标准分120分"), "{first}");

    // One visit of one item each (打印积分通知书: the ID card): three employees on one page,
    // not a page each.
    let mut one = ctx.clone();
    one["visit"] = serde_json::json!({"no": 3, "id": "notice-print", "label": "打印积分通知书"});
    for e in one["employees"].as_array_mut().unwrap() {
        let v = e["visits"][2].clone();
        e["visits"] = serde_json::json!([v]);
    }
    one["hr_items"] = serde_json::json!([]);
    let pdf1 = Parsed::new(&counter_checklist(&one, &fonts()).unwrap());
    let on_page: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (0..pdf1.pages.len())
                .find(|&p| pdf1.has_run(p, &format!("{}. {name}", i + 1)))
                .unwrap()
        })
        .collect();
    assert!(
        on_page.windows(2).any(|w| w[0] == w[1]) && pdf1.pages.len() < names.len(),
        "{on_page:?} of {} pages",
        pdf1.pages.len()
    );
    let all1 = pdf1.squeezed();
    for name in &names {
        let squeezed: String = name.split_whitespace().collect();
        assert!(all1.contains(&squeezed), "{name}");
    }
    assert!(all1.contains("本清单只列第3次窗口"), "{all1}");
    assert!(
        !all1.contains("学历认证及档案审核"),
        "other visits left out"
    );

    // The HR items come once, at the top.
    let hr: usize = pdf
        .pages
        .iter()
        .flatten()
        .filter(|r| r.contains("单位介绍信"))
        .count();
    assert_eq!(hr, 1);
    let all = pdf.squeezed();
    for child in ["王玥", "王珺", "王昇", "王旻"] {
        assert!(all.contains(child), "{child}");
    }
    for e in ctx["employees"].as_array().unwrap() {
        for visit in e["visits"].as_array().unwrap() {
            for item in visit["items"].as_array().unwrap() {
                assert!(all.contains(item["label"].as_str().unwrap()));
            }
        }
    }
}

#[test]
fn a_one_employee_checklist_is_one_small_page_with_a_subset_font() {
    let bytes = counter_checklist(&fixture("checklist-1"), &fonts()).unwrap();
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let pdf = Parsed::new(&bytes);
    assert_eq!(pdf.pages.len(), 1);
    let (_, page) = pdf.doc.get_pages().into_iter().next().unwrap();
    let fonts = pdf.doc.get_page_fonts(page).unwrap();
    assert_eq!(fonts.len(), 1, "one embedded font, no standard-14 fallback");
    let base = fonts
        .values()
        .next()
        .unwrap()
        .get(b"BaseFont")
        .unwrap()
        .as_name()
        .unwrap();
    let base = String::from_utf8_lossy(base);
    assert!(
        base.len() > 7
            && base.as_bytes()[6] == b'+'
            && base[..6].bytes().all(|b| b.is_ascii_uppercase()),
        "subset tag: {base}"
    );
}

#[test]
fn same_input_same_bytes_whatever_was_rendered_before() {
    let ctx = fixture("cover-typical");
    let first = cover_sheet(&ctx, &fonts()).unwrap();
    counter_checklist(&fixture("checklist-1"), &fonts()).unwrap();
    let second = cover_sheet(&ctx, &fonts()).unwrap();
    assert!(first == second, "a second rendering differs");
    let mut other = ctx.clone();
    other["applicant"]["name"] = json!("李四");
    let third = Parsed::new(&cover_sheet(&other, &fonts()).unwrap());
    let ids = |p: &Parsed| p.doc.trailer.get(b"ID").unwrap().clone();
    assert_ne!(
        ids(&Parsed::new(&first)),
        ids(&third),
        "the /ID follows the content"
    );
}

#[test]
fn the_pdf_dates_come_from_the_context() {
    let pdf = Parsed::new(&cover_sheet(&fixture("cover-typical"), &fonts()).unwrap());
    assert_eq!(pdf.info(b"CreationDate"), b"D:20261126000000+00'00'");
    assert_eq!(pdf.info(b"ModDate"), b"D:20261126000000+00'00'");
}

#[test]
fn data_cannot_break_the_markup() {
    let mut ctx = fixture("cover-typical");
    ctx["applicant"]["name"] = json!("张|伟\\ {page}\nrow: x");
    let pdf = Parsed::new(&cover_sheet(&ctx, &fonts()).unwrap());
    assert!(
        pdf.has_run(0, "张|伟\\ {page} row: x"),
        "{:?}",
        pdf.pages[0]
    );
}

#[test]
fn a_character_no_font_has_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subset.otf");
    std::fs::write(
        &path,
        include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf"),
    )
    .unwrap();
    let mut ctx = fixture("cover-typical");
    ctx["applicant"]["name"] = json!("张𠀀");
    let err = cover_sheet(&ctx, &Fonts::from_file(&path, 0).unwrap()).unwrap_err();
    assert!(matches!(err, RenderError::MissingGlyphs { .. }), "{err:?}");
    assert!(
        err.to_string().contains("𠀀 (U+20000)") && err.to_string().contains("subset.otf"),
        "{err}"
    );

    ctx["applicant"]["name"] = json!("张\u{F0002}");
    let err = cover_sheet(&ctx, &fonts()).unwrap_err().to_string();
    assert!(err.contains("U+F0002") && err.contains("--font"), "{err}");
}

#[test]
fn context_and_template_problems_are_errors_not_panics() {
    let mut ctx = fixture("cover-typical");
    ctx["date"] = json!("2026-02-30");
    let err = cover_sheet(&ctx, &fonts()).unwrap_err();
    assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    let err = cover_sheet(&json!([1, 2]), &fonts()).unwrap_err();
    assert!(matches!(err, RenderError::Context(_)), "{err:?}");
    let mut ctx = fixture("cover-typical");
    ctx.as_object_mut().unwrap().remove("visits");
    let err = cover_sheet(&ctx, &fonts()).unwrap_err();
    assert!(
        err.to_string().contains("templates/cover.tera") && err.to_string().contains("visits"),
        "{err}"
    );
}

#[test]
fn the_templates_document_their_markup() {
    for src in [
        include_str!("../../templates/cover.tera"),
        include_str!("../../templates/checklist.tera"),
    ] {
        for directive in [
            "# ",
            "## ",
            "p:",
            "kv:",
            "table:",
            "head:",
            "row:",
            "endtable",
            "pagebreak",
            "footer:",
            "[ ]",
        ] {
            assert!(src.contains(directive), "{directive}");
        }
        assert!(src.contains("docs/templates.md"));
    }
}

#[test]
fn a_character_beyond_the_subset_falls_back_to_an_installed_cjk_font() {
    // 㑇 (CJK Extension A) is outside the embedded subset but in Noto Sans CJK SC.
    if !std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists() {
        eprintln!("skipped: Noto Sans CJK is not installed here");
        return;
    }
    let mut ctx = fixture("cover-typical");
    ctx["applicant"]["name"] = json!("王㑇");
    let pdf = Parsed::new(&cover_sheet(&ctx, &fonts()).unwrap());
    assert!(pdf.has_run(0, "王㑇"), "{:?}", pdf.pages[0]);
    // ... which the embedded subset alone could not have drawn:
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subset.otf");
    std::fs::write(
        &path,
        include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf"),
    )
    .unwrap();
    assert!(cover_sheet(&ctx, &Fonts::from_file(&path, 0).unwrap()).is_err());
}

#[test]
fn the_renderer_counts_the_pages_it_laid_out() {
    for (name, r) in [
        (
            "cover-family",
            cover_sheet(&fixture("cover-family"), &fonts()),
        ),
        (
            "checklist-1",
            counter_checklist(&fixture("checklist-1"), &fonts()),
        ),
    ] {
        let r = r.unwrap();
        let parsed = lopdf::Document::load_mem(&r.bytes)
            .unwrap()
            .get_pages()
            .len();
        assert_eq!(r.pages, parsed, "{name}");
        assert!(r.pages >= 1, "{name}");
    }
}
