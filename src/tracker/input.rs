//! The tracking input for other harnesses: JSON lines, one record per line.
//!
//! ```text
//! {"type":"run","model_name":"org/model","model_config":{…},"num_fewshot_seeds":1,"max_samples":null,"job_id":"0"}
//! {"type":"task","name":"quiz:geo|0","version":0,"aggregations":{"acc":"mean","mcc":"MatthewsCorrCoef()"}}
//! {"type":"sample","task":"quiz:geo|0","doc":{…},"model_response":{…},"metric":{"acc":1}}
//! ```
//!
//! A producer may end the stream with `{"type":"end"}`: a file followed as it is written
//! (`--follow`) is then complete. `type` may be left out for samples. `doc`, `model_response` and `metric` take lighteval's
//! field names; metric values are numbers or, for corpus metrics, their structured inputs. Lines
//! written by Python may hold bare `NaN` / `Infinity`. A bad line is an error naming its number.

use std::io::BufRead;

use super::{EvaluationTracker, TaskDeclaration, TrackerError};
use crate::model::pyjson;
use crate::model::{Json, Map};

/// What a tracking stream held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackingSummary {
    pub tasks: usize,
    pub samples: u64,
}

/// What is wrong with one line of a tracking stream; [`TrackerError::Input`] adds where it is.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("could not be read: {0}")]
    Unreadable(#[from] std::io::Error),
    #[error("invalid JSON at column {column}: {message}")]
    Json { column: usize, message: String },
    #[error("a record is a JSON object, this is {0}")]
    NotAnObject(&'static str),
    #[error("`{0}` is missing")]
    Missing(&'static str),
    /// `what` is the field (`` `model_name` ``, `` aggregation of `acc` ``).
    #[error("{what} is {found}, expected {expected}")]
    WrongType {
        what: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("task `{0}` is declared after samples of it")]
    DeclaredLate(String),
    #[error("unknown record type `{0}` (run, task, sample or end)")]
    UnknownType(String),
    #[error(transparent)]
    Tracker(Box<TrackerError>),
}

impl RecordError {
    fn wrong(what: impl Into<String>, value: &Json, expected: &'static str) -> RecordError {
        RecordError::WrongType {
            what: what.into(),
            found: value.kind(),
            expected,
        }
    }

    fn field(key: &str, value: &Json, expected: &'static str) -> RecordError {
        RecordError::wrong(format!("`{key}`"), value, expected)
    }
}

impl From<TrackerError> for RecordError {
    fn from(error: TrackerError) -> RecordError {
        RecordError::Tracker(Box::new(error))
    }
}

/// One line parsed as JSON, as the tracker reads it (Python's bare `NaN` allowed).
pub fn parse_record(line: &str) -> Result<Json, RecordError> {
    pyjson::parse(line).map_err(|e| RecordError::Json {
        column: e.column,
        message: e.message,
    })
}

/// What a record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    Run,
    Task,
    Sample,
    /// `{"type":"end"}`: the producer has finished; nothing after it is read.
    End,
}

/// Feeds one parsed record (line `number` of `source_name`) to `tracker`.
pub fn track_record(
    number: usize,
    parsed: Result<Json, RecordError>,
    source_name: &str,
    tracker: &mut EvaluationTracker,
    summary: &mut TrackingSummary,
) -> Result<Tracked, TrackerError> {
    track_one(number, parsed, source_name, tracker, summary, &mut |_| {})
}

/// Feeds every record of `reader` to `tracker`. `progress` is called with the number of samples
/// read so far, every 10,000 samples.
pub fn track_lines(
    reader: impl BufRead + Send,
    source_name: &str,
    tracker: &mut EvaluationTracker,
    progress: &mut dyn FnMut(u64),
) -> Result<TrackingSummary, TrackerError> {
    // Parsing runs on its own thread, a chunk of lines ahead of the tracker.
    let (sender, receiver) =
        std::sync::mpsc::sync_channel::<Vec<(usize, Result<Json, RecordError>)>>(64);
    std::thread::scope(|scope| {
        scope.spawn(move || parse_lines(reader, &sender));
        let mut summary = TrackingSummary::default();
        'chunks: for chunk in receiver {
            for (number, parsed) in chunk {
                let tracked =
                    track_one(number, parsed, source_name, tracker, &mut summary, progress)?;
                if tracked == Tracked::End {
                    break 'chunks;
                }
            }
        }
        progress(summary.samples);
        Ok(summary)
    })
}

/// Lines per message from the parsing thread.
const CHUNK_LINES: usize = 512;

fn parse_lines(
    reader: impl BufRead,
    sender: &std::sync::mpsc::SyncSender<Vec<(usize, Result<Json, RecordError>)>>,
) {
    let mut chunk = Vec::with_capacity(CHUNK_LINES);
    for (index, line) in reader.lines().enumerate() {
        let parsed = match line {
            Err(e) => Err(RecordError::Unreadable(e)),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => parse_record(&line),
        };
        let failed = parsed.is_err();
        chunk.push((index + 1, parsed));
        if failed || chunk.len() == CHUNK_LINES {
            // The receiver stops at the first error, or has gone away: either way, stop.
            if sender
                .send(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(CHUNK_LINES),
                ))
                .is_err()
                || failed
            {
                return;
            }
        }
    }
    let _ = sender.send(chunk);
}

fn track_one(
    number: usize,
    parsed: Result<Json, RecordError>,
    source_name: &str,
    tracker: &mut EvaluationTracker,
    summary: &mut TrackingSummary,
    progress: &mut dyn FnMut(u64),
) -> Result<Tracked, TrackerError> {
    let error = |problem: RecordError| TrackerError::Input {
        source_name: source_name.to_owned(),
        line: number,
        problem,
    };
    let record = parsed.map_err(error)?;
    {
        let Json::Object(mut record) = record else {
            return Err(error(RecordError::NotAnObject(record.kind())));
        };
        let kind = match record.shift_remove("type") {
            None => "sample".to_owned(),
            Some(Json::Str(kind)) => kind,
            Some(other) => return Err(error(RecordError::field("type", &other, "a string"))),
        };
        match kind.as_str() {
            "run" => {
                run_record(record, tracker).map_err(error)?;
                Ok(Tracked::Run)
            }
            "task" => {
                let declaration = task_record(record).map_err(error)?;
                if tracker.details.tasks.contains_key(&declaration.name) {
                    return Err(error(RecordError::DeclaredLate(declaration.name)));
                }
                tracker
                    .declare_task(declaration)
                    .map_err(|e| error(e.into()))?;
                summary.tasks += 1;
                Ok(Tracked::Task)
            }
            "sample" => {
                sample_record(record, tracker).map_err(error)?;
                summary.samples += 1;
                if summary.samples.is_multiple_of(10_000) {
                    progress(summary.samples);
                }
                Ok(Tracked::Sample)
            }
            "end" => Ok(Tracked::End),
            other => Err(error(RecordError::UnknownType(other.to_owned()))),
        }
    }
}

fn take_object(record: &mut Map, key: &'static str, required: bool) -> Result<Map, RecordError> {
    match record.shift_remove(key) {
        Some(Json::Object(map)) => Ok(map),
        None | Some(Json::Null) if !required => Ok(Map::new()),
        None | Some(Json::Null) => Err(RecordError::Missing(key)),
        Some(other) => Err(RecordError::field(key, &other, "an object")),
    }
}

/// A required string field.
fn take_string(record: &mut Map, key: &'static str) -> Result<String, RecordError> {
    match record.shift_remove(key) {
        Some(Json::Str(text)) => Ok(text),
        Some(other) => Err(RecordError::field(key, &other, "a string")),
        None => Err(RecordError::Missing(key)),
    }
}

fn run_record(mut record: Map, tracker: &mut EvaluationTracker) -> Result<(), RecordError> {
    let model_name = take_string(&mut record, "model_name")?;
    super::check_model_name(&model_name)?;
    let model_config = take_object(&mut record, "model_config", false)?;
    let int = |value: Option<&Json>, key: &str| -> Result<Option<i64>, RecordError> {
        match value {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| RecordError::field(key, v, "an integer")),
        }
    };
    let seeds = int(record.get("num_fewshot_seeds"), "num_fewshot_seeds")?.unwrap_or(1);
    let max_samples = int(record.get("max_samples"), "max_samples")?;
    let job_id = match record.get("job_id") {
        None | Some(Json::Null) => "0".to_owned(),
        Some(Json::Str(s)) => s.clone(),
        Some(Json::Int(i)) => i.to_string(),
        Some(other) => return Err(RecordError::field("job_id", other, "a string")),
    };
    let commit = record
        .get("lighteval_sha")
        .or_else(|| record.get("tool_commit"))
        .and_then(Json::as_str);
    tracker
        .general
        .log_args_info(seeds, max_samples, &job_id, commit);
    tracker.general.log_model_info(&model_name, model_config);
    Ok(())
}

fn task_record(mut record: Map) -> Result<TaskDeclaration, RecordError> {
    let name = take_string(&mut record, "name")?;
    let mut declaration = TaskDeclaration::new(&name);
    match record.shift_remove("version") {
        None | Some(Json::Null) => {}
        Some(v) => {
            declaration.version = v
                .as_i64()
                .ok_or_else(|| RecordError::field("version", &v, "an integer"))?
        }
    }
    for (metric, aggregation) in take_object(&mut record, "aggregations", false)? {
        let Json::Str(aggregation) = aggregation else {
            return Err(RecordError::wrong(
                format!("aggregation of `{metric}`"),
                &aggregation,
                "a string",
            ));
        };
        declaration = declaration.with_aggregation(&metric, &aggregation)?;
    }
    for (metric, better) in take_object(&mut record, "higher_is_better", false)? {
        let Some(better) = better.as_bool() else {
            return Err(RecordError::wrong(
                format!("higher_is_better of `{metric}`"),
                &better,
                "a boolean",
            ));
        };
        declaration.higher_is_better.insert(metric, better);
    }
    declaration.extra = record;
    Ok(declaration)
}

fn sample_record(mut record: Map, tracker: &mut EvaluationTracker) -> Result<(), RecordError> {
    let task = take_string(&mut record, "task")?;
    let doc = take_object(&mut record, "doc", true)?;
    let model_response = take_object(&mut record, "model_response", false)?;
    let metric = take_object(&mut record, "metric", true)?;
    Ok(tracker.log(&task, doc, model_response, metric)?)
}
