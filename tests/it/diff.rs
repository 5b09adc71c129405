//! The diff: what it reports for the fixture pairs, its statistics, and the headless command.

use crate::support::fixture;
use evaldeck::analysis::Side;
use evaldeck::diff::{self, Test};
use evaldeck::model::{Json, Map};
use evaldeck::store::{self, RunSelector};
use evaldeck::tracker::{EvaluationTracker, TaskDeclaration, TrackerOptions};

fn report(
    model_a: &str,
    run_a: RunSelector,
    model_b: &str,
    run_b: RunSelector,
) -> diff::DiffReport {
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    let a = catalog.select(Some(model_a), Some(&run_a)).unwrap().run;
    let b = catalog.select(Some(model_b), Some(&run_b)).unwrap().run;
    diff::diff(&Side::load(a).unwrap(), &Side::load(b).unwrap(), None).unwrap()
}

#[test]
fn two_versions_of_model_a() {
    let report = report("model-a", RunSelector::First, "model-a", RunSelector::Last);
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("PROMPT DRIFT in quiz:geo|0: hash_examples"),
        "{warnings}"
    );
    assert!(
        warnings.contains("task quiz:hist|0 is only in B"),
        "{warnings}"
    );
    assert!(warnings.contains("task summ|0 is only in A"), "{warnings}");
    assert_eq!(
        warnings.matches("PROMPT DRIFT").count(),
        1,
        "only quiz:geo changed prompts: {warnings}"
    );
    let changes: Vec<String> = report
        .changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.what, c.a, c.b))
        .collect();
    assert!(
        changes.contains(&"version of quiz:geo|0: 0 → 1".to_owned()),
        "{changes:?}"
    );
    assert!(
        changes.contains(&"model_config.seed: 42 → 43".to_owned()),
        "{changes:?}"
    );
    assert!(
        changes.iter().all(|c| !c.contains("0x")),
        "memory addresses are not changes: {changes:?}"
    );
    // Every compared task pairs its samples (doc ids), and 0/1 metrics use McNemar's exact test.
    let acc = report
        .rows
        .iter()
        .find(|r| r.task == "yesno|0" && r.metric == "acc")
        .unwrap();
    assert!(acc.paired && acc.n_paired == 30 && acc.test == Test::McNemarExact);
    let flips = &report.flips.iter().find(|(t, _)| t == "yesno|0").unwrap().1;
    // Counted and tested in Python from the two details files (pairs by doc.id):
    // 6 right→wrong, 13 wrong→right; scipy.stats.binomtest(6, 19, 0.5).pvalue.
    assert_eq!(
        (flips.right_to_wrong.len(), flips.wrong_to_right.len()),
        (6, 13)
    );
    let p = acc.comparison.unwrap().p_value;
    assert!((p - 0.1670684814453125).abs() < 1e-15, "{p}");
    assert!(acc.delta().unwrap() > 0.0);
    let mcc = report
        .rows
        .iter()
        .find(|r| r.task == "yesno|0" && r.metric == "mcc")
        .unwrap();
    assert_eq!(mcc.test, Test::PairedBootstrap);
    let geo = report.rows.iter().find(|r| r.task == "quiz:geo|0").unwrap();
    assert!(geo.prompt_drift);
    // chrF is sacrebleu's, computed from the paired samples: a paired bootstrap.
    let chrf = report.rows.iter().find(|r| r.metric == "chrf").unwrap();
    assert_eq!((chrf.test, chrf.paired), (Test::PairedBootstrap, true));
    // Holm: adjusted p-values are at least the raw ones.
    for row in report
        .rows
        .iter()
        .filter(|r| r.comparison.is_some_and(|c| !c.p_value.is_nan()))
    {
        assert!(row.p_adjusted >= row.comparison.unwrap().p_value);
    }
}

#[test]
fn two_models_on_the_same_samples() {
    let report = report(
        "model-a",
        RunSelector::First,
        "org-b/model-b",
        RunSelector::Last,
    );
    assert!(
        !report.warnings.iter().any(|w| w.contains("PROMPT DRIFT")),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings.is_empty(),
        "same tasks, same samples: {:?}",
        report.warnings
    );
    for row in &report.rows {
        assert!(row.n_paired > 0, "{} pairs", row.task);
    }
    // The dummy model answers every generative request the same way: nothing changes there.
    for metric in ["em", "f1", "rouge1"] {
        let row = report.rows.iter().find(|r| r.metric == metric).unwrap();
        assert_eq!(row.delta(), Some(0.0), "{metric}");
        assert!(!row.significant);
    }
    assert!(report.changes.iter().any(|c| c.what == "model_name"));
}

fn save_run(dir: &std::path::Path, acc: i64, n: usize) {
    let mut tracker = EvaluationTracker::new(TrackerOptions::new(dir)).unwrap();
    tracker.general.log_model_info("m", Map::new());
    let mut declaration = TaskDeclaration::new("t|0")
        .with_aggregation("acc", "mean")
        .unwrap();
    declaration.higher_is_better.insert("acc".into(), true);
    tracker.declare_task(declaration).unwrap();
    for i in 0..n {
        let mut doc = Map::new();
        doc.insert("id".into(), Json::Str(i.to_string()));
        doc.insert("query".into(), Json::Str(format!("q{i}")));
        let mut metric = Map::new();
        metric.insert("acc".into(), Json::Int(acc));
        tracker.log("t|0", doc, Map::new(), metric).unwrap();
    }
    tracker.save().unwrap();
}

#[test]
fn the_cli_gates_on_a_significant_regression() {
    let dir = tempfile::tempdir().unwrap();
    save_run(dir.path(), 1, 40);
    std::thread::sleep(std::time::Duration::from_millis(5));
    save_run(dir.path(), 0, 40);
    let folder = dir.path().to_str().unwrap();
    let output = crate::support::evaldeck_command()
        .args([
            "diff",
            folder,
            folder,
            "--format",
            "json",
            "--fail-on-regression",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("strict JSON");
    let row = &json["tasks"][0];
    for key in [
        "task",
        "metric",
        "a",
        "b",
        "delta",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
        "test",
        "significant",
        "paired",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    assert_eq!(
        (row["a"].as_f64(), row["b"].as_f64()),
        (Some(1.0), Some(0.0))
    );
    assert_eq!(row["test"], "mcnemar_exact");
    assert_eq!(row["significant"], true);
    assert_eq!(row["regression"], true);
    assert_eq!(json["flips"]["t|0"]["right_to_wrong"], 40);
    // 40 discordant pairs all one way: p = 2 / 2^40.
    assert!((row["p_value"].as_f64().unwrap() - 2.0 / 2f64.powi(40)).abs() < 1e-24);

    // Without the flag, the same comparison exits 0; the table marks the regression.
    let output = crate::support::evaldeck_command()
        .args(["diff", folder, folder])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("▼*"), "{text}");
}

#[test]
fn folder_at_date_and_errors() {
    let source = fixture("lighteval-0.13");
    let a = format!("{}@2026-11-23T21-40-51.814529", source.display());
    let b = format!("{}@last", source.display());
    let output = crate::support::evaldeck_command()
        .args([
            "diff",
            &a,
            &b,
            "--model-a",
            "model-a",
            "--model-b",
            "model-a",
            "--format",
            "json",
            "--metric",
            "acc",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = json["tasks"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        4,
        "--metric acc keeps the four acc rows: {rows:?}"
    );
    assert!(rows.iter().all(|r| r["metric"] == "acc"));
    assert!(
        json["b"]
            .as_str()
            .unwrap()
            .contains("2026-11-23T21-41-33.518746")
    );

    let output = crate::support::evaldeck_command()
        .args([
            "diff",
            source.to_str().unwrap(),
            source.to_str().unwrap(),
            "--model-a",
            "org-b/model-b",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has one run here"));
}

/// A results file names one run: diffing it with itself compares that run with itself, as a CI
/// gate that sanity-checks a run does. Every delta is 0 and nothing is a regression.
#[test]
fn a_results_file_against_itself() {
    let json = file_against_itself(
        "lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json",
        &["--fail-on-regression"],
    );
    let tasks = json["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 10, "{tasks:?}");
    for row in tasks {
        assert_eq!(row["a"], row["b"], "{row}");
        // A NaN value (summ's len_ratio) has no delta; every other delta is 0.
        let expected = if row["a"].is_null() { None } else { Some(0.0) };
        assert_eq!(row["delta"].as_f64(), expected, "{row}");
        assert_eq!(row["significant"], false, "{row}");
    }
    // The numbers are the file's (quiz:geo acc is 0.375 in it), not two equal wrong ones.
    let geo = tasks
        .iter()
        .find(|r| r["task"] == "quiz:geo|0" && r["metric"] == "acc")
        .unwrap_or_else(|| panic!("no quiz:geo acc row: {tasks:?}"));
    assert_eq!(geo["a"].as_f64(), Some(0.375));
    assert_eq!(json["a"], json["b"]);
}

/// lighteval 0.10 names corpus functions `compute`: the diff resolves them by metric name, as
/// re-saving does, so F1 and chrF get a paired bootstrap rather than a z-test from stored errors.
#[test]
fn lighteval_0_10_corpus_metrics_are_bootstrapped() {
    let json = file_against_itself(
        "lighteval-0.10.0/results/org-t/tiny-gpt2/results_2026-11-23T22-20-10.142262.json",
        &[],
    );
    let test_of = |task: &str, metric: &str| {
        json["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["task"] == task && r["metric"] == metric)
            .map(|r| r["test"].clone())
    };
    for (task, metric) in [
        ("custom|yesno|0", "loglikelihood_f1"),
        ("custom|yesno|0", "mcc"),
        ("custom|translate|0", "chrf"),
        ("custom|translate|0", "ter"),
    ] {
        assert_eq!(
            test_of(task, metric),
            Some("paired_bootstrap".into()),
            "{task} {metric}"
        );
    }
}

/// `evaldeck diff FILE FILE --format json` on a results fixture, which must succeed.
fn file_against_itself(file: &str, extra: &[&str]) -> serde_json::Value {
    let file = fixture(file);
    let output = crate::support::evaldeck_command()
        .arg("diff")
        .arg(&file)
        .arg(&file)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
