//! Comparing two runs: per task and metric, A, B and Δ = B − A with paired statistics when the
//! samples pair (McNemar's exact test for 0/1 metrics, a paired t-test for continuous ones, a
//! paired bootstrap for corpus metrics), unpaired tests flagged as such otherwise, Holm–Bonferroni
//! across everything compared; what else changed (versions, configs, prompts); per-sample flips.

mod changes;
mod pairing;

use std::collections::HashMap;

pub use changes::{Change, config_changes};
pub use pairing::{mean_over_epochs, pair_samples};
use pairing::{name_sample_values, prompt_drift, sample_hash_drift};

use crate::model::{Detail, ResultsFile, TaskKey};
use crate::stats::clustered;
use crate::stats::paired::{self, Comparison};
use crate::stats::{Aggregation, CorpusInput};
use crate::store::{Run, StoreError};

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

/// A run's results and, per task, its details (read only for tasks in both runs).
pub struct Side<'a> {
    pub run: &'a Run,
    pub results: Option<ResultsFile>,
    /// A sample field (`doc.specific.category`, `metadata.category`, `doc.subject`) whose values
    /// cluster the samples; standard errors of means are then clustered by it.
    pub cluster_by: Option<String>,
    /// Samples read once and kept, for a side compared with many others (a baseline).
    cache: Option<std::sync::Mutex<HashMap<String, Option<Vec<Detail>>>>>,
    /// Only the numbers: samples read for their ids and scores alone, no flips, no config
    /// changes (what `compare` needs of a diff).
    numbers_only: bool,
}

impl<'a> Side<'a> {
    pub fn load(run: &'a Run) -> Result<Self, StoreError> {
        let results = match (&run.results_path, &run.log) {
            (None, None) => None,
            // An lm-eval run of samples alone has no results to compare, and is still a run.
            (None, Some(_)) => run.load_results().ok(),
            _ => Some(run.load_results()?),
        };
        Ok(Side {
            run,
            results,
            cluster_by: None,
            cache: None,
            numbers_only: false,
        })
    }

    /// Reads only what the tests need (see [`Side::numbers_only`]).
    pub fn numbers_only(mut self) -> Self {
        self.numbers_only = true;
        self
    }

    /// Keeps each task's samples once read: for a baseline compared with many runs.
    pub fn caching(mut self) -> Self {
        self.cache = Some(std::sync::Mutex::new(HashMap::new()));
        self
    }

    /// Clusters samples by a field of theirs (see [`Side::cluster_by`]).
    pub fn clustered_by(mut self, path: Option<&str>) -> Self {
        self.cluster_by = path.map(str::to_owned);
        self
    }

    /// Task keys by their name and few-shot count, so `custom|quiz:geo|0` pairs with `quiz:geo|0`.
    fn tasks(&self) -> Vec<String> {
        let mut tasks: Vec<String> = self.results.as_ref().map_or_else(Vec::new, |r| {
            r.measured_tasks()
                .into_iter()
                .map(|k| k.as_str().to_owned())
                .collect()
        });
        for (task, _) in &self.run.details {
            if !tasks.contains(task) {
                tasks.push(task.clone());
            }
        }
        tasks
    }

    /// A task's samples as the comparison reads them (Inspect's epochs averaged per id, other
    /// harnesses' per-sample values named as their results metrics); `None` without details.
    pub fn samples(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        let Some(mut rows) = self.details(task)? else {
            return Ok(None);
        };
        if let Some(results) = &self.results {
            name_sample_values(results, task, &mut rows);
        }
        Ok(Some(rows))
    }

    /// This run's key of the task another run calls `task` (`custom|quiz:geo|0` for
    /// `quiz:geo|0`).
    /// A name without its few-shot part (`quiz:geo`) finds the task when only one has it.
    pub fn matching_task(&self, task: &str) -> Option<String> {
        let tasks = self.tasks();
        if let Some(found) = tasks.iter().find(|t| pairing_key(t) == pairing_key(task)) {
            return Some(found.clone());
        }
        let mut by_name = tasks.iter().filter(|t| {
            let key = TaskKey::new(t.as_str());
            key.name() == task || key.without_fewshot() == task
        });
        match (by_name.next(), by_name.next()) {
            (Some(only), None) => Some(only.clone()),
            _ => None,
        }
    }

    fn details(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        let Some(cache) = &self.cache else {
            return self.read_details(task);
        };
        if let Some(rows) = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(task)
        {
            return Ok(rows.clone());
        }
        let rows = self.read_details(task)?;
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(task.to_owned(), rows.clone());
        Ok(rows)
    }

    fn read_details(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        if self.run.details_path(task).is_none() {
            return Ok(None);
        }
        let file = self.run.open_details(task)?;
        let mut rows = Vec::new();
        // The list columns, unless a cluster field (anywhere in the sample) must be read too.
        let batches = match (&self.cluster_by, self.numbers_only) {
            (Some(_), _) => file.details(8192)?,
            (None, true) => file.pairing_details(8192)?,
            (None, false) => file.list_details(8192)?,
        };
        for batch in batches {
            rows.extend(batch?);
        }
        // Read for their ids alone, samples without an id would pair by a content that was not
        // read: read them again with it.
        if self.numbers_only
            && self.cluster_by.is_none()
            && rows
                .iter()
                .any(|d| d.doc.id.as_deref().is_none_or(str::is_empty))
        {
            rows.clear();
            for batch in file.list_details(8192)? {
                rows.extend(batch?);
            }
        }
        if self.run.harness == crate::store::Harness::Inspect {
            rows = mean_over_epochs(rows);
        }
        Ok(Some(rows))
    }
}

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

fn pairing_key(task: &str) -> (String, Option<u32>) {
    let key = TaskKey::new(task);
    (key.name().to_owned(), key.fewshot())
}

/// Compares run B against run A. `metric` narrows the flips (and the table) to one metric.
pub fn diff(a: &Side, b: &Side, metric: Option<&str>) -> Result<DiffReport, StoreError> {
    diff_with(a, b, metric, None)
}

/// [`diff`], with the tasks to compare named (`task_a` of A against `task_b` of B): how runs of
/// two harnesses are compared, whose task names and sample ids mean different things.
pub fn diff_with(
    a: &Side,
    b: &Side,
    metric: Option<&str>,
    named: Option<(&str, &str)>,
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
                &mut report,
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
        compare_task(
            a,
            b,
            TaskPair {
                a: task_a,
                b: task_b,
            },
            metric,
            &mut report,
        )?;
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

/// What the comparison of one task's metrics reads: both runs, the task's config, its details
/// and how its samples pair.
struct TaskData<'t> {
    a: &'t Side<'t>,
    b: &'t Side<'t>,
    tasks: TaskPair<'t>,
    config: Option<crate::model::TaskConfig<'t>>,
    details_a: Option<&'t [Detail]>,
    details_b: Option<&'t [Detail]>,
    pairs: &'t [(usize, usize)],
    prompt_drift: bool,
}

/// One metric of a task: the values, and the best test the data allows — paired when samples
/// pair, unpaired on the details otherwise, else a z-test from the stored standard errors.
fn compare_metric(task: &TaskData<'_>, metric: &str) -> MetricDiff {
    let stored = |side: &Side, name: &str| -> Option<(Option<f64>, Option<f64>, bool)> {
        let standard = r_convention(side) == "standard";
        side.results
            .as_ref()
            .and_then(|r| r.row(name))
            .and_then(|row| {
                row.metrics()
                    .into_iter()
                    .find(|m| m.metric == metric)
                    .map(|m| (m.value, m.stderr, standard))
            })
    };
    let (stored_a, stored_b) = (stored(task.a, task.tasks.a), stored(task.b, task.tasks.b));
    let metric_config = task.config.and_then(|c| c.metric(metric));
    // As re-saving reads it: lighteval ≤ 0.10's bare `compute` resolved by the metric's name.
    let aggregation = metric_config
        .as_ref()
        .and_then(|m| m.corpus_level_fn_of(metric))
        .map_or(Ok(Aggregation::Mean), |f| Aggregation::resolve(&f, metric));
    let higher_is_better = metric_config
        .as_ref()
        .and_then(|m| m.higher_is_better(metric))
        .or_else(|| {
            task.a
                .results
                .as_ref()
                .and_then(|r| r.harness_higher_is_better(task.tasks.a, metric))
        });
    let mut row = MetricDiff {
        task: task.tasks.a.to_owned(),
        metric: metric.to_owned(),
        a: stored_a.and_then(|s| s.0),
        b: stored_b.and_then(|s| s.0),
        comparison: None,
        p_adjusted: f64::NAN,
        test: Test::None,
        paired: false,
        n_paired: task.pairs.len(),
        significant: false,
        higher_is_better,
        prompt_drift: task.prompt_drift,
        clustered_se: None,
        correlation: None,
    };
    // lighteval's rows all carry a metric; another harness's may carry it on some rows only (an
    // lm-eval filter's lines), and then only those rows, and the pairs between them, count.
    let some_rows = task.a.run.harness != crate::store::Harness::Lighteval;
    let carrying = |rows: Option<&[Detail]>| -> Option<Vec<Detail>> {
        let rows = rows?;
        some_rows.then(|| {
            rows.iter()
                .filter(|d| d.metric.contains_key(metric))
                .cloned()
                .collect()
        })
    };
    let (kept_a, kept_b) = (carrying(task.details_a), carrying(task.details_b));
    let pairs: Vec<(usize, usize)> = match (&kept_a, &kept_b, task.details_a, task.details_b) {
        (Some(_), Some(_), Some(rows_a), Some(rows_b)) => {
            let position = |rows: &[Detail]| -> Vec<Option<usize>> {
                let mut next = 0;
                rows.iter()
                    .map(|d| {
                        d.metric.contains_key(metric).then(|| {
                            next += 1;
                            next - 1
                        })
                    })
                    .collect()
            };
            let (pa, pb) = (position(rows_a), position(rows_b));
            task.pairs
                .iter()
                .filter_map(|&(i, j)| Some((pa[i]?, pb[j]?)))
                .collect()
        }
        _ => task.pairs.to_vec(),
    };
    let rows_a = kept_a.as_deref().or(task.details_a);
    let rows_b = kept_b.as_deref().or(task.details_b);
    row.n_paired = pairs.len();
    let inputs = |rows: Option<&[Detail]>, aggregation: Aggregation| {
        metric_inputs(rows?, metric, aggregation)
    };
    if let Ok(aggregation) = aggregation
        && let (Some(in_a), Some(in_b)) = (inputs(rows_a, aggregation), inputs(rows_b, aggregation))
        && !(some_rows && (in_a.is_empty() || in_b.is_empty()))
    {
        let all_a: Vec<usize> = (0..in_a.len()).collect();
        let all_b: Vec<usize> = (0..in_b.len()).collect();
        row.a = row.a.or(Some(aggregation.compute(&in_a, &all_a)));
        row.b = row.b.or(Some(aggregation.compute(&in_b, &all_b)));
        let clusters = |rows: Option<&[Detail]>| -> Option<Vec<String>> {
            let path = task.a.cluster_by.as_deref()?;
            rows?.iter().map(|d| pairing::cluster_of(d, path)).collect()
        };
        let clustered = match (aggregation, clusters(rows_a), clusters(rows_b)) {
            (Aggregation::Mean, Some(ca), Some(cb)) => Some((ca, cb)),
            _ => None,
        };
        if let Some((ca, cb)) = &clustered {
            let values = |inputs: &[CorpusInput]| inputs.iter().map(number).collect::<Vec<_>>();
            let (names_a, names_b): (Vec<&str>, Vec<&str>) = (
                ca.iter().map(String::as_str).collect(),
                cb.iter().map(String::as_str).collect(),
            );
            row.clustered_se = clustered::clustered_stderr(&values(&in_a), &names_a)
                .zip(clustered::clustered_stderr(&values(&in_b), &names_b));
        }
        if !pairs.is_empty() {
            row.paired = true;
            let (pa, pb): (Vec<CorpusInput>, Vec<CorpusInput>) = pairs
                .iter()
                .map(|&(i, j)| (in_a[i].clone(), in_b[j].clone()))
                .unzip();
            let (comparison, test) = paired_comparison(aggregation, &pa, &pb);
            row.comparison = Some(comparison);
            row.test = test;
            if aggregation == Aggregation::Mean {
                let (va, vb): (Vec<f64>, Vec<f64>) = pa
                    .iter()
                    .zip(&pb)
                    .map(|(x, y)| (number(x), number(y)))
                    .unzip();
                row.correlation = paired::pearson(&va, &vb);
            }
            // A's clusters label the pairs' differences.
            if let Some((ca, _)) = &clustered {
                let labels: Vec<&str> = pairs.iter().map(|&(i, _)| ca[i].as_str()).collect();
                let (va, vb): (Vec<f64>, Vec<f64>) = pa
                    .iter()
                    .zip(&pb)
                    .map(|(x, y)| (number(x), number(y)))
                    .unzip();
                if let Some(comparison) = clustered::clustered_paired(&va, &vb, &labels) {
                    row.comparison = Some(comparison);
                    row.test = Test::ClusteredT;
                }
            }
        } else if aggregation == Aggregation::Mean {
            let values = |inputs: &[CorpusInput]| inputs.iter().map(number).collect::<Vec<_>>();
            row.comparison = Some(paired::welch_t(&values(&in_a), &values(&in_b)));
            row.test = Test::WelchT;
        }
    }
    if row.comparison.is_none()
        && let (Some((Some(va), Some(sa), ca)), Some((Some(vb), Some(sb), cb))) =
            (stored_a, stored_b)
    {
        // lighteval's bootstrap "stderr" is the textbook one over √(its default resamples).
        let is_mean = aggregation.as_ref().is_ok_and(|a| a.uses_mean_stderr());
        let textbook = |se: f64, standard: bool| {
            if is_mean || standard {
                se
            } else {
                se * (crate::stats::LIGHTEVAL_BOOTSTRAP_ITERS as f64).sqrt()
            }
        };
        row.comparison = Some(paired::z_from_stderr(
            va,
            textbook(sa, ca),
            vb,
            textbook(sb, cb),
        ));
        row.test = Test::ZFromStderr;
    }
    row
}

/// Every row's value of `metric` as `aggregation`'s input; `None` if a row lacks it or holds
/// something else.
pub fn metric_inputs(
    rows: &[Detail],
    metric: &str,
    aggregation: Aggregation,
) -> Option<Vec<CorpusInput>> {
    rows.iter()
        .enumerate()
        .map(|(i, d)| {
            d.metric
                .get(metric)
                .and_then(|v| aggregation.input(i, v).ok())
        })
        .collect()
}

fn r_convention<'s>(side: &'s Side<'_>) -> &'s str {
    side.results
        .as_ref()
        .map_or("lighteval", |r| r.general().stderr_convention())
}

fn number(input: &CorpusInput) -> f64 {
    match input {
        CorpusInput::Number(x) => *x,
        _ => f64::NAN,
    }
}

/// The test for paired samples: McNemar's exact test when every value is 0 or 1, a paired t-test
/// for other means, a paired bootstrap (same resamples on both sides) for corpus metrics.
pub fn paired_comparison(
    aggregation: Aggregation,
    a: &[CorpusInput],
    b: &[CorpusInput],
) -> (Comparison, Test) {
    if aggregation == Aggregation::Mean {
        let (va, vb): (Vec<f64>, Vec<f64>) = a.iter().map(number).zip(b.iter().map(number)).unzip();
        let mut comparison = paired::paired_t(&va, &vb);
        let binary = va.iter().chain(&vb).all(|v| *v == 0.0 || *v == 1.0);
        if binary {
            let right_to_wrong = va
                .iter()
                .zip(&vb)
                .filter(|(x, y)| **x == 1.0 && **y == 0.0)
                .count() as u64;
            let wrong_to_right = va
                .iter()
                .zip(&vb)
                .filter(|(x, y)| **x == 0.0 && **y == 1.0)
                .count() as u64;
            comparison.p_value = paired::mcnemar_exact_p(right_to_wrong, wrong_to_right);
            return (comparison, Test::McNemarExact);
        }
        return (comparison, Test::PairedT);
    }
    let all: Vec<usize> = (0..a.len()).collect();
    let full = (aggregation.compute(a, &all), aggregation.compute(b, &all));
    let resamples = paired::paired_resamples(a.len(), BOOTSTRAP_RESAMPLES);
    let replicates: Vec<(f64, f64)> = aggregation
        .replicates(a, &resamples)
        .into_iter()
        .zip(aggregation.replicates(b, &resamples))
        .collect();
    (
        paired::paired_bootstrap_from(full, &replicates),
        Test::PairedBootstrap,
    )
}

fn metric_names(
    a: &Side,
    b: &Side,
    task_a: &str,
    task_b: &str,
    details_a: Option<&[Detail]>,
) -> Vec<String> {
    let names = |side: &Side, task: &str| -> Vec<String> {
        side.results
            .as_ref()
            .and_then(|r| r.row(task))
            .map_or_else(Vec::new, |row| {
                row.metrics()
                    .into_iter()
                    .map(|m| m.metric.to_owned())
                    .collect()
            })
    };
    let (in_a, in_b) = (names(a, task_a), names(b, task_b));
    if !in_a.is_empty() {
        return in_a
            .into_iter()
            .filter(|m| in_b.is_empty() || in_b.contains(m))
            .collect();
    }
    details_a
        .and_then(|rows| rows.first())
        .map_or_else(Vec::new, |d| d.metric.keys().cloned().collect())
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
            (Some(x), Some(y)) if x == y && prediction_text(&a[i]) != prediction_text(&b[j]) => {
                flips.same_score_different_prediction.push((i, j));
            }
            _ => {}
        }
    }
    flips
}

pub fn prediction_text(detail: &Detail) -> String {
    match detail.prediction() {
        crate::model::Prediction::Generated(text) => text.to_owned(),
        crate::model::Prediction::Choice { text, .. } => text.to_owned(),
        crate::model::Prediction::None => String::new(),
    }
}
