//! The PDF renderer through its public API, on the sample contexts in `tests/fixtures/render/`.
//! Deeper checks of the PDF text live in `src/render/tests.rs`; `scripts/check-pdfs` runs
//! `write_sample_pdfs` and inspects the files with poppler and qpdf.

use std::path::PathBuf;

use dossier::render::{counter_checklist, cover_sheet, Fonts, RenderError};

fn fixture(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/render")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn render(name: &str, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    let ctx = fixture(name);
    if name.starts_with("cover") {
        cover_sheet(&ctx, fonts).map(|r| r.bytes)
    } else {
        counter_checklist(&ctx, fonts).map(|r| r.bytes)
    }
}

const SAMPLES: [&str; 4] = [
    "cover-typical",
    "cover-family",
    "checklist-1",
    "checklist-3",
];

#[test]
fn every_sample_renders_to_a_pdf_that_parses() {
    let fonts = Fonts::embedded().unwrap();
    for name in SAMPLES {
        let bytes = render(name, &fonts).unwrap();
        assert!(bytes.starts_with(b"%PDF-1."), "{name}");
        let doc = lopdf::Document::load_mem(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!doc.get_pages().is_empty(), "{name}");
        assert!(
            bytes.len() < 200_000,
            "{name}: {} bytes: is the font subset?",
            bytes.len()
        );
    }
}

#[test]
fn a_system_font_file_with_a_face_index_works() {
    let ttc = PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    if !ttc.exists() {
        eprintln!("skipped: {} is not installed", ttc.display());
        return;
    }
    let fonts = Fonts::from_file(&ttc, 2).unwrap();
    let bytes = render("cover-family", &fonts).unwrap();
    assert!(lopdf::Document::load_mem(&bytes).is_ok());
}

/// Writes the sample PDFs into `$DOSSIER_PDF_OUT` (for `scripts/check-pdfs` and for looking at
/// them). Ignored by default: it writes files.
#[test]
#[ignore]
fn write_sample_pdfs() {
    let out = PathBuf::from(
        std::env::var_os("DOSSIER_PDF_OUT").expect("set DOSSIER_PDF_OUT to a folder"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let fonts = Fonts::embedded().unwrap();
    for name in SAMPLES {
        std::fs::write(
            out.join(format!("{name}.pdf")),
            render(name, &fonts).unwrap(),
        )
        .unwrap();
    }
}
