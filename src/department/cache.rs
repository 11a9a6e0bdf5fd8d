//! Results per employee folder kept from one run to the next, for a caller that lives long (the
//! clerk's desk, `dossier serve`): a run over a department whose folders did not change reads
//! no `applicant.toml`, builds no checklist and checks no scan; it only looks at the files'
//! sizes and modification times.
//!
//! Invariants: a kept result is given back only while its folder's stamps — what the work read,
//! by name, size and modification time: [`profile_stamp`] (the folder itself, `applicant.toml`,
//! the `company.toml`s) and [`scans_stamp`] (everything under `scans/`) — and its batch marks
//! (the same ID number or bundle name in another folder) are what they were when it was made.
//! The marks are made again on every run across all the folders from what they need of each
//! (ID number, bundle name), kept with the stamp of the profile and read again only when that
//! stamp changed. Folders that are no longer in the run are forgotten.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{
    batch_marks, load, load_profile, Context, Employee, Keys, Loaded, Marks, Outcome, Progress,
};
use crate::error::Error;
use crate::messages::Text;
use crate::profile::Profile;

/// One employee's result and what its files gave to tell the clerk.
pub struct Computed<V> {
    pub outcome: Outcome<V>,
    /// What the work told [`Progress::warning`] when it was done (an `applicant.toml` read as
    /// GB 18030, an insurance record …), in order.
    pub warnings: Vec<Text>,
}

/// A result with the stamp of the scans and the marks it was made with.
type Done<V> = (u64, Marks, Arc<Computed<V>>);

struct Entry<V> {
    profile_stamp: u64,
    /// The ID number and bundle name of the profile; `None`: it did not load.
    keys: Option<Keys>,
    /// `None`: only the keys were read (the result was not asked for since the profile changed).
    done: Option<Done<V>>,
}

/// How much work the runs of a cache did, since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// `applicant.toml`s read and validated.
    pub profiles: usize,
    /// Results computed (checklist built, the work applied).
    pub computed: usize,
}

/// Results per employee folder, by folder path. Shared by concurrent runs: two that compute
/// the same folder at once both compute it, and either result is kept.
pub struct Cache<V> {
    entries: Mutex<HashMap<PathBuf, Entry<V>>>,
    profiles: AtomicUsize,
    computed: AtomicUsize,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
            profiles: AtomicUsize::new(0),
            computed: AtomicUsize::new(0),
        }
    }
}

/// One employee's part of a run.
struct Task<V> {
    wanted: bool,
    profile_stamp: u64,
    /// Taken only when the result is wanted.
    scans_stamp: u64,
    /// The keys kept, when the profile did not change since.
    kept_keys: Option<Option<Keys>>,
    kept_done: Option<Done<V>>,
    /// The profile, read in this run because it changed.
    fresh: Option<Result<Profile, Error>>,
}

impl<V: Send + Sync> Cache<V> {
    pub fn new() -> Self {
        Cache::default()
    }

    /// The work done so far.
    pub fn stats(&self) -> Stats {
        Stats {
            profiles: self.profiles.load(Ordering::Relaxed),
            computed: self.computed.load(Ordering::Relaxed),
        }
    }

    /// Forgets what is kept of the folder `dir` (after the caller wrote into it: its next result
    /// is computed whatever the stamps say).
    pub fn forget(&self, dir: &Path) {
        if let Ok(mut m) = self.entries.lock() {
            m.remove(dir);
        }
    }

    /// The results of the employees of `emps` that are `wanted`, in folder order. `emps` is the
    /// whole department as [`super::discover`] finds it: the marks are made across all of them
    /// and what is kept of folders not among them is forgotten. A result is computed — the
    /// profile loaded, the checklist built, `f` applied, in parallel — only for a new folder, a
    /// changed one and one whose marks changed; of an employee not wanted only the stamp of the
    /// profile is taken (and the profile read again when it changed, for the marks). A broken
    /// employee is an [`Outcome::Broken`], kept like the others.
    pub fn each(
        &self,
        ctx: &Context,
        emps: &[Employee],
        progress: &dyn Progress,
        wanted: impl Fn(&Employee) -> bool + Sync,
        f: impl Fn(&Employee, &Loaded) -> Result<V, Error> + Sync,
    ) -> Vec<(Employee, Arc<Computed<V>>)> {
        use rayon::prelude::*;
        // Stamps first: a file that changes during the run is seen changed by the next one.
        let stamps: Vec<(bool, u64, u64)> = emps
            .par_iter()
            .map(|e| {
                let w = wanted(e);
                let scans = if w { scans_stamp(&e.dir) } else { 0 };
                (w, profile_stamp(&e.dir), scans)
            })
            .collect();
        let mut tasks: Vec<Task<V>> = {
            let kept = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            emps.iter()
                .zip(stamps)
                .map(|(e, (wanted, profile_stamp, scans_stamp))| {
                    let same = kept
                        .get(&e.dir)
                        .filter(|k| k.profile_stamp == profile_stamp);
                    Task {
                        wanted,
                        profile_stamp,
                        scans_stamp,
                        kept_keys: same.map(|k| k.keys.clone()),
                        kept_done: same.and_then(|k| k.done.clone()),
                        fresh: None,
                    }
                })
                .collect()
        };
        tasks
            .par_iter_mut()
            .zip(emps)
            .filter(|(t, _)| t.kept_keys.is_none())
            .for_each(|(t, e)| t.fresh = Some(self.read(ctx, e)));
        let keys: Vec<Option<Keys>> = tasks
            .iter()
            .map(|t| match (&t.fresh, &t.kept_keys) {
                (Some(p), _) => p.as_ref().ok().map(Keys::of),
                (None, Some(k)) => k.clone(),
                (None, None) => None,
            })
            .collect();
        let marks = batch_marks(emps, &keys);
        let todo = tasks
            .iter()
            .zip(&marks)
            .filter(|(t, m)| t.wanted && reusable(t, m).is_none())
            .count();
        progress.begin(todo, true);
        let results: Vec<Option<Arc<Computed<V>>>> = tasks
            .par_iter_mut()
            .zip(emps)
            .zip(&marks)
            .map(|((t, e), m)| {
                if !t.wanted {
                    return None;
                }
                if let Some(c) = reusable(t, m) {
                    return Some(c);
                }
                let profile = match t.fresh.take() {
                    Some(p) => p,
                    None => self.read(ctx, e),
                };
                progress.start(&e.folder);
                let c = self.compute(ctx, e, profile, m, &f);
                for w in &c.warnings {
                    progress.warning(&e.folder, &e.dir.join("applicant.toml"), w);
                }
                progress.done();
                Some(Arc::new(c))
            })
            .collect();
        let mut out = Vec::with_capacity(emps.len());
        let mut entries = HashMap::with_capacity(emps.len());
        for (((t, e), (k, m)), r) in tasks
            .into_iter()
            .zip(emps)
            .zip(keys.into_iter().zip(marks))
            .zip(results)
        {
            let done = match r {
                Some(c) => {
                    out.push((e.clone(), c.clone()));
                    Some((t.scans_stamp, m, c))
                }
                None => t.kept_done,
            };
            entries.insert(
                e.dir.clone(),
                Entry {
                    profile_stamp: t.profile_stamp,
                    keys: k,
                    done,
                },
            );
        }
        *self.entries.lock().unwrap_or_else(|p| p.into_inner()) = entries;
        out
    }

    fn read(&self, ctx: &Context, e: &Employee) -> Result<Profile, Error> {
        self.profiles.fetch_add(1, Ordering::Relaxed);
        load_profile(ctx, e)
    }

    fn compute(
        &self,
        ctx: &Context,
        e: &Employee,
        profile: Result<Profile, Error>,
        marks: &Marks,
        f: &(impl Fn(&Employee, &Loaded) -> Result<V, Error> + Sync),
    ) -> Computed<V> {
        self.computed.fetch_add(1, Ordering::Relaxed);
        let mut warnings = Vec::new();
        let r = profile.and_then(|p| {
            warnings.extend(p.warnings.iter().cloned());
            let mut l = load(ctx, &e.dir, p)?;
            warnings.extend(l.env.warnings.iter().cloned());
            l.duplicate_of = marks.0.clone();
            l.same_bundle_name_as = marks.1.clone();
            f(e, &l)
        });
        Computed {
            outcome: match r {
                Ok(v) => Outcome::Done(v),
                Err(err) => Outcome::Broken(err),
            },
            warnings,
        }
    }
}

/// The kept result of a task, if its stamps and marks are still those it was made with.
fn reusable<V>(t: &Task<V>, marks: &Marks) -> Option<Arc<Computed<V>>> {
    match &t.kept_done {
        Some((scans, m, c)) if *scans == t.scans_stamp && m == marks => Some(c.clone()),
        _ => None,
    }
}

/// A hash of what loading the profile of the employee folder `dir` reads: the folder itself
/// (a file added, removed or renamed in it: a misnamed `applicant.toml.txt`, a `Scans/`
/// folder), its `applicant.toml` and `company.toml`, and the `company.toml` of the batch
/// above, by name, type, size and modification time. Stat only.
pub fn profile_stamp(dir: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in [
        dir.to_path_buf(),
        dir.join("applicant.toml"),
        dir.join("company.toml"),
    ] {
        add(&mut h, &p);
    }
    if let Some(parent) = dir.parent() {
        add(&mut h, &parent.join("company.toml"));
    }
    h.finish()
}

/// A hash of what checking the scans of the employee folder `dir` reads: every entry under
/// `scans/`, by name, type, size and modification time. Links are not followed (the check does
/// not follow them either). Stat only.
pub fn scans_stamp(dir: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for entry in walkdir::WalkDir::new(dir.join("scans"))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if let Ok(m) = entry.metadata() {
            add_meta(&mut h, entry.path(), &m);
        }
    }
    h.finish()
}

fn add(h: &mut impl Hasher, p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) => add_meta(h, p, &m),
        // Absent and present are different stamps.
        Err(_) => (p, "-").hash(h),
    }
}

fn add_meta(h: &mut impl Hasher, p: &Path, m: &std::fs::Metadata) {
    p.hash(h);
    m.len().hash(h);
    m.file_type().is_dir().hash(h);
    m.file_type().is_symlink().hash(h);
    if let Ok(t) = m.modified() {
        t.hash(h);
    }
}

#[cfg(test)]
mod tests;
