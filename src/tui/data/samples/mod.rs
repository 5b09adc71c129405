//! The Samples screen's data: a task's list ([`SampleTable`], the store's packed chunks), its
//! loader (the first chunk at once, the rest behind it), and the filters, searches and
//! frequencies over it (`query`).

mod query;

pub use crate::store::{
    CHUNK_ROWS, ChunkTexts, FreqColumn, ListRow, RowText, SampleChunk, SampleTable, TextsReader,
};
pub use query::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::{Detail, Map, Verdict};
use crate::store::{self, DetailsFile, Run, StoreError};
use crate::text::one_line;

use crate::store::PREVIEW_CHARS;

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
    let mut table = Some(SampleTable::of_file(task, &file));
    let mut metric_names = file.metric_names();
    // lighteval's nested files are read column by column; other layouts and harnesses as rows.
    let batches: Box<dyn Iterator<Item = Result<ListRows, StoreError>>> =
        match store::list_batches(&file, CHUNK_ROWS)? {
            Some(columns) => Box::new(columns.map(|b| b.map(|b| ListRows::Columns(Box::new(b))))),
            None => Box::new(
                file.list_details(CHUNK_ROWS)?
                    .map(|b| b.map(ListRows::Rows)),
            ),
        };
    // Full chunks are packed on a second thread while this one decodes the next: packing costs
    // about a third of decoding, and would otherwise add to it.
    std::thread::scope(|scope| {
        // A few chunks in flight at most: a packer that falls behind holds the decoder back
        // rather than letting unpacked chunks pile up.
        let (to_pack, unpacked) = std::sync::mpsc::sync_channel::<SampleChunk>(4);
        let (to_list, packed) = std::sync::mpsc::channel::<Arc<SampleChunk>>();
        scope.spawn(move || {
            for mut chunk in unpacked {
                chunk.seal();
                if to_list.send(Arc::new(chunk)).is_err() {
                    break;
                }
            }
        });
        let mut chunk = SampleChunk::default();
        let mut packing = 0usize;
        let mut ready: Vec<Arc<SampleChunk>> = Vec::new();
        let mut last = std::time::Instant::now();
        for batch in batches {
            if cancel.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let batch = match batch {
                Ok(batch) => batch,
                // What was read before the error is shown; the error says where it stopped.
                Err(error) => {
                    if !chunk.is_empty() {
                        let _ = to_pack.send(std::mem::take(&mut chunk));
                    }
                    drop(to_pack);
                    ready.extend(packed.iter());
                    match table.take() {
                        Some(mut first) if !ready.is_empty() => {
                            first.append(ready);
                            deliver(SamplesRead::First(first));
                        }
                        Some(_) => {}
                        None => deliver(SamplesRead::More {
                            chunks: ready,
                            complete: false,
                        }),
                    }
                    return Err(error);
                }
            };
            let mut add = |chunk: &mut SampleChunk, push: &dyn Fn(&mut SampleChunk)| {
                push(chunk);
                if chunk.len() == CHUNK_ROWS {
                    // The packer only stops when this sender is dropped.
                    let _ = to_pack.send(std::mem::take(chunk));
                    packing += 1;
                }
            };
            match batch {
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
            // The first screen waits for its chunk; later ones are taken as they come.
            if table.is_some() && packing > 0 && ready.is_empty() {
                ready.extend(packed.recv().ok());
            }
            ready.extend(packed.try_iter());
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
            let _ = to_pack.send(chunk);
        }
        drop(to_pack);
        ready.extend(packed.iter());
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
    })
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
    /// The conversation and events, read as the harness writes them.
    pub transcript: crate::model::transcript::Transcript,
}

pub fn load_sample(file: &DetailsFile, row: usize) -> Result<SampleDetail, StoreError> {
    let (raw, detail) = file.read_row(row as u64)?;
    let transcript = file.transcript(&raw, &detail);
    Ok(SampleDetail {
        row,
        from_log: file.layout() == store::DetailsLayout::Log,
        transcript,
        raw,
        detail,
    })
}
