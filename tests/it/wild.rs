//! The wild set: 54 files that other people wrote with lighteval, lm-evaluation-harness and
//! Inspect AI, of many versions (`../shared/fixtures/wild/`, never copied here). Every
//! results-bearing file, samples file and log must read right: the expected values come from the
//! files themselves, read by `tests/interop/wild_expected.py` with Python's `json`, pyarrow and
//! Inspect's own `read_eval_log`. Without `../shared`, the test says it did not run (and fails
//! under `EVALDECK_REQUIRE_INTEROP=1`, as CI sets).

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn wild_dir() -> Option<PathBuf> {
    support::shared("fixtures/wild", "WILD SET")
}

fn evaldeck(args: &[&str]) -> std::process::Output {
    crate::support::evaldeck_command()
        .args(args)
        .env("NO_COLOR", "1")
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .expect("run evaldeck")
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn is_junk(name: &str) -> bool {
    name.trim().is_empty()
        || name.ends_with(",none")
        || name.ends_with(",none_stderr")
        || ["alias", "name", "sample_len", "sample_count"].contains(&name)
}

/// `show FILE --format json`, or why not.
fn show(file: &Path) -> Result<Value, String> {
    let out = evaldeck(&["show", &file.to_string_lossy(), "--format", "json"]);
    if !out.status.success() {
        return Err(format!(
            "show failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("show printed no JSON: {e}"))
}

/// How many lines `samples FILE --format jsonl` prints, with no `--task`: one file is its task.
fn sample_lines(file: &Path) -> Result<usize, String> {
    let out = evaldeck(&["samples", &file.to_string_lossy(), "--format", "jsonl"]);
    if !out.status.success() {
        return Err(format!(
            "samples failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| e.to_string())?;
    for line in text.lines() {
        serde_json::from_str::<Value>(line).map_err(|e| format!("a line is not JSON: {e}"))?;
    }
    Ok(text.lines().filter(|l| !l.trim().is_empty()).count())
}

fn check_results(file: &Path, want: &Value, problems: &mut Vec<String>) {
    let got = match show(file) {
        Ok(got) => got,
        Err(why) => return problems.push(why),
    };
    let harness = want["harness"].as_str().unwrap();
    if got["harness"] != want["harness"] {
        problems.push(format!("harness {}, expected {harness}", got["harness"]));
    }
    let results = got["results"].as_object().cloned().unwrap_or_default();
    let junk: Vec<&String> = results
        .values()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys())
        .filter(|k| is_junk(k))
        .collect();
    if !junk.is_empty() {
        problems.push(format!("junk metric names {junk:?}"));
    }
    let derived: BTreeSet<&str> = got["derived_rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for plain in want["plain"].as_array().into_iter().flatten() {
        if derived.contains(plain.as_str().unwrap()) {
            problems.push(format!("plain task {plain} shown as a derived group row"));
        }
    }
    if let Some(groups) = want["groups"].as_array() {
        let groups: BTreeSet<&str> = groups.iter().filter_map(Value::as_str).collect();
        if groups != derived {
            problems.push(format!(
                "derived rows {derived:?}, the file's groups {groups:?}"
            ));
        }
    }
    if harness == "inspect" {
        let have: Vec<f64> = results
            .values()
            .filter_map(Value::as_object)
            .flat_map(|m| m.values())
            .filter_map(Value::as_f64)
            .collect();
        for value in want["all_values"].as_array().into_iter().flatten() {
            let value = value.as_f64().unwrap();
            if !have.iter().any(|h| close(*h, value)) {
                problems.push(format!("value {value} of the log is not shown"));
            }
        }
        return;
    }
    for (task, values) in want["values"].as_object().unwrap() {
        let Some(row) = results.get(task).and_then(Value::as_object) else {
            problems.push(format!("task {task} missing"));
            continue;
        };
        for (metric, value) in values.as_object().unwrap() {
            let value = value.as_f64().unwrap();
            match row.get(metric).and_then(Value::as_f64) {
                Some(have) if close(have, value) => {}
                other => problems.push(format!("{task} {metric}: {other:?}, the file has {value}")),
            }
        }
    }
}

#[test]
fn every_wild_file_reads_right() {
    let Some(wild) = wild_dir() else { return };
    let Some(python) = support::interop_python() else {
        return;
    };
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/wild_expected.py"),
    )
    .unwrap();
    let expected = support::python(&python, &script, &[&wild]);
    let mut total = 0;
    let mut right = 0;
    let mut report = Vec::new();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for line in expected.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let rel = want["file"].as_str().unwrap();
        let kind = want["kind"].as_str().unwrap();
        let file = wild.join(rel);
        let mut problems = Vec::new();
        match kind {
            "results" => {
                check_results(&file, &want, &mut problems);
                if let Some(samples) = want["samples"].as_u64() {
                    match sample_lines(&file) {
                        Ok(n) if n as u64 == samples => {}
                        Ok(n) => problems.push(format!(
                            "samples: {n} lines, read_eval_log has {samples} samples"
                        )),
                        Err(why) => problems.push(why),
                    }
                }
            }
            "samples" | "details" => {
                let want_lines = want["samples"].as_u64().or(want["rows"].as_u64()).unwrap();
                match sample_lines(&file) {
                    Ok(n) if n as u64 == want_lines => {}
                    Ok(n) => problems.push(format!("{n} lines, the file has {want_lines} rows")),
                    Err(why) => problems.push(why),
                }
            }
            // A manifest is never a run and never an error: its folder opens without a warning
            // about it.
            "manifest" => {
                let folder = file.parent().unwrap();
                let out = evaldeck(&["runs", &folder.to_string_lossy(), "--format", "json"]);
                let stderr = String::from_utf8_lossy(&out.stderr);
                let name = file.file_name().unwrap().to_string_lossy();
                if !out.status.success() || stderr.contains(name.as_ref()) {
                    problems.push(format!("its folder reads with: {}", stderr.trim()));
                }
            }
            _ => problems.push("no harness's reader claims it (expected script)".into()),
        }
        total += 1;
        *kinds.entry(kind.to_owned()).or_default() += 1;
        if problems.is_empty() {
            right += 1;
        } else {
            report.push(format!("{rel}: {}", problems.join("; ")));
        }
    }
    println!("wild: {right}/{total} files read right ({kinds:?})");
    assert!(total >= 54, "the wild set shrank: {total} files");
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// The whole set as one folder: every run of every harness is found, and no file is skipped.
#[test]
fn the_wild_folder_opens_with_no_file_skipped() {
    let Some(wild) = wild_dir() else { return };
    let out = evaldeck(&["runs", &wild.to_string_lossy(), "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("skipped"), "{stderr}");
    let runs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let by_harness = |h: &str| runs.iter().filter(|r| r["harness"] == h).count();
    // 5 lighteval runs, 15 lm-eval runs (one per results file; each samples file sits beside
    // its results), 17 Inspect logs with samples or results, each its own run.
    assert!(by_harness("lighteval") >= 5, "{runs:?}");
    assert!(by_harness("lm-eval") >= 15, "{runs:?}");
    assert!(by_harness("inspect") >= 15, "{runs:?}");
}
