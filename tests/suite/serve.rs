//! `dossier serve` over real HTTP (SPEC §10): the real binary started on port 0 on a copy of the
//! example department, spoken to with raw HTTP/1.1 requests (so `..` and odd encodings reach the
//! server exactly as written): every row of the API table, the token/Host/Origin gate, names
//! that try to escape DIR, and the upload limits.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DATE: &str = "2026-11-26";

/// A running `dossier serve`; stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    port: u16,
    token: String,
    url: String,
    /// The temp dir: `dept/` is DIR, `outside/` sits beside it.
    root: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&[])
    }

    fn start_with(extra: &[&str]) -> Server {
        let root = tempfile::tempdir().unwrap();
        copy_dir(Path::new("examples/batch"), &root.path().join("dept"));
        std::fs::create_dir_all(root.path().join("outside/scans")).unwrap();
        std::fs::write(
            root.path().join("outside/applicant.toml"),
            "TOP-SECRET-CONTENT",
        )
        .unwrap();
        std::fs::write(root.path().join("secret.png"), png_bytes()).unwrap();
        Server::start_in(root, extra)
    }

    fn start_in(root: tempfile::TempDir, extra: &[&str]) -> Server {
        let mut args = vec!["--date", DATE];
        args.extend_from_slice(extra);
        let dept = root.path().join("dept");
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(&args)
            .arg("serve")
            .arg(&dept)
            .arg("--no-open")
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim_end().to_string();
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("address line: {url:?}"));
        let (port, token) = rest.split_once("/?token=").unwrap();
        Server {
            port: port.parse().unwrap(),
            token: token.to_string(),
            url,
            child,
            root,
        }
    }

    fn dept(&self) -> PathBuf {
        self.root.path().join("dept")
    }

    /// A request with the token as a Bearer header and the right Host.
    fn call(&self, method: &str, path: &str, body: &[u8]) -> Resp {
        self.raw(
            method,
            path,
            &[("Authorization", &format!("Bearer {}", self.token))],
            body,
        )
    }

    fn call_with(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let auth = format!("Bearer {}", self.token);
        let mut h = vec![("Authorization", auth.as_str())];
        h.extend_from_slice(headers);
        self.raw(method, path, &h, body)
    }

    /// A request with exactly these headers (and Host 127.0.0.1:PORT unless given).
    fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut req = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        // The server may answer (413) before the body is all sent, and close.
        let _ = s.write_all(body);
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        Resp::parse(&buf)
    }

    fn json(&self, method: &str, path: &str, body: &serde_json::Value) -> Resp {
        self.call_with(
            method,
            path,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn parse(buf: &[u8]) -> Resp {
        let end = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(buf)));
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{e}: {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A real scan from another example employee (a different person's 户口簿 page).
fn png_bytes() -> Vec<u8> {
    std::fs::read("examples/zhang-wei/scans/户口簿-首页.png").unwrap()
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir(dir)
        .into_iter()
        .map(|p| {
            let m = std::fs::symlink_metadata(&p).unwrap();
            (p, m.len(), m.modified().unwrap())
        })
        .collect();
    v.sort();
    v
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            out.extend(walkdir(&p));
        }
        out.push(p);
    }
    out
}

/// Everything under the temp root except DIR.
fn outside(s: &Server) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    snapshot(s.root.path())
        .into_iter()
        .filter(|(p, _, _)| !p.starts_with(s.dept()))
        .collect()
}

#[test]
fn address_line_token_cookie_host_origin() {
    let s = Server::start();
    assert!(s.url.starts_with("http://127.0.0.1:"));
    assert!(s.token.len() >= 32 && s.token.bytes().all(|b| b.is_ascii_hexdigit()));
    // Without the token, or with a wrong one: 403, on the page and on the API.
    assert_eq!(s.raw("GET", "/", &[], b"").status, 403);
    assert_eq!(s.raw("GET", "/api/employees", &[], b"").status, 403);
    assert_eq!(s.raw("GET", "/?token=0000", &[], b"").status, 403);
    let wrong = format!("Bearer {}x", s.token);
    assert_eq!(
        s.raw("GET", "/api/employees", &[("Authorization", &wrong)], b"")
            .status,
        403
    );
    // The printed address: the page, and the cookie for the page's own requests.
    let page = s.raw("GET", &format!("/?token={}", s.token), &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("积分材料助手"));
    let cookie = page.header("set-cookie").expect("a cookie").to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let with_cookie = s.raw("GET", "/api/employees", &[("Cookie", &pair)], b"");
    assert_eq!(with_cookie.status, 200);
    // The address stays valid: a second tab opens it again.
    assert_eq!(
        s.raw("GET", &format!("/?token={}", s.token), &[], b"")
            .status,
        200
    );
    // Host: only 127.0.0.1:PORT and localhost:PORT (DNS rebinding).
    let port = s.port;
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
    ] {
        let r = s.call_with("GET", "/api/employees", &[("Host", &host)], b"");
        assert_eq!(r.status, 403, "Host {host}");
    }
    let local = format!("localhost:{port}");
    assert_eq!(
        s.call_with("GET", "/api/employees", &[("Host", &local)], b"")
            .status,
        200
    );
    // A change with a foreign Origin (null included): 403, and nothing created.
    for origin in [
        "null",
        "http://evil.example",
        &format!("http://127.0.0.1:{}", port + 1),
    ] {
        let r = s.call_with(
            "POST",
            "/api/employees",
            &[("Origin", origin), ("Content-Type", "application/json")],
            br#"{"folder": "new-one"}"#,
        );
        assert_eq!(r.status, 403, "Origin {origin}");
        assert!(!s.dept().join("new-one").exists());
    }
    let own = format!("http://127.0.0.1:{port}");
    let r = s.call_with(
        "POST",
        "/api/employees",
        &[("Origin", &own), ("Content-Type", "application/json")],
        br#"{"folder": "new-one"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // Each start has a new token.
    let t = Server::start();
    assert_ne!(t.token, s.token);
    assert_eq!(
        s.raw(
            "GET",
            "/api/employees",
            &[("Authorization", &format!("Bearer {}", t.token))],
            b""
        )
        .status,
        403
    );
}

#[test]
fn employees_and_one_employee() {
    let s = Server::start();
    let r = s.call("GET", "/api/employees", b"");
    assert_eq!(r.status, 200);
    let list = r.json();
    let list = list.as_array().unwrap();
    let folders: Vec<&str> = list.iter().map(|e| e["folder"].as_str().unwrap()).collect();
    assert_eq!(folders, ["chen-jing", "li-ming", "wang-lei"]);
    for e in list {
        // `check --format json` of each, with its score JSON.
        assert!(e["ready"].is_boolean() && e["items"].is_array() && e["findings"].is_array());
        assert!(e["score"]["total"].is_i64() && e["score"]["standard"] == 120);
        assert!(e["applicant"]["id_masked"]
            .as_str()
            .unwrap()
            .contains("**********"));
    }
    assert_eq!(list[1]["ready"], true);
    assert_eq!(list[0]["ready"], false);
    // The same as the command line says.
    let cli = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["--date", DATE, "--format", "json", "check"])
        .arg(s.dept())
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    for (a, b) in list.iter().zip(cli.as_array().unwrap()) {
        let mut a = a.clone();
        a.as_object_mut().unwrap().remove("score");
        // The examples are clean UTF-8: nothing to warn of.
        assert_eq!(
            a.as_object_mut().unwrap().remove("warnings"),
            Some(serde_json::json!([]))
        );
        assert_eq!(&a, b);
    }
    let one = s.call("GET", "/api/employees/chen-jing", b"").json();
    assert_eq!(one["folder"], "chen-jing");
    let mut check = list[0].clone();
    check.as_object_mut().unwrap().remove("score");
    check.as_object_mut().unwrap().remove("warnings");
    assert_eq!(one["check"], check);
    assert_eq!(one["warnings"], serde_json::json!([]));
    assert!(one["checklist"]["visits"].is_array() && one["checklist"]["items"].is_array());
    assert_eq!(one["score"], list[0]["score"]);
    let r = s.call("GET", "/api/employees/nobody", b"");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].is_string());
}

#[test]
fn new_employee() {
    let s = Server::start();
    let r = s.json(
        "POST",
        "/api/employees",
        &serde_json::json!({"folder": "赵敏"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let dir = s.dept().join("赵敏");
    assert!(dir.join("scans").is_dir());
    let text = std::fs::read_to_string(dir.join("applicant.toml")).unwrap();
    assert_eq!(text, include_str!("../../templates/applicant.toml"));
    // Listed (broken until its applicant.toml is filled in, with located diagnostics).
    let list = s.call("GET", "/api/employees", b"").json();
    let new = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["folder"] == "赵敏")
        .unwrap()
        .clone();
    assert!(
        new["error"].is_string() && !new["diagnostics"].as_array().unwrap().is_empty(),
        "{new}"
    );
    assert_eq!(
        s.json(
            "POST",
            "/api/employees",
            &serde_json::json!({"folder": "赵敏"})
        )
        .status,
        409
    );
    assert_eq!(
        s.json(
            "POST",
            "/api/employees",
            &serde_json::json!({"folder": "li-ming"})
        )
        .status,
        409
    );
    let before = outside(&s);
    for bad in [
        "../escaped",
        "a/b",
        "..",
        "/tmp/abs",
        "",
        "CON",
        ".hidden",
        "a\\b",
    ] {
        let r = s.json(
            "POST",
            "/api/employees",
            &serde_json::json!({"folder": bad}),
        );
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
    }
    assert!(
        s.call_with(
            "POST",
            "/api/employees",
            &[("Content-Type", "application/json")],
            b"{not json"
        )
        .status
            / 100
            == 4
    );
    assert!(!s.root.path().join("escaped").exists());
    assert_eq!(outside(&s), before);
}

#[test]
fn applicant_text_and_validated_save() {
    let s = Server::start();
    let path = s.dept().join("li-ming/applicant.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    let r = s.call("GET", "/api/employees/li-ming/applicant", b"");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(r.text(), original);
    // Invalid: 422 with located diagnostics, nothing written.
    let broken = original.replacen(
        "[employer]",
        "[employer]\ndistrict = \"火星区\"\nfoo = 1",
        1,
    );
    let r = s.call("PUT", "/api/employees/li-ming/applicant", broken.as_bytes());
    assert_eq!(r.status, 422, "{}", r.text());
    let d = r.json()["diagnostics"].clone();
    assert!(!d.as_array().unwrap().is_empty());
    for x in d.as_array().unwrap() {
        assert!(
            x["line"].is_u64() && x["column"].is_u64() && x["message"].is_string(),
            "{x}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    let r = s.call("PUT", "/api/employees/li-ming/applicant", b"name = ");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["diagnostics"][0]["line"], 1);
    assert_eq!(
        s.call(
            "PUT",
            "/api/employees/li-ming/applicant",
            &[0xff, 0xfe, 0x00]
        )
        .status,
        422
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    assert!(!std::fs::read_dir(s.dept().join("li-ming"))
        .unwrap()
        .any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".applicant")));
    // Valid: written, and the new check comes back.
    let renamed = original.replacen("name = \"李明\"", "name = \"李明明\"", 1);
    assert_ne!(renamed, original);
    let r = s.call(
        "PUT",
        "/api/employees/li-ming/applicant",
        renamed.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["check"]["applicant"]["name"], "李明明");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), renamed);
    // The list sees the change (the cache follows the file).
    let list = s.call("GET", "/api/employees", b"").json();
    assert_eq!(list[1]["applicant"]["name"], "李明明");
    // The form's view of the file.
    let r = s
        .call("GET", "/api/employees/li-ming/applicant?format=json", b"")
        .json();
    assert_eq!(r["toml"]["applicant"]["name"], "李明明");
    assert_eq!(r["text"], renamed);
}

#[test]
fn upload_saves_under_the_canonical_name_and_the_item_turns_ready() {
    let s = Server::start();
    let scans = s.dept().join("chen-jing/scans");
    let page = png_bytes();
    let r = s.call_with(
        "POST",
        "/api/employees/chen-jing/scans?item=hukou-booklet",
        &[("X-File-Name", "IMG_20240301_102233.png")],
        &page,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["saved"], "scans/户口簿-首页.png");
    assert_eq!(std::fs::read(scans.join("户口簿-首页.png")).unwrap(), page);
    let item = |v: &serde_json::Value| {
        v["check"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["slug"] == "hukou-booklet")
            .unwrap()
            .clone()
    };
    // One page of two: there, but not enough.
    assert_eq!(item(&v)["status"], "invalid");
    let second = std::fs::read("examples/zhang-wei/scans/户口簿-本人页.png").unwrap();
    let r = s.call_with(
        "POST",
        "/api/employees/chen-jing/scans?item=hukou-booklet",
        &[("X-File-Name", "%E6%89%AB%E6%8F%8F.png")],
        &second,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["saved"], "scans/户口簿-本人页.png");
    assert_eq!(v["original"], "扫描.png");
    assert_eq!(item(&v)["status"], "ok");
    assert_eq!(v["check"]["ready"], true, "{v}");
    // A part that is taken: 409, nothing written over.
    let r = s.call(
        "POST",
        "/api/employees/chen-jing/scans?item=hukou-booklet&part=首页",
        &second,
    );
    assert_eq!(r.status, 409);
    assert_eq!(std::fs::read(scans.join("户口簿-首页.png")).unwrap(), page);
    // An unknown item, a bad part name: 4xx, nothing saved.
    let before = snapshot(&scans);
    assert_eq!(
        s.call("POST", "/api/employees/chen-jing/scans?item=no-such", &page)
            .status,
        400
    );
    assert_eq!(
        s.call(
            "POST",
            "/api/employees/chen-jing/scans?item=id-card&part=../../x",
            &page
        )
        .status,
        400
    );
    assert_eq!(
        s.call("POST", "/api/employees/chen-jing/scans", &page)
            .status,
        400
    );
    assert_eq!(
        s.call("POST", "/api/employees/nobody/scans?item=id-card", &page)
            .status,
        404
    );
    assert_eq!(snapshot(&scans), before);
}

#[test]
fn upload_type_by_content_and_size_limit() {
    // A small limit, so the test sends little: the rulebook's own setting.
    let rules = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("rules")
        .output()
        .unwrap();
    let book = String::from_utf8(out.stdout).unwrap();
    let limited = book.replacen("max_file_bytes = 20_000_000", "max_file_bytes = 300_000", 1);
    assert_ne!(book, limited, "the rulebook sets max_file_bytes");
    std::fs::write(rules.path(), limited).unwrap();
    let s = Server::start_with(&["--rules", rules.path().to_str().unwrap()]);
    let scans = s.dept().join("chen-jing/scans");
    let before = snapshot(&scans);
    // Named .png, but a Word document, HEIC, text, empty: 415.
    for body in [
        &b"PK\x03\x04 word"[..],
        b"\0\0\0\x18ftypheic\0\0\0\0",
        b"hello",
        b"",
    ] {
        let r = s.call_with(
            "POST",
            "/api/employees/chen-jing/scans?item=hukou-booklet",
            &[("X-File-Name", "scan.png")],
            body,
        );
        assert_eq!(r.status, 415, "{}", r.text());
    }
    // Over the limit: 413, by Content-Length before reading, and by the bytes themselves.
    let big = vec![0xFFu8; 300_001];
    let r = s.call(
        "POST",
        "/api/employees/chen-jing/scans?item=hukou-booklet",
        &big,
    );
    assert_eq!(r.status, 413, "{}", r.text());
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(2_000_000, 0);
    assert_eq!(
        s.call(
            "POST",
            "/api/employees/chen-jing/scans?item=hukou-booklet",
            &jpeg
        )
        .status,
        413
    );
    assert_eq!(snapshot(&scans), before);
    // A JSON or TOML body over 1 MB: 413 as well.
    let big_toml = vec![b'#'; 2 << 20];
    assert_eq!(
        s.call("PUT", "/api/employees/li-ming/applicant", &big_toml)
            .status,
        413
    );
}

#[test]
fn unmatched_file_assigned_in_one_step() {
    let s = Server::start();
    let scans = s.dept().join("chen-jing/scans");
    std::fs::write(scans.join("IMG_0001.png"), png_bytes()).unwrap();
    let one = s.call("GET", "/api/employees/chen-jing", b"").json();
    let strays: Vec<&str> = one["check"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unmatched-file")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(strays, ["scans/IMG_0001.png"]);
    let r = s.call(
        "POST",
        "/api/employees/chen-jing/scans/IMG_0001.png/assign?item=hukou-booklet&part=首页",
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["saved"], "scans/户口簿-首页.png");
    assert!(!scans.join("IMG_0001.png").exists());
    assert_eq!(
        std::fs::read(scans.join("户口簿-首页.png")).unwrap(),
        png_bytes()
    );
    assert!(!r.json()["check"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "unmatched-file"));
    // A file that is not there, or not in scans/: 404/400, nothing moved.
    let before = snapshot(&s.dept());
    assert_eq!(
        s.call(
            "POST",
            "/api/employees/chen-jing/scans/IMG_0001.png/assign?item=hukou-booklet",
            b""
        )
        .status,
        404
    );
    assert_eq!(s.call("POST", "/api/employees/chen-jing/scans/%E8%BA%AB%E4%BB%BD%E8%AF%81-%E6%AD%A3%E9%9D%A2.png/assign?item=no-such", b"").status, 400);
    // Assigning onto a part that has a file: 409.
    std::fs::write(
        scans.join("IMG_0002.png"),
        std::fs::read("examples/zhang-wei/scans/户口簿-本人页.png").unwrap(),
    )
    .unwrap();
    let r = s.call(
        "POST",
        "/api/employees/chen-jing/scans/IMG_0002.png/assign?item=hukou-booklet&part=首页",
        b"",
    );
    assert_eq!(r.status, 409);
    assert!(scans.join("IMG_0002.png").exists());
    let r = s.call(
        "POST",
        "/api/employees/chen-jing/scans/IMG_0002.png/assign?item=hukou-booklet",
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["saved"], "scans/户口簿-本人页.png");
    assert_eq!(r.json()["check"]["ready"], true);
    drop(before);
}

#[test]
fn names_that_escape_dir_are_4xx_and_touch_nothing() {
    let s = Server::start();
    std::fs::create_dir_all(s.dept().join("out")).unwrap();
    std::fs::write(s.dept().join("out/ok.pdf"), b"%PDF-1.4 x").unwrap();
    let before_outside = outside(&s);
    let before_inside = snapshot(&s.dept());
    let png = png_bytes();
    let cases: &[(&str, &str)] = &[
        ("GET", "/api/employees/.."),
        ("GET", "/api/employees/../outside"),
        ("GET", "/api/employees/%2e%2e"),
        ("GET", "/api/employees/..%2Foutside"),
        ("GET", "/api/employees/%2E%2E%2Foutside/applicant"),
        ("GET", "/api/employees/..%2F..%2F..%2F..%2Fetc/applicant"),
        ("GET", "/api/employees/%2Fetc/applicant"),
        ("GET", "/api/employees/%2Fetc%2Fpasswd"),
        ("GET", "/api/employees/..%5Coutside/applicant"),
        ("GET", "/api/employees/chen-jing%00/applicant"),
        ("PUT", "/api/employees/..%2Foutside/applicant"),
        ("PUT", "/api/employees/../outside/applicant"),
        ("POST", "/api/employees/..%2Foutside/scans?item=id-card"),
        (
            "POST",
            "/api/employees/chen-jing/scans?item=hukou-booklet&part=..%2F..%2F..%2Fescaped",
        ),
        (
            "POST",
            "/api/employees/chen-jing/scans?item=hukou-booklet&part=%2Ftmp%2Fescaped",
        ),
        (
            "POST",
            "/api/employees/chen-jing/scans/..%2F..%2F..%2Fsecret.png/assign?item=hukou-booklet",
        ),
        (
            "POST",
            "/api/employees/chen-jing/scans/..%2Fapplicant.toml/assign?item=hukou-booklet",
        ),
        (
            "POST",
            "/api/employees/chen-jing/scans/%2Fetc%2Fpasswd/assign?item=hukou-booklet",
        ),
        (
            "POST",
            "/api/employees/chen-jing/scans/../../../secret.png/assign?item=hukou-booklet",
        ),
        (
            "GET",
            "/api/employees/chen-jing/thumb?file=scans/../../../secret.png",
        ),
        ("GET", "/api/employees/chen-jing/thumb?file=%2Fetc%2Fpasswd"),
        (
            "GET",
            "/api/employees/chen-jing/thumb?file=scans%2F..%2Fapplicant.toml",
        ),
        ("GET", "/api/files/out/..%2Fchen-jing%2Fapplicant.toml"),
        ("GET", "/api/files/out/../chen-jing/applicant.toml"),
        ("GET", "/api/files/out/%2Fetc%2Fpasswd"),
        ("GET", "/api/files/out/.."),
        ("GET", "/api/files/out/..%2F..%2Fsecret.png"),
        ("GET", "/../../secret.png"),
        ("GET", "/assets/../../secret.png"),
        ("GET", "/api/checklist.pdf?folders=..%2Foutside"),
        ("GET", "/api/checklist.pdf?folders=/etc"),
        ("GET", "/api/copies.pdf?folders=..%2Foutside"),
        ("GET", "/api/copies.pdf?folders=..,chen-jing"),
        ("POST", "/api/pack"),
    ];
    for (method, path) in cases {
        let body: &[u8] = if *path == "/api/pack" {
            br#"{"folders": ["../outside"]}"#
        } else if *method == "GET" {
            b""
        } else {
            &png
        };
        let headers: &[(&str, &str)] = if *path == "/api/pack" {
            &[("Content-Type", "application/json")]
        } else {
            &[]
        };
        let r = s.call_with(method, path, headers, body);
        assert!(
            (400..500).contains(&r.status),
            "{method} {path}: {} {}",
            r.status,
            r.text()
        );
        assert!(
            !r.text().contains("TOP-SECRET") && !r.body.starts_with(b"\x89PNG"),
            "{method} {path}"
        );
    }
    assert_eq!(outside(&s), before_outside);
    assert_eq!(snapshot(&s.dept()), before_inside);
    // A link inside DIR leading out is not followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            s.root.path().join("secret.png"),
            s.dept().join("out/link.png"),
        )
        .unwrap();
        assert_eq!(s.call("GET", "/api/files/out/link.png", b"").status, 404);
        std::os::unix::fs::symlink(s.root.path().join("outside"), s.dept().join("linked")).unwrap();
        assert!(s.call("GET", "/api/employees/linked/applicant", b"").status / 100 == 4);
    }
    // The real file still comes.
    let r = s.call("GET", "/api/files/out/ok.pdf", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert_eq!(r.body, b"%PDF-1.4 x");
}

#[test]
fn thumbnails_are_small_pngs() {
    let s = Server::start();
    let r = s.call("GET", "/api/employees/li-ming/thumb?file=scans%2F%E8%BA%AB%E4%BB%BD%E8%AF%81-%E6%AD%A3%E9%9D%A2.png", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert!(r.body.starts_with(b"\x89PNG"));
    let w = u32::from_be_bytes(r.body[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(r.body[20..24].try_into().unwrap());
    assert!(w.max(h) <= 160 && w.min(h) > 10, "{w}x{h}");
    assert!(r.body.len() < 60_000);
    // Of a PDF whose page is a JPEG, too; of a file that is not one of the item files: 404.
    assert_eq!(
        s.call(
            "GET",
            "/api/employees/li-ming/thumb?file=scans%2Fnone.png",
            b""
        )
        .status,
        404
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut s = Server::start();
    assert_eq!(s.call("GET", "/api/employees", b"").status, 200);
    unsafe {
        libc::kill(s.child.id() as i32, libc::SIGTERM);
    }
    let t = Instant::now();
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(TcpStream::connect(("127.0.0.1", s.port)).is_err());
}

#[test]
fn one_employee_dir() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new("examples/batch/li-ming"),
        &root.path().join("dept"),
    );
    let s = Server::start_in(root, &[]);
    let list = s.call("GET", "/api/employees", b"").json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["folder"], "dept");
    assert_eq!(s.call("GET", "/api/employees/dept", b"").status, 200);
    // No new employee inside an employee.
    assert_eq!(
        s.json(
            "POST",
            "/api/employees",
            &serde_json::json!({"folder": "x"})
        )
        .status,
        409
    );
}

#[test]
fn copies_pdf_of_the_ready_employees() {
    let s = Server::start();
    let r = s.call("GET", "/api/copies.pdf?folders=li-ming", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert!(r.body.starts_with(b"%PDF-"));
    // The same bytes as the command makes.
    let out = s.root.path().join("copies.pdf");
    let cli = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["--date", DATE, "copies"])
        .arg(s.dept().join("li-ming"))
        .arg("--pdf")
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(
        r.body == std::fs::read(&out).unwrap(),
        "not the bytes of dossier copies"
    );
    // All: the two not ready are named as left out.
    let r = s.call("GET", "/api/copies.pdf", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-left-out"), Some("chen%2Djing%2Cwang%2Dlei"));
    // Only employees that are not ready: nothing to print.
    assert_eq!(
        s.call("GET", "/api/copies.pdf?folders=wang-lei", b"")
            .status,
        409
    );
    assert_eq!(
        s.call("GET", "/api/copies.pdf?folders=li-ming&visit=9", b"")
            .status,
        400
    );
    assert_eq!(
        s.call("GET", "/api/copies.pdf?folders=nobody", b"").status,
        404
    );
}

#[test]
fn pack_writes_bundles_to_out_and_they_download() {
    let s = Server::start();
    let r = s.json(
        "POST",
        "/api/pack",
        &serde_json::json!({"folders": ["li-ming"]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "packed", "{v}");
    let zip = PathBuf::from(v["zip"].as_str().unwrap());
    assert_eq!(
        zip.parent().unwrap(),
        s.dept().join("out").canonicalize().unwrap()
    );
    let name = zip.file_name().unwrap().to_str().unwrap().to_string();
    let cover = PathBuf::from(v["cover"].as_str().unwrap());
    let cover_name = cover.file_name().unwrap().to_str().unwrap().to_string();
    let enc = |n: &str| n.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let r = s.call("GET", &format!("/api/files/out/{}", enc(&name)), b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert!(
        r.body == std::fs::read(&zip).unwrap(),
        "not the bundle's bytes"
    );
    let r = s.call("GET", &format!("/api/files/out/{}", enc(&cover_name)), b"");
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r.body.starts_with(b"%PDF-"));
    // The bundle verifies.
    let verify = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("verify")
        .arg(&zip)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // All (empty list): one packed again (replacing its bundle), two not ready.
    let r = s.json("POST", "/api/pack", &serde_json::json!({"folders": []}));
    assert_eq!(r.status, 200, "{}", r.text());
    let all = r.json();
    let status: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["not-ready", "packed", "not-ready"]);
    let files: Vec<String> = std::fs::read_dir(s.dept().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(
        s.json(
            "POST",
            "/api/pack",
            &serde_json::json!({"folders": ["nobody"]})
        )
        .status,
        404
    );
}

#[test]
fn counter_checklist_pdf() {
    let s = Server::start();
    let r = s.call("GET", "/api/checklist.pdf?folders=li-ming,chen-jing", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r.body.starts_with(b"%PDF-"));
    // chen-jing's scans are incomplete: listed as not going today, and named.
    assert!(r.header("x-left-out").is_some());
    // The same bytes as `checklist --pdf` (SOURCE_DATE_EPOCH unset in both).
    let out = s.root.path().join("day.pdf");
    let cli = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["--date", DATE, "checklist"])
        .arg(s.dept().join("chen-jing"))
        .arg(s.dept().join("li-ming"))
        .arg("--pdf")
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert_eq!(
        cli.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(
        r.body == std::fs::read(&out).unwrap(),
        "not the bytes of checklist --pdf"
    );
    // All: wang-lei is below the standard, chen-jing not ready: left out and named.
    let r = s.call("GET", "/api/checklist.pdf", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-left-out"), Some("chen%2Djing%2Cwang%2Dlei"));
    let one_visit = s.call("GET", "/api/checklist.pdf?folders=li-ming&visit=2", b"");
    assert_eq!(one_visit.status, 200);
    assert_ne!(
        one_visit.body,
        s.call("GET", "/api/checklist.pdf?folders=li-ming", b"")
            .body
    );
    assert_eq!(
        s.call("GET", "/api/checklist.pdf?folders=wang-lei", b"")
            .status,
        409
    );
    assert_eq!(s.call("GET", "/api/checklist.pdf?visit=9", b"").status, 400);
}

/// Gives `path` a modification time `secs` later than it has: a change whatever the clock's
/// resolution.
fn touch_later(path: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    let t = f.metadata().unwrap().modified().unwrap();
    f.set_modified(t + Duration::from_secs(secs)).unwrap();
}

/// SPEC §10: cached checks, re-checked when a folder changes. A folder whose files keep their
/// sizes and times is not read again (a same-size rewrite that keeps the time goes unseen, so
/// an answer that changes would mean every profile is parsed on every request); a changed one
/// is; the same ID number made in one folder marks both; folders come and go.
#[test]
fn the_list_is_kept_per_folder_and_follows_changes() {
    let s = Server::start();
    let dept = s.dept();
    let list = || s.call("GET", "/api/employees", b"").json();
    let of = |l: &serde_json::Value, f: &str| {
        l.as_array()
            .unwrap()
            .iter()
            .find(|e| e["folder"] == f)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    let first = list();
    assert_eq!(of(&first, "li-ming")["ready"], true);

    // li-ming's applicant.toml becomes garbage of the same size, with the same time.
    let p = dept.join("li-ming/applicant.toml");
    let original = std::fs::read(&p).unwrap();
    let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
    let mut garbage = vec![b'#'; original.len() - 1];
    garbage.push(b'[');
    std::fs::write(&p, &garbage).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(list(), first);
    let one = s.call("GET", "/api/employees/li-ming", b"").json();
    assert_eq!(one["check"]["ready"], true);
    // Its time changes: read again, broken, and said so at once.
    touch_later(&p, 5);
    let l = list();
    assert!(of(&l, "li-ming")["error"].is_string(), "{l}");
    assert_eq!(of(&l, "chen-jing"), of(&first, "chen-jing"));
    std::fs::write(&p, &original).unwrap();
    touch_later(&p, 10);
    assert_eq!(list(), first);

    // wang-lei's folder gets chen-jing's applicant.toml: both are marked, though only one
    // folder changed; one employee asked alone says it too.
    let w = dept.join("wang-lei/applicant.toml");
    let wang = std::fs::read(&w).unwrap();
    std::fs::copy(dept.join("chen-jing/applicant.toml"), &w).unwrap();
    touch_later(&w, 5);
    let dup = |e: &serde_json::Value| {
        e["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x["code"] == "duplicate-id-number"))
    };
    let one = s.call("GET", "/api/employees/chen-jing", b"").json();
    assert!(dup(&one["check"]), "{one}");
    let l = list();
    assert!(dup(&of(&l, "chen-jing")) && dup(&of(&l, "wang-lei")), "{l}");
    assert!(!dup(&of(&l, "li-ming")));
    std::fs::write(&w, &wang).unwrap();
    touch_later(&w, 10);
    assert_eq!(list(), first);

    // A folder removed disappears; a new one appears.
    std::fs::remove_dir_all(dept.join("li-ming")).unwrap();
    let l = list();
    let folders: Vec<&str> = l
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["chen-jing", "wang-lei"]);
    assert_eq!(s.call("GET", "/api/employees/li-ming", b"").status, 404);
    copy_dir(Path::new("examples/batch/li-ming"), &dept.join("li-ming-2"));
    let l = list();
    assert_eq!(of(&l, "li-ming-2")["ready"], true, "{l}");
    assert_eq!(l.as_array().unwrap().len(), 3);
}

/// What `check` warns of on stderr without stopping (here an `applicant.toml` saved as GBK) is
/// in the employee's JSON, in the list and alone, and the page shows it.
#[test]
fn warnings_of_an_employee_are_in_its_json() {
    let s = Server::start();
    let p = s.dept().join("li-ming/applicant.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, encoding_rs::GB18030.encode(&text).0).unwrap();
    let list = s.call("GET", "/api/employees", b"").json();
    let item = &list.as_array().unwrap()[1];
    assert_eq!(item["folder"], "li-ming");
    assert_eq!(item["ready"], true, "{item}");
    let w = item["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{item}");
    assert!(w[0].as_str().unwrap().contains("18030"), "{item}");
    assert_eq!(list[0]["warnings"], serde_json::json!([]));
    let one = s.call("GET", "/api/employees/li-ming", b"").json();
    assert_eq!(one["warnings"], item["warnings"]);
    let page = s.call("GET", "/assets/app.js", b"").text();
    assert!(page.contains("emp-warnings") && page.contains("d.warnings"));
}
