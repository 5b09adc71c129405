//! Interop with the real Python readers (pinned in tests/interop/requirements.txt): what evaldeck
//! reads, pyarrow and pandas read the same way.

use evaldeck::store;
use std::path::Path;

use crate::support::{files_with_suffix, fixtures, interop_python, python};

/// The details fixtures evaldeck refuses to open, each on purpose (see tests/fixtures/README.md):
/// the interop test below checks that these and only these are refused, so a reader regression
/// cannot hide behind its filter.
const UNREADABLE_DETAILS: [&str; 7] = [
    "bad/decoder_panics_on_this.parquet",
    "bad/footer_claims_a_1gb_string.parquet",
    "bad/missing_column_details.parquet",
    "bad/not_parquet.parquet",
    "bad/rep_levels_end_early.parquet",
    "bad/truncated_details.parquet",
    "bad/unknown_layout_details.parquet",
];

/// A row's JSON, with non-finite floats as the strings Python's `repr` gives, so that both sides
/// compare with `==`.
fn comparable(value: &evaldeck::model::Json) -> serde_json::Value {
    use evaldeck::model::Json;
    match value {
        Json::Null => serde_json::Value::Null,
        Json::Bool(b) => (*b).into(),
        Json::Int(i) => (*i).into(),
        Json::BigInt(digits) => serde_json::from_str(digits).unwrap(),
        Json::Float(f) if f.is_nan() => "nan".into(),
        Json::Float(f) if f.is_infinite() => (if *f > 0.0 { "inf" } else { "-inf" }).into(),
        Json::Float(f) => (*f).into(),
        Json::Str(text) => text.as_str().into(),
        Json::Array(items) => items.iter().map(comparable).collect(),
        Json::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), comparable(v)))
                .collect(),
        ),
    }
}

/// pyarrow and pandas read every details fixture evaldeck can read: the same rows, every column
/// of every row equal (all three layouts, as stored), and pandas the same row count.
#[test]
fn pyarrow_and_pandas_read_every_details_file_we_read() {
    let Some(py) = interop_python() else { return };
    let all = files_with_suffix(&fixtures(), ".parquet");
    let rows = |path: &std::path::Path| -> Option<Vec<serde_json::Value>> {
        let file = store::DetailsFile::open(path).ok()?;
        let mut rows = Vec::new();
        for batch in file.batches(None, 64).ok()? {
            let batch = batch.ok()?;
            rows.extend(
                store::rows_of(&batch)
                    .into_iter()
                    .map(|row| comparable(&evaldeck::model::Json::Object(row))),
            );
        }
        Some(rows)
    };
    let (files, refused): (Vec<_>, Vec<_>) = all.into_iter().partition(|p| rows(p).is_some());
    let mut refused: Vec<String> = refused
        .iter()
        .map(|p| p.strip_prefix(fixtures()).unwrap().display().to_string())
        .collect();
    refused.sort();
    assert_eq!(
        refused, UNREADABLE_DETAILS,
        "details fixtures evaldeck refuses"
    );
    assert!(files.len() >= 20, "{files:?}");
    let script = r#"
import sys, json, math
import pyarrow as pa, pyarrow.parquet as pq, pandas as pd
# One thread: pyarrow's pools have aborted the interpreter on a loaded 2-core machine.
pa.set_cpu_count(1)
pa.set_io_thread_count(1)
def comparable(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    if isinstance(v, dict):
        return {k: comparable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [comparable(x) for x in v]
    return v
for path in sys.argv[1:]:
    table = pq.read_table(path, use_threads=False)
    frame = pd.read_parquet(path)
    assert len(frame) == table.num_rows
    print(json.dumps([comparable(row) for row in table.to_pylist()]))
"#;
    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let output = python(&py, script, &paths);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), files.len());
    let mut cells = 0;
    for (path, line) in files.iter().zip(lines) {
        let expected: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
        let file = store::DetailsFile::open(path).unwrap();
        let mut ours = Vec::new();
        for batch in file.batches(None, 64).unwrap() {
            ours.extend(
                store::rows_of(&batch.unwrap())
                    .iter()
                    .map(|row| comparable(&evaldeck::model::Json::Object(row.clone()))),
            );
        }
        assert_eq!(ours.len(), expected.len(), "{}: rows", path.display());
        for (i, (mine, theirs)) in ours.iter().zip(&expected).enumerate() {
            assert_eq!(mine, theirs, "{} row {i}", path.display());
            cells += theirs.as_object().map_or(0, |o| o.len());
        }
    }
    assert!(cells > 1000, "{cells} cells compared");
}

/// Python's json module reads the results files we write back, to the same values.
#[test]
fn python_json_reads_what_we_write() {
    let Some(py) = interop_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for (i, path) in files_with_suffix(&fixtures(), ".json").iter().enumerate() {
        let Ok(results) = store::read_results(path) else {
            continue;
        };
        let copy = dir.path().join(format!("results_{i}.json"));
        store::write_results(&copy, &results).unwrap();
        written.push((path.clone(), copy));
    }
    assert!(written.len() >= 5);
    let script = r#"
import sys, json
a, b = json.load(open(sys.argv[1], encoding='utf-8')), json.load(open(sys.argv[2], encoding='utf-8'))
print(json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and list(a) == list(b))
"#;
    for (original, copy) in &written {
        let same = python(&py, script, &[original.as_path(), copy.as_path()]);
        assert_eq!(same.trim(), "True", "{}", original.display());
    }
}

/// A run evaldeck saves is read by pyarrow, pandas and `datasets` (as lighteval's own
/// `load_details_datasets` does), every file and every row.
#[test]
fn python_readers_load_a_run_we_saved() {
    use evaldeck::model::{Json, Map};
    use evaldeck::tracker::{EvaluationTracker, TrackerOptions};
    let Some(py) = interop_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let catalog = store::discover(&fixtures().join("lighteval-0.13")).unwrap();
    let run = catalog
        .select(Some("model-a"), Some(&store::RunSelector::First))
        .unwrap()
        .run;
    let mut tracker = EvaluationTracker::new(TrackerOptions::new(dir.path())).unwrap();
    tracker
        .general
        .log_model_info("org/saved-model", Map::new());
    let mut expected_rows = 0;
    for (task, _) in &run.details {
        let file = run.open_details(task).unwrap();
        for batch in file.batches(None, 256).unwrap() {
            for mut row in store::rows_of(&batch.unwrap()) {
                let mut take = |k: &str| match row.shift_remove(k) {
                    Some(Json::Object(m)) => m,
                    _ => Map::new(),
                };
                let (doc, response) = (take("doc"), take("model_response"));
                // Corpus metrics need declared aggregations; means are enough to exercise the files.
                let metric: Map = take("metric")
                    .into_iter()
                    .filter(|(_, v)| v.as_f64().is_some())
                    .collect();
                tracker.log(task, doc, response, metric).unwrap();
                expected_rows += 1;
            }
        }
    }
    let saved = tracker.save().unwrap();
    let script = r#"
import sys, json
import pyarrow as pa, pyarrow.parquet as pq, pandas as pd, datasets
pa.set_cpu_count(1)
pa.set_io_thread_count(1)
datasets.disable_progress_bars()
results = json.load(open(sys.argv[1], encoding="utf-8"))
total = 0
for path in sys.argv[2:]:
    table = pq.read_table(path, use_threads=False)
    frame = pd.read_parquet(path)
    dataset = datasets.load_dataset("parquet", data_files=path, split="train", cache_dir=sys.argv[1] + ".cache")
    assert table.num_rows == len(frame) == len(dataset), path
    assert sorted(dataset.column_names) == ["doc", "metric", "model_response"], dataset.column_names
    for row in dataset:
        assert isinstance(row["doc"]["query"], str)
    total += len(dataset)
print(json.dumps({"rows": total, "tasks": sorted(results["summary_tasks"])}))
"#;
    let mut args: Vec<&Path> = vec![saved.results_path.as_path()];
    args.extend(saved.details_paths.iter().map(|p| p.as_path()));
    let output: serde_json::Value =
        serde_json::from_str(python(&py, script, &args).trim()).unwrap();
    assert_eq!(output["rows"], expected_rows);
    assert_eq!(output["tasks"].as_array().unwrap().len(), run.details.len());
}

/// McNemar's exact p, the paired t-test's p and Holm's adjustment agree with statsmodels and
/// SciPy to 1e-9 on the fixture pairs.
#[test]
fn diff_statistics_agree_with_scipy_and_statsmodels() {
    use evaldeck::stats::paired;
    let Some(py) = interop_python() else { return };
    let catalog = store::discover(&fixtures().join("lighteval-0.13")).unwrap();
    let pairs_of_runs = [
        (
            catalog
                .select(Some("model-a"), Some(&store::RunSelector::First))
                .unwrap()
                .run,
            catalog
                .select(Some("model-a"), Some(&store::RunSelector::Last))
                .unwrap()
                .run,
        ),
        (
            catalog
                .select(Some("model-a"), Some(&store::RunSelector::First))
                .unwrap()
                .run,
            catalog.select(Some("org-b/model-b"), None).unwrap().run,
        ),
    ];
    let mut cases = Vec::new();
    for (run_a, run_b) in pairs_of_runs {
        for (task, metric) in [
            ("quiz:sci|0", "acc"),
            ("quiz:lang|0", "acc_norm"),
            ("yesno|0", "acc"),
            ("phrase|3", "f1"),
            ("quiz:geo|0", "acc"),
        ] {
            let load = |run: &store::Run| -> Vec<evaldeck::model::Detail> {
                run.open_details(task)
                    .unwrap()
                    .details(256)
                    .unwrap()
                    .flat_map(|b| b.unwrap())
                    .collect()
            };
            let (a, b) = (load(run_a), load(run_b));
            let (pairs, _, _) = evaldeck::analysis::pair_samples(&a, &b);
            let va: Vec<f64> = pairs
                .iter()
                .map(|&(i, _)| a[i].metric_value(metric).unwrap())
                .collect();
            let vb: Vec<f64> = pairs
                .iter()
                .map(|&(_, j)| b[j].metric_value(metric).unwrap())
                .collect();
            cases.push((va, vb));
        }
    }
    let mut ours = Vec::new();
    for (a, b) in &cases {
        let b_count = a
            .iter()
            .zip(b)
            .filter(|(x, y)| **x == 1.0 && **y == 0.0)
            .count() as u64;
        let c_count = a
            .iter()
            .zip(b)
            .filter(|(x, y)| **x == 0.0 && **y == 1.0)
            .count() as u64;
        ours.push((
            paired::mcnemar_exact_p(b_count, c_count),
            paired::paired_t(a, b).p_value,
        ));
    }
    let mcnemar: Vec<f64> = ours.iter().map(|o| o.0).collect();
    let holm = paired::holm(&mcnemar);
    let input = serde_json::json!(
        cases
            .iter()
            .map(|(a, b)| serde_json::json!({"a": a, "b": b}))
            .collect::<Vec<_>>()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, input.to_string()).unwrap();
    let script = r#"
import sys, json, math
import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
cases = json.load(open(sys.argv[1]))
out = []
for case in cases:
    a, b = np.array(case["a"]), np.array(case["b"])
    table = [[int(((a == 1) & (b == 1)).sum()), int(((a == 1) & (b == 0)).sum())],
             [int(((a == 0) & (b == 1)).sum()), int(((a == 0) & (b == 0)).sum())]]
    p_mcnemar = float(mcnemar(table, exact=True).pvalue)
    with np.errstate(all="ignore"):
        p_t = float(stats.ttest_rel(b, a).pvalue)
    out.append([p_mcnemar, None if math.isnan(p_t) else p_t])
holm = multipletests([o[0] for o in out], method="holm")[1].tolist()
print(json.dumps({"cases": out, "holm": holm}))
"#;
    let reference: serde_json::Value =
        serde_json::from_str(python(&py, script, &[file.as_path()]).trim()).unwrap();
    let close = |ours: f64, theirs: f64| {
        (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1e-300) || ours == theirs
    };
    for (i, (p_mcnemar, p_t)) in ours.iter().enumerate() {
        let theirs = &reference["cases"][i];
        assert!(
            close(*p_mcnemar, theirs[0].as_f64().unwrap()),
            "case {i}: McNemar {p_mcnemar} vs {}",
            theirs[0]
        );
        match theirs[1].as_f64() {
            Some(t) => assert!(close(*p_t, t), "case {i}: paired t {p_t} vs {t}"),
            None => assert!(p_t.is_nan(), "case {i}: SciPy gives NaN, we give {p_t}"),
        }
        assert!(
            close(holm[i], reference["holm"][i].as_f64().unwrap()),
            "case {i}: Holm"
        );
    }
}

/// `max` and `min` (lighteval's copyright metrics) tracked from a JSON-lines file: the values are
/// Python's `max` / `min`, and their stderr is lighteval's bootstrap of them, run in Python.
#[test]
fn max_and_min_aggregations_match_lighteval_s_bootstrap() {
    let Some(py) = interop_python() else { return };
    let values: Vec<f64> = (0..37).map(|i| f64::from((i * 7919) % 101) / 4.0).collect();
    let mut lines = vec![
        r#"{"type":"run","model_name":"org/m"}"#.to_owned(),
        r#"{"type":"task","name":"copyright|0","aggregations":{"longest_common_prefix_length":"max","edit_distance":"min"}}"#.to_owned(),
    ];
    for v in &values {
        lines.push(format!(
            r#"{{"task":"copyright|0","doc":{{"query":"q{v}"}},"metric":{{"longest_common_prefix_length":{v},"edit_distance":{v}}}}}"#
        ));
    }
    let mut tracker =
        evaldeck::tracker::EvaluationTracker::new(evaldeck::tracker::TrackerOptions::new("unused"))
            .unwrap();
    evaldeck::tracker::track_lines(
        lines.join("\n").as_bytes(),
        "t.jsonl",
        &mut tracker,
        &mut |_| {},
    )
    .unwrap();
    let results = tracker.results().unwrap();
    let row = results.row("copyright|0").unwrap();
    let script = r#"
import json, math, random, sys
import numpy as np
values = json.loads(sys.argv[1])
def mean_stderr(arr):
    mu = np.mean(arr)
    return math.sqrt(sum((x - mu) ** 2 for x in arr) / (len(arr) - 1)) / math.sqrt(len(arr))
def bootstrap(fn, population):
    rnd = random.Random()
    rnd.seed(0)
    return mean_stderr([fn(rnd.choices(population, k=len(population))) for _ in range(1000)])
print(json.dumps({"max": max(values), "min": min(values), "max_stderr": bootstrap(max, values), "min_stderr": bootstrap(min, values)}))
"#;
    let arg = serde_json::to_string(&values).unwrap();
    let output = std::process::Command::new(&py)
        .args(["-c", script, &arg])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for (key, theirs) in [
        ("longest_common_prefix_length", "max"),
        ("longest_common_prefix_length_stderr", "max_stderr"),
        ("edit_distance", "min"),
        ("edit_distance_stderr", "min_stderr"),
    ] {
        let ours = row.values[key].as_f64().unwrap();
        let theirs = expected[theirs].as_f64().unwrap();
        assert!((ours - theirs).abs() <= 1e-12, "{key}: {ours} vs {theirs}");
    }
    assert!(expected["max_stderr"].as_f64().unwrap() > 0.0);
}
