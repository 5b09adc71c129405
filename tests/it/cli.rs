//! The `evaldeck` binary end to end: formats, exit codes, broken pipes.

use std::process::Stdio;

use crate::support::{evaldeck, fixture};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn show_table_marks_derived_rows() {
    let out = evaldeck(&[
        "show",
        fixture("lighteval-0.13").to_str().unwrap(),
        "--model",
        "model-a",
        "--run",
        "first",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("model-a · run 2026-11-23T21-40-51.814529"),
        "{text}"
    );
    assert!(text.contains("quiz:_average|0 *"), "{text}");
    assert!(text.contains("all *"), "{text}");
    assert!(text.contains("NaN"), "{text}");
    assert!(text.contains("17.1958"), "chrf, 4 decimals: {text}");
    // Versions come from config_tasks in 0.13: the file gives phrase version 2.
    let phrase_line = text.lines().find(|l| l.starts_with("phrase|3")).unwrap();
    assert_eq!(
        phrase_line.split_whitespace().nth(1),
        Some("2"),
        "{phrase_line}"
    );
}

#[test]
fn show_json_is_strict_and_has_the_file_s_results() {
    let source = fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json");
    let out = evaldeck(&["show", source.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("strict JSON");
    assert_eq!(json["model_name"], "model-a");
    assert_eq!(json["date_id"], "2026-11-23T21-40-51.814529");
    assert_eq!(json["results"]["quiz:geo|0"]["acc"], 0.375);
    assert!(
        json["results"]["summ|0"]["len_ratio"].is_null(),
        "NaN becomes null"
    );
    assert_eq!(json["versions"]["quiz:geo|0"], 0);
    assert_eq!(
        json["derived_rows"],
        serde_json::json!(["quiz:_average|0", "all"])
    );
    // Key order of the file is kept.
    let tasks: Vec<&String> = json["results"].as_object().unwrap().keys().collect();
    assert_eq!(tasks.first().unwrap().as_str(), "quiz:sci|0");
}

#[test]
fn show_markdown_and_csv() {
    let source = fixture("lighteval-0.10.0");
    let md = stdout(&evaldeck(&[
        "show",
        source.to_str().unwrap(),
        "--format",
        "markdown",
    ]));
    assert!(md.contains("|custom\\|quiz:geo\\|0"), "{md}");
    assert!(md.contains("*(derived)*"), "{md}");
    let csv = stdout(&evaldeck(&[
        "show",
        source.to_str().unwrap(),
        "--format",
        "csv",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("task,version,metric,value,stderr,derived,computed_by")
    );
    assert!(csv.contains("custom|phrase|3,2,em,"), "{csv}");
    assert!(csv.contains("all,,"), "{csv}");
}

/// The bundled sample's newest run is its Inspect agent log; the note names the other models.
#[test]
fn no_argument_shows_the_bundled_sample_and_says_which_model() {
    let out = evaldeck(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).starts_with("mockllm/model · run"),
        "{}",
        stdout(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--model"));
}

#[test]
fn errors_exit_2_and_name_the_file() {
    let bad = fixture("bad/truncated_results.json");
    let out = evaldeck(&["show", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ")
            && err.contains("truncated_results.json")
            && err.contains("line "),
        "{err}"
    );
    assert_eq!(
        err.matches("truncated_results.json").count(),
        1,
        "cause not repeated: {err}"
    );

    let out = evaldeck(&[
        "show",
        fixture("lighteval-0.13").to_str().unwrap(),
        "--model",
        "nobody",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("model-a, org-b/model-b"));
}

#[test]
fn samples_jsonl_streams_the_file_s_rows() {
    let source = fixture("lighteval-0.13");
    let out = evaldeck(&[
        "samples",
        source.to_str().unwrap(),
        "--model",
        "model-a",
        "--run",
        "first",
        "--task",
        "summ",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("strict JSON line"))
        .collect();
    assert_eq!(rows.len(), 6);
    assert!(rows[0]["doc"]["query"].as_str().unwrap().len() > 1000);
    assert_eq!(rows[0]["model_response"]["text"][0], "random baseline");
    assert_eq!(
        rows.iter()
            .filter(|r| r["metric"]["len_ratio"].is_null())
            .count(),
        1,
        "NaN → null"
    );

    let out = evaldeck(&[
        "samples",
        source.to_str().unwrap(),
        "--model",
        "model-a",
        "--task",
        "quiz:geo|0",
        "--limit",
        "3",
    ]);
    assert_eq!(stdout(&out).lines().count(), 3);
}

#[test]
fn samples_of_flat_layouts_come_out_in_the_nested_shape() {
    for source in ["lighteval-0.10.0", "lighteval-0.7-text"] {
        let out = evaldeck(&[
            "samples",
            fixture(source).to_str().unwrap(),
            "--task",
            "custom|yesno|0",
        ]);
        assert!(
            out.status.success(),
            "{source}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 30, "{source}");
        assert_eq!(
            rows[0]["doc"]["choices"].as_array().unwrap().len(),
            2,
            "{source}"
        );
        assert_eq!(
            rows[0]["model_response"]["logprobs"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{source}"
        );
        assert!(rows[0]["metric"]["mcc"]["golds"].is_array(), "{source}");
    }
}

#[test]
fn samples_table_and_csv() {
    let source = fixture("lighteval-0.13");
    let table = stdout(&evaldeck(&[
        "samples",
        source.to_str().unwrap(),
        "--model",
        "model-a",
        "--task",
        "quiz:lang",
        "--format",
        "table",
    ]));
    let header = table.lines().next().unwrap();
    for column in ["#", "id", "query", "gold", "prediction", "acc", "acc_norm"] {
        assert!(header.split_whitespace().any(|h| h == column), "{header}");
    }
    assert_eq!(table.lines().count(), 2 + 10);
    let csv = stdout(&evaldeck(&[
        "samples",
        source.to_str().unwrap(),
        "--model",
        "model-a",
        "--task",
        "translate|0",
        "--format",
        "csv",
    ]));
    assert!(
        csv.starts_with("#,id,query,gold,prediction,chrf,ter\r\n"),
        "{csv}"
    );

    let out = evaldeck(&[
        "samples",
        source.to_str().unwrap(),
        "--model",
        "model-a",
        "--task",
        "quiz",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quiz:geo|0"));
}

#[test]
fn runs_lists_newest_first() {
    let out = evaldeck(&[
        "runs",
        fixture("lighteval-0.13").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["model_name"], "org-b/model-b");
    assert_eq!(runs[2]["date_id"], "2026-11-23T21-40-51.814529");
    assert_eq!(runs[2]["samples"], 16 + 12 + 10 + 30 + 20 + 11 + 6);
    assert!(runs[2]["all"]["acc"].is_number());
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = crate::support::evaldeck_command()
        .args([
            "samples",
            fixture("lighteval-0.13").to_str().unwrap(),
            "--model",
            "model-a",
            "--run",
            "first",
            "--task",
            "summ|0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The top-level mode takes `--model` and `--run` as every command does: re-saving, publishing
/// and the piped `show` all act on the run they name.
#[test]
fn the_top_level_mode_takes_model_and_run() {
    let source = fixture("lighteval-0.13");
    let out = tempfile::tempdir().unwrap();
    let evaldeck = |args: &[&str]| {
        crate::support::evaldeck_command()
            .arg(&source)
            .args(args)
            .output()
            .unwrap()
    };
    // Piped: `show` of model-a's first run (the one with `summ|0`), not the newest run.
    let shown = evaldeck(&["--model", "model-a", "--run", "first"]);
    assert!(shown.status.success(), "{shown:?}");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.starts_with("model-a · run 2026-11-23T21-40-51.814529"),
        "{text}"
    );
    // Re-saved: the same run.
    let saved = evaldeck(&[
        "--model",
        "model-a",
        "--run",
        "2026-11-23T21-40-51.814529",
        "--save",
        "--output-dir",
        out.path().to_str().unwrap(),
        "--no-details",
    ]);
    assert!(saved.status.success(), "{saved:?}");
    let path = String::from_utf8(saved.stdout).unwrap();
    let results = evaldeck::store::read_results(std::path::Path::new(path.trim())).unwrap();
    assert!(
        results.row("summ|0").is_some(),
        "model-a's first run has summ|0"
    );
    // Published: TensorBoard logs of the chosen run.
    let published = evaldeck(&[
        "--model",
        "model-a",
        "--run",
        "first",
        "--push-to-tensorboard",
        "--output-dir",
        out.path().to_str().unwrap(),
    ]);
    assert!(published.status.success(), "{published:?}");
    assert!(out.path().join("tb").is_dir());
    // A run that is not there is a clear error.
    let missing = evaldeck(&[
        "--model",
        "nobody/none",
        "--save",
        "--output-dir",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody/none"));
}
