//! Inspect AI and lm-evaluation-harness runs, read from files the real harnesses wrote
//! (`tests/fixtures/inspect-0.3.285`, `tests/fixtures/lm-eval-0.4.13`). Expected numbers come from
//! those files' READMEs, which record what the harnesses themselves computed; the interop tests
//! (`tests/harness_interop.rs`) check every value against the harnesses' own readers.

use crate::support;

use crate::support::{evaldeck, fixture};
use evaldeck::model::Json;
use evaldeck::source::{Source, log_formats};
use evaldeck::store::{self, Catalog, Harness, Run, StoreError};

fn open(path: &std::path::Path) -> Catalog {
    store::discover_with(path, &log_formats()).unwrap_or_else(|e| panic!("{e}"))
}

fn open_error(path: &std::path::Path) -> StoreError {
    store::discover_with(path, &log_formats())
        .and_then(|catalog| {
            // Opening succeeded: the error must come when the run is read.
            let run = catalog.runs().next().expect("a run").clone();
            run.load_results()?;
            for (task, _) in &run.details {
                for batch in run.open_details(task)?.details(64)? {
                    batch?;
                }
            }
            Ok(catalog)
        })
        .map(|_| ())
        .unwrap_err()
}

fn inspect_log(name: &str) -> std::path::PathBuf {
    let dir = fixture("inspect-0.3.285");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().contains(name))
        .unwrap_or_else(|| panic!("no log {name}"))
}

fn metric(run: &Run, task: &str, name: &str) -> (Option<f64>, Option<f64>) {
    let results = run.load_results().unwrap();
    let row = results.row(task).unwrap_or_else(|| panic!("no row {task}"));
    let found = row
        .metrics()
        .into_iter()
        .find(|m| m.metric == name)
        .unwrap_or_else(|| panic!("no metric {name} in {task}"));
    (found.value, found.stderr)
}

/// The value at a path of object keys (`Null` when absent).
fn at<'a>(json: &'a Json, path: &[&str]) -> &'a Json {
    static NULL: Json = Json::Null;
    path.iter().fold(json, |j, key| j.get(key).unwrap_or(&NULL))
}

fn at_map<'a>(map: &'a evaldeck::model::Map, path: &[&str]) -> &'a Json {
    static NULL: Json = Json::Null;
    match map.get(path[0]) {
        Some(first) => at(first, &path[1..]),
        None => &NULL,
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 5e-5)
}

#[test]
fn a_folder_of_inspect_logs_gives_one_run_per_eval_call() {
    let catalog = open(&fixture("inspect-0.3.285"));
    let runs: Vec<&Run> = catalog.runs().collect();
    assert_eq!(runs.len(), 5, "five logs, five run ids");
    assert!(runs.iter().all(|r| r.harness == Harness::Inspect));
    assert!(runs.iter().all(|r| r.model == "mockllm/model"));
    let mut dates: Vec<&str> = runs.iter().map(|r| r.date_id.as_str()).collect();
    dates.dedup();
    assert_eq!(
        dates.len(),
        5,
        "two logs created in the same second keep apart"
    );
}

#[test]
fn inspect_results_come_from_the_header() {
    let catalog = open(&inspect_log("mc-quiz_RjFG"));
    let run = catalog.runs().next().unwrap();
    let (accuracy, stderr) = metric(run, "mc_quiz", "accuracy");
    assert!(close(accuracy, 0.8333), "{accuracy:?}");
    assert!(
        close(stderr, 0.0417),
        "the scorer's stderr metric: {stderr:?}"
    );
    for (group, value) in [
        ("geography", 0.75),
        ("math", 0.875),
        ("science", 0.875),
        ("all", 0.8333),
    ] {
        let (v, _) = metric(run, "mc_quiz", &format!("category={group}"));
        assert!(close(v, value), "{group}: {v:?}");
    }

    // Two scorers keep their names.
    let catalog = open(&inspect_log("gen-qa_ZRbM"));
    let run = catalog.runs().next().unwrap();
    let (m, ms) = metric(run, "gen_qa", "match/accuracy");
    let (i, is) = metric(run, "gen_qa", "includes/accuracy");
    assert!(close(m, 0.6) && close(ms, 0.1633), "{m:?} {ms:?}");
    assert!(close(i, 0.8) && close(is, 0.1333), "{i:?} {is:?}");
}

#[test]
fn the_json_log_reads_as_its_eval_twin() {
    let eval = open(&inspect_log("mc-quiz_RjFG"));
    let json = open(&inspect_log("mc-quiz_kBNm"));
    let (a, b) = (eval.runs().next().unwrap(), json.runs().next().unwrap());
    let (ra, rb) = (a.load_results().unwrap(), b.load_results().unwrap());
    assert_eq!(ra.as_map()["results"], rb.as_map()["results"]);
    let rows = |run: &Run| -> Vec<(Option<String>, Json, String)> {
        let file = run.open_details("mc_quiz").unwrap();
        let mut rows = Vec::new();
        for batch in file.details(5).unwrap() {
            for d in batch.unwrap() {
                rows.push((
                    d.doc.id.clone(),
                    at(&d.doc.specific, &["epoch"]).clone(),
                    format!("{:?}", d.metric),
                ));
            }
        }
        rows
    };
    let (rows_a, rows_b) = (rows(a), rows(b));
    assert_eq!(rows_a.len(), 24, "12 samples × 2 epochs");
    assert_eq!(rows_a, rows_b);
}

#[test]
fn inspect_samples_one_row_per_epoch_with_values_as_numbers() {
    let catalog = open(&inspect_log("mc-quiz_RjFG"));
    let run = catalog.runs().next().unwrap();
    let file = run.open_details("mc_quiz").unwrap();
    assert_eq!(file.num_rows(), 24);
    let mut mc07 = Vec::new();
    let mut mc12 = Vec::new();
    for batch in file.details(7).unwrap() {
        for d in batch.unwrap() {
            match d.doc.id.as_deref() {
                Some("mc-07") => mc07.push(d),
                Some("mc-12") => mc12.push(d),
                _ => {}
            }
        }
    }
    // mc-07: right in epoch 1 (C), wrong in epoch 2 (D); the reduced value is 0.5.
    let values: Vec<Option<f64>> = mc07.iter().map(|d| d.metric_value("choice")).collect();
    assert_eq!(values, [Some(1.0), Some(0.0)]);
    assert_eq!(mc07[0].doc.gold_index, [2], "target C is the third choice");
    let mean = &at(&mc07[0].doc.specific, &["mean over 2 epochs", "choice"]);
    assert_eq!(mean.as_f64(), Some(0.5));
    // mc-12, epoch 1: no ANSWER line, an empty answer.
    assert_eq!(mc12[0].metric_value("choice"), Some(0.0));
    assert_eq!(
        *at(&mc12[0].doc.specific, &["scores", "choice", "answer"]),
        Json::from("")
    );
}

#[test]
fn chat_inputs_list_targets_mixed_ids_and_a_failed_sample() {
    let catalog = open(&inspect_log("gen-qa_ZRbM"));
    let run = catalog.runs().next().unwrap();
    let file = run.open_details("gen_qa").unwrap();
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for batch in file.details(3).unwrap() {
        for d in batch.unwrap() {
            ids.push(d.doc.id.clone().unwrap());
            rows.push(d);
        }
    }
    assert_eq!(
        ids,
        [
            "1",
            "2",
            "g-03",
            "g-04",
            "5",
            "g-06-unicode",
            "g-07-chat",
            "8",
            "g-09",
            "g-10"
        ],
        "the dataset's order, ints and strings alike"
    );
    let chat = &rows[6];
    assert!(
        chat.doc.query.starts_with("[system] "),
        "{}",
        chat.doc.query
    );
    assert_eq!(chat.doc.query.matches("\n\n[").count(), 3, "four messages");
    let cow = &rows[8];
    assert_eq!(cow.doc.gold_texts, ["cow", "cattle"]);
    assert_eq!(cow.metric_value("match"), Some(0.0));
    assert_eq!(cow.metric_value("includes"), Some(1.0));

    let catalog = open(&inspect_log("gen-qa-flaky"));
    let run = catalog.runs().next().unwrap();
    let (accuracy, _) = metric(run, "gen_qa_flaky", "accuracy");
    assert!(close(accuracy, 0.7778), "{accuracy:?}");
    let file = run.open_details("gen_qa_flaky").unwrap();
    let (raw, failed) = file.read_row(4).unwrap();
    assert_eq!(failed.doc.id.as_deref(), Some("5"));
    assert!(failed.metric.is_empty(), "a failed sample has no scores");
    let message = at(&failed.doc.specific, &["error", "message"])
        .as_str()
        .unwrap();
    assert!(
        message.contains("deliberate failure on sample 5"),
        "{message}"
    );
    assert!(raw.contains_key("error"));
}

#[test]
fn an_interrupted_log_opens_from_its_journal() {
    let path = fixture("bad/logs/interrupted.eval");
    let catalog = open(&path);
    let run = catalog.runs().next().unwrap();
    let results = run.load_results().unwrap();
    assert_eq!(
        *at_map(results.as_map(), &["config_general", "status"]),
        Json::Array(vec![Json::from("started")])
    );
    // Computed from the journal's summaries: match got 6 of 10 right, includes 8.
    let (m, _) = metric(run, "gen_qa", "match/mean");
    let (i, _) = metric(run, "gen_qa", "includes/mean");
    assert!(close(m, 0.6) && close(i, 0.8), "{m:?} {i:?}");
    let file = run.open_details("gen_qa").unwrap();
    assert_eq!(file.num_rows(), 10);
}

#[test]
fn lm_eval_runs_pair_results_and_samples_by_date() {
    let catalog = open(&fixture("lm-eval-0.4.13"));
    let runs: Vec<&Run> = catalog.runs().collect();
    assert_eq!(runs.len(), 2);
    let run = runs[0];
    assert_eq!(run.harness, Harness::LmEval);
    assert_eq!(run.model, "fixture-org/dummy-lm");
    assert_eq!(run.date_id, "2026-11-30T02-37-30.831220");
    let tasks: Vec<&str> = run.details.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        tasks,
        ["toy_arith", "toy_group_hist", "toy_group_sci", "toy_mc"]
    );

    let results = run.load_results().unwrap();
    let names: Vec<String> = results
        .row("toy_arith")
        .unwrap()
        .metrics()
        .iter()
        .map(|m| m.metric.to_owned())
        .collect();
    assert_eq!(
        names,
        ["exact_match,strict-match", "exact_match,flexible-extract"]
    );
    let (acc, stderr) = metric(run, "toy_mc", "acc");
    assert!(
        close(acc, 0.3) && close(stderr, 0.1528),
        "{acc:?} {stderr:?}"
    );
    assert!(results.is_derived("toy_group"), "a group is a derived row");
    assert!(!results.is_derived("toy_group_sci"));
    assert_eq!(results.sample_count("toy_group_sci"), Some(6));
    assert_eq!(
        results.task_version_text("toy_arith").as_deref(),
        Some("3.0")
    );
    assert_eq!(
        results.task_version_text("toy_group").as_deref(),
        Some("1.0")
    );
}

#[test]
fn lm_eval_samples_one_line_per_document_and_filter() {
    let catalog = open(&fixture("lm-eval-0.4.13"));
    let run = catalog.runs().next().unwrap();
    let file = run.open_details("toy_arith").unwrap();
    assert_eq!(file.num_rows(), 16, "8 docs × 2 filters");
    let rows: Vec<_> = file.details(5).unwrap().flat_map(|b| b.unwrap()).collect();
    assert_eq!(rows[0].doc.id.as_deref(), Some("0/strict-match"));
    assert_eq!(rows[8].doc.id.as_deref(), Some("0/flexible-extract"));
    assert_eq!(rows[0].model_response.text, ["lol"]);
    assert_eq!(rows[0].model_response.text_post_processed, ["[invalid]"]);
    assert!(
        rows[0]
            .doc
            .query
            .starts_with("Question: What is 9 times 9?"),
        "few-shot context"
    );

    let mc = run.open_details("toy_mc").unwrap();
    let (_, first) = mc.read_row(0).unwrap();
    assert_eq!(first.doc.choices, [" Berlin", " Paris", " Madrid", " Rome"]);
    assert_eq!(first.doc.gold_index, [1]);
    assert_eq!(first.model_response.logprobs.len(), 4);
    assert_eq!(first.metric_value("acc"), Some(0.0));
    assert_eq!(
        at(&first.doc.specific, &["prompt_hash"])
            .as_str()
            .map(str::len),
        Some(64),
        "the hashes are kept"
    );
    // Any line alone, from the offset index.
    let (raw, last) = mc.read_row(9).unwrap();
    assert_eq!(raw["doc_id"], Json::Int(9));
    assert_eq!(last.doc.id.as_deref(), Some("9"));
}

#[test]
fn lighteval_folders_are_unchanged_by_the_other_readers() {
    let plain = store::discover(&fixture("lighteval-0.13")).unwrap();
    let with_formats = open(&fixture("lighteval-0.13"));
    assert_eq!(
        plain.runs().collect::<Vec<_>>(),
        with_formats.runs().collect::<Vec<_>>()
    );
    assert!(with_formats.runs().all(|r| r.harness == Harness::Lighteval));
}

#[test]
fn a_folder_of_all_three_harnesses() {
    let catalog = evaldeck::source::open(
        &Source::local(fixture("")),
        evaldeck::hub::HubEndpoint::public(),
    )
    .unwrap()
    .catalog;
    let mut harnesses: Vec<Harness> = catalog.runs().map(|r| r.harness).collect();
    harnesses.sort();
    harnesses.dedup();
    assert_eq!(
        harnesses,
        [Harness::Lighteval, Harness::Inspect, Harness::LmEval]
    );
}

#[test]
fn bad_logs_name_the_file_and_the_problem() {
    for (name, expected) in [
        ("bad/logs/truncated.eval", "not a readable zip archive"),
        (
            "bad/logs/member_not_json.eval",
            "member header.json: not JSON",
        ),
        (
            "bad/logs/no_header.eval",
            "without header.json or _journal/start.json",
        ),
        ("bad/logs/unknown_method.eval", "compression method"),
    ] {
        let err = open_error(&fixture(name)).to_string();
        let file = name.rsplit('/').next().unwrap();
        assert!(
            err.contains(file) && err.contains(expected),
            "{name}: {err}"
        );
    }
}

#[test]
fn bad_lm_eval_runs_name_the_file_and_the_problem() {
    let err = open_error(&fixture("bad/logs/lm_eval_bad_line")).to_string();
    assert!(
        err.contains("samples_toy_mc_2026-11-30T02-37-30.831220.jsonl")
            && err.contains("line 3: not JSON"),
        "{err}"
    );

    let catalog = open(&fixture("bad/logs/lm_eval_results_only"));
    let run = catalog.runs().next().unwrap();
    assert!(run.load_results().is_ok(), "results alone show");
    assert!(run.details.is_empty());

    let catalog = open(&fixture("bad/logs/lm_eval_samples_only"));
    let run = catalog.runs().next().unwrap();
    let err = run.load_results().unwrap_err().to_string();
    assert!(
        err.contains("samples_toy_mc_")
            && err.contains("no results_2026-11-30T02-37-30.831220.json beside them"),
        "{err}"
    );
    assert_eq!(
        run.open_details("toy_mc").unwrap().num_rows(),
        10,
        "its samples still read"
    );
}

#[test]
fn a_file_of_no_known_format_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello").unwrap();
    let err = store::discover_with(&path, &log_formats())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("notes.txt") && err.contains("Inspect AI log"),
        "{err}"
    );
}

#[test]
fn show_json_has_one_shape_for_every_harness() {
    let sources = [
        fixture("lighteval-0.13").to_str().unwrap().to_owned(),
        inspect_log("gen-qa_ZRbM").to_str().unwrap().to_owned(),
        fixture("lm-eval-0.4.13").to_str().unwrap().to_owned(),
    ];
    let mut harnesses = Vec::new();
    for source in &sources {
        let out = evaldeck(&[
            "show",
            source,
            "--model",
            match source.contains("lighteval") {
                true => "model-a",
                false if source.contains("lm-eval") => "fixture-org/dummy-lm",
                false => "mockllm/model",
            },
            "--format",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in [
            "harness",
            "model_name",
            "date_id",
            "results",
            "versions",
            "derived_rows",
        ] {
            assert!(doc.get(key).is_some(), "{source}: no `{key}`");
        }
        harnesses.push(doc["harness"].as_str().unwrap().to_owned());
        if doc["harness"] == "lm-eval" {
            assert_eq!(doc["derived_rows"], serde_json::json!(["toy_group"]));
            assert!(doc["results"]["toy_mc"]["acc_stderr"].is_number());
        }
    }
    assert_eq!(harnesses, ["lighteval", "inspect", "lm-eval"]);
}

#[test]
fn samples_jsonl_adds_the_common_keys_to_every_harness() {
    let cases = [
        vec![
            "samples",
            "LIGHTEVAL",
            "--model",
            "model-a",
            "--run",
            "first",
            "--task",
            "quiz:geo",
        ],
        vec!["samples", "INSPECT"],
        vec!["samples", "LMEVAL", "--run", "first", "--task", "toy_mc"],
    ];
    let lighteval = fixture("lighteval-0.13");
    let inspect = inspect_log("mc-quiz_RjFG");
    let lm_eval = fixture("lm-eval-0.4.13");
    for case in cases {
        let args: Vec<&str> = case
            .iter()
            .map(|a| match *a {
                "LIGHTEVAL" => lighteval.to_str().unwrap(),
                "INSPECT" => inspect.to_str().unwrap(),
                "LMEVAL" => lm_eval.to_str().unwrap(),
                other => other,
            })
            .collect();
        let out = evaldeck(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        for key in ["id", "input", "target", "prediction", "scores"] {
            assert!(first.get(key).is_some(), "{args:?}: no `{key}` in {first}");
        }
        assert!(first["target"].is_array() && first["scores"].is_object());
        if args[1].ends_with(".eval") {
            assert_eq!(first["id"], "mc-01");
            assert_eq!(first["epoch"], 1);
            assert_eq!(
                first["raw_scores"]["choice"]["value"], "C",
                "Inspect's own scores kept"
            );
        }
        if args[1].contains("lm-eval") {
            assert_eq!(first["doc_id"], 0, "lm-eval's own fields kept");
        }
    }
}

#[test]
fn saving_a_copy_keeps_each_harness_s_layout_and_never_overwrites() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let inspect = inspect_log("gen-qa_ZRbM");
    let lm_eval = fixture("lm-eval-0.4.13");
    for args in [
        vec!["INSPECT", "--save", "--output-dir", dir],
        vec!["LMEVAL", "--run", "first", "--save", "--output-dir", dir],
    ] {
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "INSPECT" => inspect.to_str().unwrap(),
                "LMEVAL" => lm_eval.to_str().unwrap(),
                other => other,
            })
            .collect();
        let saved = evaldeck(&args);
        assert!(
            saved.status.success(),
            "{}",
            String::from_utf8_lossy(&saved.stderr)
        );
        let again = evaldeck(&args);
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    }
    assert!(out.path().join(inspect.file_name().unwrap()).is_file());
    let lm_folder = out.path().join("fixture-org__dummy-lm");
    assert_eq!(
        std::fs::read_dir(&lm_folder).unwrap().count(),
        5,
        "results + 4 samples files"
    );

    let copy = open(out.path());
    let original = open(&fixture("lm-eval-0.4.13"));
    let (copied, first) = (
        copy.runs().find(|r| r.harness == Harness::LmEval).unwrap(),
        original.runs().next().unwrap(),
    );
    assert_eq!(copied.date_id, first.date_id);
    assert_eq!(
        copied.load_results().unwrap().as_map()["results"],
        first.load_results().unwrap().as_map()["results"]
    );
    assert_eq!(copied.details.len(), 4);

    let refused = evaldeck(&[lm_eval.to_str().unwrap(), "--push-to-tensorboard"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("publishing (Hub, TensorBoard, Trackio) is for lighteval runs"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

fn diff_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = evaldeck(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn diff_row<'a>(json: &'a serde_json::Value, task: &str, metric: &str) -> &'a serde_json::Value {
    json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["task"] == task && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no {task} {metric} in {json}"))
}

/// Two Inspect runs of mc_quiz pair by sample id with each sample's two epochs averaged: 12
/// pairs (not 24), and the epoch means (0.5 for mc-07) make it a paired t-test, not McNemar's.
#[test]
fn inspect_runs_pair_by_sample_id_with_epochs_averaged() {
    let (a, b) = (inspect_log("mc-quiz_RjFG"), inspect_log("mc-quiz_ivxm"));
    let json = diff_json(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    let row = diff_row(&json, "mc_quiz", "accuracy");
    assert_eq!(row["paired"], true, "{row}");
    assert_eq!(row["n_paired"], 12, "{row}");
    assert_eq!(row["test"], "paired_t", "{row}");
    assert!(
        close(row["a"].as_f64(), 0.8333) && close(row["b"].as_f64(), 0.625),
        "{row}"
    );
    // The mean of the per-sample differences is the difference of the accuracies.
    assert!(close(row["delta"].as_f64(), 0.625 - 0.8333), "{row}");
}

/// lm-eval lines pair by document and filter: `exact_match,strict-match` compares the
/// strict-match lines only (8 of 16), and the seeds' different few-shot prompts are reported.
#[test]
fn lm_eval_runs_pair_by_document_and_filter_and_report_prompt_drift() {
    let source = fixture("lm-eval-0.4.13");
    let (a, b) = (
        format!("{}@first", source.display()),
        format!("{}@last", source.display()),
    );
    let json = diff_json(&[&a, &b]);
    let strict = diff_row(&json, "toy_arith", "exact_match,strict-match");
    assert_eq!(strict["paired"], true, "{strict}");
    assert_eq!(strict["n_paired"], 8, "{strict}");
    let acc = diff_row(&json, "toy_mc", "acc");
    assert_eq!(acc["n_paired"], 10);
    assert_eq!(acc["test"], "mcnemar_exact");
    assert!(
        close(acc["a"].as_f64(), 0.3) && close(acc["b"].as_f64(), 0.2),
        "{acc}"
    );
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("PROMPT DRIFT in toy_arith") && warnings.contains("prompt_hash differs"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("PROMPT DRIFT in toy_mc"),
        "zero-shot prompts are the same: {warnings}"
    );
}

/// Runs of two harnesses compare only the tasks the user names, and say when nothing pairs.
#[test]
fn runs_of_two_harnesses_compare_only_named_tasks() {
    let inspect = inspect_log("mc-quiz_RjFG");
    let lm_eval = fixture("lm-eval-0.4.13");
    let json = diff_json(&[inspect.to_str().unwrap(), lm_eval.to_str().unwrap()]);
    assert!(json["tasks"].as_array().unwrap().is_empty());
    assert!(
        json["warnings"]
            .to_string()
            .contains("pair only when named"),
        "{json}"
    );

    let json = diff_json(&[
        inspect.to_str().unwrap(),
        lm_eval.to_str().unwrap(),
        "--task-a",
        "mc_quiz",
        "--task-b",
        "toy_mc",
    ]);
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("no sample of A pairs with one of B"),
        "{warnings}"
    );
    assert!(
        warnings.contains("no metric of mc_quiz has the name of one of toy_mc"),
        "{warnings}"
    );

    let one = evaldeck(&[
        "diff",
        inspect.to_str().unwrap(),
        lm_eval.to_str().unwrap(),
        "--task-a",
        "mc_quiz",
    ]);
    assert_eq!(one.status.code(), Some(2), "--task-a needs --task-b");
}

/// lighteval's lines get their common keys from the list columns read column by column; they
/// must be what each whole row gives (`store::common_keys` of the decoded row), on every task of
/// the lighteval fixtures, batch boundaries of the two reads differing on purpose.
#[test]
fn lighteval_common_keys_read_by_column_match_whole_rows() {
    use evaldeck::model::{Json, pyjson};
    let mut lines = 0;
    for path in support::files_with_suffix(&fixture("lighteval-0.13"), ".parquet") {
        let file = evaldeck::store::DetailsFile::open(&path).unwrap();
        let mut out = Vec::new();
        evaldeck::store::write_details_jsonl(
            &file,
            u64::MAX,
            3,
            evaldeck::store::CommonKeys::Added,
            &mut out,
            std::path::Path::new("out"),
        )
        .unwrap();
        let rows: Vec<evaldeck::model::Detail> =
            file.details(5).unwrap().flat_map(|b| b.unwrap()).collect();
        let written: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(written.len(), rows.len(), "{}", path.display());
        for (line, detail) in written.iter().zip(&rows) {
            let Json::Object(line) = pyjson::parse(line).unwrap() else {
                panic!("a line is an object")
            };
            let expected = evaldeck::store::common_keys(detail, None);
            for (key, value) in &expected {
                let same = pyjson::to_string(&line[key], pyjson::WriteOptions::STRICT_COMPACT)
                    == pyjson::to_string(value, pyjson::WriteOptions::STRICT_COMPACT);
                assert!(
                    same,
                    "{}: `{key}` {:?} vs {value:?}",
                    path.display(),
                    line[key]
                );
            }
            lines += 1;
        }
    }
    assert!(lines >= 100, "only {lines} lines checked");
}

/// Inspect ≥ 0.3.261 merges shard logs (`<name>.shards/<k>/<attempt>.eval`) into `<name>.eval`.
/// A finished merged log newer than every shard covers them: they are hidden, as Inspect's
/// viewer hides them. A shard newer than the merge (or no merged log) stays a run of its own.
#[test]
fn merged_inspect_logs_hide_the_shards_they_cover() {
    const LOG: &str = "2026-11-30T02-36-19-00-00_mc-quiz_RjFGiHzeHG8Qd9cSsZrDVV";
    let dir = tempfile::tempdir().unwrap();
    let merged = dir.path().join(format!("{LOG}.eval"));
    let shard_dir = dir.path().join(format!("{LOG}.shards/0"));
    std::fs::create_dir_all(&shard_dir).unwrap();
    let shard = shard_dir.join("2026-11-30T02-36-19-00-00.eval");
    // The shard is another run of the same task (the gen-qa log), so it counts as its own run
    // when shown.
    std::fs::copy(
        fixture("inspect-0.3.285/2026-11-30T02-36-21-00-00_gen-qa_ZRbM3p5k6KxSusMsqHW5yY.eval"),
        &shard,
    )
    .unwrap();
    std::fs::copy(fixture(&format!("inspect-0.3.285/{LOG}.eval")), &merged).unwrap();
    let set_time = |path: &std::path::Path, secs: u64| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    };
    set_time(&shard, 1_700_000_000);
    set_time(&merged, 1_700_000_100);
    assert_eq!(
        open(dir.path()).runs().count(),
        1,
        "the merged log covers its shard"
    );
    set_time(&shard, 1_700_000_200);
    assert_eq!(
        open(dir.path()).runs().count(),
        2,
        "a shard newer than the merge shows"
    );
    std::fs::remove_file(&merged).unwrap();
    assert_eq!(
        open(dir.path()).runs().count(),
        1,
        "without a merged log, the shard shows"
    );
}

/// An eval set's manifests (`logs.json`, `eval-set.json`) are never runs and never errors;
/// named as the source, one opens its folder, and the set's id names the runs' eval set.
#[test]
fn eval_set_manifests_open_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    const LOG: &str = "2026-11-30T02-36-19-00-00_mc-quiz_RjFGiHzeHG8Qd9cSsZrDVV.eval";
    std::fs::copy(
        fixture(&format!("inspect-0.3.285/{LOG}")),
        dir.path().join(LOG),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("eval-set.json"),
        r#"{"eval_set_id": "set-123", "tasks": [{"name": "mc-quiz", "task_id": "x"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("logs.json"),
        format!(r#"{{"{LOG}": {{}}}}"#),
    )
    .unwrap();
    let catalog = open(dir.path());
    assert!(catalog.unreadable.is_empty(), "{:?}", catalog.unreadable);
    assert_eq!(catalog.runs().count(), 1);
    for manifest in ["eval-set.json", "logs.json"] {
        let opened = open(&dir.path().join(manifest));
        assert_eq!(opened.runs().count(), 1, "{manifest} opens its folder");
        let results = opened.runs().next().unwrap().load_results().unwrap();
        let general = results.general();
        let id = general.raw().get("eval_set_id").and_then(Json::as_str);
        // The fixture log's own `eval_set_id` is null (as Inspect's read_eval_log reads it),
        // so the set's manifest names it.
        assert_eq!(id, Some("set-123"), "{manifest}: the eval set is named");
    }
}

/// lm-eval 0.3 wrote `results`, `versions` and `config`; so did lighteval's forerunner, with
/// `config.lighteval_sha`. Each is read by its own harness, and a JSON file of neither is an
/// error that names it.
#[test]
fn lm_eval_0_3_and_lightevals_forerunner_are_told_apart_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let lm = dir.path().join("lm.json");
    std::fs::write(
        &lm,
        r#"{"results": {"gsm8k": {"acc": 0.25, "acc_stderr": 0.01}}, "versions": {"gsm8k": 0},
            "config": {"model": "hf-causal", "model_args": "pretrained=org/model"}}"#,
    )
    .unwrap();
    let run = open(&lm).runs().next().unwrap().clone();
    assert_eq!(run.harness, Harness::LmEval);
    assert_eq!(run.model, "org/model");
    let forerunner = dir.path().join("old.json");
    std::fs::write(
        &forerunner,
        r#"{"results": {"harness|arc:challenge|25": {"acc": 0.5}}, "versions": {"harness|arc:challenge|25": 0},
            "config": {"model_name": "org/old", "lighteval_sha": "abc"}}"#,
    )
    .unwrap();
    let run = open(&forerunner).runs().next().unwrap().clone();
    assert_eq!(run.harness, Harness::Lighteval);
    let notes = dir.path().join("notes.json");
    std::fs::write(&notes, r#"{"results": {"a": {"b": 1}}, "comment": "mine"}"#).unwrap();
    let error = open_error(&notes).to_string();
    assert!(
        error.contains("notes.json") && error.contains("not a file evaldeck reads"),
        "{error}"
    );
}

/// `show --format json` gives lm-eval's tree: each group before its subtasks, one level deeper,
/// each row with the alias the file gives it; the file's own `group_subtasks` and aliases are
/// the expectation.
#[test]
fn show_json_gives_lm_evals_tree_in_its_table_order() {
    let results =
        fixture("lm-eval-0.4.13/fixture-org__dummy-lm/results_2026-11-30T02-37-30.831220.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    let out = evaldeck(&["show", &results.to_string_lossy(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tree = shown["tree"].as_array().unwrap();
    assert_eq!(tree.len(), file["results"].as_object().unwrap().len());
    for (group, subtasks) in file["group_subtasks"].as_object().unwrap() {
        let at = |task: &str| tree.iter().position(|r| r["task"] == task).unwrap();
        for sub in subtasks.as_array().unwrap() {
            let sub = sub.as_str().unwrap();
            assert!(at(group) < at(sub), "{group} before {sub}");
            assert_eq!(tree[at(sub)]["depth"], 1);
            assert_eq!(tree[at(sub)]["group"], group.as_str());
            assert_eq!(tree[at(sub)]["alias"], file["results"][sub]["alias"]);
        }
        assert_eq!(tree[at(group)]["depth"], 0);
    }
}
