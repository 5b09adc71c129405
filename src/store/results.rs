//! Reading and writing `results_<date_id>.json`.

use std::path::Path;

use super::error::{Result, StoreError};
use super::write::write_atomically;
use crate::model::ResultsFile;
use crate::model::pyjson::{self, WriteOptions};

/// Reads a results file; the error names the file and, for bad JSON, the line and column.
pub fn read_results(path: &Path) -> Result<ResultsFile> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        StoreError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            ),
        )
    })?;
    parse_results(path, &text)
}

/// Parses results JSON text; `path` is only used in errors.
pub fn parse_results(path: &Path, text: &str) -> Result<ResultsFile> {
    let json = pyjson::parse(text).map_err(|source| StoreError::Json {
        path: path.into(),
        source,
    })?;
    ResultsFile::from_json(json).map_err(|source| StoreError::Shape {
        path: path.into(),
        source,
    })
}

/// The file's text exactly as lighteval writes it: `json.dumps(indent=2, ensure_ascii=False)`,
/// no trailing newline.
pub fn results_to_string(results: &ResultsFile) -> String {
    let mut out = String::new();
    pyjson::write_value(&mut out, results.as_json(), WriteOptions::PYTHON_INDENT2, 0);
    out
}

/// Writes a results file atomically (temporary file, fsync, rename): a crash leaves the old file
/// or the new one, never half of it.
pub fn write_results(path: &Path, results: &ResultsFile) -> Result<()> {
    write_atomically(path, results_to_string(results).as_bytes())
}
