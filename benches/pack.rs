//! Benchmark: `dossier pack` on a synthetic department, against the floor (one-core
//! `openssl dgst -sha256` over the same bytes) and the usual manual pipeline (`python3 -m bagit`
//! then `zip -0 -r`, per employee), all on the same warm files in one run. Also a batch of N
//! packed in parallel against one at a time, and peak RSS (with /usr/bin/time when present).
//!
//! Also `dossier copies` of the same department (one PDF of every photocopy), seconds and MB/s
//! of scans read, beside pack's.
//!
//! Run: `cargo bench --bench pack` (N=20 employees × 25 scans by default; `DOSSIER_BENCH_N=200`
//! for a bigger run). Prints figures; asserts nothing. The corpus is cached in
//! `target/bench-corpus-N` and regenerated when missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DATE: &str = "2026-11-26";

fn main() {
    let n: usize = std::env::var("DOSSIER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-corpus-{n}"));
    let corpus = root.join("employees");
    // The stamp names what the corpus was made from, so a corpus cached by an older generator
    // (before a new item joined the example's checklist) is made again, not packed as not ready.
    let stamp = corpus_stamp();
    if std::fs::read_to_string(corpus.join(".complete"))
        .ok()
        .as_deref()
        != Some(stamp.as_str())
    {
        let t = Instant::now();
        let _ = std::fs::remove_dir_all(&root);
        make_corpus(&corpus, n);
        std::fs::write(corpus.join(".complete"), &stamp).unwrap();
        eprintln!("corpus generated in {:.1} s", t.elapsed().as_secs_f64());
    }
    let scans: Vec<PathBuf> = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && e.path().components().any(|c| c.as_os_str() == "scans")
        })
        .map(|e| e.into_path())
        .collect();
    let bytes: u64 = scans.iter().map(|p| p.metadata().unwrap().len()).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "dossier pack benchmark: {n} employees, {} scans, {mb:.0} MB, {} cores",
        scans.len(),
        cores()
    );

    // Warm the page cache so every contender reads from memory.
    for p in &scans {
        std::hint::black_box(std::fs::read(p).unwrap());
    }

    let bin = env!("CARGO_BIN_EXE_dossier");
    let out = root.join("out");
    let run_pack = |threads: Option<usize>| -> (f64, Option<u64>) {
        let _ = std::fs::remove_dir_all(&out);
        settle();
        let mut c = timed_command(bin);
        c.args([
            "--date",
            DATE,
            "--quiet",
            "pack",
            corpus.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        if let Some(t) = threads {
            c.env("RAYON_NUM_THREADS", t.to_string());
        }
        run(c)
    };
    let (pack_s, pack_rss) = best_of(3, || run_pack(None));
    let (serial_s, serial_rss) = best_of(2, || run_pack(Some(1)));
    // The photocopies of the same department as one PDF (every scan read, embedded once).
    let copies_pdf = root.join("copies.pdf");
    let (copies_s, copies_rss) = best_of(3, || {
        let _ = std::fs::remove_file(&copies_pdf);
        settle();
        let mut c = timed_command(bin);
        c.args([
            "--date",
            DATE,
            "--quiet",
            "copies",
            corpus.to_str().unwrap(),
            "--pdf",
            copies_pdf.to_str().unwrap(),
        ]);
        run(c)
    });
    let copies_mb = copies_pdf.metadata().map_or(0, |m| m.len()) as f64 / 1e6;

    let openssl_s = if which("openssl") {
        best_of(3, || {
            let mut c = Command::new("openssl");
            c.args(["dgst", "-sha256"])
                .args(&scans)
                .stdout(std::process::Stdio::null());
            run(c)
        })
        .0
    } else {
        f64::NAN
    };

    let peer_s = if which("zip")
        && Command::new("python3")
            .args(["-c", "import bagit"])
            .status()
            .is_ok_and(|s| s.success())
    {
        best_of(2, || {
            let work = root.join("peer");
            let _ = std::fs::remove_dir_all(&work);
            std::fs::create_dir_all(&work).unwrap();
            settle();
            let t = Instant::now();
            for e in std::fs::read_dir(&corpus)
                .unwrap()
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
            {
                let bag = work.join(e.file_name());
                copy_dir(&e.path().join("scans"), &bag);
                let ok = Command::new("python3")
                    .args(["-m", "bagit", "--quiet", "--sha256"])
                    .arg(&bag)
                    .status()
                    .unwrap();
                assert!(ok.success());
                let ok = Command::new("zip")
                    .args(["-0", "-r", "-q"])
                    .arg(work.join(format!("{}.zip", e.file_name().to_string_lossy())))
                    .arg(e.file_name())
                    .current_dir(&work)
                    .status()
                    .unwrap();
                assert!(ok.success());
            }
            (t.elapsed().as_secs_f64(), None)
        })
        .0
    } else {
        f64::NAN
    };

    let rss = |r: Option<u64>| {
        r.map_or("n/a (install `time`)".to_string(), |kb| {
            format!("{:.0} MB", kb as f64 / 1024.0)
        })
    };
    println!(
        "  dossier pack (all checks on)        {pack_s:7.2} s  {:7.0} MB/s  peak RSS {}",
        mb / pack_s,
        rss(pack_rss)
    );
    println!(
        "  dossier pack, one thread            {serial_s:7.2} s  {:7.0} MB/s  peak RSS {}",
        mb / serial_s,
        rss(serial_rss)
    );
    println!(
        "  dossier copies (one PDF, {copies_mb:.0} MB)   {copies_s:7.2} s  {:7.0} MB/s  peak RSS {}",
        mb / copies_s,
        rss(copies_rss)
    );
    println!(
        "  openssl dgst -sha256 (one core)     {openssl_s:7.2} s  {:7.0} MB/s",
        mb / openssl_s
    );
    println!(
        "  python3 -m bagit + zip -0 -r        {peer_s:7.2} s  {:7.0} MB/s",
        mb / peer_s
    );
    println!("  ratios: pack / openssl = {:.2} (goal ≤ 2.5)   bagit+zip / pack = {:.2} (goal ≥ 3)   one thread / parallel = {:.2} (goal ≥ 1.6 on 2 cores)",
        pack_s / openssl_s, peer_s / pack_s, serial_s / pack_s);
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn which(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Waits for the previous run's output to reach the disk, so that no contender pays for
/// another's write-back.
fn settle() {
    let _ = Command::new("sync").status();
}

/// A command run under `/usr/bin/time -f %M` when available, for the peak RSS.
fn timed_command(bin: &str) -> Command {
    if Path::new("/usr/bin/time").exists() {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M", bin]);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut c: Command) -> (f64, Option<u64>) {
    let t = Instant::now();
    let o = c.output().expect("run");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        o.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&o.stderr)
    );
    let rss = String::from_utf8_lossy(&o.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<u64>().ok());
    (secs, rss)
}

fn best_of(runs: usize, mut f: impl FnMut() -> (f64, Option<u64>)) -> (f64, Option<u64>) {
    (0..runs)
        .map(|_| f())
        .fold((f64::INFINITY, None), |(bt, br), (t, r)| {
            (bt.min(t), br.max(r))
        })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

// --- the synthetic corpus --------------------------------------------------------------------

/// A small deterministic generator (xorshift), so the corpus is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// An A4 page at 300 dpi (2480 × 3508) in grey: paper noise, a frame and lines of "text".
fn page_pixels(w: usize, h: usize, seed: u64) -> Vec<u8> {
    // splitmix64 of the seed: distinct seeds give distinct, non-zero xorshift states.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut rng = Rng((z ^ (z >> 31)) | 1);
    let mut px = vec![0u8; w * h];
    for p in px.iter_mut() {
        *p = 225 + (rng.next() % 24) as u8;
    }
    let line = h / 70;
    let mut y = h / 10;
    while y + line < h * 9 / 10 {
        let mut x = w / 12;
        let end = w * 11 / 12 - (rng.next() as usize % (w / 4));
        while x < end {
            let word = line + rng.next() as usize % (line * 4);
            for yy in y..y + line * 2 / 3 {
                for xx in x..(x + word).min(end) {
                    px[yy * w + xx] = (30 + rng.next() % 60) as u8;
                }
            }
            x += word + line / 2;
        }
        y += line;
    }
    px
}

fn jpeg(path: &Path, w: usize, h: usize, seed: u64) {
    let px = page_pixels(w, h, seed);
    let enc = jpeg_encoder::Encoder::new_file(path, 92).unwrap();
    enc.encode(&px, w as u16, h as u16, jpeg_encoder::ColorType::Luma)
        .unwrap();
}

fn png(path: &Path, w: usize, h: usize, seed: u64) {
    let px = page_pixels(w, h, seed);
    let f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut enc = png::Encoder::new(f, w as u32, h as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&px).unwrap();
}

/// A one-page PDF whose page is a scanned JPEG (what a scanner's "scan to PDF" makes).
fn pdf(path: &Path, seed: u64) {
    let jpg = path.with_extension("tmp.jpg");
    jpeg(&jpg, 1654, 2339, seed); // A4 at 200 dpi
    let img = std::fs::read(&jpg).unwrap();
    std::fs::remove_file(&jpg).unwrap();
    let content = b"q 595 0 0 842 0 0 cm /Im0 Do Q";
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj(&mut out, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>");
    let mut c = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    c.extend_from_slice(content);
    c.extend_from_slice(b"\nendstream");
    obj(&mut out, &c);
    let mut i = format!("<< /Type /XObject /Subtype /Image /Width 1654 /Height 2339 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n", img.len()).into_bytes();
    i.extend_from_slice(&img);
    i.extend_from_slice(b"\nendstream");
    obj(&mut out, &i);
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    std::fs::write(path, out).unwrap();
}

/// The scans of one employee: 26 files covering the example's checklist.
const FILES: &[(&str, &str)] = &[
    ("身份证-正面", "card"),
    ("身份证-反面", "card"),
    ("积分申请表", "pdf"),
    ("上海市居住证-正面", "card"),
    ("上海市居住证-反面", "card"),
    ("户口簿-首页", "jpg"),
    ("户口簿-本人页", "jpg"),
    ("劳动合同-p1", "jpg"),
    ("劳动合同-p2", "jpg"),
    ("劳动合同-p3", "jpg"),
    ("劳动合同-p4", "jpg"),
    ("营业执照", "png"),
    ("社保缴费记录", "pdf"),
    ("结婚证", "jpg"),
    ("配偶身份证-正面", "card"),
    ("配偶身份证-反面", "card"),
    ("配偶户口簿-首页", "jpg"),
    ("配偶户口簿-本人页", "jpg"),
    ("子女出生医学证明（1）", "jpg"),
    ("学历证书", "jpg"),
    ("学位证书", "jpg"),
    ("学历证书电子注册备案表", "pdf"),
    ("学位在线验证报告", "pdf"),
    ("完税证明-p1", "jpg"),
    ("完税证明-p2", "jpg"),
    ("完税证明-p3", "png"),
];

/// What the corpus is made from: the example's `applicant.toml` and the list of files.
fn corpus_stamp() -> String {
    use sha2::{Digest, Sha256};
    let template = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei/applicant.toml"),
    )
    .unwrap();
    let mut h = Sha256::new();
    h.update(&template);
    for (name, kind) in FILES {
        h.update(format!("{name}.{kind}\n"));
    }
    format!("{:x}", h.finalize())
}

fn make_corpus(dir: &Path, n: usize) {
    use rayon::prelude::*;
    let template = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei/applicant.toml"),
    )
    .unwrap();
    (0..n).into_par_iter().for_each(|i| {
        let e = dir.join(format!("e{i:04}"));
        let scans = e.join("scans");
        std::fs::create_dir_all(&scans).unwrap();
        let body = format!("31011519930307{:03}", i % 1000);
        let id = format!("{body}{}", dossier::idnum::id_check_char(&body).unwrap());
        let body = format!("310115199309{:02}{:03}", 10 + i / 1000, i % 1000);
        let spouse = format!("{body}{}", dossier::idnum::id_check_char(&body).unwrap());
        let text = template
            .replace("310115199303071230", &id)
            .replace("310115199309120021", &spouse);
        std::fs::write(e.join("applicant.toml"), text).unwrap();
        for (k, (name, kind)) in FILES.iter().enumerate() {
            let seed = (i as u64) << 16 | k as u64;
            match *kind {
                "card" => jpeg(&scans.join(format!("{name}.jpg")), 1012, 638, seed),
                "jpg" => jpeg(&scans.join(format!("{name}.jpg")), 2480, 3508, seed),
                "png" => png(&scans.join(format!("{name}.png")), 1240, 1754, seed),
                _ => pdf(&scans.join(format!("{name}.pdf")), seed),
            }
        }
    });
}
