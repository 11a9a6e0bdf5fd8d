//! The clerk's desk in a real browser: Debian's Chromium driven over WebDriver (chromedriver),
//! spoken to with a few lines of JSON over HTTP. Needs `chromium` and `chromium-driver`
//! (`.ci/interop` installs them through `scripts/browser-test`), hence `#[ignore]`.
//!
//! The clerk's path: open the printed address, see the department, open an employee, upload a
//! scan through the item's file input, see the item turn 齐全 and the employee 就绪, pack,
//! download the bundle. With `DOSSIER_SCREENSHOTS=DIR` the two main views are saved there at
//! 1366×768 (docs/serve-*.png come from this).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // chromedriver keeps the connection open: read the head, then Content-Length bytes.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "connection closed before the answer");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    let mut rest = buf[end + 4..].to_vec();
    match length {
        Some(len) => {
            while rest.len() < len {
                let n = s.read(&mut chunk).expect("read");
                assert!(n > 0, "short answer");
                rest.extend_from_slice(&chunk[..n]);
            }
            rest.truncate(len);
        }
        None => {
            let _ = s.read_to_end(&mut rest);
        }
    }
    (status, serde_json::from_slice(&rest).unwrap_or(Value::Null))
}

/// One WebDriver session.
struct Driver {
    port: u16,
    session: String,
    _driver: Killed,
}

impl Driver {
    fn start(profile: &Path, downloads: &Path) -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let driver = Killed(child);
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1366,768", "--lang=zh-CN",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": {"download.default_directory": downloads.display().to_string(),
                          "download.prompt_for_download": false}
            }
        }}});
        let (status, v) = http(port, "POST", "/session", Some(&caps));
        assert_eq!(status, 200, "new session: {v}");
        let session = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        let d = Driver {
            port,
            session,
            _driver: driver,
        };
        // A 1366×768 laptop screen, whatever the headless window's frame takes.
        d.cmd(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": false}}),
        );
        // Downloads in headless Chromium go where it is told.
        d.cmd(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": "Page.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads.display().to_string()}}),
        );
        d
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (method == "POST").then_some(body);
        let (status, v) = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert_eq!(status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn run(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Waits until `script` returns something truthy; returns it.
    fn wait(&self, what: &str, script: &str) -> Value {
        let t = Instant::now();
        loop {
            let v = self.run(script);
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; page: {}",
                self.run("return document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element id")
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("DOSSIER_SCREENSHOTS") else {
            return;
        };
        let v = self.cmd("GET", "/screenshot", json!({}));
        let png = base64_decode(v.as_str().expect("base64"));
        std::fs::write(Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(val(*c)) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn serve(dept: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["--date", "2026-11-26", "serve"])
        .arg(dept)
        .arg("--no-open")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Killed(child), line.trim().to_string())
}

#[test]
#[ignore = "needs chromium and chromium-driver (scripts/browser-test installs them)"]
fn a_clerk_uploads_a_scan_packs_and_downloads() {
    let tmp = tempfile::tempdir().unwrap();
    let dept = tmp.path().join("人事部");
    copy_dir(Path::new("examples/batch"), &dept);
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let (_server, url) = serve(&dept);
    let d = Driver::start(&tmp.path().join("profile"), &downloads);

    // The printed address: the department at a glance.
    d.go(&url);
    let rows = d.wait(
        "the department table",
        "return document.querySelectorAll('#dept-table tbody tr').length === 3 && document.querySelectorAll('#dept-table tbody tr').length",
    );
    assert_eq!(rows, 3);
    let text = d.run("return document.querySelector('#dept-table').innerText");
    let text = text.as_str().unwrap();
    for want in [
        "陈静",
        "李明",
        "王磊",
        "就绪",
        "未就绪",
        "缺：户口簿",
        "3101**********6241",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    // The token left the address bar; the cookie carries it.
    assert_eq!(d.run("return location.search"), "");
    d.screenshot("serve-department.png");

    // Open 陈静: her checklist, 户口簿 missing.
    d.click("#dept-table tbody tr[data-folder='chen-jing'] a.name");
    d.wait(
        "the employee view",
        "return document.querySelector(\".item[data-slug='hukou-booklet']\")",
    );
    assert_eq!(
        d.run("return document.querySelector(\".item[data-slug='hukou-booklet']\").dataset.status"),
        "missing"
    );
    assert_eq!(
        d.run("return document.querySelector('#emp-status').textContent"),
        "未就绪"
    );
    // The form shows her data with Chinese labels and choices.
    assert_eq!(
        d.run("return document.querySelector(\"[data-field='applicant.name'] input\").value"),
        "陈静"
    );
    let form = d.run("return document.querySelector('#form-fields').innerText");
    for want in [
        "身份证号",
        "户口类型",
        "注册地所在区",
        "婚姻状况",
        "最高学历",
    ] {
        assert!(form.as_str().unwrap().contains(want), "{want}");
    }

    // Upload the two pages of the 户口簿 through the item's file input.
    let pages: Vec<PathBuf> = ["户口簿-首页.png", "户口簿-本人页.png"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            // Camera names, as a phone or scanner gives them.
            let to = tmp.path().join(format!("IMG_2024030{i}_102233.png"));
            std::fs::copy(Path::new("examples/zhang-wei/scans").join(n), &to).unwrap();
            std::fs::canonicalize(to).unwrap()
        })
        .collect();
    let input = d.find("input[type=file][data-slug='hukou-booklet']");
    let paths: Vec<String> = pages.iter().map(|p| p.display().to_string()).collect();
    d.cmd(
        "POST",
        &format!("/element/{input}/value"),
        json!({"text": paths.join("\n")}),
    );
    d.wait(
        "the item to turn ready",
        "const e = document.querySelector(\".item[data-slug='hukou-booklet']\"); return e && e.dataset.status === 'ok' && document.querySelectorAll(\".item[data-slug='hukou-booklet'] .thumbs img\").length === 2",
    );
    assert!(dept.join("chen-jing/scans/户口簿-首页.png").is_file());
    assert!(dept.join("chen-jing/scans/户口簿-本人页.png").is_file());
    d.wait(
        "the employee to be ready",
        "return document.querySelector('#emp-status').textContent === '就绪'",
    );
    // The thumbnails are real images, decoded by the browser.
    d.wait(
        "thumbnails",
        "return [...document.querySelectorAll(\".item[data-slug='hukou-booklet'] .thumbs img\")].every(i => i.complete && i.naturalWidth > 0)",
    );
    // The item just filled, in view in its column (the page itself does not scroll).
    d.run("const e = document.querySelector(\".item[data-slug='hukou-booklet']\"), c = document.querySelector('.col-list'); c.scrollTop += e.getBoundingClientRect().top - c.getBoundingClientRect().top - 140; window.scrollTo(0, 0)");
    assert_eq!(
        d.run("return document.documentElement.scrollHeight <= window.innerHeight || [document.documentElement.scrollHeight, window.innerHeight, document.querySelector('main').getBoundingClientRect().bottom, document.querySelector('.columns').getBoundingClientRect().bottom]"),
        true,
        "the employee view fits a 1366×768 screen without scrolling the page"
    );
    d.screenshot("serve-employee.png");

    // Back to the department: 陈静 is ready now.
    d.click("#back");
    d.wait(
        "the department again",
        "const r = document.querySelector(\"#dept-table tbody tr[data-folder='chen-jing']\"); return r && r.innerText.includes('就绪') && !r.innerText.includes('未就绪')",
    );
    {
        // Pack her and download the bundle from the page's link.
        d.click("#dept-table tbody tr[data-folder='chen-jing'] input[type=checkbox]");
        d.click("#do-pack");
        d.wait(
            "the download links",
            "return document.querySelector('#downloads a.dl[href$=\".zip\"]')",
        );
        d.click("#downloads a.dl[href$='.zip']");
        let t = Instant::now();
        // Chromium reserves the final name with an empty file and downloads into a
        // `.crdownload` beside it (the answer is streamed): done when that one is gone.
        let zip = loop {
            let files: Vec<PathBuf> = std::fs::read_dir(&downloads)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            let busy = files
                .iter()
                .any(|p| p.extension().is_some_and(|x| x == "crdownload"));
            let found = files.into_iter().find(|p| {
                p.extension().is_some_and(|x| x == "zip")
                    && std::fs::metadata(p).is_ok_and(|m| m.len() > 0)
            });
            if let (Some(p), false) = (found, busy) {
                break p;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "no download");
            std::thread::sleep(Duration::from_millis(100));
        };
        let bytes = std::fs::read(&zip).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let name = zip.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(bytes, std::fs::read(dept.join("out").join(&name)).unwrap());
    }
}
