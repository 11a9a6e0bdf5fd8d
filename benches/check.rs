//! How long `dossier check` takes on a realistic folder: 30 A4 pages scanned at 300 dpi as
//! JPEG (2480 × 3508, about 1–2 MB each, fake text so nothing is blank), spread over ten items
//! of three pages each. Prints the median of a few runs. Run with `cargo bench --bench check`.
//!
//! Target: well under a second for the 30 pages (the clerk runs it per employee, and a batch
//! runs it for dozens).

#[path = "../tests/suite/scans.rs"]
mod scans;

use std::time::Instant;

use dossier::checklist::DocSize;
use dossier::scan::{check, ScanLimits};

const ITEMS: usize = 10;
const PAGES: usize = 3;
const RUNS: usize = 5;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scans_dir = dir.path().join("scans");
    std::fs::create_dir(&scans_dir).expect("scans/");
    let (w, h) = (2480, 3508);
    let mut total = 0u64;
    let mut items = Vec::new();
    for i in 0..ITEMS {
        let slug = format!("document-{}", i + 1);
        for p in 0..PAGES {
            let seed = (i * PAGES + p) as u64;
            let bytes = scans::jpeg(w, h, &scans::text_page(w, h, seed), 72);
            total += bytes.len() as u64;
            std::fs::write(scans_dir.join(format!("{slug}-p{}.jpg", p + 1)), &bytes)
                .expect("write");
        }
        items.push(scans::item(
            &slug,
            &format!("材料{}", i + 1),
            PAGES as u32,
            DocSize::A4,
        ));
    }
    let checklist = scans::checklist_of(items);
    let files = ITEMS * PAGES;
    println!(
        "check: {files} A4 JPEG scans at 300 dpi ({w}×{h}), {:.1} MB in all, {:.2} MB each on average",
        total as f64 / 1e6,
        total as f64 / 1e6 / files as f64
    );

    let limits = ScanLimits::default();
    let (mut times, mut cpu) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let (started, cpu_before) = (Instant::now(), cpu_ms());
        let report = check(dir.path(), &checklist, &limits);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let cpu_used = cpu_ms()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        assert!(
            report.ready,
            "the benchmark folder must be ready: {:#?}",
            report.findings
        );
        match cpu_used {
            Some(c) => println!("  run {}: {ms:.0} ms wall, {c:.0} ms CPU", run + 1),
            None => println!("  run {}: {ms:.0} ms wall", run + 1),
        }
        times.push(ms);
        cpu.extend(cpu_used);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let wall = median(&mut times).unwrap_or(0.0);
    println!(
        "check: median {wall:.0} ms wall for {files} scans ({:.1} ms per scan, {:.0} MB/s, {} threads)",
        wall / files as f64,
        total as f64 / 1e6 / (wall / 1e3),
        rayon::current_num_threads()
    );
    if let Some(c) = median(&mut cpu) {
        // On a shared machine wall time depends on the neighbours; CPU time does not.
        println!(
            "check: median {c:.0} ms CPU ({:.1} ms CPU per scan)",
            c / files as f64
        );
    }
}

/// User + system CPU time of this process so far, from /proc (Linux; `None` elsewhere).
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0) // USER_HZ is 100 on Linux
}
