//! The commands (SPEC §2). The only module that prints: everything it shows comes from the
//! library as data and is formatted here, as text or JSON.
//!
//! Exit codes: 0 everything asked for holds; 1 findings (not ready, below the standard, a bundle
//! that does not verify, an employee in a batch failed); 2 the command could not run as asked.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::checklist::{self, Checklist, Holder, Item};
use crate::date::Date;
use crate::error::Error;
use crate::finding::{Code, Finding};
use crate::profile::Profile;
use crate::rules::{Env, Rulebook};
use crate::scan::CheckReport;
use crate::score::{self, Score};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "dossier",
    version,
    about = "上海居住证积分申请材料助手 — materials checklist, simulated score, scan check and submission bundle for Shanghai residence-permit points applications",
    after_help = "Exit codes: 0 all good; 1 findings (not ready, below the standard, a bundle does not verify); 2 could not run (bad arguments or input files).\nExamples:\n  dossier init ./zhang-wei\n  dossier checklist ./zhang-wei\n  dossier score ./employees\n  dossier check ./zhang-wei\n  dossier pack ./employees -o ./out"
)]
pub struct Cli {
    /// Use this rulebook instead of the built-in one (see `dossier rules`).
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// The application date (ages, validity, cover sheet); default today or SOURCE_DATE_EPOCH.
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Colour in text output (NO_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only problems.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create DIR with a commented applicant.toml template and an empty scans/ folder.
    Init {
        /// The new employee folder.
        dir: PathBuf,
    },
    /// The exact materials list for each applicant, grouped by counter visit.
    Checklist {
        /// Employee folders, or batch folders holding them.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Also print the counter checklist for the day, one PDF for all DIRs.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        #[command(flatten)]
        font: FontArgs,
    },
    /// The simulated points, item by item, against the standard score.
    Score {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// Validate applicant.toml and every scan against the checklist; list every finding.
    Check {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// Check, then write the bundle ZIP and the cover sheet PDF for each ready applicant.
    Pack {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(short, long, value_name = "OUT", default_value = "out")]
        out: PathBuf,
        /// Replace bundles that already exist.
        #[arg(long)]
        force: bool,
        /// ASCII names inside data/ (slugs instead of labels), for old unzip tools.
        #[arg(long)]
        ascii_names: bool,
        /// Also write the photocopies PDF beside each bundle (<name>-复印件.pdf).
        #[arg(long)]
        copies: bool,
        #[command(flatten)]
        font: FontArgs,
    },
    /// The print-ready photocopies (复印件) the counter takes, as one A4 PDF.
    Copies {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// The PDF to write.
        #[arg(long, value_name = "FILE", required = true)]
        pdf: PathBuf,
        /// Only this counter visit: its number (1, 2, 3) or id (submission).
        #[arg(long, value_name = "N")]
        visit: Option<String>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        font: FontArgs,
    },
    /// Re-hash bundles against their manifests; list every mismatch.
    Verify {
        #[arg(required = true, value_name = "ZIP")]
        zips: Vec<PathBuf>,
    },
    /// Print the effective rulebook (built-in or --rules), to copy and edit.
    Rules,
}

/// The font for the PDFs (default: the embedded Noto Sans CJK SC subset).
#[derive(clap::Args, Debug, Clone)]
pub struct FontArgs {
    /// A font file (.ttf, .otf, .ttc) with every character the PDFs need.
    #[arg(long, value_name = "PATH")]
    pub font: Option<PathBuf>,
    /// The face in a .ttc collection (Noto Sans CJK: 2 is Simplified Chinese).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "font")]
    pub font_index: u32,
}

impl FontArgs {
    fn load(&self) -> Result<crate::render::Fonts, Error> {
        let r = match &self.font {
            Some(p) => crate::render::Fonts::from_file(p, self.font_index),
            None => crate::render::Fonts::embedded(),
        };
        r.map_err(|e| Error::Other(e.to_string()))
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("\"{s}\" is not a real date in the form YYYY-MM-DD"))
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.render());
            EXIT_ERROR
        }
    }
}

fn use_color(c: ColorChoice) -> bool {
    match c {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The timestamp of outputs: SOURCE_DATE_EPOCH when set (reproducible builds), else midnight
/// UTC of the application date, so the same inputs give the same bytes.
fn epoch(date: Date) -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| date.unix())
}

/// Everything a command needs that does not depend on the employee.
pub struct Session {
    pub book: Rulebook,
    pub date: Date,
    pub format: Format,
    pub style: Style,
    pub quiet: bool,
}

pub fn run(cli: &Cli) -> Result<i32, Error> {
    if let Command::Init { dir } = &cli.command {
        return init(dir, cli.quiet, cli.format);
    }
    if let Command::Verify { zips } = &cli.command {
        let s = Session {
            book: Rulebook::builtin()?,
            date: cli.date.unwrap_or_else(Date::today),
            format: cli.format,
            style: Style {
                color: use_color(cli.color),
            },
            quiet: cli.quiet,
        };
        return cmd_verify(&s, zips);
    }
    let book = match &cli.rules {
        Some(path) => Rulebook::load(path)?,
        None => Rulebook::builtin()?,
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let s = Session {
        book,
        date: cli.date.unwrap_or_else(Date::today),
        format: cli.format,
        style: Style { color },
        quiet: cli.quiet,
    };
    match &cli.command {
        Command::Init { .. } => unreachable!("handled above"),
        Command::Rules => {
            if s.format == Format::Json {
                // The same rulebook as data; the TOML text (with its comments) is what to edit.
                let table: toml::Table = toml::from_str(&s.book.source).map_err(|e| {
                    Error::Other(format!("{}: {}", s.book.path.display(), e.message()))
                })?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&table).unwrap_or_default()
                );
            } else {
                print!("{}", s.book.source);
            }
            Ok(EXIT_OK)
        }
        Command::Checklist { dirs, pdf, font } => cmd_checklist(&s, dirs, pdf.as_deref(), font),
        Command::Score { dirs } => cmd_score(&s, dirs),
        Command::Check { dirs } => cmd_check(&s, dirs),
        Command::Pack {
            dirs,
            out,
            force,
            ascii_names,
            copies,
            font,
        } => {
            let opts = crate::pack::PackOptions {
                out: out.clone(),
                force: *force,
                ascii_names: *ascii_names,
                epoch: epoch(s.date),
                date: s.date,
            };
            cmd_pack(&s, dirs, &opts, *copies, font)
        }
        Command::Copies {
            dirs,
            pdf,
            visit,
            force,
            font,
        } => cmd_copies(&s, dirs, pdf, visit.as_deref(), *force, font),
        Command::Verify { zips } => cmd_verify(&s, zips),
    }
}

// --- employees -------------------------------------------------------------------------------

/// One employee folder to process.
#[derive(Debug, Clone)]
pub struct Employee {
    pub dir: PathBuf,
    /// The folder's name, used to report an employee whose applicant.toml is broken.
    pub folder: String,
    /// Why this DIR, one of several on the command line, cannot be used (missing, not a
    /// folder …): it is reported like a broken employee.
    pub unusable: Option<String>,
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

/// The employees named on the command line, and whether failures are reported per employee
/// (a batch or several DIRs) rather than stopping the command.
pub fn employees(dirs: &[PathBuf]) -> Result<(Vec<Employee>, bool), Error> {
    let mut out = Vec::new();
    let mut batch = dirs.len() > 1;
    for dir in dirs {
        match employees_in(dir, &mut out) {
            Ok(is_batch) => batch |= is_batch,
            // Several DIRs behave as a batch: one that cannot be used is reported by name
            // among the others, which are still processed.
            Err(e) if dirs.len() > 1 => out.push(Employee {
                dir: dir.clone(),
                folder: dir.display().to_string(),
                unusable: Some(e.to_string()),
            }),
            Err(e) => return Err(e),
        }
    }
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

/// The employees of one command-line DIR, appended to `out`; whether DIR is a batch.
fn employees_in(dir: &Path, out: &mut Vec<Employee>) -> Result<bool, Error> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, &e))?;
    // The clerk gave applicant.toml or scans/ itself (dragged into the terminal, say).
    let inside = |dir: &Path| {
        employee_above(dir).map(|parent| Error::Folder {
            path: dir.to_path_buf(),
            message: format!(
                "is inside an employee folder (在员工文件夹之内): give the folder itself, {}",
                parent.display()
            ),
        })
    };
    if !meta.is_dir() {
        if let Some(e) = inside(dir) {
            return Err(e);
        }
        return Err(Error::Folder {
            path: dir.to_path_buf(),
            message:
                "is not a folder: give an employee folder (with applicant.toml) or a folder of them"
                    .into(),
        });
    }
    if dir.join("applicant.toml").exists() {
        out.push(Employee {
            dir: dir.to_path_buf(),
            folder: folder_name(dir),
            unusable: None,
        });
        return Ok(false);
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, &e))?
        .filter_map(|e| e.ok())
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
            out.push(Employee {
                dir: dir.to_path_buf(),
                folder: folder_name(dir),
                unusable: None,
            });
            return Ok(false);
        }
        return Err(Error::Folder {
            path: dir.to_path_buf(),
            message: "holds no applicant.toml, and no sub-folder holds one (没有找到 applicant.toml): run `dossier init DIR` to start an employee folder".into(),
        });
    }
    subs.sort();
    out.extend(subs.into_iter().map(|d| Employee {
        folder: folder_name(&d),
        dir: d,
        unusable: None,
    }));
    Ok(true)
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
        .filter_map(|e| e.ok())
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
pub fn load_profile(s: &Session, e: &Employee) -> Result<Profile, Error> {
    if let Some(why) = &e.unusable {
        return Err(Error::Other(why.clone()));
    }
    let path = e.dir.join("applicant.toml");
    if !path.exists() {
        let near = near_applicant_files(&e.dir);
        let hint = if near.is_empty() {
            "run `dossier init` on this folder for a template".to_string()
        } else {
            format!(
                "found {}: rename it to applicant.toml (文件名须为 applicant.toml)",
                near.join(", ")
            )
        };
        return Err(Error::Folder {
            path: path.clone(),
            message: format!("missing (缺少 applicant.toml); {hint}"),
        });
    }
    let p = Profile::load(&path, &s.book.district_names(), s.date)?;
    for w in &p.warnings {
        eprintln!("{} {}: {w}", s.style.warn("!"), path.display());
    }
    Ok(p)
}

/// The applicant's derived values and checklist.
pub fn load(s: &Session, profile: Profile) -> Result<Loaded, Error> {
    let env = Env::new(&profile, s.date);
    let checklist =
        checklist::resolve(&s.book, &profile, &env).map_err(|message| Error::Evaluation {
            path: s.book.path.clone(),
            message,
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
fn refuse_duplicate(e: &Employee, l: &Loaded) -> Result<(), Error> {
    match &l.duplicate_of {
        Some(others) => Err(Error::Folder {
            path: e.dir.join("applicant.toml"),
            message: format!(
                "the same ID number {} is also in {others} (同一身份证号只能申请一次): keep one folder per person",
                l.checklist.applicant.id_masked
            ),
        }),
        None => Ok(()),
    }
}

/// The simulated score of a loaded employee; a rule that cannot be evaluated names the rulebook.
fn score_of(s: &Session, l: &Loaded) -> Result<Score, Error> {
    score::score(&s.book, &l.profile, &l.env).map_err(|message| Error::Evaluation {
        path: s.book.path.clone(),
        message,
    })
}

/// What happened to one employee in a command.
pub enum Outcome<T> {
    Done(T),
    Broken(Error),
}

type Results<T> = Vec<(Employee, Outcome<T>)>;

/// Loads every employee and applies `f`, employees in parallel, results in folder order. A
/// broken employee stops the command only when it is the only one (exit 2); in a batch it is
/// reported by folder name and the others go on. The same ID number in two folders is marked
/// on both ([`Loaded::duplicate_of`]): one ID registers once.
pub fn each<T: Send>(
    s: &Session,
    dirs: &[PathBuf],
    f: impl Fn(&Employee, &Loaded, &Progress) -> Result<T, Error> + Sync,
) -> Result<(Results<T>, bool), Error> {
    use rayon::prelude::*;
    let (emps, batch) = employees(dirs)?;
    // Profiles first, for the duplicate-ID check across the batch; each checklist is made when
    // its employee's turn comes and dropped after, so memory does not grow with the batch.
    let loaded: Vec<Result<Profile, Error>> = emps.par_iter().map(|e| load_profile(s, e)).collect();
    if !batch {
        if let Some(Err(_)) = loaded.first() {
            let err = loaded.into_iter().next().and_then(Result::err);
            return Err(err.unwrap_or_else(|| Error::Other("no employee".into())));
        }
    }
    type ByKey = std::collections::HashMap<String, Vec<usize>>;
    let (mut by_id, mut by_stem) = (ByKey::new(), ByKey::new());
    for (i, l) in loaded.iter().enumerate() {
        if let Ok(p) = l {
            by_id
                .entry(p.applicant.id_number.clone())
                .or_default()
                .push(i);
            by_stem.entry(p.file_stem()).or_default().push(i);
        }
    }
    // The other folders under the same key. With `earlier_person`: only folders before this
    // one, of another person (the same ID number is reported as a duplicate already).
    let others = |by: &ByKey, i: usize, key: &str, earlier_person: bool| -> Option<String> {
        let id_of = |j: usize| loaded[j].as_ref().ok().map(|p| &p.applicant.id_number);
        let others: Vec<&str> = by
            .get(key)?
            .iter()
            .filter(|&&j| j != i && !(earlier_person && (j > i || id_of(j) == id_of(i))))
            .map(|&j| emps[j].folder.as_str())
            .collect();
        (!others.is_empty()).then(|| others.join(", "))
    };
    let marks: Vec<(Option<String>, Option<String>)> = loaded
        .iter()
        .enumerate()
        .map(|(i, l)| match l {
            Ok(p) => (
                others(&by_id, i, &p.applicant.id_number, false),
                others(&by_stem, i, &p.file_stem(), true),
            ),
            Err(_) => (None, None),
        })
        .collect();
    let progress = Progress::new(s, batch, emps.len());
    let out: Results<T> = emps
        .par_iter()
        .zip(loaded)
        .zip(marks)
        .map(|((e, l), (duplicate_of, same_bundle_name_as))| {
            progress.start(&e.folder);
            let r = l.and_then(|p| {
                let mut l = load(s, p)?;
                l.duplicate_of = duplicate_of;
                l.same_bundle_name_as = same_bundle_name_as;
                f(e, &l, &progress)
            });
            progress.done();
            let outcome = match r {
                Ok(v) => Outcome::Done(v),
                Err(err) => Outcome::Broken(err),
            };
            (e.clone(), outcome)
        })
        .collect();
    progress.finish();
    if !batch {
        if let Some((_, Outcome::Broken(_))) = out.first() {
            let (_, o) = out.into_iter().next().expect("one employee");
            if let Outcome::Broken(err) = o {
                return Err(err);
            }
            unreachable!("checked above");
        }
    }
    Ok((out, batch))
}

/// The batch progress bar: on stderr, only when it is a terminal, never with --quiet.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(s: &Session, batch: bool, total: usize) -> Progress {
        let show = batch && !s.quiet && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} 人 {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn start(&self, folder: &str) {
        if let Some(b) = &self.bar {
            b.set_message(self.message(folder));
        }
    }

    /// Counts bytes written (pack), shown beside the employee count.
    pub fn add_bytes(&self, n: u64) {
        self.bytes
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    fn message(&self, folder: &str) -> String {
        let bytes = self.bytes.load(std::sync::atomic::Ordering::Relaxed);
        if bytes == 0 {
            folder.to_string()
        } else {
            format!("{:.1} MB · {folder}", bytes as f64 / 1e6)
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn print_json(values: Vec<serde_json::Value>, batch: bool) {
    let v = if batch {
        serde_json::Value::Array(values)
    } else {
        values.into_iter().next().unwrap_or_default()
    };
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}

/// Reports an employee that could not be processed (on stderr, and in the JSON by folder);
/// returns the exit code it makes.
fn broken(s: &Session, e: &Employee, err: &Error, json: &mut Vec<serde_json::Value>) -> i32 {
    if s.format == Format::Json {
        json.push(serde_json::json!({"folder": e.folder, "error": err.render()}));
    }
    eprintln!("{} {}: {}", s.style.bad("✗"), e.folder, err.render());
    EXIT_FINDINGS
}

// --- checklist -------------------------------------------------------------------------------

/// One employee's part of the counter checklist PDF.
struct ForPdf {
    checklist: Checklist,
    score: Score,
    employer: serde_json::Value,
    hr: serde_json::Value,
}

fn cmd_checklist(
    s: &Session,
    dirs: &[PathBuf],
    pdf: Option<&Path>,
    font: &FontArgs,
) -> Result<i32, Error> {
    // Load the font first: a bad --font is an error before any work.
    let fonts = pdf.map(|_| font.load()).transpose()?;
    let (results, batch) = each(s, dirs, |e, l, _| {
        refuse_duplicate(e, l)?;
        let score = score_of(s, l)?;
        Ok(ForPdf {
            checklist: l.checklist.clone(),
            score,
            employer: crate::pack::employer(&l.profile),
            hr: crate::pack::hr(&l.profile),
        })
    })?;
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    let mut out = String::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(d) => {
                if s.format == Format::Json {
                    json.push(serde_json::to_value(&d.checklist).unwrap_or_default());
                } else {
                    if batch {
                        out.push_str(&format!("── {} ──\n", e.folder));
                    }
                    out.push_str(&checklist_text(s, &d.checklist));
                    out.push('\n');
                }
            }
            Outcome::Broken(err) => code = broken(s, e, err, &mut json),
        }
    }
    if s.format == Format::Json {
        print_json(json, batch);
    } else if !s.quiet {
        print!("{out}");
    }
    if let (Some(path), Some(fonts)) = (pdf, fonts) {
        let done: Vec<(&Employee, &ForPdf)> = results
            .iter()
            .filter_map(|(e, r)| match r {
                Outcome::Done(d) => Some((e, d)),
                Outcome::Broken(_) => None,
            })
            .collect();
        let mut employees = Vec::new();
        for (e, d) in &done {
            if !d.score.eligible {
                eprintln!(
                    "{} {}: 模拟积分 {} / {}，未列入柜台清单 (below the standard or vetoed: left out of the counter checklist)",
                    s.style.warn("!"),
                    e.folder,
                    d.score.total,
                    d.score.standard
                );
                code = EXIT_FINDINGS;
                continue;
            }
            employees.push(counter_employee(d));
        }
        if employees.is_empty() {
            return Err(Error::Usage(
                "no employee can be filed: the counter checklist would be empty (nothing written)"
                    .into(),
            ));
        }
        let first = done
            .iter()
            .find(|(_, d)| d.score.eligible)
            .map(|(_, d)| *d)
            .expect("one employee at least");
        let ctx = serde_json::json!({
            "date": s.date.to_string(),
            "tool_version": crate::pack::TOOL_VERSION,
            "rulebook": first.checklist.rulebook,
            "hr": first.hr,
            "hr_items": crate::pack::hr_items(&first.checklist),
            "employees": employees,
        });
        let bytes = crate::render::counter_checklist(&ctx, &fonts)
            .map_err(|e| Error::Other(e.to_string()))?;
        let written = write_output(path, &bytes)?;
        if !s.quiet && s.format == Format::Text {
            eprintln!(
                "counter checklist: {} ({} 人, {} KB)",
                written.display(),
                ctx["employees"].as_array().map_or(0, Vec::len),
                bytes.len() / 1024
            );
        }
    }
    Ok(code)
}

fn counter_employee(d: &ForPdf) -> serde_json::Value {
    let c = &d.checklist;
    // Items are numbered in checklist order among the applicant's own documents.
    let applicant_items: Vec<&str> = c
        .items
        .iter()
        .filter(|i| i.holder == Holder::Applicant)
        .map(|i| i.slug.as_str())
        .collect();
    let visits = crate::pack::visits_context(c, |i| {
        let no = applicant_items
            .iter()
            .position(|s| *s == i.slug)
            .map(|p| p + 1);
        serde_json::json!({"no": no, "slug": i.slug, "label": i.label, "copies": i.copies,
                           "original": i.original, "reason": i.reason})
    });
    serde_json::json!({
        "applicant": c.applicant, "employer": d.employer, "center": c.center,
        "center_address": c.center_address,
        "score": crate::pack::score_summary(&d.score),
        "visits": visits,
    })
}

/// Writes a file the user named (replacing it), atomically and readable only by its owner.
fn write_output(path: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    crate::bundle::write_atomic(&dir, &name, bytes, true).map_err(crate::pack::bundle_error)
}

// --- pack ------------------------------------------------------------------------------------

enum PackResult {
    /// What the summary needs of a packed employee (the report and checklist are dropped, so a
    /// batch holds a few hundred bytes per packed employee).
    Packed(
        crate::pack::Packed,
        checklist::ApplicantSummary,
        Vec<Finding>,
    ),
    NotReady(CheckReport, Checklist),
}

fn cmd_pack(
    s: &Session,
    dirs: &[PathBuf],
    opts: &crate::pack::PackOptions,
    copies: bool,
    font: &FontArgs,
) -> Result<i32, Error> {
    crate::pack::check_out_dir(&opts.out)?;
    let fonts = font.load()?;
    let (results, batch) = each(s, dirs, |e, l, progress| {
        let (report, sc) = check_employee(s, e, l)?;
        if !report.ready {
            return Ok(PackResult::NotReady(report, l.checklist.clone()));
        }
        if let Some(first) = &l.same_bundle_name_as {
            // Same name and same last 4 of the ID: --force would write one over the other.
            return Err(Error::Folder {
                path: e.dir.clone(),
                message: format!(
                    "its bundle would be named {}.zip like the one of {first} (同名且身份证后四位相同，不能放在同一个输出文件夹): pack it on its own with another -o folder",
                    l.profile.file_stem()
                ),
            });
        }
        let packed = crate::pack::write(&l.profile, &l.checklist, &report, &sc, opts, |ctx| {
            crate::render::cover_sheet(ctx, &fonts).map_err(|e| Error::Other(e.to_string()))
        })?;
        progress.add_bytes(packed.bytes);
        if copies {
            // Beside the bundle, named like it; replaced like the cover sheet.
            let plan = crate::copies::plan(&l.checklist, &report, None);
            if !plan.sheets.is_empty() {
                let bytes = crate::render::copies::copies_pdf(&[plan], &copies_options(s), &fonts)
                    .map_err(|e| Error::Other(e.to_string()))?;
                crate::bundle::write_atomic(
                    &opts.out,
                    &format!("{}-复印件.pdf", l.profile.file_stem()),
                    &bytes,
                    true,
                )
                .map_err(crate::pack::bundle_error)?;
            }
        }
        Ok(PackResult::Packed(
            packed,
            l.checklist.applicant.clone(),
            report.findings,
        ))
    })?;
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    let mut summary = Vec::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(PackResult::Packed(p, applicant, findings)) => {
                if s.format == Format::Json {
                    json.push(serde_json::json!({"folder": e.folder, "applicant": applicant, "status": "packed",
                        "zip": p.zip, "cover": p.cover, "files": p.files, "bytes": p.bytes,
                        "payload_oxum": p.payload_oxum, "fingerprint": p.fingerprint, "findings": findings}));
                } else if !s.quiet {
                    println!(
                        "{} {}  {}\n    {}\n    {}  ({} 个文件, {:.1} MB, 指纹 {}…)",
                        s.style.ok("✓"),
                        s.style.bold(&applicant.name),
                        applicant.id_masked,
                        p.zip.display(),
                        p.cover.display(),
                        p.files,
                        p.bytes as f64 / 1e6,
                        &p.fingerprint[..12.min(p.fingerprint.len())]
                    );
                }
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: "packed",
                    reason: String::new(),
                    output: vec![p.zip.display().to_string()],
                });
            }
            Outcome::Done(PackResult::NotReady(report, c)) => {
                code = EXIT_FINDINGS;
                let first = report
                    .findings
                    .iter()
                    .find(|f| f.is_error())
                    .map(|f| f.message.clone())
                    .unwrap_or_default();
                if s.format == Format::Json {
                    json.push(serde_json::json!({"folder": e.folder, "applicant": c.applicant, "status": "not-ready",
                        "ready": false, "items": report.items, "findings": report.findings}));
                } else {
                    println!(
                        "{} {}  {}  未就绪，未打包 (not ready: no bundle written)\n{}",
                        s.style.bad("✗"),
                        s.style.bold(&c.applicant.name),
                        c.applicant.id_masked,
                        colour_check(
                            &s.style,
                            &if s.quiet {
                                crate::scan::render_problems(report, c)
                            } else {
                                crate::scan::render_text(report, c)
                            }
                        )
                    );
                }
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: "not-ready",
                    reason: first,
                    output: Vec::new(),
                });
            }
            Outcome::Broken(err) => {
                code = broken(s, e, err, &mut json);
                summary.push(SummaryLine::broken(e, err));
            }
        }
    }
    print_summary(s, json, batch, &summary);
    Ok(code)
}

// --- copies ----------------------------------------------------------------------------------

fn copies_options(s: &Session) -> crate::render::copies::CopiesOptions {
    crate::render::copies::CopiesOptions {
        date: s.date,
        max_file_bytes: s.book.limits.max_file_bytes,
        max_pixels: s.book.limits.max_pixels,
    }
}

/// The counter visit `--visit` names (0-based), or an error listing the visits.
fn visit_arg(s: &Session, visit: Option<&str>) -> Result<Option<usize>, Error> {
    let visits: Vec<(&str, &str)> = s
        .book
        .visits
        .iter()
        .map(|v| (v.id.as_str(), v.label.as_str()))
        .collect();
    visit
        .map(|v| crate::copies::resolve_visit(&visits, v).map_err(Error::Usage))
        .transpose()
}

enum CopiesResult {
    Ready(crate::copies::EmployeeCopies),
    NotReady(String),
}

fn cmd_copies(
    s: &Session,
    dirs: &[PathBuf],
    pdf: &Path,
    visit: Option<&str>,
    force: bool,
    font: &FontArgs,
) -> Result<i32, Error> {
    let visit = visit_arg(s, visit)?;
    if !force && std::fs::symlink_metadata(pdf).is_ok() {
        return Err(Error::Usage(format!(
            "{} already exists (文件已存在，未覆盖): pass --force to replace it (nothing was written)",
            pdf.display()
        )));
    }
    let fonts = font.load()?;
    let (results, _) = each(s, dirs, |e, l, _| {
        let (report, _) = check_employee(s, e, l)?;
        if !report.ready {
            let why = report
                .findings
                .iter()
                .find(|f| f.is_error())
                .map(|f| f.message.clone())
                .unwrap_or_else(|| "未就绪 (not ready)".into());
            return Ok(CopiesResult::NotReady(why));
        }
        Ok(CopiesResult::Ready(crate::copies::plan(
            &l.checklist,
            &report,
            visit,
        )))
    })?;
    let mut code = EXIT_OK;
    let mut ready = Vec::new();
    let mut json = Vec::new();
    for (e, r) in results {
        match r {
            Outcome::Done(CopiesResult::Ready(c)) => ready.push(c),
            Outcome::Done(CopiesResult::NotReady(why)) => {
                code = EXIT_FINDINGS;
                eprintln!(
                    "{} {}: 未就绪，未打印复印件 (not ready: left out of the copies): {why}",
                    s.style.bad("✗"),
                    e.folder
                );
            }
            Outcome::Broken(err) => code = broken(s, &e, &err, &mut json),
        }
    }
    let sheets: usize = ready.iter().map(|c| c.sheets.len()).sum();
    if sheets == 0 {
        eprintln!(
            "{} no copies to print (没有需要打印的复印件): {}; nothing written",
            s.style.warn("!"),
            if ready.is_empty() {
                "no employee is ready"
            } else {
                "no visit asks for a copy of a scanned item"
            }
        );
        return Ok(code.max(EXIT_FINDINGS));
    }
    let bytes = crate::render::copies::copies_pdf(&ready, &copies_options(s), &fonts)
        .map_err(|e| Error::Other(e.to_string()))?;
    let written = write_new_or_forced(pdf, &bytes, force)?;
    if !s.quiet {
        eprintln!(
            "copies: {} ({} 人, {} 页, {:.1} MB)",
            written.display(),
            ready.len(),
            sheets,
            bytes.len() as f64 / 1e6
        );
    }
    Ok(code)
}

/// Writes a file the user named, atomically and readable only by its owner; an existing one
/// only with `force` (exit 2 otherwise).
fn write_new_or_forced(path: &Path, bytes: &[u8], force: bool) -> Result<PathBuf, Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    crate::bundle::write_atomic(&dir, &name, bytes, force).map_err(|e| match e {
        crate::bundle::BundleError::Exists { path } => Error::Usage(format!(
            "{} already exists (文件已存在，未覆盖): pass --force to replace it",
            path.display()
        )),
        e => crate::pack::bundle_error(e),
    })
}

// --- verify ----------------------------------------------------------------------------------

fn cmd_verify(s: &Session, zips: &[PathBuf]) -> Result<i32, Error> {
    let several = zips.len() > 1;
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    for z in zips {
        match crate::bundle::verify(z) {
            Ok(r) => {
                if !r.ok {
                    code = code.max(EXIT_FINDINGS);
                }
                if s.format == Format::Json {
                    let problems: Vec<serde_json::Value> = r
                        .problems
                        .iter()
                        .map(|p| serde_json::json!({"path": p.path, "message": p.message}))
                        .collect();
                    json.push(serde_json::json!({"zip": z, "ok": r.ok, "files": r.files, "bytes": r.bytes, "problems": problems}));
                } else if r.ok {
                    if !s.quiet {
                        println!(
                            "{} {}: {} 个文件, {} 字节, 校验通过 (verified)",
                            s.style.ok("✓"),
                            z.display(),
                            r.files,
                            r.bytes
                        );
                    }
                } else {
                    println!(
                        "{} {}: {} 处问题 (does not verify)",
                        s.style.bad("✗"),
                        z.display(),
                        r.problems.len()
                    );
                    for p in &r.problems {
                        println!("    {}: {}", p.path, p.message);
                    }
                    println!(
                        "  → 材料包与打包时不一致（文件被改动、删除或添加），不要提交；用 `dossier pack --force` 重新打包 (do not submit it: pack again)"
                    );
                }
            }
            Err(e) if !several => return Err(Error::Other(e.to_string())),
            Err(e) => {
                code = EXIT_ERROR;
                eprintln!("error: {e}");
                if s.format == Format::Json {
                    json.push(serde_json::json!({"zip": z, "ok": false, "error": e.to_string()}));
                }
            }
        }
    }
    if s.format == Format::Json {
        print_json(json, several);
    }
    Ok(code)
}

/// How to bring an item: `原件 + 复印件 1 份`, `复印件 1 份`, `原件`.
pub fn how_to_bring(i: &Item) -> String {
    how_with_copies(i, i.copies)
}

/// [`how_to_bring`] with `copies` copies (the item's, or none at an originals-only visit).
fn how_with_copies(i: &Item, copies: u32) -> String {
    match (i.original, copies) {
        (true, 0) => "原件".into(),
        (true, n) => format!("原件 + 复印件 {n} 份"),
        (false, n) => format!("复印件 {n} 份"),
    }
}

pub fn checklist_text(s: &Session, c: &Checklist) -> String {
    let st = &s.style;
    let mut out = format!(
        "{}  {}\n",
        st.bold(&c.applicant.name),
        c.applicant.id_masked
    );
    out.push_str(&format!("受理点 (counter): {}", c.center));
    if let Some(a) = &c.center_address {
        out.push_str(&format!("，{a}"));
    }
    out.push_str(&format!(
        "\n规则 (rulebook): {} {}\n",
        c.rulebook.id, c.rulebook.version
    ));
    let label_width = c
        .items
        .iter()
        .map(|i| display_width(&i.label))
        .max()
        .unwrap_or(8)
        + 2;
    for (n, v) in c.visits.iter().enumerate() {
        let items: Vec<&Item> = c
            .items
            .iter()
            .filter(|i| i.visits.contains(&v.id))
            .collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{} {}\n",
            st.bold(&format!("第 {} 次 · {}", n + 1, v.label)),
            st.dim(&v.note)
        ));
        for i in items.iter().filter(|i| i.holder == Holder::Applicant) {
            let scan = match (i.parts.is_empty(), i.combined.first()) {
                (true, _) => format!("扫描 {} 页", i.min_parts),
                (false, None) => format!("扫描 {} 页（{}）", i.min_parts, i.parts.join("、")),
                (false, Some(c)) => format!(
                    "扫描 {} 页（{}），或 1 页（{c}）",
                    i.min_parts,
                    i.parts.join("、")
                ),
            };
            let how = how_with_copies(i, v.copies_of(i));
            out.push_str(&format!(
                "  [ ] {}{}  {}\n",
                pad(&i.label, label_width),
                pad(&how, 20),
                st.dim(&format!("{scan} · {} · {}", i.slug, i.reason))
            ));
        }
        let hr: Vec<String> = items
            .iter()
            .filter(|i| i.holder == Holder::Hr)
            .map(|i| format!("{}（{}）", i.label, how_with_copies(i, v.copies_of(i))))
            .collect();
        if !hr.is_empty() {
            out.push_str(&format!("  经办人带 (HR brings): {}\n", hr.join("、")));
        }
    }
    out
}

// --- score -----------------------------------------------------------------------------------

fn cmd_score(s: &Session, dirs: &[PathBuf]) -> Result<i32, Error> {
    let (results, batch) = each(s, dirs, |e, l, _| {
        refuse_duplicate(e, l)?;
        score_of(s, l)
    })?;
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    let mut out = String::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(sc) => {
                if !sc.eligible {
                    code = EXIT_FINDINGS;
                }
                if s.format == Format::Json {
                    json.push(serde_json::to_value(sc).unwrap_or_default());
                } else if !s.quiet || !sc.eligible {
                    // --quiet: only the employees below the standard.
                    if batch {
                        out.push_str(&format!("── {} ──\n", e.folder));
                    }
                    out.push_str(&score_text(s, sc));
                    out.push('\n');
                }
            }
            Outcome::Broken(err) => code = broken(s, e, err, &mut json),
        }
    }
    if s.format == Format::Json {
        print_json(json, batch);
    } else {
        print!("{out}");
    }
    Ok(code)
}

pub fn score_text(s: &Session, sc: &Score) -> String {
    let st = &s.style;
    let mut out = format!(
        "{}  {}  模拟积分 (simulated score)\n",
        st.bold(&sc.applicant.name),
        sc.applicant.id_masked
    );
    let width = sc
        .items
        .iter()
        .map(|i| display_width(&i.label))
        .max()
        .unwrap_or(8)
        + 2;
    for i in &sc.items {
        if i.points == 0 && i.raw.is_none() && i.group != "basic" && i.detail.is_empty() {
            continue;
        }
        let pts = format!("{:>5}", i.points);
        let note = match (&i.raw, i.detail.is_empty()) {
            // The raw points belong to this item, not to the item that counts instead.
            (Some(raw), _) => format!("{}，本项 {raw} 分不计：{}", i.detail, i.note),
            (None, false) => i.detail.clone(),
            (None, true) => i.explain.clone(),
        };
        out.push_str(&format!(
            "  {}{}  {}\n",
            pad(&i.label, width),
            pts,
            st.dim(&note)
        ));
    }
    for v in &sc.vetoes {
        out.push_str(&format!(
            "  {} 一票否决 (veto): {} — {}\n",
            st.bad("✗"),
            v.label,
            v.basis
        ));
    }
    let verdict = if sc.eligible {
        st.ok("✓ 达到标准分 (reaches the standard score)")
    } else if !sc.vetoes.is_empty() {
        st.bad("✗ 一票否决，不能申请 (vetoed)")
    } else {
        st.bad(&format!(
            "✗ 未达到标准分，还差 {} 分 (below the standard)",
            sc.standard - sc.total
        ))
    };
    out.push_str(&format!(
        "  {}{:>5} / 标准分 {}  {verdict}\n",
        pad("合计", width),
        sc.total,
        sc.standard
    ));
    out
}

// --- check -----------------------------------------------------------------------------------

/// The scan limits the rulebook sets.
pub fn limits(book: &Rulebook) -> crate::scan::ScanLimits {
    crate::scan::ScanLimits {
        max_file_bytes: book.limits.max_file_bytes,
        max_pixels: book.limits.max_pixels,
        min_dpi: book.limits.min_dpi,
    }
}

/// One employee's check: the scan report, with the applicant-level findings (the same ID number
/// in another folder of the batch, score below the standard, a veto, an expired residence
/// permit) added.
pub fn check_employee(
    s: &Session,
    e: &Employee,
    l: &Loaded,
) -> Result<(CheckReport, Score), Error> {
    let sc = score_of(s, l)?;
    let mut report = crate::scan::check(&e.dir, &l.checklist, &limits(&s.book));
    report.findings.extend(applicant_findings(s, l, &sc));
    report.ready = report.ready && !report.findings.iter().any(|f| f.is_error());
    Ok((report, sc))
}

fn applicant_findings(s: &Session, l: &Loaded, sc: &Score) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(others) = &l.duplicate_of {
        out.push(
            Finding::new(
                Code::DuplicateIdNumber,
                format!(
                    "身份证号 {} 与 {others} 相同：同一身份证号只能申请一次 (the same ID number is also in {others})",
                    l.checklist.applicant.id_masked
                ),
                "改正填错的 id_number；每人只保留一个文件夹 (keep one folder per person)",
            )
            .with_path("applicant.toml"),
        );
    }
    if !sc.vetoes.is_empty() {
        let labels: Vec<&str> = sc.vetoes.iter().map(|v| v.label.as_str()).collect();
        out.push(Finding::new(
            Code::Vetoed,
            format!("一票否决：{} (a one-vote veto applies)", labels.join("、")),
            "不能申请积分；核实 applicant.toml 的 [deductions] 是否填写正确",
        ));
    } else if sc.total < sc.standard {
        out.push(Finding::new(
            Code::BelowStandard,
            format!(
                "模拟积分 {} 分，未达到标准分 {} 分 (below the standard score)",
                sc.total, sc.standard
            ),
            "未达到标准分的申请窗口不予受理；运行 `dossier score` 查看各项得分",
        ));
    }
    if let Some(expires) = l.profile.applicant.permit_expires {
        if expires < s.date {
            out.push(
                Finding::new(
                    Code::PermitExpired,
                    format!("上海市居住证已于 {expires} 过期 (the residence permit expired)"),
                    "先办理居住证签注或续办，再更新 applicant.toml 的 permit_expires",
                )
                .with_path("applicant.toml"),
            );
        }
    }
    out
}

fn cmd_check(s: &Session, dirs: &[PathBuf]) -> Result<i32, Error> {
    let (results, batch) = each(s, dirs, |e, l, _| {
        let (report, _) = check_employee(s, e, l)?;
        Ok((report, l.checklist.clone()))
    })?;
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    let mut summary = Vec::new();
    for (e, r) in &results {
        match r {
            Outcome::Done((report, checklist)) => {
                if !report.ready {
                    code = EXIT_FINDINGS;
                }
                let first = report
                    .findings
                    .iter()
                    .find(|f| f.is_error())
                    .map(|f| f.message.clone());
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: if report.ready { "ready" } else { "not-ready" },
                    reason: first.unwrap_or_default(),
                    output: Vec::new(),
                });
                if s.format == Format::Json {
                    let mut v = serde_json::to_value(report).unwrap_or_default();
                    v["folder"] = e.folder.clone().into();
                    v["applicant"] = serde_json::to_value(&checklist.applicant).unwrap_or_default();
                    json.push(v);
                } else if !s.quiet || !report.ready {
                    let mut text = format!(
                        "{}  {}\n",
                        s.style.bold(&checklist.applicant.name),
                        checklist.applicant.id_masked
                    );
                    if batch {
                        text = format!("── {} ──\n{text}", e.folder);
                    }
                    text.push_str(&colour_check(
                        &s.style,
                        &if s.quiet {
                            crate::scan::render_problems(report, checklist)
                        } else {
                            crate::scan::render_text(report, checklist)
                        },
                    ));
                    println!("{text}");
                }
            }
            Outcome::Broken(err) => {
                code = broken(s, e, err, &mut json);
                summary.push(SummaryLine::broken(e, err));
            }
        }
    }
    print_summary(s, json, batch, &summary);
    Ok(code)
}

/// Colours the marks of the check report for a terminal.
fn colour_check(st: &Style, text: &str) -> String {
    if !st.color {
        return text.to_string();
    }
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with('✓') || t.starts_with("就绪") {
                st.ok(l)
            } else if t.starts_with('✗') || t.starts_with("error[") || t.starts_with("未就绪")
            {
                st.bad(l)
            } else if t.starts_with("warning[") {
                st.warn(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// One line of the batch summary.
#[derive(serde::Serialize)]
pub struct SummaryLine {
    pub folder: String,
    /// `ready`, `packed`, `not-ready` or `broken`.
    pub status: &'static str,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
}

impl SummaryLine {
    fn broken(e: &Employee, err: &Error) -> SummaryLine {
        SummaryLine {
            folder: e.folder.clone(),
            status: "broken",
            reason: first_line(&err.render()),
            output: Vec::new(),
        }
    }
}

/// The end of a batch command: the JSON array, or the text summary.
fn print_summary(s: &Session, json: Vec<serde_json::Value>, batch: bool, summary: &[SummaryLine]) {
    if s.format == Format::Json {
        print_json(json, batch);
    } else if batch {
        print!("{}", summary_text(&s.style, summary, s.quiet));
    }
}

/// The batch summary; with --quiet only the employees that need attention, and the totals.
fn summary_text(st: &Style, lines: &[SummaryLine], quiet: bool) -> String {
    let width = lines
        .iter()
        .map(|l| display_width(&l.folder))
        .max()
        .unwrap_or(6)
        + 2;
    let mut out = String::from("\n汇总 (summary)\n");
    for l in lines
        .iter()
        .filter(|l| !quiet || matches!(l.status, "not-ready" | "broken"))
    {
        let (mark, word) = match l.status {
            "ready" => (st.ok("✓"), "就绪 ready"),
            "packed" => (st.ok("✓"), "已打包 packed"),
            "not-ready" => (st.bad("✗"), "未就绪 not ready"),
            // Not only an unreadable applicant.toml: also a duplicate ID or a bundle in the way.
            _ => (st.bad("✗"), "出错 error"),
        };
        let reason = if l.reason.is_empty() {
            l.output.join("  ")
        } else {
            l.reason.clone()
        };
        out.push_str(&format!(
            "  {mark} {}{}  {}\n",
            pad(&l.folder, width),
            pad(word, 18),
            reason
        ));
    }
    let count = |st: &str| lines.iter().filter(|l| l.status == st).count();
    // Only the outcomes that happened: `check` never packs and `pack` leaves nobody just ready,
    // so a fixed list would always show a confusing 0.
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for (status, z, e) in [
        ("ready", "就绪", "ready"),
        ("packed", "已打包", "packed"),
        ("not-ready", "未就绪", "not ready"),
        ("broken", "出错", "error"),
    ] {
        let n = count(status);
        if n > 0 {
            zh.push(format!("{z} {n}"));
            en.push(format!("{e} {n}"));
        }
    }
    out.push_str(&format!(
        "  共 {} 人：{} (total {}: {})\n",
        lines.len(),
        zh.join("，"),
        lines.len(),
        en.join(", ")
    ));
    out
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string()
}

// --- init ------------------------------------------------------------------------------------

pub const TEMPLATE: &str = include_str!("../templates/applicant.toml");

fn init(dir: &Path, quiet: bool, format: Format) -> Result<i32, Error> {
    let file = dir.join("applicant.toml");
    if file.exists() {
        return Err(Error::Usage(format!(
            "{} already exists (已存在，不会覆盖): init never overwrites; edit it, or choose a new folder",
            file.display()
        )));
    }
    // The folder is shared with Windows machines: no name Windows cannot create (CON, "a.").
    if let Some(p) = dir
        .file_name()
        .and_then(|n| crate::platform::windows_name_problem(&n.to_string_lossy()))
    {
        return Err(Error::Usage(format!("{}: {p}", dir.display())));
    }
    create_private_dir(dir)?;
    create_private_dir(&dir.join("scans"))?;
    write_new_private(&file, TEMPLATE.as_bytes())?;
    if format == Format::Json {
        println!(
            "{}",
            serde_json::json!({"folder": dir, "created": [file, dir.join("scans")]})
        );
    } else if !quiet {
        println!(
            "已创建 (created) {} 和 (and) {}/",
            file.display(),
            dir.join("scans").display()
        );
        println!(
            "下一步：填写 applicant.toml，把扫描件放进 scans/，然后运行 (next: fill in applicant.toml, put the scans in scans/, then run) `dossier checklist {}`",
            shell_arg(&dir.display().to_string())
        );
    }
    Ok(EXIT_OK)
}

/// A path as it must be typed in a shell to be one argument: quoted when it holds a space or a
/// character the shell would interpret, so a suggested command can be copied as it is.
fn shell_arg(s: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "/._-+,:@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else if !s.contains(['"', '$', '`', '\\', '!']) {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    let existed = dir.exists();
    b.create(dir).map_err(|e| Error::io(dir, &e))?;
    if existed {
        return Ok(());
    }
    crate::platform::restrict_new_dir(dir).map_err(|e| Error::io(dir, &e))
}

/// Creates a new file readable only by its owner; fails if it exists.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path).map_err(|e| Error::io(path, &e))?;
    crate::platform::restrict_file(&f, path).map_err(|e| Error::io(path, &e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, &e))
}

// --- text helpers ----------------------------------------------------------------------------

/// ANSI styling, off when colour is off.
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn ok(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn bad(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Terminal columns of a string: CJK and full-width characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if crate::error::is_wide(c) { 2 } else { 1 })
        .sum()
}

pub fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}
