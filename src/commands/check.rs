//! `dossier check DIR...`: every scan and the applicant checked against the checklist; every
//! finding listed, coloured by its severity.

use std::path::PathBuf;

use super::{broken, print_summary, Bar, ExitStatus, Session, Status, SummaryLine};
use crate::checklist::Checklist;
use crate::department::{self, Outcome};
use crate::error::Error;
use crate::finding::Finding;
use crate::messages::Lang;
use crate::printer::{Printer, Tone};
use crate::scan::{CheckReport, ItemStatus};

pub(super) fn run(s: &Session<'_>, dirs: &[PathBuf]) -> Result<ExitStatus, Error> {
    let bar = Bar::new(s.p);
    let (results, batch) = department::check_all(&s.ctx, dirs, &bar)?;
    bar.finish();
    let mut status = ExitStatus::Success;
    let mut json = Vec::new();
    let mut summary = Vec::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(c) => {
                if !c.report.ready {
                    status = ExitStatus::Findings;
                }
                summary.push(SummaryLine {
                    folder: e.folder.clone(),
                    status: if c.report.ready {
                        Status::Ready
                    } else {
                        Status::NotReady
                    },
                    reason: first_error(&c.report, s.p.lang),
                    output: Vec::new(),
                });
                if s.p.is_json() {
                    let mut v = serde_json::to_value(&c.report).unwrap_or_default();
                    v["folder"] = e.folder.clone().into();
                    v["applicant"] =
                        serde_json::to_value(&c.checklist.applicant).unwrap_or_default();
                    json.push(v);
                } else if !s.p.quiet || !c.report.ready {
                    let mut out = String::new();
                    if batch {
                        out.push_str(&format!("── {} ──\n", s.p.input(Tone::Plain, &e.folder)));
                    }
                    out.push_str(&format!(
                        "{}  {}\n",
                        s.p.input(Tone::Bold, &c.checklist.applicant.name),
                        c.checklist.applicant.id_masked
                    ));
                    out.push_str(&text(s.p, &c.report, &c.checklist, s.p.quiet));
                    out.push('\n');
                    s.p.out(&out);
                }
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

/// The message of the first error of a report (the batch summary's reason).
pub(super) fn first_error(report: &CheckReport, lang: Lang) -> String {
    report
        .findings
        .iter()
        .find(|f| f.is_error())
        .map(|f| f.message.get(lang).to_string())
        .unwrap_or_default()
}

/// The check report as text for the clerk: the findings about the applicant first, then item by
/// item in checklist order with a mark, its files and its findings with what to do, then the
/// files that belong to no item, then the verdict. With `only_problems` (`--quiet`) only the
/// items that need the clerk.
pub fn text(
    p: &Printer,
    report: &CheckReport,
    checklist: &Checklist,
    only_problems: bool,
) -> String {
    let w = p.words();
    let mut out = String::new();
    // Findings about the applicant (score, veto, an expired permit in applicant.toml) head the
    // report; only scans go under "other files".
    let about_applicant =
        |f: &Finding| f.slug.is_none() && f.path.as_deref().is_none_or(|p| p == "applicant.toml");
    for f in report.findings.iter().filter(|f| about_applicant(f)) {
        finding(p, &mut out, f, "");
    }
    for item in &report.items {
        let optional = checklist.item(&item.slug).is_some_and(|it| !it.required);
        let (mark, tone, note) = match item.status {
            ItemStatus::Ok => ("✓", Tone::Ok, String::new()),
            ItemStatus::Missing if optional => {
                ("–", Tone::Dim, format!("  {}", w.optional_missing))
            }
            ItemStatus::Missing => ("✗", Tone::Bad, format!("  {}", w.missing)),
            ItemStatus::Invalid => ("✗", Tone::Bad, String::new()),
        };
        let fine =
            item.status == ItemStatus::Ok || (item.status == ItemStatus::Missing && optional);
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.slug.as_deref() == Some(item.slug.as_str()))
            .collect();
        if only_problems && fine && findings.is_empty() {
            continue;
        }
        let line = format!(
            "{mark} {} ({}){note}",
            crate::text::escape_name(&item.label),
            item.slug
        );
        out.push_str(&p.paint(tone, &line));
        out.push('\n');
        for file in &item.files {
            let part = if file.part.is_empty() {
                String::new()
            } else {
                format!("  [{}]", crate::text::escape_name(&file.part))
            };
            let pages = if file.pages > 1 {
                format!(", {}", (w.pages)(file.pages))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "    {}{part}  {} {}{pages}\n",
                crate::text::escape_name(&file.rel),
                file.kind.name(),
                crate::scan::human_bytes(file.bytes)
            ));
        }
        for f in findings {
            finding(p, &mut out, f, "    ");
        }
    }
    let others: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.slug.is_none() && !about_applicant(f))
        .collect();
    if !others.is_empty() {
        out.push_str(w.other_files);
        out.push('\n');
        for f in others {
            finding(p, &mut out, f, "    ");
        }
    }
    let errors = report.findings.iter().filter(|f| f.is_error()).count();
    let warnings = report.findings.len() - errors;
    let (verdict, tone) = if report.ready {
        (w.ready, Tone::Ok)
    } else {
        (w.not_ready, Tone::Bad)
    };
    let sep = if p.lang == crate::messages::Lang::Zh {
        "："
    } else {
        ": "
    };
    out.push_str(&p.paint(
        tone,
        &format!("{verdict}{sep}{}", (w.errors_warnings)(errors, warnings)),
    ));
    out.push('\n');
    out
}

fn finding(p: &Printer, out: &mut String, f: &Finding, indent: &str) {
    let w = p.words();
    let at = f
        .path
        .as_deref()
        .map(|p| format!("{}: ", crate::text::escape_name(p)))
        .unwrap_or_default();
    let word = match f.severity {
        crate::finding::Severity::Error => w.error,
        crate::finding::Severity::Warning => w.warning,
    };
    let head = p.paint(f.severity.into(), &format!("{word}[{}]", f.code));
    out.push_str(&format!(
        "{indent}{head} {at}{}\n",
        crate::text::escape(f.message.get(p.lang))
    ));
    out.push_str(&format!(
        "{indent}  → {}\n",
        crate::text::escape(f.hint.get(p.lang))
    ));
}
