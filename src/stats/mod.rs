//! Statistics with lighteval's exact semantics: means and their standard errors, the bootstrap
//! (drawing the same resamples as lighteval, through CPython's Mersenne Twister), and the
//! corpus-level aggregations (`mean`, `median`, Matthews correlation, F1, perplexities).

mod classification;
pub mod clustered;
mod corpus;
pub mod paired;
pub mod pyrandom;
pub mod sacrebleu;
pub mod translation;

pub use corpus::{Aggregation, AggregationError, CorpusInput, F1Average};
pub use translation::{Lang, ReferenceLayout, Translation, TranslationMetric, TranslationSample};

use pyrandom::PyRandom;

pub use crate::model::StderrConvention;

/// lighteval's default number of bootstrap resamples (`bootstrap_iters`), which is also the most it
/// draws from one seed.
pub const LIGHTEVAL_BOOTSTRAP_ITERS: usize = 1000;

/// Orders values with missing and NaN ones last, whichever the direction: a missing value is not
/// a score, in any sort.
pub fn cmp_nan_last(a: Option<f64>, b: Option<f64>, descending: bool) -> std::cmp::Ordering {
    let key = |v: Option<f64>| v.filter(|v| !v.is_nan());
    match (key(a), key(b)) {
        (Some(x), Some(y)) if descending => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// The arithmetic mean (NaN for no values).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The median, as numpy computes it (mean of the two middle values for an even count; NaN if
/// any value is NaN).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// Sample standard deviation (n − 1 in the denominator), computed as lighteval's `_stddev`
/// does (numpy's mean, then a plain Python sum of squares), so the bits agree with it.
pub fn sample_std(values: &[f64]) -> f64 {
    let mu = numpy_sum(values) / values.len() as f64;
    let squares: f64 = values.iter().map(|x| (x - mu) * (x - mu)).sum();
    (squares / (values.len() as f64 - 1.0)).sqrt()
}

/// lighteval's `mean_stderr`: the sample standard deviation over √n.
pub fn mean_stderr(values: &[f64]) -> f64 {
    sample_std(values) / (values.len() as f64).sqrt()
}

/// numpy's sum of a float64 array: pairwise, with eight accumulators over blocks of up to 128.
pub fn numpy_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        values.iter().fold(-0.0, |sum, x| sum + x)
    } else if n <= BLOCK {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let unrolled = n - n % 8;
        for chunk in values[8..unrolled].chunks_exact(8) {
            for (acc, x) in r.iter_mut().zip(chunk) {
                *acc += x;
            }
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &values[unrolled..] {
            sum += x;
        }
        sum
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&values[..half]) + numpy_sum(&values[half..])
    }
}

/// lighteval's bootstrap: `min(1000, iters)` resamples per seed, seeds `0..iters / draws`, each
/// resample `random.Random(seed).choices(population, k=n)`; `statistic` is applied to the indices
/// of each resample. Returns the standard error under `convention`, NaN if a statistic is.
pub fn bootstrap_stderr(
    n: usize,
    iters: usize,
    convention: StderrConvention,
    mut statistic: impl FnMut(&[usize]) -> f64,
) -> f64 {
    let draws = iters.min(LIGHTEVAL_BOOTSTRAP_ITERS);
    if draws == 0 || n == 0 {
        return f64::NAN;
    }
    let mut replicates = Vec::with_capacity(iters);
    let mut indices = Vec::with_capacity(n);
    for seed in 0..(iters / draws) as u64 {
        let mut rng = PyRandom::new(seed);
        for _ in 0..draws {
            rng.choice_indices(n, n, &mut indices);
            replicates.push(statistic(&indices));
        }
    }
    stderr_of_replicates(&replicates, convention)
}

/// [`bootstrap_stderr`] for a statistic that folds the picks one at a time: `reset` starts a
/// resample, `add(i)` takes sample `i`, `finish` gives the statistic. Lets count-based metrics
/// (MCC, F1) bootstrap without materialising each resample.
pub fn bootstrap_stderr_folded<S>(
    n: usize,
    iters: usize,
    convention: StderrConvention,
    state: &mut S,
    reset: impl Fn(&mut S),
    add: impl Fn(&mut S, usize),
    finish: impl Fn(&mut S) -> f64,
) -> f64 {
    let draws = iters.min(LIGHTEVAL_BOOTSTRAP_ITERS);
    if draws == 0 || n == 0 {
        return f64::NAN;
    }
    let mut replicates = Vec::with_capacity(iters);
    for seed in 0..(iters / draws) as u64 {
        let mut rng = PyRandom::new(seed);
        for _ in 0..draws {
            reset(state);
            for _ in 0..n {
                add(state, rng.choice_index(n));
            }
            replicates.push(finish(state));
        }
    }
    stderr_of_replicates(&replicates, convention)
}

/// `f` over `items` on every available core, results in order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<R>>> =
        results.iter_mut().map(std::sync::Mutex::new).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let value = f(item);
                    **slots[i].lock().expect("no panics while holding") = Some(value);
                }
            });
        }
    });
    drop(slots);
    results
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// lighteval's bootstrap resamples, in its order: `min(1000, iters)` per seed, seeds
/// `0..iters / draws`, each `random.Random(seed).choices(range(n), k=n)`. Empty when there is
/// nothing to draw.
pub fn bootstrap_resamples(n: usize, iters: usize) -> Vec<Vec<usize>> {
    let draws = iters.min(LIGHTEVAL_BOOTSTRAP_ITERS);
    if draws == 0 || n == 0 {
        return Vec::new();
    }
    let mut resamples = Vec::with_capacity(iters);
    for seed in 0..(iters / draws) as u64 {
        let mut rng = PyRandom::new(seed);
        for _ in 0..draws {
            let mut indices = Vec::with_capacity(n);
            rng.choice_indices(n, n, &mut indices);
            resamples.push(indices);
        }
    }
    resamples
}

/// The standard error that bootstrap `replicates` give under `convention`.
pub fn stderr_of_replicates(replicates: &[f64], convention: StderrConvention) -> f64 {
    match convention {
        StderrConvention::Lighteval => mean_stderr(replicates),
        StderrConvention::Standard => sample_std(replicates),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_stderr() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), 2.0);
        assert_eq!(sample_std(&[1.0, 2.0, 3.0]), 1.0);
        assert!((mean_stderr(&[1.0, 2.0, 3.0]) - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        assert!(mean(&[]).is_nan());
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn bootstrap_conventions_differ_by_sqrt_of_replicates() {
        let values: Vec<f64> = (0..50).map(|i| f64::from(i % 7)).collect();
        let statistic =
            |idx: &[usize]| idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64;
        let lighteval =
            bootstrap_stderr(values.len(), 1000, StderrConvention::Lighteval, statistic);
        let standard = bootstrap_stderr(values.len(), 1000, StderrConvention::Standard, statistic);
        assert!((standard / lighteval - 1000f64.sqrt()).abs() < 1e-9);
        // The textbook bootstrap SE of a mean is close to the analytic one.
        let analytic = mean_stderr(&values);
        assert!(
            (standard / analytic - 1.0).abs() < 0.1,
            "{standard} vs {analytic}"
        );
    }
}
