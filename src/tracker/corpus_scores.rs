//! evaldeck's correction of lighteval's translation scores. lighteval hands sacrebleu its golds
//! as reference streams, so its chrF and TER score the first prediction alone against every gold
//! (see [`crate::stats::translation`]). Beside each such stored number, evaldeck offers the corpus
//! score with each prediction against its own golds, under its own name (`chrf_corpus`), never in
//! lighteval's fields.

use crate::model::{ResultsFile, TaskConfig};
use crate::stats::{Aggregation, CorpusInput, TranslationMetric};
use crate::store::Run;

/// The suffix of a corrected score's name: `chrf` → `chrf_corpus`.
pub const CORPUS_SUFFIX: &str = "_corpus";

/// A corpus score evaldeck computed beside a stored lighteval translation metric.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusScore {
    pub task: String,
    /// lighteval's metric it corrects (`chrf`).
    pub metric: String,
    pub value: f64,
    /// By the bootstrap, under the run's stderr convention; NaN for a single sample.
    pub stderr: f64,
}

impl CorpusScore {
    pub fn name(&self) -> String {
        format!("{}{CORPUS_SUFFIX}", self.metric)
    }
}

/// The translation aggregation of `metric` in a task's config, if it has one.
fn translation_of(config: &TaskConfig<'_>, metric: &str) -> Option<Aggregation> {
    let function = config.metric(metric)?.corpus_level_fn_of(metric)?;
    match Aggregation::resolve(&function, metric) {
        Ok(aggregation @ Aggregation::Translation(_)) => Some(aggregation),
        _ => None,
    }
}

/// Whether a stored row's value was computed with lighteval's reference layout in a way that
/// differs from the textbook corpus score: chrF, chrF++ and TER always; BLEU only where a sample
/// has several golds (known from `corrected`).
pub fn uses_lighteval_layout(
    results: &ResultsFile,
    task: &str,
    metric: &str,
    corrected: &[CorpusScore],
) -> bool {
    if results.harness() != crate::store::Harness::Lighteval.name() {
        return false;
    }
    let Some(Aggregation::Translation(t)) = results
        .task_config(task)
        .and_then(|c| translation_of(&c, metric))
    else {
        return false;
    };
    t.metric != TranslationMetric::Bleu
        || corrected
            .iter()
            .any(|c| c.task == task && c.metric == metric)
}

/// The corrected scores of a run's translation metrics, from the details on disk (a Hub run's
/// details that were not fetched yet are not fetched for this). A task whose details cannot be
/// read gets none: these numbers are an addition, never a reason to fail.
pub fn corpus_scores(run: &Run, results: &ResultsFile, bootstrap_iters: usize) -> Vec<CorpusScore> {
    // lighteval's reference layout is lighteval's; other harnesses' numbers are their own.
    if results.harness() != crate::store::Harness::Lighteval.name() {
        return Vec::new();
    }
    let convention = results.general().stderr_convention();
    let mut scores = Vec::new();
    for task in results.measured_tasks() {
        let task = task.as_str();
        let Some(config) = results.task_config(task) else {
            continue;
        };
        let Some(row) = results.row(task) else {
            continue;
        };
        let metrics: Vec<(&String, Aggregation)> = row
            .values
            .keys()
            .filter_map(|m| translation_of(&config, m).map(|a| (m, a)))
            .collect();
        if metrics.is_empty() {
            continue;
        }
        let Some(path) = run.details_path(task).filter(|p| p.exists()) else {
            continue;
        };
        let Ok(file) = crate::store::DetailsFile::open(path) else {
            continue;
        };
        let Some(inputs) = read_inputs(&file, &metrics) else {
            continue;
        };
        for ((metric, aggregation), inputs) in metrics.iter().zip(inputs) {
            if let Some((value, stderr)) =
                aggregation.corrected(&inputs, bootstrap_iters, convention)
            {
                scores.push(CorpusScore {
                    task: task.to_owned(),
                    metric: (*metric).clone(),
                    value,
                    stderr,
                });
            }
        }
    }
    scores
}

/// Each metric's per-sample inputs; `None` if a row lacks one or holds something else.
fn read_inputs(
    file: &crate::store::DetailsFile,
    metrics: &[(&String, Aggregation)],
) -> Option<Vec<Vec<CorpusInput>>> {
    let mut inputs: Vec<Vec<CorpusInput>> = vec![Vec::new(); metrics.len()];
    for batch in file.metric_details(crate::store::DEFAULT_BATCH_ROWS).ok()? {
        for detail in batch.ok()? {
            for ((metric, aggregation), column) in metrics.iter().zip(inputs.iter_mut()) {
                let value = detail.metric.get(metric.as_str())?;
                column.push(aggregation.input(column.len(), value).ok()?);
            }
        }
    }
    Some(inputs)
}
