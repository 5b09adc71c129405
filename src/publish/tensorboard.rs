//! lighteval's `push_to_tensorboard`, without TensorBoardX or nanotron: the run's aggregated
//! metrics as scalars and its results and per-task summaries as text, in one event file under
//! `{output_dir}/tb/{run}`.
//!
//! Tags, as lighteval writes them:
//! - `{prefix}/{task}/{metric}` for a task without a suite (`eval/all/acc`);
//! - `{prefix}_{suite}/{task}/{metric}` for a suite's subtask (`eval_mmlu/mmlu:anatomy|5/acc`);
//! - `stderr_{prefix}/{task}/{metric}` for every metric whose name holds `stderr`;
//! - `{prefix}/{suite}/{metric}`: the mean over the suite's rows;
//! - text `eval_config` (all results) and `eval_details_{task}` (each task's summary).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::PublishError;
use super::events::EventFile;
use crate::model::pyjson::{self, NonFinite, WriteOptions};
use crate::model::{Json, Map, ResultsFile};
use crate::store;

#[derive(Debug, Clone)]
pub struct TensorboardOptions {
    /// lighteval's `tensorboard_metric_prefix` (`eval`).
    pub prefix: String,
    /// nanotron's run name; the folder is `{run}_{prefix}` with it, `{prefix}` without.
    pub run_name: Option<String>,
    /// The global step every value is logged at (the run info's step, 0 by default).
    pub step: i64,
}

impl Default for TensorboardOptions {
    fn default() -> Self {
        TensorboardOptions {
            prefix: "eval".into(),
            run_name: None,
            step: 0,
        }
    }
}

/// One value to log, as the writer will log it.
#[derive(Debug, Clone, PartialEq)]
pub enum Logged {
    Scalar { tag: String, value: f64 },
    Text { tag: String, text: String },
}

/// Everything lighteval logs for a results file, in its order.
pub fn tensorboard_values(results: &ResultsFile, prefix: &str) -> Vec<Logged> {
    let mut logged = Vec::new();
    let mut suite_values: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    let rows = match results.as_map().get("results") {
        Some(Json::Object(rows)) => rows.clone(),
        _ => Map::new(),
    };
    for (name, metrics) in &rows {
        let Json::Object(metrics) = metrics else {
            continue;
        };
        // lighteval ≤ 0.10's `suite|task|fewshot` is logged as `task`.
        let parts: Vec<&str> = name.split('|').collect();
        let task = if parts.len() == 3 {
            parts[1]
        } else {
            name.as_str()
        };
        let suite = task.split_once(':').map(|(suite, _)| suite);
        for (metric, value) in metrics {
            let Some(value) = value.as_f64() else {
                continue;
            };
            let tag = if metric.contains("stderr") {
                format!("stderr_{prefix}/{task}/{metric}")
            } else if let Some(suite) = suite {
                suite_values
                    .entry(suite.into())
                    .or_default()
                    .entry(metric.clone())
                    .or_default()
                    .push(value);
                format!("{prefix}_{suite}/{task}/{metric}")
            } else {
                format!("{prefix}/{task}/{metric}")
            };
            logged.push(Logged::Scalar { tag, value });
        }
    }
    for (suite, metrics) in suite_values {
        for (metric, values) in metrics {
            logged.push(Logged::Scalar {
                tag: format!("{prefix}/{suite}/{metric}"),
                value: values.iter().sum::<f64>() / values.len() as f64,
            });
        }
    }
    logged.push(Logged::Text {
        tag: "eval_config".into(),
        text: markdown_table(&Json::Object(rows)),
    });
    if let Some(Json::Object(summaries)) = results.as_map().get("summary_tasks") {
        for (task, summary) in summaries {
            let mut wrapped = Map::new();
            wrapped.insert("0".into(), summary.clone());
            logged.push(Logged::Text {
                tag: format!("eval_details_{task}"),
                text: markdown_table(&Json::Object(wrapped)),
            });
        }
    }
    logged
}

/// lighteval's `obj_to_markdown`: the value flattened with `/` between keys (sorted), as a
/// `Key | Value` table; `|` and line breaks in values become `_`.
pub fn markdown_table(value: &Json) -> String {
    let mut rows = Vec::new();
    flatten("", value, &mut rows);
    let mut table = String::from("|Key|Value|\n|---|---|\n");
    for (key, value) in rows {
        let value = value.replace(['|', '\n'], "_");
        table.push_str(&format!("|{}|{}|\n", key.replace('|', "\\|"), value));
    }
    table
}

fn flatten(prefix: &str, value: &Json, rows: &mut Vec<(String, String)>) {
    match value {
        Json::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}/{key}")
                };
                flatten(&path, &map[key], rows);
            }
        }
        Json::Str(text) => rows.push((prefix.to_owned(), text.clone())),
        other => {
            let options = WriteOptions {
                indent: None,
                non_finite: NonFinite::PythonTokens,
            };
            rows.push((prefix.to_owned(), pyjson::to_string(other, options)))
        }
    }
}

/// `{output_dir}/tb/{run}`.
pub fn tensorboard_dir(output_dir: &Path, options: &TensorboardOptions) -> PathBuf {
    let run = match &options.run_name {
        Some(run) => format!("{run}_{}", options.prefix),
        None => options.prefix.clone(),
    };
    output_dir.join("tb").join(run.trim_matches('/'))
}

/// Writes the event file (atomically) and returns its path. Its name is lighteval's after its
/// rename: `{step:07}_events.out.tfevents.{seconds:010}.{host}`, so runs at other steps sit beside
/// it.
pub fn write_tensorboard(
    output_dir: &Path,
    results: &ResultsFile,
    options: &TensorboardOptions,
    wall_time: f64,
) -> Result<PathBuf, PublishError> {
    let dir = tensorboard_dir(output_dir, options);
    // The run name and prefix come from the caller: they must not lead out of `output_dir/tb`.
    let relative = dir.strip_prefix(output_dir.join("tb")).unwrap_or(&dir);
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return Err(PublishError::File {
            path: dir.clone(),
            message: "the TensorBoard run name would leave OUTPUT_DIR/tb".into(),
        });
    }
    std::fs::create_dir_all(&dir).map_err(|e| store::StoreError::io(&dir, e))?;
    let mut file = EventFile::new(wall_time);
    for logged in tensorboard_values(results, &options.prefix) {
        match logged {
            Logged::Scalar { tag, value } => file.add_scalar(&tag, value, options.step, wall_time),
            Logged::Text { tag, text } => file.add_text(&tag, &text, options.step, wall_time),
        }
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && !h.contains(['/', '\\']))
        .unwrap_or_else(|| "localhost".into());
    let mut path = dir.join(format!(
        "{:07}_events.out.tfevents.{:010}.{host}",
        options.step, wall_time as u64
    ));
    // Two runs in the same second at the same step must not overwrite each other.
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!(
            "{:07}_events.out.tfevents.{:010}.{host}.{n}",
            options.step, wall_time as u64
        ));
        n += 1;
    }
    store::write_atomically(&path, &file.finish())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(text: &str) -> ResultsFile {
        store::parse_results(Path::new("test.json"), text).unwrap()
    }

    #[test]
    fn a_run_name_cannot_leave_the_tb_folder() {
        let results = results(r#"{"config_general": {}, "results": {}}"#);
        let dir = tempfile::tempdir().unwrap();
        for run_name in ["../escape", ""] {
            let options = TensorboardOptions {
                prefix: if run_name.is_empty() {
                    String::new()
                } else {
                    "eval".into()
                },
                run_name: (!run_name.is_empty()).then(|| run_name.to_owned()),
                step: 0,
            };
            assert!(
                write_tensorboard(dir.path(), &results, &options, 0.0).is_err(),
                "{run_name:?}"
            );
        }
        assert!(!dir.path().join("escape").exists());
    }

    #[test]
    fn tags_follow_lighteval() {
        let results = results(
            r#"{"config_general": {}, "results": {
                "mmlu:anatomy|5": {"acc": 0.5, "acc_stderr": 0.1},
                "mmlu:algebra|5": {"acc": 0.25, "acc_stderr": 0.1},
                "gsm8k|0": {"em": 1.0},
                "all": {"acc": 0.375, "em": 1.0}
            }, "versions": {}, "config_tasks": {}, "summary_tasks": {"gsm8k|0": {"hashes": {"full_prompt": "ab|c"}}},
            "summary_general": {}}"#,
        );
        let logged = tensorboard_values(&results, "eval");
        let scalars: Vec<(String, f64)> = logged
            .iter()
            .filter_map(|l| match l {
                Logged::Scalar { tag, value } => Some((tag.clone(), *value)),
                _ => None,
            })
            .collect();
        let expected = [
            ("eval_mmlu/mmlu:anatomy|5/acc", 0.5),
            ("stderr_eval/mmlu:anatomy|5/acc_stderr", 0.1),
            ("eval_mmlu/mmlu:algebra|5/acc", 0.25),
            ("stderr_eval/mmlu:algebra|5/acc_stderr", 0.1),
            ("eval/gsm8k|0/em", 1.0),
            ("eval/all/acc", 0.375),
            ("eval/all/em", 1.0),
            ("eval/mmlu/acc", 0.375),
        ];
        assert_eq!(scalars, expected.map(|(t, v)| (t.to_owned(), v)).to_vec());
        assert!(logged.contains(&Logged::Text {
            tag: "eval_details_gsm8k|0".into(),
            text: "|Key|Value|\n|---|---|\n|0/hashes/full_prompt|ab_c|\n".into(),
        }));
    }
}
