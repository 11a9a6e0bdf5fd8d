//! `dossier score DIR...`: the simulated points, item by item, against the standard score.

use std::path::PathBuf;

use super::{broken, Bar, ExitStatus, Session};
use crate::department::{self, Outcome};
use crate::error::Error;
use crate::printer::{pad, Printer, Tone};
use crate::score::Score;

pub(super) fn run(s: &Session<'_>, dirs: &[PathBuf]) -> Result<ExitStatus, Error> {
    let bar = Bar::new(s.p);
    let (results, batch) = department::score_all(&s.ctx, dirs, &bar)?;
    bar.finish();
    let mut status = ExitStatus::Success;
    let mut json = Vec::new();
    let mut out = String::new();
    for (e, r) in &results {
        match r {
            Outcome::Done(sc) => {
                if !sc.eligible {
                    status = ExitStatus::Findings;
                }
                if s.p.is_json() {
                    json.push(serde_json::to_value(sc).unwrap_or_default());
                } else if !s.p.quiet || !sc.eligible {
                    // --quiet: only the employees below the standard.
                    if batch {
                        out.push_str(&format!("── {} ──\n", s.p.input(Tone::Plain, &e.folder)));
                    }
                    out.push_str(&text(s.p, sc));
                    out.push('\n');
                }
            }
            Outcome::Broken(err) => status = broken(s, e, err, &mut json),
        }
    }
    if s.p.is_json() {
        s.p.json_results(json, batch);
    } else {
        s.p.out(&out);
    }
    Ok(status)
}

/// One applicant's score as text: an item a line, the vetoes, the total and the verdict.
pub(crate) fn text(p: &Printer, sc: &Score) -> String {
    let w = p.words();
    let esc = crate::text::escape_name;
    let mut out = format!(
        "{}  {}  {}\n",
        p.input(Tone::Bold, &sc.applicant.name),
        sc.applicant.id_masked,
        w.simulated_score
    );
    let labels: Vec<String> = sc.items.iter().map(|i| esc(&i.label)).collect();
    let width = labels
        .iter()
        .map(|l| crate::printer::width(l))
        .chain(std::iter::once(crate::printer::width(w.total)))
        .max()
        .unwrap_or(8)
        + 2;
    for (i, label) in sc.items.iter().zip(&labels) {
        if i.points == 0 && i.raw.is_none() && i.group != "basic" && i.detail.is_empty() {
            continue;
        }
        let note = match (&i.raw, i.detail.is_empty()) {
            // The raw points belong to this item, not to the item that counts instead.
            (Some(raw), _) => format!(
                "{}{}{}{}",
                i.detail,
                w.comma,
                (w.raw_not_counted)(*raw),
                i.note.get(p.lang)
            ),
            (None, false) => i.detail.clone(),
            (None, true) => i.explain.clone(),
        };
        out.push_str(&format!(
            "  {}{:>5}  {}\n",
            pad(label, width),
            i.points,
            p.input(Tone::Dim, &note)
        ));
    }
    for v in &sc.vetoes {
        out.push_str(&format!(
            "  {} {}: {} — {}\n",
            p.paint(Tone::Bad, "✗"),
            w.veto,
            esc(&v.label),
            esc(&v.basis)
        ));
    }
    // The conditions of eligibility that fail (the vetoes are listed above).
    for g in sc
        .failed_gates()
        .filter(|g| g.id != crate::score::VETO_GATE)
    {
        let mark = match g.severity {
            crate::finding::Severity::Error => p.paint(Tone::Bad, "✗"),
            crate::finding::Severity::Warning => p.paint(Tone::Warn, "!"),
        };
        out.push_str(&format!(
            "  {mark} {}{}{}\n",
            esc(g.label.get(p.lang)),
            w.colon,
            esc(g.reason.get(p.lang))
        ));
    }
    let verdict = if sc.eligible {
        p.paint(Tone::Ok, w.reaches_standard)
    } else if !sc.vetoes.is_empty() {
        p.paint(Tone::Bad, w.vetoed)
    } else if sc.total >= sc.standard {
        p.paint(Tone::Bad, w.not_eligible)
    } else {
        p.paint(Tone::Bad, &(w.below_by)(sc.standard - sc.total))
    };
    out.push_str(&format!(
        "  {}{:>5} / {} {}  {verdict}\n",
        pad(w.total, width),
        sc.total,
        w.standard,
        sc.standard
    ));
    if !sc.to_standard.is_empty() {
        out.push_str(&format!("  {}\n", w.to_standard));
        for way in &sc.to_standard {
            out.push_str(&format!(
                "    · {}\n",
                way.line(w, &esc(way.what.get(p.lang)))
            ));
        }
    }
    out
}
