//! Test harness: builds employee folders in a temp dir and runs the real `dossier` binary
//! hermetically (fixed --date, no colour, no SOURCE_DATE_EPOCH from the caller).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const DATE: &str = "2026-11-26";

/// A valid 18-digit ID for a birth date (the check character computed by the library).
pub fn id_for(birth: &str, seq: &str) -> String {
    let body = format!("310104{}{}", birth.replace('-', ""), seq);
    let c = dossier::idnum::id_check_char(&body).expect("17 digits");
    format!("{body}{c}")
}

/// An applicant.toml assembled from sections; each can be replaced whole.
#[derive(Clone)]
pub struct Applicant {
    pub applicant: String,
    pub employer: String,
    pub family: String,
    pub education: String,
    pub insurance: String,
    pub extra: String,
}

impl Default for Applicant {
    fn default() -> Self {
        Applicant {
            applicant: format!(
                "name = \"张伟\"\nid_number = \"{}\"\nphone = \"13812345678\"\nhukou = \"family\"\n",
                id_for("1993-03-07", "123")
            ),
            employer: "name = \"上海示例科技有限公司\"\ncredit_code = \"9131011566778899AR\"\ndistrict = \"浦东新区\"\nkind = \"enterprise\"\ndispatched = false\nhr_name = \"李娜\"\n".into(),
            family: "marital_status = \"single\"\n".into(),
            education: "level = \"bachelor\"\ndegree = true\nmode = \"full-time\"\ngraduated_on = \"2015-06-30\"\n".into(),
            insurance: "years = 5\nbase_ratio = 0.7\n".into(),
            extra: String::new(),
        }
    }
}

impl Applicant {
    pub fn born(mut self, birth: &str) -> Self {
        self.applicant = format!(
            "name = \"张伟\"\nid_number = \"{}\"\nhukou = \"family\"\n",
            id_for(birth, "123")
        );
        self
    }
    pub fn applicant(mut self, s: &str) -> Self {
        self.applicant = s.into();
        self
    }
    pub fn employer(mut self, s: &str) -> Self {
        self.employer = s.into();
        self
    }
    pub fn family(mut self, s: &str) -> Self {
        self.family = s.into();
        self
    }
    pub fn education(mut self, s: &str) -> Self {
        self.education = s.into();
        self
    }
    pub fn insurance(mut self, s: &str) -> Self {
        self.insurance = s.into();
        self
    }
    pub fn extra(mut self, s: &str) -> Self {
        self.extra.push_str(s);
        self.extra.push('\n');
        self
    }
    pub fn married(self) -> Self {
        let spouse = id_for("1993-09-12", "002");
        self.family(&format!(
            "marital_status = \"married\"\nmarried_on = \"2016-10-01\"\n[family.spouse]\nname = \"王芳\"\nid_number = \"{spouse}\"\nshanghai_hukou = false\n"
        ))
    }
    pub fn married_with_children(self, births: &[&str]) -> Self {
        let mut s = self.married();
        for (i, b) in births.iter().enumerate() {
            s.family.push_str(&format!(
                "[[family.children]]\nname = \"孩子{}\"\nbirth_date = \"{b}\"\n",
                i + 1
            ));
        }
        s
    }
    pub fn text(&self) -> String {
        format!(
            "[applicant]\n{}\n[employer]\n{}\n[family]\n{}\n[education]\n{}\n[insurance]\n{}\n{}",
            self.applicant, self.employer, self.family, self.education, self.insurance, self.extra
        )
    }
}

/// A temp folder holding employee folders.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    /// Writes `<name>/applicant.toml` and returns the employee folder.
    pub fn employee(&self, name: &str, toml: &str) -> PathBuf {
        let d = self.dir.path().join(name);
        std::fs::create_dir_all(d.join("scans")).unwrap();
        std::fs::write(d.join("applicant.toml"), toml).unwrap();
        d
    }
    pub fn file(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

pub fn dossier(args: &[&str]) -> Output {
    dossier_in(None, args)
}

pub fn dossier_in(cwd: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dossier"));
    if !args.contains(&"--date") {
        c.args(["--date", DATE]);
    }
    c.args(["--color", "never"]).args(args);
    c.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("DOSSIER_LANG")
        .env("NO_COLOR", "1");
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    c.output().expect("run dossier")
}

/// A run of the real binary, said fluently (after just's `tests/test.rs`):
/// `Run::new(&["check", dir]).lang("en").stdin("\n").code(1).stdout_has("missing")`.
/// Hermetic like [`dossier`]: a fixed --date, no colour, no caller's SOURCE_DATE_EPOCH or
/// DOSSIER_LANG.
pub struct Run {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl Run {
    pub fn new(args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
        if !args.contains(&"--date") {
            cmd.args(["--date", DATE]);
        }
        cmd.args(["--color", "never"]).args(args);
        cmd.env_remove("SOURCE_DATE_EPOCH")
            .env_remove("DOSSIER_LANG")
            .env("NO_COLOR", "1");
        Run { cmd, stdin: None }
    }

    /// Runs in folder `d`.
    pub fn cwd(mut self, d: &Path) -> Run {
        self.cmd.current_dir(d);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Run {
        self.cmd.env(key, value);
        self
    }

    /// `--lang` for this run.
    pub fn lang(mut self, lang: &str) -> Run {
        self.cmd.args(["--lang", lang]);
        self
    }

    /// What standard input holds (default: nothing, closed).
    pub fn stdin(mut self, s: &str) -> Run {
        self.stdin = Some(s.as_bytes().to_vec());
        self
    }

    pub fn run(mut self) -> Ran {
        use std::io::Write;
        use std::process::Stdio;
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("run dossier");
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(self.stdin.as_deref().unwrap_or_default());
        }
        Ran(child.wait_with_output().expect("wait for dossier"))
    }

    /// Runs and asserts the exit code.
    pub fn code(self, want: i32) -> Ran {
        let r = self.run();
        assert_eq!(
            code(&r.0),
            want,
            "stdout:\n{}\nstderr:\n{}",
            r.stdout(),
            r.stderr()
        );
        r
    }
}

/// What a [`Run`] gave.
pub struct Ran(pub Output);

impl Ran {
    pub fn stdout(&self) -> String {
        stdout(&self.0)
    }

    pub fn stderr(&self) -> String {
        stderr(&self.0)
    }

    pub fn json(&self) -> serde_json::Value {
        json(&self.0)
    }

    pub fn stdout_has(&self, want: &str) -> &Ran {
        assert!(
            self.stdout().contains(want),
            "stdout lacks {want:?}:\n{}",
            self.stdout()
        );
        self
    }

    pub fn stdout_lacks(&self, unwanted: &str) -> &Ran {
        assert!(
            !self.stdout().contains(unwanted),
            "stdout has {unwanted:?}:\n{}",
            self.stdout()
        );
        self
    }

    pub fn stderr_has(&self, want: &str) -> &Ran {
        assert!(
            self.stderr().contains(want),
            "stderr lacks {want:?}:\n{}",
            self.stderr()
        );
        self
    }

    pub fn stderr_lacks(&self, unwanted: &str) -> &Ran {
        assert!(
            !self.stderr().contains(unwanted),
            "stderr has {unwanted:?}:\n{}",
            self.stderr()
        );
        self
    }
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code, not a signal")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The message lines of an error output (`error: …`, `! …` and the closing count), without the
/// quoted source lines and carets, which show the input file's own words.
pub fn message_lines(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| {
            !l.trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || c == '|')
        })
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A line of Chinese output that carries an English translation in parentheses, as the messages
/// did before `--lang`: `(` followed by two English words.
pub fn english_parenthetical(err: &str) -> Option<String> {
    message_lines(err)
        .into_iter()
        .find(|l| {
            l.match_indices('(').any(|(i, _)| {
                let rest = &l[i + 1..];
                let mut words = rest.split(' ');
                let word = |w: Option<&str>| {
                    w.is_some_and(|w| w.len() > 1 && w.bytes().all(|b| b.is_ascii_lowercase()))
                };
                word(words.next()) && word(words.next())
            })
        })
        .map(str::to_string)
}

/// A line of English output holding a Chinese sentence (Chinese punctuation only a sentence
/// brings; the words of the input, quoted, use none).
pub fn chinese_sentence(err: &str) -> Option<String> {
    message_lines(err)
        .into_iter()
        .find(|l| l.contains(['，', '。', '：', '；', '（', '）', '？', '！']))
        .map(str::to_string)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

/// The checklist slugs for one applicant.toml.
pub fn slugs(a: &Applicant) -> Vec<String> {
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["--format", "json", "checklist", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json(&o)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_string())
        .collect()
}

/// The score JSON for one applicant.toml.
pub fn score(a: &Applicant) -> (i32, serde_json::Value) {
    let env = Env::new();
    let d = env.employee("e", &a.text());
    let o = dossier(&["--format", "json", "score", d.to_str().unwrap()]);
    (code(&o), json(&o))
}

pub fn points(v: &serde_json::Value, id: &str) -> i64 {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))["points"]
        .as_i64()
        .unwrap()
}

/// Copies a folder recursively (examples into a temp folder, so tests never write the repo).
pub fn copy_dir(from: &Path, to: &Path) {
    place_tree(from, to, &|a, b| {
        std::fs::copy(a, b).unwrap();
    });
}

/// Recreates a folder with its files hard-linked (copied where links fail): many employees'
/// worth of scans at no disk cost. Only for inputs that `dossier` never writes.
pub fn link_dir(from: &Path, to: &Path) {
    place_tree(from, to, &|a, b| {
        if std::fs::hard_link(a, b).is_err() {
            std::fs::copy(a, b).unwrap();
        }
    });
}

fn place_tree(from: &Path, to: &Path, place: &dyn Fn(&Path, &Path)) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            place_tree(&e.path(), &t, place);
        } else {
            place(&e.path(), &t);
        }
    }
}

/// examples/zhang-wei at `dir` with the applicant ID number `id`; scans hard-linked when `link`.
pub fn example_employee(dir: &Path, id: &str, link: bool) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zhang-wei");
    if link {
        link_dir(&src.join("scans"), &dir.join("scans"));
    } else {
        copy_dir(&src.join("scans"), &dir.join("scans"));
    }
    let toml = std::fs::read_to_string(src.join("applicant.toml")).unwrap();
    std::fs::write(
        dir.join("applicant.toml"),
        toml.replace("310115199303071230", id),
    )
    .unwrap();
    dir.to_path_buf()
}
