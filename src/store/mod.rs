//! lighteval's on-disk layout: results JSON, details Parquet, run discovery, atomic writes.

mod arrow_json;
mod catalog;
mod columns;
mod copy;
mod detail_rows;
mod details;
mod details_write;
mod discover;
mod error;
mod guard;
mod jsonl;
pub mod log;
pub mod names;
pub mod pyliteral;
mod remote;
mod results;
pub(crate) mod sample_table;
mod sniff;
mod summary;
mod write;

pub use arrow_json::{cell, row_object, write_cell};
pub use catalog::{Catalog, ModelRuns, RemoteDetails, Run, RunSelector, Selection, SourceKind};
pub use columns::{IdScores, ListBatch, id_metric_details, ids_and_scores, list_batches};
pub use copy::{CopiedRun, copy_run};
pub use detail_rows::{detail_from_row, detail_to_json};
pub use details::{DEFAULT_BATCH_ROWS, DetailsFile, DetailsLayout, RowBatches, rows_of};
pub use details_write::{RowSchema, write_details, write_details_text_with};
pub use discover::{
    discover, discover_files, discover_files_with, discover_with, parse_details_file_name,
    parse_results_file_name,
};
pub use error::{Result, StoreError};
pub use guard::{guarded, quiet_guarded_panics};
pub use jsonl::{
    CommonKeys, TranscriptFilter, common_keys, with_common_keys, write_details_jsonl,
    write_details_jsonl_where,
};
pub use log::{FileHead, FoundRuns, Harness, HarnessRun, LogFormat, LogRows, LogRun, SampleLog};
pub use names::{model_name_problem, segment_problem};
pub use remote::{RemoteBytes, RemoteError};
pub use results::{parse_results, read_results, results_to_string, write_results};
pub use sample_table::{
    CHUNK_ROWS, ChunkTexts, FreqColumn, ListRow, PREVIEW_CHARS, RowText, SampleChunk, SampleTable,
    TextsReader,
};
pub use sniff::{file_head, top_level_keys};
pub use summary::{RunSummary, summarise, summarise_live};
pub use write::{write_atomically, write_atomically_with};
