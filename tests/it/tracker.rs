//! The tracker end to end: tracking input, save, the layout and files it writes, and bad input.

use crate::support;

use std::path::Path;

use crate::support::fixture;
use evaldeck::model::pyjson;
use evaldeck::model::{Json, Map};
use evaldeck::store;
use evaldeck::tracker::{
    self, EvaluationTracker, TaskDeclaration, TrackerError, TrackerOptions, track_lines,
};

const TRACKING: &str = r#"{"type":"run","model_name":"org/tiny","model_config":{"seed":1},"job_id":"7"}
{"type":"task","name":"quiz:geo|0","version":1,"aggregations":{"acc":"mean"}}
{"type":"task","name":"yesno|0","aggregations":{"mcc":"MatthewsCorrCoef()"}}
{"task":"quiz:geo|0","doc":{"query":"Capital of France?","choices":["Paris","Rome"],"gold_index":0},"model_response":{"logprobs":[-0.1,-2.0],"input_tokens":[[1,2,3]],"truncated_tokens_count":2},"metric":{"acc":1}}
{"task":"quiz:geo|0","doc":{"query":"Capital of Italy?","choices":["Paris","Rome"],"gold_index":1},"model_response":{"logprobs":[-0.1,-2.0]},"metric":{"acc":0}}
{"task":"yesno|0","doc":{"query":"Is water wet?"},"metric":{"mcc":{"golds":[1],"preds":1}}}
{"task":"yesno|0","doc":{"query":"Is fire cold?"},"metric":{"mcc":{"golds":[0],"preds":0}}}
{"task":"yesno|0","doc":{"query":"Is ice cold?"},"metric":{"mcc":{"golds":[1],"preds":0}}}
"#;

fn track(text: &str, output: &Path) -> Result<EvaluationTracker, TrackerError> {
    let mut tracker = EvaluationTracker::new(TrackerOptions::new(output))?;
    track_lines(text.as_bytes(), "test.jsonl", &mut tracker, &mut |_| {})?;
    Ok(tracker)
}

#[test]
fn a_tracking_stream_is_saved_in_lighteval_s_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = track(TRACKING, dir.path()).unwrap();
    let saved = tracker.save().unwrap();
    let date = &saved.date_id;
    assert_eq!(
        saved.results_path,
        dir.path()
            .join(format!("results/org/tiny/results_{date}.json"))
    );
    assert!(
        dir.path()
            .join(format!(
                "details/org/tiny/{date}/details_quiz:geo|0_{date}.parquet"
            ))
            .is_file()
    );
    assert!(date.len() >= 19 && !date.contains(':'), "{date}");

    // Everything reads back through the same readers as lighteval's files.
    let catalog = store::discover(dir.path()).unwrap();
    let run = catalog.select(None, None).unwrap().run;
    let results = run.load_results().unwrap();
    assert_eq!(results.general().model_name(), Some("org/tiny"));
    assert_eq!(results.general().job_id().as_deref(), Some("7"));
    assert_eq!(results.task_version("quiz:geo|0"), Some(1));
    assert_eq!(
        results
            .task_config("quiz:geo|0")
            .unwrap()
            .effective_num_docs(),
        Some(2)
    );
    let geo = results.row("quiz:geo|0").unwrap().metrics();
    assert_eq!((geo[0].value, geo[0].stderr), (Some(0.5), Some(0.5)));
    // MCC of golds [1, 0, 1] and preds [1, 0, 0]: 0.5.
    let mcc = results.row("yesno|0").unwrap().metrics()[0].value.unwrap();
    assert!((mcc - 0.5).abs() < 1e-15, "{mcc}");
    assert!(results.row("all").is_some());
    // Truncation is counted from the real token counts (lighteval 0.13 leaves it at 0).
    assert_eq!(
        results
            .task_summary("quiz:geo|0")
            .unwrap()
            .count("truncated"),
        Some(1)
    );
    assert_eq!(
        results
            .task_summary("quiz:geo|0")
            .unwrap()
            .hashes()
            .hash_full_prompts,
        "ef46db3751d8e999"
    );

    let file = run.open_details("quiz:geo|0").unwrap();
    let rows: Vec<_> = file.details(10).unwrap().flat_map(|b| b.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].doc.query, "Capital of France?");
    assert_eq!(rows[0].model_response.logprobs, [-0.1, -2.0]);

    // A saved run is never overwritten.
    assert!(matches!(tracker.save(), Err(TrackerError::RunExists(_))));
}

#[test]
fn every_0_13_details_file_survives_a_write_and_read() {
    let files = support::files_with_suffix(&fixture("lighteval-0.13"), ".parquet");
    assert_eq!(files.len(), 21, "3 runs × 7 tasks");
    for path in files {
        let original = store::DetailsFile::open(&path).unwrap();
        let rows: Vec<Map> = original
            .batches(None, 100)
            .unwrap()
            .flat_map(|b| store::rows_of(&b.unwrap()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("details_t|0_2026-01-01T00-00-00.parquet");
        store::write_details(&copy, &rows).unwrap();
        let again: Vec<Map> = store::DetailsFile::open(&copy)
            .unwrap()
            .batches(None, 100)
            .unwrap()
            .flat_map(|b| store::rows_of(&b.unwrap()))
            .collect();
        let text = |rows: &[Map]| {
            rows.iter()
                .map(|r| {
                    pyjson::to_string(
                        &Json::Object(r.clone()),
                        pyjson::WriteOptions::PYTHON_INDENT2,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(text(&again), text(&rows), "{}", path.display());
    }
}

#[test]
fn final_dict_preview_template_and_load_details() {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = track(TRACKING, dir.path()).unwrap();
    let final_dict = tracker.generate_final_dict().unwrap();
    assert!(
        final_dict
            .get("results")
            .unwrap()
            .get("quiz:geo:0")
            .is_some()
    );
    let preview = tracker.preview_outputs();
    assert!(
        preview.contains("quiz:geo|0") && preview.contains("'acc': 1"),
        "{preview}"
    );

    tracker.options.results_path_template = Some("{output_dir}/custom/{org}_{model}".into());
    let saved = tracker.save().unwrap();
    assert_eq!(
        saved.results_path.parent().unwrap(),
        dir.path().join("custom/org_tiny")
    );

    let loaded = tracker::load_details(dir.path(), "org/tiny", "last", &["quiz:geo"]).unwrap();
    assert_eq!(loaded.keys().collect::<Vec<_>>(), ["quiz:geo|0"]);
    assert_eq!(loaded["quiz:geo|0"].len(), 2);
    let err = tracker::load_details(dir.path(), "org/tiny", "first", &["nope"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope"), "{err}");
    let err = tracker::load_details(dir.path(), "org/other", "last", &["quiz:geo"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn nan_metrics_aggregate_to_nan_not_a_crash() {
    let text = r#"{"type":"run","model_name":"m"}
{"task":"summ|0","doc":{"query":"a"},"metric":{"len_ratio":NaN,"rouge1":0.5}}
{"task":"summ|0","doc":{"query":"b"},"metric":{"len_ratio":1.0,"rouge1":0.25}}
"#;
    let dir = tempfile::tempdir().unwrap();
    let tracker = track(text, dir.path()).unwrap();
    let results = tracker.results().unwrap();
    let row = results.row("summ|0").unwrap().metrics();
    assert!(row[0].value.unwrap().is_nan() && row[0].stderr.unwrap().is_nan());
    assert_eq!(row[1].value, Some(0.375));
}

/// Each bad input is a clear error that names its line, and nothing is written.
#[test]
fn bad_tracking_input() {
    let run = r#"{"type":"run","model_name":"m"}"#;
    let cases: &[(&str, &str)] = &[
        (
            "{\"type\":\"task\",\"name\":\"t|0\"}\n{\"type\":\"task\",\"name\":\"t|0\"}",
            "line 3: task `t|0` is declared twice",
        ),
        (
            "{\"type\":\"task\",\"name\":\"t|0\",\"aggregations\":{\"chrf\":\"CorpusLevelTranslationMetric(chrf)\"}}",
            "line 2: task `t|0`, metric `chrf`: unknown aggregation",
        ),
        (
            "{\"type\":\"task\",\"name\":\"t|0\",\"aggregations\":{\"mcc\":\"MatthewsCorrCoef()\"}}\n{\"task\":\"t|0\",\"doc\":{},\"metric\":{\"mcc\":1}}",
            "line 3: task `t|0`, metric `mcc`: sample 0",
        ),
        (
            "{\"task\":\"t|0\",\"doc\":{},\"metric\":{\"acc\":\"yes\"}}",
            "line 2: task `t|0`, metric `acc`: sample 0: \"yes\" is not a valid input for mean",
        ),
        (
            "{\"task\":\"t|0\",\"doc\":{},\"metric\":{\"acc\":1}",
            "line 2: invalid JSON",
        ),
        (
            "{\"task\":\"../../etc|0\",\"doc\":{},\"metric\":{\"acc\":1}}",
            "line 2: task name `../../etc|0` cannot be used in a path",
        ),
        ("[1, 2]", "line 2: a record is a JSON object"),
        ("{\"type\":\"weird\"}", "line 2: unknown record type"),
        (
            "{\"task\":\"t|0\",\"metric\":{\"acc\":1}}",
            "line 2: `doc` is missing",
        ),
    ];
    for (lines, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let err = track(&format!("{run}\n{lines}\n"), &out)
            .err()
            .unwrap_or_else(|| panic!("no error for {lines}"))
            .to_string();
        assert!(
            err.contains("test.jsonl") && err.contains(expected),
            "{err}\n  expected: {expected}"
        );
        assert!(!out.exists(), "nothing written for {lines}");
    }
    let err = track(
        "{\"type\":\"run\",\"model_name\":\"../up\"}\n",
        Path::new("x"),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("line 1") && err.contains("`..`"), "{err}");
}

#[test]
fn an_empty_task_and_a_missing_org_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = EvaluationTracker::new(TrackerOptions::new(dir.path().join("out"))).unwrap();
    tracker.general.log_model_info("m", Map::new());
    tracker
        .declare_task(TaskDeclaration::new("empty|0"))
        .unwrap();
    let mut metric = Map::new();
    metric.insert("acc".into(), Json::Int(1));
    tracker
        .log("other|0", Map::new(), Map::new(), metric)
        .unwrap();
    assert!(matches!(tracker.save(), Err(TrackerError::EmptyTask(t)) if t == "empty|0"));
    assert!(!dir.path().join("out").exists(), "nothing half-written");

    let mut options = TrackerOptions::new("out");
    options.push_to_hub = true;
    assert!(matches!(
        EvaluationTracker::new(options.clone()),
        Err(TrackerError::MissingHubOrg)
    ));
    options.hub_results_org = Some("org".into());
    options.results_path_template = Some("{output_dir}/{nope}".into());
    let err = EvaluationTracker::new(options).unwrap_err().to_string();
    assert!(err.contains("{nope}"), "{err}");
}

#[test]
fn the_cli_saves_a_tracking_file_and_re_saves_a_stored_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("run.jsonl");
    std::fs::write(&input, TRACKING).unwrap();
    let out_dir = dir.path().join("out");
    let output = crate::support::evaldeck_command()
        .args([
            input.to_str().unwrap(),
            "--save",
            "--output-dir",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        printed.lines().count(),
        3,
        "results + two details files: {printed}"
    );
    assert!(Path::new(printed.lines().next().unwrap()).is_file());

    // A stored run is re-tracked from its details with its config's aggregations.
    let output = crate::support::evaldeck_command()
        .args([
            fixture("lighteval-0.13/results/org-b/model-b/results_2026-11-23T21-41-57.557004.json")
                .to_str()
                .unwrap(),
            "--save",
            "--output-dir",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    // translate|0 aggregates with sacrebleu's chrF and TER, which evaldeck computes: the re-saved
    // run holds lighteval's numbers.
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let resaved =
        evaldeck::store::read_results(Path::new(printed.lines().next().unwrap())).unwrap();
    let stored = evaldeck::store::read_results(&fixture(
        "lighteval-0.13/results/org-b/model-b/results_2026-11-23T21-41-57.557004.json",
    ))
    .unwrap();
    for key in ["chrf", "chrf_stderr", "ter", "ter_stderr"] {
        let value =
            |r: &evaldeck::model::ResultsFile| r.row("translate|0").unwrap().values[key].as_f64();
        assert_eq!(value(&resaved), value(&stored), "{key}");
    }

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"type\":\"run\",\"model_name\":\"m\"}\n{oops}\n").unwrap();
    let output = crate::support::evaldeck_command()
        .args([
            bad.to_str().unwrap(),
            "--save",
            "--output-dir",
            dir.path().join("never").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.jsonl, line 2"));
    assert!(!dir.path().join("never").exists());
}

/// kill -9 in the middle of a save leaves no run or a whole one: never a results file without
/// its details, never a visible half-written details folder.
#[test]
fn a_save_killed_midway_leaves_the_old_state_or_the_new_one() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    writeln!(file, r#"{{"type":"run","model_name":"org/big"}}"#).unwrap();
    for i in 0..60_000 {
        writeln!(file, r#"{{"task":"t{}|0","doc":{{"id":"{i}","query":"question number {i} with some text"}},"metric":{{"acc":{}}}}}"#, i % 3, i % 2).unwrap();
    }
    drop(file);
    /// When to kill: after a delay, or as soon as the save has begun writing (a hidden staging
    /// folder or temporary file exists), which is mid-save whatever the machine's speed.
    enum Kill {
        After(u64),
        OnceWriting,
    }
    let hidden = |p: &Path, root: &Path| {
        p.strip_prefix(root)
            .unwrap()
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    };
    let mut states: std::collections::BTreeMap<&str, usize> = Default::default();
    let attempts = [
        Kill::After(50),
        Kill::OnceWriting,
        Kill::After(300),
        Kill::OnceWriting,
        Kill::After(900),
        Kill::After(1500),
        Kill::After(3000),
    ];
    for (attempt, kill) in attempts.into_iter().enumerate() {
        let out = dir.path().join(format!("out{attempt}"));
        let mut child = crate::support::evaldeck_command()
            .args([
                input.to_str().unwrap(),
                "--save",
                "--output-dir",
                out.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        match kill {
            Kill::After(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
            Kill::OnceWriting => {
                let started = std::time::Instant::now();
                while !walk_all(&out).iter().any(|p| hidden(p, &out))
                    && started.elapsed() < std::time::Duration::from_secs(60)
                {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
            }
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let files = walk(&out);
        let visible: Vec<_> = files.iter().filter(|p| !hidden(p, &out)).collect();
        let results: Vec<_> = visible
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        let visible_details: Vec<_> = visible
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .collect();
        // Whatever the moment, nothing visible is half-written: temporary files are hidden.
        assert!(
            visible
                .iter()
                .all(|p| !p.to_string_lossy().ends_with(".tmp")),
            "attempt {attempt}: a visible temporary file {visible:?}"
        );
        // A staging folder may hold no file yet: hidden folders count as begun writing too.
        let staged = walk_all(&out).iter().any(|p| hidden(p, &out));
        let state = match (results.len(), visible_details.len(), staged) {
            (0, 0, false) => "nothing written",
            // Killed while writing: only hidden staging is there, and no run is visible.
            (0, 0, true) => {
                let runs = store::discover(&out).map(|c| c.runs().count()).unwrap_or(0);
                assert_eq!(runs, 0, "attempt {attempt}: {files:?}");
                "hidden staging only"
            }
            // Killed between the details and the results file (lighteval's order too): the
            // details are whole.
            (0, _, _) => {
                let catalog = store::discover(&out).unwrap();
                for run in catalog.runs() {
                    assert_eq!(run.details.len(), 3, "attempt {attempt}");
                    for (task, _) in &run.details {
                        assert_eq!(run.open_details(task).unwrap().num_rows(), 20_000);
                    }
                }
                "details without results"
            }
            // Finished: the whole run reads back.
            _ => {
                let catalog = store::discover(&out).unwrap();
                let run = catalog.select(None, None).unwrap().run;
                assert_eq!(run.details.len(), 3);
                assert!(run.load_results().is_ok());
                for (task, _) in &run.details {
                    assert_eq!(run.open_details(task).unwrap().num_rows(), 20_000);
                }
                "finished"
            }
        };
        *states.entry(state).or_default() += 1;
    }
    // The kills must have landed mid-save at least once, or the test shows nothing.
    assert!(
        states.get("hidden staging only").copied().unwrap_or(0) >= 1,
        "no kill landed mid-save: {states:?}"
    );
}

/// Every file and folder below `dir`.
fn walk_all(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk_all(&path));
        }
        found.push(path);
    }
    found
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    walk_all(dir).into_iter().filter(|p| !p.is_dir()).collect()
}
