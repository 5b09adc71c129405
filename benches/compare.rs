//! Speed targets of `compare` (numbers in the closing note and CHANGELOG):
//! - 40 runs × 60 tasks, from sources to the matrix of stored values (the Compare screen's first
//!   frame): under 100 ms; it reads the results files alone;
//! - the paired tests of 40 runs × 60 tasks × 250 samples: under 1 s;
//! - the agreement grid of 20 runs on one task.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::compare::{self, CompareOptions};
use evaldeck::model::{Json, Map, ResultsFile};
use evaldeck::store::{self, Run};

const RUNS: usize = 40;
const TASKS: usize = 60;
const SAMPLES: usize = 250;

/// `RUNS` runs of one model, each of `TASKS` tasks of `SAMPLES` samples whose scores differ from
/// run to run (each run its own seed), as checkpoints of one training run would.
fn runs() -> Vec<Run> {
    let many = support::data_dir().join(format!("runs-{RUNS}x{TASKS}x{SAMPLES}"));
    if !many.exists() {
        for r in 0..RUNS {
            let date = format!("2026-01-{:02}T00-00-00.000000", r + 1);
            let details = many.join(format!("details/org/bench-model/{date}"));
            std::fs::create_dir_all(&details).unwrap();
            let mut results = Map::new();
            for t in 0..TASKS {
                let key = format!("suite:task{t:02}|0");
                let generated = support::nested_details_of(
                    &format!("suite:task{t:02}"),
                    (r * TASKS + t) as u64 + 1,
                    &format!("compare-{r}-{t}.parquet"),
                    SAMPLES,
                    20,
                );
                std::fs::rename(
                    &generated,
                    details.join(format!("details_{key}_{date}.parquet")),
                )
                .unwrap();
                let mut row = Map::new();
                row.insert("acc".into(), Json::Float(0.5));
                row.insert("acc_stderr".into(), Json::Float(0.03));
                results.insert(key, Json::Object(row));
            }
            let mut general = Map::new();
            general.insert("model_name".into(), "org/bench-model".into());
            let mut root = Map::new();
            root.insert("config_general".into(), Json::Object(general));
            root.insert("results".into(), Json::Object(results));
            let results = ResultsFile::from_json(Json::Object(root)).unwrap();
            let path = many.join(format!("results/org/bench-model/results_{date}.json"));
            store::write_results(&path, &results).unwrap();
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
        b.iter(|| {
            let sides = compare::sides(&runs, &options).unwrap();
            compare::values(&sides, &options).rows.len()
        })
    });
    group.sample_size(10);
    group.bench_function("paired_tests_250_samples", |b| {
        b.iter(|| compare::compare(&runs, &options).unwrap().rows.len())
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
