//! Standard errors clustered by a sample field (a category, a subject), from one run's samples:
//! the numbers `show --cluster-by`, the Results screen and `compare` give beside the stored ones.

use super::pairing::{self, name_sample_values};
use super::side::Side;
use crate::model::Detail;
use crate::stats::{Aggregation, clustered};
use crate::store::StoreError;

/// A metric's standard error clustered by a sample field, over one run's samples.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusteredStderr {
    pub task: String,
    pub metric: String,
    /// `None` with fewer than two clusters.
    pub stderr: Option<f64>,
    pub samples: usize,
    pub clusters: usize,
}

/// Every measured task's means with their standard errors clustered by `side.cluster_by`, read
/// from the samples (Inspect's epochs averaged first, other harnesses' values named as their
/// results metrics). Tasks whose samples lack the field are left out, with a warning.
pub fn clustered_stderrs(side: &Side) -> Result<(Vec<ClusteredStderr>, Vec<String>), StoreError> {
    let (Some(path), Some(results)) = (side.cluster_by.as_deref(), side.results.as_ref()) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    for task in side.tasks() {
        let Some(mut rows) = side.details(&task)? else {
            continue;
        };
        name_sample_values(results, &task, &mut rows);
        let Some(row) = results.row(&task) else {
            continue;
        };
        let config = results.task_config(&task);
        for metric in row.metrics() {
            let is_mean = config
                .as_ref()
                .and_then(|c| c.metric(metric.metric))
                .and_then(|m| m.corpus_level_fn_of(metric.metric))
                .is_none_or(|f| Aggregation::resolve(&f, metric.metric) == Ok(Aggregation::Mean));
            if !is_mean {
                continue;
            }
            let carrying: Vec<&Detail> = rows
                .iter()
                .filter(|d| d.metric_value(metric.metric).is_some())
                .collect();
            if carrying.is_empty() {
                continue;
            }
            let labels: Vec<Option<String>> = carrying
                .iter()
                .map(|d| pairing::cluster_of(d, path))
                .collect();
            let missing = labels.iter().filter(|l| l.is_none()).count();
            if missing > 0 {
                warnings.push(format!(
                    "{task}: {missing} of {} samples have no `{path}`; its standard errors are not clustered",
                    labels.len()
                ));
                break;
            }
            let labels: Vec<&str> = labels.iter().map(|l| l.as_deref().unwrap_or("")).collect();
            let values: Vec<f64> = carrying
                .iter()
                .map(|d| d.metric_value(metric.metric).unwrap_or(f64::NAN))
                .collect();
            let clusters = labels
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len();
            found.push(ClusteredStderr {
                task: task.clone(),
                metric: metric.metric.to_owned(),
                stderr: clustered::clustered_stderr(&values, &labels),
                samples: values.len(),
                clusters,
            });
        }
    }
    Ok((found, warnings))
}
