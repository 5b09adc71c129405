//! Speed targets of `compare` (numbers in the closing note and CHANGELOG):
//! - 40 runs × 60 tasks, from sources to the matrix of stored values (the Compare screen's first
//!   frame): under 100 ms; it reads the results files alone;
//! - the paired tests of 40 runs × 60 tasks × 250 samples: under 1 s;
//! - the agreement grid of 20 runs on one task.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::compare::{self, CompareOptions};
use evaldeck::store::{self, Run};

const RUNS: usize = 40;
const TASKS: usize = 60;
const SAMPLES: usize = 250;

/// `RUNS` runs of one model, each a copy (hard links) of one generated run under its own date.
fn runs() -> Vec<Run> {
    let one = support::run_of_tasks(TASKS, SAMPLES);
    let many = support::data_dir().join(format!("runs-{RUNS}x{TASKS}x{SAMPLES}"));
    let from_date = "2026-01-01T00-00-00.000000";
    if !many.exists() {
        for r in 0..RUNS {
            let date = format!("2026-01-{:02}T00-00-00.000000", r + 1);
            let results = many.join(format!("results/org/bench-model/results_{date}.json"));
            std::fs::create_dir_all(results.parent().unwrap()).unwrap();
            std::fs::copy(
                one.join(format!("results/org/bench-model/results_{from_date}.json")),
                &results,
            )
            .unwrap();
            let details = many.join(format!("details/org/bench-model/{date}"));
            std::fs::create_dir_all(&details).unwrap();
            let source = one.join(format!("details/org/bench-model/{from_date}"));
            for entry in std::fs::read_dir(&source).unwrap() {
                let path = entry.unwrap().path();
                let name = path
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace(from_date, &date);
                std::fs::hard_link(&path, details.join(name)).unwrap();
            }
        }
    }
    let catalog = store::discover(&many).unwrap();
    let runs: Vec<Run> = catalog.runs().cloned().collect();
    assert_eq!(runs.len(), RUNS);
    runs
}

fn matrix(c: &mut Criterion) {
    let runs = runs();
    let options = CompareOptions::default();
    let mut group = c.benchmark_group("compare_40_runs_60_tasks");
    group.bench_function("values_first_frame", |b| {
        b.iter(|| compare::values(&runs, &options).unwrap().rows.len())
    });
    group.sample_size(10);
    group.bench_function("paired_tests_250_samples", |b| {
        b.iter(|| {
            let mut comparison = compare::values(&runs, &options).unwrap();
            compare::test_against_baseline(&mut comparison, &runs, &options).unwrap();
            comparison.rows.len()
        })
    });
    group.bench_function("agreement_grid_20_runs", |b| {
        b.iter(|| {
            compare::agreement(&runs[..20], 0, "suite:task07|0", None)
                .unwrap()
                .rows
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, matrix);
criterion_main!(benches);
