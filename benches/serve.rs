//! `dossier serve` on a 200-employee department (SPEC §10: `GET /api/employees` under a second,
//! cached checks re-checked when a folder changes). Prints figures, asserts nothing.
//!
//! The department: `DOSSIER_BENCH_N` (default 200) copies of the example employee `li-ming`
//! (14 scans, real PNGs and PDFs), each with its own ID number, made in a temp dir. The release
//! binary is started on port 0 as a clerk would start it. Figures: the first `GET
//! /api/employees` (every employee checked), the next ones (cached: a stat of each folder), one
//! after a file of one folder changed, and an upload's round trip (the answer carries the new
//! check) followed by the list.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::var("DOSSIER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dept = tmp.path().join("dept");
    let t = Instant::now();
    make_department(&dept, n);
    println!(
        "department: {n} employees × 14 scans, made in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let bin = binary();
    let mut child = Command::new(&bin)
        .args(["--date", "2026-11-26", "serve"])
        .arg(&dept)
        .arg("--no-open")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dossier serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let (port, token) = line
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.split_once("/?token="))
        .expect("address line");
    let c = Client {
        port: port.parse().expect("port"),
        token: token.to_string(),
    };

    let (ms, body) = c.timed("GET", "/api/employees", &[], b"");
    let list: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let count = list.as_array().map_or(0, Vec::len);
    println!(
        "GET /api/employees, cold (every employee checked): {ms:.0} ms  ({count} employees, {} KB)",
        body.len() / 1024
    );
    let mut warm = Vec::new();
    for _ in 0..5 {
        warm.push(c.timed("GET", "/api/employees", &[], b"").0);
    }
    warm.sort_by(f64::total_cmp);
    println!(
        "GET /api/employees, warm (cached; every folder stat'ed): median {:.0} ms, best {:.0} ms",
        warm[2], warm[0]
    );

    // One scan of one employee changes on disk: only that folder is checked again.
    let scan = dept.join("emp-0007/scans/学历证书.png");
    let bytes = std::fs::read(&scan).expect("scan");
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&scan, &bytes).expect("touch");
    let (ms, _) = c.timed("GET", "/api/employees", &[], b"");
    println!("GET /api/employees after one file changed: {ms:.0} ms");

    // An upload: the answer is the employee's new check.
    let page = std::fs::read(dept.join("emp-0042/scans/户口簿-本人页.png")).expect("page");
    std::fs::remove_file(dept.join("emp-0042/scans/户口簿-本人页.png")).expect("rm");
    let (ms_list, _) = c.timed("GET", "/api/employees", &[], b"");
    let (ms_up, body) = c.timed(
        "POST",
        "/api/employees/emp-0042/scans?item=hukou-booklet",
        &[("X-File-Name", "scan.png")],
        &page,
    );
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let (ms_after, _) = c.timed("GET", "/api/employees", &[], b"");
    println!(
        "upload → updated check: {ms_up:.0} ms (saved {}, ready {}); the list after it: {ms_after:.0} ms (before it, with the file removed: {ms_list:.0} ms)",
        v["saved"], v["check"]["ready"]
    );
    let (ms, _) = c.timed("GET", "/api/employees/emp-0042", &[], b"");
    println!("GET /api/employees/FOLDER (warm): {ms:.0} ms");

    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let _ = child.wait();
}

/// The release binary (built if missing), so the figures are those a clerk gets; or the one
/// `DOSSIER_BENCH_BIN` names.
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("DOSSIER_BENCH_BIN") {
        return PathBuf::from(bin);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release/dossier");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "dossier"])
        .current_dir(root)
        .status()
        .expect("cargo build");
    assert!(status.success());
    bin
}

fn make_department(dept: &Path, n: usize) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch/li-ming");
    let toml = std::fs::read_to_string(src.join("applicant.toml")).expect("applicant.toml");
    let id = toml
        .lines()
        .find_map(|l| l.strip_prefix("id_number = \""))
        .and_then(|l| l.get(..18))
        .expect("id_number")
        .to_string();
    for i in 0..n {
        let dir = dept.join(format!("emp-{i:04}"));
        std::fs::create_dir_all(dir.join("scans")).expect("mkdir");
        // Same birth date, another sequence number: a valid, distinct ID per employee.
        let body = format!("{}{:03}", &id[..14], i % 1000);
        let id_i = format!(
            "{body}{}",
            dossier::idnum::id_check_char(&body).expect("17 digits")
        );
        let name = format!("李{}", char::from_u32(0x4E00 + i as u32).unwrap_or('明'));
        let text =
            toml.replace(&id, &id_i)
                .replacen("name = \"李明\"", &format!("name = \"{name}\""), 1);
        std::fs::write(dir.join("applicant.toml"), text).expect("write");
        for e in std::fs::read_dir(src.join("scans"))
            .expect("scans")
            .flatten()
        {
            std::fs::copy(e.path(), dir.join("scans").join(e.file_name())).expect("copy");
        }
    }
}

struct Client {
    port: u16,
    token: String,
}

impl Client {
    /// One request; the milliseconds until the whole answer arrived, and its body.
    fn timed(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (f64, Vec<u8>) {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            self.token,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let t = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.write_all(req.as_bytes()).expect("write");
        s.write_all(body).expect("write");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let end = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("HTTP answer");
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        assert!(head.starts_with("HTTP/1.1 2"), "{method} {path}: {head}");
        let mut rest = buf[end + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            let mut out = Vec::new();
            let mut b = &rest[..];
            while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
                let size =
                    usize::from_str_radix(std::str::from_utf8(&b[..nl]).expect("size").trim(), 16)
                        .expect("hex");
                if size == 0 {
                    break;
                }
                out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
                b = &b[nl + 4 + size..];
            }
            rest = out;
        }
        (ms, rest)
    }
}
