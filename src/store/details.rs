//! Details Parquet files (`details_<task>_<date_id>.parquet`), in the three layouts lighteval has
//! written: nested `doc` / `model_response` / `metric` structs (≥ 0.11), typed flat columns
//! (0.8–0.10) and flat columns holding Python `str()` text (0.5–0.7).
//!
//! Opening reads only the footer (row count, schema). Rows are decoded on demand, in batches, and
//! only the columns asked for.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder, RowSelection, RowSelector,
};
use parquet::file::metadata::PageIndexPolicy;

use super::arrow_json::row_object;
use super::detail_rows::detail_from_row;
use super::error::{Result, StoreError};
use super::log::SampleLog;
use super::remote::{Chunks, RemoteBytes};
use crate::model::{Detail, Json, Map};

/// Which of lighteval's details layouts a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailsLayout {
    /// lighteval ≥ 0.11: struct columns `doc`, `model_response`, `metric`.
    Nested,
    /// lighteval 0.8–0.10: typed flat columns (`example`, `predictions`, `metrics`, …).
    Flat,
    /// lighteval 0.5–0.7: the flat columns, every one a Python `str()` string.
    FlatText,
    /// Not lighteval's: another harness's samples, read by its [`SampleLog`].
    Log,
}

/// An opened details file: its footer is read, its rows are not. It is also how the samples of
/// other harnesses are read (through their [`SampleLog`]), so every screen and command reads all
/// of them through this one type.
#[derive(Debug, Clone)]
pub struct DetailsFile {
    path: PathBuf,
    layout: DetailsLayout,
    backing: Backing,
    /// Where a remote file's bytes are read by range; `None` reads `path` on disk.
    remote: Option<Arc<dyn RemoteBytes>>,
}

#[derive(Clone)]
enum Backing {
    Parquet(ArrowReaderMetadata),
    Log(Arc<dyn SampleLog>),
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backing::Parquet(_) => f.write_str("Parquet"),
            Backing::Log(log) => write!(f, "Log({})", log.path().display()),
        }
    }
}

/// Decoded rows, a batch at a time.
pub type DetailBatches = Box<dyn Iterator<Item = Result<Vec<Detail>>> + Send>;

/// Whether a file named for `file_task` may hold rows of `row_task`: the same task once the
/// few-shot part and any suite prefix are set aside (`lighteval|mmlu:anatomy|5` and
/// `mmlu:anatomy` are one task).
fn same_task(file_task: &str, row_task: &str) -> bool {
    fn core(task: &str) -> &str {
        let task = task.trim();
        let task = match task.rsplit_once('|') {
            Some((rest, fewshot))
                if !fewshot.is_empty() && fewshot.bytes().all(|b| b.is_ascii_digit()) =>
            {
                rest
            }
            _ => task,
        };
        task.rsplit('|').next().unwrap_or(task)
    }
    core(file_task) == core(row_task)
}

/// Default number of rows decoded at a time.
pub const DEFAULT_BATCH_ROWS: usize = 4096;

/// Rows before this one are read by decoding from the file's start rather than by skipping
/// (see [`DetailsFile::read_row`]): a first screen's worth, cheap to decode.
const DECODED_NOT_SKIPPED: u64 = 1024;

impl DetailsFile {
    /// Reads the footer of `path` and recognises its layout.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
        Self::open_with(path, Chunks::Local(file), None, ArrowReaderOptions::new())
    }

    /// A remote details file, read by range: the footer now (with the offset index, so a row
    /// deep in the file costs its own pages only), column pages as they are decoded. `path` is
    /// where the file would be on disk; it names the file in messages.
    pub fn open_remote(path: &Path, bytes: Arc<dyn RemoteBytes>) -> Result<Self> {
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Skip);
        let options = options.with_offset_index_policy(PageIndexPolicy::Optional);
        Self::open_with(path, Chunks::Remote(bytes.clone()), Some(bytes), options)
    }

    fn open_with(
        path: &Path,
        chunks: Chunks,
        remote: Option<Arc<dyn RemoteBytes>>,
        options: ArrowReaderOptions,
    ) -> Result<Self> {
        let metadata = super::guard::guarded(|| ArrowReaderMetadata::load(&chunks, options))
            .map_err(|panic| StoreError::parquet(path, format!("corrupt file ({panic})")))?
            .map_err(|e| StoreError::parquet(path, e))?;
        let layout = detect_layout(path, metadata.schema())?;
        Ok(DetailsFile {
            path: path.to_owned(),
            layout,
            backing: Backing::Parquet(metadata),
            remote,
        })
    }

    /// The file's bytes, for the Parquet reader.
    fn chunks(&self) -> Result<Chunks> {
        match &self.remote {
            Some(bytes) => Ok(Chunks::Remote(bytes.clone())),
            None => Ok(Chunks::Local(
                File::open(&self.path).map_err(|e| StoreError::io(&self.path, e))?,
            )),
        }
    }

    /// Whether rows are read by range from a remote file.
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// Another harness's samples.
    pub fn from_log(log: Arc<dyn SampleLog>) -> Self {
        DetailsFile {
            path: log.path().to_owned(),
            layout: DetailsLayout::Log,
            backing: Backing::Log(log),
            remote: None,
        }
    }

    /// The Parquet footer; every Parquet-only method goes through here.
    fn parquet(&self) -> Result<&ArrowReaderMetadata> {
        match &self.backing {
            Backing::Parquet(metadata) => Ok(metadata),
            Backing::Log(_) => Err(StoreError::log(
                &self.path,
                "is not a Parquet details file; its rows are read through its harness's reader",
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn layout(&self) -> DetailsLayout {
        self.layout
    }

    pub fn num_rows(&self) -> u64 {
        match &self.backing {
            Backing::Parquet(metadata) => {
                u64::try_from(metadata.metadata().file_metadata().num_rows()).unwrap_or(0)
            }
            Backing::Log(log) => log.num_rows(),
        }
    }

    /// Size of the file's column data in bytes (compressed), from the footer.
    pub fn compressed_bytes(&self) -> u64 {
        let Backing::Parquet(metadata) = &self.backing else {
            return std::fs::metadata(&self.path).map_or(0, |m| m.len());
        };
        metadata
            .metadata()
            .row_groups()
            .iter()
            .map(|rg| u64::try_from(rg.compressed_size()).unwrap_or(0))
            .sum()
    }

    /// Per-sample metric names, read from the schema (the `metric` or `metrics` struct's fields).
    /// Empty for the text layout, whose metrics are only known by parsing rows.
    pub fn metric_names(&self) -> Vec<String> {
        let column = match (&self.backing, self.layout) {
            (Backing::Log(log), _) => return log.metric_names(),
            (_, DetailsLayout::Nested) => "metric",
            (_, DetailsLayout::Flat) => "metrics",
            (_, DetailsLayout::FlatText | DetailsLayout::Log) => return Vec::new(),
        };
        let Backing::Parquet(metadata) = &self.backing else {
            return Vec::new();
        };
        match metadata
            .schema()
            .field_with_name(column)
            .map(|f| f.data_type())
        {
            Ok(DataType::Struct(fields)) => fields.iter().map(|f| f.name().clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Decodes rows in batches of `batch_rows`, reading only `columns` when given. A column is a
    /// top-level name (`doc`) or a dotted path into structs (`doc.query`, `metric.acc`); a struct
    /// column then holds just the requested fields.
    pub fn batches(&self, columns: Option<&[&str]>, batch_rows: usize) -> Result<RowBatches> {
        let metadata = self.parquet()?.clone();
        let mask = columns.map(|c| self.projection(c)).transpose()?;
        if let Some(remote) = &self.remote {
            // The first batch's pages, fetched together rather than one by one as decoded.
            let rows = 0..batch_rows.max(1) as u64;
            remote.prefetch(&super::remote::page_ranges(
                metadata.metadata(),
                mask.as_ref(),
                rows,
            ));
        }
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(self.chunks()?, metadata)
                .with_batch_size(batch_rows.max(1));
        if let Some(mask) = mask {
            builder = builder.with_projection(mask);
        }
        let reader = super::guard::guarded(|| builder.build())
            .map_err(|panic| StoreError::parquet(&self.path, format!("corrupt file ({panic})")))?
            .map_err(|e| StoreError::parquet(&self.path, e))?;
        Ok(RowBatches {
            path: self.path.clone(),
            reader,
            broken: false,
        })
    }

    /// Checks that the file holds `task`'s samples: lighteval ≥ 0.11 writes the task into every
    /// row (`doc.task_name`), so a file copied or renamed under another task's name is caught
    /// before its samples are shown as that task's.
    pub fn check_task(&self, task: &str) -> Result<()> {
        if self.layout != DetailsLayout::Nested || self.leaves_of("doc.task_name").is_empty() {
            return Ok(());
        }
        let Some(batch) = self.batches(Some(&["doc.task_name"]), 1)?.next() else {
            return Ok(());
        };
        let batch = batch?;
        let found = match super::cell(batch.column(0).as_ref(), 0) {
            Json::Object(doc) => match doc.get("task_name") {
                Some(Json::Str(name)) => name.clone(),
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        if found.is_empty() || same_task(task, &found) {
            return Ok(());
        }
        Err(StoreError::TaskMismatch {
            path: self.path.clone(),
            task: task.to_owned(),
            found,
        })
    }

    /// Leaf columns under a top-level name or dotted path (`doc.query`).
    fn leaves_of(&self, column: &str) -> Vec<usize> {
        let wanted: Vec<&str> = column.split('.').collect();
        let Backing::Parquet(metadata) = &self.backing else {
            return Vec::new();
        };
        let descriptor = metadata.parquet_schema();
        descriptor
            .columns()
            .iter()
            .enumerate()
            .filter(|(_, leaf)| {
                // Parquet inserts `list`/`element` levels; they never match a requested name.
                let named: Vec<&str> = leaf
                    .path()
                    .parts()
                    .iter()
                    .map(String::as_str)
                    .filter(|p| !matches!(*p, "list" | "element" | "item" | "key_value" | "array"))
                    .collect();
                named.len() >= wanted.len() && named[..wanted.len()] == wanted[..]
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// Whether the file has a column (or struct field) at `column`.
    pub fn has_column(&self, column: &str) -> bool {
        !self.leaves_of(column).is_empty()
    }

    fn projection(&self, columns: &[&str]) -> Result<ProjectionMask> {
        let mut leaves = Vec::new();
        for column in columns {
            let found = self.leaves_of(column);
            if found.is_empty() {
                return Err(StoreError::Column {
                    path: self.path.clone(),
                    column: (*column).to_owned(),
                    expected: "a column of this file".into(),
                    found: "missing".into(),
                });
            }
            leaves.extend(found);
        }
        Ok(ProjectionMask::leaves(
            self.parquet()?.parquet_schema(),
            leaves,
        ))
    }

    /// One row, raw (as the file stores it) and as a [`Detail`]. Pages before a row past the
    /// first 1,024 are skipped, not decoded, so this is cheap anywhere in a large file.
    /// Every row's sample id and epoch, when known without reading rows (see
    /// [`SampleLog::sample_keys`]).
    pub fn sample_keys(&self) -> Option<Vec<(String, i64)>> {
        match &self.backing {
            Backing::Log(log) => log.sample_keys(),
            Backing::Parquet(_) => None,
        }
    }

    /// A row's transcript, from what [`DetailsFile::read_row`] gave: the harness's own reading
    /// for another harness's log (Inspect's messages and events), else the query and answers.
    pub fn transcript(
        &self,
        record: &Map,
        detail: &Detail,
    ) -> crate::model::transcript::Transcript {
        match &self.backing {
            Backing::Log(log) => log.transcript(record, detail),
            Backing::Parquet(_) => crate::model::transcript::Transcript::from_detail(detail),
        }
    }

    pub fn read_row(&self, index: u64) -> Result<(Map, Detail)> {
        let metadata = match &self.backing {
            Backing::Parquet(metadata) => metadata.clone(),
            Backing::Log(log) => return log.read_row(index),
        };
        if index >= self.num_rows() {
            return Err(StoreError::parquet(
                &self.path,
                format!(
                    "row {index} asked for, the file has {} rows",
                    self.num_rows()
                ),
            ));
        }
        // Rows near the start are decoded, not skipped: parquet 60's `skip_records` never returns
        // on a page whose repetition levels end before its declared count (a damaged file; the
        // fuzzer found one), while decoding such a page is an error. Deeper rows are skipped to,
        // as decoding everything before them would cost the whole file; see CHANGELOG.
        let decoded = index < DECODED_NOT_SKIPPED;
        if let Some(remote) = &self.remote {
            let first = if decoded { 0 } else { index };
            remote.prefetch(&super::remote::page_ranges(
                metadata.metadata(),
                None,
                first..index + 1,
            ));
        }
        let skip = usize::try_from(index).unwrap_or(usize::MAX);
        let selection = if decoded {
            RowSelection::from(vec![RowSelector::select(skip + 1)])
        } else {
            RowSelection::from(vec![RowSelector::skip(skip), RowSelector::select(1)])
        };
        let mut reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(self.chunks()?, metadata)
                .with_row_selection(selection)
                .with_batch_size(if decoded { skip + 1 } else { 1 })
                .build()
                .map_err(|e| StoreError::parquet(&self.path, e))?;
        let batch = super::guard::guarded(|| reader.next())
            .map_err(|panic| StoreError::parquet(&self.path, format!("corrupt data ({panic})")))?
            .ok_or_else(|| {
                StoreError::parquet(&self.path, format!("row {index} could not be read"))
            })?
            .map_err(|e| StoreError::parquet(&self.path, e))?;
        // Decoded from the start, the batch ends with the row asked for.
        let last = batch.slice(batch.num_rows().saturating_sub(1), batch.num_rows().min(1));
        let raw = rows_of(&last).into_iter().next().unwrap_or_default();
        let detail = detail_from_row(&self.path, self.layout, raw.clone())?;
        Ok((raw, detail))
    }

    /// Every row as a [`Detail`], whatever the layout, in batches.
    pub fn details(&self, batch_rows: usize) -> Result<DetailBatches> {
        self.details_of(None, batch_rows)
    }

    /// [`SampleLog::write_common_jsonl`] of another harness's samples, when it has a fast path.
    pub fn write_log_jsonl(
        &self,
        limit: u64,
        out: &mut dyn std::io::Write,
        out_name: &Path,
    ) -> Option<Result<()>> {
        match &self.backing {
            Backing::Log(log) => log.write_common_jsonl(limit, out, out_name),
            Backing::Parquet(_) => None,
        }
    }

    /// Another harness's rows: its own record and its [`Detail`], in batches.
    pub fn log_rows(&self, batch_rows: usize) -> Result<super::log::LogRows> {
        match &self.backing {
            Backing::Log(log) => log.clone().rows(batch_rows),
            Backing::Parquet(_) => Err(StoreError::parquet(
                &self.path,
                "a lighteval details file has no harness log rows; read its rows with `batches`",
            )),
        }
    }

    /// The columns of the nested layout a list of samples shows that this file has.
    pub(super) fn list_columns(&self) -> Vec<&'static str> {
        const SHOWN: [&str; 7] = [
            "doc.id",
            "doc.query",
            "doc.choices",
            "doc.gold_index",
            "model_response.text",
            "model_response.logprobs",
            "metric",
        ];
        SHOWN
            .iter()
            .copied()
            .filter(|c| self.has_column(c))
            .collect()
    }

    /// Rows as [`Detail`]s holding only what a list of samples shows (id, query, choices, golds,
    /// generations, logprobs, metrics): token lists, few-shot docs and the rest are not decoded.
    pub fn list_details(&self, batch_rows: usize) -> Result<DetailBatches> {
        if self.layout != DetailsLayout::Nested {
            return self.details_of(None, batch_rows);
        }
        let present = self.list_columns();
        self.details_of(Some(&present), batch_rows)
    }

    /// Rows as [`Detail`]s holding their ids and metrics, enough to pair samples by id and test
    /// them: in the nested layout with ids nothing else is decoded; without ids (pairing then
    /// needs the content), the list columns.
    pub fn pairing_details(&self, batch_rows: usize) -> Result<DetailBatches> {
        if self.layout == DetailsLayout::Nested
            && self.has_column("doc.id")
            && self.has_column("metric")
        {
            return self.details_of(Some(&["doc.id", "metric"]), batch_rows);
        }
        self.list_details(batch_rows)
    }

    /// Rows as [`Detail`]s holding only their metrics, for aggregating: in the nested layout
    /// nothing else is decoded (older layouts keep metrics inside wider columns).
    pub fn metric_details(&self, batch_rows: usize) -> Result<DetailBatches> {
        if self.layout == DetailsLayout::Nested && self.has_column("metric") {
            return self.details_of(Some(&["metric"]), batch_rows);
        }
        self.details_of(None, batch_rows)
    }

    fn details_of(&self, columns: Option<&[&str]>, batch_rows: usize) -> Result<DetailBatches> {
        if let Backing::Log(log) = &self.backing {
            let rows = log.clone().rows(batch_rows)?;
            return Ok(Box::new(rows.map(|batch| {
                batch.map(|rows| rows.into_iter().map(|(_, detail)| detail).collect())
            })));
        }
        let layout = self.layout;
        let path = self.path.clone();
        let batches = self.batches(columns, batch_rows)?;
        Ok(Box::new(batches.map(move |batch| {
            let batch = batch?;
            rows_of(&batch)
                .into_iter()
                .map(|row| detail_from_row(&path, layout, row))
                .collect()
        })))
    }
}

/// The decoded batches of a details file.
pub struct RowBatches {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    broken: bool,
}

impl Iterator for RowBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken {
            return None;
        }
        match super::guard::guarded(|| self.reader.next()) {
            Ok(batch) => Some(batch?.map_err(|e| StoreError::parquet(&self.path, e))),
            // A decoder that panicked is in no state to go on.
            Err(panic) => {
                self.broken = true;
                Some(Err(StoreError::parquet(
                    &self.path,
                    format!("corrupt data ({panic})"),
                )))
            }
        }
    }
}

/// A batch's column names, in order.
pub(crate) fn column_names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The rows of a batch as JSON objects keyed by column name.
pub fn rows_of(batch: &RecordBatch) -> Vec<Map> {
    let names = column_names(batch);
    (0..batch.num_rows())
        .map(|row| row_object(&names, batch.columns(), row))
        .collect()
}

fn detect_layout(path: &Path, schema: &SchemaRef) -> Result<DetailsLayout> {
    let has = |name: &str| {
        schema
            .field_with_name(name)
            .ok()
            .map(|f| f.data_type().clone())
    };
    if let Some(doc) = has("doc") {
        if !matches!(doc, DataType::Struct(_)) {
            return Err(StoreError::Column {
                path: path.to_owned(),
                column: "doc".into(),
                expected: "a struct (lighteval ≥ 0.11)".into(),
                found: doc.to_string(),
            });
        }
        if has("model_response").is_none() {
            return Err(StoreError::Column {
                path: path.to_owned(),
                column: "model_response".into(),
                expected: "a struct next to `doc` (lighteval ≥ 0.11)".into(),
                found: "missing".into(),
            });
        }
        return Ok(DetailsLayout::Nested);
    }
    let flat_marker = has("predictions")
        .or_else(|| has("example"))
        .or_else(|| has("full_prompt"));
    match flat_marker {
        Some(_) => {
            let all_text = schema.fields().iter().all(|f| {
                matches!(
                    f.data_type(),
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
                )
            });
            Ok(if all_text {
                DetailsLayout::FlatText
            } else {
                DetailsLayout::Flat
            })
        }
        None => Err(StoreError::UnknownLayout {
            path: path.to_owned(),
            columns: schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
