//! A task's samples as JSON lines: one strict JSON object per sample. Nested files (lighteval ≥
//! 0.11) give their own rows, streamed straight from Arrow; the older flat layouts give the
//! sample as [`detail_to_json`] reads it; other harnesses give their own records. In front of
//! each, the keys every harness shares ([`common_keys`]), so one `jq` line reads them all.

use std::io::Write;
use std::path::Path;

use super::detail_rows::detail_to_json;
use super::details::{DetailsFile, DetailsLayout, column_names};
use super::error::{Result, StoreError};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::transcript::Transcript;
use crate::model::{Detail, Json, Map, Prediction};

/// Whether each line starts with the keys every harness shares (see [`common_keys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommonKeys {
    /// `samples --format jsonl`: one `jq` line works on the samples of every harness.
    Added,
    /// `samples --format jsonl --transcript`: the common keys, and each row's transcript as
    /// `transcript` (the same shape for every harness), after the harness's own fields.
    AddedWithTranscripts,
    /// The harness's own rows only (details pushed to Trackio stay lighteval's).
    Omitted,
}

/// Which rows a transcript keeps (`samples --grep`).
pub type TranscriptFilter<'f> = &'f dyn Fn(&Transcript) -> bool;

/// Writes at most `limit` samples of `file` to `out`; `out_name` names `out` in errors.
pub fn write_details_jsonl(
    file: &DetailsFile,
    limit: u64,
    batch_rows: usize,
    common: CommonKeys,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<()> {
    write_details_jsonl_where(file, limit, batch_rows, common, None, out, out_name)
}

/// [`write_details_jsonl`] of the rows whose transcript `keep` keeps (all when `None`); `limit`
/// counts the rows written.
pub fn write_details_jsonl_where(
    file: &DetailsFile,
    limit: u64,
    batch_rows: usize,
    common: CommonKeys,
    keep: Option<TranscriptFilter>,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<()> {
    let write_error = |e| StoreError::io(out_name, e);
    let mut written = 0u64;
    let mut line = String::new();
    let with_transcripts = common == CommonKeys::AddedWithTranscripts;
    let needs_transcripts = with_transcripts || keep.is_some();
    let kept = |transcript: &Option<Transcript>| match (keep, transcript) {
        (Some(keep), Some(transcript)) => keep(transcript),
        _ => true,
    };
    let transcript_json = crate::model::transcript::transcript_to_json;
    match file.layout() {
        DetailsLayout::Log => {
            if common == CommonKeys::Added
                && keep.is_none()
                && let Some(written) = file.write_log_jsonl(limit, out, out_name)
            {
                return written;
            }
            for batch in file.log_rows(batch_rows)? {
                for (raw, detail) in batch? {
                    if written >= limit {
                        return Ok(());
                    }
                    let transcript = needs_transcripts.then(|| file.transcript(&raw, &detail));
                    if !kept(&transcript) {
                        continue;
                    }
                    let transcript = transcript.filter(|_| with_transcripts);
                    let mut object = match common {
                        CommonKeys::Added | CommonKeys::AddedWithTranscripts => {
                            with_common_keys(raw, &detail)
                        }
                        CommonKeys::Omitted => Json::Object(raw),
                    };
                    if let (Some(transcript), Json::Object(map)) = (&transcript, &mut object) {
                        map.insert("transcript".into(), transcript_json(transcript));
                    }
                    line.clear();
                    line.push_str(&pyjson::to_string(&object, WriteOptions::STRICT_COMPACT));
                    line.push('\n');
                    out.write_all(line.as_bytes()).map_err(write_error)?;
                    written += 1;
                }
            }
        }
        DetailsLayout::Flat | DetailsLayout::FlatText => {
            for batch in file.details(batch_rows)? {
                for detail in batch? {
                    if written >= limit {
                        return Ok(());
                    }
                    let transcript = needs_transcripts.then(|| Transcript::from_detail(&detail));
                    if !kept(&transcript) {
                        continue;
                    }
                    let mut object = match common {
                        CommonKeys::Added | CommonKeys::AddedWithTranscripts => {
                            common_keys(&detail, None)
                        }
                        CommonKeys::Omitted => Map::new(),
                    };
                    if let Json::Object(own) = detail_to_json(&detail) {
                        object.extend(own);
                    }
                    if with_transcripts {
                        let transcript = crate::model::transcript::Transcript::from_detail(&detail);
                        object.insert("transcript".into(), transcript_json(&transcript));
                    }
                    line.clear();
                    line.push_str(&pyjson::to_string(
                        &Json::Object(object),
                        WriteOptions::STRICT_COMPACT,
                    ));
                    line.push('\n');
                    out.write_all(line.as_bytes()).map_err(write_error)?;
                    written += 1;
                }
            }
        }
        DetailsLayout::Nested => {
            // The rows are streamed from Arrow as they are; the common keys come from the list
            // columns decoded alongside, row for row (batch boundaries need not match).
            let mut listed = match common {
                CommonKeys::Added | CommonKeys::AddedWithTranscripts => {
                    Some(SharedKeys::of(file, batch_rows)?)
                }
                CommonKeys::Omitted => None,
            };
            // The transcripts come from the rows decoded alongside, row for row.
            let mut details = if needs_transcripts {
                Some(file.details(batch_rows)?.flat_map(|batch| match batch {
                    Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                }))
            } else {
                None
            };
            for batch in file.batches(None, batch_rows)? {
                let batch = batch?;
                let names = column_names(&batch);
                for row in 0..batch.num_rows() {
                    if written >= limit {
                        return Ok(());
                    }
                    // The rows alongside advance row for row, kept or not.
                    let keys = match listed.as_mut() {
                        Some(listed) => listed.next_keys()?,
                        None => None,
                    };
                    let transcript = match details.as_mut().and_then(Iterator::next) {
                        Some(detail) => Some(Transcript::from_detail(&detail?)),
                        None => None,
                    };
                    if !kept(&transcript) {
                        continue;
                    }
                    line.clear();
                    line.push('{');
                    let mut first = true;
                    if let Some(keys) = keys {
                        let shared =
                            pyjson::to_string(&Json::Object(keys), WriteOptions::STRICT_COMPACT);
                        // `{…}` without its braces, then the file's own columns.
                        line.push_str(&shared[1..shared.len() - 1]);
                        first = false;
                    }
                    for (name, column) in names.iter().zip(batch.columns()) {
                        if !first {
                            line.push(',');
                        }
                        first = false;
                        pyjson::write_string(&mut line, name);
                        line.push(':');
                        super::write_cell(&mut line, column.as_ref(), row);
                    }
                    if let Some(transcript) = transcript.filter(|_| with_transcripts) {
                        line.push_str(",\"transcript\":");
                        line.push_str(&pyjson::to_string(
                            &transcript_json(&transcript),
                            WriteOptions::STRICT_COMPACT,
                        ));
                    }
                    line.push_str("}\n");
                    out.write_all(line.as_bytes()).map_err(write_error)?;
                    written += 1;
                }
            }
        }
    }
    Ok(())
}

/// The common keys of a nested details file, row after row: from its list columns read column by
/// column where their types allow, else from decoded rows. Batch boundaries need not match the
/// rows' own batches.
enum SharedKeys {
    Columns {
        batches: Box<dyn Iterator<Item = Result<super::ListBatch>> + Send>,
        current: Option<(Box<super::ListBatch>, usize)>,
    },
    Rows {
        batches: super::details::DetailBatches,
        pending: std::vec::IntoIter<Detail>,
    },
}

impl SharedKeys {
    fn of(file: &super::DetailsFile, batch_rows: usize) -> Result<Self> {
        Ok(match super::list_batches(file, batch_rows)? {
            Some(batches) => SharedKeys::Columns {
                batches,
                current: None,
            },
            None => SharedKeys::Rows {
                batches: file.list_details(batch_rows)?,
                pending: Vec::new().into_iter(),
            },
        })
    }

    fn next_keys(&mut self) -> Result<Option<Map>> {
        match self {
            SharedKeys::Rows { batches, pending } => loop {
                if let Some(detail) = pending.next() {
                    return Ok(Some(common_keys(&detail, None)));
                }
                match batches.next() {
                    Some(next) => *pending = next?.into_iter(),
                    None => return Ok(None),
                }
            },
            SharedKeys::Columns { batches, current } => loop {
                if let Some((batch, row)) = current.as_mut()
                    && *row < batch.len()
                {
                    let keys = column_keys(batch, *row);
                    *row += 1;
                    return Ok(Some(keys));
                }
                match batches.next() {
                    Some(next) => *current = Some((Box::new(next?), 0)),
                    None => return Ok(None),
                }
            },
        }
    }
}

/// [`common_keys`] of row `row` of a batch of list columns (lighteval's rows: no epoch, and ids
/// as text).
fn column_keys(batch: &super::ListBatch, row: usize) -> Map {
    let mut keys = Map::new();
    keys.insert("id".into(), Json::from(batch.id(row).unwrap_or_default()));
    keys.insert("input".into(), Json::from(batch.query(row)));
    keys.insert(
        "target".into(),
        Json::Array(batch.golds(row).into_iter().map(Json::from).collect()),
    );
    keys.insert("prediction".into(), Json::from(batch.prediction(row)));
    let scores: Map = batch
        .metric_names()
        .enumerate()
        .filter_map(|(index, name)| Some((name.to_owned(), Json::Float(batch.metric(index, row)?))))
        .collect();
    keys.insert("scores".into(), Json::Object(scores));
    keys
}

/// A harness's own record with the common keys in front. A field of its own that a common key
/// replaced with another value keeps that value under `raw_<key>`.
pub fn with_common_keys(raw: Map, detail: &Detail) -> Json {
    let mut object = common_keys(detail, Some(&raw));
    for (key, value) in raw {
        match object.get(&key) {
            Some(shared) if *shared == value => {}
            Some(_) => {
                object.insert(format!("raw_{key}"), value);
            }
            None => {
                object.insert(key, value);
            }
        }
    }
    Json::Object(object)
}

/// The keys every harness's samples share: `id`, `epoch` (Inspect's), `input` (the query or
/// prompt as text), `target` (the gold texts), `prediction` (the generation or the chosen
/// choice) and `scores` (each numeric per-sample metric).
pub fn common_keys(detail: &Detail, raw: Option<&Map>) -> Map {
    let mut keys = Map::new();
    let id = detail.doc.id.clone().unwrap_or_default();
    // Inspect's ids may be ints: keep the harness's own value when it is the same id.
    let id = match raw.and_then(|r| r.get("id")) {
        Some(own @ Json::Int(n)) if n.to_string() == id => own.clone(),
        _ => Json::Str(id),
    };
    keys.insert("id".into(), id);
    if let Some(epoch) = raw
        .and_then(|r| r.get("epoch"))
        .filter(|e| e.as_i64().is_some())
    {
        keys.insert("epoch".into(), epoch.clone());
    }
    keys.insert("input".into(), Json::from(detail.doc.query.as_str()));
    keys.insert(
        "target".into(),
        Json::Array(detail.doc.golds().into_iter().map(Json::from).collect()),
    );
    let prediction = match detail.prediction() {
        Prediction::Generated(text) => text,
        Prediction::Choice { text, .. } => text,
        Prediction::None => "",
    };
    keys.insert("prediction".into(), Json::from(prediction));
    let scores: Map = detail
        .metric
        .keys()
        .filter_map(|name| Some((name.clone(), Json::Float(detail.metric_value(name)?))))
        .collect();
    keys.insert("scores".into(), Json::Object(scores));
    keys
}
