//! `dossier verify ZIP...`: re-hash bundles against their manifests; list every mismatch.

use std::path::PathBuf;

use super::{ExitStatus, Session};
use crate::error::Error;
use crate::printer::Tone;

pub(super) fn run(s: &Session<'_>, zips: &[PathBuf]) -> Result<ExitStatus, Error> {
    let p = s.p;
    let w = p.words();
    let several = zips.len() > 1;
    let mut status = ExitStatus::Success;
    let mut json = Vec::new();
    for z in zips {
        let name = p.input(Tone::Plain, &z.display().to_string());
        match crate::bundle::verify(z) {
            Ok(r) => {
                if !r.ok {
                    status = status.max(ExitStatus::Findings);
                }
                if p.is_json() {
                    let problems: Vec<serde_json::Value> = r
                        .problems
                        .iter()
                        .map(|p| serde_json::json!({"path": p.path, "message": p.message}))
                        .collect();
                    json.push(serde_json::json!({"zip": z, "ok": r.ok, "files": r.files, "bytes": r.bytes, "problems": problems}));
                } else if r.ok {
                    if !p.quiet {
                        p.line(&format!(
                            "{} {name}: {}",
                            p.paint(Tone::Ok, "✓"),
                            (w.verified)(r.files, r.bytes)
                        ));
                    }
                } else {
                    p.line(&format!(
                        "{} {name}: {}",
                        p.paint(Tone::Bad, "✗"),
                        (w.does_not_verify)(r.problems.len())
                    ));
                    for pr in &r.problems {
                        p.line(&format!(
                            "    {}: {}",
                            p.input(Tone::Plain, &pr.path),
                            p.input(Tone::Plain, pr.message.get(p.lang))
                        ));
                    }
                    p.line(&format!("  {}", w.pack_again));
                }
            }
            Err(e) if !several => return Err(Error::Bundle(e)),
            Err(e) => {
                status = ExitStatus::Error;
                let text = e.text();
                p.err(&format!(
                    "{}{}",
                    crate::error::error_word(p.lang),
                    crate::text::escape(text.get(p.lang))
                ));
                if p.is_json() {
                    json.push(serde_json::json!({"zip": z, "ok": false, "error": text.zh}));
                }
            }
        }
    }
    if p.is_json() {
        p.json_results(json, several);
    }
    Ok(status)
}
