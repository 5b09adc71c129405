//! A run's results as the lines people read, built once: `show`'s table, Markdown, CSV and JSON
//! and the Results screen all render these. Each line is one metric of one task, with the rules
//! of what a line shows written here only: a derived row (`Σ`, a mean over other rows), a task
//! with no metric (a group without an aggregate, a log scored by nobody), a value sacrebleu gave
//! in lighteval's reference layout, evaldeck's corpus score beside it, and a standard error
//! clustered by a sample field in place of the stored one.

use crate::analysis::ClusteredStderr;
use crate::model::ResultsFile;
use crate::tracker::{CorpusScore, uses_lighteval_layout};

/// One line of a results report: a metric of a task, or a task with no metric.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultLine {
    pub task: String,
    /// What the Task column prints: the task key, or lm-eval's indented alias.
    pub label: String,
    /// What folds it away: lighteval's suite, lm-eval's top-level group; empty for a task that
    /// nothing folds (a top-level lm-eval task).
    pub group: String,
    /// As written: lighteval's ints, lm-eval's `1.0`; `None` for a derived row.
    pub version: Option<String>,
    /// Empty on a task's heading line (see [`ResultLine::is_heading`]).
    pub metric: String,
    pub value: Option<f64>,
    /// The stored standard error, as stored (a NaN stays NaN); evaldeck's for its corpus
    /// scores, where a NaN (too few samples to resample) is none.
    pub stderr: Option<f64>,
    pub derived: bool,
    /// The task's samples: the count its harness recorded, else what the caller counted.
    pub samples: Option<u64>,
    pub origin: LineOrigin,
    /// The standard error clustered by a sample field, read from the samples.
    pub clustered_stderr: Option<f64>,
}

impl ResultLine {
    /// A task with no metric: a group without an aggregate heading its subtasks, or a task its
    /// log scored nothing for (an Inspect log with no scorer).
    pub fn is_heading(&self) -> bool {
        self.metric.is_empty()
    }

    /// The standard error to show, and whether it is the clustered one.
    pub fn shown_stderr(&self) -> Option<(f64, bool)> {
        match (self.clustered_stderr, self.stderr) {
            (Some(clustered), _) => Some((clustered, true)),
            (None, stored) => stored.map(|s| (s, false)),
        }
    }
}

/// Whose number a result line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOrigin {
    /// The harness's, as stored.
    Stored,
    /// lighteval's, as stored, from sacrebleu given the golds as reference streams.
    StoredLightevalLayout,
    /// evaldeck's corpus score beside such a line; not in the file.
    EvaldeckCorpus,
}

impl LineOrigin {
    /// The mark put beside the metric's name.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            LineOrigin::Stored => None,
            LineOrigin::StoredLightevalLayout => Some(crate::text::LIGHTEVAL_LAYOUT_MARK),
            LineOrigin::EvaldeckCorpus => Some(crate::text::CORPUS_SCORE_MARK),
        }
    }

    /// Who computed the number, as `show --format csv` names it.
    pub fn computed_by(self) -> &'static str {
        match self {
            LineOrigin::Stored => "lighteval",
            LineOrigin::StoredLightevalLayout => "lighteval-reference-layout",
            LineOrigin::EvaldeckCorpus => "evaldeck",
        }
    }
}

/// Every line of `results`, in the file's row order: each metric as stored, followed by
/// evaldeck's corpus score of it when `corrected` has one; one heading line for a row with no
/// metric. `count_samples` counts a task's samples where its results record no count.
pub fn result_lines(
    results: &ResultsFile,
    corrected: &[CorpusScore],
    count_samples: &dyn Fn(&str) -> Option<u64>,
) -> Vec<ResultLine> {
    let mut lines = Vec::new();
    for row in results.rows() {
        let samples = match results.sample_count(row.task) {
            Some(count) => u64::try_from(count).ok(),
            None => count_samples(row.task),
        };
        let derived = results.is_derived(row.task);
        let version = if derived {
            None
        } else {
            results.task_version_text(row.task)
        };
        let group = match results.tree_node(row.task) {
            Some(node) if node.depth == 0 && !derived => String::new(),
            Some(node) => node.root.to_owned(),
            None => row.key().group().to_owned(),
        };
        let line = |metric: String, value, stderr: Option<f64>, origin| ResultLine {
            task: row.task.to_owned(),
            label: results.display_name(row.task),
            group: group.clone(),
            version: version.clone(),
            metric,
            value,
            stderr,
            derived: derived && origin != LineOrigin::EvaldeckCorpus,
            samples,
            origin,
            clustered_stderr: None,
        };
        let metrics = row.metrics();
        if metrics.is_empty() {
            lines.push(line(String::new(), None, None, LineOrigin::Stored));
        }
        for metric in metrics {
            let origin = if uses_lighteval_layout(results, row.task, metric.metric, corrected) {
                LineOrigin::StoredLightevalLayout
            } else {
                LineOrigin::Stored
            };
            lines.push(line(
                metric.metric.to_owned(),
                metric.value,
                metric.stderr,
                origin,
            ));
            if let Some(ours) = corrected
                .iter()
                .find(|c| c.task == row.task && c.metric == metric.metric)
            {
                lines.push(line(
                    ours.name(),
                    Some(ours.value),
                    Some(ours.stderr).filter(|s| !s.is_nan()),
                    LineOrigin::EvaldeckCorpus,
                ));
            }
        }
    }
    lines
}

/// Puts clustered standard errors on the stored lines (evaldeck's corpus scores are not means:
/// nothing to cluster), or takes them off (`None`).
pub fn apply_clustering(lines: &mut [ResultLine], clustered: Option<&[ClusteredStderr]>) {
    for line in lines {
        line.clustered_stderr = match (clustered, line.origin) {
            (_, LineOrigin::EvaldeckCorpus) | (None, _) => None,
            (Some(clustered), _) => clustered
                .iter()
                .find(|c| c.task == line.task && c.metric == line.metric)
                .and_then(|c| c.stderr),
        };
    }
}

/// lighteval's table order: measured tasks by key, then derived (`_average`) rows, then `all`.
/// A harness's task tree (lm-eval's groups) keeps the file's order, a group above its subtasks.
/// A task's lines stay together and in their order.
pub fn sort_as_lighteval_prints(results: &ResultsFile, lines: &mut [ResultLine]) {
    if results.has_tree() {
        return;
    }
    lines.sort_by_cached_key(|line| {
        let rank = if crate::model::TaskKey::new(line.task.as_str()).is_all() {
            2
        } else if results.is_derived(&line.task) {
            1
        } else {
            0
        };
        (rank, line.task.clone())
    });
}
