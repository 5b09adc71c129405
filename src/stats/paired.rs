//! Paired comparison statistics: the paired t-test, McNemar's exact test, a paired bootstrap,
//! Welch's unpaired t-test, Holm–Bonferroni, and the Student t distribution they need.

use super::pyrandom::PyRandom;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz).
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Two-sided p-value of Student's t with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// The t value with two-sided tail probability `alpha` (e.g. 0.05 → 1.96 for large df), by
/// bisection on the p-value.
pub fn t_critical(alpha: f64, df: f64) -> f64 {
    let (mut low, mut high) = (0.0, 1e3);
    for _ in 0..200 {
        let mid = (low + high) / 2.0;
        if t_two_sided_p(mid, df) > alpha {
            low = mid
        } else {
            high = mid
        }
    }
    (low + high) / 2.0
}

/// The result of a two-sample comparison of B against A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub delta: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
    /// Smallest true |Δ| this comparison detects with 80 % power at α = 0.05.
    pub mde: f64,
}

/// z_{0.975} + z_{0.80}: the multiplier of the standard error in the minimum detectable effect.
const MDE_FACTOR: f64 = Z_975 + 0.841_621_233_572_914_3;

/// z_{0.975}: the two-sided 95 % normal quantile.
const Z_975: f64 = 1.959_963_984_540_054;

/// A comparison with its 95 % interval `delta ± critical · se` and its minimum detectable effect.
fn with_interval(delta: f64, se: f64, p_value: f64, critical: f64) -> Comparison {
    let half = critical * se;
    Comparison {
        delta,
        se,
        ci_low: delta - half,
        ci_high: delta + half,
        p_value,
        mde: MDE_FACTOR * se,
    }
}

/// Paired t-test of `b − a` (scipy's `ttest_rel(b, a)`), with the t interval of the mean difference.
pub fn paired_t(a: &[f64], b: &[f64]) -> Comparison {
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let n = diffs.len() as f64;
    let delta = super::mean(&diffs);
    let se = super::sample_std(&diffs) / n.sqrt();
    let df = n - 1.0;
    let t = delta / se;
    let p_value = if se == 0.0 && delta == 0.0 {
        f64::NAN
    } else {
        t_two_sided_p(t, df)
    };
    with_interval(delta, se, p_value, t_critical(0.05, df))
}

/// McNemar's exact test on paired 0/1 outcomes (statsmodels' `mcnemar(table, exact=True)`):
/// `b` samples went from right to wrong, `c` from wrong to right.
pub fn mcnemar_exact_p(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // Two-sided binomial tail at p = 1/2, summed in log space to stay exact for large n.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let ln_choose = |i: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(i as f64 + 1.0) - ln_gamma((n - i) as f64 + 1.0)
    };
    let cdf: f64 = (0..=k).map(|i| (ln_choose(i) + ln_half_n).exp()).sum();
    (2.0 * cdf).min(1.0)
}

/// Welch's unpaired t-test of B against A (scipy's `ttest_ind(b, a, equal_var=False)`).
pub fn welch_t(a: &[f64], b: &[f64]) -> Comparison {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (va, vb) = (
        super::sample_std(a).powi(2) / na,
        super::sample_std(b).powi(2) / nb,
    );
    let delta = super::mean(b) - super::mean(a);
    let se = (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let p_value = t_two_sided_p(delta / se, df);
    with_interval(delta, se, p_value, t_critical(0.05, df))
}

/// Pearson's correlation of two equally long samples; `None` when either is constant or shorter
/// than two.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let (ma, mb) = (
        a[..n].iter().sum::<f64>() / n as f64,
        b[..n].iter().sum::<f64>() / n as f64,
    );
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a[..n].iter().zip(&b[..n]) {
        cov += (x - ma) * (y - mb);
        va += (x - ma) * (x - ma);
        vb += (y - mb) * (y - mb);
    }
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// An unpaired z comparison from two estimates and their (textbook) standard errors.
pub fn z_from_stderr(a: f64, se_a: f64, b: f64, se_b: f64) -> Comparison {
    let delta = b - a;
    let se = (se_a * se_a + se_b * se_b).sqrt();
    let z = delta / se;
    // Normal two-sided p as the t limit.
    let p_value = t_two_sided_p(z, 1e12);
    with_interval(delta, se, p_value, Z_975)
}

/// Paired bootstrap of `statistic(B) − statistic(A)` over the same resamples of the paired
/// indices (CPython's stream, seed 0): the standard error is the replicates' standard deviation,
/// the interval their 2.5 / 97.5 percentiles, the p-value twice the smaller tail around 0.
pub fn paired_bootstrap(
    n: usize,
    resamples: usize,
    mut statistic: impl FnMut(&[usize]) -> (f64, f64),
) -> Comparison {
    let all: Vec<usize> = (0..n).collect();
    let full = statistic(&all);
    let replicates: Vec<(f64, f64)> = paired_resamples(n, resamples)
        .iter()
        .map(|indices| statistic(indices))
        .collect();
    paired_bootstrap_from(full, &replicates)
}

/// The resamples of [`paired_bootstrap`]: `random.Random(0).choices(range(n), k=n)`, `count`
/// times, so a statistic computed elsewhere on them pairs with it.
pub fn paired_resamples(n: usize, count: usize) -> Vec<Vec<usize>> {
    let mut rng = PyRandom::new(0);
    (0..count)
        .map(|_| {
            let mut indices = Vec::with_capacity(n);
            rng.choice_indices(n, n, &mut indices);
            indices
        })
        .collect()
}

/// [`paired_bootstrap`] from the statistic on all samples (`full`, as `(a, b)`) and on each of
/// [`paired_resamples`].
pub fn paired_bootstrap_from(full: (f64, f64), replicates: &[(f64, f64)]) -> Comparison {
    let delta = full.1 - full.0;
    let mut deltas: Vec<f64> = replicates
        .iter()
        .map(|(a, b)| b - a)
        .filter(|d| !d.is_nan())
        .collect();
    deltas.sort_by(f64::total_cmp);
    let se = super::sample_std(&deltas);
    let quantile = |q: f64| {
        deltas
            .get(((deltas.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let below = deltas.iter().filter(|d| **d <= 0.0).count() as f64;
    let above = deltas.iter().filter(|d| **d >= 0.0).count() as f64;
    let p_value = ((2.0 * below.min(above) + 1.0) / (deltas.len() as f64 + 1.0)).min(1.0);
    Comparison {
        delta,
        se,
        ci_low: quantile(0.025),
        ci_high: quantile(0.975),
        p_value,
        mde: MDE_FACTOR * se,
    }
}

/// Holm–Bonferroni adjusted p-values (statsmodels' `multipletests(p, method="holm")`), in the
/// order given. NaN p-values stay NaN and do not count as tests.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| !p_values[i].is_nan())
        .collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
    let m = order.len() as f64;
    let mut adjusted = vec![f64::NAN; p_values.len()];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank as f64) * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    // Reference values from SciPy / statsmodels.
    #[test]
    fn t_distribution() {
        // scipy.stats.t.sf(2.0, 10) * 2
        assert!(close(
            t_two_sided_p(2.0, 10.0),
            0.073_388_034_770_743_4,
            1e-12
        ));
        // 2 * t.sf(1.0, 3)
        assert!(close(t_two_sided_p(1.0, 3.0), 0.39100221895577053, 1e-12));
        // t.ppf(0.975, 10)
        assert!(close(t_critical(0.05, 10.0), 2.2281388519649385, 1e-9));
        assert!((ln_gamma(10.0) - 362880f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn mcnemar_and_holm() {
        // statsmodels mcnemar([[0, 3], [9, 0]], exact=True).pvalue
        assert!(close(mcnemar_exact_p(3, 9), 0.14599609375, 1e-12));
        assert_eq!(mcnemar_exact_p(0, 0), 1.0);
        assert_eq!(mcnemar_exact_p(5, 5), 1.0);
        // multipletests([0.01, 0.04, 0.03, 0.5], method="holm")[1]
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.5]);
        let expected = [0.04, 0.09, 0.09, 0.5];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close(*a, e, 1e-12), "{adjusted:?}");
        }
    }

    #[test]
    fn paired_t_matches_scipy() {
        // Differences [1, 1, 1, -1, 3]: mean 1, sd √2, t = 1/(√2/√5), df 4. SciPy's own numbers
        // are checked by the interop test.
        let a = [1.0, 2.0, 4.0, 5.0, 3.0];
        let b = [2.0, 3.0, 5.0, 4.0, 6.0];
        let c = paired_t(&a, &b);
        assert!(close(c.delta, 1.0, 1e-15));
        let t = 1.0 / (2f64.sqrt() / 5f64.sqrt());
        assert!(close(c.p_value, t_two_sided_p(t, 4.0), 1e-15));
        assert!(c.ci_low < 1.0 && c.ci_high > 1.0);
    }
}
