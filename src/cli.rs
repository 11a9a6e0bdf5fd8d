//! The command line: the arguments (clap) and the dispatch to [`crate::commands`]. Nothing here
//! does the work; each command is a thin shell over the library, in its own file.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{self, ExitStatus};
use crate::date::Date;
use crate::messages::Lang;
use crate::printer::{Format, Printer};

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
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Colour in text output (NO_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The language of text output: zh or en (default zh, or DOSSIER_LANG).
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Print only problems.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The employee folders of a command (default: the current folder).
#[derive(clap::Args, Debug, Clone)]
pub struct Dirs {
    /// Employee folders, or batch folders holding them (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

impl Dirs {
    /// The folders given, or `.`.
    pub fn or_here(&self) -> Vec<PathBuf> {
        if self.dirs.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.dirs.clone()
        }
    }
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
        #[command(flatten)]
        dirs: Dirs,
        /// Also print the counter checklist for the day, one PDF for all DIRs.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Replace the PDF if it exists.
        #[arg(long, requires = "pdf")]
        force: bool,
        /// The PDF for this counter visit only: its number (1, 2, 3) or id (submission).
        #[arg(long, value_name = "N", requires = "pdf")]
        visit: Option<String>,
        #[command(flatten)]
        font: FontArgs,
    },
    /// The simulated points, item by item, against the standard score.
    Score {
        #[command(flatten)]
        dirs: Dirs,
    },
    /// Validate applicant.toml and every scan against the checklist; list every finding.
    Check {
        #[command(flatten)]
        dirs: Dirs,
    },
    /// Check, then write the bundle ZIP and the cover sheet PDF for each ready applicant.
    Pack {
        #[command(flatten)]
        dirs: Dirs,
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
        #[command(flatten)]
        dirs: Dirs,
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
    /// A local web page over DIR for clerks who prefer a browser (127.0.0.1 only).
    Serve {
        /// A department folder (or one employee folder).
        #[arg(default_value = ".", value_name = "DIR")]
        dir: PathBuf,
        /// The port (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Do not open the browser; only print the address.
        #[arg(long)]
        no_open: bool,
    },
    /// Shell completions: `dossier completions bash > /etc/bash_completion.d/dossier`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// The Excel roster: the blank template, import into employee folders, export of the status.
    Roster {
        #[command(subcommand)]
        action: RosterCommand,
    },
}

/// `dossier roster …` (SPEC §12).
#[derive(Subcommand, Debug)]
pub enum RosterCommand {
    /// Write the blank roster: sheet 员工 (one row per employee) and 单位 (the employer).
    New {
        /// The workbook to write (.xlsx).
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Create or update one employee folder per row of 员工, and company.toml from 单位.
    Import {
        /// The filled-in roster (.xlsx).
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
        /// The department folder the employee folders go in.
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Write the department's status: sheet 汇总 (one row per employee), 材料 (employees × items).
    Export {
        /// Employee folders, or batch folders holding them.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// The workbook to write (.xlsx).
        #[arg(short, long, value_name = "FILE.xlsx")]
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
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
    pub fn load(&self) -> Result<crate::render::Fonts, crate::Error> {
        let r = match &self.font {
            Some(p) => crate::render::Fonts::from_file(p, self.font_index),
            None => crate::render::Fonts::embedded(),
        };
        r.map_err(crate::Error::from)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
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

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("\"{s}\": the languages are zh and en"))
}

/// The command line's grammar.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command().mut_subcommand("init", |init| {
        // `init` writes the template: no rulebook is read and no date is used. clap does not
        // propagate a global option to a subcommand that has an argument of that id, so these
        // hidden ones keep `--rules` and `--date` out of `init --help`; they are accepted
        // and change nothing.
        // The same value types as the global ones: clap hands their values up to them.
        init.arg(
            clap::Arg::new("rules")
                .long("rules")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .hide(true),
        )
        .arg(
            clap::Arg::new("date")
                .long("date")
                .value_name("YYYY-MM-DD")
                .value_parser(parse_date)
                .hide(true),
        )
    })
}

/// Runs the command line of this process and returns its exit status.
pub fn main() -> ExitStatus {
    main_from(std::env::args_os())
}

/// Parses `args` (the program name first) as a command line and runs it; a parse error or
/// `--help` is printed by clap, with its exit status.
pub fn main_from<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let parsed = command()
        .try_get_matches_from(args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let status = if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = e.print();
            return status;
        }
    };
    run(&cli)
}

/// Runs a parsed command line (callable in-process) and returns its exit status.
pub fn run(cli: &Cli) -> ExitStatus {
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    let format = match cli.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
    };
    let color = match cli.color {
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
        ColorChoice::Auto => None,
    };
    let printer = Printer::new(format, cli.quiet, color, lang);
    match commands::run(cli, &printer) {
        Ok(status) => status,
        Err(e) => {
            printer.err(&commands::error_text(&printer, &e));
            ExitStatus::Error
        }
    }
}
