//! The one way evaldeck writes a file: to a temporary file in the same folder, fsync, rename. An
//! interrupted write leaves either the old content or the new one, never half of it.

use std::io::Write;
use std::path::Path;

use super::error::{Result, StoreError};

pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    write_atomically_with(path, |file| {
        file.write_all(contents)
            .map_err(|e| StoreError::io(path, e))
    })
}

/// Like [`write_atomically`], for content produced by `fill` writing into the temporary file.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".evaldeck-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| StoreError::io(dir, e))?;
    fill(temp.as_file_mut())?;
    temp.as_file()
        .sync_all()
        .map_err(|e| StoreError::io(path, e))?;
    temp.persist(path)
        .map_err(|e| StoreError::io(path, e.error))?;
    // The rename is durable only once the folder's entry is on disk too.
    if let Ok(dir_handle) = std::fs::File::open(dir) {
        let _ = dir_handle.sync_all();
    }
    Ok(())
}
