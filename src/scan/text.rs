//! The check report as text for the clerk: grouped by item in checklist order, each with a mark,
//! its files and its findings with what to do; then the files that belong to no item; then one
//! line with the verdict. Plain text (no colour): the CLI may colour it.

use std::fmt::Write;

use super::content::human_bytes;
use super::{CheckReport, ItemStatus};
use crate::checklist::Checklist;
use crate::finding::Finding;

/// The report as text, grouped by item.
pub fn render_text(report: &CheckReport, checklist: &Checklist) -> String {
    render(report, checklist, false)
}

/// The report as text with only the items that need the clerk (missing, invalid, or with a
/// finding): what `--quiet` promises, "only problems".
pub fn render_problems(report: &CheckReport, checklist: &Checklist) -> String {
    render(report, checklist, true)
}

fn render(report: &CheckReport, checklist: &Checklist, only_problems: bool) -> String {
    let mut out = String::new();
    // Findings about the applicant (score, veto, an expired permit in applicant.toml) head the
    // report; only scans go under "other files".
    let about_applicant =
        |f: &Finding| f.slug.is_none() && f.path.as_deref().is_none_or(|p| p == "applicant.toml");
    let folder: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| about_applicant(f))
        .collect();
    for f in &folder {
        finding(&mut out, f, "");
    }
    for item in &report.items {
        let optional = checklist.item(&item.slug).is_some_and(|it| !it.required);
        let (mark, note) = match item.status {
            ItemStatus::Ok => ("✓", String::new()),
            ItemStatus::Missing if optional => {
                ("–", "  可选，未提供 (optional, not provided)".to_string())
            }
            ItemStatus::Missing => ("✗", "  缺少 (missing)".to_string()),
            ItemStatus::Invalid => ("✗", String::new()),
        };
        let fine =
            item.status == ItemStatus::Ok || (item.status == ItemStatus::Missing && optional);
        let has_findings = report
            .findings
            .iter()
            .any(|f| f.slug.as_deref() == Some(item.slug.as_str()));
        if only_problems && fine && !has_findings {
            continue;
        }
        let _ = writeln!(out, "{mark} {} ({}){note}", item.label, item.slug);
        for file in &item.files {
            let part = if file.part.is_empty() {
                String::new()
            } else {
                format!("  [{}]", file.part)
            };
            let pages = if file.pages > 1 {
                format!(", {} 页", file.pages)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "    {}{part}  {} {}{pages}",
                file.rel,
                file.kind.name(),
                human_bytes(file.bytes)
            );
        }
        for f in report
            .findings
            .iter()
            .filter(|f| f.slug.as_deref() == Some(item.slug.as_str()))
        {
            finding(&mut out, f, "    ");
        }
    }
    let others: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.slug.is_none() && !about_applicant(f))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "其他文件 (other files)");
        for f in others {
            finding(&mut out, f, "    ");
        }
    }
    let errors = report.findings.iter().filter(|f| f.is_error()).count();
    let warnings = report.findings.len() - errors;
    let verdict = if report.ready {
        "就绪 (ready)"
    } else {
        "未就绪 (not ready)"
    };
    let _ = writeln!(
        out,
        "{verdict}：{errors} 个错误，{warnings} 个警告 ({errors} errors, {warnings} warnings)"
    );
    out
}

fn finding(out: &mut String, f: &Finding, indent: &str) {
    let at = f
        .path
        .as_deref()
        .map(|p| format!("{p}: "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}{}[{}] {at}{}",
        f.severity.as_str(),
        f.code,
        f.message
    );
    let _ = writeln!(out, "{indent}  → {}", f.hint);
}
