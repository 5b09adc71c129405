//! Inspect AI logs (`.eval` zip archives and `.json` documents), read by the format's rules:
//!
//! - A log is one task of one model; logs sharing `eval.run_id` (one `eval()` call, one eval set)
//!   form one run, as a lighteval run holds many tasks.
//! - Results come from `header.json` (`results.scores[]`), so opening a run never decompresses a
//!   sample. A log without `header.json` (an interrupted run) falls back to
//!   `_journal/start.json`, with its scores computed from the sample summaries.
//! - Samples are the `samples/<id>_epoch_<n>.json` members, one row per sample and epoch,
//!   decompressed one at a time when asked for. Members may be deflated (older Inspect) or zstd
//!   (newer); the `zip` crate reads both.
//! - A scorer's `stderr` metric is the standard error of its main metric (its first ungrouped
//!   one); with several scorers, metric names carry the scorer (`match/accuracy`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::model::{Detail, Doc, Json, Map, ModelResponse, ResultsFile, pyjson};
use crate::store::{
    FileHead, FoundRuns, Harness, HarnessRun, LogFormat, LogRows, LogRun, Result, Run, SampleLog,
    StoreError,
};

/// Metric names Inspect uses for a standard error of the scorer's main metric.
const STDERR_METRICS: [&str; 2] = ["stderr", "bootstrap_stderr"];
/// Samples decompressed per batch when a whole task is read.
const MEMBERS_PER_BATCH: usize = 256;

pub struct InspectFormat;

impl LogFormat for InspectFormat {
    fn harness(&self) -> Harness {
        Harness::Inspect
    }

    fn claims(&self, path: &Path, head: &FileHead) -> bool {
        if head.zip {
            // A damaged archive named `.eval` is still Inspect's, and gets Inspect's error.
            return path.extension().is_some_and(|e| e == "eval") || looks_like_eval_zip(path);
        }
        head.has_key("eval") && (head.has_key("version") || head.has_key("status"))
            || (path.extension().is_some_and(|e| e == "eval") && !head.parquet)
    }

    fn runs(&self, _root: &Path, files: &[PathBuf]) -> FoundRuns {
        let mut found = FoundRuns::default();
        let mut by_run: Vec<((String, String), Vec<LogHeader>)> = Vec::new();
        for path in files {
            match LogHeader::read(path) {
                Ok(header) => {
                    let key = (header.model.clone(), header.run_id.clone());
                    match by_run.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, logs)) => logs.push(header),
                        None => by_run.push((key, vec![header])),
                    }
                }
                Err(error) => found.unreadable.push(error),
            }
        }
        for ((model, run_id), mut logs) in by_run {
            logs.sort_by(|a, b| a.created_utc.cmp(&b.created_utc).then(a.task.cmp(&b.task)));
            let date_id = date_id(&logs[0].created_utc, &run_id);
            let tasks = task_names(&logs);
            let details = tasks
                .iter()
                .zip(&logs)
                .map(|(task, log)| (task.clone(), log.path.clone()))
                .collect();
            let run = InspectRun {
                logs: tasks
                    .into_iter()
                    .zip(logs.into_iter().map(Arc::new))
                    .collect(),
            };
            found.runs.push(Run {
                details,
                harness: Harness::Inspect,
                log: Some(LogRun(Arc::new(run))),
                ..Run::lighteval(&model, &date_id)
            });
        }
        found
    }
}

/// Whether a zip archive is an Inspect log, from its ends alone (its central directory is not
/// parsed twice): Inspect writes `_journal/start.json` first and `header.json` last, so the first
/// member's name, or the names at the end of the central directory, say so.
fn looks_like_eval_zip(path: &Path) -> bool {
    use std::io::Seek;
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let mut start = [0u8; 64];
    let read = file.read(&mut start).unwrap_or(0);
    // The first local header's name starts at byte 30.
    if read > 30
        && (start[30..read].starts_with(b"_journal/")
            || start[30..read].starts_with(b"header.json"))
    {
        return true;
    }
    let len = file.metadata().map_or(0, |m| m.len());
    let tail = len.min(64 << 10);
    let mut end = vec![0u8; tail as usize];
    file.seek(std::io::SeekFrom::Start(len - tail)).is_ok()
        && file.read_exact(&mut end).is_ok()
        && end.windows(11).any(|w| w == b"header.json")
}

/// `2026-11-30T02-36-21.VzkoYEDv`: the creation time in UTC, shaped like lighteval's date ids so
/// runs of every harness sort together, and the start of the run id, as two `eval()` calls may
/// start in the same second.
fn date_id(created_utc: &str, run_id: &str) -> String {
    let short: String = run_id.chars().take(8).collect();
    if short.is_empty() {
        created_utc.to_owned()
    } else {
        format!("{created_utc}.{short}")
    }
}

/// Task names within a run: `eval.task`, with the task id added when a run holds one task twice
/// (a retried task in an eval set).
fn task_names(logs: &[LogHeader]) -> Vec<String> {
    logs.iter()
        .map(|log| {
            let twice = logs.iter().filter(|l| l.task == log.task).count() > 1;
            if twice {
                format!("{}@{}", log.task, log.task_id)
            } else {
                log.task.clone()
            }
        })
        .collect()
}

/// How a log is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Zip,
    Document,
}

/// What a log says about itself, read when the source is opened.
struct LogHeader {
    path: PathBuf,
    container: Container,
    /// `header.json`, or `_journal/start.json` for an interrupted log; `samples` is never in it.
    header: Map,
    /// The header came from the journal: the log was never finished.
    from_journal: bool,
    model: String,
    run_id: String,
    task: String,
    task_id: String,
    created_utc: String,
    /// A `.json` log's samples, parsed once when first asked for.
    document_samples: OnceLock<std::result::Result<Arc<Vec<Json>>, String>>,
}

impl LogHeader {
    fn read(path: &Path) -> Result<LogHeader> {
        let (container, header, from_journal) = match crate::store::file_head(path)?.zip {
            true => {
                let mut zip = open_zip(path)?;
                match read_member(path, &mut zip, "header.json")? {
                    Some(header) => (Container::Zip, object(path, "header.json", header)?, false),
                    None => match read_member(path, &mut zip, "_journal/start.json")? {
                        Some(start) => (
                            Container::Zip,
                            object(path, "_journal/start.json", start)?,
                            true,
                        ),
                        None => {
                            return Err(StoreError::log(
                                path,
                                "an Inspect log without header.json or _journal/start.json; \
                                 nothing says which task or model it holds",
                            ));
                        }
                    },
                }
            }
            false => {
                let mut document = read_document(path)?;
                let Json::Object(map) = &mut document else {
                    return Err(StoreError::log(
                        path,
                        "not an Inspect log: not a JSON object",
                    ));
                };
                map.shift_remove("samples");
                (Container::Document, std::mem::take(map), false)
            }
        };
        let Some(eval) = header.get("eval").and_then(Json::as_object) else {
            return Err(StoreError::log(
                path,
                "not an Inspect log: it has no `eval` object",
            ));
        };
        let text = |key: &str| {
            eval.get(key)
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let task = text("task");
        if task.is_empty() {
            return Err(StoreError::log(
                path,
                "an Inspect log whose `eval.task` is missing",
            ));
        }
        let created = text("created");
        Ok(LogHeader {
            path: path.to_owned(),
            container,
            model: Some(text("model"))
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "(unnamed model)".into()),
            run_id: text("run_id"),
            task,
            task_id: text("task_id"),
            created_utc: utc_date_id(&created),
            header,
            from_journal,
            document_samples: OnceLock::new(),
        })
    }

    fn status(&self) -> &str {
        if self.from_journal {
            return "started";
        }
        self.header
            .get("status")
            .and_then(Json::as_str)
            .unwrap_or("unknown")
    }

    fn eval(&self) -> &Map {
        self.header
            .get("eval")
            .and_then(Json::as_object)
            .expect("checked in LogHeader::read")
    }

    /// Epochs the task was run with (`eval.config.epochs`, default 1).
    fn epochs(&self) -> i64 {
        self.eval()
            .get("config")
            .and_then(|c| c.get("epochs"))
            .and_then(Json::as_i64)
            .unwrap_or(1)
    }

    fn document_samples(&self) -> Result<Arc<Vec<Json>>> {
        self.document_samples
            .get_or_init(|| {
                let document = read_document(&self.path).map_err(|e| e.to_string())?;
                match document {
                    Json::Object(mut map) => match map.shift_remove("samples") {
                        Some(Json::Array(samples)) => Ok(Arc::new(samples)),
                        None | Some(Json::Null) => Ok(Arc::new(Vec::new())),
                        Some(other) => {
                            Err(format!("`samples` is {}, expected a list", other.kind()))
                        }
                    },
                    _ => Err("not a JSON object".into()),
                }
            })
            .clone()
            .map_err(|message| StoreError::log(&self.path, message))
    }
}

/// `2026-11-30T02:36:21+00:00` → `2026-11-30T02-36-21` in UTC (the text as it is when it is not a
/// timestamp).
fn utc_date_id(created: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(created) {
        Ok(time) => time
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H-%M-%S")
            .to_string(),
        Err(_) => created.replace(':', "-"),
    }
}

/// A member that must be a JSON object.
fn object(path: &Path, member: &str, value: Json) -> Result<Map> {
    match value {
        Json::Object(map) => Ok(map),
        other => Err(StoreError::log(
            path,
            format!(
                "member {member}: a {} where an object was expected",
                other.kind()
            ),
        )),
    }
}

/// The archive's member names (a name that is not UTF-8 is no member Inspect writes).
fn member_names<R: Read + std::io::Seek>(zip: &ZipArchive<R>) -> Vec<String> {
    zip.file_names()
        .filter_map(|name| name.ok().map(std::borrow::Cow::into_owned))
        .collect()
}

fn open_zip(path: &Path) -> Result<ZipArchive<BufReader<File>>> {
    let file = File::open(path).map_err(|e| StoreError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    ZipArchive::new(BufReader::new(file)).map_err(|e| {
        StoreError::log(
            path,
            format!("not a readable zip archive (truncated or damaged?): {e}"),
        )
    })
}

/// A member of the archive, parsed; `None` when there is no such member.
fn read_member<R: Read + std::io::Seek>(
    path: &Path,
    zip: &mut ZipArchive<R>,
    name: &str,
) -> Result<Option<Json>> {
    let method = match zip.index_for_name(name) {
        Some(index) => zip
            .by_index_raw(index)
            .map(|m| m.compression())
            .map_err(|e| StoreError::log(path, format!("member {name}: {e}")))?,
        None => return Ok(None),
    };
    let mut member = match zip.by_name(name) {
        Ok(member) => member,
        Err(ZipError::UnsupportedArchive(why)) => {
            return Err(StoreError::log(
                path,
                format!(
                    "member {name}: compression method {method} is not supported ({why}); evaldeck reads stored, deflate and zstd members"
                ),
            ));
        }
        Err(e) => return Err(StoreError::log(path, format!("member {name}: {e}"))),
    };
    let mut text = String::new();
    member
        .read_to_string(&mut text)
        .map_err(|e| StoreError::log(path, format!("member {name}: cannot be read: {e}")))?;
    pyjson::parse(&text)
        .map(Some)
        .map_err(|e| StoreError::log(path, format!("member {name}: not JSON: {e}")))
}

fn read_document(path: &Path) -> Result<Json> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    pyjson::parse(&text).map_err(|source| StoreError::Json {
        path: path.to_owned(),
        source,
    })
}

/// A run: one or more logs, each a task.
struct InspectRun {
    logs: Vec<(String, Arc<LogHeader>)>,
}

impl HarnessRun for InspectRun {
    fn harness(&self) -> Harness {
        Harness::Inspect
    }

    fn results(&self) -> Result<ResultsFile> {
        let first = &self.logs[0].1;
        let eval = first.eval();
        let mut general = Map::new();
        general.insert(
            "model_name".into(),
            Json::from(eval.get("model").and_then(Json::as_str).unwrap_or("")),
        );
        for key in [
            "run_id",
            "created",
            "model_generate_config",
            "model_args",
            "model_base_url",
            "revision",
            "packages",
            "tags",
        ] {
            if let Some(value) = eval.get(key) {
                general.insert(key.into(), value.clone());
            }
        }
        let statuses: Vec<Json> = self
            .logs
            .iter()
            .map(|(_, l)| Json::from(l.status()))
            .collect();
        general.insert("status".into(), Json::Array(statuses));
        let mut results = Map::new();
        let mut versions = Map::new();
        let mut configs = Map::new();
        let mut counts = Map::new();
        for (task, log) in &self.logs {
            let row = if log.from_journal {
                journal_scores(log)?
            } else {
                score_row(log.header.get("results"))
            };
            results.insert(task.clone(), Json::Object(row));
            let eval = log.eval();
            if let Some(version) = eval.get("task_version") {
                versions.insert(task.clone(), version.clone());
            }
            let mut config = Map::new();
            config.insert("status".into(), Json::from(log.status()));
            config.insert("log".into(), Json::from(log.path.display().to_string()));
            for (key, value) in eval {
                if !matches!(key.as_str(), "model" | "run_id" | "packages" | "revision") {
                    config.insert(key.clone(), value.clone());
                }
            }
            for key in ["plan", "stats", "error"] {
                if let Some(value) = log.header.get(key).filter(|v| !v.is_null()) {
                    config.insert(key.into(), value.clone());
                }
            }
            if let Some(total) = log
                .header
                .get("results")
                .and_then(|r| r.get("total_samples"))
                .and_then(Json::as_i64)
            {
                counts.insert(task.clone(), Json::Int(total));
            }
            configs.insert(task.clone(), Json::Object(config));
        }
        let mut root = Map::new();
        root.insert("config_general".into(), Json::Object(general));
        root.insert("results".into(), Json::Object(results));
        root.insert("versions".into(), Json::Object(versions));
        root.insert("config_tasks".into(), Json::Object(configs));
        root.insert(
            crate::model::HARNESS_SECTION.into(),
            crate::model::harness_section(Harness::Inspect.name(), &[], counts),
        );
        ResultsFile::from_json(Json::Object(root)).map_err(|source| StoreError::Shape {
            path: first.path.clone(),
            source,
        })
    }

    fn samples(&self, task: &str) -> Result<Arc<dyn SampleLog>> {
        let Some((_, log)) = self.logs.iter().find(|(t, _)| t == task) else {
            return Err(StoreError::TaskNotFound {
                model: self.logs[0].1.model.clone(),
                date_id: String::new(),
                task: task.to_owned(),
                available: self
                    .logs
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        InspectSamples::open(task, log.clone()).map(|s| Arc::new(s) as Arc<dyn SampleLog>)
    }

    /// Inspect's log folder is flat: each log under its own name.
    fn files(&self) -> Vec<(PathBuf, PathBuf)> {
        self.logs
            .iter()
            .map(|(_, l)| {
                let name = l.path.file_name().map(PathBuf::from).unwrap_or_default();
                (l.path.clone(), name)
            })
            .collect()
    }
}

/// One task's row of results from `results.scores[]`.
fn score_row(results: Option<&Json>) -> Map {
    let mut row = Map::new();
    let scores = results
        .and_then(|r| r.get("scores"))
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let several = scores.len() > 1;
    for score in scores {
        let scorer = score
            .get("name")
            .or_else(|| score.get("scorer"))
            .and_then(Json::as_str)
            .unwrap_or("score");
        let prefix = if several {
            format!("{scorer}/")
        } else {
            String::new()
        };
        let Some(metrics) = score.get("metrics").and_then(Json::as_object) else {
            continue;
        };
        let grouped = |m: &Json| m.get("group").is_some_and(|g| !g.is_null());
        let main = metrics
            .iter()
            .find(|(name, m)| !STDERR_METRICS.contains(&name.as_str()) && !grouped(m))
            .map(|(name, _)| name.clone());
        let mut stderr_taken = false;
        for (name, metric) in metrics {
            let value = metric.get("value").cloned().unwrap_or(Json::Null);
            let key = if STDERR_METRICS.contains(&name.as_str()) && !stderr_taken && main.is_some()
            {
                stderr_taken = true;
                format!("{prefix}{}_stderr", main.as_deref().unwrap_or(""))
            } else if grouped(metric) {
                let by = metric
                    .get("params")
                    .and_then(|p| p.get("group_key"))
                    .and_then(Json::as_str)
                    .or_else(|| metric.get("group").and_then(Json::as_str))
                    .unwrap_or("group");
                format!("{prefix}{by}={name}")
            } else {
                format!("{prefix}{name}")
            };
            row.insert(key, value);
        }
    }
    row
}

/// For a log never finished: each scorer's mean over the summaries flushed so far, with the
/// standard error of that mean (sample standard deviation over √n). Computed here, so named
/// `mean` rather than the task's own metric names.
fn journal_scores(log: &LogHeader) -> Result<Map> {
    let summaries = read_summaries(&log.path)?;
    let mut by_scorer: Vec<(String, Vec<f64>)> = Vec::new();
    for summary in &summaries {
        let Some(scores) = summary.get("scores").and_then(Json::as_object) else {
            continue;
        };
        for (scorer, score) in scores {
            for (name, value) in score_values(scorer, score.get("value").unwrap_or(&Json::Null)) {
                match by_scorer.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, values)) => values.push(value),
                    None => by_scorer.push((name, vec![value])),
                }
            }
        }
    }
    let several = by_scorer.len() > 1;
    let mut row = Map::new();
    for (name, values) in by_scorer {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let stderr = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() / n.sqrt()
        } else {
            f64::NAN
        };
        let metric = if several {
            format!("{name}/mean")
        } else {
            "mean".into()
        };
        row.insert(metric.clone(), Json::Float(mean));
        row.insert(format!("{metric}_stderr"), Json::Float(stderr));
    }
    Ok(row)
}

/// The sample summaries of an archive: `summaries.json`, or the journal's flushed parts.
fn read_summaries(path: &Path) -> Result<Vec<Json>> {
    let mut zip = open_zip(path)?;
    if let Some(Json::Array(all)) = read_member(path, &mut zip, "summaries.json")? {
        return Ok(all);
    }
    let mut parts: Vec<(u64, String)> = member_names(&zip)
        .into_iter()
        .filter_map(|n| {
            let k = n
                .strip_prefix("_journal/summaries/")?
                .strip_suffix(".json")?;
            Some((k.parse().ok()?, n.clone()))
        })
        .collect();
    parts.sort();
    let mut all = Vec::new();
    for (_, name) in parts {
        if let Some(Json::Array(part)) = read_member(path, &mut zip, &name)? {
            all.extend(part);
        }
    }
    Ok(all)
}

/// A score's value as numbers, as Inspect's `value_to_float` reads it: `C` 1, `P` 0.5, `I` and
/// `N` 0, numbers and booleans as they are, `yes`/`true` 1, `no`/`false` 0 (any case), text
/// that Python's `float()` reads as a finite number, and 0 for anything else (Inspect warns and
/// counts 0). A dict value gives one number per key (`scorer/key`), as Inspect's metrics read
/// dict scores key by key.
pub fn score_values(scorer: &str, value: &Json) -> Vec<(String, f64)> {
    match value {
        Json::Object(map) => map
            .iter()
            .map(|(key, v)| (format!("{scorer}/{key}"), value_to_float(v)))
            .collect(),
        other => vec![(scorer.to_owned(), value_to_float(other))],
    }
}

pub fn value_to_float(value: &Json) -> f64 {
    match value {
        Json::Str(text) => match text.as_str() {
            "C" => 1.0,
            "P" => 0.5,
            "I" | "N" => 0.0,
            other => {
                let lower = other.to_lowercase();
                match lower.as_str() {
                    "yes" | "true" => 1.0,
                    "no" | "false" => 0.0,
                    _ => python_finite_float(&lower).unwrap_or(0.0),
                }
            }
        },
        Json::Bool(b) => f64::from(u8::from(*b)),
        Json::Int(_) | Json::Float(_) | Json::BigInt(_) => value.as_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Text as Python's `float()` reads it, when the number is finite: surrounding whitespace is
/// ignored and `_` may sit between digits (`1_000`).
fn python_finite_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_'
            && !(i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
    }
    let number: f64 = text.replace('_', "").parse().ok()?;
    number.is_finite().then_some(number)
}

/// Where one row's sample is.
#[derive(Debug, Clone)]
enum RowSource {
    /// A member of the archive.
    Member(String),
    /// An index into a `.json` log's `samples`.
    Index(usize),
}

/// One task's samples in one log.
struct InspectSamples {
    task: String,
    log: Arc<LogHeader>,
    rows: Vec<RowSource>,
    metric_names: Vec<String>,
    /// Each sample's epoch-reduced scores (`reductions.json`), by id as text.
    reduced: HashMap<String, Map>,
    /// The archive, kept open for reading rows one at a time.
    zip: Option<Mutex<ZipArchive<BufReader<File>>>>,
}

impl InspectSamples {
    fn open(task: &str, log: Arc<LogHeader>) -> Result<InspectSamples> {
        let order: HashMap<String, usize> = log
            .eval()
            .get("dataset")
            .and_then(|d| d.get("sample_ids"))
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, id)| (id_text(id), i))
            .collect();
        let metric_names = scorer_names(&log.header);
        match log.container {
            Container::Zip => {
                let mut zip = open_zip(&log.path)?;
                let mut members: Vec<(usize, String, i64, String)> = member_names(&zip)
                    .into_iter()
                    .filter_map(|name| {
                        let stem = name.strip_prefix("samples/")?.strip_suffix(".json")?;
                        let (id, epoch) = stem.rsplit_once("_epoch_")?;
                        let position = order.get(id).copied().unwrap_or(usize::MAX);
                        Some((
                            position,
                            id.to_owned(),
                            epoch.parse().unwrap_or(0),
                            name.clone(),
                        ))
                    })
                    .collect();
                members.sort();
                let reduced = match read_member(&log.path, &mut zip, "reductions.json")? {
                    Some(reductions) => reductions_by_id(&reductions),
                    None => HashMap::new(),
                };
                Ok(InspectSamples {
                    task: task.to_owned(),
                    rows: members
                        .into_iter()
                        .map(|m| RowSource::Member(m.3))
                        .collect(),
                    metric_names,
                    reduced,
                    zip: Some(Mutex::new(zip)),
                    log,
                })
            }
            Container::Document => {
                let samples = log.document_samples()?;
                let mut rows: Vec<(usize, i64, usize)> = samples
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let id = s.get("id").map(id_text).unwrap_or_default();
                        let epoch = s.get("epoch").and_then(Json::as_i64).unwrap_or(0);
                        (order.get(&id).copied().unwrap_or(usize::MAX), epoch, i)
                    })
                    .collect();
                rows.sort();
                let reduced = log
                    .header
                    .get("reductions")
                    .map(reductions_by_id)
                    .unwrap_or_default();
                Ok(InspectSamples {
                    task: task.to_owned(),
                    rows: rows.into_iter().map(|r| RowSource::Index(r.2)).collect(),
                    metric_names,
                    reduced,
                    zip: None,
                    log,
                })
            }
        }
    }

    fn sample(&self, index: usize) -> Result<Json> {
        let Some(source) = self.rows.get(index) else {
            return Err(StoreError::log(
                &self.log.path,
                format!(
                    "row {index} asked for, the log has {} rows",
                    self.rows.len()
                ),
            ));
        };
        match source {
            RowSource::Member(name) => {
                let zip = self.zip.as_ref().expect("archives keep their zip");
                let mut zip = zip
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                read_member(&self.log.path, &mut zip, name)?.ok_or_else(|| {
                    StoreError::log(&self.log.path, format!("member {name} is gone"))
                })
            }
            RowSource::Index(i) => Ok(self.log.document_samples()?[*i].clone()),
        }
    }

    fn row(&self, sample: Json) -> Result<(Map, Detail)> {
        let Json::Object(raw) = sample else {
            return Err(StoreError::log(
                &self.log.path,
                "a sample that is not a JSON object",
            ));
        };
        let detail = sample_detail(&self.task, &raw, self.log.epochs(), &self.reduced);
        Ok((raw, detail))
    }
}

impl SampleLog for InspectSamples {
    fn path(&self) -> &Path {
        &self.log.path
    }

    fn num_rows(&self) -> u64 {
        self.rows.len() as u64
    }

    fn metric_names(&self) -> Vec<String> {
        self.metric_names.clone()
    }

    fn rows(self: Arc<Self>, batch_rows: usize) -> Result<LogRows> {
        let batch = batch_rows.clamp(1, MEMBERS_PER_BATCH);
        let total = self.rows.len();
        let starts = (0..total).step_by(batch);
        Ok(Box::new(starts.map(move |start| {
            (start..(start + batch).min(total))
                .map(|i| self.sample(i).and_then(|s| self.row(s)))
                .collect()
        })))
    }

    fn read_row(&self, index: u64) -> Result<(Map, Detail)> {
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        self.row(self.sample(index)?)
    }
}

/// The per-sample score names of a log: its scorers' names (as the header lists them).
fn scorer_names(header: &Map) -> Vec<String> {
    let from = |scorers: &[Json]| -> Vec<String> {
        scorers
            .iter()
            .filter_map(|s| s.get("name").and_then(Json::as_str).map(str::to_owned))
            .collect()
    };
    header
        .get("results")
        .and_then(|r| r.get("scores"))
        .and_then(Json::as_array)
        .map(from)
        .filter(|n| !n.is_empty())
        .or_else(|| {
            header
                .get("eval")
                .and_then(|e| e.get("scorers"))
                .and_then(Json::as_array)
                .map(from)
        })
        .unwrap_or_default()
}

/// `reductions.json` as id → {scorer: reduced value}.
fn reductions_by_id(reductions: &Json) -> HashMap<String, Map> {
    let mut by_id: HashMap<String, Map> = HashMap::new();
    for reduction in reductions.as_array().unwrap_or(&[]) {
        let scorer = reduction
            .get("scorer")
            .and_then(Json::as_str)
            .unwrap_or("score");
        for sample in reduction
            .get("samples")
            .and_then(Json::as_array)
            .unwrap_or(&[])
        {
            let Some(id) = sample.get("sample_id") else {
                continue;
            };
            let value = sample.get("value").cloned().unwrap_or(Json::Null);
            by_id
                .entry(id_text(id))
                .or_default()
                .insert(scorer.to_owned(), value);
        }
    }
    by_id
}

/// A sample id as text: `1` and `"1"` alike, as the member names have it.
fn id_text(id: &Json) -> String {
    match id {
        Json::Str(s) => s.clone(),
        other => pyjson::to_string(other, pyjson::WriteOptions::STRICT_COMPACT),
    }
}

/// One sample (of one epoch) as a [`Detail`]: input as the query (chat messages as
/// `[role] text` blocks), choices, targets as golds (a letter target of a multiple-choice sample
/// as the gold choice), the completion as the generation, every scorer's value as a number,
/// and the rest (epoch, the scorers' answers and explanations, metadata, usage, error) in
/// `doc.specific`.
pub fn sample_detail(task: &str, raw: &Map, epochs: i64, reduced: &HashMap<String, Map>) -> Detail {
    let id = raw.get("id").map(id_text).unwrap_or_default();
    let choices: Vec<String> = raw
        .get("choices")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .map(|c| {
            c.as_str().map_or_else(
                || pyjson::to_string(c, pyjson::WriteOptions::STRICT_COMPACT),
                str::to_owned,
            )
        })
        .collect();
    let targets: Vec<String> = match raw.get("target") {
        Some(Json::Str(t)) => vec![t.clone()],
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let letter_index = |t: &str| -> Option<i64> {
        let mut chars = t.chars();
        let c = chars.next()?;
        (chars.next().is_none() && c.is_ascii_uppercase()).then(|| i64::from(c as u8 - b'A'))
    };
    let gold_index: Vec<i64> = if choices.is_empty() {
        Vec::new()
    } else {
        targets
            .iter()
            .filter_map(|t| letter_index(t))
            .filter(|&i| (i as usize) < choices.len())
            .collect()
    };
    let gold_texts = if gold_index.is_empty() {
        targets
    } else {
        Vec::new()
    };
    let output = raw.get("output");
    let completion = output
        .and_then(|o| o.get("completion"))
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_owned();
    let mut metric = Map::new();
    let mut scorer_fields = Map::new();
    if let Some(scores) = raw.get("scores").and_then(Json::as_object) {
        for (scorer, score) in scores {
            let value = score.get("value").unwrap_or(&Json::Null);
            for (name, number) in score_values(scorer, value) {
                metric.insert(name, Json::Float(number));
            }
            let mut fields = Map::new();
            for key in ["value", "answer", "explanation"] {
                if let Some(v) = score.get(key).filter(|v| !v.is_null()) {
                    fields.insert(key.into(), v.clone());
                }
            }
            scorer_fields.insert(scorer.clone(), Json::Object(fields));
        }
    }
    let mut specific = Map::new();
    let epoch = raw.get("epoch").and_then(Json::as_i64).unwrap_or(1);
    specific.insert("epoch".into(), Json::from(format!("{epoch} of {epochs}")));
    if epochs > 1
        && let Some(mean) = reduced.get(&id)
    {
        specific.insert(
            format!("mean over {epochs} epochs"),
            Json::Object(mean.clone()),
        );
    }
    if !scorer_fields.is_empty() {
        specific.insert("scores".into(), Json::Object(scorer_fields));
    }
    for key in ["metadata", "error"] {
        if let Some(v) = raw
            .get(key)
            .filter(|v| !v.is_null() && v.as_object().is_none_or(|m| !m.is_empty()))
        {
            specific.insert(key.into(), v.clone());
        }
    }
    if let Some(output) = output {
        if let Some(stop) = output
            .get("choices")
            .and_then(Json::as_array)
            .and_then(|c| c.first())
            .and_then(|c| c.get("stop_reason"))
        {
            specific.insert("stop reason".into(), stop.clone());
        }
        if let Some(usage) = output.get("usage").filter(|u| !u.is_null()) {
            specific.insert("usage".into(), usage.clone());
        }
    }
    let mut extra = Map::new();
    extra.insert("epoch".into(), Json::Int(epoch));
    Detail {
        doc: Doc {
            id: Some(id),
            task_name: Some(task.to_owned()),
            query: input_text(raw.get("input")),
            extra,
            choices,
            gold_index,
            gold_texts,
            specific: Json::Object(specific),
            ..Doc::default()
        },
        model_response: ModelResponse {
            text: vec![completion],
            ..ModelResponse::default()
        },
        metric,
    }
}

/// A sample's input as text: a string as it is, chat messages as `[role] text` blocks.
pub fn input_text(input: Option<&Json>) -> String {
    match input {
        Some(Json::Str(text)) => text.clone(),
        Some(Json::Array(messages)) => messages
            .iter()
            .map(|m| {
                let role = m.get("role").and_then(Json::as_str).unwrap_or("?");
                format!("[{role}] {}", content_text(m.get("content")))
            })
            .collect::<Vec<_>>()
            .join("\n\n"),
        _ => String::new(),
    }
}

/// A message's content: text, or the text of its parts (other parts as `<type>`).
fn content_text(content: Option<&Json>) -> String {
    match content {
        Some(Json::Str(text)) => text.clone(),
        Some(Json::Array(parts)) => parts
            .iter()
            .map(|p| {
                let kind = p.get("type").and_then(Json::as_str).unwrap_or("?");
                p.get(kind)
                    .or_else(|| p.get("text"))
                    .and_then(Json::as_str)
                    .map_or_else(|| format!("<{kind}>"), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_values_follow_value_to_float() {
        let cases = [
            (Json::from("C"), 1.0),
            (Json::from("I"), 0.0),
            (Json::from("P"), 0.5),
            (Json::from("N"), 0.0),
            (Json::from("c"), 0.0),
            (Json::from("yes"), 1.0),
            (Json::from("False"), 0.0),
            (Json::from("0.25"), 0.25),
            (Json::from(" -1e1 "), -10.0),
            (Json::from("1_000"), 1000.0),
            (Json::from("1__0"), 0.0),
            (Json::from("nan"), 0.0),
            (Json::from("maybe"), 0.0),
            (Json::Bool(true), 1.0),
            (Json::Int(3), 3.0),
            (Json::Null, 0.0),
            (Json::Array(vec![Json::Int(1)]), 0.0),
        ];
        for (value, expected) in cases {
            assert_eq!(value_to_float(&value), expected, "{value:?}");
        }
    }

    #[test]
    fn utc_dates_are_lighteval_shaped() {
        assert_eq!(
            utc_date_id("2026-11-30T02:36:21+00:00"),
            "2026-11-30T02-36-21"
        );
        assert_eq!(
            utc_date_id("2026-11-30T04:36:21+02:00"),
            "2026-11-30T02-36-21"
        );
        assert_eq!(
            date_id("2026-11-30T02-36-21", "VzkoYEDvQcADJGxLbiw4qa"),
            "2026-11-30T02-36-21.VzkoYEDv"
        );
    }
}
