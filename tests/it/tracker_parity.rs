//! Parity with lighteval: the runs in tests/fixtures/lighteval-0.13 are tracked again from their
//! details, with the aggregations of their `config_tasks`, and every mean, mean stderr, bootstrap
//! stderr (sacrebleu's chrF and TER included) and compiled hash must equal what lighteval wrote,
//! bit for bit.

use crate::support::fixture;
use evaldeck::model::pyjson;
use evaldeck::model::{Json, Map, ResultsFile};
use evaldeck::stats::Aggregation;
use evaldeck::store::{self, Run};
use evaldeck::tracker::{
    DetailsLogger, EvaluationTracker, TaskDeclaration, TrackerOptions, track_lines,
};

fn raw_rows(run: &Run, task: &str) -> Vec<Map> {
    let file = run.open_details(task).unwrap();
    let mut rows = Vec::new();
    for batch in file.batches(None, 256).unwrap() {
        rows.extend(store::rows_of(&batch.unwrap()));
    }
    rows
}

fn split(mut row: Map) -> (Map, Map, Map) {
    let mut take = |k: &str| match row.shift_remove(k) {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    (take("doc"), take("model_response"), take("metric"))
}

/// The task's declaration from its config. Every aggregation of the fixtures is one evaldeck
/// computes, sacrebleu's chrF and TER included.
fn declaration(results: &ResultsFile, task: &str) -> Option<TaskDeclaration> {
    let config = results.task_config(task)?;
    let mut declaration = TaskDeclaration::new(task);
    declaration.version = config.version().unwrap_or(0);
    for metric in config.metrics() {
        for name in &metric.names {
            let function = metric.corpus_level_fn_of(name).unwrap();
            let aggregation = Aggregation::resolve(&function, name).unwrap();
            declaration.aggregations.insert(name.clone(), aggregation);
        }
    }
    Some(declaration)
}

/// Bit for bit: the means follow numpy's pairwise sum and the bootstraps draw lighteval's
/// resamples, so nothing is left to round differently.
fn close(ours: f64, theirs: f64) -> bool {
    (ours.is_nan() && theirs.is_nan()) || ours.to_bits() == theirs.to_bits()
}

/// A tracking file (JSON lines) for a stored run: its model, a task record per task whose
/// aggregations evaldeck computes, and a sample record per details row.
fn tracking_file(run: &Run, results: &ResultsFile) -> (String, Vec<String>) {
    let line = |map: Map| {
        pyjson::to_string(
            &Json::Object(map),
            pyjson::WriteOptions {
                indent: None,
                non_finite: pyjson::NonFinite::PythonTokens,
            },
        )
    };
    let mut lines = Vec::new();
    let mut record = Map::new();
    record.insert("type".into(), "run".into());
    record.insert("model_name".into(), run.model.as_str().into());
    lines.push(line(record));
    let mut tracked = Vec::new();
    for task in results.measured_tasks() {
        let task = task.as_str();
        let Some(declaration) = declaration(results, task) else {
            continue;
        };
        let mut record = Map::new();
        record.insert("type".into(), "task".into());
        record.insert("name".into(), task.into());
        record.insert("version".into(), Json::Int(declaration.version));
        let aggregations: Map = declaration
            .aggregations
            .iter()
            .map(|(m, a)| (m.clone(), Json::Str(a.render())))
            .collect();
        record.insert("aggregations".into(), Json::Object(aggregations));
        lines.push(line(record));
        for row in raw_rows(run, task) {
            let mut record = Map::new();
            record.insert("task".into(), task.into());
            record.extend(row);
            lines.push(line(record));
        }
        tracked.push(task.to_owned());
    }
    (lines.join("\n"), tracked)
}

#[test]
fn every_fixture_run_aggregates_to_lighteval_s_numbers() {
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    let mut compared = 0;
    let mut bootstrap_compared = 0;
    let mut translation_compared = 0;
    for run in catalog.runs() {
        let lighteval = run.load_results().unwrap();
        let (text, tracked) = tracking_file(run, &lighteval);
        let mut tracker = EvaluationTracker::new(TrackerOptions::new("unused")).unwrap();
        track_lines(text.as_bytes(), "parity.jsonl", &mut tracker, &mut |_| {}).unwrap();
        assert!(tracked.len() >= 5, "{tracked:?}");
        let ours = tracker.results().unwrap();
        for task in &tracked {
            let theirs = lighteval.row(task).unwrap();
            let mine = ours.row(task).unwrap();
            for (key, value) in theirs.values {
                let theirs = value.as_f64().unwrap();
                let mine = mine
                    .values
                    .get(key)
                    .and_then(Json::as_f64)
                    .unwrap_or_else(|| panic!("{task} {key} missing"));
                assert!(
                    close(mine, theirs),
                    "{} {task} {key}: ours {mine:?}, lighteval {theirs:?}",
                    run.date_id
                );
                compared += 1;
                if key.ends_with("_stderr")
                    && ["mcc", "loglikelihood_f1", "chrf", "ter"]
                        .iter()
                        .any(|m| key.starts_with(m))
                {
                    bootstrap_compared += 1;
                }
                if ["chrf", "ter"].iter().any(|m| key.starts_with(m)) {
                    translation_compared += 1;
                }
            }
            let theirs = lighteval.task_summary(task).unwrap().hashes();
            assert_eq!(
                ours.task_summary(task).unwrap().hashes(),
                theirs,
                "{} {task} hashes",
                run.date_id
            );
        }
        // The quiz suite's _average row, when every quiz subtask was tracked.
        let average = lighteval
            .rows()
            .find(|r| r.task.contains(":_average"))
            .unwrap();
        for (key, value) in average.values {
            let mine = ours.row(average.task).unwrap().values[key]
                .as_f64()
                .unwrap();
            assert!(
                close(mine, value.as_f64().unwrap()),
                "{} {} {key}",
                run.date_id,
                average.task
            );
        }
    }
    assert!(compared > 60, "{compared}");
    // mcc and loglikelihood_f1 stderr in each of three runs; chrf and ter stderr in each run
    // with the translate task.
    let translate_runs = catalog
        .runs()
        .filter(|r| r.details.iter().any(|(t, _)| t.starts_with("translate")))
        .count();
    assert!(translate_runs >= 2, "{translate_runs}");
    assert_eq!(bootstrap_compared, 6 + 2 * translate_runs);
    assert_eq!(translation_compared, 4 * translate_runs);
}

#[test]
fn general_hashes_over_all_tasks_match() {
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    for run in catalog.runs() {
        let lighteval = run.load_results().unwrap();
        let mut details = DetailsLogger::default();
        for (task, _) in &run.details {
            for row in raw_rows(run, task) {
                let (doc, response, metric) = split(row);
                details.log(task, doc, response, metric);
            }
        }
        let (_, general) = details.aggregate();
        let theirs = lighteval.general_summary().unwrap().hashes();
        let ours = evaldeck::model::CompiledSummary::new(&general).hashes();
        assert_eq!(ours, theirs, "{}", run.date_id);
    }
}
