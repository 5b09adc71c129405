//! Classification aggregations as scikit-learn computes them, operation for operation:
//! `matthews_corrcoef` and `f1_score`, and a confusion matrix that bootstraps both from label
//! counts without building each resample.

use std::collections::BTreeMap;

use super::corpus::{Aggregation, CorpusInput, F1Average, label};

/// A confusion matrix over dense label ids (sorted like the labels), for bootstrapping MCC and
/// F1: one counter per pick, and the sums derived once per resample.
pub(super) struct LabelCounts {
    labels: Vec<i64>,
    /// Per sample: its cell `gold_id * k + pred_id`.
    cells: Vec<u32>,
    confusion: Vec<u32>,
    tp: Vec<f64>,
    true_sum: Vec<f64>,
    pred_sum: Vec<f64>,
}

impl LabelCounts {
    pub(super) fn new(inputs: &[CorpusInput]) -> Self {
        let pairs: Vec<(i64, i64)> = inputs.iter().map(label).collect();
        let mut labels: Vec<i64> = pairs.iter().flat_map(|&(g, p)| [g, p]).collect();
        labels.sort_unstable();
        labels.dedup();
        let k = labels.len();
        let id = |l: i64| labels.binary_search(&l).expect("collected above");
        let cells = pairs
            .iter()
            .map(|&(g, p)| (id(g) * k + id(p)) as u32)
            .collect();
        LabelCounts {
            labels,
            cells,
            confusion: vec![0; k * k],
            tp: vec![0.0; k],
            true_sum: vec![0.0; k],
            pred_sum: vec![0.0; k],
        }
    }

    pub(super) fn reset(&mut self) {
        self.confusion.iter_mut().for_each(|c| *c = 0);
    }

    #[inline]
    pub(super) fn add(&mut self, sample: usize) {
        self.confusion[self.cells[sample] as usize] += 1;
    }

    /// Row sums, column sums and the diagonal of the confusion matrix.
    pub(super) fn derive(&mut self) {
        let k = self.labels.len();
        for label in 0..k {
            self.tp[label] = f64::from(self.confusion[label * k + label]);
            self.true_sum[label] = self.confusion[label * k..(label + 1) * k]
                .iter()
                .map(|&c| f64::from(c))
                .sum();
            self.pred_sum[label] = (0..k)
                .map(|g| f64::from(self.confusion[g * k + label]))
                .sum();
        }
    }

    /// The statistic from the counts, computed in the same order as the direct path so the bits
    /// agree: labels absent from a resample do not take part, as in scikit-learn.
    pub(super) fn finish(&self, aggregation: Aggregation) -> f64 {
        let present = |k: usize| self.true_sum[k] + self.pred_sum[k] > 0.0;
        let per_label = |k: usize| (self.tp[k], self.true_sum[k], self.pred_sum[k]);
        match aggregation {
            Aggregation::Mcc => {
                let n: f64 = self.true_sum.iter().sum();
                let n_correct: f64 = self.tp.iter().sum();
                let (mut dot_tp, mut dot_pp, mut dot_tt) = (0.0, 0.0, 0.0);
                for k in (0..self.labels.len()).filter(|&k| present(k)) {
                    dot_tp += self.true_sum[k] * self.pred_sum[k];
                    dot_pp += self.pred_sum[k] * self.pred_sum[k];
                    dot_tt += self.true_sum[k] * self.true_sum[k];
                }
                mcc_from(n, n_correct, dot_tp, dot_pp, dot_tt)
            }
            Aggregation::F1 {
                average,
                num_classes: 2,
            } => {
                let counts: Vec<(f64, f64, f64)> = (0..self.labels.len())
                    .filter(|&k| present(k))
                    .map(per_label)
                    .collect();
                f1_from_counts(&counts, average)
                    .into_iter()
                    .fold(f64::NEG_INFINITY, f64::max)
            }
            Aggregation::F1 {
                average,
                num_classes,
            } => {
                let n: f64 = self.true_sum.iter().sum();
                let per_class: Vec<f64> = (0..i64::from(num_classes))
                    .map(|class| {
                        let (tp1, t1, p1) = self
                            .labels
                            .binary_search(&class)
                            .map_or((0.0, 0.0, 0.0), per_label);
                        // One-vs-rest on booleans: label 0 is "not this class", label 1 "this class".
                        let negative = (n - t1 - p1 + tp1, n - t1, n - p1);
                        let counts: Vec<(f64, f64, f64)> = [negative, (tp1, t1, p1)]
                            .into_iter()
                            .filter(|c| c.1 + c.2 > 0.0)
                            .collect();
                        let scores = f1_from_counts(&counts, average);
                        scores.iter().sum::<f64>() / scores.len() as f64
                    })
                    .collect();
                super::mean(&per_class)
            }
            _ => f64::NAN,
        }
    }
}

/// scikit-learn's `matthews_corrcoef`, in float64 as it computes it.
pub(super) fn mcc(pairs: impl Iterator<Item = (i64, i64)>) -> f64 {
    let mut t_sum: BTreeMap<i64, f64> = BTreeMap::new();
    let mut p_sum: BTreeMap<i64, f64> = BTreeMap::new();
    let (mut n_correct, mut n) = (0.0, 0.0);
    for (gold, pred) in pairs {
        *t_sum.entry(gold).or_default() += 1.0;
        *p_sum.entry(pred).or_default() += 1.0;
        t_sum.entry(pred).or_default();
        p_sum.entry(gold).or_default();
        if gold == pred {
            n_correct += 1.0;
        }
        n += 1.0;
    }
    let dot_tp: f64 = t_sum.iter().map(|(label, t)| t * p_sum[label]).sum();
    let dot_pp: f64 = p_sum.values().map(|p| p * p).sum();
    let dot_tt: f64 = t_sum.values().map(|t| t * t).sum();
    mcc_from(n, n_correct, dot_tp, dot_pp, dot_tt)
}

fn mcc_from(n: f64, n_correct: f64, dot_tp: f64, dot_pp: f64, dot_tt: f64) -> f64 {
    let cov_ytyp = n_correct * n - dot_tp;
    let cov_ypyp = n * n - dot_pp;
    let cov_ytyt = n * n - dot_tt;
    if cov_ypyp * cov_ytyt == 0.0 {
        0.0
    } else {
        cov_ytyp / (cov_ytyt * cov_ypyp).sqrt()
    }
}

/// scikit-learn's `f1_score(golds, preds, average=…)` over the labels present (sorted): one
/// score per label for `None`, one score otherwise. A zero denominator scores 0, as sklearn does.
pub(super) fn f1_scores(pairs: &[(i64, i64)], average: Option<F1Average>) -> Vec<f64> {
    let mut counts: BTreeMap<i64, (f64, f64, f64)> = BTreeMap::new(); // (tp, true_sum, pred_sum)
    for &(gold, pred) in pairs {
        counts.entry(gold).or_default().1 += 1.0;
        counts.entry(pred).or_default().2 += 1.0;
        if gold == pred {
            counts.entry(gold).or_default().0 += 1.0;
        }
    }
    f1_from_counts(&counts.into_values().collect::<Vec<_>>(), average)
}

/// F1 from per-label `(tp, true_sum, pred_sum)`, labels in sorted order.
fn f1_from_counts(counts: &[(f64, f64, f64)], average: Option<F1Average>) -> Vec<f64> {
    let f = |tp: f64, true_sum: f64, pred_sum: f64| {
        let denom = true_sum + pred_sum;
        if denom == 0.0 { 0.0 } else { 2.0 * tp / denom }
    };
    let per_label: Vec<f64> = counts.iter().map(|&(tp, t, p)| f(tp, t, p)).collect();
    match average {
        None => per_label,
        Some(F1Average::Macro) => vec![super::mean(&per_label)],
        Some(F1Average::Micro) => {
            let (tp, t, p) = counts
                .iter()
                .fold((0.0, 0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
            vec![f(tp, t, p)]
        }
        Some(F1Average::Weighted) => {
            let total: f64 = counts.iter().map(|c| c.1).sum();
            if total == 0.0 {
                return vec![0.0];
            }
            vec![
                counts
                    .iter()
                    .zip(&per_label)
                    .map(|(c, s)| s * c.1)
                    .sum::<f64>()
                    / total,
            ]
        }
    }
}
