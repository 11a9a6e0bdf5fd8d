//! How long the PDFs take: `cargo bench --bench render`. Prints milliseconds per PDF for a
//! cover sheet and a 3-employee counter checklist, with the font's parsing counted and not
//! counted. `Fonts::embedded()` parses once per process and then shares the face, so the
//! "with font load" rounds parse the same font bytes from a file each time instead.
//! Target: the checklist under 300 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dossier::render::{counter_checklist, cover_sheet, Fonts};

const ROUNDS: u32 = 10;

fn fixture(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("fixture parses")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The mean and the fastest of `ROUNDS` runs, in milliseconds, after one warm-up run.
fn time(mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f();
        let took = start.elapsed();
        total += took;
        best = best.min(took);
    }
    (ms(total) / f64::from(ROUNDS), ms(best))
}

fn report(what: &str, (mean, best): (f64, f64)) {
    println!("{what:46} {mean:7.1} ms mean, {best:7.1} ms best");
}

fn main() {
    let cover = fixture(include_str!("../tests/fixtures/render/cover-typical.json"));
    let checklist = fixture(include_str!("../tests/fixtures/render/checklist-3.json"));

    let start = Instant::now();
    let fonts = Fonts::embedded().expect("embedded font");
    println!(
        "{:46} {:7.1} ms",
        "first Fonts::embedded() (parses the font)",
        ms(start.elapsed())
    );

    let dir = std::env::temp_dir().join(format!("dossier-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let font_file = dir.join("NotoSansSC-Regular-subset.otf");
    std::fs::write(
        &font_file,
        include_bytes!("../assets/fonts/NotoSansSC-Regular-subset.otf"),
    )
    .expect("font file");
    let load = || Fonts::from_file(&font_file, 0).expect("font");

    report(
        "font load (embedded font's bytes, from a file)",
        time(|| drop(black_box(load()))),
    );
    report(
        "cover sheet, font loaded",
        time(|| drop(black_box(cover_sheet(&cover, &fonts).expect("cover")))),
    );
    report(
        "3-employee counter checklist, font loaded",
        time(|| {
            drop(black_box(
                counter_checklist(&checklist, &fonts).expect("checklist"),
            ))
        }),
    );
    report(
        "cover sheet, with font load",
        time(|| drop(black_box(cover_sheet(&cover, &load()).expect("cover")))),
    );
    report(
        "3-employee counter checklist, with font load",
        time(|| {
            drop(black_box(
                counter_checklist(&checklist, &load()).expect("checklist"),
            ))
        }),
    );
    let _ = std::fs::remove_dir_all(&dir);

    let sizes = [
        ("cover sheet", cover_sheet(&cover, &fonts).map(|b| b.len())),
        (
            "3-employee counter checklist",
            counter_checklist(&checklist, &fonts).map(|b| b.len()),
        ),
    ];
    for (what, size) in sizes {
        println!("{what:46} {:7} bytes", size.expect("renders"));
    }
}
