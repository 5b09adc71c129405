//! One-line summaries of runs (task and sample counts, the `all` score), for run listings in the
//! CLI and the TUI. Reads results files and details footers only.

use super::discover::Run;

/// What a run listing shows about one run. A broken file is reported in `problem` instead of
/// failing the whole listing.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub model: String,
    pub date_id: String,
    pub tasks: usize,
    /// Total rows of the run's details files (from their footers).
    pub samples: Option<u64>,
    /// The first metric of the `all` row.
    pub headline: Option<(String, f64)>,
    pub problem: Option<String>,
}

pub fn summarise(run: &Run) -> RunSummary {
    let mut summary = RunSummary {
        model: run.model.clone(),
        date_id: run.date_id.clone(),
        tasks: run.details.len(),
        samples: None,
        headline: None,
        problem: None,
    };
    match run.open_all_details() {
        // A Hub run's count is known only once all its details were fetched.
        Ok(files) if run.all_details_on_disk() => {
            summary.samples = Some(files.iter().map(|f| f.num_rows()).sum())
        }
        Ok(_) => {}
        Err(e) => summary.problem = Some(e.to_string()),
    }
    if run.results_path.is_some() {
        match run.load_results() {
            Ok(results) => {
                summary.tasks = summary.tasks.max(results.measured_tasks().len());
                summary.headline = results.row("all").and_then(|row| {
                    row.metrics()
                        .into_iter()
                        .find_map(|m| m.value.map(|v| (m.metric.to_owned(), v)))
                });
            }
            Err(e) => summary.problem = Some(e.to_string()),
        }
    } else {
        summary
            .problem
            .get_or_insert_with(|| "no results file".into());
    }
    summary
}
