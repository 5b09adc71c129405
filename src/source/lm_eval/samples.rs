//! One `samples_<task>_<date>.jsonl`: one line per document and filter, streamed, and indexed by
//! line offsets on first use so the Sample screen reads any line alone.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::model::transcript::{Message, Part, Role, Transcript};
use crate::model::{Detail, Doc, Json, Map, ModelResponse, pyjson};
use crate::store::{LogRows, Result, SampleLog, StoreError};

/// One `samples_<task>_<date>.jsonl`.
pub(super) struct SamplesFile {
    pub(super) task: String,
    pub(super) path: PathBuf,
    metric_names: Vec<String>,
    /// Byte offset of every line, found by one scan on first use.
    offsets: OnceLock<std::result::Result<Arc<Vec<u64>>, Arc<StoreError>>>,
}

impl SamplesFile {
    pub(super) fn open(task: &str, path: &Path) -> Result<SamplesFile> {
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
                    .map_err(|e| Arc::new(StoreError::io(&self.path, e)))
            })
            .clone()
            .map_err(StoreError::Shared)
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

pub(super) fn parse_line(path: &Path, number: usize, line: &str) -> Result<Map> {
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

    fn transcript(&self, record: &Map, _detail: &Detail) -> Transcript {
        sample_transcript(record)
    }
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
pub(super) fn text_of(value: &Json) -> String {
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

/// One line as a conversation: each request's context as the user's turn (once, when requests
/// share it), then what the model gave back: a generation, with its filtered form when the
/// filter changed it; or, for a log-likelihood request, the continuation scored and its
/// log-likelihood.
pub fn sample_transcript(raw: &Map) -> Transcript {
    let requests: Vec<&Map> = raw
        .get("arguments")
        .and_then(Json::as_object)
        .map(|a| a.values().filter_map(Json::as_object).collect())
        .unwrap_or_default();
    let resps = raw.get("resps").and_then(Json::as_array).unwrap_or(&[]);
    let filtered = raw
        .get("filtered_resps")
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let mut messages: Vec<Message> = Vec::new();
    let mut context_said: Option<String> = None;
    for (i, request) in requests.iter().enumerate() {
        let context = request.get("arg_0").map(text_of).unwrap_or_default();
        if context_said.as_deref() != Some(context.as_str()) {
            messages.push(Message::text_message(Role::User, context.clone()));
            context_said = Some(context);
        }
        let answers: Vec<&Json> = match resps.get(i) {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        let mut parts = Vec::new();
        match request.get("arg_1") {
            Some(Json::Str(continuation)) => {
                parts.push(Part::Text(continuation.clone()));
                let scored = answers
                    .first()
                    .map(|a| match a {
                        Json::Array(pair) => {
                            let lp = pair.first().map(text_of).unwrap_or_default();
                            let greedy = pair.get(1).map(text_of).unwrap_or_default();
                            format!("log-likelihood {lp}, greedy {greedy}")
                        }
                        other => format!("log-likelihood {}", text_of(other)),
                    })
                    .unwrap_or_default();
                parts.push(Part::Other {
                    kind: "loglikelihood".into(),
                    text: scored,
                });
            }
            _ => {
                for answer in &answers {
                    parts.push(Part::Text(text_of(answer)));
                }
                let kept = filtered.get(i).map(text_of);
                if let Some(kept) =
                    kept.filter(|k| answers.first().map(|a| text_of(a)) != Some(k.clone()))
                {
                    parts.push(Part::Other {
                        kind: "filtered".into(),
                        text: kept,
                    });
                }
            }
        }
        messages.push(Message::with_parts(Role::Assistant, parts));
    }
    Transcript::conversation(messages)
}
