//! Speed targets of the Inspect and lm-eval readers (numbers in the closing note and CHANGELOG):
//! - opening an Inspect log of 10,000 samples and printing `show`: under 20 ms, and at least 50×
//!   faster than Inspect's own `read_eval_log(header_only=True)`;
//! - the first screen of its samples: under 100 ms;
//! - `samples --format jsonl` of a 250,000-line lm-eval samples file: at least 10× faster than
//!   Python's `json.loads` per line, with flat memory.
//!
//! The files are generated under `target/bench-data/`; `benches/python_harness_logs.py` times the
//! harnesses' Python readers on the same files.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evaldeck::cli::{self, Cli};
use evaldeck::source::log_formats;
use evaldeck::store;

const INSPECT_SAMPLES: usize = 10_000;
const LM_EVAL_LINES: usize = 250_000;
const LM_EVAL_DATE: &str = "2026-01-01T00-00-00.000000";

/// A tiny deterministic generator, so every machine benchmarks the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn words(&mut self, n: usize) -> String {
        const WORDS: [&str; 12] = [
            "the",
            "model",
            "answer",
            "question",
            "river",
            "capital",
            "number",
            "prime",
            "océan",
            "東京",
            "because",
            "therefore",
        ];
        (0..n)
            .map(|_| WORDS[(self.next() % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An Inspect `.eval` archive as Inspect 0.3.x writes it: zstd members, `header.json` last,
/// one `samples/<id>_epoch_1.json` per sample with messages, output, scores and events.
fn inspect_log() -> PathBuf {
    let path = support::data_dir().join(format!("inspect-{INSPECT_SAMPLES}.eval"));
    if path.exists() {
        return path;
    }
    let mut rng = Lcg(7);
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Zstd);
    let ids: Vec<String> = (0..INSPECT_SAMPLES).map(|i| format!("s-{i:05}")).collect();
    let eval = serde_json::json!({
        "eval_id": "bench", "run_id": "BenchRun0000", "created": "2026-01-01T00:00:00+00:00",
        "task": "bench_mc", "task_id": "bench", "task_version": 0, "model": "bench/model",
        "dataset": {"name": "bench", "samples": INSPECT_SAMPLES, "sample_ids": ids, "shuffled": false},
        "config": {"epochs": 1}, "packages": {"inspect_ai": "0.3.285"},
        "scorers": [{"name": "choice", "options": {}, "metrics": []}],
    });
    let start =
        serde_json::json!({"version": 2, "eval": eval, "plan": {"name": "plan", "steps": []}});
    zip.start_file("_journal/start.json", options).unwrap();
    zip.write_all(start.to_string().as_bytes()).unwrap();
    let mut summaries = Vec::new();
    let mut correct = 0usize;
    for id in &ids {
        let value = if rng.next().is_multiple_of(4) {
            "I"
        } else {
            "C"
        };
        correct += usize::from(value == "C");
        let input = rng.words(40);
        let completion = format!(
            "ANSWER: {}",
            ["A", "B", "C", "D"][(rng.next() % 4) as usize]
        );
        let category = ["math", "science", "geography"][(rng.next() % 3) as usize];
        // Span events, shaped as Inspect writes them (its reader validates every event).
        let events: Vec<serde_json::Value> = (0..6)
            .map(|i| {
                serde_json::json!({
                    "uuid": format!("u{i}"), "span_id": "s", "timestamp": "2026-01-01T00:00:00+00:00",
                    "working_start": 0.0, "event": if i % 2 == 0 { "span_begin" } else { "span_end" },
                    "id": format!("span-{}", i / 2), "type": "solver", "name": rng.words(30),
                })
            })
            .collect();
        let sample = serde_json::json!({
            "id": id, "epoch": 1, "input": input,
            "choices": [rng.words(3), rng.words(3), rng.words(3), rng.words(3)], "target": "B",
            "messages": [{"role": "user", "content": input}, {"role": "assistant", "content": completion}],
            "output": {"model": "bench/model", "completion": completion,
                       "choices": [{"message": {"role": "assistant", "content": completion}, "stop_reason": "stop"}],
                       "usage": {"input_tokens": 60, "output_tokens": 2, "total_tokens": 62}},
            "scores": {"choice": {"value": value, "answer": "B", "explanation": completion}},
            "metadata": {"category": category},
            "events": events,
        });
        zip.start_file(format!("samples/{id}_epoch_1.json"), options)
            .unwrap();
        zip.write_all(sample.to_string().as_bytes()).unwrap();
        summaries.push(serde_json::json!({"id": id, "epoch": 1, "scores": sample["scores"]}));
    }
    zip.start_file("summaries.json", options).unwrap();
    zip.write_all(serde_json::Value::Array(summaries).to_string().as_bytes())
        .unwrap();
    let accuracy = correct as f64 / INSPECT_SAMPLES as f64;
    let header = serde_json::json!({
        "version": 2, "status": "success", "eval": start["eval"], "plan": start["plan"],
        "results": {"total_samples": INSPECT_SAMPLES, "completed_samples": INSPECT_SAMPLES,
            "scores": [{"name": "choice", "scorer": "choice", "scored_samples": INSPECT_SAMPLES,
                "metrics": {"accuracy": {"name": "accuracy", "value": accuracy, "params": {}},
                            "stderr": {"name": "stderr", "value": 0.004, "params": {}}}}]},
        "stats": {"started_at": "2026-01-01T00:00:00+00:00", "completed_at": "2026-01-01T01:00:00+00:00"},
    });
    zip.start_file("header.json", options).unwrap();
    zip.write_all(header.to_string().as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

/// An lm-eval run folder with a results file and one samples file of `LM_EVAL_LINES` lines,
/// shaped as lm-eval 0.4 writes multiple-choice samples.
fn lm_eval_run() -> PathBuf {
    let dir = support::data_dir().join("lm-eval-250k/org__model");
    let samples = dir.join(format!("samples_bench_mc_{LM_EVAL_DATE}.jsonl"));
    if samples.exists() {
        return dir.parent().unwrap().to_owned();
    }
    std::fs::create_dir_all(&dir).unwrap();
    let results = serde_json::json!({
        "results": {"bench_mc": {"alias": "bench_mc", "acc,none": 0.5, "acc_stderr,none": 0.001}},
        "group_subtasks": {}, "configs": {}, "versions": {"bench_mc": 1.0}, "n-shot": {"bench_mc": 0},
        "n-samples": {"bench_mc": {"original": LM_EVAL_LINES, "effective": LM_EVAL_LINES}},
        "model_name": "org/model", "lm_eval_version": "0.4.13",
    });
    std::fs::write(
        dir.join(format!("results_{LM_EVAL_DATE}.json")),
        serde_json::to_string_pretty(&results).unwrap(),
    )
    .unwrap();
    let mut rng = Lcg(11);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&samples).unwrap());
    for doc_id in 0..LM_EVAL_LINES {
        let question = rng.words(20);
        let context = format!("Question: {question}\nAnswer:");
        let choices: Vec<String> = (0..4).map(|_| format!(" {}", rng.words(2))).collect();
        let arguments: serde_json::Map<String, serde_json::Value> = choices
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    format!("gen_args_{i}"),
                    serde_json::json!({"arg_0": context, "arg_1": c}),
                )
            })
            .collect();
        let resps: Vec<serde_json::Value> = (0..4)
            .map(|_| serde_json::json!([[format!("-{}.{}", rng.next() % 9, rng.next()), "False"]]))
            .collect();
        let filtered: Vec<serde_json::Value> = resps.iter().map(|r| r[0].clone()).collect();
        let acc = (rng.next() % 2) as f64;
        let line = serde_json::json!({
            "doc_id": doc_id, "doc": {"question": question, "choices": choices, "label": 1},
            "target": "1", "arguments": arguments, "resps": resps, "filtered_resps": filtered,
            "filter": "none", "metrics": ["acc", "acc_norm"],
            "doc_hash": format!("{:064x}", rng.next()), "prompt_hash": format!("{:064x}", rng.next()),
            "target_hash": format!("{:064x}", rng.next()), "acc": acc, "acc_norm": acc,
        });
        writeln!(out, "{line}").unwrap();
    }
    out.flush().unwrap();
    dir.parent().unwrap().to_owned()
}

fn inspect(c: &mut Criterion) {
    let log = inspect_log();
    let source = log.to_str().unwrap().to_owned();
    let mut group = c.benchmark_group("inspect_10k_samples");
    group.bench_function("open_and_show", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(4 << 10);
            let args = Cli::parse_from(["evaldeck", "show", &source]);
            cli::run(args, &mut out, &mut std::io::sink()).unwrap();
            out
        })
    });
    // What opening costs before any JSON is read: the zip crate's parse of the archive's
    // central directory (10,004 entries).
    group.bench_function("zip_central_directory_only", |b| {
        b.iter(|| {
            let file = std::io::BufReader::new(std::fs::File::open(&log).unwrap());
            zip::ZipArchive::new(file).unwrap().len()
        })
    });
    let open_task = |log: &Path| {
        let catalog = store::discover_with(log, &log_formats()).unwrap();
        let run = catalog.runs().next().unwrap().clone();
        run.open_details("bench_mc").unwrap()
    };
    group.bench_function("first_screen_of_samples", |b| {
        b.iter(|| {
            let file = open_task(&log);
            file.list_details(64)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .len()
        })
    });
    group.sample_size(10);
    group.bench_function("every_sample", |b| {
        b.iter(|| {
            let file = open_task(&log);
            file.list_details(1024)
                .unwrap()
                .map(|batch| batch.unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn lm_eval(c: &mut Criterion) {
    let dir = lm_eval_run();
    let source = dir.to_str().unwrap().to_owned();
    let mut group = c.benchmark_group("lm_eval_250k_lines");
    group.sample_size(10);
    group.throughput(Throughput::Elements(LM_EVAL_LINES as u64));
    group.bench_function("samples_jsonl_to_sink", |b| {
        b.iter(|| {
            let args = Cli::parse_from(["evaldeck", "samples", &source, "--task", "bench_mc"]);
            cli::run(args, &mut std::io::sink(), &mut std::io::sink()).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, inspect, lm_eval);
criterion_main!(benches);
