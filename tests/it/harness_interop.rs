//! What evaldeck prints of Inspect and lm-eval runs, checked against the harnesses' own readers:
//! Inspect's `read_eval_log` and `value_to_float` (inspect_ai, pinned in
//! tests/interop/requirements.txt), and lm-eval's files read line by line with `json.loads`, as
//! lm-eval's own tools read them. Every sample's id, epoch and score values, and every results
//! metric, must agree.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{fixture, interop_python, python};
use serde_json::Value;

fn evaldeck_json(args: &[&str]) -> Vec<Value> {
    let out = crate::support::evaldeck_command()
        .args(args)
        .output()
        .expect("run evaldeck");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // `show --format json` prints one indented document; `samples` one object per line.
    if let Ok(document) = serde_json::from_str(&text) {
        return vec![document];
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn inspect_logs() -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(fixture("inspect-0.3.285"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eval" || e == "json"))
        .collect();
    logs.sort();
    assert_eq!(logs.len(), 5, "the fixtures are all here");
    logs
}

/// Inspect's view of a log: each sample's `id`, `epoch` and scores through `value_to_float`
/// (dict values key by key, as `scorer/key`), and each results metric under the name the issue
/// specifies: `metric`, `<main>_stderr` for a scorer's `stderr`, `<group_key>=<group>` for a
/// grouped metric, every one prefixed `scorer/` when the log has several scorers.
const INSPECT_READER: &str = r#"
import json, sys
from inspect_ai.log import read_eval_log
from inspect_ai.scorer._metric import value_to_float
to_float = value_to_float()
log = read_eval_log(sys.argv[1])
samples = []
for s in log.samples:
    scores = {}
    for name, score in (s.scores or {}).items():
        if isinstance(score.value, dict):
            for k, v in score.value.items():
                scores[f"{name}/{k}"] = to_float(v)
        else:
            scores[name] = to_float(score.value)
    samples.append({"id": s.id, "epoch": s.epoch, "scores": scores})
results = {}
several = len(log.results.scores) > 1
for score in log.results.scores:
    prefix = f"{score.name}/" if several else ""
    main = next(n for n, m in score.metrics.items() if n not in ("stderr", "bootstrap_stderr") and getattr(m, "group", None) is None)
    for name, m in score.metrics.items():
        if name == "stderr":
            key = f"{main}_stderr"
        elif getattr(m, "group", None) is not None:
            key = f"{m.params['group_key']}={name}"
        else:
            key = name
        results[prefix + key] = m.value
print(json.dumps({"task": log.eval.task, "samples": samples, "results": results}))
"#;

#[test]
fn inspect_samples_and_results_agree_with_read_eval_log() {
    let Some(py) = interop_python() else { return };
    for log in inspect_logs() {
        let expected: Value = serde_json::from_str(&python(&py, INSPECT_READER, &[&log])).unwrap();
        let task = expected["task"].as_str().unwrap();
        let ours = evaldeck_json(&["samples", log.to_str().unwrap(), "--format", "jsonl"]);
        let theirs = expected["samples"].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{}: rows", log.display());
        let key = |v: &Value| (v["id"].to_string(), v["epoch"].as_i64().unwrap());
        let ours: BTreeMap<_, &Value> = ours.iter().map(|v| (key(v), &v["scores"])).collect();
        let mut compared = 0;
        for sample in theirs {
            let scores = ours
                .get(&key(sample))
                .unwrap_or_else(|| panic!("{}: no sample {:?}", log.display(), key(sample)));
            assert_eq!(
                scores.as_object().unwrap().len(),
                sample["scores"].as_object().unwrap().len(),
                "{}: {:?}",
                log.display(),
                key(sample)
            );
            for (name, value) in sample["scores"].as_object().unwrap() {
                assert_eq!(
                    scores[name].as_f64(),
                    value.as_f64(),
                    "{} {:?} {name}",
                    log.display(),
                    key(sample)
                );
                compared += 1;
            }
        }
        assert!(compared >= 9, "{}: scores were compared", log.display());

        let shown = evaldeck_json(&["show", log.to_str().unwrap(), "--format", "json"]);
        let row = shown[0]["results"][task].as_object().unwrap();
        let theirs = expected["results"].as_object().unwrap();
        assert_eq!(
            row.len(),
            theirs.len(),
            "{}: {row:?} vs {theirs:?}",
            log.display()
        );
        for (name, value) in theirs {
            assert_eq!(
                row.get(name).and_then(Value::as_f64),
                value.as_f64(),
                "{} {name}",
                log.display()
            );
        }
        assert_eq!(shown[0]["harness"], "inspect");
    }
}

/// Inspect's `value_to_float` and evaldeck's agree on every kind of value a scorer may give.
#[test]
fn value_to_float_agrees_with_inspect() {
    let Some(py) = interop_python() else { return };
    let values = serde_json::json!([
        "C",
        "I",
        "P",
        "N",
        "c",
        "i",
        "yes",
        "YES",
        "No",
        "true",
        "False",
        "0.25",
        " 3 ",
        "-1e1",
        "1_000",
        "1__0",
        "_1",
        "nan",
        "inf",
        "-inf",
        "1e999",
        "maybe",
        "",
        ".5",
        "5.",
        "+2",
        true,
        false,
        0,
        1,
        7,
        -2,
        0.5,
        null,
        [1, 2]
    ]);
    let script = r#"
import json, sys, logging
logging.disable(logging.WARNING)
from inspect_ai.scorer._metric import value_to_float
to_float = value_to_float()
print(json.dumps([to_float(v) for v in json.loads(sys.argv[1])]))
"#;
    let text = values.to_string();
    let theirs: Vec<f64> =
        serde_json::from_str(&support::python_env(&py, script, &[&text], &[])).unwrap();
    let ours: Vec<f64> = match evaldeck::model::pyjson::parse(&text).unwrap() {
        evaldeck::model::Json::Array(items) => items
            .iter()
            .map(evaldeck::source::inspect::value_to_float)
            .collect(),
        _ => unreachable!(),
    };
    assert_eq!(ours.len(), 35);
    for ((value, a), b) in values.as_array().unwrap().iter().zip(&ours).zip(&theirs) {
        assert_eq!(a, b, "value_to_float({value})");
    }
}

/// lm-eval's files read as lm-eval reads them: each `metric,filter` of `results` and its
/// `_stderr` twin, and each samples line's `doc_id`, `filter`, metric values, target and hashes.
const LM_EVAL_READER: &str = r#"
import glob, json, os, sys
folder, date = sys.argv[1], sys.argv[2]
results = json.load(open(os.path.join(folder, f"results_{date}.json")))
rows = {}
for task, entry in results["results"].items():
    row = {}
    for key, value in entry.items():
        if "," not in key:
            continue
        metric, filt = key.split(",", 1)
        base, stderr = (metric[:-7], True) if metric.endswith("_stderr") else (metric, False)
        name = base if filt == "none" else f"{base},{filt}"
        row[name + ("_stderr" if stderr else "")] = None if value == "N/A" else value
    rows[task] = row
samples = {}
for path in sorted(glob.glob(os.path.join(folder, f"samples_*_{date}.jsonl"))):
    task = os.path.basename(path)[len("samples_"):-len(f"_{date}.jsonl")]
    lines = []
    for line in open(path):
        if not line.strip():
            continue
        d = json.loads(line)
        lines.append({
            "doc_id": d["doc_id"], "filter": d["filter"], "target": d["target"],
            "scores": {m: d[m] for m in d["metrics"]},
            "doc_hash": d["doc_hash"], "prompt_hash": d["prompt_hash"], "target_hash": d["target_hash"],
        })
    samples[task] = lines
print(json.dumps({"results": rows, "groups": list(results.get("group_subtasks", {})), "samples": samples}))
"#;

#[test]
fn lm_eval_results_and_samples_agree_with_json_loads() {
    let Some(py) = interop_python() else { return };
    let folder = fixture("lm-eval-0.4.13/fixture-org__dummy-lm");
    for date in ["2026-11-30T02-37-30.831220", "2026-11-30T02-37-47.075346"] {
        let expected: Value =
            serde_json::from_str(&python(&py, LM_EVAL_READER, &[&folder, Path::new(date)]))
                .unwrap();
        let source = fixture("lm-eval-0.4.13");
        let source = source.to_str().unwrap();
        let shown = evaldeck_json(&["show", source, "--run", date, "--format", "json"]);
        let shown = &shown[0];
        assert_eq!(shown["harness"], "lm-eval");
        assert_eq!(shown["results"].as_object().unwrap().len(), 5);
        for (task, row) in expected["results"].as_object().unwrap() {
            assert_eq!(&shown["results"][task], row, "{date} {task}");
        }
        assert_eq!(shown["derived_rows"], expected["groups"]);

        let mut lines = 0;
        for (task, theirs) in expected["samples"].as_object().unwrap() {
            let ours = evaldeck_json(&[
                "samples", source, "--run", date, "--task", task, "--format", "jsonl",
            ]);
            let theirs = theirs.as_array().unwrap();
            assert_eq!(ours.len(), theirs.len(), "{task}");
            for (a, b) in ours.iter().zip(theirs) {
                for key in ["doc_id", "filter", "doc_hash", "prompt_hash", "target_hash"] {
                    assert_eq!(a[key], b[key], "{task} {key}");
                }
                assert_eq!(
                    a["raw_target"], b["target"],
                    "{task}: lm-eval's own target kept"
                );
                assert_eq!(a["scores"], b["scores"], "{task} scores");
                let id = match b["filter"].as_str().unwrap() {
                    "none" => b["doc_id"].to_string(),
                    filter => format!("{}/{filter}", b["doc_id"]),
                };
                assert_eq!(a["id"], id.as_str());
                lines += 1;
            }
        }
        assert_eq!(lines, 36, "10 + 16 + 6 + 4 lines");
    }
}

/// `--cluster-by`: each run's clustered standard error equals the `stderr(cluster="category")`
/// Inspect stored in the log (read by Inspect's own reader) and a direct computation; the paired
/// Δ's clustered standard error and its t test on C − 1 degrees of freedom equal the same
/// computation with SciPy's t distribution.
#[test]
fn clustered_standard_errors_agree_with_inspect_and_scipy() {
    let Some(py) = interop_python() else { return };
    let logs: Vec<PathBuf> = inspect_logs()
        .into_iter()
        .filter(|p| p.to_str().unwrap().contains("mc-quiz"))
        .collect();
    assert_eq!(logs.len(), 3);
    let script = r#"
import json, sys
import numpy as np
from scipy import stats
from inspect_ai.log import read_eval_log
from inspect_ai.scorer._metric import value_to_float
to_float = value_to_float()
def per_sample(path):
    log = read_eval_log(path)
    by_id = {}
    for s in log.samples:
        by_id.setdefault(s.id, {"values": [], "cluster": s.metadata["category"]})["values"].append(to_float(s.scores["choice"].value))
    stored = log.results.scores[0].metrics["stderr"].value
    return {i: (float(np.mean(v["values"])), v["cluster"]) for i, v in by_id.items()}, stored
def clustered(values, clusters):
    values = np.asarray(values); mean = values.mean(); groups = {}
    for v, c in zip(values, clusters):
        groups[c] = groups.get(c, 0.0) + (v - mean)
    C = len(groups)
    return float(np.sqrt(sum(g * g for g in groups.values()) * C / (C - 1)) / len(values)), C
out = {"runs": [], "pairs": []}
runs = [per_sample(p) for p in sys.argv[1:]]
for samples, stored in runs:
    se, _ = clustered([v for v, _ in samples.values()], [c for _, c in samples.values()])
    out["runs"].append({"stored": stored, "direct": se})
a = runs[0][0]
for b, _ in runs[1:]:
    ids = [i for i in a if i in b]
    diffs = [b[i][0] - a[i][0] for i in ids]
    se, C = clustered(diffs, [a[i][1] for i in ids])
    delta = float(np.mean(diffs))
    # The same answers twice (the .json log is run 1 again): no difference at all.
    p = float(2 * stats.t.sf(abs(delta / se), C - 1)) if se > 0 else (1.0 if delta == 0 else 0.0)
    out["pairs"].append({"delta": delta, "se": se, "p": p})
print(json.dumps(out))
"#;
    let args: Vec<&Path> = logs.iter().map(PathBuf::as_path).collect();
    let expected: Value = serde_json::from_str(&python(&py, script, &args)).unwrap();
    for (log, reference) in logs.iter().zip(expected["runs"].as_array().unwrap()) {
        let shown = evaldeck_json(&[
            "show",
            log.to_str().unwrap(),
            "--cluster-by",
            "metadata.category",
            "--format",
            "json",
        ]);
        let ours = shown[0]["clustered_stderr"][0]["stderr"].as_f64().unwrap();
        for key in ["stored", "direct"] {
            let theirs = reference[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() < 1e-12,
                "{}: {key} {theirs} vs {ours}",
                log.display()
            );
        }
    }
    for (b, reference) in logs[1..].iter().zip(expected["pairs"].as_array().unwrap()) {
        let diff = evaldeck_json(&[
            "diff",
            logs[0].to_str().unwrap(),
            b.to_str().unwrap(),
            "--cluster-by",
            "metadata.category",
            "--format",
            "json",
        ]);
        let row = diff[0]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metric"] == "accuracy")
            .unwrap()
            .clone();
        assert_eq!(row["test"], "clustered_t", "{row}");
        for (ours, theirs) in [("delta", "delta"), ("se", "se"), ("p_value", "p")] {
            let (x, y) = (
                row[ours].as_f64().unwrap(),
                reference[theirs].as_f64().unwrap(),
            );
            assert!((x - y).abs() < 1e-9, "{}: {ours} {x} vs {y}", b.display());
        }
    }
}

/// Log schema 1 (Inspect before July 2024: one `results.scorer`, `results.metrics`, a sample's
/// `score`), made here from the schema 2 fixture by undoing Inspect's own migration. Inspect's
/// `read_eval_log` reads it back (migrating it), and evaldeck reads the same results and
/// per-sample scores from it as from the schema 2 log.
#[test]
fn a_schema_1_log_reads_as_inspect_reads_it() {
    let Some(py) = interop_python() else { return };
    let v2 =
        fixture("inspect-0.3.285/2026-11-30T02-36-22-00-00_mc-quiz_kBNmHarArPJcBGciwTYjsa.json");
    let dir = tempfile::tempdir().unwrap();
    let v1 = dir.path().join("2024-06-01T10-00-00+00-00_mc-quiz_v1.json");
    let inspect_says = python(
        &py,
        r#"
import json, sys
from inspect_ai.log import read_eval_log
doc = json.load(open(sys.argv[1]))
assert len(doc["results"]["scores"]) == 1
score = doc["results"].pop("scores")[0]
metrics = score.pop("metrics")
doc["results"]["scorer"] = score
doc["results"]["metrics"] = metrics
for sample in doc["samples"]:
    sample["score"] = sample.pop("scores")[score["name"]]
doc["version"] = 1
json.dump(doc, open(sys.argv[2], "w"))
log = read_eval_log(sys.argv[2])
print(json.dumps({
    "metrics": {k: m.value for k, m in log.results.scores[0].metrics.items()},
    "samples": [[s.id, s.epoch, s.scores[log.results.scores[0].name].value] for s in log.samples],
}))
"#,
        &[&v2, &v1],
    );
    let inspect: Value = serde_json::from_str(inspect_says.trim()).unwrap();
    let show = |path: &Path| {
        evaldeck_json(&["show", &path.to_string_lossy(), "--format", "json"]).remove(0)["results"]
            .clone()
    };
    let (from_v1, from_v2) = (show(&v1), show(&v2));
    assert_eq!(from_v1, from_v2, "schema 1 reads as schema 2");
    let row = from_v1
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    for (metric, value) in inspect["metrics"].as_object().unwrap() {
        if metric == "stderr" {
            continue;
        }
        let shown = row
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k == &metric || k.ends_with(&format!("={metric}")))
            .map(|(_, v)| v.clone());
        assert_eq!(shown.as_ref(), Some(value), "{metric}");
    }
    let samples = |path: &Path| -> Vec<Value> {
        evaldeck_json(&["samples", &path.to_string_lossy(), "--format", "jsonl"])
            .into_iter()
            .map(|s| serde_json::json!([s["id"], s["epoch"], s["scores"]]))
            .collect()
    };
    let v1_rows = samples(&v1);
    assert_eq!(v1_rows, samples(&v2));
    assert_eq!(
        v1_rows.len(),
        inspect["samples"].as_array().unwrap().len(),
        "every sample, as read_eval_log reads them"
    );
    assert!(
        v1_rows
            .iter()
            .all(|r| !r[2].as_object().unwrap().is_empty()),
        "scores read"
    );
}
