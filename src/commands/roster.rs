//! `dossier roster new|import|export`: the Excel roster (SPEC §12), over [`crate::roster`].

use super::{ExitStatus, Session};
use crate::cli::RosterCommand;
use crate::error::Error;
use crate::printer::Tone;
use crate::roster::import::{Imported, Written};

pub(super) fn run(s: &Session<'_>, cmd: &RosterCommand) -> Result<ExitStatus, Error> {
    let w = s.p.words();
    match cmd {
        RosterCommand::New { file, force } => {
            let bytes = crate::roster::template::template(&s.ctx.book.district_names())
                .map_err(|e| Error::Other(e.into()))?;
            crate::output::write_file(file, &bytes, *force)?;
            let path = file.display().to_string();
            if s.p.is_json() {
                s.p.json(&serde_json::json!({ "file": file }));
            } else if !s.p.quiet {
                s.p.line(&(w.roster_written)(&s.p.input(Tone::Plain, &path)));
                s.p.line(&(w.roster_next)(&s.p.input(Tone::Plain, &path)));
            }
            Ok(ExitStatus::Success)
        }
        RosterCommand::Import { file, out } => {
            let done =
                crate::roster::import::import(file, out, &s.ctx.book.district_names(), s.ctx.date)?;
            if s.p.is_json() {
                s.p.json(&serde_json::to_value(&done).unwrap_or_default());
            } else {
                s.p.out(&import_text(s, &done));
            }
            Ok(ExitStatus::Success)
        }
        RosterCommand::Export { dirs, out, force } => {
            // Refused before any work: an existing file without --force, an input, a FIFO.
            if let Some(why) = crate::output::refuse(out, *force) {
                return Err(crate::output::refused(out, why));
            }
            let (bytes, summary) = crate::roster::export::export(&s.ctx, dirs)?;
            crate::output::write_file(out, &bytes, *force)?;
            if s.p.is_json() {
                s.p.json(&serde_json::json!({
                    "file": out,
                    "employees": summary.employees,
                    "ready": summary.ready,
                    "broken": summary.broken,
                }));
            } else if !s.p.quiet {
                let path = out.display().to_string();
                s.p.line(&(w.roster_exported)(
                    &s.p.input(Tone::Plain, &path),
                    summary.employees,
                    summary.ready,
                ));
            }
            Ok(if summary.ready == summary.employees {
                ExitStatus::Success
            } else {
                ExitStatus::Findings
            })
        }
    }
}

/// A line per folder created or changed (not with --quiet), then the counts.
fn import_text(s: &Session<'_>, done: &Imported) -> String {
    let w = s.p.words();
    let word = |st: Written| match st {
        Written::Created => w.roster_created,
        Written::Updated => w.roster_updated,
        Written::Unchanged => w.roster_unchanged,
    };
    let mut out = String::new();
    if !s.p.quiet {
        if let Some(c) = done.company.filter(|c| *c != Written::Unchanged) {
            let path = done.out.join(crate::profile::COMPANY_FILE);
            out.push_str(&format!(
                "{}  {}\n",
                word(c),
                s.p.input(Tone::Plain, &path.display().to_string())
            ));
        }
        for e in done
            .employees
            .iter()
            .filter(|e| e.status != Written::Unchanged)
        {
            out.push_str(&format!(
                "{}  {}  {}  {} {}\n",
                word(e.status),
                (w.roster_row)(e.row),
                s.p.input(Tone::Bold, &e.folder),
                s.p.input(Tone::Plain, &e.name),
                e.id_masked
            ));
        }
    }
    let count = |st: Written| done.employees.iter().filter(|e| e.status == st).count();
    out.push_str(&(w.roster_imported)(
        done.employees.len(),
        &s.p.input(Tone::Plain, &done.out.display().to_string()),
        count(Written::Created),
        count(Written::Updated),
        count(Written::Unchanged),
        done.skipped_rows.len(),
    ));
    out.push('\n');
    out
}
