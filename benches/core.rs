//! Benchmark: `checklist` and `score` for one employee (goal: under 20 ms for the whole
//! process). Prints figures; asserts nothing. Run: `cargo bench --bench core`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use dossier::date::Date;
use dossier::profile::Profile;
use dossier::rules::{Env, Rulebook};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        v.push(t.elapsed());
    }
    median(v)
}

fn main() {
    let date = Date::new(2026, 11, 26).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei");
    let t = Instant::now();
    let book = Rulebook::builtin().expect("built-in rulebook");
    let cold = t.elapsed().as_secs_f64() * 1000.0;
    let districts = book.district_names();
    let profile =
        Profile::load(&dir.join("applicant.toml"), &districts, date).expect("example applicant");
    let env = Env::new(&book, &profile, date).expect("example record");

    println!("dossier core benchmark (median of runs, one employee: examples/zhang-wei)");
    println!("  rulebook parse + CEL compile, first in process {cold:8.3} ms");
    println!(
        "  rulebook parse + CEL compile   {:8.3} ms",
        time(50, || Rulebook::builtin().unwrap())
    );
    println!(
        "  applicant.toml load + validate {:8.3} ms",
        time(200, || Profile::load(
            &dir.join("applicant.toml"),
            &districts,
            date
        )
        .unwrap())
    );
    println!(
        "  checklist resolve              {:8.3} ms",
        time(200, || dossier::checklist::resolve(&book, &profile, &env)
            .unwrap())
    );
    println!(
        "  score                          {:8.3} ms",
        time(200, || dossier::score::score(&book, &profile, &env)
            .unwrap())
    );

    let bin = env!("CARGO_BIN_EXE_dossier");
    for cmd in ["checklist", "score"] {
        let ms = time(30, || {
            let o = Command::new(bin)
                .args(["--date", "2026-11-26", cmd])
                .arg(&dir)
                .output()
                .expect("run dossier");
            assert!(o.status.success());
        });
        println!("  whole process `dossier {cmd}`  {ms:8.3} ms   (goal < 20 ms)");
    }
}
