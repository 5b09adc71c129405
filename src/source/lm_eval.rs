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

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::model::{Detail, Doc, Json, Map, ModelResponse, ResultsFile, pyjson};
use crate::store::{
    FileHead, FoundRuns, Harness, HarnessRun, LogFormat, LogRows, LogRun, Result, Run, SampleLog,
    StoreError,
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
            crate::model::harness_section(Harness::LmEval.name(), &groups, counts),
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

/// One `samples_<task>_<date>.jsonl`.
struct SamplesFile {
    task: String,
    path: PathBuf,
    metric_names: Vec<String>,
    /// Byte offset of every line, found by one scan on first use.
    offsets: OnceLock<std::result::Result<Arc<Vec<u64>>, String>>,
}

impl SamplesFile {
    fn open(task: &str, path: &Path) -> Result<SamplesFile> {
        let file = File::open(path).map_err(|e| StoreError::Io {
            path: path.to_owned(),
            source: e,
        })?;
        let mut first = String::new();
        BufReader::new(file)
            .read_line(&mut first)
            .map_err(|e| StoreError::log(path, format!("line 1: {e}")))?;
        let metric_names = if first.trim().is_empty() {
            Vec::new()
        } else {
            let line = parse_line(path, 1, &first)?;
            metric_names_of(&line)
        };
        Ok(SamplesFile {
            task: task.to_owned(),
            path: path.to_owned(),
            metric_names,
            offsets: OnceLock::new(),
        })
    }

    fn offsets(&self) -> Result<Arc<Vec<u64>>> {
        self.offsets
            .get_or_init(|| {
                line_offsets(&self.path)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|message| StoreError::log(&self.path, message))
    }
}

/// The start of every non-empty line.
fn line_offsets(path: &Path) -> std::io::Result<Vec<u64>> {
    let mut file = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut offsets = Vec::new();
    let mut position = 0u64;
    let mut line_start = true;
    let mut blank = true;
    let mut start = 0u64;
    loop {
        let buffer = file.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        for (i, &byte) in buffer.iter().enumerate() {
            if line_start {
                start = position + i as u64;
                line_start = false;
                blank = true;
            }
            if byte == b'\n' {
                if !blank {
                    offsets.push(start);
                }
                line_start = true;
            } else if !byte.is_ascii_whitespace() {
                blank = false;
            }
        }
        let read = buffer.len();
        position += read as u64;
        file.consume(read);
    }
    if !line_start && !blank {
        offsets.push(start);
    }
    Ok(offsets)
}

fn parse_line(path: &Path, number: usize, line: &str) -> Result<Map> {
    match pyjson::parse(line.trim_end()) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(StoreError::log(
            path,
            format!(
                "line {number}: a {} where a sample object was expected",
                other.kind()
            ),
        )),
        Err(e) => Err(StoreError::log(
            path,
            format!("line {number}: not JSON: {e}"),
        )),
    }
}

fn metric_names_of(line: &Map) -> Vec<String> {
    line.get("metrics")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect()
}

impl SampleLog for SamplesFile {
    fn path(&self) -> &Path {
        &self.path
    }

    fn num_rows(&self) -> u64 {
        self.offsets().map_or(0, |o| o.len() as u64)
    }

    fn metric_names(&self) -> Vec<String> {
        self.metric_names.clone()
    }

    fn rows(self: Arc<Self>, batch_rows: usize) -> Result<LogRows> {
        let file = File::open(&self.path).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            source: e,
        })?;
        let mut lines = BufReader::with_capacity(1 << 20, file).lines().enumerate();
        let batch = batch_rows.max(1);
        let mut failed = false;
        Ok(Box::new(std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let mut rows = Vec::new();
            for (index, line) in lines.by_ref() {
                let number = index + 1;
                let parsed = line
                    .map_err(|e| StoreError::log(&self.path, format!("line {number}: {e}")))
                    .and_then(|line| {
                        if line.trim().is_empty() {
                            return Ok(None);
                        }
                        let raw = parse_line(&self.path, number, &line)?;
                        let detail = sample_detail(&self.task, &raw);
                        Ok(Some((raw, detail)))
                    });
                match parsed {
                    Ok(Some(row)) => rows.push(row),
                    Ok(None) => {}
                    Err(error) => {
                        failed = true;
                        return Some(Err(error));
                    }
                }
                if rows.len() >= batch {
                    break;
                }
            }
            (!rows.is_empty()).then_some(Ok(rows))
        })))
    }

    /// Each line's own text is copied, not rebuilt: only the fields the common keys need are
    /// parsed (a line serde_json cannot read, one with a bare `NaN`, takes the full path).
    fn write_common_jsonl(
        &self,
        limit: u64,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Option<Result<()>> {
        Some(self.copy_lines_with_common_keys(limit, out, out_name))
    }

    fn read_row(&self, index: u64) -> Result<(Map, Detail)> {
        let offsets = self.offsets()?;
        let position = usize::try_from(index).unwrap_or(usize::MAX);
        let Some(&start) = offsets.get(position) else {
            return Err(StoreError::log(
                &self.path,
                format!(
                    "row {index} asked for, the file has {} lines",
                    offsets.len()
                ),
            ));
        };
        let mut file = File::open(&self.path).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            source: e,
        })?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| StoreError::log(&self.path, e))?;
        let mut line = String::new();
        BufReader::new(file.take(u64::MAX))
            .read_line(&mut line)
            .map_err(|e| StoreError::log(&self.path, e))?;
        // Line numbers count blank lines too; the index skips them, so name the row instead.
        let raw = parse_line(&self.path, position + 1, &line)?;
        let detail = sample_detail(&self.task, &raw);
        Ok((raw, detail))
    }
}

impl SamplesFile {
    fn copy_lines_with_common_keys(
        &self,
        limit: u64,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<()> {
        let file = File::open(&self.path).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            source: e,
        })?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = String::new();
        let mut text = String::new();
        let mut written = 0u64;
        let mut number = 0usize;
        while written < limit {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|e| StoreError::log(&self.path, format!("line {}: {e}", number + 1)))?;
            if read == 0 {
                break;
            }
            number += 1;
            if line.trim().is_empty() {
                continue;
            }
            text.clear();
            if fast_line(line.trim_end(), &mut text).is_none() {
                // Not for the fast path (a bare NaN, an odd shape): the full reading, which
                // also names a line that is not JSON.
                let raw = parse_line(&self.path, number, &line)?;
                let detail = sample_detail(&self.task, &raw);
                text.clear();
                text.push_str(&pyjson::to_string(
                    &crate::store::with_common_keys(raw, &detail),
                    pyjson::WriteOptions::STRICT_COMPACT,
                ));
            }
            text.push('\n');
            out.write_all(text.as_bytes()).map_err(|e| StoreError::Io {
                path: out_name.to_owned(),
                source: e,
            })?;
            written += 1;
        }
        Ok(())
    }
}

/// The common keys a line's [`sample_detail`] gives, then the line's own fields copied as
/// written; `None` when the line is not for this path. Equal, as JSON, to
/// [`crate::store::with_common_keys`] of the line (a test holds them together).
fn fast_line(line: &str, out: &mut String) -> Option<()> {
    use serde_json::value::RawValue;
    let fields: indexmap::IndexMap<String, &RawValue> = serde_json::from_str(line).ok()?;
    let field = |key: &str| fields.get(key).map(|raw| raw.get());
    let string = |raw: &str| serde_json::from_str::<String>(raw).ok();
    // `id`: doc_id, with the filter unless it is `none`.
    let doc_id = match field("doc_id") {
        Some(raw) if raw.starts_with('"') => string(raw)?,
        Some(raw) => raw.to_owned(),
        None => String::new(),
    };
    let filter = field("filter").and_then(string);
    let id = match filter.as_deref() {
        Some(filter) if filter != "none" => format!("{doc_id}/{filter}"),
        _ => doc_id,
    };
    // The requests: the first context is the input; continuations are the choices.
    let arguments: indexmap::IndexMap<String, indexmap::IndexMap<String, &RawValue>> =
        match field("arguments") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => indexmap::IndexMap::new(),
        };
    let requests: Vec<&indexmap::IndexMap<String, &RawValue>> = arguments.values().collect();
    fn arg<'a>(r: &indexmap::IndexMap<String, &'a RawValue>, key: &str) -> Option<&'a str> {
        r.get(key).map(|v| v.get())
    }
    let loglikelihood = !requests.is_empty()
        && requests
            .iter()
            .all(|r| arg(r, "arg_1").is_some_and(|a| a.starts_with('"')));
    let choices: Vec<&str> = if loglikelihood && requests.len() > 1 {
        requests.iter().filter_map(|r| arg(r, "arg_1")).collect()
    } else {
        Vec::new()
    };
    // Anything but plain strings where text is expected takes the full path.
    let input = match requests.first().and_then(|r| arg(r, "arg_0")) {
        Some(raw) if raw.starts_with('"') => raw,
        Some(_) => return None,
        None => "\"\"",
    };
    let targets: Vec<String> = match field("target") {
        None | Some("null") => Vec::new(),
        Some(raw) if raw.starts_with('"') => vec![raw.to_owned()],
        Some(raw) if raw.starts_with('[') => {
            let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
            items
                .iter()
                .map(|i| quoted(i.get()))
                .collect::<Option<_>>()?
        }
        Some(raw) => vec![quoted(raw)?],
    };
    let gold_choices: Vec<&str> = if choices.is_empty() {
        Vec::new()
    } else {
        targets
            .iter()
            .filter_map(|t| string(t)?.trim().parse::<i64>().ok())
            .filter(|&i| i >= 0 && (i as usize) < choices.len())
            .map(|i| choices[i as usize])
            .collect()
    };
    let golds: Vec<&str> = if gold_choices.is_empty() {
        targets.iter().map(String::as_str).collect()
    } else {
        gold_choices
    };
    let prediction = if loglikelihood {
        let filtered: Vec<serde_json::Value> = match field("filtered_resps") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => Vec::new(),
        };
        let logprob = |r: &serde_json::Value| -> f64 {
            let first = r.as_array().and_then(|pair| pair.first()).unwrap_or(r);
            match first {
                serde_json::Value::String(s) => s.parse().unwrap_or(f64::NAN),
                other => other.as_f64().unwrap_or(f64::NAN),
            }
        };
        let best = filtered
            .iter()
            .map(logprob)
            .enumerate()
            .filter(|(_, lp)| !lp.is_nan())
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        match best {
            Some(i) => choices.get(i).copied().unwrap_or("\"\""),
            None => "\"\"",
        }
    } else {
        // The first generation, as `sample_detail` flattens `resps`.
        let resps: Vec<&RawValue> = match field("resps") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => Vec::new(),
        };
        match resps.first().map(|r| r.get()) {
            Some(raw) if raw.starts_with('[') => {
                let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
                match items.first().map(|i| i.get()) {
                    Some(first) if first.starts_with('"') => first,
                    Some(_) => return None,
                    None => "\"\"",
                }
            }
            Some(raw) if raw.starts_with('"') => raw,
            Some(_) => return None,
            None => "\"\"",
        }
    };
    let metric_names: Vec<String> = match field("metrics") {
        Some(raw) => serde_json::from_str::<Vec<serde_json::Value>>(raw)
            .ok()?
            .into_iter()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect(),
        None => Vec::new(),
    };
    out.push_str("{\"id\":");
    pyjson::write_string(out, &id);
    out.push_str(",\"input\":");
    out.push_str(input);
    out.push_str(",\"target\":[");
    for (i, gold) in golds.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(gold);
    }
    out.push_str("],\"prediction\":");
    out.push_str(prediction);
    out.push_str(",\"scores\":{");
    let mut first = true;
    for name in &metric_names {
        let Some(value) =
            field(name).and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
        else {
            continue;
        };
        let number = match value {
            serde_json::Value::Bool(b) => f64::from(u8::from(b)),
            serde_json::Value::Number(n) => match n.as_f64() {
                Some(f) => f,
                None => continue,
            },
            _ => continue,
        };
        if !first {
            out.push(',');
        }
        first = false;
        pyjson::write_string(out, name);
        out.push(':');
        pyjson::write_float(out, number, pyjson::NonFinite::Null);
    }
    out.push('}');
    for (key, raw) in &fields {
        let raw = raw.get();
        let renamed = match key.as_str() {
            "id" | "input" | "target" | "prediction" | "scores" | "epoch" => {
                // A field of the same name keeps its place when it says the same, else moves.
                let same = |common: &str| {
                    serde_json::from_str::<serde_json::Value>(common).ok()
                        == serde_json::from_str::<serde_json::Value>(raw).ok()
                };
                let common = match key.as_str() {
                    "target" => format!("[{}]", golds.join(",")),
                    "input" => input.to_owned(),
                    "prediction" => prediction.to_owned(),
                    // `id`, `scores` and `epoch` are rare in lm-eval lines: the full path.
                    _ => return None,
                };
                if same(&common) {
                    continue;
                }
                format!("raw_{key}")
            }
            _ => key.clone(),
        };
        out.push(',');
        pyjson::write_string(out, &renamed);
        out.push(':');
        // serde_json validated the line, so each value is strict JSON as it stands (with the
        // harness's own spacing, on the one line it had).
        out.push_str(raw);
    }
    out.push('}');
    Some(())
}

/// A scalar's JSON text as a JSON string of that text (`3` → `"3"`), as [`text_of`] makes it.
fn quoted(raw: &str) -> Option<String> {
    if raw.starts_with('"') {
        return Some(raw.to_owned());
    }
    let value = pyjson::parse(raw).ok()?;
    let mut out = String::new();
    pyjson::write_string(&mut out, &text_of(&value));
    Some(out)
}

/// `doc_id`, with the filter when it is not `none`: one line per document and filter, and diffs
/// pair lines by both.
fn line_id(raw: &Map) -> String {
    let doc_id = match raw.get("doc_id") {
        Some(Json::Str(s)) => s.clone(),
        Some(other) => pyjson::to_string(other, pyjson::WriteOptions::STRICT_COMPACT),
        None => String::new(),
    };
    match raw.get("filter").and_then(Json::as_str) {
        Some(filter) if filter != "none" => format!("{doc_id}/{filter}"),
        _ => doc_id,
    }
}

/// A text from a string or a string-holding value (lm-eval writes numbers as strings in `resps`).
fn text_of(value: &Json) -> String {
    match value {
        Json::Str(s) => s.clone(),
        other => pyjson::to_string(other, pyjson::WriteOptions::STRICT_COMPACT),
    }
}

/// One line as a [`Detail`]: the first request's context as the query, the continuations of a
/// log-likelihood task as its choices (with their log-probabilities), the target as the gold
/// (an index into the choices when the task has choices), the generation and its filtered form,
/// each listed metric, and the rest (`filter`, `doc`, the hashes) in `doc.specific`.
pub fn sample_detail(task: &str, raw: &Map) -> Detail {
    let requests: Vec<&Map> = raw
        .get("arguments")
        .and_then(Json::as_object)
        .map(|a| a.values().filter_map(Json::as_object).collect())
        .unwrap_or_default();
    let query = requests
        .first()
        .and_then(|r| r.get("arg_0"))
        .map(text_of)
        .unwrap_or_default();
    // Log-likelihood requests carry a continuation string; generation requests a kwargs dict.
    let loglikelihood = !requests.is_empty()
        && requests
            .iter()
            .all(|r| matches!(r.get("arg_1"), Some(Json::Str(_))));
    let choices: Vec<String> = if loglikelihood && requests.len() > 1 {
        requests
            .iter()
            .filter_map(|r| r.get("arg_1"))
            .map(text_of)
            .collect()
    } else {
        Vec::new()
    };
    let filtered = raw
        .get("filtered_resps")
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let (logprobs, text, text_post_processed) = if loglikelihood {
        let logprobs = filtered
            .iter()
            .map(|r| {
                let first = r.as_array().and_then(|pair| pair.first()).unwrap_or(r);
                match first {
                    Json::Str(s) => s.parse().unwrap_or(f64::NAN),
                    other => other.as_f64().unwrap_or(f64::NAN),
                }
            })
            .collect();
        (logprobs, Vec::new(), Vec::new())
    } else {
        let generations: Vec<String> = raw
            .get("resps")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .flat_map(|r| match r {
                Json::Array(items) => items.iter().map(text_of).collect(),
                other => vec![text_of(other)],
            })
            .collect();
        let post: Vec<String> = filtered.iter().map(text_of).collect();
        (Vec::new(), generations, post)
    };
    let targets: Vec<String> = match raw.get("target") {
        Some(Json::Array(items)) => items.iter().map(text_of).collect(),
        Some(Json::Null) | None => Vec::new(),
        Some(other) => vec![text_of(other)],
    };
    let gold_index: Vec<i64> = if choices.is_empty() {
        Vec::new()
    } else {
        targets
            .iter()
            .filter_map(|t| t.trim().parse::<i64>().ok())
            .filter(|&i| i >= 0 && (i as usize) < choices.len())
            .collect()
    };
    let gold_texts = if gold_index.is_empty() {
        targets
    } else {
        Vec::new()
    };
    let mut metric = Map::new();
    for name in metric_names_of(raw) {
        if let Some(value) = raw.get(&name) {
            metric.insert(name, value.clone());
        }
    }
    let mut specific = Map::new();
    for key in ["filter", "doc", "doc_hash", "prompt_hash", "target_hash"] {
        if let Some(value) = raw.get(key) {
            specific.insert(key.into(), value.clone());
        }
    }
    if loglikelihood {
        specific.insert("filtered_resps".into(), Json::Array(filtered.to_vec()));
    }
    Detail {
        doc: Doc {
            id: Some(line_id(raw)),
            task_name: Some(task.to_owned()),
            query,
            choices,
            gold_index,
            gold_texts,
            specific: Json::Object(specific),
            ..Doc::default()
        },
        model_response: ModelResponse {
            text,
            text_post_processed,
            logprobs,
            ..ModelResponse::default()
        },
        metric,
    }
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

    /// The fast `samples --format jsonl` path and the full one give equal JSON for every line of
    /// the real fixtures and for shapes they lack; a line with a bare NaN takes the full path.
    #[test]
    fn the_fast_jsonl_path_equals_the_full_one() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lm-eval-0.4.13/fixture-org__dummy-lm");
        let mut lines: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                lines.extend(
                    std::fs::read_to_string(&path)
                        .unwrap()
                        .lines()
                        .map(str::to_owned),
                );
            }
        }
        assert_eq!(lines.len(), 72, "both runs' lines");
        lines.extend([
            r#"{"doc_id": 3, "target": 7, "arguments": {"gen_args_0": {"arg_0": "Q: 3+4?", "arg_1": {"until": ["\n"]}}}, "resps": [["7"]], "filtered_resps": ["7"], "filter": "none", "metrics": ["exact_match", "bleu"], "exact_match": true, "bleu": 12.5}"#.to_owned(),
            r#"{"doc_id": "d-1", "target": ["a", "b"], "arguments": {"gen_args_0": {"arg_0": "x", "arg_1": " a"}, "gen_args_1": {"arg_0": "x", "arg_1": " b"}}, "resps": [[["-1.5", "False"]], [["-0.5", "True"]]], "filtered_resps": [["-1.5", "False"], ["-0.5", "True"]], "filter": "none", "metrics": ["acc"], "acc": 0, "input": "x"}"#.to_owned(),
        ]);
        for line in &lines {
            let raw = match pyjson::parse(line).unwrap() {
                Json::Object(map) => map,
                _ => unreachable!(),
            };
            let detail = sample_detail("t", &raw);
            let full = pyjson::to_string(
                &crate::store::with_common_keys(raw, &detail),
                pyjson::WriteOptions::STRICT_COMPACT,
            );
            let mut fast = String::new();
            fast_line(line, &mut fast).unwrap_or_else(|| panic!("not on the fast path: {line}"));
            let (a, b): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(&full).unwrap(),
                serde_json::from_str(&fast).unwrap(),
            );
            assert_eq!(a, b, "{line}");
            let keys =
                |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&a), keys(&b), "key order: {line}");
        }
        let nan =
            r#"{"doc_id": 0, "target": "x", "filter": "none", "metrics": ["bleu"], "bleu": NaN}"#;
        assert!(fast_line(nan, &mut String::new()).is_none());
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
