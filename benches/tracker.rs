//! Tracker speed targets (numbers in the closing note):
//! - aggregate 10,000 samples of a corpus metric with 1,000 bootstrap resamples: under 50 ms
//!   (lighteval's `MetricsLogger.aggregate`: 16 s for MCC, 26 s binary F1, 64 s macro F1);
//! - track and save 1,000,000 samples: under 10 s and 1 GB (measured on the CLI with
//!   `/usr/bin/time`, on the file `tracking_file` writes; see the note).

mod support;

use std::io::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::model::{Json, Map};
use evaldeck::stats::{Aggregation, CorpusInput, StderrConvention};
use evaldeck::tracker::{EvaluationTracker, TaskDeclaration, TrackerOptions};

fn labels(n: usize, classes: i64) -> Vec<CorpusInput> {
    (0..n as i64)
        .map(|i| CorpusInput::Label {
            gold: (i * 7 + i / 3) % classes,
            pred: (i * 5 + i / 11) % classes,
        })
        .collect()
}

fn aggregate_corpus_metrics(c: &mut Criterion) {
    let mut group = c.benchmark_group("aggregate_10k_samples_1000_bootstrap");
    group.sample_size(10);
    for (name, aggregation, classes) in [
        ("mcc", Aggregation::Mcc, 2),
        (
            "f1_binary",
            Aggregation::F1 {
                average: None,
                num_classes: 2,
            },
            2,
        ),
        (
            "f1_macro_3_classes",
            Aggregation::F1 {
                average: Some(evaldeck::stats::F1Average::Macro),
                num_classes: 3,
            },
            3,
        ),
    ] {
        let inputs = labels(10_000, classes);
        group.bench_function(name, |b| {
            b.iter(|| {
                let all: Vec<usize> = (0..inputs.len()).collect();
                let value = aggregation.compute(&inputs, &all);
                let stderr = aggregation.stderr(&inputs, 1000, StderrConvention::Lighteval);
                (value, stderr)
            })
        });
    }
    // The whole path, through the tracker's metrics logger.
    group.bench_function("tracker_results_mcc", |b| {
        let mut tracker = EvaluationTracker::new(TrackerOptions::new("unused")).unwrap();
        tracker.general.log_model_info("m", Map::new());
        tracker
            .declare_task(
                TaskDeclaration::new("t|0")
                    .with_aggregation("mcc", "MatthewsCorrCoef()")
                    .unwrap(),
            )
            .unwrap();
        for i in 0..10_000i64 {
            let mut value = Map::new();
            value.insert("golds".into(), Json::Array(vec![Json::Int(i % 2)]));
            value.insert("preds".into(), Json::Int((i / 3) % 2));
            let mut metric = Map::new();
            metric.insert("mcc".into(), Json::Object(value));
            tracker.log("t|0", Map::new(), Map::new(), metric).unwrap();
        }
        b.iter(|| tracker.results().unwrap())
    });
    group.finish();
}

/// Writes (once) a tracking file of a million samples for the CLI measurement.
pub fn tracking_file() -> std::path::PathBuf {
    let path = support::data_dir().join("track-1m.jsonl");
    if path.exists() {
        return path;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        out,
        r#"{{"type":"run","model_name":"org/bench","model_config":{{"seed":1}}}}"#
    )
    .unwrap();
    for t in 0..4 {
        writeln!(out, r#"{{"type":"task","name":"bench:t{t}|0","aggregations":{{"acc":"mean","mcc":"MatthewsCorrCoef()"}}}}"#).unwrap();
    }
    for i in 0..1_000_000u64 {
        let t = i % 4;
        writeln!(
            out,
            r#"{{"task":"bench:t{t}|0","doc":{{"id":"{i}","query":"Question {i}: which of the following is the right answer to this question?","choices":[" alpha"," beta"," gamma"," delta"],"gold_index":{g}}},"model_response":{{"logprobs":[-1.5,-0.25,-3.0,-2.0],"input_tokens":[],"output_tokens":[]}},"metric":{{"acc":{a},"mcc":{{"golds":[{g}],"preds":1}}}}}}"#,
            g = i % 4,
            a = u64::from(i % 4 == 1),
        )
        .unwrap();
    }
    path
}

fn write_tracking_file(c: &mut Criterion) {
    // Not timed: makes sure the file for the CLI measurement exists after `cargo bench`.
    let path = tracking_file();
    c.bench_function("tracking_file_exists", |b| b.iter(|| path.exists()));
}

criterion_group!(benches, aggregate_corpus_metrics, write_tracking_file);
criterion_main!(benches);
