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

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use zip::ZipArchive;
use zip::result::ZipError;

mod samples;
mod scores;
pub mod transcript;

use samples::InspectSamples;
pub use samples::{input_text, sample_detail};
use scores::{headline_metric, journal_scores, sample_metric_map, score_row};
pub use scores::{score_values, value_to_float};

use crate::model::{Json, Map, ResultsFile, pyjson};
use crate::store::{
    FileHead, FoundRuns, Harness, HarnessRun, LogFormat, LogRun, Result, Run, SampleLog, StoreError,
};

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

    /// `<name>.shards/` beside a finished `<name>.eval` (Inspect ≥ 0.3.261 merges shard logs
    /// into it): hidden, as Inspect's viewer hides them, when the merged log is newer than every
    /// shard. A merge that failed or predates a shard leaves them shown.
    fn hides(&self, folder: &Path) -> bool {
        let Some(name) = folder
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".shards"))
        else {
            return false;
        };
        let parent = folder.parent().unwrap_or(Path::new("."));
        [format!("{name}.eval"), format!("{name}-recovered.eval")]
            .iter()
            .map(|merged| parent.join(merged))
            .any(|merged| merged_log_covers(&merged, folder))
    }

    fn is_manifest(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        MANIFESTS.contains(&name)
            && crate::store::file_head(path).is_ok_and(|head| {
                // `logs.json` and `listing.json` map log names to headers; `eval-set.json` has
                // its own keys. An empty or broken file is no manifest.
                head.has_key("eval_set_id")
                    || (!head.json_keys.is_empty()
                        && head
                            .json_keys
                            .iter()
                            .all(|k| k.ends_with(".eval") || k.ends_with(".json")))
            })
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

/// Log schema 1 (Inspect before July 2024) kept one scorer: `results.scorer` (`{name, …}`) and
/// `results.metrics`. Read as schema 2 does, as Inspect's own reader migrates it: one entry of
/// `results.scores`, named after the scorer.
fn migrate_v1_results(header: &mut Map) {
    let Some(Json::Object(results)) = header.get_mut("results") else {
        return;
    };
    if results.contains_key("scores") {
        return;
    }
    let Some(Json::Object(metrics)) = results.shift_remove("metrics") else {
        return;
    };
    let scorer = results.shift_remove("scorer");
    let name = v1_scorer_name(scorer.as_ref());
    let mut score = match scorer {
        Some(Json::Object(scorer)) => scorer,
        _ => Map::new(),
    };
    score.insert("name".into(), Json::from(name.as_str()));
    score.insert("scorer".into(), Json::from(name.as_str()));
    score.insert("metrics".into(), Json::Object(metrics));
    results.insert("scores".into(), Json::Array(vec![Json::Object(score)]));
}

/// The one scorer of a schema 1 log, which its samples' `score` belongs to.
fn v1_scorer_name(scorer: Option<&Json>) -> String {
    scorer
        .and_then(|s| s.get("name"))
        .and_then(Json::as_str)
        .unwrap_or("score")
        .to_owned()
}

/// The files an eval set writes beside its logs: never logs, never runs.
const MANIFESTS: [&str; 3] = ["logs.json", "eval-set.json", "listing.json"];

fn eval_set_id_beside(log: &Path) -> Option<Json> {
    let manifest = log.parent()?.join("eval-set.json");
    match read_document(&manifest).ok()? {
        Json::Object(map) => map
            .get("eval_set_id")
            .filter(|v| v.as_str().is_some())
            .cloned(),
        _ => None,
    }
}

/// Whether a merged log covers its shards: it finished (`status` success) and is newer than
/// every shard log under `shards`.
fn merged_log_covers(merged: &Path, shards: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(merged_time) = modified(merged) else {
        return false;
    };
    let finished =
        LogHeader::read(merged).is_ok_and(|h| !h.from_journal && h.status() == "success");
    if !finished {
        return false;
    }
    let mut stack = vec![shards.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return false;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if modified(&path).is_none_or(|t| t >= merged_time) {
                return false;
            }
        }
    }
    true
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
    document_samples: OnceLock<std::result::Result<Arc<Vec<Json>>, Arc<StoreError>>>,
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
        let mut header = header;
        migrate_v1_results(&mut header);
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

    /// Epochs the task was run with (`eval.config.epochs`), when the log says: older logs and
    /// other writers leave it null.
    fn epochs(&self) -> Option<i64> {
        self.eval()
            .get("config")
            .and_then(|c| c.get("epochs"))
            .and_then(Json::as_i64)
    }

    fn document_samples(&self) -> Result<Arc<Vec<Json>>> {
        self.document_samples
            .get_or_init(|| {
                let document = read_document(&self.path).map_err(Arc::new)?;
                let problem = |message: String| Arc::new(StoreError::log(&self.path, message));
                match document {
                    Json::Object(mut map) => match map.shift_remove("samples") {
                        Some(Json::Array(samples)) => Ok(Arc::new(samples)),
                        None | Some(Json::Null) => Ok(Arc::new(Vec::new())),
                        Some(other) => Err(problem(format!(
                            "`samples` is {}, expected a list",
                            other.kind()
                        ))),
                    },
                    _ => Err(problem("not a JSON object".into())),
                }
            })
            .clone()
            .map_err(StoreError::Shared)
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
/// The most a member may unpack to, unless `EVALDECK_MAX_MEMBER_MB` raises it: far above any
/// real log's header, summaries or sample (the largest agent samples are some hundreds of MB),
/// and a bound on what a zip bomb (a small member that unpacks to gigabytes) can cost.
const MAX_MEMBER_MB: u64 = 2048;

fn max_member_bytes() -> u64 {
    std::env::var("EVALDECK_MAX_MEMBER_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(MAX_MEMBER_MB)
        .saturating_mul(1 << 20)
}

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
    let member = match zip.by_name(name) {
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
    // The declared size says at once what a member would cost; the count while unpacking
    // catches a member that declares less than it holds.
    let limit = max_member_bytes();
    let too_large = |size: u64| {
        StoreError::log(
            path,
            format!(
                "member {name} unpacks to {} MB or more, past the limit of {} MB (raise it with EVALDECK_MAX_MEMBER_MB)",
                size >> 20,
                limit >> 20
            ),
        )
    };
    if member.size() > limit {
        return Err(too_large(member.size()));
    }
    let mut bytes = Vec::with_capacity(member.size().min(limit) as usize);
    member
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::log(path, format!("member {name}: cannot be read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| StoreError::log(path, format!("member {name}: not UTF-8: {e}")))?;
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
        // The eval set the log belongs to: its own `eval_set_id`, else the set's manifest beside
        // it (`eval-set.json`).
        if let Some(id) = eval
            .get("eval_set_id")
            .filter(|v| !v.is_null())
            .cloned()
            .or_else(|| eval_set_id_beside(&first.path))
        {
            general.insert("eval_set_id".into(), id);
        }
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
        let mut sample_metrics = Map::new();
        let mut headline = None;
        for (task, log) in &self.logs {
            // A log still being written: its running scores, and how far it has got (samples ×
            // epochs done, of the dataset's samples × epochs).
            let mut progress = None;
            let (row, sources) = if log.from_journal {
                let (row, sources, done) = journal_scores(log)?;
                let eval = log.eval();
                let epochs = eval
                    .get("config")
                    .and_then(|c| c.get("epochs"))
                    .and_then(Json::as_i64)
                    .unwrap_or(1);
                let total = eval
                    .get("dataset")
                    .and_then(|d| d.get("samples"))
                    .and_then(Json::as_i64)
                    .map(|samples| samples * epochs.max(1));
                progress = Some((done as i64, total));
                (row, sources)
            } else {
                let results = log.header.get("results");
                if headline.is_none() {
                    headline = headline_metric(results, log.eval()).map(|m| (task.clone(), m));
                }
                (score_row(results), sample_metric_map(results))
            };
            results.insert(task.clone(), Json::Object(row));
            sample_metrics.insert(task.clone(), Json::Object(sources));
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
            if let Some((done, total)) = progress {
                counts.insert(task.clone(), Json::Int(done));
                let mut entry = Map::new();
                entry.insert("done".into(), Json::Int(done));
                entry.insert("total".into(), total.map_or(Json::Null, Json::Int));
                config.insert("progress".into(), Json::Object(entry));
            }
            configs.insert(task.clone(), Json::Object(config));
        }
        let mut root = Map::new();
        root.insert("config_general".into(), Json::Object(general));
        root.insert("results".into(), Json::Object(results));
        root.insert("versions".into(), Json::Object(versions));
        root.insert("config_tasks".into(), Json::Object(configs));
        let mut harness =
            crate::model::harness_section(Harness::Inspect.name(), &[], counts, sample_metrics);
        if let (Json::Object(section), Some((task, metric))) = (&mut harness, headline) {
            let mut entry = Map::new();
            entry.insert("task".into(), Json::from(task));
            entry.insert("metric".into(), Json::from(metric));
            section.insert("headline".into(), Json::Object(entry));
        }
        root.insert(crate::model::HARNESS_SECTION.into(), harness);
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

#[cfg(test)]
mod tests {
    use super::*;

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
