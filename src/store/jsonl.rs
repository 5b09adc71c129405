//! A details file as JSON lines: one strict JSON object per sample. Nested files (lighteval ≥
//! 0.11) give their own rows, streamed straight from Arrow; the older flat layouts give the
//! sample as [`detail_to_json`] reads it, so every layout comes out in one shape per layout.

use std::io::Write;
use std::path::Path;

use super::details::{DetailsFile, DetailsLayout, column_names, detail_to_json};
use super::error::{Result, StoreError};
use crate::model::pyjson::{self, WriteOptions};

/// Writes at most `limit` samples of `file` to `out`; `out_name` names `out` in errors.
pub fn write_details_jsonl(
    file: &DetailsFile,
    limit: u64,
    batch_rows: usize,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<()> {
    let write_error = |e| StoreError::io(out_name, e);
    let mut written = 0u64;
    let mut line = String::new();
    if file.layout() != DetailsLayout::Nested {
        for batch in file.details(batch_rows)? {
            for detail in batch? {
                if written >= limit {
                    return Ok(());
                }
                line.clear();
                line.push_str(&pyjson::to_string(
                    &detail_to_json(&detail),
                    WriteOptions::STRICT_COMPACT,
                ));
                line.push('\n');
                out.write_all(line.as_bytes()).map_err(write_error)?;
                written += 1;
            }
        }
        return Ok(());
    }
    for batch in file.batches(None, batch_rows)? {
        let batch = batch?;
        let names = column_names(&batch);
        for row in 0..batch.num_rows() {
            if written >= limit {
                return Ok(());
            }
            line.clear();
            line.push('{');
            for (i, (name, column)) in names.iter().zip(batch.columns()).enumerate() {
                if i > 0 {
                    line.push(',');
                }
                pyjson::write_string(&mut line, name);
                line.push(':');
                super::write_cell(&mut line, column.as_ref(), row);
            }
            line.push_str("}\n");
            out.write_all(line.as_bytes()).map_err(write_error)?;
            written += 1;
        }
    }
    Ok(())
}
