//! `dossier checklist DIR... [--pdf FILE]`: the materials list by counter visit, and the
//! counter checklist PDF for the day.

use std::path::{Path, PathBuf};

use super::{broken, Bar, ExitStatus, Session};
use crate::checklist::{Checklist, Holder, Item};
use crate::cli::FontArgs;
use crate::department::{self, Outcome};
use crate::error::Error;
use crate::printer::{pad, Printer, Tone};

pub(super) fn run(
    s: &Session<'_>,
    dirs: &[PathBuf],
    pdf: Option<&Path>,
    force: bool,
    visit: Option<&str>,
    font: &FontArgs,
) -> Result<ExitStatus, Error> {
    // The font and the output first: a bad --font or a refused --pdf is an error before any work.
    let fonts = pdf.map(|_| font.load()).transpose()?;
    let visit = department::visit_arg(&s.ctx, visit)?;
    let bar = Bar::new(s.p);
    // For the PDF the scans are checked too: only who is ready goes to the counter.
    let (results, batch) = department::checklist_all(&s.ctx, dirs, pdf.is_some(), &bar)?;
    bar.finish();
    let mut status = ExitStatus::Success;
    let mut json = Vec::new();
    let mut out = String::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(d) => {
                if s.p.is_json() {
                    json.push(serde_json::to_value(&d.checklist).unwrap_or_default());
                } else {
                    if batch {
                        out.push_str(&format!("── {} ──\n", s.p.input(Tone::Plain, &e.folder)));
                    }
                    out.push_str(&text(s.p, &d.checklist));
                    out.push('\n');
                }
            }
            Outcome::Broken(err) => status = broken(s, e, err, &mut json),
        }
    }
    if s.p.is_json() {
        s.p.json_results(json, batch);
    } else if !s.p.quiet {
        s.p.out(&out);
    }
    if let (Some(path), Some(fonts)) = (pdf, fonts) {
        let department::CounterPdf {
            bytes,
            people: count,
            left_out,
        } = department::counter_checklist(&s.ctx, &results, visit, &fonts)?;
        let w = s.p.words();
        for l in &left_out {
            s.p.err(&format!(
                "{} {}: {}{}{}",
                s.p.paint(Tone::Warn, "!"),
                s.p.input(Tone::Plain, &l.folder),
                w.left_out,
                w.colon,
                crate::text::escape(l.reason.get(s.p.lang))
            ));
            status = ExitStatus::Findings;
        }
        let Some(bytes) = bytes else {
            // Not ready or below the standard is a finding (exit 1), as with `copies`.
            s.p.err(&format!(
                "{} {}",
                s.p.paint(Tone::Warn, "!"),
                w.counter_nobody
            ));
            return Ok(status.max(ExitStatus::Findings));
        };
        let written = crate::output::write_file(path, &bytes, force)?;
        if !s.p.quiet && !s.p.is_json() {
            s.p.err(&(w.counter_written)(
                &s.p.input(Tone::Plain, &written.display().to_string()),
                count,
                bytes.len() / 1024,
            ));
        }
    }
    Ok(status)
}

/// How to bring an item with `copies` copies (the item's, or none at an originals-only visit).
fn how(p: &Printer, i: &Item, copies: u32) -> String {
    let w = p.words();
    match (i.original, copies) {
        (true, 0) => w.original.to_string(),
        (true, n) => (w.original_and_copies)(n),
        (false, n) => (w.copies)(n),
    }
}

/// One applicant's checklist as text, by visit.
pub(crate) fn text(p: &Printer, c: &Checklist) -> String {
    let w = p.words();
    let esc = crate::text::escape_name;
    let mut out = format!(
        "{}  {}\n",
        p.input(Tone::Bold, &c.applicant.name),
        c.applicant.id_masked
    );
    out.push_str(&format!("{}{}{}", w.counter, w.colon, esc(&c.center)));
    if let Some(a) = &c.center_address {
        out.push_str(&format!("{}{}", w.comma, esc(a)));
    }
    out.push_str(&format!(
        "\n{}{}{} {}\n",
        w.rulebook,
        w.colon,
        esc(&c.rulebook.id),
        esc(&c.rulebook.version)
    ));
    let labels: Vec<String> = c.items.iter().map(|i| esc(&i.label)).collect();
    let label_width = labels
        .iter()
        .map(|l| crate::printer::width(l))
        .max()
        .unwrap_or(8)
        + 2;
    let how_width = [
        (w.original_and_copies)(9),
        (w.copies)(9),
        w.original.to_string(),
    ]
    .iter()
    .map(|s| crate::printer::width(s))
    .max()
    .unwrap_or(16)
        + 2;
    for (n, v) in c.visits.iter().enumerate() {
        let items: Vec<(&Item, &String)> = c
            .items
            .iter()
            .zip(&labels)
            .filter(|(i, _)| i.visits.contains(&v.id))
            .collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{} {}\n",
            p.paint(Tone::Bold, &(w.visit)(n + 1, &esc(&v.label))),
            p.input(Tone::Dim, &v.note)
        ));
        for (i, label) in items.iter().filter(|(i, _)| i.holder == Holder::Applicant) {
            let mut scan = (w.scan_pages)(i.min_parts);
            if !i.parts.is_empty() {
                scan.push_str(&(w.paren)(&i.parts.join(w.list_sep)));
            }
            if let Some(c) = i.combined.first() {
                scan.push_str(&(w.or_one_page)(c));
            }
            out.push_str(&format!(
                "  [ ] {}{}  {}\n",
                pad(label, label_width),
                pad(&how(p, i, v.copies_of(i)), how_width),
                p.input(Tone::Dim, &format!("{scan} · {} · {}", i.slug, i.reason))
            ));
        }
        let hr: Vec<String> = items
            .iter()
            .filter(|(i, _)| i.holder == Holder::Hr)
            .map(|(i, label)| format!("{label}{}", (w.paren)(&how(p, i, v.copies_of(i)))))
            .collect();
        if !hr.is_empty() {
            out.push_str(&format!(
                "  {}{}{}\n",
                w.hr_brings,
                w.colon,
                hr.join(w.list_sep)
            ));
        }
    }
    out
}
