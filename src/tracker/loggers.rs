//! The five loggers of lighteval's `info_loggers.py`: general config, details, metrics, versions
//! and task configs. Each holds what was logged and renders its section of the results file.

use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::IndexMap;
use xxhash_rust::xxh64::xxh64;

use super::{TaskDeclaration, TrackerError};
use crate::model::{Json, Map};
use crate::stats::{Aggregation, AggregationError, CorpusInput, StderrConvention, parallel_map};

/// xxHash64 (seed 0) of the UTF-8 text, as 16 lowercase hex digits: lighteval's
/// `xxhash.xxh64(text).hexdigest()`.
pub fn hash_hex(text: &str) -> String {
    format!("{:016x}", xxh64(text.as_bytes(), 0))
}

/// Python's `str()` of a JSON-like value: `[1, 2, 3]`, `[[5, 6], [7]]`, `[]`, `None`, `'text'`.
pub fn python_str(value: &Json) -> String {
    let mut out = String::new();
    write_python(&mut out, value);
    out
}

fn write_python(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("None"),
        Json::Bool(true) => out.push_str("True"),
        Json::Bool(false) => out.push_str("False"),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::BigInt(digits) => out.push_str(digits),
        Json::Float(f) if f.is_nan() => out.push_str("nan"),
        Json::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "inf" } else { "-inf" }),
        Json::Float(f) => crate::model::pyjson::write_float(
            out,
            *f,
            crate::model::pyjson::NonFinite::PythonTokens,
        ),
        Json::Str(s) => {
            // repr(str): single quotes unless the text has a single quote and no double quote.
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            out.push(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        out.push_str(&format!("\\x{:02x}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python(out, item);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python(out, &Json::Str(key.clone()));
                out.push_str(": ");
                write_python(out, item);
            }
            out.push('}');
        }
    }
}

/// Seconds since the Unix epoch. lighteval records `time.perf_counter()`, whose origin is
/// arbitrary; only differences mean anything, and an epoch time also tells when.
fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `config_general`.
#[derive(Debug, Clone)]
pub struct GeneralConfigLogger {
    pub lighteval_sha: String,
    pub num_fewshot_seeds: i64,
    pub max_samples: Option<i64>,
    pub job_id: String,
    pub start_time: f64,
    pub end_time: Option<f64>,
    pub model_config: Map,
    pub model_name: String,
    /// Written only when it is not lighteval's, so default files keep lighteval's keys.
    pub stderr_convention: StderrConvention,
}

impl Default for GeneralConfigLogger {
    fn default() -> Self {
        GeneralConfigLogger {
            lighteval_sha: "?".into(),
            num_fewshot_seeds: 1,
            max_samples: None,
            job_id: "0".into(),
            start_time: now_seconds(),
            end_time: None,
            model_config: Map::new(),
            model_name: String::new(),
            stderr_convention: StderrConvention::Lighteval,
        }
    }
}

impl GeneralConfigLogger {
    pub fn log_args_info(
        &mut self,
        num_fewshot_seeds: i64,
        max_samples: Option<i64>,
        job_id: &str,
        tool_commit: Option<&str>,
    ) {
        self.num_fewshot_seeds = num_fewshot_seeds;
        self.max_samples = max_samples;
        self.job_id = job_id.to_owned();
        self.lighteval_sha = tool_commit.unwrap_or("?").to_owned();
    }

    pub fn log_model_info(&mut self, model_name: &str, model_config: Map) {
        self.model_name = model_name.to_owned();
        self.model_config = model_config;
    }

    pub fn log_end_time(&mut self) {
        self.end_time = Some(now_seconds());
    }

    pub fn to_json(&self) -> Map {
        let mut map = Map::new();
        map.insert("lighteval_sha".into(), self.lighteval_sha.as_str().into());
        map.insert(
            "num_fewshot_seeds".into(),
            Json::Int(self.num_fewshot_seeds),
        );
        map.insert(
            "max_samples".into(),
            self.max_samples.map_or(Json::Null, Json::Int),
        );
        map.insert("job_id".into(), self.job_id.as_str().into());
        map.insert("start_time".into(), Json::Float(self.start_time));
        map.insert(
            "end_time".into(),
            self.end_time.map_or(Json::Null, Json::Float),
        );
        let total = self.end_time.map_or(Json::Null, |end| {
            let mut text = String::new();
            crate::model::pyjson::write_float(
                &mut text,
                end - self.start_time,
                crate::model::pyjson::NonFinite::PythonTokens,
            );
            Json::Str(text)
        });
        map.insert("total_evaluation_time_secondes".into(), total);
        let mut model_config = self.model_config.clone();
        model_config
            .entry("model_name".into())
            .or_insert_with(|| self.model_name.as_str().into());
        map.insert("model_config".into(), Json::Object(model_config));
        map.insert("model_name".into(), self.model_name.as_str().into());
        if self.stderr_convention != StderrConvention::Lighteval {
            map.insert(
                "evaldeck_stderr_convention".into(),
                self.stderr_convention.name().into(),
            );
        }
        map
    }
}

/// One task's logged samples.
#[derive(Debug, Clone, Default)]
pub struct TaskDetails {
    /// `{doc, metric, model_response}` per sample, in log order, as compact JSON text: a tenth of
    /// the memory of the parsed tree, and what the details writer streams from.
    pub rows: Vec<String>,
    /// Column types of the rows, learnt as they are logged.
    pub schema: crate::store::RowSchema,
    example_hashes: Vec<String>,
    full_prompt_hashes: Vec<String>,
    input_token_hashes: Vec<String>,
    cont_token_hashes: Vec<String>,
    truncated: u64,
    padded: u64,
}

/// Per-sample details and their hashes, per task.
#[derive(Debug, Clone, Default)]
pub struct DetailsLogger {
    pub tasks: IndexMap<String, TaskDetails>,
}

impl TaskDetails {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `index`, parsed.
    pub fn row(&self, index: usize) -> Option<Map> {
        match crate::model::pyjson::parse(self.rows.get(index)?) {
            Ok(Json::Object(map)) => Some(map),
            _ => None,
        }
    }
}

/// Compact JSON that keeps `NaN` / `Infinity` as Python writes them, so rows parse back unchanged.
const ROW_TEXT: crate::model::pyjson::WriteOptions = crate::model::pyjson::WriteOptions {
    indent: None,
    non_finite: crate::model::pyjson::NonFinite::PythonTokens,
};

impl DetailsLogger {
    /// Logs one sample. Hashes as lighteval: the query; `str()` of the input and output tokens;
    /// lighteval ≥ 0.11 never hashes a full prompt (its compiled hash is that of "").
    pub fn log(&mut self, task: &str, doc: Map, model_response: Map, metric: Map) {
        if !self.tasks.contains_key(task) {
            self.tasks.insert(task.to_owned(), TaskDetails::default());
        }
        let details = self.tasks.get_mut(task).expect("inserted above");
        let query = doc.get("query").and_then(Json::as_str).unwrap_or("");
        let empty = Json::Array(Vec::new());
        let tokens = |key: &str| {
            python_str(
                model_response
                    .get(key)
                    .filter(|v| !v.is_null())
                    .unwrap_or(&empty),
            )
        };
        details.example_hashes.push(hash_hex(query));
        details.full_prompt_hashes.push(String::new());
        details
            .input_token_hashes
            .push(hash_hex(&tokens("input_tokens")));
        details
            .cont_token_hashes
            .push(hash_hex(&tokens("output_tokens")));
        let positive = |key: &str| {
            model_response
                .get(key)
                .and_then(Json::as_i64)
                .is_some_and(|n| n > 0)
        };
        details.truncated += u64::from(positive("truncated_tokens_count"));
        details.padded += u64::from(positive("padded_tokens_count"));
        let (doc, metric, model_response) = (
            Json::Object(doc),
            Json::Object(metric),
            Json::Object(model_response),
        );
        details.schema.add_columns(&[
            ("doc", &doc),
            ("metric", &metric),
            ("model_response", &model_response),
        ]);
        let mut row = String::with_capacity(256);
        row.push_str("{\"doc\":");
        crate::model::pyjson::write_value(&mut row, &doc, ROW_TEXT, 0);
        row.push_str(",\"metric\":");
        crate::model::pyjson::write_value(&mut row, &metric, ROW_TEXT, 0);
        row.push_str(",\"model_response\":");
        crate::model::pyjson::write_value(&mut row, &model_response, ROW_TEXT, 0);
        row.push('}');
        row.shrink_to_fit();
        details.rows.push(row);
    }

    /// `summary_tasks` (per task, in log order) and `summary_general`.
    pub fn aggregate(&self) -> (Map, Map) {
        let compile = |hashes: &[String]| {
            let mut sorted: Vec<&str> = hashes.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            hash_hex(&sorted.concat())
        };
        let mut summary_tasks = Map::new();
        let (mut truncated, mut padded, mut samples) = (0, 0, 0);
        for (task, details) in &self.tasks {
            let hashes = [
                ("hash_examples", compile(&details.example_hashes)),
                ("hash_full_prompts", compile(&details.full_prompt_hashes)),
                ("hash_input_tokens", compile(&details.input_token_hashes)),
                ("hash_cont_tokens", compile(&details.cont_token_hashes)),
            ];
            let n = details.rows.len() as u64;
            summary_tasks.insert(
                task.clone(),
                Json::Object(summary(&hashes, details.truncated, details.padded, n)),
            );
            truncated += details.truncated;
            padded += details.padded;
            samples += n;
        }
        // Over all tasks: the per-task hashes concatenated in task-name order, hashed again.
        let mut names: Vec<&String> = summary_tasks.keys().collect();
        names.sort();
        let general_hash = |key: &str| {
            let joined: String = names
                .iter()
                .filter_map(|t| {
                    summary_tasks[*t]
                        .get("hashes")
                        .and_then(|h| h.get(key))
                        .and_then(Json::as_str)
                })
                .collect();
            hash_hex(&joined)
        };
        let hashes = [
            "hash_examples",
            "hash_full_prompts",
            "hash_input_tokens",
            "hash_cont_tokens",
        ]
        .map(|k| (k, general_hash(k)));
        let general = summary(&hashes, truncated, padded, samples);
        (summary_tasks, general)
    }
}

fn summary(hashes: &[(&str, String); 4], truncated: u64, padded: u64, samples: u64) -> Map {
    let mut hash_map = Map::new();
    for (key, value) in hashes {
        hash_map.insert((*key).into(), value.as_str().into());
    }
    let mut map = Map::new();
    map.insert("hashes".into(), Json::Object(hash_map));
    map.insert("truncated".into(), Json::Int(truncated as i64));
    map.insert(
        "non_truncated".into(),
        Json::Int((samples - truncated) as i64),
    );
    map.insert("padded".into(), Json::Int(padded as i64));
    map.insert("non_padded".into(), Json::Int((samples - padded) as i64));
    map
}

/// What becomes of one metric: aggregated from its per-sample inputs, or kept from a stored run.
#[derive(Debug, Clone)]
pub enum MetricValues {
    Computed {
        aggregation: Aggregation,
        inputs: Vec<CorpusInput>,
    },
    /// Not recomputed: the stored run's value and stderr stay, for this reason.
    Kept { reason: String },
}

/// Per-sample metric values, per task and metric, in first-seen order. Values are checked
/// against their aggregation when logged, and kept as small typed inputs, not JSON.
#[derive(Debug, Clone, Default)]
pub struct MetricsLogger {
    pub values: IndexMap<String, IndexMap<String, MetricValues>>,
}

impl MetricsLogger {
    pub fn log(
        &mut self,
        task: &str,
        metrics: &Map,
        declaration: Option<&TaskDeclaration>,
    ) -> Result<(), TrackerError> {
        if !self.values.contains_key(task) {
            self.values.insert(task.to_owned(), IndexMap::new());
        }
        let task_values = self.values.get_mut(task).expect("inserted above");
        let error = |metric: &str, source| TrackerError::Metric {
            task: task.to_owned(),
            metric: metric.to_owned(),
            source,
        };
        let stored = |metric: &str| declaration.and_then(|d| d.stored.get(metric));
        let new_values = |metric: &str| -> Result<MetricValues, TrackerError> {
            let uncomputed = declaration.and_then(|d| d.uncomputed.get(metric));
            match uncomputed {
                Some(u) if stored(metric).is_some() => Ok(MetricValues::Kept {
                    reason: u.reason.clone(),
                }),
                Some(u) => {
                    let unknown = AggregationError::Unknown(u.corpus_level_fn.clone());
                    Err(error(metric, unknown))
                }
                None => Ok(MetricValues::Computed {
                    aggregation: declaration
                        .map_or(Ok(Aggregation::Mean), |d| d.aggregation(metric))?,
                    inputs: Vec::new(),
                }),
            }
        };
        if task_values.is_empty()
            && let Some(declaration) = declaration
        {
            // A stored run's metrics keep the order of its results, not the details' sorted
            // columns.
            for metric in declaration.stored.keys() {
                if metrics.contains_key(metric) {
                    task_values.insert(metric.clone(), new_values(metric)?);
                }
            }
        }
        for (metric, value) in metrics {
            if !task_values.contains_key(metric) {
                task_values.insert(metric.clone(), new_values(metric)?);
            }
            let values = task_values.get_mut(metric).expect("inserted above");
            let MetricValues::Computed {
                aggregation,
                inputs,
            } = values
            else {
                continue;
            };
            match aggregation.input(inputs.len(), value) {
                Ok(input) => inputs.push(input),
                // A stored run whose details lack what the aggregation needs keeps its value.
                Err(source) if stored(metric).is_some() => {
                    *values = MetricValues::Kept {
                        reason: source.to_string(),
                    };
                }
                Err(source) => return Err(error(metric, source)),
            }
        }
        Ok(())
    }

    /// The metrics kept from a stored run rather than recomputed: `(task, metric, why)`.
    pub fn kept(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.values.iter().flat_map(|(task, metrics)| {
            metrics
                .iter()
                .filter_map(move |(metric, values)| match values {
                    MetricValues::Kept { reason } => {
                        Some((task.as_str(), metric.as_str(), reason.as_str()))
                    }
                    MetricValues::Computed { .. } => None,
                })
        })
    }

    /// The `results` section: each task's metrics aggregated with their stderr, then the
    /// `suite:_average|k` rows, then `all` — as lighteval's `MetricsLogger.aggregate`. A kept
    /// metric takes its stored value and stderr from `declarations`.
    pub fn aggregate(
        &self,
        bootstrap_iters: usize,
        convention: StderrConvention,
        declarations: &IndexMap<String, TaskDeclaration>,
    ) -> Map {
        // Standard errors are independent per (task, metric); the bootstraps run on every core.
        let jobs: Vec<&MetricValues> = self
            .values
            .values()
            .flat_map(|metrics| metrics.values())
            .collect();
        let stderrs = parallel_map(&jobs, |values| match values {
            MetricValues::Computed {
                aggregation,
                inputs,
            } if bootstrap_iters > 0 && inputs.len() > 1 => {
                Some(aggregation.stderr(inputs, bootstrap_iters, convention))
            }
            _ => None,
        });
        let mut stderrs = stderrs.into_iter();
        let mut results = Map::new();
        for (task, metrics) in &self.values {
            let mut row = Map::new();
            for (metric, values) in metrics {
                let stderr = stderrs.next().flatten();
                let MetricValues::Computed {
                    aggregation,
                    inputs,
                } = values
                else {
                    let stored = declarations
                        .get(task)
                        .and_then(|d| d.stored.get(metric))
                        .expect("a metric is only kept when a stored value exists");
                    row.insert(metric.clone(), stored.value.clone());
                    if let Some(stderr) = &stored.stderr {
                        row.insert(format!("{metric}_stderr"), stderr.clone());
                    }
                    continue;
                };
                let all: Vec<usize> = (0..inputs.len()).collect();
                row.insert(
                    metric.clone(),
                    Json::Float(aggregation.compute(inputs, &all)),
                );
                if let Some(stderr) = stderr {
                    row.insert(format!("{metric}_stderr"), Json::Float(stderr));
                }
            }
            results.insert(task.clone(), Json::Object(row));
        }
        let all = mean_row(results.values().filter_map(Json::as_object));
        for (name, row) in average_rows(&results) {
            results.insert(name, Json::Object(row));
        }
        results.insert("all".into(), Json::Object(all));
        results
    }
}

/// For every key of every row: the sum over the rows that have it, over their number.
fn mean_row<'a>(rows: impl Iterator<Item = &'a Map>) -> Map {
    let mut sums: IndexMap<String, (f64, usize)> = IndexMap::new();
    for row in rows {
        for (key, value) in row {
            let entry = sums.entry(key.clone()).or_insert((0.0, 0));
            entry.0 += value.as_f64().unwrap_or(f64::NAN);
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(k, (sum, n))| (k, Json::Float(sum / n as f64)))
        .collect()
}

/// `suite:_average|k` rows: tasks grouped by the part before `:` and their few-shot count; a
/// group of more than one task gets the mean of the first subtask's keys over its subtasks.
fn average_rows(results: &Map) -> Vec<(String, Map)> {
    let mut groups: IndexMap<String, Vec<&Map>> = IndexMap::new();
    for (task, row) in results {
        let Some((name, fewshot)) = task.rsplit_once('|') else {
            continue;
        };
        let suite = name.split(':').next().unwrap_or(name);
        let Some(row) = row.as_object() else { continue };
        groups
            .entry(format!("{suite}:_average|{fewshot}"))
            .or_default()
            .push(row);
    }
    groups
        .into_iter()
        .filter(|(_, rows)| rows.len() > 1)
        .map(|(name, rows)| {
            let row = rows[0]
                .keys()
                .map(|key| {
                    let sum: f64 = rows
                        .iter()
                        .map(|r| r.get(key).and_then(Json::as_f64).unwrap_or(f64::NAN))
                        .sum();
                    (key.clone(), Json::Float(sum / rows.len() as f64))
                })
                .collect();
            (name, row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_str_of_token_lists() {
        let tokens = crate::model::pyjson::parse("[[5, 6], [7]]").unwrap();
        assert_eq!(python_str(&tokens), "[[5, 6], [7]]");
        assert_eq!(python_str(&Json::Array(vec![])), "[]");
        assert_eq!(
            python_str(&crate::model::pyjson::parse("[1, 2, 3]").unwrap()),
            "[1, 2, 3]"
        );
        assert_eq!(python_str(&Json::Str("it's".into())), "\"it's\"");
        assert_eq!(python_str(&Json::Null), "None");
    }

    #[test]
    fn hash_of_empty_text_is_lighteval_s() {
        assert_eq!(hash_hex(""), "ef46db3751d8e999");
    }
}
