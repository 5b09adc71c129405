//! The results file (`results_<date_id>.json`): a borrowed, typed view over the JSON document, which
//! is kept whole so that writing it back loses nothing.

use super::json::{Json, Map};
use super::task::{TaskConfig, TaskKey};

/// Why a JSON document is not a lighteval results file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("the top level is {0}, expected an object")]
    NotAnObject(&'static str),
    #[error("there is no `results` key, so this is not a lighteval results file")]
    NoResults,
    #[error("`{key}` is {found}, expected an object")]
    WrongType { key: String, found: &'static str },
}

/// One `results_<date_id>.json`. Top-level keys: `config_general`, `results`, `versions`,
/// `config_tasks`, `summary_tasks`, `summary_general` (others are kept too).
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsFile {
    /// Always a `Json::Object`; kept as `Json` so it can be written without a copy.
    root: Json,
}

/// The metric values of one row of `results`: `metric` and `metric_stderr` keys, in file order.
#[derive(Debug, Clone, Copy)]
pub struct ResultsRow<'a> {
    pub task: &'a str,
    pub values: &'a Map,
}

/// One metric of a results row with its standard error, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue<'a> {
    pub metric: &'a str,
    /// `None` when the stored value is not a number (kept as is in the file).
    pub value: Option<f64>,
    pub stderr: Option<f64>,
}

impl<'a> ResultsRow<'a> {
    pub fn key(&self) -> TaskKey {
        TaskKey::new(self.task)
    }

    /// The metrics of this row, each paired with its `<metric>_stderr` key, in file order.
    pub fn metrics(&self) -> Vec<MetricValue<'a>> {
        self.values
            .iter()
            .filter(|(name, _)| {
                // `x_stderr` is the stderr of `x` only when `x` exists; a metric may end in `_stderr`.
                name.strip_suffix("_stderr")
                    .is_none_or(|base| !self.values.contains_key(base))
            })
            .map(|(name, value)| MetricValue {
                metric: name,
                value: value.as_f64(),
                stderr: self
                    .values
                    .get(&format!("{name}_stderr"))
                    .and_then(Json::as_f64),
            })
            .collect()
    }
}

/// The section evaldeck adds to the results it builds from other harnesses' logs: which harness,
/// which rows are derived (lm-eval's groups), and each task's sample count. It is never written
/// into a lighteval file.
pub const HARNESS_SECTION: &str = "evaldeck_harness";

/// The [`HARNESS_SECTION`] for `harness`. `sample_metrics` is task → results metric →
/// `{"key": per-sample score name, "filter": the lines it is on}` (see
/// [`ResultsFile::sample_metric`]).
pub fn harness_section(
    harness: &str,
    derived: &[String],
    sample_counts: Map,
    sample_metrics: Map,
) -> Json {
    let mut section = Map::new();
    section.insert("name".into(), Json::from(harness));
    section.insert(
        "derived_tasks".into(),
        Json::Array(derived.iter().map(|t| Json::from(t.as_str())).collect()),
    );
    section.insert("sample_counts".into(), Json::Object(sample_counts));
    section.insert("sample_metrics".into(), Json::Object(sample_metrics));
    Json::Object(section)
}

/// A row's place in a harness's task tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeNode<'a> {
    /// 0 at the top level.
    pub depth: usize,
    /// The top-level group it sits under (itself at the top).
    pub root: &'a str,
    /// What a table prints: lm-eval's `alias` without its indentation, and without the start it
    /// shares with its group's.
    pub label: &'a str,
    /// The harness's own display name (lm-eval's `alias`, without its indentation).
    pub alias: &'a str,
}

/// Where a results metric's per-sample values are, in another harness's samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleMetric {
    /// The per-sample score's name (an Inspect scorer, an lm-eval metric without its filter).
    pub key: String,
    /// Only the rows of this lm-eval filter (`doc.specific.filter`) carry it.
    pub filter: Option<String>,
}

impl ResultsFile {
    /// The harness that wrote the run: `lighteval` unless the results were built from another's log.
    pub fn harness(&self) -> &str {
        self.section(HARNESS_SECTION)
            .and_then(|h| h.get("name"))
            .and_then(Json::as_str)
            .unwrap_or("lighteval")
    }

    /// Whether a row is computed from other rows: lighteval's `_average` and `all` rows, and the
    /// groups of other harnesses.
    pub fn is_derived(&self, task: &str) -> bool {
        TaskKey::new(task).is_derived()
            || self
                .section(HARNESS_SECTION)
                .and_then(|h| h.get("derived_tasks"))
                .and_then(Json::as_array)
                .is_some_and(|tasks| tasks.iter().any(|t| t.as_str() == Some(task)))
    }

    /// Every results metric of `task` whose per-sample values another harness names otherwise:
    /// Inspect's `accuracy` is its scorer's per-sample value; lm-eval's `exact_match,strict-match`
    /// is `exact_match` on the `strict-match` lines. Empty for lighteval.
    pub fn sample_metrics(&self, task: &str) -> Vec<(String, SampleMetric)> {
        let Some(metrics) = self
            .section(HARNESS_SECTION)
            .and_then(|h| h.get("sample_metrics"))
            .and_then(|m| m.get(task))
            .and_then(Json::as_object)
        else {
            return Vec::new();
        };
        metrics
            .iter()
            .filter_map(|(metric, source)| {
                Some((
                    metric.clone(),
                    SampleMetric {
                        key: source.get("key")?.as_str()?.to_owned(),
                        filter: source
                            .get("filter")
                            .and_then(Json::as_str)
                            .map(str::to_owned),
                    },
                ))
            })
            .collect()
    }

    /// Whether higher is better for a metric of another harness: lm-eval's `higher_is_better`
    /// (by the metric's name before its filter), Inspect's `accuracy` and `mean`. `None` for
    /// lighteval (its task configs say) and for what the harness does not say.
    pub fn harness_higher_is_better(&self, task: &str, metric: &str) -> Option<bool> {
        let base = metric.split_once(',').map_or(metric, |(m, _)| m);
        let base = base.rsplit('/').next().unwrap_or(base);
        match self.harness() {
            "lm-eval" => self
                .section("config_tasks")?
                .get(task)?
                .get("higher_is_better")?
                .get(base)?
                .as_bool(),
            "inspect" => matches!(base, "accuracy" | "mean").then_some(true),
            _ => None,
        }
    }

    /// Where a row sits in a harness's task tree (lm-eval's groups), when the harness has one.
    pub fn tree_node<'a>(&'a self, task: &'a str) -> Option<TreeNode<'a>> {
        let node = self.section(HARNESS_SECTION)?.get("tree")?.get(task)?;
        Some(TreeNode {
            depth: node
                .get("depth")
                .and_then(Json::as_i64)
                .and_then(|d| usize::try_from(d).ok())
                .unwrap_or(0),
            root: node.get("root").and_then(Json::as_str).unwrap_or(task),
            label: node.get("label").and_then(Json::as_str).unwrap_or(task),
            alias: node.get("alias").and_then(Json::as_str).unwrap_or(task),
        })
    }

    /// Whether the rows follow a harness's task tree, in its order (lm-eval), rather than
    /// lighteval's sorted table.
    pub fn has_tree(&self) -> bool {
        self.section(HARNESS_SECTION)
            .is_some_and(|h| h.contains_key("tree"))
    }

    /// The name a table prints for a row: lm-eval's indented alias (`  - formal_logic`) under a
    /// tree, the task key otherwise.
    pub fn display_name(&self, task: &str) -> String {
        match self.tree_node(task) {
            Some(node) if node.depth > 0 => {
                format!("{}- {}", " ".repeat(node.depth), node.label)
            }
            Some(node) => node.label.to_owned(),
            None => task.to_owned(),
        }
    }

    /// The row and metric the harness declares as the run's one number (Inspect's headline
    /// metric), when it declares one.
    pub fn declared_headline(&self) -> Option<(&str, &str)> {
        let headline = self.section(HARNESS_SECTION)?.get("headline")?;
        Some((
            headline.get("task")?.as_str()?,
            headline.get("metric")?.as_str()?,
        ))
    }

    /// Why a task has no samples, in the log's own words where it has them: a cancelled or
    /// failed Inspect log keeps its status and error.
    pub fn why_no_samples(&self, task: &str) -> String {
        let config = self
            .section("config_tasks")
            .and_then(|c| c.get(task))
            .and_then(Json::as_object);
        let status = config
            .and_then(|c| c.get("status"))
            .and_then(Json::as_str)
            .filter(|s| *s != "success");
        let error = config
            .and_then(|c| c.get("error"))
            .and_then(|e| e.get("message").or(Some(e)))
            .and_then(Json::as_str)
            .map(|m| crate::text::one_line(m.lines().next().unwrap_or("").trim(), 120));
        match (status, error) {
            (Some(status), Some(error)) => {
                format!("{task} has no samples: the log's status is `{status}` ({error})")
            }
            (Some(status), None) => {
                format!("{task} has no samples: the log's status is `{status}`")
            }
            (None, Some(error)) => format!("{task} has no samples ({error})"),
            (None, None) => format!("{task} has no samples in this file"),
        }
    }

    /// A task's sample count as the harness recorded it in the results (not lighteval's, which
    /// records none).
    pub fn sample_count(&self, task: &str) -> Option<i64> {
        self.section(HARNESS_SECTION)?
            .get("sample_counts")?
            .get(task)?
            .as_i64()
    }

    /// Checks the shape of a parsed document: an object with a `results` object of objects.
    pub fn from_json(json: Json) -> Result<Self, ShapeError> {
        let Json::Object(root) = &json else {
            return Err(ShapeError::NotAnObject(json.kind()));
        };
        let results = root.get("results").ok_or(ShapeError::NoResults)?;
        let rows = results.as_object().ok_or(ShapeError::WrongType {
            key: "results".into(),
            found: results.kind(),
        })?;
        for (task, row) in rows {
            if row.as_object().is_none() {
                return Err(ShapeError::WrongType {
                    key: format!("results.{task}"),
                    found: row.kind(),
                });
            }
        }
        for key in [
            "config_general",
            "versions",
            "config_tasks",
            "summary_tasks",
            "summary_general",
        ] {
            if let Some(value) = root
                .get(key)
                .filter(|v| v.as_object().is_none() && !v.is_null())
            {
                return Err(ShapeError::WrongType {
                    key: key.into(),
                    found: value.kind(),
                });
            }
        }
        Ok(ResultsFile { root: json })
    }

    pub fn as_json(&self) -> &Json {
        &self.root
    }

    pub fn as_map(&self) -> &Map {
        self.root.as_object().expect("checked in from_json")
    }

    pub fn into_json(self) -> Json {
        self.root
    }

    fn section(&self, key: &str) -> Option<&Map> {
        self.as_map().get(key).and_then(Json::as_object)
    }

    pub fn general(&self) -> GeneralConfig<'_> {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        GeneralConfig {
            raw: self
                .section("config_general")
                .unwrap_or_else(|| EMPTY.get_or_init(Map::new)),
        }
    }

    /// Rows of `results` in file order, derived rows included.
    pub fn rows(&self) -> impl Iterator<Item = ResultsRow<'_>> {
        self.section("results")
            .into_iter()
            .flatten()
            .filter_map(|(task, values)| {
                values.as_object().map(|values| ResultsRow { task, values })
            })
    }

    pub fn row(&self, task: &str) -> Option<ResultsRow<'_>> {
        self.rows().find(|row| row.task == task)
    }

    /// Task keys of measured rows (not `_average`, not `all`), in file order.
    pub fn measured_tasks(&self) -> Vec<TaskKey> {
        self.rows()
            .filter(|r| !self.is_derived(r.task))
            .map(|r| r.key())
            .collect()
    }

    /// The `config_tasks` entry for a results key: keyed `quiz:geo|0` (≥ 0.11) or, in older files,
    /// without the few-shot part (`custom|quiz:geo`).
    pub fn task_config(&self, task: &str) -> Option<TaskConfig<'_>> {
        let configs = self.section("config_tasks")?;
        let key = TaskKey::new(task);
        configs
            .get(task)
            .or_else(|| configs.get(key.without_fewshot()))
            .and_then(Json::as_object)
            .map(TaskConfig::new)
    }

    /// A task's version: `versions[task]` in older files, `config_tasks[task].version` in 0.13.
    pub fn task_version(&self, task: &str) -> Option<i64> {
        self.section("versions")
            .and_then(|v| v.get(task))
            .and_then(Json::as_i64)
            .or_else(|| self.task_config(task).and_then(|c| c.version()))
    }

    /// A task's version as written: an int in lighteval's files, a float or a string in other
    /// harnesses' (lm-eval's `1.0`, `"1.0"`).
    pub fn task_version_value(&self, task: &str) -> Option<&Json> {
        self.section("versions")
            .and_then(|v| v.get(task))
            .filter(|v| !v.is_null())
            .or_else(|| {
                self.section("config_tasks")?
                    .get(task)?
                    .get("version")
                    .filter(|v| !v.is_null())
            })
    }

    /// A task's version as text: lighteval's ints as they are, lm-eval's `3.0` and `"1.0"` as
    /// Python prints them.
    pub fn task_version_text(&self, task: &str) -> Option<String> {
        match self.task_version_value(task)? {
            Json::Str(text) => Some(text.clone()),
            Json::Float(f) => {
                let mut out = String::new();
                super::pyjson::write_float(&mut out, *f, super::pyjson::NonFinite::PythonTokens);
                Some(out)
            }
            other => other.as_i64().map(|v| v.to_string()),
        }
    }

    /// The compiled details (`summary_tasks[task]`).
    pub fn task_summary(&self, task: &str) -> Option<CompiledSummary<'_>> {
        self.section("summary_tasks")?
            .get(task)?
            .as_object()
            .map(CompiledSummary::new)
    }

    /// Compiled details over all tasks (`summary_general`).
    pub fn general_summary(&self) -> Option<CompiledSummary<'_>> {
        self.section("summary_general").map(CompiledSummary::new)
    }
}

/// A borrowed view of `config_general`, for both the 0.11+ shape (`model_config`) and the older
/// flat one (`model_sha`, `model_dtype`, `model_size`, `generation_parameters`).
#[derive(Debug, Clone, Copy)]
pub struct GeneralConfig<'a> {
    raw: &'a Map,
}

impl<'a> GeneralConfig<'a> {
    pub fn raw(&self) -> &'a Map {
        self.raw
    }

    fn string(&self, key: &str) -> Option<&'a str> {
        self.raw.get(key).and_then(Json::as_str)
    }

    pub fn model_name(&self) -> Option<&'a str> {
        self.string("model_name").or_else(|| {
            self.model_config()
                .and_then(|m| m.get("model_name"))
                .and_then(Json::as_str)
        })
    }

    pub fn lighteval_sha(&self) -> Option<&'a str> {
        self.string("lighteval_sha")
    }

    pub fn num_fewshot_seeds(&self) -> Option<i64> {
        self.raw.get("num_fewshot_seeds").and_then(Json::as_i64)
    }

    pub fn max_samples(&self) -> Option<i64> {
        self.raw.get("max_samples").and_then(Json::as_i64)
    }

    /// `job_id` is the string `"0"` in 0.13 and the integer `0` before.
    pub fn job_id(&self) -> Option<String> {
        match self.raw.get("job_id")? {
            Json::Str(s) => Some(s.clone()),
            Json::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }

    pub fn start_time(&self) -> Option<f64> {
        self.raw.get("start_time").and_then(Json::as_f64)
    }

    pub fn end_time(&self) -> Option<f64> {
        self.raw.get("end_time").and_then(Json::as_f64)
    }

    /// lighteval's spelling; a string holding seconds.
    pub fn total_evaluation_time_secs(&self) -> Option<f64> {
        match self.raw.get("total_evaluation_time_secondes")? {
            Json::Str(s) => s.parse().ok(),
            other => other.as_f64(),
        }
    }

    pub fn model_config(&self) -> Option<&'a Map> {
        self.raw.get("model_config").and_then(Json::as_object)
    }

    /// Generation parameters from `model_config` (≥ 0.11) or the top level (older files).
    pub fn generation_parameters(&self) -> Option<&'a Map> {
        self.model_config()
            .and_then(|m| m.get("generation_parameters"))
            .or_else(|| self.raw.get("generation_parameters"))
            .and_then(Json::as_object)
    }

    /// Which convention the bootstrap standard errors follow: `lighteval` (the standard deviation
    /// of the replicates over √replicates, what lighteval writes) unless evaldeck saved the run
    /// with `standard` and recorded it in `evaldeck_stderr_convention`. A name this evaldeck
    /// does not know is read as lighteval's, the convention every other writer follows.
    pub fn stderr_convention(&self) -> super::StderrConvention {
        self.raw
            .get("evaldeck_stderr_convention")
            .and_then(Json::as_str)
            .and_then(super::StderrConvention::parse)
            .unwrap_or_default()
    }

    /// Fields of the pre-0.11 shape: `model_sha`, `model_dtype`, `model_size`, `override_batch_size`.
    pub fn legacy_model_field(&self, key: &str) -> Option<&'a Json> {
        self.raw.get(key)
    }
}

/// The four compiled hashes of a task or of the whole run (16 lowercase hex digits each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompiledHashes {
    pub hash_examples: String,
    pub hash_full_prompts: String,
    pub hash_input_tokens: String,
    pub hash_cont_tokens: String,
}

/// A borrowed view of a `summary_tasks` entry or of `summary_general`: hashes and truncation /
/// padding counts (older files add `effective_few_shots`, `num_truncated_few_shots`).
#[derive(Debug, Clone, Copy)]
pub struct CompiledSummary<'a> {
    raw: &'a Map,
}

impl<'a> CompiledSummary<'a> {
    pub fn new(raw: &'a Map) -> Self {
        CompiledSummary { raw }
    }

    pub fn raw(&self) -> &'a Map {
        self.raw
    }

    pub fn hashes(&self) -> CompiledHashes {
        let hashes = self.raw.get("hashes");
        let get = |k: &str| {
            hashes
                .and_then(|h| h.get(k))
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_owned()
        };
        CompiledHashes {
            hash_examples: get("hash_examples"),
            hash_full_prompts: get("hash_full_prompts"),
            hash_input_tokens: get("hash_input_tokens"),
            hash_cont_tokens: get("hash_cont_tokens"),
        }
    }

    pub fn count(&self, key: &str) -> Option<i64> {
        self.raw.get(key).and_then(Json::as_i64)
    }
}
