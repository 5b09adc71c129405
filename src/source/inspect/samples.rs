//! One task's samples in an Inspect log: one row per sample and epoch, each decompressed when
//! asked for, as a [`Detail`] beside Inspect's own record.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::{Arc, Mutex};

use zip::ZipArchive;

use super::scores::score_values;
use super::{Container, LogHeader, member_names, open_zip, read_member};
use crate::model::transcript::Transcript;
use crate::model::{Detail, Doc, Json, Map, ModelResponse, pyjson};
use crate::store::{LogRows, Result, SampleLog, StoreError};

/// Samples decompressed per batch when a whole task is read.
const MEMBERS_PER_BATCH: usize = 256;

/// Where one row's sample is.
#[derive(Debug, Clone)]
enum RowSource {
    /// A member of the archive.
    Member(String),
    /// An index into a `.json` log's `samples`.
    Index(usize),
}

/// One task's samples in one log.
pub(super) struct InspectSamples {
    task: String,
    log: Arc<LogHeader>,
    rows: Vec<RowSource>,
    /// Each row's sample id (as text) and epoch.
    keys: Vec<(String, i64)>,
    metric_names: Vec<String>,
    /// Each sample's epoch-reduced scores (`reductions.json`), by id as text.
    reduced: HashMap<String, Map>,
    /// The archive, kept open for reading rows one at a time.
    zip: Option<Mutex<ZipArchive<BufReader<File>>>>,
}

impl InspectSamples {
    pub(super) fn open(task: &str, log: Arc<LogHeader>) -> Result<InspectSamples> {
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
                    keys: members.iter().map(|m| (m.1.clone(), m.2)).collect(),
                    rows: members
                        .into_iter()
                        .map(|m| RowSource::Member(m.3))
                        .collect(),
                    metric_names: per_sample_columns(&log.header, &reduced),
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
                let keys = rows
                    .iter()
                    .map(|&(_, epoch, i)| {
                        let id = samples[i].get("id").map(id_text).unwrap_or_default();
                        (id, epoch)
                    })
                    .collect();
                Ok(InspectSamples {
                    task: task.to_owned(),
                    keys,
                    rows: rows.into_iter().map(|r| RowSource::Index(r.2)).collect(),
                    metric_names: per_sample_columns(&log.header, &reduced),
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
        let Json::Object(mut raw) = sample else {
            return Err(StoreError::log(
                &self.log.path,
                "a sample that is not a JSON object",
            ));
        };
        // Schema 1: one `score`, of the log's one scorer (migrated into `results.scores[0]`).
        if !raw.contains_key("scores")
            && let Some(score) = raw.get("score").cloned()
        {
            let scorer = self
                .log
                .header
                .get("results")
                .and_then(|r| r.get("scores"))
                .and_then(Json::as_array)
                .and_then(|s| s.first())
                .and_then(|s| s.get("name"))
                .and_then(Json::as_str)
                .unwrap_or("score");
            let mut scores = Map::new();
            scores.insert(scorer.to_owned(), score);
            raw.insert("scores".into(), Json::Object(scores));
        }
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

    fn sample_keys(&self) -> Option<Vec<(String, i64)>> {
        Some(self.keys.clone())
    }

    fn transcript(&self, record: &Map, _detail: &Detail) -> Transcript {
        super::transcript::sample_transcript(record)
    }
}

/// The per-sample score columns of a log, named as [`super::score_values`] names a sample's
/// scores: a scorer's name, or `scorer/key` for each key of a scorer whose values are dicts
/// (scicode's `{"Problem Correctness": 0, "Total Correct": 1}`). The keys come from the
/// reductions; without them, Inspect's per-key scores (`name` the key, `scorer` the scorer) name
/// theirs.
fn per_sample_columns(header: &Map, reduced: &HashMap<String, Map>) -> Vec<String> {
    let listed = |scorers: &[Json], with_scorer: bool| -> Vec<(String, Option<String>)> {
        scorers
            .iter()
            .filter_map(|s| {
                let name = s.get("name").and_then(Json::as_str)?;
                let scorer = s
                    .get("scorer")
                    .and_then(Json::as_str)
                    .filter(|_| with_scorer)
                    .unwrap_or(name);
                let key = (scorer != name).then(|| name.to_owned());
                Some((scorer.to_owned(), key))
            })
            .collect()
    };
    let scorers = header
        .get("results")
        .and_then(|r| r.get("scores"))
        .and_then(Json::as_array)
        .map(|s| listed(s, true))
        .filter(|n| !n.is_empty())
        .or_else(|| {
            header
                .get("eval")
                .and_then(|e| e.get("scorers"))
                .and_then(Json::as_array)
                .map(|s| listed(s, false))
        })
        .unwrap_or_default();
    let mut columns: Vec<String> = Vec::new();
    let mut push = |column: String| {
        if !columns.contains(&column) {
            columns.push(column);
        }
    };
    for (scorer, key) in scorers {
        let dict_keys = reduced.values().find_map(|scores| {
            let keys: Vec<String> = scores.get(&scorer)?.as_object()?.keys().cloned().collect();
            Some(keys)
        });
        match (dict_keys, key) {
            (Some(keys), _) => keys.into_iter().for_each(|k| push(format!("{scorer}/{k}"))),
            (None, Some(key)) => push(format!("{scorer}/{key}")),
            (None, None) => push(scorer),
        }
    }
    columns
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
pub fn sample_detail(
    task: &str,
    raw: &Map,
    epochs: Option<i64>,
    reduced: &HashMap<String, Map>,
) -> Detail {
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
    // `completion` is how Inspect serialises the first choice's text; logs that lack it
    // (0.3.117 wrote none) still hold that text in `choices[0].message.content`, reasoning
    // parts left out as Inspect's own `ModelOutput.completion` leaves them.
    let completion = output
        .and_then(|o| o.get("completion"))
        .and_then(Json::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let content = output?
                .get("choices")?
                .as_array()?
                .first()?
                .get("message")?
                .get("content")?;
            match content {
                Json::Str(text) => Some(text.clone()),
                Json::Array(parts) => Some(
                    parts
                        .iter()
                        .filter(|p| p.get("type").and_then(Json::as_str) == Some("text"))
                        .filter_map(|p| p.get("text").and_then(Json::as_str))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                _ => None,
            }
        })
        .unwrap_or_default();
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
    // A log that does not say how many epochs it ran (null in older logs and other writers')
    // names the epoch alone, never a count it would have to guess.
    let epoch_text = match epochs {
        Some(epochs) if epoch <= epochs => format!("{epoch} of {epochs}"),
        _ => format!("epoch {epoch}"),
    };
    specific.insert("epoch".into(), Json::from(epoch_text));
    let epochs = epochs.unwrap_or(1);
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
