//! The department behind the page: which employee folders DIR holds, and each one's check,
//! checklist and score, computed by the library's own commands' code and kept per folder until
//! a file of that folder changes.
//!
//! Invariants: a cached answer is returned only while the folder's stamp (sizes and
//! modification times of `applicant.toml` and of everything under `scans/`) and its batch marks
//! (the same ID number or bundle name in another folder) are what they were when it was made;
//! nothing here writes to the tree.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::checklist::Checklist;
use crate::department::{self, Context, Employee, Outcome, Silent};
use crate::error::Error;
use crate::scan::CheckReport;
use crate::score::Score;

/// One employee as the page sees it.
#[derive(Clone)]
pub enum View {
    Done(Box<Checked>),
    /// The folder cannot be checked (its applicant.toml is missing or invalid …).
    Broken {
        error: String,
        diagnostics: Value,
    },
}

/// A checked employee.
#[derive(Clone)]
pub struct Checked {
    pub report: CheckReport,
    pub checklist: Checklist,
    pub score: Score,
    /// `check --format json` of this employee.
    pub check: Value,
}

/// The batch marks of an employee: the other folders with the same ID number, and those whose
/// bundle would have the same name.
type Marks = (Option<String>, Option<String>);

struct Cached {
    stamp: u64,
    marks: Marks,
    view: View,
}

pub struct Desk {
    /// DIR, canonical.
    pub dir: PathBuf,
    /// DIR is one employee folder rather than a department of them.
    pub single: bool,
    pub ctx: Context,
    cache: Mutex<HashMap<String, Cached>>,
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
            cache: Mutex::new(HashMap::new()),
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

    /// Every employee's view, in folder order (`folders`: only these, when given).
    pub fn views(&self, only: Option<&[String]>) -> Vec<(String, PathBuf, View)> {
        let ctx = &self.ctx;
        let dirs = [self.dir.clone()];
        let result = department::each(ctx, &dirs, &Silent, |e, l| {
            if let Some(only) = only {
                if !only.contains(&e.folder) {
                    return Ok(None);
                }
            }
            let marks = (l.duplicate_of.clone(), l.same_bundle_name_as.clone());
            let stamp = stamp(&e.dir);
            if let Some(c) = self.cache_get(&e.folder) {
                if c.0 == stamp && c.1 == marks {
                    return Ok(Some(c.2));
                }
            }
            let (report, score) = department::check_employee(ctx, e, l)?;
            let view = View::Done(Box::new(checked(e, report, l.checklist.clone(), score)));
            self.cache_put(&e.folder, stamp, marks, view.clone());
            Ok(Some(view))
        });
        let results = match result {
            Ok((results, _)) => results,
            // One employee (DIR itself) that cannot be loaded.
            Err(err) => {
                return self
                    .employees()
                    .into_iter()
                    .map(|e| (e.folder, e.dir, broken(&err)))
                    .collect();
            }
        };
        results
            .into_iter()
            .filter_map(|(e, o)| match o {
                Outcome::Done(Some(v)) => Some((e.folder, e.dir, v)),
                Outcome::Done(None) => None,
                Outcome::Broken(err) => {
                    if only.is_some_and(|o| !o.contains(&e.folder)) {
                        return None;
                    }
                    Some((e.folder, e.dir, broken(&err)))
                }
            })
            .collect()
    }

    /// One employee's view.
    pub fn view(&self, folder: &str) -> Option<(PathBuf, View)> {
        self.views(Some(&[folder.to_string()]))
            .into_iter()
            .next()
            .map(|(_, d, v)| (d, v))
    }

    /// Forgets a folder's cached answer (after the server wrote into it).
    pub fn forget(&self, folder: &str) {
        if let Ok(mut c) = self.cache.lock() {
            c.remove(folder);
        }
    }

    fn cache_get(&self, folder: &str) -> Option<(u64, Marks, View)> {
        let c = self.cache.lock().ok()?;
        c.get(folder)
            .map(|c| (c.stamp, c.marks.clone(), c.view.clone()))
    }

    fn cache_put(&self, folder: &str, stamp: u64, marks: Marks, view: View) {
        if let Ok(mut c) = self.cache.lock() {
            c.insert(folder.to_string(), Cached { stamp, marks, view });
        }
    }
}

fn checked(e: &Employee, report: CheckReport, checklist: Checklist, score: Score) -> Checked {
    // As `check --format json` prints it.
    let mut check = serde_json::to_value(&report).unwrap_or_default();
    check["folder"] = e.folder.clone().into();
    check["applicant"] = serde_json::to_value(&checklist.applicant).unwrap_or_default();
    Checked {
        report,
        checklist,
        score,
        check,
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

/// A hash of what a check of `dir` reads: `applicant.toml` (and `company.toml` beside and
/// above it) and every entry under `scans/`, by name, type, size and modification time. Links
/// are not followed (the check does not follow them either).
pub fn stamp(dir: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut add = |p: &Path, m: &std::fs::Metadata| {
        p.hash(&mut h);
        m.len().hash(&mut h);
        m.file_type().is_dir().hash(&mut h);
        m.file_type().is_symlink().hash(&mut h);
        if let Ok(t) = m.modified() {
            t.hash(&mut h);
        }
    };
    for name in ["applicant.toml", "company.toml"] {
        let p = dir.join(name);
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            add(&p, &m);
        }
    }
    if let Some(parent) = dir.parent() {
        let p = parent.join("company.toml");
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            add(&p, &m);
        }
    }
    for entry in walkdir::WalkDir::new(dir.join("scans"))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if let Ok(m) = entry.metadata() {
            add(entry.path(), &m);
        }
    }
    std::hash::Hasher::finish(&h)
}
