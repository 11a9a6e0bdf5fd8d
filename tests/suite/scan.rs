//! The scan check against generated employee folders: a complete folder is ready; each fault
//! is caught with the right item status and finding code; the folder is never modified.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::scans::*;
use dossier::checklist::{Checklist, DocSize};
use dossier::finding::{Code, Severity};
use dossier::scan::{check, CheckReport, FileKind, ItemStatus, ScanLimits};
use unicode_normalization::UnicodeNormalization;

/// An employee folder in a temp dir, with files written under `scans/`.
struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("scans")).expect("scans/");
        Folder { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, rel: &str, bytes: &[u8]) -> &Folder {
        let path = self.path().join("scans").join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
        self
    }

    fn check(&self, checklist: &Checklist) -> CheckReport {
        check(self.path(), checklist, &ScanLimits::default())
    }
}

/// A complete folder named by slugs.
fn complete_by_slugs() -> Folder {
    let f = Folder::new();
    f.file("id-card-front.jpg", &text_jpeg(CARD.0, CARD.1, 1))
        .file("id-card-back.jpg", &text_jpeg(CARD.0, CARD.1, 2))
        .file("hukou-booklet.pdf", &pdf(2, 3))
        .file("labour-contract.jpg", &text_jpeg(A4.0, A4.1, 4))
        .file(
            "child-1-birth-certificate.png",
            &text_png(BOOKLET.0, BOOKLET.1, 5),
        )
        .file("spouse-id-card_1.png", &text_png(CARD.0, CARD.1, 6))
        .file("spouse-id-card_2.png", &text_png(CARD.0, CARD.1, 7));
    f
}

/// The same documents named by their Chinese labels, with part suffixes and a sub-folder.
fn complete_by_labels() -> Folder {
    let f = Folder::new();
    f.file("身份证-正面.jpg", &text_jpeg(CARD.0, CARD.1, 1))
        .file("身份证（反面）.JPG", &text_jpeg(CARD.0, CARD.1, 2))
        .file("户口簿/首页.jpg", &text_jpeg(BOOKLET.0, BOOKLET.1, 3))
        .file("户口簿/本人页.jpg", &text_jpeg(BOOKLET.0, BOOKLET.1, 33))
        .file("劳动合同 p1.pdf", &pdf(3, 4))
        .file(
            "子女出生医学证明（1）.png",
            &text_png(BOOKLET.0, BOOKLET.1, 5),
        )
        .file("配偶身份证_2.jpg", &text_jpeg(CARD.0, CARD.1, 7))
        .file("配偶身份证_10.jpg", &text_jpeg(CARD.0, CARD.1, 8));
    f
}

fn status(report: &CheckReport, slug: &str) -> ItemStatus {
    report
        .items
        .iter()
        .find(|i| i.slug == slug)
        .unwrap_or_else(|| panic!("no item {slug}"))
        .status
}

fn codes(report: &CheckReport) -> Vec<(Code, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| (f.code, f.slug.clone()))
        .collect()
}

/// Asserts that `code` was reported about `slug` (or about no item, with `None`) and returns it.
fn finding<'a>(
    report: &'a CheckReport,
    code: Code,
    slug: Option<&str>,
) -> &'a dossier::finding::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code && f.slug.as_deref() == slug)
        .unwrap_or_else(|| panic!("no {code} finding for {slug:?}; got {:?}", codes(report)))
}

fn assert_ready(report: &CheckReport) {
    assert!(report.ready, "not ready: {:#?}", report.findings);
    assert!(
        report.findings.is_empty(),
        "unexpected findings: {:#?}",
        report.findings
    );
}

#[test]
fn complete_folder_named_by_slugs_is_ready() {
    let c = family_checklist();
    let report = complete_by_slugs().check(&c);
    assert_ready(&report);
    let slugs: Vec<&str> = report.items.iter().map(|i| i.slug.as_str()).collect();
    // HR items are not expected in scans/; the optional tax certificate is absent without fault.
    assert_eq!(
        slugs,
        [
            "id-card",
            "hukou-booklet",
            "labour-contract",
            "child-1-birth-certificate",
            "spouse-id-card",
            "tax-certificate"
        ]
    );
    assert_eq!(status(&report, "tax-certificate"), ItemStatus::Missing);
    let id = &report.items[0];
    assert_eq!(id.status, ItemStatus::Ok);
    let parts: Vec<&str> = id.files.iter().map(|f| f.part.as_str()).collect();
    assert_eq!(parts, ["back", "front"]);
    let hukou = &report.items[1];
    assert_eq!(
        (hukou.files[0].kind, hukou.files[0].pages),
        (FileKind::Pdf, 2),
        "a 2-page PDF is two parts"
    );
    assert_eq!(report.items[3].files[0].kind, FileKind::Png);
}

#[test]
fn complete_folder_named_by_chinese_labels_with_parts_is_ready() {
    let c = family_checklist();
    let report = complete_by_labels().check(&c);
    assert_ready(&report);
    let parts = |slug: &str| -> Vec<String> {
        report
            .items
            .iter()
            .find(|i| i.slug == slug)
            .expect("item")
            .files
            .iter()
            .map(|f| f.part.clone())
            .collect()
    };
    // Parts the rulebook names come in its order; the rest in natural order.
    assert_eq!(parts("id-card"), ["正面", "反面"]);
    assert_eq!(parts("hukou-booklet"), ["首页", "本人页"]);
    assert_eq!(parts("labour-contract"), ["p1"]);
    // Natural order: 2 before 10.
    assert_eq!(parts("spouse-id-card"), ["2", "10"]);
    let id = &report.items[0];
    assert_eq!(id.files[1].rel, "scans/身份证（反面）.JPG");
    assert_eq!(id.files[1].ext, "jpg");
}

/// Pages typed with a Chinese input method in full-width mode (`（１０）`) used to sort as text:
/// page 10 before page 2, and the bundle names kept the full-width digits.
#[test]
fn full_width_page_numbers_sort_as_numbers_and_name_parts_in_ascii() {
    let c = family_checklist();
    let f = Folder::new();
    for (i, n) in ["２", "１０", "1"].iter().enumerate() {
        f.file(
            &format!("劳动合同（{n}）.png"),
            &text_png(A4.0, A4.1, 60 + i as u64),
        );
    }
    let report = f.check(&c);
    let item = report
        .items
        .iter()
        .find(|i| i.slug == "labour-contract")
        .expect("item");
    let parts: Vec<&str> = item.files.iter().map(|f| f.part.as_str()).collect();
    assert_eq!(parts, ["1", "2", "10"]);
}

#[test]
fn nfc_and_nfd_spellings_of_a_label_match_the_same_item() {
    let c = checklist_of(vec![item(
        "diploma",
        "Diplôme 学位证书",
        1,
        DocSize::Booklet,
    )]);
    for (i, name) in ["Diplôme 学位证书.jpg", "DIPLÔME学位证书.jpg"]
        .into_iter()
        .enumerate()
    {
        for form in [
            name.nfc().collect::<String>(),
            name.nfd().collect::<String>(),
        ] {
            let f = Folder::new();
            f.file(&form, &text_jpeg(BOOKLET.0, BOOKLET.1, 40 + i as u64));
            let report = f.check(&c);
            assert_ready(&report);
            assert_eq!(report.items[0].files.len(), 1, "{form:?} should match");
        }
    }
}

#[test]
fn a_missing_item_is_an_error_and_not_ready() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    let report = f.check(&c);
    assert!(!report.ready);
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Missing);
    let missing = finding(&report, Code::MissingItem, Some("labour-contract"));
    assert_eq!(missing.severity, Severity::Error);
    assert!(missing.message.zh.contains("劳动合同"));
    assert_eq!(report.findings.len(), 1, "{:?}", codes(&report));
}

#[test]
fn a_scans_folder_under_another_name_is_named_with_the_rename_to_do() {
    let c = family_checklist();
    for name in ["扫描件", "Scans", "scan"] {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join(name)).expect("mkdir");
        let report = check(dir.path(), &c, &ScanLimits::default());
        let f = &report.findings[0];
        assert_eq!(f.code, Code::ScansFolderMissing);
        assert!(
            f.message.zh.contains(&format!("{name}/")) && f.message.zh.contains("改名为 scans"),
            "{}",
            f.message
        );
    }
}

#[test]
fn a_missing_scans_folder_means_every_required_item_is_missing() {
    let c = family_checklist();
    let dir = tempfile::tempdir().expect("tempdir");
    let report = check(dir.path(), &c, &ScanLimits::default());
    assert!(!report.ready);
    assert_eq!(report.findings[0].code, Code::ScansFolderMissing);
    let missing: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::MissingItem)
        .filter_map(|f| f.slug.as_deref())
        .collect();
    assert_eq!(
        missing,
        [
            "id-card",
            "hukou-booklet",
            "labour-contract",
            "child-1-birth-certificate",
            "spouse-id-card"
        ]
    );
}

#[test]
fn too_few_parts_counts_images_and_pdf_pages() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/id-card-back.jpg")).expect("rm");
    f.file("hukou-booklet.pdf", &pdf(1, 3));
    let report = f.check(&c);
    assert_eq!(status(&report, "id-card"), ItemStatus::Invalid);
    assert_eq!(status(&report, "hukou-booklet"), ItemStatus::Invalid);
    assert!(finding(&report, Code::TooFewParts, Some("id-card"))
        .message
        .zh
        .contains("1"));
    finding(&report, Code::TooFewParts, Some("hukou-booklet"));
    assert!(!report.ready);
}

#[test]
fn a_zero_byte_file_is_caught() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file("labour-contract.jpg", b"");
    let report = f.check(&c);
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
    let e = finding(&report, Code::EmptyFile, Some("labour-contract"));
    assert_eq!(e.path.as_deref(), Some("scans/labour-contract.jpg"));
    assert!(!report.ready);
}

#[test]
fn a_truncated_jpeg_is_caught() {
    let c = family_checklist();
    let f = complete_by_slugs();
    let whole = text_jpeg(A4.0, A4.1, 4);
    f.file("labour-contract.jpg", &whole[..whole.len() * 2 / 3]);
    let report = f.check(&c);
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
    finding(&report, Code::Truncated, Some("labour-contract"));
    assert_eq!(report.findings.len(), 1, "{:?}", codes(&report));
}

#[test]
fn a_truncated_png_and_a_cut_off_pdf_are_caught() {
    let c = family_checklist();
    let f = complete_by_slugs();
    let png = text_png(BOOKLET.0, BOOKLET.1, 5);
    f.file("child-1-birth-certificate.png", &png[..png.len() / 2]);
    let pdf = pdf(2, 3);
    f.file("hukou-booklet.pdf", &pdf[..pdf.len() - 30]);
    let report = f.check(&c);
    finding(&report, Code::Truncated, Some("child-1-birth-certificate"));
    finding(&report, Code::Truncated, Some("hukou-booklet"));
    assert_eq!(status(&report, "hukou-booklet"), ItemStatus::Invalid);
}

#[test]
fn garbage_after_a_valid_header_is_corrupt() {
    let c = family_checklist();
    let f = complete_by_slugs();
    let mut jpeg = text_jpeg(A4.0, A4.1, 4);
    let n = jpeg.len();
    for b in &mut jpeg[200..n / 2] {
        *b = 0xFF;
    }
    f.file("labour-contract.jpg", &jpeg);
    f.file(
        "hukou-booklet.pdf",
        b"%PDF-1.4\nthis is not a pdf at all\n%%EOF\n",
    );
    let report = f.check(&c);
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
    assert!(report
        .findings
        .iter()
        .any(|f| f.slug.as_deref() == Some("labour-contract")
            && matches!(f.code, Code::Corrupt | Code::Truncated)));
    finding(&report, Code::Corrupt, Some("hukou-booklet"));
}

#[test]
fn png_bytes_named_pdf_are_caught_by_content() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    f.file("labour-contract.pdf", &text_png(A4.0, A4.1, 4));
    let report = f.check(&c);
    let e = finding(&report, Code::TypeMismatch, Some("labour-contract"));
    assert!(
        e.message.zh.contains(".pdf") && e.message.zh.contains("PNG"),
        "{}",
        e.message
    );
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
    assert_eq!(report.items[2].files[0].kind, FileKind::Png);
    assert!(!report.ready);
}

#[test]
fn other_content_and_types_the_item_does_not_accept() {
    let mut c = family_checklist();
    c.items[2].accept = vec!["pdf".into()];
    let f = complete_by_slugs();
    f.file(
        "child-1-birth-certificate.png",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    );
    let report = f.check(&c);
    let heic = finding(
        &report,
        Code::UnsupportedType,
        Some("child-1-birth-certificate"),
    );
    assert!(heic.message.zh.contains("HEIC"));
    assert!(heic.hint.zh.contains("手机的 HEIC 照片"), "{}", heic.hint);
    finding(&report, Code::TypeNotAccepted, Some("labour-contract"));
    assert_eq!(
        status(&report, "child-1-birth-certificate"),
        ItemStatus::Invalid
    );
}

/// The hint for a GIF or a Word file used to talk about phone HEIC photos.
#[test]
fn the_hint_for_an_unsupported_type_fits_the_type() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file(
        "child-1-birth-certificate.png",
        b"GIF89a\x01\x00\x01\x00rest",
    );
    f.file("labour-contract.pdf", b"PK\x03\x04word/document.xml");
    let report = f.check(&c);
    let gif = finding(
        &report,
        Code::UnsupportedType,
        Some("child-1-birth-certificate"),
    );
    assert!(!gif.hint.zh.contains("HEIC"), "{}", gif.hint);
    let word = finding(&report, Code::UnsupportedType, Some("labour-contract"));
    assert!(word.hint.zh.contains("另存为 PDF"), "{}", word.hint);
    assert!(!word.hint.zh.contains("HEIC"), "{}", word.hint);
}

#[test]
fn a_200_by_280_image_is_too_small_for_any_item() {
    let c = family_checklist();
    let f = complete_by_slugs();
    let tiny = text_jpeg(200, 280, 9);
    f.file("labour-contract.jpg", &tiny)
        .file("id-card-front.jpg", &tiny);
    fs::remove_file(f.path().join("scans/hukou-booklet.pdf")).expect("rm");
    f.file("hukou-booklet-1.jpg", &text_jpeg(200, 280, 10))
        .file("hukou-booklet-2.jpg", &text_jpeg(280, 200, 11));
    let report = f.check(&c);
    for slug in ["labour-contract", "id-card", "hukou-booklet"] {
        finding(&report, Code::LowResolution, Some(slug));
        assert_eq!(status(&report, slug), ItemStatus::Invalid);
    }
    assert!(
        finding(&report, Code::LowResolution, Some("labour-contract"))
            .hint
            .zh
            .contains("150 dpi")
    );
}

#[test]
fn a_blank_page_is_caught_and_a_text_page_is_not() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file(
        "labour-contract.jpg",
        &jpeg(A4.0, A4.1, &blank_page(A4.0, A4.1, 1), 85),
    );
    f.file(
        "spouse-id-card_2.png",
        &png(CARD.0, CARD.1, &blank_page(CARD.0, CARD.1, 2)),
    );
    let report = f.check(&c);
    finding(&report, Code::BlankPage, Some("labour-contract"));
    let png = finding(&report, Code::BlankPage, Some("spouse-id-card"));
    assert_eq!(png.path.as_deref(), Some("scans/spouse-id-card_2.png"));
    assert_eq!(report.findings.len(), 2, "{:?}", codes(&report));
}

#[test]
fn the_same_scan_under_two_items_is_caught() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file(
        "spouse-id-card_1.png",
        &fs::read(f.path().join("scans/id-card-front.jpg")).expect("read"),
    );
    fs::rename(
        f.path().join("scans/spouse-id-card_1.png"),
        f.path().join("scans/spouse-id-card_1.jpg"),
    )
    .expect("mv");
    let report = f.check(&c);
    let a = finding(&report, Code::DuplicateContent, Some("id-card"));
    let b = finding(&report, Code::DuplicateContent, Some("spouse-id-card"));
    assert!(
        a.message.zh.contains("scans/spouse-id-card_1.jpg"),
        "{}",
        a.message
    );
    assert!(
        b.message.zh.contains("scans/id-card-front.jpg"),
        "{}",
        b.message
    );
    assert_eq!(status(&report, "id-card"), ItemStatus::Invalid);
    assert_eq!(status(&report, "spouse-id-card"), ItemStatus::Invalid);
    assert!(!report.ready);
}

#[test]
fn the_same_scan_twice_in_one_item_counts_once() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file(
        "id-card-back.jpg",
        &fs::read(f.path().join("scans/id-card-front.jpg")).expect("read"),
    );
    let report = f.check(&c);
    assert_eq!(
        finding(&report, Code::DuplicatePart, Some("id-card")).severity,
        Severity::Warning
    );
    finding(&report, Code::TooFewParts, Some("id-card"));
}

#[test]
fn a_stray_photo_is_a_warning_with_a_suggestion() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file("身分证-复印.jpg", &text_jpeg(CARD.0, CARD.1, 20))
        .file("IMG_20240101.jpg", &text_jpeg(CARD.0, CARD.1, 21));
    let report = f.check(&c);
    assert!(report.ready, "strays are warnings: {:#?}", report.findings);
    let typo = report
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some("scans/身分证-复印.jpg"))
        .expect("typo finding");
    assert_eq!(
        (typo.code, typo.severity),
        (Code::UnmatchedFile, Severity::Warning)
    );
    assert!(
        typo.message.zh.contains("身份证") && typo.hint.zh.contains("身份证"),
        "{typo:?}"
    );
    let photo = report
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some("scans/IMG_20240101.jpg"))
        .expect("photo");
    assert_eq!(photo.code, Code::UnmatchedFile);
    assert!(!photo.hint.zh.is_empty());
}

#[test]
fn a_stray_that_looks_like_a_missing_item_is_named_in_its_hint() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    f.file("劳働合同.jpg", &text_jpeg(A4.0, A4.1, 4));
    let report = f.check(&c);
    let missing = finding(&report, Code::MissingItem, Some("labour-contract"));
    assert!(
        missing.hint.zh.contains("scans/劳働合同.jpg"),
        "{}",
        missing.hint
    );
}

#[test]
fn os_junk_is_ignored_silently() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file("Thumbs.db", b"junk")
        .file(".DS_Store", b"junk")
        .file("._id-card-front.jpg", b"x");
    f.file("desktop.ini", b"[.ShellClassInfo]")
        .file("户口簿/~$草稿.docx", b"lock");
    assert_ready(&f.check(&c));
}

#[cfg(unix)]
#[test]
fn a_symlink_is_reported_and_never_followed() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    std::os::unix::fs::symlink("/etc/passwd", f.path().join("scans/labour-contract.jpg"))
        .expect("symlink");
    std::os::unix::fs::symlink("/etc", f.path().join("scans/etc")).expect("symlink dir");
    let report = f.check(&c);
    let link = finding(&report, Code::Symlink, Some("labour-contract"));
    assert!(link.message.zh.contains("/etc/passwd"));
    finding(&report, Code::Symlink, None);
    // Not followed: the link is no file of the item, nothing under /etc was looked at.
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Missing);
    assert!(report
        .items
        .iter()
        .all(|i| i.files.iter().all(|f| !f.rel.contains("labour-contract"))));
    assert!(!report.findings.iter().any(|f| f
        .path
        .as_deref()
        .is_some_and(|p| p.starts_with("scans/etc/"))));
    assert!(!report.ready);
}

#[cfg(unix)]
#[test]
fn a_scans_folder_that_is_a_symlink_is_not_followed() {
    let c = family_checklist();
    let elsewhere = complete_by_slugs();
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(elsewhere.path().join("scans"), dir.path().join("scans"))
        .expect("symlink");
    let report = check(dir.path(), &c, &ScanLimits::default());
    let link = finding(&report, Code::Symlink, None);
    assert_eq!(link.path.as_deref(), Some("scans"));
    assert!(report.items.iter().all(|i| i.files.is_empty()));
    assert!(!report.ready);
}

#[cfg(unix)]
#[test]
fn a_non_utf8_name_is_a_finding_not_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let c = family_checklist();
    let f = complete_by_slugs();
    let name = std::ffi::OsStr::from_bytes(b"\xC9\xED\xB7\xDD\xD6\xA4.jpg"); // 身份证 in GBK
    fs::write(
        f.path().join("scans").join(name),
        text_jpeg(CARD.0, CARD.1, 30),
    )
    .expect("write");
    let dir = std::ffi::OsStr::from_bytes(b"\xBB\xA7\xBF\xDA"); // 户口 in GBK
    fs::create_dir(f.path().join("scans").join(dir)).expect("mkdir");
    fs::write(f.path().join("scans").join(dir).join("a.jpg"), b"x").expect("write");
    let report = f.check(&c);
    let bad: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::NonUtf8Name)
        .filter_map(|f| f.path.as_deref())
        .collect();
    assert_eq!(bad.len(), 2, "{:?}", codes(&report));
    assert!(
        bad.iter()
            .all(|p| p.starts_with("scans/") && p.contains('\u{FFFD}')),
        "{bad:?}"
    );
    assert!(!report.ready);
}

#[test]
fn a_png_header_claiming_60000_by_60000_is_refused_from_the_header() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file("labour-contract.jpg", &png_claiming(60_000, 60_000));
    fs::rename(
        f.path().join("scans/labour-contract.jpg"),
        f.path().join("scans/labour-contract.png"),
    )
    .expect("mv");
    let started = std::time::Instant::now();
    let report = f.check(&c);
    assert!(
        started.elapsed().as_secs() < 10,
        "a bomb must not be decoded"
    );
    let bomb = finding(&report, Code::TooManyPixels, Some("labour-contract"));
    assert!(bomb.message.zh.contains("60000×60000"));
    // Refused before decoding: no decode finding for it.
    let about: Vec<Code> = report
        .findings
        .iter()
        .filter(|f| f.slug.as_deref() == Some("labour-contract"))
        .map(|f| f.code)
        .collect();
    assert_eq!(about, [Code::TooManyPixels]);
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
}

#[test]
fn an_encrypted_pdf_is_caught() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    f.file("labour-contract.pdf", &encrypted_pdf());
    let report = f.check(&c);
    finding(&report, Code::PdfEncrypted, Some("labour-contract"));
    assert_eq!(status(&report, "labour-contract"), ItemStatus::Invalid);
    assert!(!report.ready);
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let c = family_checklist();
    let f = complete_by_slugs();
    let limits = ScanLimits {
        max_file_bytes: 50_000,
        ..ScanLimits::default()
    };
    let report = check(f.path(), &c, &limits);
    let big = finding(&report, Code::FileTooLarge, Some("labour-contract"));
    assert_eq!(big.path.as_deref(), Some("scans/labour-contract.jpg"));
    assert!(report.items[2].files.is_empty());
    assert_eq!(ScanLimits::default().max_file_bytes, 20_000_000);
}

#[test]
fn two_files_naming_the_same_part_get_unique_parts() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file("old/labour-contract.jpg", &text_jpeg(A4.0, A4.1, 44));
    let report = f.check(&c);
    assert_eq!(
        finding(&report, Code::PartNameClash, Some("labour-contract")).severity,
        Severity::Warning
    );
    let parts: Vec<&str> = report.items[2]
        .files
        .iter()
        .map(|f| f.part.as_str())
        .collect();
    assert_eq!(parts, ["", "2"]);
    assert!(report.ready);
}

/// Every file under `dir` with its size, modification time and content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .map(|e| e.expect("walk"))
        .map(|e| {
            let meta = fs::symlink_metadata(e.path()).expect("meta");
            let content = if meta.is_file() {
                fs::read(e.path()).expect("read")
            } else {
                Vec::new()
            };
            (
                e.path().to_path_buf(),
                (meta.len(), meta.modified().expect("mtime"), content),
            )
        })
        .collect()
}

#[test]
fn the_folder_is_never_modified() {
    let c = family_checklist();
    let f = complete_by_labels();
    f.file("stray.jpg", &text_jpeg(CARD.0, CARD.1, 50))
        .file("身份证-空.jpg", b"")
        .file("Thumbs.db", b"junk");
    let whole = text_jpeg(A4.0, A4.1, 51);
    f.file("劳动合同-2.jpg", &whole[..whole.len() / 2]);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", f.path().join("scans/户口簿-链接.jpg"))
        .expect("symlink");
    let before = snapshot(f.path());
    let report = f.check(&c);
    assert!(!report.ready);
    assert_eq!(snapshot(f.path()), before);
}

#[test]
fn the_report_is_deterministic_and_serialises_as_the_spec_says() {
    let c = family_checklist();
    let f = complete_by_labels();
    f.file("stray.jpg", &text_jpeg(CARD.0, CARD.1, 60))
        .file("劳动合同-2.jpg", b"");
    let a = f.check(&c);
    let b = f.check(&c);
    assert_eq!(a, b);
    let json = serde_json::to_value(&a).expect("json");
    assert_eq!(json["ready"], false);
    assert_eq!(json["items"][0]["slug"], "id-card");
    assert_eq!(json["items"][0]["label"], "身份证");
    assert_eq!(json["items"][0]["status"], "ok");
    assert_eq!(json["items"][0]["files"][1], "scans/身份证（反面）.JPG");
    assert_eq!(json["items"][2]["status"], "invalid");
    let empty = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "empty-file")
        .expect("empty");
    assert_eq!(empty["severity"], "error");
    assert_eq!(empty["slug"], "labour-contract");
    assert_eq!(empty["path"], "scans/劳动合同-2.jpg");
    assert!(empty["message"].is_string() && empty["hint"].is_string());
    let stray = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "unmatched-file")
        .expect("stray");
    assert!(stray.get("slug").is_none());
}

#[test]
fn the_text_report_groups_by_item_with_marks_files_and_hints() {
    let c = family_checklist();
    let f = complete_by_labels();
    fs::remove_file(f.path().join("scans/子女出生医学证明（1）.png")).expect("rm");
    f.file("stray.jpg", &text_jpeg(CARD.0, CARD.1, 70));
    let report = f.check(&c);
    let p = dossier::printer::Printer::plain(
        dossier::printer::Format::Text,
        dossier::messages::Lang::En,
    );
    let text = dossier::commands::check_text(&p, &report, &c, false);
    assert!(text.contains("✓ 身份证 (id-card)"), "{text}");
    assert!(text.contains("scans/身份证-正面.jpg  [正面]"), "{text}");
    assert!(
        text.contains("✗ 子女出生医学证明（1） (child-1-birth-certificate)"),
        "{text}"
    );
    assert!(text.contains("error[missing-item]"), "{text}");
    assert!(
        text.contains("→ scan it and save it as scans/子女出生医学证明（1）.pdf"),
        "{text}"
    );
    assert!(!text.contains("扫描后存为"), "one language: {text}");
    assert!(
        text.contains("warning[unmatched-file] scans/stray.jpg"),
        "{text}"
    );
    assert!(text.contains("– 个人所得税纳税证明"), "{text}");
    assert!(
        !text.contains("经办人身份证"),
        "HR items are not scanned: {text}"
    );
    assert!(
        text.trim_end()
            .ends_with("not ready: 1 error(s), 1 warning(s)"),
        "{text}"
    );
}

#[test]
fn each_file_is_hashed_whole_whatever_the_decoder_read() {
    use sha2::Digest;
    let c = family_checklist();
    let f = complete_by_labels();
    let whole = text_jpeg(A4.0, A4.1, 80);
    f.file("劳动合同 p2.jpg", &whole[..whole.len() / 3]);
    let report = f.check(&c);
    let mut seen = 0;
    for file in report.items.iter().flat_map(|i| &i.files) {
        let bytes = fs::read(&file.path).expect("read");
        assert_eq!(
            file.sha256,
            <[u8; 32]>::from(sha2::Sha256::digest(&bytes)),
            "{}",
            file.rel
        );
        assert_eq!(file.bytes, bytes.len() as u64);
        seen += 1;
    }
    assert_eq!(seen, 9);
}

#[test]
fn scanned_pdf_pages_are_judged_like_images() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    // An A4 page scanned at 72 dpi.
    let low = text_jpeg(595, 842, 90);
    f.file(
        "labour-contract.pdf",
        &pdf_of(&[Page::Jpeg(low, 595, 842)], (595.0, 842.0), None),
    );
    // A booklet page and a blank back: one page with content, and the item needs two.
    let booklet_pt = (297.6, 419.5);
    let page = text_jpeg(BOOKLET.0, BOOKLET.1, 91);
    f.file(
        "hukou-booklet.pdf",
        &pdf_of(
            &[Page::Jpeg(page, BOOKLET.0, BOOKLET.1), Page::Empty],
            booklet_pt,
            None,
        ),
    );
    // A scan of blank paper.
    fs::remove_file(f.path().join("scans/child-1-birth-certificate.png")).expect("rm");
    let blank = jpeg(
        BOOKLET.0,
        BOOKLET.1,
        &blank_page(BOOKLET.0, BOOKLET.1, 92),
        85,
    );
    f.file(
        "child-1-birth-certificate.pdf",
        &pdf_of(&[Page::Jpeg(blank, BOOKLET.0, BOOKLET.1)], booklet_pt, None),
    );
    let report = f.check(&c);
    assert!(
        finding(&report, Code::LowResolution, Some("labour-contract"))
            .message
            .zh
            .contains("第 1 页")
    );
    let few = finding(&report, Code::TooFewParts, Some("hukou-booklet"));
    assert!(few.message.zh.contains("第 2 页空白"), "{}", few.message);
    finding(&report, Code::BlankPage, Some("child-1-birth-certificate"));
    assert_eq!(report.findings.len(), 3, "{:?}", codes(&report));
}

/// Scanner drivers also write lossless Flate images (grey, PNG-predicted, or 1-bit black and
/// white); a blank one used to pass unseen.
#[test]
fn flate_images_in_scanned_pdfs_are_judged_blank_or_not() {
    let c = family_checklist();
    let booklet_pt = (297.6, 419.5);
    let (w, h) = BOOKLET;
    let cases = [
        (
            "grey, no predictor, blank",
            flate_image(w, h, &blank_page(w, h, 5), false, false),
            true,
        ),
        (
            "grey, PNG Up rows, blank",
            flate_image(w, h, &blank_page(w, h, 6), true, false),
            true,
        ),
        (
            "1-bit, white paper",
            flate_image(w, h, &blank_page(w, h, 7), false, true),
            true,
        ),
        (
            "grey, text",
            flate_image(w, h, &text_page(w, h, 8), false, false),
            false,
        ),
        (
            "grey, PNG Up rows, text",
            flate_image(w, h, &text_page(w, h, 9), true, false),
            false,
        ),
        (
            "1-bit, text",
            flate_image(w, h, &text_page(w, h, 10), false, true),
            false,
        ),
    ];
    for (what, page, blank) in cases {
        let f = complete_by_slugs();
        fs::remove_file(f.path().join("scans/child-1-birth-certificate.png")).expect("rm");
        f.file(
            "child-1-birth-certificate.pdf",
            &pdf_of(&[page], booklet_pt, None),
        );
        let report = f.check(&c);
        let found = codes(&report).iter().any(|(code, slug)| {
            *code == Code::BlankPage && slug.as_deref() == Some("child-1-birth-certificate")
        });
        assert_eq!(found, blank, "{what}: {:?}", codes(&report));
        assert_eq!(
            report.findings.len(),
            usize::from(blank),
            "{what}: {:?}",
            codes(&report)
        );
    }
}

#[test]
fn a_scanned_pdf_at_150_dpi_with_duplex_blank_backs_is_ready() {
    let c = family_checklist();
    let f = complete_by_slugs();
    fs::remove_file(f.path().join("scans/labour-contract.jpg")).expect("rm");
    let pages: Vec<Page> = (0..3)
        .flat_map(|i| {
            [
                Page::Jpeg(text_jpeg(A4.0, A4.1, 100 + i), A4.0, A4.1),
                Page::Empty,
            ]
        })
        .collect();
    f.file("labour-contract.pdf", &pdf_of(&pages, (595.0, 842.0), None));
    // An app that sets one point per pixel: the page is huge, the image is judged by itself.
    fs::remove_file(f.path().join("scans/child-1-birth-certificate.png")).expect("rm");
    let (w, h) = BOOKLET;
    f.file(
        "child-1-birth-certificate.pdf",
        &pdf_of(
            &[Page::Jpeg(text_jpeg(w, h, 110), w, h)],
            (w as f64 * 3.0, h as f64 * 3.0),
            None,
        ),
    );
    let report = f.check(&c);
    assert_ready(&report);
    assert_eq!(report.items[2].files[0].pages, 6);
}

#[test]
fn damaged_files_never_crash_and_cut_files_never_pass() {
    let c = checklist_of(vec![item("doc", "文件", 1, DocSize::Card)]);
    let originals = [
        ("doc.jpg", text_jpeg(CARD.0, CARD.1, 120)),
        ("doc.png", text_png(CARD.0, CARD.1, 121)),
        ("doc.pdf", pdf(2, 122)),
    ];
    let mut rng = Rng::new(123);
    for (name, original) in &originals {
        for round in 0..30 {
            let mut bytes = original.clone();
            let cut = round % 3 == 0;
            match round % 3 {
                0 => bytes.truncate(rng.below(original.len() as u64 - 8) as usize),
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(bytes.len() as u64) as usize;
                        bytes[i] ^= 1 << rng.below(8);
                    }
                }
                _ => {
                    let at = rng.below(bytes.len() as u64) as usize;
                    let junk: Vec<u8> = (0..1 + rng.below(64))
                        .map(|_| rng.below(256) as u8)
                        .collect();
                    bytes.splice(at..at, junk);
                }
            }
            let f = Folder::new();
            f.file(name, &bytes);
            let report = f.check(&c);
            if cut {
                assert!(
                    !report.ready,
                    "{name} cut to {} of {} bytes passed",
                    bytes.len(),
                    original.len()
                );
            }
        }
    }
}

#[test]
fn an_exact_copy_under_the_same_part_is_one_warning_not_two() {
    let c = family_checklist();
    let f = complete_by_slugs();
    f.file(
        "copy/labour-contract.jpg",
        &fs::read(f.path().join("scans/labour-contract.jpg")).expect("read"),
    );
    let report = f.check(&c);
    let about: Vec<Code> = report
        .findings
        .iter()
        .filter(|f| f.slug.as_deref() == Some("labour-contract"))
        .map(|f| f.code)
        .collect();
    assert_eq!(about, [Code::DuplicatePart]);
    let parts: Vec<&str> = report.items[2]
        .files
        .iter()
        .map(|f| f.part.as_str())
        .collect();
    assert_eq!(parts, ["", "2"], "still unique for the bundle");
    assert!(report.ready);
}
