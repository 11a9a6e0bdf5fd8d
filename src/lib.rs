//! `dossier`: prepare Shanghai residence-permit points applications (上海居住证积分) offline.
//!
//! One library under every front door (the command line, and the web page, the Excel roster and
//! the photocopies that build on it). The data flows: [`profile`] → [`rules`] → [`checklist`]
//! and [`score`] → [`scan`] → [`pack`] / [`bundle`] / [`render`]; [`department`] runs that flow
//! for one employee or a whole batch and returns data. Only the front doors print: [`printer`]
//! and [`commands`] for the command line, [`desktop`] its Enter prompt, [`serve`] its address
//! and stop lines.
//!
//! The module map, one line each:
//! - [`vocab`]: the words the rulebook, checklist and check share (holder, size, scan limits); a leaf.
//! - [`date`]: calendar dates and months, the application date, `SOURCE_DATE_EPOCH`.
//! - [`input`]: reading an input file with a size bound, never through a link or from a device.
//! - [`idnum`]: ID numbers and credit codes: check characters, masking.
//! - [`text`]: input text made safe for a terminal (control characters escaped).
//! - [`error`]: the one error type of a command that cannot run (exit 2), with located diagnostics.
//! - [`finding`]: what is wrong with an employee folder: stable codes, severities, messages.
//! - [`profile`]: `applicant.toml` (and `company.toml`) read, validated and located.
//! - [`insurance`]: the social insurance record, month by month, and its windows.
//! - [`rules`]: the rulebook (TOML + CEL), built in or `--rules`.
//! - [`celcost`]: the cost budget of a rulebook's CEL expression, checked when it is loaded.
//! - [`checklist`]: the materials one applicant needs, by counter visit.
//! - [`score`]: the simulated points against the standard score, the gates, the one verdict.
//! - [`whatif`]: the road to the standard: what-if profiles scored by the same rules.
//! - [`scan`]: `scans/` matched to the checklist and every file checked.
//! - [`pack`]: one ready employee as the bundle's plan, index and cover-sheet context.
//! - [`bundle`]: the BagIt ZIP: written deterministically, verified defensively.
//! - [`render`]: the PDFs (cover sheet, counter checklist, photocopies) from tera templates.
//! - [`copies`]: which photocopies each visit takes, page by page.
//! - [`counter`]: the counter checklist's context: who goes today with what, who does not and why.
//! - [`privacy`]: ID numbers masked in every output (names, PDFs, JSON).
//! - [`department`]: employees of a folder or batch found, loaded, checked, scored, packed: data;
//!   with a per-folder cache for a long-running front door.
//! - [`roster`]: the Excel roster: the template, import into employee folders, export.
//! - [`output`]: writing a file the user named, never onto an input or over a file without `--force`.
//! - [`messages`]: the words of the text output, one catalogue per language.
//! - [`printer`]: the one way out to the user: text, JSON, stderr; colour, width, language.
//! - [`commands`]: one file per command, thin shells over the library.
//! - [`cli`]: the command-line arguments and the dispatch to the commands.
//! - [`desktop`]: `dossier.exe` double-clicked (no arguments) or given a dropped folder; the console.
//! - [`serve`]: the clerk's desk, a local web page over the department (axum), behind a token.
//! - [`platform`]: owner-only outputs (mode or Windows ACL), names Windows reserves (CON, NUL …).

pub mod bundle;
pub mod celcost;
pub mod checklist;
pub mod cli;
pub mod commands;
pub mod copies;
pub mod counter;
pub mod date;
pub mod department;
pub mod desktop;
pub mod error;
pub mod finding;
pub mod idnum;
pub mod input;
pub mod insurance;
pub mod messages;
pub mod output;
pub mod pack;
pub mod platform;
pub mod printer;
pub mod privacy;
pub mod profile;
pub mod render;
pub mod roster;
pub mod rules;
pub mod scan;
pub mod score;
pub mod serve;
pub mod text;
pub mod vocab;
pub mod whatif;

pub use error::Error;
