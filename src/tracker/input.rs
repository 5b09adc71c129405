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
    parsed: Result<Json, String>,
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
        std::sync::mpsc::sync_channel::<Vec<(usize, Result<Json, String>)>>(64);
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
    sender: &std::sync::mpsc::SyncSender<Vec<(usize, Result<Json, String>)>>,
) {
    let mut chunk = Vec::with_capacity(CHUNK_LINES);
    for (index, line) in reader.lines().enumerate() {
        let parsed = match line {
            Err(e) => Err(format!("could not be read: {e}")),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => pyjson::parse(&line)
                .map_err(|e| format!("invalid JSON at column {}: {}", e.column, e.message)),
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
    parsed: Result<Json, String>,
    source_name: &str,
    tracker: &mut EvaluationTracker,
    summary: &mut TrackingSummary,
    progress: &mut dyn FnMut(u64),
) -> Result<Tracked, TrackerError> {
    let error = |message: String| TrackerError::Input {
        source_name: source_name.to_owned(),
        line: number,
        message,
    };
    let record = parsed.map_err(error)?;
    {
        let Json::Object(mut record) = record else {
            return Err(error(format!(
                "a record is a JSON object, this is {}",
                record.kind()
            )));
        };
        let kind = match record.shift_remove("type") {
            None => "sample".to_owned(),
            Some(Json::Str(kind)) => kind,
            Some(other) => {
                return Err(error(format!(
                    "`type` is {}, expected a string",
                    other.kind()
                )));
            }
        };
        match kind.as_str() {
            "run" => {
                run_record(record, tracker).map_err(error)?;
                Ok(Tracked::Run)
            }
            "task" => {
                let declaration = task_record(record).map_err(error)?;
                if tracker.details.tasks.contains_key(&declaration.name) {
                    return Err(error(format!(
                        "task `{}` is declared after samples of it",
                        declaration.name
                    )));
                }
                tracker
                    .declare_task(declaration)
                    .map_err(|e| error(e.to_string()))?;
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
            other => Err(error(format!(
                "unknown record type `{other}` (run, task, sample or end)"
            ))),
        }
    }
}

fn take_object(record: &mut Map, key: &str, required: bool) -> Result<Map, String> {
    match record.shift_remove(key) {
        Some(Json::Object(map)) => Ok(map),
        None | Some(Json::Null) if !required => Ok(Map::new()),
        None | Some(Json::Null) => Err(format!("`{key}` is missing")),
        Some(other) => Err(format!("`{key}` is {}, expected an object", other.kind())),
    }
}

fn run_record(mut record: Map, tracker: &mut EvaluationTracker) -> Result<(), String> {
    let model_name = match record.shift_remove("model_name") {
        Some(Json::Str(name)) => name,
        Some(other) => {
            return Err(format!(
                "`model_name` is {}, expected a string",
                other.kind()
            ));
        }
        None => return Err("`model_name` is missing".into()),
    };
    super::check_model_name(&model_name).map_err(|e| e.to_string())?;
    let model_config = take_object(&mut record, "model_config", false)?;
    let int = |value: Option<&Json>, key: &str| -> Result<Option<i64>, String> {
        match value {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| format!("`{key}` is {}, expected an integer", v.kind())),
        }
    };
    let seeds = int(record.get("num_fewshot_seeds"), "num_fewshot_seeds")?.unwrap_or(1);
    let max_samples = int(record.get("max_samples"), "max_samples")?;
    let job_id = match record.get("job_id") {
        None | Some(Json::Null) => "0".to_owned(),
        Some(Json::Str(s)) => s.clone(),
        Some(Json::Int(i)) => i.to_string(),
        Some(other) => return Err(format!("`job_id` is {}, expected a string", other.kind())),
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

fn task_record(mut record: Map) -> Result<TaskDeclaration, String> {
    let name = match record.shift_remove("name") {
        Some(Json::Str(name)) => name,
        Some(other) => return Err(format!("`name` is {}, expected a string", other.kind())),
        None => return Err("`name` is missing".into()),
    };
    let mut declaration = TaskDeclaration::new(&name);
    match record.shift_remove("version") {
        None | Some(Json::Null) => {}
        Some(v) => {
            declaration.version = v
                .as_i64()
                .ok_or_else(|| format!("`version` is {}, expected an integer", v.kind()))?
        }
    }
    for (metric, aggregation) in take_object(&mut record, "aggregations", false)? {
        let Json::Str(aggregation) = aggregation else {
            return Err(format!(
                "aggregation of `{metric}` is {}, expected a string",
                aggregation.kind()
            ));
        };
        declaration = declaration
            .with_aggregation(&metric, &aggregation)
            .map_err(|e| e.to_string())?;
    }
    for (metric, better) in take_object(&mut record, "higher_is_better", false)? {
        let better = better
            .as_bool()
            .ok_or_else(|| format!("higher_is_better of `{metric}` is not a boolean"))?;
        declaration.higher_is_better.insert(metric, better);
    }
    declaration.extra = record;
    Ok(declaration)
}

fn sample_record(mut record: Map, tracker: &mut EvaluationTracker) -> Result<(), String> {
    let task = match record.shift_remove("task") {
        Some(Json::Str(task)) => task,
        Some(other) => return Err(format!("`task` is {}, expected a string", other.kind())),
        None => return Err("`task` is missing".into()),
    };
    let doc = take_object(&mut record, "doc", true)?;
    let model_response = take_object(&mut record, "model_response", false)?;
    let metric = take_object(&mut record, "metric", true)?;
    tracker
        .log(&task, doc, model_response, metric)
        .map_err(|e| e.to_string())
}
