//! `evaldeck compare`: many runs side by side. Values are checked against the results files read
//! with serde_json; Holm across the matrix against statsmodels, McNemar against SciPy, and the
//! clustered standard errors against what Inspect stored in its logs (interop venv).

use crate::support;

use crate::support::{fixture, interop_python, python_env};
use serde_json::Value;

fn compare_json(args: &[&str]) -> Value {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = crate::support::evaldeck_command()
        .args(&all)
        .output()
        .expect("run evaldeck");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn row<'a>(json: &'a Value, task: &str, metric: &str) -> &'a Value {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["task"] == task && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {task} {metric}"))
}

#[test]
fn every_cell_holds_its_run_s_stored_value_and_stderr() {
    let source = fixture("lighteval-0.13");
    let json = compare_json(&[source.to_str().unwrap()]);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3, "a folder brings all its runs");
    let mut checked = 0;
    for (column, run) in runs.iter().enumerate() {
        let model = run["model_name"].as_str().unwrap();
        let date = run["date_id"].as_str().unwrap();
        let file = source.join(format!("results/{model}/results_{date}.json"));
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace("NaN", "null");
        let stored: Value = serde_json::from_str(&text).unwrap();
        for (task, metrics) in stored["results"].as_object().unwrap() {
            for (metric, value) in metrics.as_object().unwrap() {
                if metric.ends_with("_stderr") {
                    continue;
                }
                let cell = &row(&json, task, metric)["cells"][column];
                assert_eq!(cell["value"], *value, "{date} {task} {metric}");
                assert_eq!(
                    cell["stderr"],
                    metrics[format!("{metric}_stderr")],
                    "{date} {task} {metric}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "{checked}");
    assert_eq!(row(&json, "all", "acc")["derived"], true);
    assert_eq!(row(&json, "quiz:geo|0", "acc")["derived"], false);
    // The baseline's cells are not compared with themselves.
    assert_eq!(
        row(&json, "quiz:geo|0", "acc")["cells"][0]["verdict"],
        "baseline"
    );
}

#[test]
fn baseline_order_and_model_select_the_columns() {
    let source = fixture("lighteval-0.13");
    let source = source.to_str().unwrap();
    let json = compare_json(&[source, "--baseline", "2", "--order", "date"]);
    assert_eq!(json["baseline"], 1);
    let dates: Vec<&str> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date_id"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "--order date");
    assert_eq!(
        row(&json, "quiz:geo|0", "acc")["cells"][1]["verdict"],
        "baseline"
    );
    let json = compare_json(&[source, "--model", "model-a"]);
    assert_eq!(json["runs"].as_array().unwrap().len(), 2);

    let out = crate::support::evaldeck_command()
        .args(["compare", source, "--format", "markdown"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("**0.3750**"),
        "the best of a row in bold: {text}"
    );
    assert!(text.contains("Holm–Bonferroni"), "{text}");
}

/// Holm across every cell, from statsmodels; McNemar's p of a cell, from SciPy on the discordant
/// pairs counted from lm-eval's samples with json.loads.
#[test]
fn holm_and_mcnemar_agree_with_statsmodels_and_scipy() {
    let Some(py) = interop_python() else { return };
    let json = compare_json(&[fixture("lm-eval-0.4.13").to_str().unwrap()]);
    let cells: Vec<&Value> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["cells"].as_array().unwrap())
        .filter(|c| c["p_value"].is_number())
        .collect();
    assert!(cells.len() >= 8, "{}", cells.len());
    let p_values: Vec<f64> = cells
        .iter()
        .map(|c| c["p_value"].as_f64().unwrap())
        .collect();
    let folder = fixture("lm-eval-0.4.13/fixture-org__dummy-lm");
    let script = r#"
import json, sys
from statsmodels.stats.multitest import multipletests
from scipy.stats import binomtest
p = json.loads(sys.argv[1])
holm = multipletests(p, method="holm")[1].tolist()
def lines(date):
    return {d["doc_id"]: d["acc"] for d in map(json.loads, open(f"{sys.argv[2]}/samples_toy_mc_{date}.jsonl"))}
a, b = lines("2026-11-30T02-37-30.831220"), lines("2026-11-30T02-37-47.075346")
right_to_wrong = sum(1 for i in a if a[i] == 1 and b[i] == 0)
wrong_to_right = sum(1 for i in a if a[i] == 0 and b[i] == 1)
mcnemar = binomtest(right_to_wrong, right_to_wrong + wrong_to_right, 0.5).pvalue
from scipy.stats import pearsonr
ids = sorted(a)
r = float(pearsonr([a[i] for i in ids], [b[i] for i in ids]).statistic)
print(json.dumps({"holm": holm, "mcnemar": mcnemar, "pearson": r}))
"#;
    let expected: Value = serde_json::from_str(&python_env(
        &py,
        script,
        &[
            &serde_json::to_string(&p_values).unwrap(),
            folder.to_str().unwrap(),
        ],
        &[],
    ))
    .unwrap();
    for (cell, holm) in cells.iter().zip(expected["holm"].as_array().unwrap()) {
        let (ours, theirs) = (cell["p_adjusted"].as_f64().unwrap(), holm.as_f64().unwrap());
        assert!((ours - theirs).abs() < 1e-12, "{ours} vs {theirs}");
    }
    let acc = &row(&json, "toy_mc", "acc")["cells"][1];
    assert_eq!(acc["test"], "mcnemar_exact");
    let theirs = expected["mcnemar"].as_f64().unwrap();
    assert!(
        (acc["p_value"].as_f64().unwrap() - theirs).abs() < 1e-12,
        "{acc} vs {theirs}"
    );
    let r = expected["pearson"].as_f64().unwrap();
    assert!(
        (acc["correlation"].as_f64().unwrap() - r).abs() < 1e-12,
        "{acc} vs r = {r}"
    );
}

/// Clustered cells of Inspect runs hold the standard error Inspect itself stored for
/// `stderr(cluster="category")`, and say they are clustered.
#[test]
fn clustered_cells_hold_inspect_s_own_clustered_stderr() {
    let dir = fixture("inspect-0.3.285");
    let logs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_str().unwrap().contains("mc-quiz") && p.extension().is_some_and(|e| e == "eval")
        })
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(logs.len(), 2);
    let plain = compare_json(&[&logs[0], &logs[1]]);
    let clustered = compare_json(&[&logs[0], &logs[1], "--cluster-by", "metadata.category"]);
    assert_eq!(clustered["clustered_by"], "metadata.category");
    for column in 0..2 {
        let stored = &row(&plain, "mc_quiz", "accuracy")["cells"][column];
        let ours = &row(&clustered, "mc_quiz", "accuracy")["cells"][column];
        assert_eq!(stored["stderr_clustered"], false);
        assert_eq!(ours["stderr_clustered"], true);
        let (a, b) = (
            stored["stderr"].as_f64().unwrap(),
            ours["stderr"].as_f64().unwrap(),
        );
        assert!(
            (a - b).abs() < 1e-12,
            "column {column}: Inspect stored {a}, evaldeck {b}"
        );
    }
    assert_eq!(
        row(&clustered, "mc_quiz", "accuracy")["cells"][1]["test"],
        "clustered_t"
    );
}

#[test]
fn one_run_is_not_a_comparison() {
    let out = crate::support::evaldeck_command()
        .args([
            "compare",
            fixture("lighteval-0.13").to_str().unwrap(),
            "--model",
            "org-b/model-b",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two runs or more"));
}

/// `compare --samples`: each sample of a task across the runs, each cell the run's own score
/// (read here from the lm-eval lines with serde_json) and its verdict; the filters narrow them.
#[test]
fn sample_agreement_across_runs() {
    let source = fixture("lm-eval-0.4.13");
    let run = |args: &[&str]| -> Vec<Value> {
        let mut all = vec![
            "compare",
            source.to_str().unwrap(),
            "--samples",
            "--task",
            "toy_mc",
        ];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "jsonl"]);
        let out = crate::support::evaldeck_command()
            .args(&all)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let lines = |date: &str| -> Vec<Value> {
        let path = source.join(format!("fixture-org__dummy-lm/samples_toy_mc_{date}.jsonl"));
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (a, b) = (
        lines("2026-11-30T02-37-30.831220"),
        lines("2026-11-30T02-37-47.075346"),
    );
    let all = run(&[]);
    assert_eq!(all.len(), 10);
    for (row, (la, lb)) in all.iter().zip(a.iter().zip(&b)) {
        assert_eq!(row["id"], la["doc_id"].to_string().as_str());
        for (cell, line) in row["cells"].as_array().unwrap().iter().zip([la, lb]) {
            assert_eq!(cell["score"], line["acc"], "{row}");
            let expected = if line["acc"] == 1.0 { "right" } else { "wrong" };
            assert_eq!(cell["verdict"], expected, "{row}");
            // Every run's prediction, not only the baseline's (the grid reads the others' after
            // their scores): the choice with the highest log-likelihood.
            assert_eq!(
                cell["prediction"].as_str().map(str::trim),
                Some(chosen(line)),
                "{row}"
            );
        }
    }
    assert!(
        a.iter().zip(&b).any(|(x, y)| chosen(x) != chosen(y)),
        "the runs choose differently somewhere, so a column's predictions cannot pass as another's"
    );
    let count = |pred: &dyn Fn(f64, f64) -> bool| {
        a.iter()
            .zip(&b)
            .filter(|(x, y)| pred(x["acc"].as_f64().unwrap(), y["acc"].as_f64().unwrap()))
            .count()
    };
    assert_eq!(
        run(&["--filter", "hard"]).len(),
        count(&|x, y| x == 0.0 && y == 0.0)
    );
    assert_eq!(
        run(&["--filter", "baseline-only"]).len(),
        count(&|x, y| x == 1.0 && y == 0.0)
    );
    assert_eq!(run(&["--filter", "disagree"]).len(), count(&|x, y| x != y));
    assert_eq!(run(&["--filter", "flip:1,2"]).len(), count(&|x, y| x != y));
    assert!(
        count(&|x, y| x != y) > 0,
        "the fixture's seeds disagree somewhere"
    );
}

/// The choice an lm-eval multiple-choice line's model made: the highest `filtered_resps`
/// log-likelihood.
fn chosen(line: &Value) -> &str {
    let loglikelihood = |r: &Value| r[0].as_str().unwrap().parse::<f64>().unwrap();
    let resps = line["filtered_resps"].as_array().unwrap();
    let best = (0..resps.len())
        .max_by(|&i, &j| loglikelihood(&resps[i]).total_cmp(&loglikelihood(&resps[j])))
        .unwrap();
    line["doc"]["choices"][best].as_str().unwrap()
}

/// `compare` reads only ids and scores; `diff` reads the list columns. The same pair of runs must
/// pair the same samples and get the same tests either way.
#[test]
fn compare_reads_less_but_tests_as_diff_does() {
    let source = fixture("lighteval-0.13");
    let folder = source.to_str().unwrap();
    let json = compare_json(&[folder, "--model", "model-a"]);
    let out = crate::support::evaldeck_command()
        .args([
            "diff",
            &format!("{folder}@first"),
            &format!("{folder}@last"),
            "--model-a",
            "model-a",
            "--model-b",
            "model-a",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut compared = 0;
    for diff_row in diff["tasks"].as_array().unwrap() {
        let cell = &row(
            &json,
            diff_row["task"].as_str().unwrap(),
            diff_row["metric"].as_str().unwrap(),
        )["cells"][1];
        for key in ["delta", "p_value", "n_paired", "test"] {
            assert_eq!(cell[key], diff_row[key], "{diff_row}");
        }
        compared += 1;
    }
    assert!(compared >= 10, "{compared}");
}

/// A run whose samples cannot be read (a details file under another task's name) keeps its
/// stored values, untested, with a warning naming the file; the other runs are still compared.
#[test]
fn a_broken_run_does_not_sink_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("lighteval-0.13");
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    };
    for date in ["2026-11-23T21-40-51.814529", "2026-11-23T21-41-33.518746"] {
        let results = format!("results/model-a/results_{date}.json");
        copy(&good.join(&results), &dir.path().join(&results));
        for entry in std::fs::read_dir(good.join(format!("details/model-a/{date}"))).unwrap() {
            let path = entry.unwrap().path();
            let mut name = path.file_name().unwrap().to_str().unwrap().to_owned();
            // The second run's quiz:geo samples are filed under quiz:sci's name.
            if date.starts_with("2026-11-23T21-41") && name.contains("quiz:sci|0") {
                continue;
            }
            if date.starts_with("2026-11-23T21-41") && name.contains("quiz:geo|0") {
                name = name.replace("quiz:geo|0", "quiz:sci|0");
            }
            copy(
                &path,
                &dir.path().join(format!("details/model-a/{date}/{name}")),
            );
        }
    }
    let out = crate::support::evaldeck_command()
        .args(["compare", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("task quiz:sci|0 not tested") && warnings.contains("details_quiz:sci|0"),
        "{warnings}"
    );
    // quiz:geo has no samples in the second run: its stored values are tested, unpaired.
    let cell = &row(&json, "quiz:geo|0", "acc")["cells"][1];
    assert_eq!(cell["value"], 0.0, "the stored value stays: {cell}");
    assert_eq!(cell["paired"], false, "{cell}");
    // The run's other tasks are tested all the same: one bad file does not blank its column.
    let lang = &row(&json, "quiz:lang|0", "acc")["cells"][1];
    assert!(
        lang["p_value"].is_number() && lang["verdict"] != "not compared",
        "{lang}"
    );
}

/// The agreement grid reads each run's ids and scores from those two columns alone. They must be
/// what whole rows hold (whole rows are checked against pyarrow in `interop.rs`).
#[test]
fn scores_read_from_two_columns_match_whole_rows() {
    let mut checked = 0;
    for path in support::files_with_suffix(&fixture("lighteval-0.13"), ".parquet") {
        let file = evaldeck::store::DetailsFile::open(&path).unwrap();
        let Some(metric) = file.metric_names().first().cloned() else {
            continue;
        };
        let Some(found) = evaldeck::store::ids_and_scores(&file, &metric).unwrap() else {
            continue;
        };
        let rows: Vec<evaldeck::model::Detail> =
            file.details(64).unwrap().flat_map(|b| b.unwrap()).collect();
        let ids: Vec<String> = rows.iter().map(|d| d.doc.id.clone().unwrap()).collect();
        let scores: Vec<Option<f64>> = rows.iter().map(|d| d.metric_value(&metric)).collect();
        assert_eq!(found.ids, ids, "{}", path.display());
        // NaN (a sample lighteval could not score) must stay NaN: compared by bits.
        let bits = |v: &[Option<f64>]| v.iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>();
        assert_eq!(bits(&found.scores), bits(&scores), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files read by their columns");
}

/// `compare`'s tests read each run's ids and metrics column by column; the samples must be what
/// whole rows hold.
#[test]
fn ids_and_metrics_read_by_column_match_whole_rows() {
    let mut checked = 0;
    for path in support::files_with_suffix(&fixture("lighteval-0.13"), ".parquet") {
        let file = evaldeck::store::DetailsFile::open(&path).unwrap();
        let Some(found) = evaldeck::store::id_metric_details(&file).unwrap() else {
            continue;
        };
        let rows: Vec<evaldeck::model::Detail> =
            file.details(64).unwrap().flat_map(|b| b.unwrap()).collect();
        assert_eq!(found.len(), rows.len(), "{}", path.display());
        for (a, b) in found.iter().zip(&rows) {
            assert_eq!(a.doc.id, b.doc.id, "{}", path.display());
            // NaN (a sample lighteval could not score) compared as text.
            assert_eq!(
                format!("{:?}", a.metric),
                format!("{:?}", b.metric),
                "{}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files read by their columns");
}
