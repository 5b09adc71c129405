//! Speed targets of `compare` (numbers in the closing note and CHANGELOG):
//! - 40 runs × 60 tasks, from sources to the matrix of stored values (the Compare screen's first
//!   frame): under 100 ms; it reads the results files alone;
//! - the paired tests of 40 runs × 60 tasks × 250 samples: under 1 s;
//! - the agreement grid of 20 runs on one task of 10,000 samples: its first frame (scores) under
//!   200 ms, and the other runs' predictions after.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::compare::{self, CompareOptions};
use evaldeck::store::{self, Run};

const RUNS: usize = 40;
const TASKS: usize = 60;
const SAMPLES: usize = 250;

/// Writes `runs` runs of one model at `dir`, each of `tasks` tasks of `samples` samples.
fn write_runs(dir: &std::path::Path, runs: usize, tasks: usize, samples: usize) {
    for r in 0..runs {
        let date = format!("2026-01-{:02}T00-00-00.000000", r + 1);
        let details = dir.join(format!("details/org/bench-model/{date}"));
        std::fs::create_dir_all(&details).unwrap();
        let keys: Vec<String> = (0..tasks).map(|t| format!("suite:task{t:02}|0")).collect();
        for (t, key) in keys.iter().enumerate() {
            let generated = support::nested_details_of(
                &format!("suite:task{t:02}"),
                (r * tasks + t) as u64 + 1,
                &format!("compare-{runs}-{samples}-{r}-{t}.parquet"),
                samples,
                20,
            );
            std::fs::rename(
                &generated,
                details.join(format!("details_{key}_{date}.parquet")),
            )
            .unwrap();
        }
        let path = dir.join(format!("results/org/bench-model/results_{date}.json"));
        support::write_acc_results(&path, &keys);
    }
}

fn runs_at(runs: usize, tasks: usize, samples: usize) -> Vec<Run> {
    let dir = support::data_dir().join(format!("runs-{runs}x{tasks}x{samples}"));
    if !dir.exists() {
        write_runs(&dir, runs, tasks, samples);
    }
    let catalog = store::discover(&dir).unwrap();
    let found: Vec<Run> = catalog.runs().cloned().collect();
    assert_eq!(found.len(), runs);
    found
}

/// `RUNS` runs of one model, each of `TASKS` tasks of `SAMPLES` samples whose scores differ from
/// run to run (each run its own seed), as checkpoints of one training run would.
fn runs() -> Vec<Run> {
    runs_at(RUNS, TASKS, SAMPLES)
}

fn matrix(c: &mut Criterion) {
    let runs = runs();
    let options = CompareOptions::default();
    let mut group = c.benchmark_group("compare_40_runs_60_tasks");
    group.bench_function("values_first_frame", |b| {
        b.iter(|| {
            let sides = compare::sides(&runs, &options).unwrap();
            compare::values(&sides, &options).rows.len()
        })
    });
    group.sample_size(10);
    group.bench_function("paired_tests_250_samples", |b| {
        b.iter(|| compare::compare(&runs, &options).unwrap().rows.len())
    });
    group.finish();
}

fn grid(c: &mut Criterion) {
    let runs = runs_at(20, 1, 10_000);
    let mut group = c.benchmark_group("agreement_20_runs_10000_samples");
    group.sample_size(10);
    group.bench_function("first_frame_scores", |b| {
        b.iter(|| {
            compare::agreement(&runs, 0, "suite:task00|0", None)
                .unwrap()
                .rows
                .len()
        })
    });
    let scored = compare::agreement(&runs, 0, "suite:task00|0", None).unwrap();
    group.bench_function("then_predictions", |b| {
        b.iter(|| {
            let mut grid = scored.clone();
            compare::add_predictions(&runs, &mut grid).unwrap();
            grid.rows.len()
        })
    });
    group.finish();
}

criterion_group!(benches, matrix, grid);
criterion_main!(benches);
