//! Tracking a stored run again: its details fed back through the tracker with the aggregations
//! its results file declares, so that it can be re-aggregated, re-saved with another stderr
//! convention, or pushed. Whatever cannot be recomputed keeps its stored value.

use super::{EvaluationTracker, StoredMetric, TaskDeclaration, TrackerError};
use crate::model::{Json, Map, ResultsFile};
use crate::stats::Aggregation;
use crate::store::{self, Run};

/// What [`track_stored_run`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRunTracked {
    /// `false` for a run with details only: its metrics were aggregated by name.
    pub had_results: bool,
    pub samples: u64,
}

/// Feeds a stored run's details to the tracker with the aggregations of its task configs, and
/// its stored values for whatever cannot be recomputed. A run with details and no results file
/// is tracked too, each metric aggregated as its lighteval registry name says (a mean where the
/// name is not a corpus metric's). `progress` gets the number of samples tracked so far.
pub fn track_stored_run(
    run: &Run,
    tracker: &mut EvaluationTracker,
    progress: &mut dyn FnMut(u64),
) -> Result<StoredRunTracked, TrackerError> {
    let results = match &run.results_path {
        Some(_) => Some(run.load_results()?),
        None => None,
    };
    match &results {
        Some(results) => {
            let general = results.general();
            tracker.general.log_args_info(
                general.num_fewshot_seeds().unwrap_or(1),
                general.max_samples(),
                &general.job_id().unwrap_or_else(|| "0".into()),
                general.lighteval_sha(),
            );
            let model_config = general.model_config().cloned().unwrap_or_default();
            tracker
                .general
                .log_model_info(general.model_name().unwrap_or(&run.model), model_config);
        }
        None => tracker.general.log_model_info(&run.model, Map::new()),
    }
    let mut samples = 0;
    // The stored results' task order, so that the rows and `all` come out in the same order.
    let mut tasks: Vec<&str> = run.details.iter().map(|(t, _)| t.as_str()).collect();
    if let Some(results) = &results {
        let order: Vec<String> = results
            .measured_tasks()
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        tasks.sort_by_key(|t| order.iter().position(|o| o == t).unwrap_or(usize::MAX));
    }
    for task in tasks {
        let file = run.open_details(task)?;
        let mut declared = false;
        for batch in file.details(4096)? {
            for detail in batch? {
                let row = store::detail_to_json(&detail);
                let Json::Object(mut row) = row else { continue };
                let mut take = |key: &str| match row.shift_remove(key) {
                    Some(Json::Object(map)) => map,
                    _ => Map::new(),
                };
                let (doc, response, metric) = (take("doc"), take("model_response"), take("metric"));
                if !declared {
                    let declaration = match &results {
                        Some(results) => declaration(results, task)?,
                        None => declaration_by_name(task, &metric),
                    };
                    tracker.declare_task(declaration)?;
                    declared = true;
                }
                tracker.log(task, doc, response, metric)?;
                samples += 1;
            }
            progress(samples);
        }
    }
    Ok(StoredRunTracked {
        had_results: results.is_some(),
        samples,
    })
}

/// A task without a config: each of its metrics aggregated as its name says.
fn declaration_by_name(task: &str, metrics: &Map) -> TaskDeclaration {
    let mut declaration = TaskDeclaration::new(task);
    for name in metrics.keys() {
        if let Some(aggregation) = Aggregation::by_metric_name(name) {
            declaration.aggregations.insert(name.clone(), aggregation);
        }
    }
    declaration
}

/// A stored task's declaration: each metric's aggregation from its config, and its stored value
/// and stderr, kept wherever the metric cannot be recomputed.
fn declaration(results: &ResultsFile, task: &str) -> Result<TaskDeclaration, TrackerError> {
    let mut declaration = TaskDeclaration::new(task);
    let row = results.row(task);
    let stored_value = |key: &str| row.as_ref().and_then(|r| r.values.get(key)).cloned();
    if let Some(row) = &row {
        for (key, value) in row.values {
            if key.ends_with("_stderr") {
                continue;
            }
            declaration.stored.insert(
                key.clone(),
                StoredMetric {
                    value: value.clone(),
                    stderr: stored_value(&format!("{key}_stderr")),
                },
            );
        }
    }
    let Some(config) = results.task_config(task) else {
        return Ok(declaration);
    };
    declaration.version = results.task_version(task).unwrap_or(0);
    for metric in config.metrics() {
        for name in &metric.names {
            if let Some(function) = metric.corpus_level_fn_of(name) {
                declaration = declaration.with_stored_aggregation(name, &function);
            }
            if let Some(better) = metric.higher_is_better(name) {
                declaration.higher_is_better.insert(name.clone(), better);
            }
        }
    }
    Ok(declaration)
}
