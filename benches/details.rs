//! Speed targets of the foundation (numbers in the closing note / CHANGELOG, never in tests):
//! - opening a 60-task run (footers only) and printing `show`: under 20 ms;
//! - decoding a task's list columns: at least 200 MB/s of Parquet on one core;
//! - `samples --format jsonl` of a 250,000-row task: 10× faster than pyarrow + json.dumps
//!   (`benches/python_samples_jsonl.py` times the Python side on the same file).

mod support;

use clap::Parser;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evaldeck::cli::{self, Cli};
use evaldeck::store;

fn open_and_show(c: &mut Criterion) {
    let dir = support::run_of_tasks(60, 2_000);
    let source = dir.to_str().unwrap().to_owned();
    c.bench_function("open_run_60_tasks_footers_and_show", |b| {
        b.iter(|| {
            let catalog = store::discover(&dir).unwrap();
            let run = catalog.select(None, None).unwrap().run;
            let footers = run.open_all_details().unwrap();
            assert_eq!(footers.len(), 60);
            let mut out = Vec::with_capacity(16 << 10);
            let args = Cli::parse_from(["evaldeck", "show", &source]);
            cli::run(args, &mut out, &mut std::io::sink()).unwrap();
            out
        })
    });
}

fn decode(c: &mut Criterion) {
    let path = support::nested_details("decode-100k.parquet", 100_000, 80);
    let file = store::DetailsFile::open(&path).unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group("decode_100k_rows");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    let columns = ["doc.query", "model_response.text", "metric"];
    group.bench_function("arrow_list_columns", |b| {
        b.iter(|| {
            let mut rows = 0;
            for batch in file.batches(Some(&columns), 4096).unwrap() {
                rows += batch.unwrap().num_rows();
            }
            rows
        })
    });
    group.bench_function("to_details_all_columns", |b| {
        b.iter(|| {
            file.details(4096)
                .unwrap()
                .map(|batch| batch.unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn samples_jsonl(c: &mut Criterion) {
    let dir = support::data_dir().join("samples-250k");
    let date = "2026-01-01T00-00-00.000000";
    let details = dir.join(format!("details/org/m/{date}"));
    let target = details.join(format!("details_bench:task|0_{date}.parquet"));
    if !target.exists() {
        std::fs::create_dir_all(&details).unwrap();
        let generated = support::nested_details("samples-250k.parquet", 250_000, 80);
        std::fs::copy(generated, &target).unwrap();
    }
    let source = dir.to_str().unwrap().to_owned();
    let mut group = c.benchmark_group("samples_jsonl");
    group.sample_size(10);
    group.throughput(Throughput::Elements(250_000));
    group.bench_function("250k_rows_to_sink", |b| {
        b.iter(|| {
            let args = Cli::parse_from(["evaldeck", "samples", &source, "--task", "bench:task|0"]);
            cli::run(args, &mut std::io::sink(), &mut std::io::sink()).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, open_and_show, decode, samples_jsonl);
criterion_main!(benches);
