//! Scan sniffing and content checks: any bytes, under any extension and item expectation, give
//! an inspection (problems or a kind), never a panic, in bounded time and memory. The first byte
//! chooses the extension, the accepted types and the document size; the rest is the file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

use dossier::checklist::DocSize;
use dossier::scan::content::{inspect, is_blank, Expect};
use dossier::scan::sniff::sniff;
use dossier::scan::ScanLimits;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let _ = sniff(body);
    let _ = is_blank(body);
    let ext = ["pdf", "jpg", "png", "jpeg", "txt", ""][usize::from(sel & 7) % 6];
    let accept: Vec<String> = match (sel >> 3) & 3 {
        0 => vec![],
        1 => vec!["pdf".into()],
        2 => vec!["jpg".into(), "png".into()],
        _ => vec!["pdf".into(), "jpg".into(), "png".into()],
    };
    let size = match (sel >> 5) % 3 {
        0 => DocSize::Card,
        1 => DocSize::Booklet,
        _ => DocSize::A4,
    };
    let mut f = tempfile::Builder::new()
        .suffix(&format!(".{ext}"))
        .tempfile()
        .expect("temp file");
    f.write_all(body).expect("write");
    f.flush().expect("flush");
    let expect = Expect {
        ext,
        accept: &accept,
        size,
        label: "身份证",
    };
    let ins = inspect(f.path(), &expect, &ScanLimits::default());
    if ins.kind.is_none() {
        assert!(!ins.problems.is_empty(), "no kind and no problem");
    }
});
