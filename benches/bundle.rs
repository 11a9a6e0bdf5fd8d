//! Throughput of bagging: 25 scans of 1–3 MB (incompressible bytes, `.jpg` names, so stored)
//! written to a temp folder, bagged with `write_bag`, then verified with `verify`; for scale,
//! `openssl dgst -sha256` over the same files in the same run (skipped when openssl is absent).
//! Run with `cargo bench --bench bundle`.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use dossier::bundle::{verify, write_bag, BagSpec, IndexRow, PayloadEntry, PayloadSource};

const FILES: u64 = 25;

fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

fn main() {
    let dir = tempfile::tempdir().expect("temp folder");
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut total = 0u64;
    for i in 0..FILES {
        // 1.0, 1.5, 2.0, 2.5, 3.0 MB in turn.
        let len = 1_000_000 + (i % 5) as usize * 500_000;
        let path = dir.path().join(format!("{i:02}-scan.jpg"));
        fs::write(&path, noise(i + 1, len)).expect("write scan");
        total += len as u64;
        paths.push(path);
    }
    let payload = paths
        .iter()
        .enumerate()
        .map(|(i, p)| PayloadEntry {
            name: format!("{i:02}-扫描件.jpg"),
            source: PayloadSource::File(p.clone()),
            expected_sha256: None,
            index: Some(IndexRow {
                no: i as u32 + 1,
                item: "扫描件".into(),
                pages: 1,
            }),
        })
        .collect();
    let spec = BagSpec {
        name: "bench-0000".into(),
        bag_info: vec![("Source-Organization".into(), "bench".into())],
        payload,
        index_name: "目录.csv".into(),
        epoch: 1_767_225_600,
    };
    println!("payload: {FILES} files, {:.1} MB", total as f64 / 1e6);

    let out = dir.path().join("out");
    let t = Instant::now();
    let bag = write_bag(&spec, &out, false).expect("write_bag");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "write_bag: {secs:.3} s, {:.0} MB/s (zip {} bytes)",
        mb_per_s(total, secs),
        bag.bytes_written
    );

    let t = Instant::now();
    let report = verify(&bag.zip_path).expect("verify");
    let secs = t.elapsed().as_secs_f64();
    assert!(report.ok, "{:?}", report.problems);
    println!("verify:    {secs:.3} s, {:.0} MB/s", mb_per_s(total, secs));

    let t = Instant::now();
    match Command::new("openssl")
        .arg("dgst")
        .arg("-sha256")
        .args(&paths)
        .output()
    {
        Ok(o) if o.status.success() => {
            let secs = t.elapsed().as_secs_f64();
            println!(
                "openssl dgst -sha256 (same files): {secs:.3} s, {:.0} MB/s",
                mb_per_s(total, secs)
            );
        }
        _ => {}
    }
}
