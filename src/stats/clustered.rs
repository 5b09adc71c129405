//! Clustered standard errors: questions that share a passage, a subject or a template are not
//! independent, and the textbook standard error then understates the uncertainty ("Adding Error
//! Bars to Evals", Miller 2024, Appendix A).
//!
//! The standard error of a mean over clusters c is √(Σ_c (Σ_{i∈c}(s_i − s̄))²) / n, times the
//! finite-cluster correction √(C/(C−1)) that Inspect's `stderr(cluster=…)` applies, so the two
//! agree.

use std::collections::HashMap;

use super::paired::Comparison;

/// z_{0.975} + z_{0.80}, the minimum detectable effect's multiple of the standard error.
const MDE_FACTOR: f64 = 1.959_963_984_540_054 + 0.841_621_233_572_914_3;

/// The clustered standard error of the mean of `values`, `clusters[i]` naming value i's cluster;
/// `None` with fewer than two clusters (one cluster has no between-cluster variance to measure).
pub fn clustered_stderr(values: &[f64], clusters: &[&str]) -> Option<f64> {
    assert_eq!(values.len(), clusters.len(), "one cluster per value");
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let mut deviation_sums: HashMap<&str, f64> = HashMap::new();
    for (value, cluster) in values.iter().zip(clusters) {
        *deviation_sums.entry(cluster).or_insert(0.0) += value - mean;
    }
    let count = deviation_sums.len();
    if count < 2 {
        return None;
    }
    let variance: f64 = deviation_sums.values().map(|d| d * d).sum();
    Some((variance * count as f64 / (count - 1) as f64).sqrt() / n as f64)
}

/// B − A over paired samples, its standard error clustered over the per-sample differences, with
/// a t test and 95 % interval on C − 1 degrees of freedom (as Inspect's clustered intervals: a
/// handful of clusters is no normal sample); `None` with fewer than two clusters.
pub fn clustered_paired(a: &[f64], b: &[f64], clusters: &[&str]) -> Option<Comparison> {
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let delta = differences.iter().sum::<f64>() / differences.len() as f64;
    let se = clustered_stderr(&differences, clusters)?;
    let count = clusters
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    let df = (count as f64 - 1.0).max(1.0);
    let critical = super::paired::t_critical(0.05, df);
    Some(Comparison {
        delta,
        se,
        ci_low: delta - critical * se,
        ci_high: delta + critical * se,
        p_value: if se > 0.0 {
            super::paired::t_two_sided_p(delta / se, df)
        } else if delta == 0.0 {
            1.0
        } else {
            0.0
        },
        mde: MDE_FACTOR * se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inspect's mc_quiz fixture, each sample's epochs averaged: 12 samples in three categories
    /// of four, accuracy 0.8333, and Inspect's stored `stderr(cluster="category")` 0.041666….
    #[test]
    fn equals_inspect_s_stored_value_on_its_fixture() {
        let values = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.5];
        let clusters = [
            "geography",
            "geography",
            "geography",
            "geography",
            "math",
            "math",
            "math",
            "math",
            "science",
            "science",
            "science",
            "science",
        ];
        // geography 3/4, math 3.5/4, science 3.5/4, as the fixture's grouped metrics say.
        let se = clustered_stderr(&values, &clusters).unwrap();
        assert!((se - 0.041_666_666_666_666_664).abs() < 1e-15, "{se}");
        assert_eq!(clustered_stderr(&[1.0, 0.0], &["x", "x"]), None);
    }

    #[test]
    fn singleton_clusters_are_the_textbook_error_with_its_correction() {
        // With every sample its own cluster: √(Σ(s−s̄)² · n/(n−1)) / n = sd / √n.
        let values = [0.2, 0.9, 0.4, 0.7, 0.1];
        let names = ["a", "b", "c", "d", "e"];
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se = clustered_stderr(&values, &names).unwrap();
        assert!((se - sd / n.sqrt()).abs() < 1e-15);
    }
}
