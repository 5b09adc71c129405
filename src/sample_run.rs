//! The sample run bundled in the binary (`assets/sample-run`): three lighteval 0.13 runs of two
//! models, opened when no source is given.

use std::path::PathBuf;

use include_dir::{Dir, include_dir};

static SAMPLE_RUN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/sample-run");

/// The sample run's folder: the source tree's copy when it is there, else a copy unpacked once
/// into the user's cache folder (so an installed binary works anywhere).
pub fn sample_run_dir() -> std::io::Result<PathBuf> {
    let in_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/sample-run");
    if in_tree.join("results").is_dir() {
        return Ok(in_tree);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let target = cache
        .join("evaldeck")
        .join(format!("sample-run-{}", env!("CARGO_PKG_VERSION")));
    if !target.join("results").is_dir() {
        // Unpack beside the target and rename, so a half-unpacked copy is never used.
        let parent = target.parent().expect("target has a parent");
        std::fs::create_dir_all(parent)?;
        let staging = tempfile::tempdir_in(parent)?;
        SAMPLE_RUN.extract(staging.path())?;
        let staged = staging.keep();
        if std::fs::rename(&staged, &target).is_err() {
            // Another process won the race; its copy is complete.
            let _ = std::fs::remove_dir_all(&staged);
        }
    }
    Ok(target)
}
