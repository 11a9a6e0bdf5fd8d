//! Unit tests of the department core on real folders (the examples and temporary ones).

use super::*;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn ctx() -> Context {
    Context {
        book: Rulebook::builtin().expect("built-in rulebook"),
        date: Date::parse("2026-11-26").expect("date"),
    }
}

#[test]
fn natural_order_puts_emp2_before_emp10() {
    let mut v = vec!["emp10", "emp2", "emp1", "emp02", "b", "a10b", "a9b"];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(v, ["a9b", "a10b", "b", "emp1", "emp2", "emp02", "emp10"]);
}

#[test]
fn a_batch_folder_is_its_employees_in_natural_order() {
    let t = tempfile::tempdir().expect("tempdir");
    for n in ["emp10", "emp2", "emp1"] {
        std::fs::create_dir_all(t.path().join(n).join("scans")).expect("mkdir");
        std::fs::write(t.path().join(n).join("applicant.toml"), "").expect("write");
    }
    std::fs::create_dir(t.path().join("notes")).expect("mkdir");
    let (emps, batch) = discover(&[t.path().to_path_buf()]).expect("discover");
    assert!(batch);
    let names: Vec<&str> = emps.iter().map(|e| e.folder.as_str()).collect();
    assert_eq!(names, ["emp1", "emp2", "emp10"]);
}

#[test]
fn the_same_folder_given_twice_is_one_employee() {
    let batch = example().join("batch");
    let (emps, _) = discover(&[
        batch.join("li-ming"),
        batch.clone(),
        batch.join("li-ming/../li-ming"),
    ])
    .expect("discover");
    let names: Vec<&str> = emps.iter().map(|e| e.folder.as_str()).collect();
    assert_eq!(names, ["li-ming", "chen-jing", "wang-lei"]);
}

#[test]
fn one_employee_folder_is_not_a_batch() {
    let (emps, batch) = discover(&[example().join("zhang-wei")]).expect("discover");
    assert!(!batch);
    assert_eq!(emps.len(), 1);
    assert_eq!(emps[0].folder, "zhang-wei");
}

#[test]
fn a_mistyped_folder_gets_did_you_mean() {
    let err = discover(&[example().join("zhang-wie")]).expect_err("missing");
    let text = err.render_in(crate::messages::Lang::En);
    assert!(text.contains("did you mean"), "{text}");
    assert!(text.contains("zhang-wei"), "{text}");
    // In Chinese, in Chinese only.
    let text = err.render_in(crate::messages::Lang::Zh);
    assert!(
        text.contains("是不是") && !text.contains("did you mean"),
        "{text}"
    );
    assert!(text.contains("zhang-wei"), "{text}");
}

#[test]
fn a_missing_folder_among_several_is_one_unusable_employee() {
    let dirs = [example().join("zhang-wei"), example().join("nobody-here")];
    let (emps, batch) = discover(&dirs).expect("discover");
    assert!(batch);
    assert_eq!(emps.len(), 2);
    assert!(emps[0].unusable.is_none());
    assert!(emps[1].unusable.is_some());
}

#[test]
fn the_example_batch_checks_to_one_ready_and_two_not() {
    let (results, batch) = check_all(&ctx(), &[example().join("batch")], &Silent).expect("run");
    assert!(batch);
    let ready: Vec<bool> = results
        .iter()
        .map(|(_, o)| matches!(o, Outcome::Done(c) if c.report.ready))
        .collect();
    assert_eq!(ready.iter().filter(|r| **r).count(), 1, "{ready:?}");
    assert_eq!(ready.len(), 3);
}

#[test]
fn the_same_id_twice_is_marked_on_both_and_stops_their_score() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = example().join("zhang-wei").join("applicant.toml");
    for n in ["a", "b"] {
        std::fs::create_dir_all(t.path().join(n)).expect("mkdir");
        std::fs::copy(&src, t.path().join(n).join("applicant.toml")).expect("copy");
    }
    let c = ctx();
    let (checked, _) = check_all(&c, &[t.path().to_path_buf()], &Silent).expect("check");
    for (e, o) in &checked {
        let Outcome::Done(d) = o else {
            panic!("{} broken", e.folder)
        };
        assert!(
            d.report
                .findings
                .iter()
                .any(|f| f.code == Code::DuplicateIdNumber),
            "{}",
            e.folder
        );
    }
    let (scored, _) = score_all(&c, &[t.path().to_path_buf()], &Silent).expect("score");
    assert!(scored.iter().all(|(_, o)| matches!(o, Outcome::Broken(_))));
}

#[test]
fn a_broken_employee_alone_is_the_error_of_the_run() {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("applicant.toml"), "[applicant\n").expect("write");
    assert!(check_all(&ctx(), &[t.path().to_path_buf()], &Silent).is_err());
}

#[test]
fn progress_hears_of_every_employee() {
    struct Count(std::sync::atomic::AtomicUsize);
    impl Progress for Count {
        fn done(&self) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let count = Count(std::sync::atomic::AtomicUsize::new(0));
    check_all(&ctx(), &[example().join("batch")], &count).expect("run");
    assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 3);
}
