//! lm-evaluation-harness runs, read by the format's rules:
//!
//! ```text
//! <output_path>/<model_name_sanitized>/results_<date>.json
//! <output_path>/<model_name_sanitized>/samples_<task>_<date>.jsonl    (with --log_samples)
//! ```
//!
//! `<date>` pairs a results file with its samples. Metric keys are `metric,filter`: `acc,none`
//! is shown as `acc`, any other filter stays (`exact_match,strict-match`), and `metric_stderr,filter`
//! is its standard error. `alias`, `name`, `sample_len` and `sample_count` are not metrics, nor is
//! a blank key (a group without an aggregate is written `{" ": " "}`). Groups are derived rows,
//! shown as lm-eval's own table shows them (see [`tree`]). A samples file (`.jsonl`, or `.json`
//! holding JSON lines in 2024's files) has one line per document and filter; it is streamed, and
//! indexed by line offsets on first use so any line can be read alone.
//!
//! Every version since 0.3 is read: 0.3's `results` / `versions` / `config` files (metrics without
//! a filter), 0.4's `results_<date>.json`, a single `results.json`, and results-only dumps whose
//! `results` carry lm-eval's `metric,filter` keys or `alias`. A file without a date in its name
//! takes the run's date from its own `date` (a Unix time), or else from its modification time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fast_jsonl;
mod samples;
mod tree;

use samples::SamplesFile;
pub use samples::sample_detail;

use crate::model::{Json, Map, ResultsFile, pyjson};
use crate::store::{
    FileHead, FoundRuns, Harness, HarnessRun, LogFormat, LogRun, Result, Run, SampleLog, StoreError,
};

/// Keys of a results entry that are not metrics.
const NOT_METRICS: [&str; 4] = ["alias", "name", "sample_len", "sample_count"];
/// Top-level keys only lm-eval's results files have.
const RESULTS_KEYS: [&str; 7] = [
    "lm_eval_version",
    "group_subtasks",
    "n-shot",
    "higher_is_better",
    "n-samples",
    "model_name_sanitized",
    "task_hashes",
];
/// Sections of a results file that are per task; the rest describe the run.
const TASK_SECTIONS: [&str; 8] = [
    "results",
    "groups",
    "group_subtasks",
    "configs",
    "versions",
    "n-shot",
    "higher_is_better",
    "n-samples",
];

pub struct LmEvalFormat;

impl LogFormat for LmEvalFormat {
    fn harness(&self) -> Harness {
        Harness::LmEval
    }

    fn claims(&self, path: &Path, head: &FileHead) -> bool {
        let name = file_name(path);
        // A samples file is JSON lines, whatever its extension: 2024's were named `.json`.
        let first_line = if name.ends_with(".jsonl") {
            &head.first_line_keys
        } else {
            &head.json_keys
        };
        let has = |key: &str| first_line.iter().any(|k| k == key);
        if has("doc_id") && (has("resps") || has("arguments")) {
            return true;
        }
        if name.ends_with(".jsonl") || head.has_key("config_general") || !head.has_key("results") {
            return false;
        }
        RESULTS_KEYS.iter().any(|k| head.has_key(k))
            // 0.3: `results`, `versions` and `config`; lighteval's forerunner (the 2023 Open
            // LLM Leaderboard's files) wrote the same keys, with `config.lighteval_sha`.
            || (head.has_key("versions") && head.has_key("config") && !has_lighteval_sha(path))
            || results_look_like_lm_eval(path)
    }

    fn runs(&self, _root: &Path, files: &[PathBuf]) -> FoundRuns {
        let mut found = FoundRuns::default();
        // Every (folder, date) named by a claimed file; the files of that run are looked up
        // beside it, so naming one file of a run brings the rest.
        let mut keys: Vec<(PathBuf, String)> = Vec::new();
        for path in files {
            let folder = path.parent().unwrap_or(Path::new(".")).to_owned();
            let date = match run_date(file_name(path)) {
                Some(date) => date.to_owned(),
                None => stem(path),
            };
            if !keys.iter().any(|(f, d)| *f == folder && *d == date) {
                keys.push((folder, date));
            }
        }
        for (folder, date) in keys {
            match LmEvalRun::find(&folder, &date, files) {
                Ok(run) => {
                    let model = run.model_name();
                    let details = run.samples.clone();
                    let date_id = run.date_id();
                    found.runs.push(Run {
                        results_path: run.results_path.clone(),
                        details,
                        harness: Harness::LmEval,
                        log: Some(LogRun(Arc::new(run))),
                        ..Run::lighteval(&model, &date_id)
                    });
                }
                Err(error) => found.unreadable.push(error),
            }
        }
        found
    }
}

/// Whether a samples file, by its content: its first line is a document (`doc_id`).
fn is_samples_file(path: &Path) -> bool {
    crate::store::file_head(path).is_ok_and(|head| {
        let keys = if head.first_line_keys.is_empty() {
            &head.json_keys
        } else {
            &head.first_line_keys
        };
        keys.iter().any(|k| k == "doc_id")
    })
}

/// Whether `config.lighteval_sha` is set: a lighteval results file of before `config_general`.
fn has_lighteval_sha(path: &Path) -> bool {
    read_small_json(path).is_some_and(|map| {
        map.get("config")
            .and_then(|c| c.get("lighteval_sha"))
            .is_some()
    })
}

/// A JSON object from a file small enough to parse whole for a look at its content.
fn read_small_json(path: &Path) -> Option<Map> {
    const LARGEST: u64 = 64 << 20;
    if std::fs::metadata(path).map_or(true, |m| m.len() > LARGEST) {
        return None;
    }
    match pyjson::parse(&std::fs::read_to_string(path).ok()?) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

/// Whether a results-only dump (`{model, tasks, num_fewshot, results}`) holds lm-eval's results:
/// some entry has a `metric,filter` key or an `alias`. Read only for small files that nothing
/// else claimed.
fn results_look_like_lm_eval(path: &Path) -> bool {
    let Some(map) = read_small_json(path) else {
        return false;
    };
    let Some(results) = map.get("results").and_then(Json::as_object) else {
        return false;
    };
    !results.is_empty()
        && results.values().all(|entry| entry.as_object().is_some())
        && results.values().filter_map(Json::as_object).any(|entry| {
            entry.keys().any(|k| {
                k == "alias"
                    || k.split_once(',')
                        .is_some_and(|(m, f)| !m.is_empty() && !f.is_empty())
            })
        })
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "?".into(), |s| s.to_string_lossy().into_owned())
}

/// The date of `results_<date>.json` or `samples_<task>_<date>.jsonl` (a date never holds `_`).
fn run_date(name: &str) -> Option<&str> {
    if let Some(date) = name
        .strip_prefix("results_")
        .and_then(|n| n.strip_suffix(".json"))
    {
        return (!date.is_empty()).then_some(date);
    }
    samples_task_and_date(name).map(|(_, date)| date)
}

/// `samples_<task>_<date>.jsonl` (or `.json`) → `(task, date)`.
pub(crate) fn samples_task_and_date(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("samples_")?;
    let stem = rest
        .strip_suffix(".jsonl")
        .or_else(|| rest.strip_suffix(".json"))?;
    let (task, date) = stem.rsplit_once('_')?;
    (!task.is_empty() && !date.is_empty()).then_some((task, date))
}

/// One run: a results file and the samples files of the same date beside it.
struct LmEvalRun {
    folder: PathBuf,
    date: String,
    results_path: Option<PathBuf>,
    /// Parsed once, when the source is opened (it names the model).
    results: Option<Map>,
    /// `(task, samples file)`, sorted by task.
    samples: Vec<(String, PathBuf)>,
}

impl LmEvalRun {
    fn find(folder: &Path, date: &str, claimed: &[PathBuf]) -> Result<LmEvalRun> {
        let mut results_path = None;
        let mut samples = Vec::new();
        let entries = std::fs::read_dir(folder).map_err(|e| StoreError::Io {
            path: folder.to_owned(),
            source: e,
        })?;
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            let name = file_name(&path);
            if name == format!("results_{date}.json") {
                results_path = Some(path);
            } else if let Some((task, d)) = samples_task_and_date(name)
                && d == date
            {
                samples.push((task.to_owned(), path));
            }
        }
        // A file named alone outside the naming (`my_results.json`) is its own run.
        for path in claimed {
            if path.parent() == Some(folder) && stem(path) == date {
                if is_samples_file(path) {
                    samples.push((date.to_owned(), path.clone()));
                } else {
                    results_path = Some(path.clone());
                }
            }
        }
        samples.sort();
        let results = match &results_path {
            Some(path) => Some(read_results_map(path)?),
            None => None,
        };
        Ok(LmEvalRun {
            folder: folder.to_owned(),
            date: date.to_owned(),
            results_path,
            results,
            samples,
        })
    }

    /// `model_name` from the results, else `config.model_args`' `pretrained` (or an API model's
    /// `model`), else a results-only dump's own `model`, else the folder when lm-eval named it
    /// (`org__model`), else the model class (`config.model`), else the folder.
    fn model_name(&self) -> String {
        let results = self.results.as_ref();
        let folder = file_name(&self.folder);
        let text = |value: Option<&Json>| {
            value
                .and_then(Json::as_str)
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
        };
        text(results.and_then(|r| r.get("model_name")))
            .or_else(|| {
                let args = results?.get("config")?.get("model_args")?;
                match args {
                    Json::Object(map) => text(map.get("pretrained").or_else(|| map.get("model"))),
                    // Older versions keep the command line's `pretrained=…,dtype=…` string.
                    Json::Str(line) => ["pretrained=", "model="].iter().find_map(|key| {
                        line.split(',')
                            .find_map(|kv| kv.trim().strip_prefix(key))
                            .filter(|m| !m.is_empty())
                            .map(str::to_owned)
                    }),
                    _ => None,
                }
            })
            .or_else(|| text(results.and_then(|r| r.get("model"))))
            .or_else(|| folder.contains("__").then(|| folder.replace("__", "/")))
            .or_else(|| text(results.and_then(|r| r.get("config")?.get("model"))))
            .unwrap_or_else(|| folder.replace("__", "/"))
    }

    /// The run's date: the one in its file names, else the results' own `date` (a Unix time,
    /// written as lm-eval names files, in UTC), else the results file's modification time.
    fn date_id(&self) -> String {
        let named = self
            .results_path
            .iter()
            .chain(self.samples.iter().map(|(_, p)| p))
            .any(|p| run_date(file_name(p)).is_some());
        if named {
            return self.date.clone();
        }
        let stamp = self
            .results
            .as_ref()
            .and_then(|r| r.get("date"))
            .and_then(Json::as_f64)
            .filter(|t| t.is_finite() && *t > 0.0)
            .and_then(|t| chrono::DateTime::from_timestamp_micros((t * 1e6).round() as i64))
            .or_else(|| {
                let path = self
                    .results_path
                    .as_ref()
                    .or(self.samples.first().map(|(_, p)| p))?;
                let modified = std::fs::metadata(path).ok()?.modified().ok()?;
                Some(chrono::DateTime::<chrono::Utc>::from(modified))
            });
        match stamp {
            Some(time) => time.format("%Y-%m-%dT%H-%M-%S%.6f").to_string(),
            None => self.date.clone(),
        }
    }
}

fn read_results_map(path: &Path) -> Result<Map> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    match pyjson::parse(&text) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(StoreError::log(
            path,
            format!(
                "an lm-eval results file whose top level is {}",
                other.kind()
            ),
        )),
        Err(source) => Err(StoreError::Json {
            path: path.to_owned(),
            source,
        }),
    }
}

impl HarnessRun for LmEvalRun {
    fn harness(&self) -> Harness {
        Harness::LmEval
    }

    fn results(&self) -> Result<ResultsFile> {
        let Some(source) = &self.results else {
            let first = self.samples.first().map(|(_, p)| p.clone());
            return Err(StoreError::log(
                first.unwrap_or_else(|| self.folder.clone()),
                format!(
                    "lm-eval samples with no results_{}.json beside them; the run's scores are in that file",
                    self.date
                ),
            ));
        };
        let path = self.results_path.clone().unwrap_or_default();
        let section = |key: &str| source.get(key).and_then(Json::as_object);
        let mut general = Map::new();
        general.insert("model_name".into(), Json::from(self.model_name()));
        for (key, value) in source {
            // `samples` is the per-sample log some wrappers of simple_evaluate embed in the
            // results (a 400 KB list in one wild file): samples, not run configuration.
            if !TASK_SECTIONS.contains(&key.as_str()) && key != "task_hashes" && key != "samples" {
                general.insert(key.clone(), value.clone());
            }
        }
        let mut results = Map::new();
        let mut counts = Map::new();
        let mut sample_metrics = Map::new();
        let tree = tree::task_tree(source);
        let mut unread_by_task: std::collections::HashMap<String, Map> = Default::default();
        let groups: Vec<String> = tree
            .iter()
            .filter(|row| row.is_group)
            .map(|row| row.task.clone())
            .collect();
        let entries = section("results");
        // Rows in the order lm-eval's table prints them, a group before its subtasks.
        for row in &tree {
            let task = &row.task;
            let entry = match entries.and_then(|e| e.get(task)) {
                Some(Json::Object(entry)) => entry,
                Some(_) => {
                    return Err(StoreError::log(
                        &path,
                        format!("results.{task} is not an object"),
                    ));
                }
                // A group listed only in `group_subtasks`: a header row.
                None => {
                    results.insert(task.clone(), Json::Object(Map::new()));
                    continue;
                }
            };
            results.insert(task.clone(), Json::Object(metric_row(entry)));
            let unread = unread_fields(entry);
            if !unread.is_empty() {
                unread_by_task.insert(task.clone(), unread);
            }
            sample_metrics.insert(task.clone(), Json::Object(sample_sources(entry)));
            let n_samples = section("n-samples").and_then(|n| n.get(task));
            let count = n_samples
                .and_then(|n| n.get("effective").or_else(|| n.get("original")))
                .and_then(Json::as_i64)
                .or_else(|| entry.get("sample_len").and_then(Json::as_i64))
                .or_else(|| entry.get("sample_count").and_then(Json::as_i64));
            if let Some(count) = count {
                counts.insert(task.clone(), Json::Int(count));
            }
        }
        let mut configs = Map::new();
        for task in results.keys() {
            let mut config = Map::new();
            if let Some(alias) = section("results")
                .and_then(|r| r.get(task))
                .and_then(|e| e.get("alias"))
            {
                config.insert("alias".into(), alias.clone());
            }
            for (section_key, key) in [
                ("versions", "version"),
                ("n-shot", "n-shot"),
                ("higher_is_better", "higher_is_better"),
                ("n-samples", "n-samples"),
                ("task_hashes", "task_hash"),
            ] {
                if let Some(value) = section(section_key).and_then(|s| s.get(task)) {
                    config.insert(key.into(), value.clone());
                }
            }
            if let Some(unread) = unread_by_task.remove(task) {
                config.insert(
                    "results fields not read as metrics".into(),
                    Json::Object(unread),
                );
            }
            if let Some(subtasks) = section("group_subtasks").and_then(|g| g.get(task)) {
                config.insert("group_subtasks".into(), subtasks.clone());
            }
            if let Some(Json::Object(task_config)) = section("configs").and_then(|c| c.get(task)) {
                for (key, value) in task_config {
                    config.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
            configs.insert(task.clone(), Json::Object(config));
        }
        let mut root = Map::new();
        root.insert("config_general".into(), Json::Object(general));
        root.insert("results".into(), Json::Object(results));
        root.insert(
            "versions".into(),
            source
                .get("versions")
                .cloned()
                .unwrap_or(Json::Object(Map::new())),
        );
        root.insert("config_tasks".into(), Json::Object(configs));
        let mut harness =
            crate::model::harness_section(Harness::LmEval.name(), &groups, counts, sample_metrics);
        if let Json::Object(section) = &mut harness {
            section.insert("tree".into(), tree_section(&tree));
        }
        root.insert(crate::model::HARNESS_SECTION.into(), harness);
        ResultsFile::from_json(Json::Object(root))
            .map_err(|source| StoreError::Shape { path, source })
    }

    fn samples(&self, task: &str) -> Result<Arc<dyn SampleLog>> {
        match self.samples.iter().find(|(t, _)| t == task) {
            Some((_, path)) => Ok(Arc::new(SamplesFile::open(task, path)?)),
            None => Err(StoreError::log(
                self.results_path
                    .clone()
                    .unwrap_or_else(|| self.folder.clone()),
                format!(
                    "no samples_{task}_{}.jsonl beside it (lm-eval writes samples with --log_samples); tasks with samples: {}",
                    self.date,
                    if self.samples.is_empty() {
                        "none".to_owned()
                    } else {
                        self.samples
                            .iter()
                            .map(|(t, _)| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            )),
        }
    }

    /// `<model_name_sanitized>/<file>`, as lm-eval writes them.
    fn files(&self) -> Vec<(PathBuf, PathBuf)> {
        let folder = self.model_name().replace('/', "__");
        self.results_path
            .iter()
            .cloned()
            .chain(self.samples.iter().map(|(_, p)| p.clone()))
            .map(|path| {
                let name = path.file_name().map(PathBuf::from).unwrap_or_default();
                (path, Path::new(&folder).join(name))
            })
            .collect()
    }
}

/// The tree as [`ResultsFile::tree_node`] reads it: task → `{depth, root, label, alias}`.
fn tree_section(tree: &[tree::TreeRow]) -> Json {
    let mut section = Map::new();
    for row in tree {
        let mut node = Map::new();
        node.insert("depth".into(), Json::Int(row.depth as i64));
        node.insert("root".into(), Json::from(row.root.as_str()));
        node.insert("label".into(), Json::from(row.label.as_str()));
        node.insert("alias".into(), Json::from(row.alias.as_str()));
        section.insert(row.task.clone(), Json::Object(node));
    }
    Json::Object(section)
}

/// Where each metric of a `results` entry has its per-sample values: `exact_match,strict-match`
/// is `exact_match` on the `strict-match` lines.
fn sample_sources(entry: &Map) -> Map {
    let mut sources = Map::new();
    for (key, value) in entry {
        let (metric, filter) = match key.split_once(',') {
            Some((metric, filter)) => (metric, Some(filter)),
            None => (key.as_str(), None),
        };
        if is_not_a_metric(metric) || metric.ends_with("_stderr") || !is_metric_value(metric, value)
        {
            continue;
        }
        let shown = match filter {
            None | Some("none") => metric.to_owned(),
            Some(filter) => format!("{metric},{filter}"),
        };
        let mut source = Map::new();
        source.insert("key".into(), Json::from(metric));
        if let Some(filter) = filter {
            source.insert("filter".into(), Json::from(filter));
        }
        sources.insert(shown, Json::Object(source));
    }
    sources
}

/// `alias`, `name`, `sample_len`, `sample_count`, and the blank key of a group without an
/// aggregate (`" ": " "`).
fn is_not_a_metric(metric: &str) -> bool {
    NOT_METRICS.contains(&metric) || metric.trim().is_empty()
}

/// Whether a value of a `results` entry is a metric's: a number (or null), or the "N/A" text of
/// a standard error lm-eval could not compute. Anything else is a field evaldeck does not read
/// as a metric: the config panel shows it as it is.
fn is_metric_value(metric: &str, value: &Json) -> bool {
    match value {
        Json::Int(_) | Json::Float(_) | Json::BigInt(_) | Json::Null => true,
        Json::Str(_) => metric.ends_with("_stderr"),
        _ => false,
    }
}

/// The fields of a `results` entry that are neither metrics nor lm-eval's own bookkeeping.
fn unread_fields(entry: &Map) -> Map {
    entry
        .iter()
        .filter(|(key, value)| {
            let metric = key.split_once(',').map_or(key.as_str(), |(m, _)| m);
            !NOT_METRICS.contains(&metric)
                && !metric.trim().is_empty()
                && !is_metric_value(metric, value)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// One entry of `results` as lighteval-shaped `metric` / `metric_stderr` keys.
fn metric_row(entry: &Map) -> Map {
    let mut row = Map::new();
    for (key, value) in entry {
        let (metric, filter) = match key.split_once(',') {
            Some((metric, filter)) => (metric, Some(filter)),
            None => (key.as_str(), None),
        };
        if is_not_a_metric(metric) || !is_metric_value(metric, value) {
            continue;
        }
        // Bootstrap-less stderrs are written as "N/A".
        let value = match value {
            Json::Str(_) => Json::Null,
            other => other.clone(),
        };
        let (base, is_stderr) = match metric.strip_suffix("_stderr") {
            Some(base) => (base, true),
            None => (metric, false),
        };
        let shown = match filter {
            None | Some("none") => base.to_owned(),
            Some(filter) => format!("{base},{filter}"),
        };
        let name = if is_stderr {
            format!("{shown}_stderr")
        } else {
            shown
        };
        row.insert(name, value);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_keys_drop_the_none_filter_and_keep_the_others() {
        let entry = match pyjson::parse(
            r#"{"name": "t", "alias": "t", "sample_len": 8, "acc,none": 0.3, "acc_stderr,none": 0.1,
               "exact_match,strict-match": 0.5, "exact_match_stderr,strict-match": "N/A"}"#,
        ) {
            Ok(Json::Object(map)) => map,
            other => panic!("{other:?}"),
        };
        let row = metric_row(&entry);
        let keys: Vec<&str> = row.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "acc",
                "acc_stderr",
                "exact_match,strict-match",
                "exact_match,strict-match_stderr"
            ]
        );
        assert_eq!(row["exact_match,strict-match_stderr"], Json::Null);
    }

    #[test]
    fn fields_that_are_not_numbers_are_never_metrics() {
        let Ok(Json::Object(entry)) = pyjson::parse(
            r#"{"alias": "t", " ": " ", "acc,none": 0.5, "acc_stderr,none": "N/A",
               "judge_model,none": "gpt-4", "per_class,none": {"a": 1}}"#,
        ) else {
            panic!("an object")
        };
        let row = metric_row(&entry);
        assert_eq!(row.keys().collect::<Vec<_>>(), ["acc", "acc_stderr"]);
        assert_eq!(row["acc_stderr"], Json::Null);
        let unread = unread_fields(&entry);
        assert_eq!(
            unread.keys().collect::<Vec<_>>(),
            ["judge_model,none", "per_class,none"]
        );
    }

    #[test]
    fn file_names_give_task_and_date() {
        assert_eq!(
            samples_task_and_date("samples_toy_group_sci_2026-11-30T02-37-30.831220.jsonl"),
            Some(("toy_group_sci", "2026-11-30T02-37-30.831220"))
        );
        assert_eq!(
            run_date("results_2026-11-30T02-37-30.831220.json"),
            Some("2026-11-30T02-37-30.831220")
        );
    }
}
