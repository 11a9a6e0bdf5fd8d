//! The per-folder cache on real folders (copies of the example batch): what a second run reads
//! and computes, and that the batch marks follow a change in any folder.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use super::*;
use crate::date::Date;
use crate::department::discover;
use crate::finding::Code;
use crate::rules::Rulebook;

fn ctx() -> Context {
    Context {
        book: Rulebook::builtin().expect("built-in rulebook"),
        date: Date::parse("2026-11-26").expect("date"),
    }
}

/// A copy of the example batch (chen-jing, li-ming, wang-lei).
fn dept() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch");
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let to = t.path().join(e.path().strip_prefix(&src).expect("under"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
        }
    }
    t
}

/// What one run gives: per folder, whether it is ready and its duplicate mark.
type Seen = Vec<(String, Option<bool>, Option<String>)>;

struct Run {
    cache: Cache<(bool, Option<String>)>,
    /// Times the work was applied.
    calls: AtomicUsize,
}

impl Run {
    fn new() -> Run {
        Run {
            cache: Cache::new(),
            calls: AtomicUsize::new(0),
        }
    }

    fn run(&self, c: &Context, dir: &Path, only: Option<&str>) -> Seen {
        let (emps, _) = discover(&[dir.to_path_buf()]).expect("discover");
        self.cache
            .each(
                c,
                &emps,
                &crate::department::Silent,
                |e| only.is_none_or(|o| o == e.folder),
                |e, l| {
                    self.calls.fetch_add(1, Ordering::Relaxed);
                    let (report, _) = crate::department::check_employee(c, e, l)?;
                    let dup = report
                        .findings
                        .iter()
                        .any(|f| f.code == Code::DuplicateIdNumber);
                    Ok((
                        report.ready,
                        dup.then(|| l.duplicate_of.clone().unwrap_or_default()),
                    ))
                },
            )
            .into_iter()
            .map(|(e, c)| match &c.outcome {
                Outcome::Done((ready, dup)) => (e.folder, Some(*ready), dup.clone()),
                Outcome::Broken(_) => (e.folder, None, None),
            })
            .collect()
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

/// Gives `path` a modification time `secs` later than it has (a change, whatever the clock's
/// resolution).
fn touch(path: &Path, secs: u64) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    let t = f.metadata().expect("meta").modified().expect("mtime");
    f.set_modified(t + Duration::from_secs(secs))
        .expect("set mtime");
}

#[test]
fn a_second_run_over_unchanged_folders_reads_and_computes_nothing() {
    let d = dept();
    let c = ctx();
    let r = Run::new();
    let first = r.run(&c, d.path(), None);
    assert_eq!(first.len(), 3);
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 3,
            computed: 3
        }
    );
    assert_eq!(r.calls(), 3);
    // li-ming's applicant.toml is now garbage of the same size with the same modification
    // time: a run that read it would find it broken.
    let p = d.path().join("li-ming/applicant.toml");
    let meta = std::fs::metadata(&p).expect("meta");
    let mtime: SystemTime = meta.modified().expect("mtime");
    std::fs::write(
        &p,
        vec![b'#'; meta.len() as usize - 1]
            .into_iter()
            .chain([b'['])
            .collect::<Vec<u8>>(),
    )
    .expect("write");
    std::fs::File::options()
        .write(true)
        .open(&p)
        .expect("open")
        .set_modified(mtime)
        .expect("set mtime");
    let second = r.run(&c, d.path(), None);
    assert_eq!(second, first);
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 3,
            computed: 3
        }
    );
    assert_eq!(r.calls(), 3);
    // Once its time changes, it is read: broken.
    touch(&p, 5);
    let third = r.run(&c, d.path(), None);
    assert_eq!(
        third.iter().find(|s| s.0 == "li-ming").map(|s| s.1),
        Some(None)
    );
    assert_eq!(r.cache.stats().profiles, 4);
}

#[test]
fn a_changed_file_is_checked_again_in_its_folder_only() {
    let d = dept();
    let c = ctx();
    let r = Run::new();
    let first = r.run(&c, d.path(), None);
    touch(&d.path().join("wang-lei/applicant.toml"), 5);
    assert_eq!(r.run(&c, d.path(), None), first);
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 4,
            computed: 4
        }
    );
    // A scan removed: that folder's result changes, the others are kept.
    let ready = |s: &Seen, f: &str| s.iter().find(|x| x.0 == f).and_then(|x| x.1);
    let (who, _) = first
        .iter()
        .find(|s| s.1 == Some(true))
        .map(|s| (s.0.clone(), ()))
        .expect("one ready employee");
    let scans = d.path().join(&who).join("scans");
    let one = std::fs::read_dir(&scans)
        .expect("scans")
        .flatten()
        .find(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .expect("a scan");
    std::fs::remove_file(one.path()).expect("rm");
    let after = r.run(&c, d.path(), None);
    assert_eq!(ready(&after, &who), Some(false), "{after:?}");
    assert_eq!(r.calls(), 5);
}

#[test]
fn the_same_id_number_made_in_one_folder_marks_both() {
    let d = dept();
    let c = ctx();
    let r = Run::new();
    let first = r.run(&c, d.path(), None);
    assert!(first.iter().all(|s| s.2.is_none()), "{first:?}");
    // wang-lei's folder gets chen-jing's applicant.toml (her ID number): only wang-lei's
    // folder changed.
    let p = d.path().join("wang-lei/applicant.toml");
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::copy(d.path().join("chen-jing/applicant.toml"), &p).expect("copy");
    touch(&p, 5);
    let second = r.run(&c, d.path(), None);
    let mark = |s: &Seen, f: &str| s.iter().find(|x| x.0 == f).and_then(|x| x.2.clone());
    assert_eq!(mark(&second, "wang-lei").as_deref(), Some("chen-jing"));
    assert_eq!(mark(&second, "chen-jing").as_deref(), Some("wang-lei"));
    assert_eq!(mark(&second, "li-ming"), None);
    // wang-lei read, chen-jing read again for its new mark, li-ming kept.
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 5,
            computed: 5
        }
    );
    // And back: both marks go.
    std::fs::write(&p, text).expect("write");
    touch(&p, 10);
    let third = r.run(&c, d.path(), None);
    assert_eq!(third, first);
}

#[test]
fn a_removed_folder_disappears_and_a_new_one_appears() {
    let d = dept();
    let c = ctx();
    let r = Run::new();
    r.run(&c, d.path(), None);
    std::fs::remove_dir_all(d.path().join("li-ming")).expect("rm");
    let names = |s: &Seen| s.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&r.run(&c, d.path(), None)), ["chen-jing", "wang-lei"]);
    assert_eq!(r.calls(), 3);
    std::fs::create_dir_all(d.path().join("zhao-min/scans")).expect("mkdir");
    std::fs::copy(
        d.path().join("wang-lei/applicant.toml"),
        d.path().join("zhao-min/applicant.toml"),
    )
    .expect("copy");
    let s = r.run(&c, d.path(), None);
    assert_eq!(names(&s), ["chen-jing", "wang-lei", "zhao-min"]);
    // The copy has wang-lei's ID number: both marked, both computed.
    assert_eq!(r.calls(), 5);
    assert!(s.iter().skip(1).all(|x| x.2.is_some()), "{s:?}");
    // What was kept of li-ming is gone with it.
    assert_eq!(r.cache.entries.lock().expect("lock").len(), 3);
}

#[test]
fn one_employee_asked_for_computes_that_one_and_reads_changed_profiles_for_marks() {
    let d = dept();
    let c = ctx();
    let r = Run::new();
    let one = r.run(&c, d.path(), Some("li-ming"));
    assert_eq!(one.len(), 1);
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 3,
            computed: 1
        }
    );
    // Unchanged: nothing read or computed.
    assert_eq!(r.run(&c, d.path(), Some("li-ming")), one);
    assert_eq!(r.cache.stats().profiles, 3);
    // Another folder's scans change: not even looked at; its profile changes: read for the
    // marks only.
    let scans = d.path().join("chen-jing/scans");
    for e in std::fs::read_dir(&scans).expect("scans").flatten() {
        std::fs::remove_file(e.path()).expect("rm");
    }
    r.run(&c, d.path(), Some("li-ming"));
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 3,
            computed: 1
        }
    );
    touch(&d.path().join("wang-lei/applicant.toml"), 5);
    r.run(&c, d.path(), Some("li-ming"));
    assert_eq!(
        r.cache.stats(),
        Stats {
            profiles: 4,
            computed: 1
        }
    );
    // The whole department: the two others computed now, li-ming kept.
    let all = r.run(&c, d.path(), None);
    assert_eq!(all.len(), 3);
    assert_eq!(r.cache.stats().computed, 3);
}

#[test]
fn warnings_come_with_the_result_and_a_broken_folder_is_kept_broken() {
    let d = dept();
    let c = ctx();
    let p = d.path().join("li-ming/applicant.toml");
    let text = std::fs::read_to_string(&p).expect("read");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(&p, &gbk).expect("write");
    std::fs::write(d.path().join("wang-lei/applicant.toml"), "[applicant\n").expect("write");
    let cache: Cache<()> = Cache::new();
    let (emps, _) = discover(&[d.path().to_path_buf()]).expect("discover");
    for _ in 0..2 {
        let out = cache.each(
            &c,
            &emps,
            &crate::department::Silent,
            |_| true,
            |_, _| Ok(()),
        );
        let by = |f: &str| {
            out.iter()
                .find(|(e, _)| e.folder == f)
                .map(|(_, c)| c)
                .expect(f)
        };
        assert!(!by("li-ming").warnings.is_empty());
        assert!(by("chen-jing").warnings.is_empty());
        assert!(matches!(by("wang-lei").outcome, Outcome::Broken(_)));
    }
    assert_eq!(cache.stats().profiles, 3);
}
