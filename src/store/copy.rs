//! Saving a run that was read (from any folder, or from the Hub's cache) into another output
//! folder, in lighteval's layout, with the tracker's guarantees: details first, staged in a hidden
//! folder and renamed into place, then the results file, each atomic; nothing is overwritten.

use std::path::{Path, PathBuf};

use super::catalog::Run;
use super::error::{Result, StoreError};
use super::write::write_atomically;

/// Where a copy went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedRun {
    pub results_path: PathBuf,
    pub details_paths: Vec<PathBuf>,
}

pub fn copy_run(run: &Run, output_dir: &Path) -> Result<CopiedRun> {
    if let Some(log) = &run.log {
        return copy_log_run(&log.0.files(), output_dir);
    }
    let model = run.model.trim_matches('/');
    let unsafe_name = |reason| StoreError::UnsafeModelName {
        model: run.model.clone(),
        reason,
    };
    if let Some(reason) = super::names::model_name_problem(model) {
        return Err(unsafe_name(reason));
    }
    run.fetch_all_details()?;
    let date = &run.date_id;
    let results_source = run
        .results_path
        .as_ref()
        .ok_or_else(|| StoreError::NoResultsFile {
            model: run.model.clone(),
            date_id: date.clone(),
        })?;
    let results_path = output_dir
        .join("results")
        .join(model)
        .join(format!("results_{date}.json"));
    if results_path.exists() {
        return Err(StoreError::Exists { path: results_path });
    }
    let mut details_paths = Vec::new();
    if !run.details.is_empty() {
        let model_dir = output_dir.join("details").join(model);
        let final_dir = model_dir.join(date);
        if final_dir.exists() {
            return Err(StoreError::Exists { path: final_dir });
        }
        std::fs::create_dir_all(&model_dir).map_err(|e| StoreError::io(&model_dir, e))?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{date}-"))
            .tempdir_in(&model_dir)
            .map_err(|e| StoreError::io(&model_dir, e))?;
        for (task, source) in &run.details {
            let name = format!("details_{task}_{date}.parquet");
            let bytes = std::fs::read(source).map_err(|e| StoreError::io(source, e))?;
            write_atomically(&staging.path().join(&name), &bytes)?;
            details_paths.push(final_dir.join(name));
        }
        let staged = staging.keep();
        std::fs::rename(&staged, &final_dir).map_err(|e| StoreError::io(&final_dir, e))?;
    }
    let bytes = std::fs::read(results_source).map_err(|e| StoreError::io(results_source, e))?;
    write_atomically(&results_path, &bytes)?;
    Ok(CopiedRun {
        results_path,
        details_paths,
    })
}

/// Another harness's run, file by file into its own layout: every destination is checked
/// first, so a copy that would overwrite writes nothing; each file is written atomically.
fn copy_log_run(files: &[(PathBuf, PathBuf)], output_dir: &Path) -> Result<CopiedRun> {
    let mut destinations = Vec::new();
    for (_, relative) in files {
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)));
        if escapes || relative.as_os_str().is_empty() {
            return Err(StoreError::UnsafeModelName {
                model: relative.display().to_string(),
                reason: "a copy's file must stay inside the output folder",
            });
        }
        let path = output_dir.join(relative);
        if path.exists() {
            return Err(StoreError::Exists { path });
        }
        destinations.push(path);
    }
    for ((source, _), destination) in files.iter().zip(&destinations) {
        let bytes = std::fs::read(source).map_err(|e| StoreError::io(source, e))?;
        write_atomically(destination, &bytes)?;
    }
    let mut destinations = destinations.into_iter();
    Ok(CopiedRun {
        results_path: destinations.next().unwrap_or_default(),
        details_paths: destinations.collect(),
    })
}
