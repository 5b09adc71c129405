//! The Samples screen's data: a task's list in chunks, its loader (the first chunk at once, the
//! rest behind it), and the filters, searches and frequencies over it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::{Detail, Json, Map, Prediction};
use crate::store::{self, DetailsFile, Run, StoreError};
use crate::text::one_line;

use super::Verdict;

/// Characters of a query kept for the list (the Sample screen reads the whole row again).
const PREVIEW_CHARS: usize = 160;

/// Rows per chunk of a [`SampleTable`]: the loader hands the list its rows a chunk at a time, the
/// first as soon as it is read, so the first screen never waits for the rest of the file.
pub const CHUNK_ROWS: usize = 1024;

/// Many short texts in one buffer: a chunk's previews are two allocations, not one per row.
#[derive(Debug, Clone, Default)]
struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        // A chunk holds CHUNK_ROWS previews of at most PREVIEW_CHARS characters each.
        self.ends.push(self.text.len() as u32);
    }

    fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i] as usize);
        &self.text[start..self.ends[index] as usize]
    }
}

/// [`CHUNK_ROWS`] rows of a Samples list (fewer in a table's last chunk): each column's previews,
/// the metric values and the verdicts.
#[derive(Debug, Clone, Default)]
pub struct SampleChunk {
    ids: Texts,
    queries: Texts,
    golds: Texts,
    predictions: Texts,
    /// `metrics[m][row]`; NaN where the value is missing or not a number (corpus-metric inputs).
    metrics: Vec<Vec<f64>>,
    verdicts: Vec<Verdict>,
}

impl SampleChunk {
    pub fn len(&self) -> usize {
        self.verdicts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// Appends `detail`'s list columns, its metrics read in `metric_names`' order.
    pub fn push(&mut self, detail: &Detail, metric_names: &[String]) {
        let id = detail.doc.id.as_deref().unwrap_or_default();
        // An Inspect sample has a row per epoch: `mc-07 e2`.
        let id = match detail.doc.extra.get("epoch").and_then(Json::as_i64) {
            Some(epoch) => format!("{id} e{epoch}"),
            None => id.to_owned(),
        };
        let prediction = match detail.prediction() {
            Prediction::Generated(text) => text,
            Prediction::Choice { text, .. } => text,
            Prediction::None => "",
        };
        let metrics: Vec<Option<f64>> = metric_names
            .iter()
            .map(|name| detail.metric_value(name))
            .collect();
        self.push_row(ListRow {
            id: &id,
            query: &one_line(&detail.doc.query, PREVIEW_CHARS),
            gold: &one_line(&detail.doc.golds().join(" | "), PREVIEW_CHARS),
            prediction: &one_line(prediction, PREVIEW_CHARS),
            verdict: Verdict::of_score(metrics.iter().flatten().next().copied()),
            metrics: &metrics,
        });
    }

    /// Appends a row of the list as shown.
    pub fn push_row(&mut self, row: ListRow<'_>) {
        self.ids.push(row.id);
        self.queries.push(row.query);
        self.golds.push(row.gold);
        self.predictions.push(row.prediction);
        self.metrics.resize_with(row.metrics.len(), Vec::new);
        for (value, column) in row.metrics.iter().zip(self.metrics.iter_mut()) {
            column.push(value.unwrap_or(f64::NAN));
        }
        self.verdicts.push(row.verdict);
    }
}

/// One row of the Samples list: its previews, metric values and verdict.
#[derive(Debug, Clone, Copy)]
pub struct ListRow<'a> {
    pub id: &'a str,
    pub query: &'a str,
    pub gold: &'a str,
    pub prediction: &'a str,
    pub metrics: &'a [Option<f64>],
    pub verdict: Verdict,
}

/// The Samples screen's data: the columns of a task's list, in file order, in chunks of
/// [`CHUNK_ROWS`] rows. It grows while the loader reads; cloning it shares the chunks.
#[derive(Debug, Clone, Default)]
pub struct SampleTable {
    pub task: String,
    pub path: PathBuf,
    /// The opened file the Sample screen reads full rows from.
    pub file: Option<DetailsFile>,
    pub metric_names: Vec<String>,
    chunks: Vec<Arc<SampleChunk>>,
    len: usize,
    /// Every row is in. Until then the list shows what is, and says there is more.
    pub complete: bool,
}

impl SampleTable {
    /// An empty table of `task` whose rows carry `metric_names`' values.
    pub fn new(task: &str, metric_names: Vec<String>) -> Self {
        SampleTable {
            task: task.to_owned(),
            metric_names,
            ..SampleTable::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn at(&self, row: usize) -> (&SampleChunk, usize) {
        (&self.chunks[row / CHUNK_ROWS], row % CHUNK_ROWS)
    }

    pub fn id(&self, row: usize) -> &str {
        let (chunk, i) = self.at(row);
        chunk.ids.get(i)
    }

    pub fn query(&self, row: usize) -> &str {
        let (chunk, i) = self.at(row);
        chunk.queries.get(i)
    }

    pub fn gold(&self, row: usize) -> &str {
        let (chunk, i) = self.at(row);
        chunk.golds.get(i)
    }

    pub fn prediction(&self, row: usize) -> &str {
        let (chunk, i) = self.at(row);
        chunk.predictions.get(i)
    }

    pub fn verdict(&self, row: usize) -> Verdict {
        let (chunk, i) = self.at(row);
        chunk.verdicts[i]
    }

    /// Metric `metric` (an index into `metric_names`) of `row`; NaN where missing.
    pub fn metric(&self, metric: usize, row: usize) -> f64 {
        let (chunk, i) = self.at(row);
        chunk.metrics.get(metric).map_or(f64::NAN, |m| m[i])
    }

    /// The text of a column of the list, by name, for searching and frequencies.
    pub fn column_text(&self, column: FreqColumn, row: usize) -> &str {
        match column {
            FreqColumn::Prediction => self.prediction(row),
            FreqColumn::Gold => self.gold(row),
        }
    }

    /// Appends one sample (the loader appends whole chunks with [`SampleTable::append`]).
    pub fn push(&mut self, detail: &Detail) {
        if self.metric_names.is_empty() && self.is_empty() {
            self.metric_names = detail.metric.keys().cloned().collect();
        }
        let names = std::mem::take(&mut self.metric_names);
        self.last_chunk().push(detail, &names);
        self.metric_names = names;
        self.len += 1;
    }

    /// Appends a row as shown, its metrics in `metric_names`' order.
    pub fn push_row(&mut self, row: ListRow<'_>) {
        self.last_chunk().push_row(row);
        self.len += 1;
    }

    /// The chunk the next row goes to.
    fn last_chunk(&mut self) -> &mut SampleChunk {
        if self.len.is_multiple_of(CHUNK_ROWS) {
            self.chunks.push(Arc::default());
        }
        Arc::make_mut(self.chunks.last_mut().expect("a chunk was just made"))
    }

    /// Appends chunks that the loader read after the ones in the table; every chunk but the
    /// table's last holds [`CHUNK_ROWS`] rows.
    pub fn append(&mut self, chunks: impl IntoIterator<Item = Arc<SampleChunk>>) {
        for chunk in chunks {
            assert_eq!(
                self.len % CHUNK_ROWS,
                0,
                "rows appended after a short chunk"
            );
            self.len += chunk.len();
            self.chunks.push(chunk);
        }
    }
}

/// Which list column a frequency view counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreqColumn {
    Prediction,
    Gold,
}

/// A batch of a list's rows: typed columns (lighteval's nested layout), or decoded rows.
enum ListRows {
    Columns(Box<store::ListBatch>),
    Rows(Vec<Detail>),
}

/// What the loader hands the Samples list as it reads.
#[derive(Debug)]
pub enum SamplesRead {
    /// The file is open and holds `total` rows.
    Opened { total: u64 },
    /// The table with its first chunk, as soon as that is read (`complete` if it was all).
    First(SampleTable),
    /// The chunks read since; `complete` with the last.
    More {
        chunks: Vec<Arc<SampleChunk>>,
        complete: bool,
    },
}

/// Reads a task's list columns a chunk at a time: `deliver` gets the table with its first chunk
/// at once, whatever the file's size, then the chunks read since at most every `every`, and the
/// last at the end. Returns `Ok(false)` when `cancel` stopped it, as a newer request owns the
/// screen then. An error after the first delivery leaves what was delivered standing.
pub fn load_samples(
    run: &Run,
    task: &str,
    cancel: &AtomicBool,
    every: std::time::Duration,
    mut deliver: impl FnMut(SamplesRead),
) -> Result<bool, StoreError> {
    let file = run.open_details(task)?;
    deliver(SamplesRead::Opened {
        total: file.num_rows(),
    });
    let mut table = Some(SampleTable {
        task: task.to_owned(),
        path: file.path().to_owned(),
        metric_names: file.metric_names(),
        file: Some(file.clone()),
        ..SampleTable::default()
    });
    let mut metric_names = file.metric_names();
    let mut chunk = SampleChunk::default();
    let mut ready: Vec<Arc<SampleChunk>> = Vec::new();
    let mut last = std::time::Instant::now();
    // lighteval's nested files are read column by column; other layouts and harnesses as rows.
    let batches: Box<dyn Iterator<Item = Result<ListRows, StoreError>>> =
        match store::list_batches(&file, CHUNK_ROWS)? {
            Some(columns) => Box::new(columns.map(|b| b.map(|b| ListRows::Columns(Box::new(b))))),
            None => Box::new(
                file.list_details(CHUNK_ROWS)?
                    .map(|b| b.map(ListRows::Rows)),
            ),
        };
    for batch in batches {
        if cancel.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let mut add = |chunk: &mut SampleChunk, push: &dyn Fn(&mut SampleChunk)| {
            push(chunk);
            if chunk.len() == CHUNK_ROWS {
                ready.push(Arc::new(std::mem::take(chunk)));
            }
        };
        match batch? {
            ListRows::Rows(details) => {
                for detail in details {
                    if metric_names.is_empty() {
                        // A file without a `metric` column: the first row names them.
                        metric_names = detail.metric.keys().cloned().collect();
                        if let Some(table) = table.as_mut() {
                            table.metric_names = metric_names.clone();
                        }
                    }
                    add(&mut chunk, &|c| c.push(&detail, &metric_names));
                }
            }
            ListRows::Columns(columns) => {
                let indices: Vec<Option<usize>> = metric_names
                    .iter()
                    .map(|name| columns.metric_index(name))
                    .collect();
                for row in 0..columns.len() {
                    let metrics: Vec<Option<f64>> = indices
                        .iter()
                        .map(|index| index.and_then(|i| columns.metric(i, row)))
                        .collect();
                    let list_row = ListRow {
                        id: columns.id(row).unwrap_or_default(),
                        query: &one_line(columns.query(row), PREVIEW_CHARS),
                        gold: &one_line(&columns.golds(row).join(" | "), PREVIEW_CHARS),
                        prediction: &one_line(columns.prediction(row), PREVIEW_CHARS),
                        metrics: &metrics,
                        verdict: Verdict::of_score(metrics.iter().flatten().next().copied()),
                    };
                    add(&mut chunk, &|c| c.push_row(list_row));
                }
            }
        }
        if ready.is_empty() {
            continue;
        }
        if let Some(mut first) = table.take() {
            first.append(ready.drain(..));
            deliver(SamplesRead::First(first));
            last = std::time::Instant::now();
        } else if last.elapsed() >= every {
            deliver(SamplesRead::More {
                chunks: std::mem::take(&mut ready),
                complete: false,
            });
            last = std::time::Instant::now();
        }
    }
    if !chunk.is_empty() {
        ready.push(Arc::new(chunk));
    }
    match table.take() {
        Some(mut first) => {
            first.append(ready);
            first.complete = true;
            deliver(SamplesRead::First(first));
        }
        None => deliver(SamplesRead::More {
            chunks: ready,
            complete: true,
        }),
    }
    Ok(true)
}

/// The full row behind the Sample screen.
#[derive(Debug, Clone)]
pub struct SampleDetail {
    pub row: usize,
    /// Another harness's sample: its own fields are in `detail.doc.specific`, and it has no
    /// token counts.
    pub from_log: bool,
    pub raw: Map,
    pub detail: Detail,
}

pub fn load_sample(file: &DetailsFile, row: usize) -> Result<SampleDetail, StoreError> {
    let (raw, detail) = file.read_row(row as u64)?;
    Ok(SampleDetail {
        row,
        from_log: file.layout() == store::DetailsLayout::Log,
        raw,
        detail,
    })
}

/// How the Samples list is narrowed and ordered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Rows whose query, gold or prediction contains this text (case-insensitive).
    pub text: String,
    pub wrong_only: bool,
    pub sort: Option<MetricSort>,
}

/// The Samples list sorted by one metric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSort {
    /// Index into the table's metric columns.
    pub metric: usize,
    pub descending: bool,
}

/// Which way a search walks the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchDirection {
    Forward,
    Backward,
}

/// Where a search begins: on the cursor's row (incremental search, as the user types) or on the
/// next one (`n` / `N`, which must move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchStart {
    AtCursor,
    AfterCursor,
}

/// What a finished search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    /// The position in the visible list, `None` when nothing matches.
    pub position: Option<usize>,
    /// Whether the search went past the end of the list and came round.
    pub wrapped: bool,
}

/// The visible rows for `query`, as indices into the table. `None` when cancelled.
pub fn filter_rows(
    table: &SampleTable,
    query: &ListQuery,
    cancel: &AtomicBool,
) -> Option<Vec<u32>> {
    let needle = query.text.to_lowercase();
    let mut rows = Vec::with_capacity(table.len());
    for row in 0..table.len() {
        if row % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        if query.wrong_only && table.verdict(row) != Verdict::Wrong {
            continue;
        }
        if !needle.is_empty() && !row_contains(table, row, &needle) {
            continue;
        }
        rows.push(row as u32);
    }
    if let Some(MetricSort { metric, descending }) = query.sort {
        rows.sort_by(|&a, &b| {
            let (x, y) = (
                table.metric(metric, a as usize),
                table.metric(metric, b as usize),
            );
            crate::stats::cmp_nan_last(Some(x), Some(y), descending).then(a.cmp(&b))
        });
    }
    Some(rows)
}

/// Where a search lands: the position (in `visible`) of the next row containing `needle`
/// (lower-case), walking from `cursor` in `direction`. `None` when cancelled.
pub fn search_rows(
    table: &SampleTable,
    visible: &[u32],
    cursor: usize,
    needle: &str,
    direction: SearchDirection,
    start: SearchStart,
    cancel: &AtomicBool,
) -> Option<SearchHit> {
    let forward = direction == SearchDirection::Forward;
    let skip_current = start == SearchStart::AfterCursor;
    let len = visible.len();
    for step in 0..len {
        if step % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        let step = step + usize::from(skip_current);
        let position = if forward {
            (cursor + step) % len
        } else {
            (cursor + len * 2 - step) % len
        };
        if row_contains(table, visible[position] as usize, needle) {
            let wrapped = if forward {
                position < cursor
            } else {
                position > cursor
            };
            return Some(SearchHit {
                position: Some(position),
                wrapped,
            });
        }
    }
    Some(SearchHit {
        position: None,
        wrapped: false,
    })
}

/// Whether row `row` contains `needle` (already lower-case) in its query, gold or prediction.
pub fn row_contains(table: &SampleTable, row: usize, needle: &str) -> bool {
    [
        table.query(row),
        table.gold(row),
        table.prediction(row),
        table.id(row),
    ]
    .iter()
    .any(|text| contains_ignore_case(text, needle))
}

fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
        return n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(needle_lower)
}

/// How often each value of a column appears among `rows`, most frequent first.
pub fn frequencies(table: &SampleTable, rows: &[u32], column: FreqColumn) -> Vec<(String, usize)> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for &row in rows {
        *counts
            .entry(table.column_text(column, row as usize))
            .or_default() += 1;
    }
    let mut counted: Vec<(String, usize)> =
        counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}
