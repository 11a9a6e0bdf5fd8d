//! The department behind the page: which employee folders DIR holds, and each one's check,
//! checklist and score, computed by the library's own commands' code and kept per folder
//! ([`crate::department::cache`]) until a file of that folder changes.
//!
//! Invariants: a cached answer is returned only while the folder's stamps (sizes and
//! modification times of the folder, its `applicant.toml`, the `company.toml`s and everything
//! under `scans/`) and its batch marks (the same ID number or bundle name in another folder) are
//! what they were when it was made; a warm list stats files and parses nothing; nothing here
//! writes to the tree.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::checklist::Checklist;
use crate::department::cache::Cache;
use crate::department::{self, Context, Employee, Outcome, Silent};
use crate::error::Error;
use crate::messages::Text;
use crate::scan::CheckReport;
use crate::score::Score;

/// One employee as the page sees it.
#[derive(Clone)]
pub enum View {
    Done(Arc<Checked>),
    /// The folder cannot be checked (its applicant.toml is missing or invalid …).
    Broken {
        error: String,
        diagnostics: Value,
    },
}

/// A checked employee.
pub struct Checked {
    pub report: CheckReport,
    pub checklist: Checklist,
    pub score: Score,
    /// `check --format json` of this employee.
    pub check: Value,
    /// What its files gave to tell the clerk without stopping the check (an `applicant.toml`
    /// read as GB 18030, a note about the insurance record …): what `check` prints on stderr.
    pub warnings: Vec<Text>,
    /// Its item of `GET /api/employees`: `check` with `"score"` and `"warnings"`, made once.
    pub item: Value,
}

pub struct Desk {
    /// DIR, canonical.
    pub dir: PathBuf,
    /// DIR is one employee folder rather than a department of them.
    pub single: bool,
    pub ctx: Context,
    /// Each folder's view, kept until a file of the folder or its batch marks change.
    cache: Cache<Arc<Checked>>,
}

impl Desk {
    pub fn new(dir: &Path, ctx: Context) -> Result<Desk, Error> {
        let dir = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, &e))?;
        if !dir.is_dir() {
            return Err(Error::Folder {
                path: dir,
                message: "is not a folder: give a department folder or one employee folder".into(),
            });
        }
        let single = dir.join("applicant.toml").exists();
        Ok(Desk {
            dir,
            single,
            ctx,
            cache: Cache::new(),
        })
    }

    /// The employee folders, by name, in order. A department folder with none yet is empty
    /// (the page starts with「新建员工」).
    pub fn employees(&self) -> Vec<Employee> {
        match department::discover(std::slice::from_ref(&self.dir)) {
            Ok((list, _)) => list,
            Err(_) => Vec::new(),
        }
    }

    /// The folder of the employee named `folder`, if DIR holds one by that name.
    pub fn folder(&self, folder: &str) -> Option<PathBuf> {
        self.employees()
            .into_iter()
            .find(|e| e.folder == folder)
            .map(|e| e.dir)
    }

    /// Every employee's view, in folder order (`only`: only these folders, when given). Only the
    /// folders that changed since the last call (or whose batch marks did) are checked again;
    /// of the others the files are only stat'ed.
    pub fn views(&self, only: Option<&[String]>) -> Vec<(String, PathBuf, View)> {
        let ctx = &self.ctx;
        let emps = self.employees();
        let wanted = |e: &Employee| only.is_none_or(|o| o.contains(&e.folder));
        self.cache
            .each(ctx, &emps, &Silent, wanted, |e, l| {
                let (report, score) = department::check_employee(ctx, e, l)?;
                let warnings = l.profile.warnings.iter().chain(&l.env.warnings).cloned();
                Ok(Arc::new(checked(
                    e,
                    report,
                    l.checklist.clone(),
                    score,
                    warnings.collect(),
                )))
            })
            .into_iter()
            .map(|(e, c)| {
                let view = match &c.outcome {
                    Outcome::Done(v) => View::Done(v.clone()),
                    Outcome::Broken(err) => broken(err),
                };
                (e.folder, e.dir, view)
            })
            .collect()
    }

    /// One employee's view (the other folders are looked at only for the batch marks).
    pub fn view(&self, folder: &str) -> Option<(PathBuf, View)> {
        self.views(Some(&[folder.to_string()]))
            .into_iter()
            .next()
            .map(|(_, d, v)| (d, v))
    }

    /// Forgets a folder's cached answer (after the server wrote into it).
    pub fn forget(&self, folder: &str) {
        if let Some(dir) = self.folder(folder) {
            self.cache.forget(&dir);
        }
    }
}

fn checked(
    e: &Employee,
    report: CheckReport,
    checklist: Checklist,
    score: Score,
    warnings: Vec<Text>,
) -> Checked {
    // As `check --format json` prints it.
    let mut check = serde_json::to_value(&report).unwrap_or_default();
    check["folder"] = e.folder.clone().into();
    check["applicant"] = serde_json::to_value(&checklist.applicant).unwrap_or_default();
    let mut item = check.clone();
    item["score"] = serde_json::to_value(&score).unwrap_or_default();
    item["warnings"] = json!(warnings);
    Checked {
        report,
        checklist,
        score,
        check,
        warnings,
        item,
    }
}

fn broken(err: &Error) -> View {
    let diagnostics = match err {
        Error::Applicant { diagnostics, .. } => diagnostics_json(diagnostics),
        _ => json!([]),
    };
    View::Broken {
        error: err.render(),
        diagnostics,
    }
}

/// Located problems as the API gives them: `[{"line", "column", "message"}]`.
pub fn diagnostics_json(d: &[crate::error::Diagnostic]) -> Value {
    Value::Array(
        d.iter()
            .map(|d| json!({"line": d.line, "column": d.column, "message": d.message}))
            .collect(),
    )
}
