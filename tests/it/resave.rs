//! Re-saving any stored run: every run under tests/fixtures is tracked again from its details, and
//! every metric of every results row (task rows, `_average` rows, `all`) must equal what the real
//! lighteval wrote, to 1e-9. Runs with details and no results file are aggregated by metric name
//! and checked against the run their files were copied from.

use std::path::Path;

use crate::support::fixture;
use evaldeck::model::{Json, ResultsFile};
use evaldeck::store::{self, Run};
use evaldeck::tracker::{EvaluationTracker, TrackerOptions, track_stored_run};

fn close(ours: f64, theirs: f64) -> bool {
    (ours.is_nan() && theirs.is_nan()) || (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0)
}

fn retracked(run: &Run) -> (ResultsFile, EvaluationTracker) {
    let mut tracker = EvaluationTracker::new(TrackerOptions::new("unused")).unwrap();
    track_stored_run(run, &mut tracker, &mut |_| {}).unwrap();
    (tracker.results().unwrap(), tracker)
}

/// Every value of `expected`'s rows named in `tasks` (all rows when `None`) equals ours; returns
/// how many values were compared.
fn assert_rows_equal(
    what: &str,
    ours: &ResultsFile,
    expected: &ResultsFile,
    tasks: Option<&[(&str, &str)]>,
) -> usize {
    let mut compared = 0;
    let pairs: Vec<(String, String)> = match tasks {
        Some(tasks) => tasks
            .iter()
            .map(|(o, e)| ((*o).to_owned(), (*e).to_owned()))
            .collect(),
        None => expected
            .rows()
            .map(|r| (r.task.to_owned(), r.task.to_owned()))
            .collect(),
    };
    for (our_task, their_task) in pairs {
        let theirs = expected.row(&their_task).unwrap();
        let mine = ours
            .row(&our_task)
            .unwrap_or_else(|| panic!("{what}: no row {our_task}"));
        let keys = |values: &evaldeck::model::Map| {
            let mut keys: Vec<String> = values.keys().cloned().collect();
            if tasks.is_some() {
                // Without a results file, the order is the details' (sorted) one.
                keys.sort();
            }
            keys
        };
        assert_eq!(
            keys(mine.values),
            keys(theirs.values),
            "{what} {our_task}: metric keys"
        );
        for (key, value) in theirs.values {
            let theirs = value.as_f64().unwrap();
            let mine = mine.values[key].as_f64().unwrap();
            assert!(
                close(mine, theirs),
                "{what} {our_task} {key}: ours {mine:?}, stored {theirs:?}"
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn every_fixture_run_with_results_re_saves_to_its_stored_numbers() {
    let mut runs = 0;
    for folder in ["lighteval-0.13", "lighteval-0.10.0", "lighteval-0.7-text"] {
        let catalog = store::discover(&fixture(folder)).unwrap();
        for run in catalog.runs() {
            let stored = run.load_results().unwrap();
            let (ours, tracker) = retracked(run);
            let what = format!("{folder} {}", run.date_id);
            let compared = assert_rows_equal(&what, &ours, &stored, None);
            assert!(compared >= 20, "{what}: only {compared} values compared");
            assert!(
                tracker.warnings().is_empty(),
                "{what}: every metric is recomputed, none kept: {:?}",
                tracker.warnings()
            );
            assert!(
                !ours.general().raw().contains_key("evaldeck_kept_metrics"),
                "{what}"
            );
            runs += 1;
        }
    }
    assert_eq!(
        runs, 5,
        "three 0.13 runs, one 0.10.0 run, one 0.5–0.7 text run"
    );
}

#[test]
fn details_only_runs_re_save_by_metric_name() {
    let original = store::discover(&fixture("lighteval-0.13")).unwrap();
    let source = original
        .runs()
        .find(|r| r.date_id == "2026-11-23T21-40-51.814529")
        .unwrap()
        .load_results()
        .unwrap();
    for (folder, ours_task, their_task) in [
        ("partial_runs/details_without_results", "yesno|0", "yesno|0"),
        ("unicode_task_names", "数学:代数|0", "quiz:lang|0"),
    ] {
        let catalog = store::discover(&fixture(folder)).unwrap();
        let run = catalog.runs().next().unwrap();
        assert!(run.results_path.is_none());
        let (ours, _) = retracked(run);
        let compared = assert_rows_equal(folder, &ours, &source, Some(&[(ours_task, their_task)]));
        assert!(compared >= 4, "{folder}: {compared}");
    }
}

#[test]
fn a_run_without_details_cannot_be_re_saved() {
    let catalog = store::discover(&fixture("partial_runs/results_without_details")).unwrap();
    let run = catalog.runs().next().unwrap();
    let mut tracker = EvaluationTracker::new(TrackerOptions::new("unused")).unwrap();
    track_stored_run(run, &mut tracker, &mut |_| {}).unwrap();
    let err = tracker.results().unwrap_err().to_string();
    assert!(err.contains("no sample was logged"), "{err}");
}

/// Copies a 0.13 run into `dir` with one metric's `corpus_level_fn` replaced by a user's own
/// class, as a custom lighteval metric renders.
fn run_with_custom_aggregation(dir: &Path) -> std::path::PathBuf {
    let date = "2026-11-23T21-40-51.814529";
    let root = fixture("lighteval-0.13");
    let results = dir.join("results/model-a");
    std::fs::create_dir_all(&results).unwrap();
    let details = dir.join("details/model-a").join(date);
    std::fs::create_dir_all(&details).unwrap();
    for entry in std::fs::read_dir(root.join("details/model-a").join(date)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, details.join(path.file_name().unwrap())).unwrap();
    }
    let name = format!("results_{date}.json");
    let text = std::fs::read_to_string(root.join("results/model-a").join(&name)).unwrap();
    let custom = text.replace(
        "\"corpus_level_fn\": \"MatthewsCorrCoef()\"",
        "\"corpus_level_fn\": \"MyBalancedAccuracy(smoothing=0.5)\"",
    );
    assert_ne!(
        custom, text,
        "the fixture renders MCC as lighteval 0.13 does"
    );
    std::fs::write(results.join(&name), custom).unwrap();
    dir.to_owned()
}

#[test]
fn an_unknown_aggregation_keeps_its_stored_value_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let source = run_with_custom_aggregation(dir.path());
    let catalog = store::discover(&source).unwrap();
    let run = catalog.runs().next().unwrap();
    let stored = run.load_results().unwrap();
    let (ours, tracker) = retracked(run);
    assert_rows_equal("custom", &ours, &stored, None);
    let warnings = tracker.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("yesno|0")
            && warnings[0].contains("`mcc`")
            && warnings[0].contains("MyBalancedAccuracy"),
        "{warnings:?}"
    );
    let kept = ours.general().raw()["evaldeck_kept_metrics"].clone();
    let Json::Object(kept) = kept else {
        panic!("{kept:?}")
    };
    assert_eq!(kept.keys().collect::<Vec<_>>(), ["yesno|0"]);
    assert!(kept["yesno|0"].get("mcc").is_some());
    // The config keeps the user's rendering of the function.
    let config = ours.task_config("yesno|0").unwrap();
    assert_eq!(
        config.metric("mcc").unwrap().corpus_level_fn.as_deref(),
        Some("MyBalancedAccuracy(smoothing=0.5)")
    );

    // The command line saves the run and prints the warning on stderr.
    let out = tempfile::tempdir().unwrap();
    let output = crate::support::evaldeck_command()
        .arg(&source)
        .args(["--save", "--output-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: task `yesno|0`, metric `mcc`"),
        "{stderr}"
    );
}
