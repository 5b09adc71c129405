//! Many runs side by side: one row per task and metric, one column per run, each cell the run's
//! value ± its standard error and, against a baseline run, Δ with the paired test [`crate::diff`]
//! would run between those two. Holm's correction then runs across every cell of the matrix, so
//! comparing more runs never makes a difference easier to call significant.

mod agreement;

pub use agreement::{
    Agreement, AgreementCell, AgreementFilter, AgreementRow, BadFilter, add_predictions, agreement,
};

use crate::analysis::Side;
use crate::diff::{self, ALPHA, MetricDiff, Test};
use crate::stats::paired;
use crate::store::{Run, StoreError};

/// One cell: a run's value of a task's metric, and its comparison with the baseline's.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub stderr: Option<f64>,
    /// `stderr` is clustered by the comparison's `cluster_by`.
    pub stderr_clustered: bool,
    /// `None` in the baseline's column, and where the two runs could not be compared.
    pub against_baseline: Option<Against>,
}

/// A cell against the baseline's cell of the same row.
#[derive(Debug, Clone, PartialEq)]
pub struct Against {
    pub delta: Option<f64>,
    pub p_value: Option<f64>,
    /// Holm-adjusted across every cell of the matrix.
    pub p_adjusted: Option<f64>,
    pub significant: bool,
    pub paired: bool,
    pub n_paired: usize,
    pub test: Test,
    /// The smallest |Δ| the test could detect with 80 % power.
    pub mde: Option<f64>,
    /// Pearson's correlation of the paired per-sample scores: how much pairing helped.
    pub correlation: Option<f64>,
}

impl Against {
    /// Not significant, and smaller than what the sample size could detect: the data cannot tell
    /// a difference from none.
    pub fn inconclusive(&self) -> bool {
        !self.significant && matches!((self.delta, self.mde), (Some(d), Some(m)) if d.abs() < m)
    }

    /// The marks after a cell's Δ: `▲*` significantly better, `▼*` worse, `*` different with no
    /// known direction, `?` inconclusive, `~` an unpaired test.
    pub fn marks(&self, higher_is_better: Option<bool>) -> String {
        let mut text = String::new();
        if self.significant {
            match self.better(higher_is_better) {
                Some(true) => text.push('▲'),
                Some(false) => text.push('▼'),
                None => {}
            }
            text.push('*');
        } else if self.inconclusive() {
            text.push('?');
        }
        if !self.paired && self.p_value.is_some() {
            text.push('~');
        }
        text
    }

    /// A significant change's direction: `Some(true)` better, `Some(false)` worse by the
    /// metric's `higher_is_better`; `None` when not significant, unchanged, or of no known
    /// direction.
    pub fn better(&self, higher_is_better: Option<bool>) -> Option<bool> {
        match (self.significant, self.delta, higher_is_better) {
            (true, Some(d), Some(better)) if d != 0.0 => Some((d > 0.0) == better),
            _ => None,
        }
    }

    /// What the comparison says, in words: better, worse, different, inconclusive, no
    /// significant difference, or not compared (no test could run).
    pub fn verdict(&self, higher_is_better: Option<bool>) -> &'static str {
        match self.better(higher_is_better) {
            Some(true) => "better",
            Some(false) => "worse",
            None if self.significant => "different",
            None if self.inconclusive() => "inconclusive (n too small)",
            None if self.p_value.is_some() => "no significant difference",
            None => "not compared",
        }
    }

    /// Paired samples needed to detect a true |Δ| of `target` with 80 % power at α = 0.05,
    /// from this comparison's spread: the detectable effect shrinks with √n.
    pub fn samples_for(&self, target: f64) -> Option<u64> {
        let mde = self.mde.filter(|m| *m > 0.0 && m.is_finite())?;
        (self.n_paired > 0 && target > 0.0)
            .then(|| (self.n_paired as f64 * (mde / target).powi(2)).ceil() as u64)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub task: String,
    pub metric: String,
    /// A suite average, `all`, or another harness's group: computed from other rows.
    pub derived: bool,
    pub higher_is_better: Option<bool>,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The column holding the row's best value, when the metric says which way is better and
    /// one column alone holds it (a tie has no best).
    pub fn best(&self) -> Option<usize> {
        let better = self.higher_is_better?;
        let values: Vec<(usize, f64)> = self
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i, c.value.filter(|v| !v.is_nan())?)))
            .collect();
        let top = values
            .iter()
            .map(|&(_, v)| if better { v } else { -v })
            .fold(f64::NEG_INFINITY, f64::max);
        let mut at_top = values
            .iter()
            .filter(|&&(_, v)| (if better { v } else { -v }) == top);
        match (at_top.next(), at_top.next()) {
            (Some(&(i, _)), None) => Some(i),
            _ => None,
        }
    }
}

/// The whole matrix.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// `model @ date_id`, in column order.
    pub columns: Vec<String>,
    pub baseline: usize,
    pub rows: Vec<Row>,
    pub warnings: Vec<String>,
    pub cluster_by: Option<String>,
}

/// How `compare` reads its runs.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// The column every other is compared with.
    pub baseline: usize,
    /// Only this metric.
    pub metric: Option<String>,
    /// Cluster standard errors by this sample field.
    pub cluster_by: Option<String>,
}

/// Compares `runs` (in column order) with the one at `options.baseline`.
pub fn compare(runs: &[Run], options: &CompareOptions) -> Result<Comparison, StoreError> {
    let sides = sides(runs, options)?;
    let mut comparison = values(&sides, options);
    test_against_baseline(&mut comparison, &sides, options);
    Ok(comparison)
}

/// Each run with its results read once, set to be read as the comparison reads samples: ids and
/// scores alone, clustered when asked, the baseline's kept once read.
pub fn sides<'r>(runs: &'r [Run], options: &CompareOptions) -> Result<Vec<Side<'r>>, StoreError> {
    let baseline = options.baseline.min(runs.len().saturating_sub(1));
    runs.iter()
        .enumerate()
        .map(|(i, run)| {
            let side = Side::load(run)?
                .clustered_by(options.cluster_by.as_deref())
                .numbers_only();
            Ok(if i == baseline { side.caching() } else { side })
        })
        .collect()
}

/// The matrix of stored values and standard errors alone: it reads no sample, so it is ready at
/// once; [`test_against_baseline`] then fills in the comparisons.
pub fn values(sides: &[Side], options: &CompareOptions) -> Comparison {
    Comparison {
        columns: sides
            .iter()
            .map(|s| format!("{} @ {}", s.run.model, s.run.date_id))
            .collect(),
        baseline: options.baseline.min(sides.len().saturating_sub(1)),
        cluster_by: options.cluster_by.clone(),
        rows: matrix_rows(sides, options.metric.as_deref()),
        warnings: Vec::new(),
    }
}

/// Tests every run against the baseline, as `diff` compares two runs (reading the samples), and
/// adjusts the p-values across the whole matrix. A run whose samples cannot be read keeps its
/// stored values, untested, with a warning.
pub fn test_against_baseline(
    comparison: &mut Comparison,
    sides: &[Side],
    options: &CompareOptions,
) {
    let baseline = comparison.baseline;
    // Each run against the baseline; independent, so in parallel.
    let others: Vec<usize> = (0..sides.len()).filter(|&j| j != baseline).collect();
    let reports = crate::stats::parallel_map(&others, |&j| {
        diff::diff_tasks(
            &sides[baseline],
            &sides[j],
            options.metric.as_deref(),
            diff::BrokenTask::Warn,
        )
    });
    for (&j, report) in others.iter().zip(reports) {
        let report = match report {
            Ok(report) => report,
            Err(error) => {
                comparison.warnings.push(format!(
                    "{}: not tested against the baseline: {error}",
                    comparison.columns[j]
                ));
                continue;
            }
        };
        for warning in report.warnings {
            comparison
                .warnings
                .push(format!("{}: {warning}", comparison.columns[j]));
        }
        for diff_row in &report.rows {
            let Some(row) = comparison
                .rows
                .iter_mut()
                .find(|r| r.task == diff_row.task && r.metric == diff_row.metric)
            else {
                continue;
            };
            row.higher_is_better = row.higher_is_better.or(diff_row.higher_is_better);
            row.cells[j].against_baseline = Some(against(diff_row));
            if let Some((se_base, se_other)) = diff_row.clustered_se {
                for (column, se) in [(baseline, se_base), (j, se_other)] {
                    row.cells[column].stderr = Some(se);
                    row.cells[column].stderr_clustered = true;
                }
            }
        }
    }
    adjust_across_the_matrix(&mut comparison.rows);
}

/// Every task × metric any run has, in the first run's order, then the others' new ones.
fn matrix_rows(sides: &[Side], only: Option<&str>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (column, side) in sides.iter().enumerate() {
        let Some(results) = side.results.as_ref() else {
            continue;
        };
        for result in results.rows() {
            for metric in result.metrics() {
                if only.is_some_and(|m| m != metric.metric) {
                    continue;
                }
                let index = match rows
                    .iter()
                    .position(|r| r.task == result.task && r.metric == metric.metric)
                {
                    Some(index) => index,
                    None => {
                        rows.push(Row {
                            task: result.task.to_owned(),
                            metric: metric.metric.to_owned(),
                            derived: results.is_derived(result.task),
                            higher_is_better: None,
                            cells: vec![
                                Cell {
                                    value: None,
                                    stderr: None,
                                    stderr_clustered: false,
                                    against_baseline: None,
                                };
                                sides.len()
                            ],
                        });
                        rows.len() - 1
                    }
                };
                let cell = &mut rows[index].cells[column];
                cell.value = metric.value;
                cell.stderr = metric.stderr;
            }
        }
    }
    rows
}

fn against(row: &MetricDiff) -> Against {
    let c = row.comparison;
    Against {
        delta: row.delta().or(c.map(|c| c.delta)),
        p_value: c.map(|c| c.p_value).filter(|p| !p.is_nan()),
        p_adjusted: None,
        significant: false,
        paired: row.paired,
        n_paired: row.n_paired,
        test: row.test,
        mde: c.map(|c| c.mde).filter(|m| !m.is_nan()),
        correlation: row.correlation,
    }
}

/// Holm–Bonferroni over every cell with a p-value, across the whole matrix.
fn adjust_across_the_matrix(rows: &mut [Row]) {
    let mut cells: Vec<&mut Against> = rows
        .iter_mut()
        .flat_map(|r| r.cells.iter_mut())
        .filter_map(|c| c.against_baseline.as_mut())
        .filter(|a| a.p_value.is_some())
        .collect();
    let p_values: Vec<f64> = cells
        .iter()
        .map(|a| a.p_value.unwrap_or(f64::NAN))
        .collect();
    for (cell, adjusted) in cells.iter_mut().zip(paired::holm(&p_values)) {
        cell.p_adjusted = Some(adjusted);
        cell.significant = adjusted < ALPHA;
    }
}

/// How the columns are ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// As the sources gave them.
    Given,
    /// By date id, oldest first.
    Date,
    /// By model name, then date.
    Name,
    /// By a value of the results' general config (`model_config.revision`), or `step`: the
    /// checkpoint step in the model name (`…-step1200`, `checkpoint-1200`), numerically.
    Key(String),
}

impl std::str::FromStr for Order {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "given" => Order::Given,
            "date" => Order::Date,
            "name" => Order::Name,
            key => Order::Key(key.to_owned()),
        })
    }
}

/// Sorts runs by `order`; runs without the key go last, in their given order.
pub fn order_runs(runs: &mut [Run], order: &Order) {
    match order {
        Order::Given => {}
        Order::Date => runs.sort_by(|a, b| a.date_id.cmp(&b.date_id)),
        Order::Name => runs.sort_by(|a, b| a.model.cmp(&b.model).then(a.date_id.cmp(&b.date_id))),
        Order::Key(key) => {
            let value = |run: &Run| -> Option<SortKey> {
                if key == "step" {
                    return checkpoint_step(&run.model).map(SortKey::Number);
                }
                let results = run.load_results().ok()?;
                let mut at = results.as_map().get("config_general")?;
                for part in key.split('.') {
                    at = at.get(part)?;
                }
                Some(match at.as_f64() {
                    Some(number) => SortKey::Number(number),
                    None => SortKey::Text(crate::model::pyjson::to_string(
                        at,
                        crate::model::pyjson::WriteOptions::STRICT_COMPACT,
                    )),
                })
            };
            let mut keyed: Vec<(Option<SortKey>, Run)> =
                runs.iter().map(|r| (value(r), r.clone())).collect();
            keyed.sort_by(|a, b| match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            for (slot, (_, run)) in runs.iter_mut().zip(keyed) {
                *slot = run;
            }
        }
    }
}

/// A column's sort key: numbers before text, numbers by value.
#[derive(Debug, Clone)]
enum SortKey {
    Number(f64),
    Text(String),
}

impl PartialEq for SortKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            (SortKey::Number(_), SortKey::Text(_)) => std::cmp::Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => std::cmp::Ordering::Greater,
        }
    }
}

/// The checkpoint step a model name carries: the digits after the last `step` or `checkpoint-`
/// (`org/model-step1200`, `run/checkpoint-1200`, `model_step_300`).
pub fn checkpoint_step(model: &str) -> Option<f64> {
    let lower = model.to_lowercase();
    let at = ["step", "checkpoint"]
        .iter()
        .filter_map(|marker| lower.rfind(marker).map(|i| i + marker.len()))
        .max()?;
    let digits: String = lower[at..]
        .trim_start_matches(['-', '_', '='])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_for_a_target_scale_with_the_square_of_the_detectable_effect() {
        let against = Against {
            delta: Some(0.01),
            p_value: Some(0.8),
            p_adjusted: Some(1.0),
            significant: false,
            paired: true,
            n_paired: 10,
            test: Test::PairedT,
            mde: Some(0.2),
            correlation: None,
        };
        assert!(against.inconclusive());
        // Halving the detectable effect takes four times the samples.
        assert_eq!(against.samples_for(0.1), Some(40));
        assert_eq!(against.samples_for(0.2), Some(10));
        assert_eq!(against.samples_for(0.0), None);
    }

    #[test]
    fn checkpoint_steps_from_model_names() {
        assert_eq!(checkpoint_step("org/model-step1200"), Some(1200.0));
        assert_eq!(checkpoint_step("run/checkpoint-300"), Some(300.0));
        assert_eq!(checkpoint_step("model_step_45"), Some(45.0));
        assert_eq!(checkpoint_step("org/model"), None);
    }
}
