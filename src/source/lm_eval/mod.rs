//! lm-evaluation-harness runs, read by the format's rules:
//!
//! ```text
//! <output_path>/<model_name_sanitized>/results_<date>.json
//! <output_path>/<model_name_sanitized>/samples_<task>_<date>.jsonl    (with --log_samples)
//! ```
//!
//! `<date>` pairs a results file with its samples. Metric keys are `metric,filter`: `acc,none`
//! is shown as `acc`, any other filter stays (`exact_match,strict-match`), and `metric_stderr,filter`
//! is its standard error. `alias`, `name`, `sample_len` and `sample_count` are not metrics.
//! Groups (`group_subtasks`) are derived rows. A samples file has one line per document and
//! filter; it is streamed, and indexed by line offsets on first use so any line can be read alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fast_jsonl;
mod samples;

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
        if name.ends_with(".jsonl") {
            return head.first_line_has("doc_id")
                && (head.first_line_has("resps") || head.first_line_has("arguments"));
        }
        !head.has_key("config_general")
            && head.has_key("results")
            && RESULTS_KEYS.iter().any(|k| head.has_key(k))
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
                    found.runs.push(Run {
                        results_path: run.results_path.clone(),
                        details,
                        harness: Harness::LmEval,
                        log: Some(LogRun(Arc::new(run))),
                        ..Run::lighteval(&model, &date)
                    });
                }
                Err(error) => found.unreadable.push(error),
            }
        }
        found
    }
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

/// `samples_<task>_<date>.jsonl` → `(task, date)`.
fn samples_task_and_date(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_prefix("samples_")?.strip_suffix(".jsonl")?;
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
                if file_name(path).ends_with(".jsonl") {
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

    /// `model_name` from the results, else `config.model_args` `pretrained`, else the folder
    /// (lm-eval names it after the model, `/` as `__`).
    fn model_name(&self) -> String {
        let results = self.results.as_ref();
        results
            .and_then(|r| r.get("model_name"))
            .and_then(Json::as_str)
            .filter(|m| !m.is_empty())
            .or_else(|| {
                let args = results?.get("config")?.get("model_args")?;
                match args {
                    Json::Object(map) => map.get("pretrained")?.as_str(),
                    // Older versions keep the command line's `pretrained=…,dtype=…` string.
                    Json::Str(text) => text
                        .split(',')
                        .find_map(|kv| kv.strip_prefix("pretrained=")),
                    _ => None,
                }
            })
            .map(str::to_owned)
            .unwrap_or_else(|| file_name(&self.folder).replace("__", "/"))
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
            if !TASK_SECTIONS.contains(&key.as_str()) && key != "task_hashes" {
                general.insert(key.clone(), value.clone());
            }
        }
        let mut results = Map::new();
        let mut counts = Map::new();
        let mut sample_metrics = Map::new();
        let groups: Vec<String> = section("group_subtasks")
            .into_iter()
            .flat_map(|g| g.keys().cloned())
            .chain(
                section("groups")
                    .into_iter()
                    .flat_map(|g| g.keys().cloned()),
            )
            .collect();
        for (task, entry) in section("results").into_iter().flatten() {
            let Some(entry) = entry.as_object() else {
                return Err(StoreError::log(
                    &path,
                    format!("results.{task} is not an object"),
                ));
            };
            results.insert(task.clone(), Json::Object(metric_row(entry)));
            sample_metrics.insert(task.clone(), Json::Object(sample_sources(entry)));
            let count = section("n-samples")
                .and_then(|n| n.get(task))
                .and_then(|n| n.get("effective"))
                .and_then(Json::as_i64)
                .or_else(|| entry.get("sample_len").and_then(Json::as_i64));
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
        root.insert(
            crate::model::HARNESS_SECTION.into(),
            crate::model::harness_section(Harness::LmEval.name(), &groups, counts, sample_metrics),
        );
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

/// Where each metric of a `results` entry has its per-sample values: `exact_match,strict-match`
/// is `exact_match` on the `strict-match` lines.
fn sample_sources(entry: &Map) -> Map {
    let mut sources = Map::new();
    for key in entry.keys() {
        let (metric, filter) = match key.split_once(',') {
            Some((metric, filter)) => (metric, Some(filter)),
            None => (key.as_str(), None),
        };
        if NOT_METRICS.contains(&metric) || metric.ends_with("_stderr") {
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

/// One entry of `results` as lighteval-shaped `metric` / `metric_stderr` keys.
fn metric_row(entry: &Map) -> Map {
    let mut row = Map::new();
    for (key, value) in entry {
        let (metric, filter) = match key.split_once(',') {
            Some((metric, filter)) => (metric, Some(filter)),
            None => (key.as_str(), None),
        };
        if NOT_METRICS.contains(&metric) {
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
