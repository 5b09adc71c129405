//! One metric of one task compared: the stored values, the per-sample values where both runs
//! have them, and the best test the data allows.

use super::{BOOTSTRAP_RESAMPLES, MetricDiff, TaskPair, Test};
use crate::analysis::Side;
use crate::model::{Detail, StderrConvention};
use crate::stats::paired::{self, Comparison};
use crate::stats::{Aggregation, CorpusInput, clustered};

/// What the comparison of one task's metrics reads: both runs, the task's config, its details
/// and how its samples pair.
pub(super) struct TaskData<'t> {
    pub(super) a: &'t Side<'t>,
    pub(super) b: &'t Side<'t>,
    pub(super) tasks: TaskPair<'t>,
    pub(super) config: Option<crate::model::TaskConfig<'t>>,
    pub(super) details_a: Option<&'t [Detail]>,
    pub(super) details_b: Option<&'t [Detail]>,
    pub(super) pairs: &'t [(usize, usize)],
    pub(super) prompt_drift: bool,
}

/// One metric of a task: the values, and the best test the data allows — paired when samples
/// pair, unpaired on the details otherwise, else a z-test from the stored standard errors.
pub(super) fn compare_metric(task: &TaskData<'_>, metric: &str) -> MetricDiff {
    let stored = |side: &Side, name: &str| -> Option<(Option<f64>, Option<f64>, bool)> {
        let standard = r_convention(side) == StderrConvention::Standard;
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
            rows?
                .iter()
                .map(|d| crate::analysis::cluster_of(d, path))
                .collect()
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

fn r_convention(side: &Side<'_>) -> StderrConvention {
    side.results
        .as_ref()
        .map(|r| r.general().stderr_convention())
        .unwrap_or_default()
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

pub(super) fn metric_names(
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
