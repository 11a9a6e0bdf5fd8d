//! The commands (SPEC §2), one file each: thin shells that ask the library for data
//! ([`crate::department`], [`crate::bundle`] …) and show it through the [`Printer`].
//!
//! Exit codes ([`ExitStatus`]): 0 everything asked for holds; 1 findings (not ready, below the
//! standard, a bundle that does not verify, an employee in a batch failed); 2 the command could
//! not run as asked.

mod check;
pub use check::text as check_text;
mod checklist;
mod copies;
pub mod init;
mod pack;
mod roster;
mod rules;
mod score;
mod verify;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
use crate::date::Date;
use crate::department::{Context, Employee};
use crate::error::Error;
use crate::printer::{pad, Printer, Tone};
use crate::rules::Rulebook;

/// How a command ended (SPEC §2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Everything asked for holds.
    Success = 0,
    /// Findings: not ready, below the standard, a bundle that does not verify, a failed employee.
    Findings = 1,
    /// The command could not run as asked.
    Error = 2,
}

impl From<ExitStatus> for i32 {
    fn from(s: ExitStatus) -> i32 {
        s as i32
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> std::process::ExitCode {
        std::process::ExitCode::from(s as u8)
    }
}

/// Everything a command needs that does not depend on the employee.
pub struct Session<'p> {
    pub ctx: Context,
    pub p: &'p Printer,
}

/// Runs one parsed command.
pub fn run(cli: &Cli, p: &Printer) -> Result<ExitStatus, Error> {
    // A bad SOURCE_DATE_EPOCH is an error before any work (SPEC §9), never ignored.
    crate::date::source_date_epoch().map_err(Error::Usage)?;
    match &cli.command {
        Command::Init { dir } => return init::run(p, dir),
        Command::Completions { shell } => {
            let mut cmd = crate::cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "dossier", &mut buf);
            p.out(&String::from_utf8_lossy(&buf));
            return Ok(ExitStatus::Success);
        }
        _ => {}
    }
    let book = match (&cli.rules, &cli.command) {
        // verify reads bundles only; a --rules given by habit is not even loaded.
        (_, Command::Verify { .. }) | (None, _) => Rulebook::builtin()?,
        (Some(path), _) => Rulebook::load(path)?,
    };
    let s = Session {
        ctx: Context {
            book,
            date: cli.date.unwrap_or_else(Date::today),
        },
        p,
    };
    match &cli.command {
        Command::Init { .. } | Command::Completions { .. } => unreachable!("handled above"),
        Command::Rules => rules::run(&s),
        Command::Checklist {
            dirs,
            pdf,
            force,
            visit,
            font,
        } => checklist::run(
            &s,
            &dirs.or_here(),
            pdf.as_deref(),
            *force,
            visit.as_deref(),
            font,
        ),
        Command::Score { dirs } => score::run(&s, &dirs.or_here()),
        Command::Check { dirs } => check::run(&s, &dirs.or_here()),
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
                epoch: epoch(s.ctx.date),
                date: s.ctx.date,
            };
            pack::run(&s, &dirs.or_here(), &opts, *copies, font)
        }
        Command::Copies {
            dirs,
            pdf,
            visit,
            force,
            font,
        } => copies::run(&s, &dirs.or_here(), pdf, visit.as_deref(), *force, font),
        Command::Verify { zips } => verify::run(&s, zips),
        Command::Roster { action } => roster::run(&s, action),
        Command::Serve { dir, port, no_open } => {
            let opts = crate::serve::Options {
                dir: dir.clone(),
                port: *port,
                open: !no_open,
                lang: s.p.lang,
            };
            crate::serve::run(s.ctx, opts).map(|()| ExitStatus::Success)
        }
    }
}

/// The timestamp of outputs: SOURCE_DATE_EPOCH when set (reproducible builds), else midnight
/// UTC of the application date, so the same inputs give the same bytes.
pub fn epoch(date: Date) -> i64 {
    crate::date::source_date_epoch()
        .ok()
        .flatten()
        .unwrap_or_else(|| date.unix())
}

/// An error as the clerk reads it: escaped, every diagnostic with its caret.
pub fn error_text(p: &Printer, e: &Error) -> String {
    crate::text::escape(&e.render_in(p.lang))
}

/// The batch progress bar: on stderr, only for a batch on a terminal, never with --quiet.
pub struct Bar<'p> {
    p: &'p Printer,
    show: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl<'p> Bar<'p> {
    pub fn new(p: &'p Printer) -> Bar<'p> {
        Bar {
            p,
            show: !p.quiet && std::io::stderr().is_terminal(),
            bar: std::sync::OnceLock::new(),
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}

impl crate::department::Progress for Bar<'_> {
    fn warning(&self, _folder: &str, path: &std::path::Path, message: &crate::messages::Text) {
        let line = format!(
            "{} {}: {}",
            self.p.paint(Tone::Warn, "!"),
            self.p.input(Tone::Plain, &path.display().to_string()),
            crate::text::escape(message.get(self.p.lang))
        );
        match self.bar.get() {
            Some(b) => b.suspend(|| self.p.err(&line)),
            None => self.p.err(&line),
        }
    }

    fn begin(&self, total: usize, batch: bool) {
        if self.show && batch {
            let bar = indicatif::ProgressBar::new(total as u64);
            let template = format!(
                "{{bar:30}} {{pos}}/{{len}} {} {{msg}}",
                self.p.words().people
            );
            let style = indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            let _ = self.bar.set(bar);
        }
    }

    fn start(&self, folder: &str) {
        if let Some(b) = self.bar.get() {
            let bytes = self.bytes.load(std::sync::atomic::Ordering::Relaxed);
            let folder = crate::text::escape_name(folder);
            b.set_message(if bytes == 0 {
                folder
            } else {
                format!("{:.1} MB · {folder}", bytes as f64 / 1e6)
            });
        }
    }

    fn add_bytes(&self, n: u64) {
        self.bytes
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    fn done(&self) {
        if let Some(b) = self.bar.get() {
            b.inc(1);
        }
    }
}

/// Reports an employee that could not be processed (on stderr, and in the JSON by folder);
/// returns the status it makes.
fn broken(
    s: &Session<'_>,
    e: &Employee,
    err: &Error,
    json: &mut Vec<serde_json::Value>,
) -> ExitStatus {
    if s.p.is_json() {
        json.push(serde_json::json!({"folder": e.folder, "error": err.render()}));
    }
    s.p.err(&format!(
        "{} {}: {}",
        s.p.paint(Tone::Bad, "✗"),
        s.p.input(Tone::Plain, &e.folder),
        error_text(s.p, err)
    ));
    ExitStatus::Findings
}

/// What happened to one employee, for the batch summary.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Status {
    Ready,
    Packed,
    NotReady,
    Broken,
}

/// One line of the batch summary.
struct SummaryLine {
    folder: String,
    status: Status,
    reason: String,
    output: Vec<String>,
}

impl SummaryLine {
    fn broken(e: &Employee, err: &Error, lang: crate::messages::Lang) -> SummaryLine {
        SummaryLine {
            folder: e.folder.clone(),
            status: Status::Broken,
            reason: first_line(&err.render_in(lang)),
            output: Vec::new(),
        }
    }
}

/// The end of a batch command: the JSON array, or the text summary.
fn print_summary(
    s: &Session<'_>,
    json: Vec<serde_json::Value>,
    batch: bool,
    summary: &[SummaryLine],
) {
    if s.p.is_json() {
        s.p.json_results(json, batch);
    } else if batch {
        s.p.out(&summary_text(s.p, summary));
    }
}

/// The batch summary; with --quiet only the employees that need attention, and the totals.
fn summary_text(p: &Printer, lines: &[SummaryLine]) -> String {
    let w = p.words();
    let folders: Vec<String> = lines
        .iter()
        .map(|l| crate::text::escape_name(&l.folder))
        .collect();
    let width = folders
        .iter()
        .map(|f| crate::printer::width(f))
        .max()
        .unwrap_or(6)
        + 2;
    let word = |st: Status| match st {
        Status::Ready => w.ready,
        Status::Packed => w.packed,
        Status::NotReady => w.not_ready,
        // Not only an unreadable applicant.toml: also a duplicate ID or a bundle in the way.
        Status::Broken => w.broken,
    };
    let word_width = [
        Status::Ready,
        Status::Packed,
        Status::NotReady,
        Status::Broken,
    ]
    .iter()
    .map(|s| crate::printer::width(word(*s)))
    .max()
    .unwrap_or(8)
        + 2;
    let mut out = format!("\n{}\n", w.summary);
    for (l, folder) in lines.iter().zip(&folders) {
        if p.quiet && !matches!(l.status, Status::NotReady | Status::Broken) {
            continue;
        }
        let tone = if matches!(l.status, Status::Ready | Status::Packed) {
            Tone::Ok
        } else {
            Tone::Bad
        };
        let mark = if tone == Tone::Ok { "✓" } else { "✗" };
        let reason = if l.reason.is_empty() {
            l.output.join("  ")
        } else {
            l.reason.clone()
        };
        out.push_str(&format!(
            "  {} {}{}  {}\n",
            p.paint(tone, mark),
            pad(folder, width),
            pad(word(l.status), word_width),
            crate::text::escape(&reason)
        ));
    }
    // Only the outcomes that happened: `check` never packs and `pack` leaves nobody just ready,
    // so a fixed list would always show a confusing 0.
    let parts: Vec<String> = [
        Status::Ready,
        Status::Packed,
        Status::NotReady,
        Status::Broken,
    ]
    .into_iter()
    .filter_map(|st| {
        let n = lines.iter().filter(|l| l.status == st).count();
        (n > 0).then(|| format!("{} {n}", word(st)))
    })
    .collect();
    let sep = if p.lang == crate::messages::Lang::Zh {
        "，"
    } else {
        ", "
    };
    out.push_str(&format!(
        "  {}\n",
        (w.total_people)(lines.len(), &parts.join(sep))
    ));
    out
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or("")
        .trim_start_matches(crate::error::error_word(crate::messages::Lang::Zh))
        .trim_start_matches(crate::error::error_word(crate::messages::Lang::En))
        .to_string()
}
