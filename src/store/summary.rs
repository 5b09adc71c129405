//! One-line summaries of runs (task and sample counts, the `all` score), for run listings in the
//! CLI and the TUI. Reads results files and details footers only.

use std::path::{Path, PathBuf};

use super::catalog::Run;

/// What a run listing shows about one run. A broken file is reported in `problem` instead of
/// failing the whole listing.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub model: String,
    pub date_id: String,
    pub harness: super::log::Harness,
    pub tasks: usize,
    /// Total rows of the run's details files (from their footers).
    pub samples: Option<u64>,
    /// The first metric of the `all` row.
    pub headline: Option<(String, f64)>,
    pub problem: Option<String>,
    /// What of the run is still being written (a run in progress): shown as `writing…`, not as
    /// a problem, and read again when it changes.
    pub writing: Option<String>,
}

pub fn summarise(run: &Run) -> RunSummary {
    summarise_live(run, &|_| false)
}

/// [`summarise`], for a source being watched: a file for which `being_written` holds (one seen
/// changing moments ago) that reads as incomplete is `writing`, not a problem. lighteval writes
/// a run's details first and its results file last, neither atomically.
pub fn summarise_live(run: &Run, being_written: &dyn Fn(&Path) -> bool) -> RunSummary {
    let recently_written = |path: &PathBuf| being_written(path);
    let mut summary = RunSummary {
        model: run.model.clone(),
        date_id: run.date_id.clone(),
        harness: run.harness,
        tasks: run.details.len(),
        samples: None,
        headline: None,
        problem: None,
        writing: None,
    };
    // Other harnesses record their sample counts in their results; their samples are not opened
    // for a listing (an lm-eval samples file would have to be scanned to count its lines).
    let details = if run.log.is_some() {
        Ok(Vec::new())
    } else {
        run.open_all_details()
    };
    match details {
        // A Hub run's count is known only once all its details were fetched.
        Ok(files) if run.all_details_on_disk() => {
            summary.samples = Some(files.iter().map(|f| f.num_rows()).sum())
        }
        Ok(_) => {}
        Err(e) => match run.details.iter().find(|(_, path)| recently_written(path)) {
            Some((task, _)) => summary.writing = Some(format!("{task} details")),
            None => summary.problem = Some(e.to_string()),
        },
    }
    // A listing never downloads: a Hub run's results are summarised once they were read.
    if (run.results_path.is_some() || run.log.is_some()) && run.results_on_disk() {
        match run.load_results() {
            Ok(results) => {
                let measured = results.measured_tasks();
                summary.tasks = summary.tasks.max(measured.len());
                if run.log.is_some() {
                    summary.samples = measured
                        .iter()
                        .map(|t| results.sample_count(t.as_str()).map(|n| n.max(0) as u64))
                        .sum();
                    // Only a log seen changing is being written: an interrupted one also
                    // reads as unfinished, and `show` says so.
                    if run.details.iter().any(|(_, path)| recently_written(path)) {
                        summary.writing = log_progress(&results);
                    }
                }
                // The harness's declared headline (Inspect's), else the `all` row, else the one
                // task's first metric when a run has one task (an Inspect log).
                let headline_row = results.row("all").or_else(|| match measured.as_slice() {
                    [only] => results.row(only.as_str()),
                    _ => None,
                });
                let declared = results.declared_headline().and_then(|(task, metric)| {
                    let row = results.row(task)?;
                    let value = row.values.get(metric)?.as_f64()?;
                    Some((metric.to_owned(), value))
                });
                summary.headline = declared.or_else(|| {
                    headline_row.and_then(|row| {
                        row.metrics()
                            .into_iter()
                            .find_map(|m| m.value.map(|v| (m.metric.to_owned(), v)))
                    })
                });
            }
            Err(_) if run.results_path.as_ref().is_some_and(recently_written) => {
                summary.writing = Some("results".into())
            }
            Err(e) => summary.problem = Some(e.to_string()),
        }
    } else if summary.writing.is_none() && run.results_path.is_none() {
        // Details without results: a run lighteval has not finished, while its details change.
        if run.details.iter().any(|(_, path)| recently_written(path)) {
            summary.writing = Some("details; results come last".into());
        } else {
            summary
                .problem
                .get_or_insert_with(|| "no results file".into());
        }
    }
    summary
}

/// How far a log still being written has got (Inspect's journal): `40 of 100 samples`.
fn log_progress(results: &crate::model::ResultsFile) -> Option<String> {
    let tasks = results.as_map().get("config_tasks")?.as_object()?;
    let progress: Vec<&crate::model::Json> =
        tasks.values().filter_map(|c| c.get("progress")).collect();
    if progress.is_empty() {
        return None;
    }
    let count = |key: &str| -> Option<i64> { progress.iter().map(|p| p.get(key)?.as_i64()).sum() };
    let done = count("done").unwrap_or(0);
    Some(match count("total") {
        Some(total) => format!("{done} of {total} samples"),
        None => format!("{done} samples so far"),
    })
}
