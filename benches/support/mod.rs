//! Generators for benchmark inputs: large details files in lighteval ≥ 0.11's nested layout and
//! a 60-task run. Written under `target/bench-data/` (never committed) and reused between runs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_array::builder::{Float64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, Float64Array, Int64Array, StructArray};
use arrow_schema::Field;
use evaldeck::model::{Json, Map, ResultsFile};
use evaldeck::store;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

pub fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tiny deterministic generator, so every machine benchmarks the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

const WORDS: &[&str] = &[
    "the",
    "model",
    "answer",
    "question",
    "which",
    "of",
    "following",
    "is",
    "correct",
    "capital",
    "France",
    "energy",
    "photosynthesis",
    "because",
    "number",
    "river",
    "longest",
    "planet",
    "why",
    "how",
    "many",
    "protein",
    "algorithm",
    "sorting",
    "history",
    "empire",
    "treaty",
    "signed",
    "year",
    "température",
    "東京",
    "数学",
    "Ελληνικά",
    "🙂",
    "and",
    "or",
    "not",
    "with",
    "without",
    "between",
];

fn sentence(rng: &mut Lcg, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[(rng.next() as usize) % WORDS.len()]);
    }
    out
}

/// Writes (once) a nested details file of `rows` samples: a query of `query_words` words, four
/// choices with their logprobs, one generation, and three metrics. Snappy, as pyarrow writes.
pub fn nested_details(name: &str, rows: usize, query_words: usize) -> PathBuf {
    nested_details_of("bench:task", 42, name, rows, query_words)
}

/// [`nested_details`] of a named task (its rows' `doc.task_name`), from its own seed.
pub fn nested_details_of(
    task_name: &str,
    seed: u64,
    name: &str,
    rows: usize,
    query_words: usize,
) -> PathBuf {
    let path = data_dir().join(name);
    if path.exists() {
        return path;
    }
    let mut rng = Lcg(seed);
    let temp = path.with_extension("tmp");
    let file = std::fs::File::create(&temp).unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer: Option<ArrowWriter<std::fs::File>> = None;
    let chunk = 10_000;
    let mut start = 0;
    while start < rows {
        let n = chunk.min(rows - start);
        let batch = nested_batch(&mut rng, task_name, start, n, query_words);
        let w = writer.get_or_insert_with(|| {
            ArrowWriter::try_new(
                file.try_clone().unwrap(),
                batch.schema(),
                Some(props.clone()),
            )
            .unwrap()
        });
        w.write(&batch).unwrap();
        start += n;
    }
    writer.unwrap().close().unwrap();
    std::fs::rename(&temp, &path).unwrap();
    path
}

fn nested_batch(
    rng: &mut Lcg,
    task_name: &str,
    start: usize,
    n: usize,
    query_words: usize,
) -> RecordBatch {
    let mut query = StringBuilder::new();
    let mut id = StringBuilder::new();
    let mut task = StringBuilder::new();
    let mut choices = ListBuilder::new(StringBuilder::new());
    let mut gold = Vec::with_capacity(n);
    let mut text = ListBuilder::new(StringBuilder::new());
    let mut logprobs = ListBuilder::new(Float64Builder::new());
    let (mut acc, mut em, mut f1) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        query.append_value(sentence(rng, query_words));
        id.append_value((start + i).to_string());
        task.append_value(task_name);
        for _ in 0..4 {
            choices.values().append_value(sentence(rng, 3));
            logprobs
                .values()
                .append_value(-((rng.next() % 10_000) as f64) / 1000.0);
        }
        choices.append(true);
        logprobs.append(true);
        text.values().append_value(sentence(rng, 6));
        text.append(true);
        gold.push((rng.next() % 4) as i64);
        acc.push((rng.next() % 2) as i64);
        em.push((rng.next() % 2) as i64);
        f1.push((rng.next() % 1000) as f64 / 1000.0);
    }
    let strukt = |fields: Vec<(&str, ArrayRef)>| -> ArrayRef {
        Arc::new(StructArray::from(
            fields
                .into_iter()
                .map(|(name, array)| {
                    (
                        Arc::new(Field::new(name, array.data_type().clone(), true)),
                        array,
                    )
                })
                .collect::<Vec<_>>(),
        ))
    };
    let doc = strukt(vec![
        ("choices", Arc::new(choices.finish()) as ArrayRef),
        ("gold_index", Arc::new(Int64Array::from(gold))),
        ("id", Arc::new(id.finish())),
        ("query", Arc::new(query.finish())),
        ("task_name", Arc::new(task.finish())),
    ]);
    let response = strukt(vec![
        ("logprobs", Arc::new(logprobs.finish()) as ArrayRef),
        (
            "padded_tokens_count",
            Arc::new(Int64Array::from(vec![0; n])),
        ),
        ("text", Arc::new(text.finish())),
        (
            "truncated_tokens_count",
            Arc::new(Int64Array::from(vec![0; n])),
        ),
    ]);
    let metric = strukt(vec![
        ("acc", Arc::new(Int64Array::from(acc)) as ArrayRef),
        ("em", Arc::new(Int64Array::from(em))),
        ("f1", Arc::new(Float64Array::from(f1))),
    ]);
    RecordBatch::try_from_iter(vec![
        ("doc", doc),
        ("metric", metric),
        ("model_response", response),
    ])
    .unwrap()
}

/// Writes (once) an output folder with one run of `tasks` tasks of `rows` samples each, and its
/// results file, in lighteval's layout. Returns the output folder.
pub fn run_of_tasks(tasks: usize, rows: usize) -> PathBuf {
    let out = data_dir().join(format!("run-{tasks}x{rows}"));
    let date = "2026-01-01T00-00-00.000000";
    let results_path = out.join(format!("results/org/bench-model/results_{date}.json"));
    if results_path.exists() {
        return out;
    }
    let details_dir = out.join(format!("details/org/bench-model/{date}"));
    std::fs::create_dir_all(&details_dir).unwrap();
    let shared = nested_details(&format!("shared-{rows}.parquet"), rows, 60);
    let mut results = Map::new();
    let mut config_tasks = Map::new();
    for t in 0..tasks {
        let key = format!("suite:task{t:02}|0");
        std::fs::copy(
            &shared,
            details_dir.join(format!("details_{key}_{date}.parquet")),
        )
        .unwrap();
        let mut row = Map::new();
        for metric in ["acc", "em", "f1"] {
            row.insert(metric.into(), Json::Float(0.5 + t as f64 / 1000.0));
            row.insert(format!("{metric}_stderr"), Json::Float(0.01));
        }
        results.insert(key.clone(), Json::Object(row));
        let mut config = Map::new();
        config.insert("name".into(), Json::Str(format!("suite:task{t:02}")));
        config.insert("version".into(), Json::Int(0));
        config_tasks.insert(key, Json::Object(config));
    }
    let mut all = Map::new();
    all.insert("acc".into(), Json::Float(0.5));
    results.insert("all".into(), Json::Object(all));
    let mut general = Map::new();
    general.insert("model_name".into(), "org/bench-model".into());
    let mut root = Map::new();
    root.insert("config_general".into(), Json::Object(general));
    root.insert("results".into(), Json::Object(results));
    root.insert("versions".into(), Json::Object(Map::new()));
    root.insert("config_tasks".into(), Json::Object(config_tasks));
    let results = ResultsFile::from_json(Json::Object(root)).unwrap();
    store::write_results(&results_path, &results).unwrap();
    out
}

/// Writes (once) an output folder with one run of one task `suite:big|0` of `rows` samples (its
/// rows name the task, so they read as that task's), and its results file. Returns the folder.
pub fn run_of_one_task(rows: usize, query_words: usize) -> PathBuf {
    let out = data_dir().join(format!("run-one-task-{rows}"));
    let date = "2026-01-01T00-00-00.000000";
    let results_path = out.join(format!("results/org/bench-model/results_{date}.json"));
    if results_path.exists() {
        return out;
    }
    let details_dir = out.join(format!("details/org/bench-model/{date}"));
    std::fs::create_dir_all(&details_dir).unwrap();
    let generated = nested_details_of(
        "suite:big",
        7,
        &format!("one-task-{rows}.parquet"),
        rows,
        query_words,
    );
    std::fs::rename(
        &generated,
        details_dir.join(format!("details_suite:big|0_{date}.parquet")),
    )
    .unwrap();
    write_acc_results(&results_path, &["suite:big|0".to_owned()]);
    out
}

/// Writes a results file of `org/bench-model` whose `tasks` each hold `acc` 0.5 ± 0.03.
pub fn write_acc_results(path: &Path, tasks: &[String]) {
    let mut results = Map::new();
    for task in tasks {
        let mut row = Map::new();
        row.insert("acc".into(), Json::Float(0.5));
        row.insert("acc_stderr".into(), Json::Float(0.03));
        results.insert(task.clone(), Json::Object(row));
    }
    let mut general = Map::new();
    general.insert("model_name".into(), "org/bench-model".into());
    let mut root = Map::new();
    root.insert("config_general".into(), Json::Object(general));
    root.insert("results".into(), Json::Object(results));
    let results = ResultsFile::from_json(Json::Object(root)).unwrap();
    store::write_results(path, &results).unwrap();
}
