//! Comparing two runs: per task and metric, A, B and Δ = B − A with paired statistics when the
//! samples pair (McNemar's exact test for 0/1 metrics, a paired t-test for continuous ones, a
//! paired bootstrap for corpus metrics), unpaired tests flagged as such otherwise, Holm–Bonferroni
//! across everything compared; what else changed (versions, configs, prompts); per-sample flips.

mod changes;
mod drift;
mod metric;

use std::collections::HashMap;

pub use changes::{Change, config_changes};

pub use metric::{metric_inputs, paired_comparison};

use drift::{prompt_drift, sample_hash_drift};
use metric::{TaskData, compare_metric, metric_names};

use crate::analysis::{Side, name_sample_values, pair_samples, pairing_key};
use crate::model::Detail;
use crate::stats::paired::{self, Comparison};
use crate::store::StoreError;

/// A significance level after correction.
pub const ALPHA: f64 = 0.05;
/// Paired-bootstrap resamples for corpus metrics.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// Which test produced a row's p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    McNemarExact,
    PairedT,
    PairedBootstrap,
    WelchT,
    /// From the two stored standard errors (no per-sample values to compare).
    ZFromStderr,
    /// A t test of the paired mean difference, its standard error clustered (C − 1 degrees of
    /// freedom).
    ClusteredT,
    None,
}

impl Test {
    pub fn name(self) -> &'static str {
        match self {
            Test::McNemarExact => "mcnemar_exact",
            Test::PairedT => "paired_t",
            Test::PairedBootstrap => "paired_bootstrap",
            Test::WelchT => "welch_t",
            Test::ZFromStderr => "z_stderr",
            Test::ClusteredT => "clustered_t",
            Test::None => "none",
        }
    }

    /// A name of at most nine columns, for narrow tables.
    pub fn short_name(self) -> &'static str {
        match self {
            Test::McNemarExact => "McNemar",
            Test::PairedT => "paired t",
            Test::PairedBootstrap => "bootstrap",
            Test::WelchT => "Welch t",
            Test::ZFromStderr => "z",
            Test::ClusteredT => "cluster t",
            Test::None => "none",
        }
    }
}

/// One task × metric of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDiff {
    pub task: String,
    pub metric: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub comparison: Option<Comparison>,
    pub p_adjusted: f64,
    pub test: Test,
    pub paired: bool,
    pub n_paired: usize,
    pub significant: bool,
    pub higher_is_better: Option<bool>,
    /// The two runs did not see the same prompts for this task.
    pub prompt_drift: bool,
    /// Each run's standard error of the metric clustered by `--cluster-by` (means only).
    pub clustered_se: Option<(f64, f64)>,
    /// Pearson's correlation of the paired per-sample scores (means only): how much pairing
    /// narrowed the test, as the paired variance is Var(A) + Var(B) − 2 Cov(A, B).
    pub correlation: Option<f64>,
}

impl MetricDiff {
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// The mark tables show: `▼*` a significant regression, `▲*` a significant improvement,
    /// `*` significant with no known direction, nothing otherwise.
    pub fn mark(&self) -> &'static str {
        match (self.significant, self.is_regression(), self.delta()) {
            (true, true, _) => "▼*",
            (true, false, Some(d)) if self.higher_is_better.is_some() && d != 0.0 => "▲*",
            (true, _, _) => "*",
            _ => "",
        }
    }

    /// The Holm-adjusted p-value as tables print it.
    pub fn p_text(&self) -> String {
        if self.p_adjusted.is_nan() {
            "—".to_owned()
        } else {
            format!("{:.4}", self.p_adjusted)
        }
    }

    /// `~` for an unpaired test, `!` for prompt drift.
    pub fn flags(&self) -> String {
        let unpaired = if self.paired || self.comparison.is_none() {
            ""
        } else {
            "~"
        };
        format!("{unpaired}{}", if self.prompt_drift { "!" } else { "" })
    }

    /// A significant change in the wrong direction.
    pub fn is_regression(&self) -> bool {
        let Some(delta) = self.delta() else {
            return false;
        };
        self.significant
            && self
                .higher_is_better
                .is_some_and(|better| if better { delta < 0.0 } else { delta > 0.0 })
    }
}

/// Per-sample changes of one metric of one task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flips {
    pub metric: String,
    /// `(row in A, row in B)` pairs.
    pub right_to_wrong: Vec<(usize, usize)>,
    pub wrong_to_right: Vec<(usize, usize)>,
    pub same_score_different_prediction: Vec<(usize, usize)>,
    pub only_a: Vec<usize>,
    pub only_b: Vec<usize>,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    pub rows: Vec<MetricDiff>,
    pub flips: Vec<(String, Flips)>,
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

impl DiffReport {
    pub fn regressions(&self) -> impl Iterator<Item = &MetricDiff> {
        self.rows.iter().filter(|r| r.is_regression())
    }
}

/// Compares run B against run A. `metric` narrows the flips (and the table) to one metric.
pub fn diff(a: &Side, b: &Side, metric: Option<&str>) -> Result<DiffReport, StoreError> {
    diff_tasks(a, b, metric, BrokenTask::Fail)
}

/// What a task whose samples cannot be read does to a diff of every task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenTask {
    /// Fails the diff: `evaldeck diff` names two runs, and must not pass over a bad file.
    Fail,
    /// Becomes a warning naming the task, the others tested: in `compare`, one bad file must
    /// not leave a whole column untested.
    Warn,
}

/// [`diff`], with `broken` saying what a task that cannot be read does.
pub fn diff_tasks(
    a: &Side,
    b: &Side,
    metric: Option<&str>,
    broken: BrokenTask,
) -> Result<DiffReport, StoreError> {
    diff_inner(a, b, metric, None, broken)
}

/// [`diff`], with the tasks to compare named (`task_a` of A against `task_b` of B): how runs of
/// two harnesses are compared, whose task names and sample ids mean different things.
pub fn diff_with(
    a: &Side,
    b: &Side,
    metric: Option<&str>,
    named: Option<(&str, &str)>,
) -> Result<DiffReport, StoreError> {
    diff_inner(a, b, metric, named, BrokenTask::Fail)
}

fn diff_inner(
    a: &Side,
    b: &Side,
    metric: Option<&str>,
    named: Option<(&str, &str)>,
    broken: BrokenTask,
) -> Result<DiffReport, StoreError> {
    let mut report = DiffReport {
        changes: if a.numbers_only {
            Vec::new()
        } else {
            config_changes(a.results.as_ref(), b.results.as_ref())
        },
        ..DiffReport::default()
    };
    if let Some((task_a, task_b)) = named {
        compare_named_tasks(a, b, (task_a, task_b), metric, &mut report)?;
        adjust_for_multiplicity(&mut report);
        return Ok(report);
    }
    if a.run.harness != b.run.harness {
        report.warnings.push(format!(
            "A is from {} and B from {}: their tasks pair only when named (--task-a, --task-b), and their samples by content",
            a.run.harness, b.run.harness
        ));
        return Ok(report);
    }
    let b_tasks: HashMap<(String, Option<u32>), String> = b
        .tasks()
        .into_iter()
        .map(|t| (pairing_key(&t), t))
        .collect();
    let a_tasks = a.tasks();
    for task_a in &a_tasks {
        let Some(task_b) = b_tasks.get(&pairing_key(task_a)) else {
            report.warnings.push(format!("task {task_a} is only in A"));
            continue;
        };
        let compared = compare_task(
            a,
            b,
            TaskPair {
                a: task_a,
                b: task_b,
            },
            metric,
            &mut report,
        );
        match (compared, broken) {
            (Ok(()), _) => {}
            (Err(error), BrokenTask::Warn) => report
                .warnings
                .push(format!("task {task_a} not tested: {error}")),
            (Err(error), BrokenTask::Fail) => return Err(error),
        }
    }
    for task_b in b_tasks.values() {
        if !a_tasks
            .iter()
            .any(|t| pairing_key(t) == pairing_key(task_b))
        {
            report.warnings.push(format!("task {task_b} is only in B"));
        }
    }
    report.warnings.sort();
    adjust_for_multiplicity(&mut report);
    Ok(report)
}

/// The one pair of tasks the user named (runs of two harnesses), saying when either is missing
/// or when no metric shares a name.
fn compare_named_tasks(
    a: &Side,
    b: &Side,
    (task_a, task_b): (&str, &str),
    metric: Option<&str>,
    report: &mut DiffReport,
) -> Result<(), StoreError> {
    let (tasks_a, tasks_b) = (a.tasks(), b.tasks());
    for (side, task, tasks) in [("A", task_a, &tasks_a), ("B", task_b, &tasks_b)] {
        if !tasks.iter().any(|t| t == task) {
            report.warnings.push(format!(
                "run {side} has no task {task}; its tasks: {}",
                tasks.join(", ")
            ));
        }
    }
    if report.warnings.is_empty() {
        compare_task(
            a,
            b,
            TaskPair {
                a: task_a,
                b: task_b,
            },
            metric,
            report,
        )?;
        if report.rows.is_empty() {
            let names = |side: &Side, task: &str| {
                side.results
                    .as_ref()
                    .and_then(|r| r.row(task))
                    .map(|row| {
                        row.metrics()
                            .iter()
                            .map(|m| m.metric.to_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            };
            report.warnings.push(format!(
                "no metric of {task_a} has the name of one of {task_b} (A: {}; B: {}), so nothing is compared",
                names(a, task_a),
                names(b, task_b)
            ));
        }
    }
    Ok(())
}

/// Holm–Bonferroni over every row with a p-value.
fn adjust_for_multiplicity(report: &mut DiffReport) {
    let p_values: Vec<f64> = report
        .rows
        .iter()
        .map(|r| r.comparison.map_or(f64::NAN, |c| c.p_value))
        .collect();
    for (row, adjusted) in report.rows.iter_mut().zip(paired::holm(&p_values)) {
        row.p_adjusted = adjusted;
        row.significant = adjusted < ALPHA;
    }
}

fn compare_task(
    a: &Side,
    b: &Side,
    tasks: TaskPair<'_>,
    only: Option<&str>,
    report: &mut DiffReport,
) -> Result<(), StoreError> {
    let TaskPair {
        a: task_a,
        b: task_b,
    } = tasks;
    let (mut details_a, mut details_b) = (a.details(task_a)?, b.details(task_b)?);
    // Across harnesses an id means different things: samples pair by their content alone.
    if a.run.harness != b.run.harness {
        for rows in [details_a.as_mut(), details_b.as_mut()]
            .into_iter()
            .flatten()
        {
            for row in rows.iter_mut() {
                row.doc.id = None;
            }
        }
    }
    for (side, task, rows) in [
        (a, task_a, details_a.as_mut()),
        (b, task_b, details_b.as_mut()),
    ] {
        if let (Some(results), Some(rows)) = (side.results.as_ref(), rows) {
            name_sample_values(results, task, rows);
        }
    }
    let drift = prompt_drift(a.results.as_ref(), b.results.as_ref(), task_a, task_b);
    if let Some(what) = &drift {
        report.warnings.push(format!(
            "PROMPT DRIFT in {task_a}: {what} differ — the runs did not see the same prompts"
        ));
    }
    // Pair samples by identity; repeated identities pair in order.
    let (pairs, only_a, only_b) = match (&details_a, &details_b) {
        (Some(rows_a), Some(rows_b)) => pair_samples(rows_a, rows_b),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    if let (Some(rows_a), Some(rows_b)) = (&details_a, &details_b)
        && let Some(what) = sample_hash_drift(rows_a, rows_b, &pairs)
    {
        report.warnings.push(format!(
            "PROMPT DRIFT in {task_a}: {what} — the runs did not see the same prompts"
        ));
    }
    if pairs.is_empty() && details_a.is_some() && details_b.is_some() {
        report.warnings.push(format!(
            "{task_a}: no sample of A pairs with one of B; the comparison is unpaired"
        ));
    } else if !only_a.is_empty() || !only_b.is_empty() {
        report.warnings.push(format!(
            "{task_a}: {} samples only in A, {} only in B",
            only_a.len(),
            only_b.len()
        ));
    }
    let metrics = metric_names(a, b, task_a, task_b, details_a.as_deref());
    let task = TaskData {
        a,
        b,
        tasks,
        config: a
            .results
            .as_ref()
            .and_then(|r| r.task_config(task_a))
            .or_else(|| b.results.as_ref().and_then(|r| r.task_config(task_b))),
        details_a: details_a.as_deref(),
        details_b: details_b.as_deref(),
        pairs: &pairs,
        prompt_drift: drift.is_some(),
    };
    for metric in metrics
        .iter()
        .filter(|m| only.is_none_or(|o| o == m.as_str()))
    {
        report.rows.push(compare_metric(&task, metric));
    }
    if let (Some(rows_a), Some(rows_b)) = (&details_a, &details_b)
        && !a.numbers_only
        && let Some(flip_metric) = only.map(str::to_owned).or_else(|| metrics.first().cloned())
    {
        report.flips.push((
            task_a.to_owned(),
            flips(rows_a, rows_b, &pairs, &only_a, &only_b, &flip_metric),
        ));
    }
    Ok(())
}

/// A task's name in run A and in run B (`custom|quiz:geo|0` pairs with `quiz:geo|0`).
#[derive(Debug, Clone, Copy)]
struct TaskPair<'t> {
    a: &'t str,
    b: &'t str,
}

fn flips(
    a: &[Detail],
    b: &[Detail],
    pairs: &[(usize, usize)],
    only_a: &[usize],
    only_b: &[usize],
    metric: &str,
) -> Flips {
    let mut flips = Flips {
        metric: metric.to_owned(),
        only_a: only_a.to_vec(),
        only_b: only_b.to_vec(),
        ..Flips::default()
    };
    for &(i, j) in pairs {
        let (va, vb) = (a[i].metric_value(metric), b[j].metric_value(metric));
        match (va, vb) {
            (Some(x), Some(y)) if x >= 1.0 && y <= 0.0 => flips.right_to_wrong.push((i, j)),
            (Some(x), Some(y)) if x <= 0.0 && y >= 1.0 => flips.wrong_to_right.push((i, j)),
            (Some(x), Some(y))
                if x == y && a[i].prediction().text() != b[j].prediction().text() =>
            {
                flips.same_score_different_prediction.push((i, j));
            }
            _ => {}
        }
    }
    flips
}
