//! Diff speed target: pairing two runs of 1,000,000 samples and every statistic on them under
//! 1 s (samples in memory; reading them is the details benches' business).

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::analysis::pair_samples;
use evaldeck::diff::{metric_inputs, paired_comparison};
use evaldeck::model::{Detail, Json};
use evaldeck::stats::Aggregation;
use evaldeck::stats::paired;

fn run(n: usize, seed: u64) -> Vec<Detail> {
    (0..n)
        .map(|i| {
            let mut detail = Detail::default();
            // Shuffled order, so pairing cannot rely on position.
            let id = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(seed) % n as u64;
            detail.doc.id = Some(id.to_string());
            detail.metric.insert(
                "acc".into(),
                Json::Int(i64::from((id * 7 + seed).is_multiple_of(3))),
            );
            detail.metric.insert(
                "f1".into(),
                Json::Float(((id * 13 + seed) % 100) as f64 / 100.0),
            );
            detail
        })
        .collect()
}

fn diff_1m(c: &mut Criterion) {
    let (a, b) = (run(1_000_000, 1), run(1_000_000, 2));
    let mut group = c.benchmark_group("diff_1m_samples");
    group.sample_size(10);
    group.bench_function("pair_and_test", |bench| {
        bench.iter(|| {
            let (pairs, only_a, only_b) = pair_samples(&a, &b);
            assert!(only_a.is_empty() && only_b.is_empty());
            // The diff's own steps: each side's inputs in file order, paired by index, tested.
            let mut p_values = Vec::new();
            for metric in ["acc", "f1"] {
                let in_a = metric_inputs(&a, metric, Aggregation::Mean).unwrap();
                let in_b = metric_inputs(&b, metric, Aggregation::Mean).unwrap();
                let (pa, pb): (Vec<_>, Vec<_>) = pairs
                    .iter()
                    .map(|&(i, j)| (in_a[i].clone(), in_b[j].clone()))
                    .unzip();
                let (comparison, _test) = paired_comparison(Aggregation::Mean, &pa, &pb);
                p_values.push(comparison.p_value);
            }
            paired::holm(&p_values)
        })
    });
    group.finish();
}

criterion_group!(benches, diff_1m);
criterion_main!(benches);
