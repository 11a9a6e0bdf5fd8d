//! `dossier pack DIR... [-o OUT]`: check, then the bundle ZIP and the cover sheet of every
//! ready applicant.

use std::path::PathBuf;

use super::{broken, print_summary, Bar, ExitStatus, Session, Status, SummaryLine};
use crate::cli::FontArgs;
use crate::department::{self, Outcome, PackResult};
use crate::error::Error;
use crate::printer::Tone;

pub(super) fn run(
    s: &Session<'_>,
    dirs: &[PathBuf],
    opts: &crate::pack::PackOptions,
    copies: bool,
    font: &FontArgs,
) -> Result<ExitStatus, Error> {
    let p = s.p;
    let w = p.words();
    let fonts = font.load()?;
    let bar = Bar::new(p);
    let (results, batch) = department::pack_all(&s.ctx, dirs, opts, copies, &fonts, &bar)?;
    bar.finish();
    let mut status = ExitStatus::Success;
    let mut json = Vec::new();
    let mut summary = Vec::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(PackResult::Packed(packed, applicant, findings)) => {
                if p.is_json() {
                    let mut v = serde_json::json!({"folder": e.folder, "applicant": applicant, "status": "packed",
                        "zip": packed.zip, "cover": packed.cover, "files": packed.files, "bytes": packed.bytes,
                        "payload_oxum": packed.payload_oxum, "fingerprint": packed.fingerprint, "findings": findings});
                    if let Some(c) = &packed.copies {
                        v["copies"] = serde_json::json!(c);
                    }
                    json.push(v);
                } else if !p.quiet {
                    p.line(&format!(
                        "{} {}  {}\n    {}\n    {}  ({})",
                        p.paint(Tone::Ok, "✓"),
                        p.input(Tone::Bold, &applicant.name),
                        applicant.id_masked,
                        p.input(Tone::Plain, &packed.zip.display().to_string()),
                        p.input(Tone::Plain, &packed.cover.display().to_string()),
                        (w.packed_detail)(
                            packed.files,
                            packed.bytes as f64 / 1e6,
                            &packed.fingerprint[..12.min(packed.fingerprint.len())]
                        )
                    ));
                    if let Some(c) = &packed.copies {
                        p.line(&format!(
                            "    {}",
                            p.input(Tone::Plain, &c.display().to_string())
                        ));
                    }
                }
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: Status::Packed,
                    reason: String::new(),
                    output: vec![packed.zip.display().to_string()],
                });
            }
            Outcome::Done(PackResult::NotReady(report, c)) => {
                status = ExitStatus::Findings;
                if p.is_json() {
                    json.push(serde_json::json!({"folder": e.folder, "applicant": c.applicant, "status": "not-ready",
                        "ready": false, "items": report.items, "findings": report.findings}));
                } else {
                    p.line(&format!(
                        "{} {}  {}  {}\n{}",
                        p.paint(Tone::Bad, "✗"),
                        p.input(Tone::Bold, &c.applicant.name),
                        c.applicant.id_masked,
                        w.not_packed,
                        super::check::text(p, report, c, p.quiet)
                    ));
                }
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: Status::NotReady,
                    reason: super::check::first_error(report, s.p.lang),
                    output: Vec::new(),
                });
            }
            Outcome::Broken(err) => {
                status = broken(s, e, err, &mut json);
                summary.push(SummaryLine::broken(e, err, s.p.lang));
            }
        }
    }
    print_summary(s, json, batch, &summary);
    Ok(status)
}
