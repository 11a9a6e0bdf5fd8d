//! `dossier copies DIR... --pdf FILE [--visit N]`: the photocopies (复印件) the counter takes,
//! as one print-ready A4 PDF (SPEC §11). `--format json`: one object, `{"pdf", "sheets",
//! "bytes", "employees": [{"folder", "status": "printed" | "not-ready", …} | {"folder",
//! "error"}]}` (`pdf` null when nothing was printed).

use std::path::{Path, PathBuf};

use super::{broken, Bar, ExitStatus, Session};
use crate::cli::FontArgs;
use crate::department::{self, CopiesResult, Outcome};
use crate::error::Error;
use crate::printer::Tone;

pub(super) fn run(
    s: &Session<'_>,
    dirs: &[PathBuf],
    pdf: &Path,
    visit: Option<&str>,
    force: bool,
    font: &FontArgs,
) -> Result<ExitStatus, Error> {
    let p = s.p;
    let w = p.words();
    let visit = department::visit_arg(&s.ctx, visit)?;
    // A refused output is an error before any work.
    if let Some(why) = crate::output::refuse(pdf, force) {
        return Err(crate::output::refused(pdf, why));
    }
    let fonts = font.load()?;
    let bar = Bar::new(p);
    let (results, _) = department::copies_all(&s.ctx, dirs, visit, &bar)?;
    bar.finish();
    let mut status = ExitStatus::Success;
    let mut ready = Vec::new();
    let mut json = Vec::new();
    for (e, r) in results {
        match r {
            Outcome::Done(CopiesResult::Ready(c)) => {
                json.push(serde_json::json!({"folder": e.folder, "status": "printed",
                    "applicant": {"name": c.name, "id_masked": c.id_masked}, "sheets": c.sheets.len()}));
                ready.push(c);
            }
            Outcome::Done(CopiesResult::NotReady(why)) => {
                status = ExitStatus::Findings;
                json.push(serde_json::json!({"folder": e.folder, "status": "not-ready", "reason": why.zh}));
                p.err(&format!(
                    "{} {}: {}{}{}",
                    p.paint(Tone::Bad, "✗"),
                    p.input(Tone::Plain, &e.folder),
                    w.copies_left_out,
                    w.colon,
                    crate::text::escape(why.get(p.lang))
                ));
            }
            Outcome::Broken(err) => status = broken(s, &e, &err, &mut json),
        }
    }
    let sheets: usize = ready.iter().map(|c| c.sheets.len()).sum();
    if sheets == 0 {
        let why = if ready.is_empty() {
            w.no_copies_nobody_ready
        } else {
            w.no_copies_no_item
        };
        p.err(&format!("{} {why}", p.paint(Tone::Warn, "!")));
        if p.is_json() {
            p.json(&serde_json::json!({"pdf": null, "sheets": 0, "employees": json}));
        }
        return Ok(status.max(ExitStatus::Findings));
    }
    let opts = department::copies_options(&s.ctx);
    let mut size = 0;
    let written = crate::output::write_file_with(pdf, force, |w, dir| {
        size = crate::render::copies::copies_pdf(&ready, &opts, &fonts, dir, w)?;
        Ok(())
    })?;
    if p.is_json() {
        p.json(&serde_json::json!({"pdf": written, "sheets": sheets, "bytes": size, "employees": json}));
    } else if !p.quiet {
        p.err(&(w.copies_written)(
            &p.input(Tone::Plain, &written.display().to_string()),
            ready.len(),
            sheets,
            size as f64 / 1e6,
        ));
    }
    Ok(status)
}
