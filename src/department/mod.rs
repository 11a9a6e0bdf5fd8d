//! The department: every front door's view of one or many employee folders (SPEC §2's batches).
//!
//! Finds the employees of the folders given (a batch folder, several folders, natural order:
//! `emp2` before `emp10`), loads their profiles, marks the same ID number twice and two bundles
//! that would share a name, and checks, scores or packs one employee or all of them. It returns
//! data — per-employee [`Outcome`]s with their findings — and never prints: the command line,
//! the web page and the roster each present the same results their own way.
//!
//! Invariants: results come back in folder order whatever order the parallel work finished in;
//! a broken employee stops the work only when it is the only one asked for (the caller gets the
//! [`Error`]); in a batch it is an [`Outcome::Broken`] among the others.

use std::path::{Path, PathBuf};

use crate::checklist::{self, Checklist};
use crate::date::Date;
use crate::error::Error;
use crate::finding::{Code, Finding};
use crate::messages::{Lang, Text};
use crate::profile::Profile;
use crate::rules::{Env, Rulebook};
use crate::scan::CheckReport;
use crate::score::{self, Score};
use crate::t;

pub mod cache;

/// What every employee of a run shares: the rulebook and the application date.
pub struct Context {
    pub book: Rulebook,
    pub date: Date,
}

/// One employee folder to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub dir: PathBuf,
    /// The folder's name (its path when two folders of a run share a name): how reports name
    /// the employee, also when `applicant.toml` is broken.
    pub folder: String,
    /// Why this folder, one of several given, cannot be used (missing, not a folder …): it is
    /// reported like a broken employee.
    pub unusable: Option<Text>,
}

/// The employees of the folders given, and whether failures are reported per employee (a
/// batch or several folders) rather than stopping the command.
pub fn discover(dirs: &[PathBuf]) -> Result<(Vec<Employee>, bool), Error> {
    let mut out = Vec::new();
    let mut batch = dirs.len() > 1;
    for dir in dirs {
        match employees_in(dir, &mut out) {
            Ok(is_batch) => batch |= is_batch,
            // Several folders behave as a batch: one that cannot be used is reported by name
            // among the others, which are still processed.
            Err(e) if dirs.len() > 1 => out.push(Employee {
                dir: dir.clone(),
                folder: dir.display().to_string(),
                unusable: Some(Text::new(
                    e.render_in(Lang::Zh)
                        .trim_start_matches(crate::error::error_word(Lang::Zh)),
                    e.render_in(Lang::En)
                        .trim_start_matches(crate::error::error_word(Lang::En)),
                )),
            }),
            Err(e) => return Err(e),
        }
    }
    // The same folder given twice (a batch and one of its employees, or `a a`) is one
    // employee, not two with the same ID number.
    let mut distinct = std::collections::HashSet::new();
    out.retain(|e| {
        e.unusable.is_some()
            || distinct.insert(std::fs::canonicalize(&e.dir).unwrap_or_else(|_| e.dir.clone()))
    });
    // Folders are named by their last component; two alike (a/张伟 and b/张伟) by their path.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in &out {
        *seen.entry(e.folder.clone()).or_default() += 1;
    }
    for e in &mut out {
        if seen[&e.folder] > 1 {
            e.folder = e.dir.display().to_string();
        }
    }
    Ok((out, batch))
}

/// The employee folder `path` sits directly in (for a path that is not one itself: its
/// applicant.toml or its scans/ folder).
fn employee_above(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => return None,
    };
    parent
        .join("applicant.toml")
        .is_file()
        .then(|| parent.to_path_buf())
}

/// The employees of one folder given, appended to `out`; whether it is a batch.
fn employees_in(dir: &Path, out: &mut Vec<Employee>) -> Result<bool, Error> {
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => missing_folder(dir),
        _ => Error::io(dir, &e),
    })?;
    // The clerk gave applicant.toml or scans/ itself (dragged into the terminal, say).
    let inside = |dir: &Path| {
        employee_above(dir).map(|parent| Error::Folder {
            path: dir.to_path_buf(),
            message: {
                let parent = parent.display();
                t!(
                    "在员工文件夹之内：请给出员工文件夹本身，{parent}",
                    "is inside an employee folder: give the folder itself, {parent}"
                )
            },
        })
    };
    if !meta.is_dir() {
        if let Some(e) = inside(dir) {
            return Err(e);
        }
        return Err(Error::Folder {
            path: dir.to_path_buf(),
            message: t!(
                "不是文件夹：请给出员工文件夹（含 applicant.toml）或装有员工文件夹的文件夹",
                "is not a folder: give an employee folder (with applicant.toml) or a folder of them"
            ),
        });
    }
    if dir.join("applicant.toml").exists() {
        out.push(employee(dir));
        return Ok(false);
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, &e))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| p.join("applicant.toml").exists() || looks_like_employee(p))
        .collect();
    if !subs.iter().any(|p| p.join("applicant.toml").exists()) {
        if let Some(e) = inside(dir) {
            return Err(e);
        }
        if looks_like_employee(dir) {
            // An employee folder whose applicant.toml is missing or misnamed
            // (applicant.toml.txt): loading it says which, as it does in a batch.
            out.push(employee(dir));
            return Ok(false);
        }
        return Err(Error::Folder {
            path: dir.to_path_buf(),
            message: t!(
                "没有找到 applicant.toml，子文件夹中也没有：运行 `dossier init DIR` 建立员工文件夹",
                "holds no applicant.toml, and no sub-folder holds one: run `dossier init DIR` to start an employee folder"
            ),
        });
    }
    subs.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    out.extend(subs.iter().map(|d| employee(d)));
    Ok(true)
}

fn employee(dir: &Path) -> Employee {
    Employee {
        dir: dir.to_path_buf(),
        folder: folder_name(dir),
        unusable: None,
    }
}

/// A folder that does not exist, with the nearest existing sibling suggested (a typo in a name).
fn missing_folder(dir: &Path) -> Error {
    let parent = match dir.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => Path::new("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let near = std::fs::read_dir(parent).ok().and_then(|rd| {
        rd.filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .map(|n| (strsim::levenshtein(&n, &name), n))
            .filter(|(d, n)| *d <= (name.chars().count().max(n.chars().count()) / 3).max(1))
            .min()
            .map(|(_, n)| n)
    });
    let hint = match near {
        Some(n) => {
            let near = parent.join(n);
            let near = near.display();
            t!(
                "文件夹不存在；是不是 {near}？",
                "no such folder; did you mean {near}?"
            )
        }
        None => t!("文件夹不存在", "no such folder"),
    };
    Error::Folder {
        path: dir.to_path_buf(),
        message: hint,
    }
}

/// Compares names as a person reads them: runs of digits by their value (`emp2` before `emp10`).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (na, nb) = (take(&mut a), take(&mut b));
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let o = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a.next();
                b.next();
            }
        }
    }
}

/// A sub-folder of a batch without `applicant.toml` that is still meant as an employee: it has
/// `scans/`, or a file named nearly so (`Applicant.toml`, `applicant.toml.txt` from Windows).
/// Such a folder is reported, never silently skipped.
fn looks_like_employee(dir: &Path) -> bool {
    dir.join("scans").is_dir() || !near_applicant_files(dir).is_empty()
}

fn near_applicant_files(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.to_lowercase().starts_with("applicant") && n != "applicant.toml")
        .collect();
    v.sort();
    v
}

fn folder_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string())
}

/// An employee's profile and the applicant-specific views of the rulebook.
pub struct Loaded {
    pub profile: Profile,
    pub env: Env,
    pub checklist: Checklist,
    /// The other folders of the batch with the same ID number (comma-separated), if any.
    pub duplicate_of: Option<String>,
    /// The earlier folders of the batch whose bundle would have the same file name (same name,
    /// same last 4 of the ID number, another person), if any: `pack` must not write this one
    /// over theirs.
    pub same_bundle_name_as: Option<String>,
}

/// Reads an employee's `applicant.toml`.
pub fn load_profile(ctx: &Context, e: &Employee) -> Result<Profile, Error> {
    if let Some(why) = &e.unusable {
        return Err(Error::Other(why.clone()));
    }
    let path = e.dir.join("applicant.toml");
    if !path.exists() {
        let near = near_applicant_files(&e.dir);
        let message = if near.is_empty() {
            t!(
                "缺少 applicant.toml；在这个文件夹运行 `dossier init` 得到模板",
                "missing; run `dossier init` on this folder for a template"
            )
        } else {
            let (zh, en) = (near.join("、"), near.join(", "));
            t!(
                "缺少 applicant.toml；找到 {zh}：请改名为 applicant.toml",
                "missing; found {en}: rename it to applicant.toml"
            )
        };
        return Err(Error::Folder {
            path: path.clone(),
            message,
        });
    }
    let profile = Profile::load(&path, &ctx.book.district_names(), ctx.date)?;
    // From now on these are masked wherever they appear in output, in any spelling.
    for id in profile.id_numbers() {
        crate::privacy::add_known_id(&id);
    }
    Ok(profile)
}

/// The applicant's derived values and checklist; `dir` is the employee folder (named by an
/// error of the insurance record).
pub fn load(ctx: &Context, dir: &Path, profile: Profile) -> Result<Loaded, Error> {
    let env = Env::new(&ctx.book, &profile, ctx.date).map_err(|message| Error::Folder {
        path: dir.join("applicant.toml"),
        message,
    })?;
    let checklist =
        checklist::resolve(&ctx.book, &profile, &env).map_err(|message| Error::Evaluation {
            path: ctx.book.path.clone(),
            message: message.into(),
        })?;
    Ok(Loaded {
        profile,
        env,
        checklist,
        duplicate_of: None,
        same_bundle_name_as: None,
    })
}

/// The same ID number in another folder of the batch, as the error that stops `checklist` and
/// `score` for this employee (`check` and `pack` report it as a finding instead).
pub fn refuse_duplicate(e: &Employee, l: &Loaded) -> Result<(), Error> {
    match &l.duplicate_of {
        Some(others) => Err(Error::Folder {
            path: e.dir.join("applicant.toml"),
            message: t!(
                "身份证号 {} 与 {others} 相同：同一身份证号只能申请一次，每人只保留一个文件夹",
                "the same ID number {} is also in {others}: keep one folder per person",
                l.checklist.applicant.id_masked
            ),
        }),
        None => Ok(()),
    }
}

/// The simulated score of a loaded employee; a rule that cannot be evaluated names the rulebook.
pub fn score_of(ctx: &Context, l: &Loaded) -> Result<Score, Error> {
    score::score(&ctx.book, &l.profile, &l.env).map_err(|message| Error::Evaluation {
        path: ctx.book.path.clone(),
        message: message.into(),
    })
}

/// What happened to one employee.
pub enum Outcome<T> {
    Done(T),
    Broken(Error),
}

/// Every employee of a run with what happened to it, in folder order.
pub type Results<T> = Vec<(Employee, Outcome<T>)>;

/// Hears of the progress of a run (the command line's progress bar; nothing elsewhere).
pub trait Progress: Sync {
    /// The run covers `total` employees; `batch`: several of them, or a batch folder.
    fn begin(&self, _total: usize, _batch: bool) {}
    /// The work on `folder` begins.
    fn start(&self, _folder: &str) {}
    /// `n` more bytes were written (pack).
    fn add_bytes(&self, _n: u64) {}
    /// One more employee is done.
    fn done(&self) {}
    /// Something about an input file to tell the clerk that does not stop the work (a GBK
    /// `applicant.toml` read as GB 18030, say).
    fn warning(&self, _folder: &str, _path: &Path, _message: &Text) {}
}

/// No one listens.
pub struct Silent;
impl Progress for Silent {}

/// Loads every employee and applies `f`, employees in parallel, results in folder order. A
/// broken employee stops the run only when it is the only one (the error is returned); in a
/// batch it is reported by folder name and the others go on. The same ID number in two folders
/// is marked on both ([`Loaded::duplicate_of`]): one ID registers once.
pub fn each<T: Send>(
    ctx: &Context,
    dirs: &[PathBuf],
    progress: &dyn Progress,
    f: impl Fn(&Employee, &Loaded) -> Result<T, Error> + Sync,
) -> Result<(Results<T>, bool), Error> {
    let (emps, batch) = discover(dirs)?;
    each_of(ctx, emps, batch, progress, f).map(|r| (r, batch))
}

/// [`each`] over employees already found.
pub fn each_of<T: Send>(
    ctx: &Context,
    emps: Vec<Employee>,
    batch: bool,
    progress: &dyn Progress,
    f: impl Fn(&Employee, &Loaded) -> Result<T, Error> + Sync,
) -> Result<Results<T>, Error> {
    use rayon::prelude::*;
    // Profiles first, for the duplicate-ID check across the batch; each checklist is made when
    // its employee's turn comes and dropped after, so memory does not grow with the batch.
    let loaded: Vec<Result<Profile, Error>> =
        emps.par_iter().map(|e| load_profile(ctx, e)).collect();
    for (e, p) in emps.iter().zip(&loaded) {
        if let Ok(p) = p {
            for w in &p.warnings {
                progress.warning(&e.folder, &e.dir.join("applicant.toml"), w);
            }
        }
    }
    if !batch {
        if let Some(Err(_)) = loaded.first() {
            let err = loaded.into_iter().next().and_then(Result::err);
            return Err(err.unwrap_or_else(|| Error::Other("no employee".into())));
        }
    }
    let keys: Vec<Option<Keys>> = loaded
        .iter()
        .map(|l| l.as_ref().ok().map(Keys::of))
        .collect();
    let marks = batch_marks(&emps, &keys);
    progress.begin(emps.len(), batch);
    let out: Results<T> = emps
        .into_par_iter()
        .zip(loaded)
        .zip(marks)
        .map(|((e, l), (duplicate_of, same_bundle_name_as))| {
            progress.start(&e.folder);
            let r = l.and_then(|p| {
                let mut l = load(ctx, &e.dir, p)?;
                for w in &l.env.warnings {
                    progress.warning(&e.folder, &e.dir.join("applicant.toml"), w);
                }
                l.duplicate_of = duplicate_of;
                l.same_bundle_name_as = same_bundle_name_as;
                f(&e, &l)
            });
            progress.done();
            let outcome = match r {
                Ok(v) => Outcome::Done(v),
                Err(err) => Outcome::Broken(err),
            };
            (e, outcome)
        })
        .collect();
    if !batch {
        if let Some((_, Outcome::Broken(_))) = out.first() {
            if let Some((_, Outcome::Broken(err))) = out.into_iter().next() {
                return Err(err);
            }
            unreachable!("checked above");
        }
    }
    Ok(out)
}

/// What the batch marks need of one employee: its ID number and the stem of its bundle's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub id_number: String,
    pub stem: String,
}

impl Keys {
    pub fn of(p: &Profile) -> Keys {
        Keys {
            id_number: p.applicant.id_number.clone(),
            stem: p.file_stem(),
        }
    }
}

/// The batch marks of an employee ([`Loaded::duplicate_of`], [`Loaded::same_bundle_name_as`]).
pub type Marks = (Option<String>, Option<String>);

/// For each employee: the other folders with the same ID number, and the earlier folders of
/// another person whose bundle would have the same name (`None`: a profile that did not load).
/// Linear in the number of employees.
pub fn batch_marks(emps: &[Employee], keys: &[Option<Keys>]) -> Vec<Marks> {
    type ByKey<'a> = std::collections::HashMap<&'a str, Vec<usize>>;
    let (mut by_id, mut by_stem) = (ByKey::new(), ByKey::new());
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            by_id.entry(k.id_number.as_str()).or_default().push(i);
            by_stem.entry(k.stem.as_str()).or_default().push(i);
        }
    }
    // The other folders under the same key. With `earlier_person`: only folders before this
    // one, of another person (the same ID number is reported as a duplicate already).
    let others = |by: &ByKey, i: usize, key: &str, earlier_person: bool| -> Option<String> {
        let id_of = |j: usize| keys[j].as_ref().map(|k| &k.id_number);
        let others: Vec<&str> = by
            .get(key)?
            .iter()
            .filter(|&&j| j != i && !(earlier_person && (j > i || id_of(j) == id_of(i))))
            .map(|&j| emps[j].folder.as_str())
            .collect();
        (!others.is_empty()).then(|| others.join(", "))
    };
    keys.iter()
        .enumerate()
        .map(|(i, k)| match k {
            Some(k) => (
                others(&by_id, i, &k.id_number, false),
                others(&by_stem, i, &k.stem, true),
            ),
            None => (None, None),
        })
        .collect()
}

/// One employee's check: the scan report, with the applicant-level findings (the same ID number
/// in another folder of the batch, score below the standard, a veto, an expired residence
/// permit) added, and the score.
pub fn check_employee(
    ctx: &Context,
    e: &Employee,
    l: &Loaded,
) -> Result<(CheckReport, Score), Error> {
    let sc = score_of(ctx, l)?;
    let mut report = crate::scan::check(&e.dir, &l.checklist, &ctx.book.limits);
    report.findings.extend(applicant_findings(l, &sc));
    report.ready = report.ready && !report.findings.iter().any(Finding::is_error);
    Ok((report, sc))
}

/// The findings about the applicant rather than a scan: the same ID number in another folder,
/// and the score's verdict ([`crate::score::findings`]: a failed gate such as an expired
/// residence permit, a veto, a score below the standard).
pub fn applicant_findings(l: &Loaded, sc: &Score) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(others) = &l.duplicate_of {
        out.push(
            Finding::new(
                Code::DuplicateIdNumber,
                t!(
                    "身份证号 {} 与 {others} 相同：同一身份证号只能申请一次",
                    "the ID number {} is also in {others}: one ID number applies once",
                    l.checklist.applicant.id_masked
                ),
                t!(
                    "改正填错的 id_number；每人只保留一个文件夹",
                    "correct the id_number typed wrong; keep one folder per person"
                ),
            )
            .with_path("applicant.toml"),
        );
    }
    out.extend(unprintable_fields(&l.profile));
    // The verdict `score` reaches, as findings: failed gates (an expired permit …), vetoes,
    // below the standard.
    out.extend(crate::score::findings(sc));
    out
}

/// A value of `applicant.toml` (or its `company.toml`) that the PDFs' font cannot print (an
/// emoji in a name): `check` says so, naming the key, instead of `pack` failing on it (SPEC §9).
fn unprintable_fields(p: &Profile) -> Vec<Finding> {
    fn strings(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) if !s.is_ascii() => out.push((key.into(), s.clone())),
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    strings(x, &format!("{key}[{i}]"), out);
                }
            }
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    let key = if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}.{k}")
                    };
                    strings(x, &key, out);
                }
            }
            _ => {}
        }
    }
    let Ok(fonts) = crate::render::Fonts::embedded() else {
        return Vec::new();
    };
    let mut values = Vec::new();
    if let Ok(v) = serde_json::to_value(p) {
        strings(&v, "", &mut values);
    }
    values
        .into_iter()
        .filter_map(|(key, value)| {
            let chars = fonts.unprintable(&value);
            (!chars.is_empty()).then(|| {
                let shown: Vec<String> = chars
                    .iter()
                    .map(|c| format!("{} (U+{:04X})", c.escape_debug(), *c as u32))
                    .collect();
                let shown = shown.join("、");
                Finding::new(
                    Code::UnprintableName,
                    t!(
                        "{key} 中的 {shown} 无法印在封面、清单和复印件上",
                        "the PDFs' font cannot print {shown} of {key}"
                    ),
                    t!(
                        "在 applicant.toml（或 company.toml）中去掉表情符号等特殊字符",
                        "remove emoji and other special characters from it in applicant.toml (or company.toml)"
                    ),
                )
                .with_path("applicant.toml")
            })
        })
        .collect()
}

/// A checked employee: the check report with its checklist and score.
pub struct Checked {
    pub report: CheckReport,
    pub checklist: Checklist,
    pub score: Score,
}

/// Checks every employee of the folders given.
pub fn check_all(
    ctx: &Context,
    dirs: &[PathBuf],
    progress: &dyn Progress,
) -> Result<(Results<Checked>, bool), Error> {
    each(ctx, dirs, progress, |e, l| {
        let (report, score) = check_employee(ctx, e, l)?;
        Ok(Checked {
            report,
            checklist: l.checklist.clone(),
            score,
        })
    })
}

/// Scores every employee of the folders given (the same ID twice is an error for both).
pub fn score_all(
    ctx: &Context,
    dirs: &[PathBuf],
    progress: &dyn Progress,
) -> Result<(Results<Score>, bool), Error> {
    each(ctx, dirs, progress, |e, l| {
        refuse_duplicate(e, l)?;
        score_of(ctx, l)
    })
}

/// What the checklist of one employee needs: the checklist, the score (the counter checklist
/// leaves out those below the standard) and the employer and HR blocks of the PDF.
pub struct Listed {
    pub checklist: Checklist,
    pub score: Score,
    pub employer: crate::render::context::Employer,
    pub hr: crate::render::context::Hr,
    /// Why the employee does not go to the counter today (not ready, below the standard), when
    /// the scans were checked.
    pub not_today: Option<crate::messages::Text>,
}

/// The checklist of every employee of the folders given.
/// With `check`, the scans are checked too (the counter checklist lists only who is ready).
pub fn checklist_all(
    ctx: &Context,
    dirs: &[PathBuf],
    check: bool,
    progress: &dyn Progress,
) -> Result<(Results<Listed>, bool), Error> {
    each(ctx, dirs, progress, |e, l| {
        refuse_duplicate(e, l)?;
        let (score, not_today) = if check {
            let (report, score) = check_employee(ctx, e, l)?;
            let why = (!report.ready).then(|| first_error(&report));
            (score, why)
        } else {
            (score_of(ctx, l)?, None)
        };
        Ok(Listed {
            checklist: l.checklist.clone(),
            score,
            employer: crate::pack::employer(&l.profile),
            hr: crate::pack::hr(&l.profile),
            not_today,
        })
    })
}

/// The first error of a check report, to say why an employee is not ready.
fn first_error(report: &CheckReport) -> crate::messages::Text {
    report
        .findings
        .iter()
        .find(|f| f.is_error())
        .map_or_else(|| t!("未就绪", "not ready"), |f| f.message.clone())
}

/// What pack did for one employee.
pub enum PackResult {
    /// What the summary needs of a packed employee (the report and checklist are dropped, so a
    /// batch holds a few hundred bytes per packed employee).
    Packed(
        crate::pack::Packed,
        checklist::ApplicantSummary,
        Vec<Finding>,
    ),
    NotReady(CheckReport, Checklist),
}

/// Checks, then packs every ready employee of the folders given into `opts.out`.
pub fn pack_all(
    ctx: &Context,
    dirs: &[PathBuf],
    opts: &crate::pack::PackOptions,
    copies: bool,
    fonts: &crate::render::Fonts,
    progress: &dyn Progress,
) -> Result<(Results<PackResult>, bool), Error> {
    crate::pack::check_out_dir(&opts.out)?;
    each(ctx, dirs, progress, |e, l| {
        let (report, sc) = check_employee(ctx, e, l)?;
        if !report.ready {
            return Ok(PackResult::NotReady(report, l.checklist.clone()));
        }
        if let Some(first) = &l.same_bundle_name_as {
            // Same name and same last 4 of the ID: --force would write one over the other.
            return Err(Error::Folder {
                path: e.dir.clone(),
                message: t!(
                    "材料包会与 {first} 的同名，都叫 {}.zip（同名且身份证后四位相同），不能放在同一个输出文件夹：用另一个 -o 文件夹单独打包",
                    "its bundle would be named {}.zip like the one of {first}: pack it on its own with another -o folder",
                    l.profile.file_stem()
                ),
            });
        }
        // The photocopies beside the bundle, named like it: refused up front, before the bundle
        // is written, when the file is there and --force was not given (SPEC §9).
        let copies_plan = copies
            .then(|| crate::copies::plan(&l.checklist, &report, None))
            .filter(|plan| !plan.sheets.is_empty());
        let copies_name = format!("{}-复印件.pdf", l.profile.file_stem());
        if copies_plan.is_some() {
            let path = opts.out.join(&copies_name);
            if let Some(why) = crate::output::refuse(&path, opts.force) {
                return Err(crate::output::refused(&path, why));
            }
        }
        let mut packed = crate::pack::write(&l.profile, &l.checklist, &report, &sc, opts, |ctx| {
            Ok(crate::render::cover_sheet(ctx, fonts)?)
        })?;
        progress.add_bytes(packed.bytes);
        if let Some(plan) = copies_plan {
            let copies = copies_options(ctx);
            let written = crate::bundle::stage_with(&opts.out, &copies_name, opts.force, |w| {
                crate::render::copies::copies_pdf(&[plan], &copies, fonts, &opts.out, w)?;
                Ok::<(), Error>(())
            })?
            .persist()?;
            packed.copies = Some(written);
        }
        Ok(PackResult::Packed(
            packed,
            l.checklist.applicant.clone(),
            report.findings,
        ))
    })
}

/// How the photocopies of this run are printed.
pub fn copies_options(ctx: &Context) -> crate::render::copies::CopiesOptions {
    crate::render::copies::CopiesOptions {
        date: ctx.date,
        max_file_bytes: ctx.book.limits.max_file_bytes,
        max_pixels: ctx.book.limits.max_pixels,
    }
}

/// The counter visit a `--visit` argument names (0-based): its number or its id.
pub fn visit_arg(ctx: &Context, visit: Option<&str>) -> Result<Option<usize>, Error> {
    let visits: Vec<(&str, &str)> = ctx
        .book
        .visits
        .iter()
        .map(|v| (v.id.as_str(), v.label.as_str()))
        .collect();
    visit
        .map(|v| crate::copies::resolve_visit(&visits, v).map_err(Error::Usage))
        .transpose()
}

/// The photocopies of one employee, or why there are none (the first error of the check).
pub enum CopiesResult {
    Ready(crate::copies::EmployeeCopies),
    NotReady(crate::messages::Text),
}

/// The photocopies of every ready employee of the folders given (one visit, or all).
pub fn copies_all(
    ctx: &Context,
    dirs: &[PathBuf],
    visit: Option<usize>,
    progress: &dyn Progress,
) -> Result<(Results<CopiesResult>, bool), Error> {
    each(ctx, dirs, progress, |e, l| {
        let (report, _) = check_employee(ctx, e, l)?;
        if !report.ready {
            return Ok(CopiesResult::NotReady(first_error(&report)));
        }
        Ok(CopiesResult::Ready(crate::copies::plan(
            &l.checklist,
            &report,
            visit,
        )))
    })
}

/// An employee left out of the counter checklist, and why.
pub struct LeftOut {
    pub folder: String,
    pub reason: crate::messages::Text,
}

/// The counter checklist of a run.
pub struct CounterPdf {
    /// The PDF; `None` when nobody can be filed (it would be empty).
    pub bytes: Option<Vec<u8>>,
    /// The employees on it.
    pub people: usize,
    pub left_out: Vec<LeftOut>,
}

/// The counter checklist PDF of the employees listed (SPEC §8), for one visit or all: those not
/// ready, below the standard or vetoed (and the broken ones) are listed on its first page as
/// not going today, and returned; with nobody left no PDF is made.
pub fn counter_checklist(
    ctx: &Context,
    listed: &Results<Listed>,
    visit: Option<usize>,
    fonts: &crate::render::Fonts,
) -> Result<CounterPdf, Error> {
    let mut employees = Vec::new();
    let mut not_today = Vec::new();
    let mut left_out = Vec::new();
    let mut first = None;
    for (e, r) in listed {
        match r {
            Outcome::Done(d) => {
                let why = d.not_today.clone().or_else(|| {
                    (!d.score.eligible).then(|| {
                        t!(
                            "模拟积分 {} 分，未达到标准分 {} 分",
                            "simulated score {}, below the standard score {}",
                            d.score.total,
                            d.score.standard
                        )
                    })
                });
                if let Some(why) = why {
                    not_today.push(crate::counter::not_today(
                        &d.checklist.applicant.name,
                        &d.checklist.applicant.id_masked,
                        &e.folder,
                        &why.zh,
                    ));
                    left_out.push(LeftOut {
                        folder: e.folder.clone(),
                        reason: why,
                    });
                    continue;
                }
                first.get_or_insert(d);
                employees.push(crate::counter::employee(
                    &d.checklist,
                    &d.score,
                    d.employer.clone(),
                    visit,
                ));
            }
            Outcome::Broken(err) => {
                let why = err.to_string();
                let why = why.lines().next().unwrap_or_default();
                not_today.push(crate::counter::not_today(&e.folder, "—", &e.folder, why));
            }
        }
    }
    // Nobody can be filed today: no PDF (it would be empty); who is left out, and why, is the
    // caller's to say.
    let Some(first) = first else {
        return Ok(CounterPdf {
            bytes: None,
            people: 0,
            left_out,
        });
    };
    let count = employees.len();
    let mut pdf_ctx = crate::render::context::to_json(&crate::counter::context(
        ctx.date,
        &first.checklist,
        first.hr.clone(),
        employees,
        not_today,
        visit,
    ))?;
    // No ID number in full on the printed list, whatever text the rulebook gives.
    crate::privacy::mask_json(&mut pdf_ctx, &crate::privacy::known_ids());
    let bytes = crate::render::counter_checklist(&pdf_ctx, fonts)?.bytes;
    Ok(CounterPdf {
        bytes: Some(bytes),
        people: count,
        left_out,
    })
}

#[cfg(test)]
mod tests;
