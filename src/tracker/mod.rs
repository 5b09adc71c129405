//! lighteval's `EvaluationTracker` in Rust: log samples, aggregate metrics with their standard
//! errors, hash prompts, and save the run in lighteval's layout, byte for byte at home with the
//! files lighteval writes.
//!
//! ```no_run
//! use evaldeck::model::{Json, Map};
//! use evaldeck::tracker::{EvaluationTracker, TaskDeclaration, TrackerOptions};
//!
//! let mut tracker = EvaluationTracker::new(TrackerOptions::new("out"))?;
//! tracker.general.log_model_info("org/my-model", Map::new());
//! tracker.declare_task(TaskDeclaration::new("quiz:geo|0").with_aggregation("acc", "mean")?)?;
//! let mut doc = Map::new();
//! doc.insert("query".into(), "What is the capital of France?".into());
//! let mut metric = Map::new();
//! metric.insert("acc".into(), Json::Int(1));
//! tracker.log("quiz:geo|0", doc, Map::new(), metric)?;
//! let saved = tracker.save()?;
//! println!("{}", saved.results_path.display());
//! # Ok::<(), evaldeck::tracker::TrackerError>(())
//! ```

mod corpus_scores;
mod input;
mod loggers;
mod retrack;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

pub use corpus_scores::{CORPUS_SUFFIX, CorpusScore, corpus_scores, uses_lighteval_layout};
pub use input::{RecordError, Tracked, TrackingSummary, parse_record, track_lines, track_record};
pub use loggers::{
    DetailsLogger, GeneralConfigLogger, MetricValues, MetricsLogger, TaskDetails, hash_hex,
    python_str,
};
pub use retrack::{StoredRunTracked, track_stored_run};

use crate::model::{Detail, Json, Map, ResultsFile};
use crate::publish;
use crate::stats::{Aggregation, AggregationError, StderrConvention};
use crate::store::{self, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error("pushing to the Hub needs hub_results_org (the organisation to push to)")]
    MissingHubOrg,
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
    #[error("results_path_template `{template}`: {reason}")]
    BadTemplate { template: String, reason: String },
    #[error("{what} name `{name}` cannot be used in a path: {reason}")]
    UnsafeName {
        what: &'static str,
        name: String,
        reason: &'static str,
    },
    #[error("task `{0}` is declared twice")]
    DuplicateTask(String),
    #[error("task `{0}` is declared after samples of it were logged; declare tasks first")]
    DeclaredLate(String),
    #[error("task `{task}`, metric `{metric}`: {source}")]
    Metric {
        task: String,
        metric: String,
        source: AggregationError,
    },
    #[error("task `{0}` was declared but no sample was logged for it")]
    EmptyTask(String),
    #[error("nothing to save: no sample was logged")]
    NothingLogged,
    #[error("no model name: log_model_info was not called (or a `run` record gave none)")]
    NoModelName,
    #[error("{}: already exists; a saved run is never overwritten", .0.display())]
    RunExists(PathBuf),
    #[error("{source_name}, line {line}: {problem}")]
    Input {
        source_name: String,
        line: usize,
        problem: RecordError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {message}", path.display())]
    Details { path: PathBuf, message: String },
}

/// Run information of a nanotron-style training job (lighteval's `nanotron_run_info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub run_name: String,
    pub step: u64,
}

/// lighteval's `EvaluationTracker` options. The push options are validated and stored here and
/// carried out by the publishing code.
#[derive(Debug, Clone)]
pub struct TrackerOptions {
    pub output_dir: PathBuf,
    /// `{output_dir}`, `{org}` and `{model}` placeholders; the folder of the results file.
    pub results_path_template: Option<String>,
    pub save_details: bool,
    pub push_to_hub: bool,
    pub push_to_tensorboard: bool,
    pub hub_results_org: Option<String>,
    pub tensorboard_metric_prefix: String,
    pub public: bool,
    pub run_info: Option<RunInfo>,
    pub use_trackio: bool,
    /// Trackio's project; `None` reads `TRACKIO_PROJECT`, then lighteval's `WANDB_PROJECT`.
    pub trackio_project: Option<String>,
    /// Bootstrap resamples for corpus-metric stderrs; 0 computes no stderr at all.
    pub bootstrap_iters: usize,
    pub stderr_convention: StderrConvention,
}

impl TrackerOptions {
    pub fn new(output_dir: impl Into<PathBuf>) -> Self {
        TrackerOptions {
            output_dir: output_dir.into(),
            results_path_template: None,
            save_details: true,
            push_to_hub: false,
            push_to_tensorboard: false,
            hub_results_org: None,
            tensorboard_metric_prefix: "eval".into(),
            public: false,
            run_info: None,
            use_trackio: false,
            trackio_project: None,
            bootstrap_iters: crate::stats::LIGHTEVAL_BOOTSTRAP_ITERS,
            stderr_convention: StderrConvention::Lighteval,
        }
    }

    pub fn validate(&self) -> Result<(), TrackerError> {
        // As in lighteval, the Hub needs an organisation; TensorBoard logs are written locally
        // without one (and uploaded to `{org}/tensorboard_logs` with one).
        if self.push_to_hub && self.hub_results_org.as_deref().is_none_or(str::is_empty) {
            return Err(TrackerError::MissingHubOrg);
        }
        if let Some(org) = &self.hub_results_org {
            crate::publish::check_org(org)?;
        }
        if let Some(template) = &self.results_path_template {
            let mut rest = template.as_str();
            while let Some(open) = rest.find('{') {
                let close = rest[open..]
                    .find('}')
                    .ok_or_else(|| TrackerError::BadTemplate {
                        template: template.clone(),
                        reason: "a `{` is never closed".into(),
                    })?;
                let name = &rest[open + 1..open + close];
                if !matches!(name, "output_dir" | "org" | "model") {
                    return Err(TrackerError::BadTemplate {
                        template: template.clone(),
                        reason: format!(
                            "unknown placeholder `{{{name}}}` (known: {{output_dir}}, {{org}}, {{model}})"
                        ),
                    });
                }
                rest = &rest[open + close + 1..];
            }
        }
        Ok(())
    }
}

/// What evaldeck knows of a task before its samples: its version and how each metric aggregates.
#[derive(Debug, Clone)]
pub struct TaskDeclaration {
    /// The task key, `suite:task|fewshot`.
    pub name: String,
    pub version: i64,
    /// Per metric; a metric not listed is a mean.
    pub aggregations: IndexMap<String, Aggregation>,
    pub higher_is_better: IndexMap<String, bool>,
    /// Anything else of the task's config, kept into `config_tasks`.
    pub extra: Map,
    /// Metrics whose aggregation evaldeck does not compute (a user's own class): the config's
    /// rendering of it, and why it is not computed.
    pub uncomputed: IndexMap<String, Uncomputed>,
    /// When a stored run is tracked again: its stored value of each metric, kept in place of
    /// one that cannot be recomputed (an unknown aggregation, or details that lack its inputs).
    pub stored: IndexMap<String, StoredMetric>,
}

/// A metric whose aggregation evaldeck does not compute.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncomputed {
    /// The config's `corpus_level_fn`, written back unchanged.
    pub corpus_level_fn: String,
    pub reason: String,
}

/// A metric's value and standard error as a stored results file has them.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMetric {
    pub value: Json,
    pub stderr: Option<Json>,
}

impl TaskDeclaration {
    pub fn new(name: &str) -> Self {
        TaskDeclaration {
            name: name.to_owned(),
            version: 0,
            aggregations: IndexMap::new(),
            higher_is_better: IndexMap::new(),
            extra: Map::new(),
            uncomputed: IndexMap::new(),
            stored: IndexMap::new(),
        }
    }

    /// Declares `metric`'s aggregation by lighteval's name for it (`mean`, `MatthewsCorrCoef()`…).
    pub fn with_aggregation(
        mut self,
        metric: &str,
        aggregation: &str,
    ) -> Result<Self, TrackerError> {
        let parsed = Aggregation::parse(aggregation).map_err(|source| TrackerError::Metric {
            task: self.name.clone(),
            metric: metric.to_owned(),
            source,
        })?;
        self.aggregations.insert(metric.to_owned(), parsed);
        Ok(self)
    }

    /// Declares `metric`'s aggregation from a stored config: `corpus_level_fn` as the config
    /// renders it, resolved by the metric's name where the rendering is lighteval ≤ 0.10's bare
    /// `compute`. One evaldeck does not compute is recorded as [`Uncomputed`], to be kept from
    /// the stored results rather than refused.
    pub fn with_stored_aggregation(mut self, metric: &str, corpus_level_fn: &str) -> Self {
        match Aggregation::resolve(corpus_level_fn, metric) {
            Ok(parsed) => {
                self.aggregations.insert(metric.to_owned(), parsed);
            }
            Err(reason) => {
                self.uncomputed.insert(
                    metric.to_owned(),
                    Uncomputed {
                        corpus_level_fn: corpus_level_fn.to_owned(),
                        reason: reason.to_string(),
                    },
                );
            }
        }
        self
    }

    pub fn aggregation(&self, metric: &str) -> Result<Aggregation, TrackerError> {
        Ok(self
            .aggregations
            .get(metric)
            .copied()
            .unwrap_or(Aggregation::Mean))
    }
}

/// Where a run was saved.
#[derive(Debug, Clone)]
pub struct SavedRun {
    pub date_id: String,
    pub results_path: PathBuf,
    pub details_paths: Vec<PathBuf>,
}

/// lighteval's `date_id`: local ISO time with `:` replaced by `-`; like Python's `isoformat`,
/// microseconds are left out when they are zero.
pub fn date_id_now() -> String {
    let now = chrono::Local::now();
    let text = if now.timestamp_subsec_micros() == 0 {
        now.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    };
    text.replace(':', "-")
}

/// Checks that a model name (`org/model`) maps to folders inside `output_dir`.
pub fn check_model_name(name: &str) -> Result<(), TrackerError> {
    match store::model_name_problem(name) {
        Some(reason) => Err(TrackerError::UnsafeName {
            what: "model",
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Checks that a task key can be part of a file name.
pub fn check_task_name(name: &str) -> Result<(), TrackerError> {
    let unsafe_name = |reason| TrackerError::UnsafeName {
        what: "task",
        name: name.to_owned(),
        reason,
    };
    if name.contains('/') {
        return Err(unsafe_name("it contains `/`"));
    }
    if let Some(reason) = store::segment_problem(name) {
        return Err(unsafe_name(reason));
    }
    // details_<task>_<date>.parquet must fit the usual 255-byte limit.
    if name.len() + "details__2026-01-01T00-00-00.000000.parquet".len() > 255 {
        return Err(unsafe_name(
            "the details file name would be longer than 255 bytes",
        ));
    }
    Ok(())
}

/// The tracker: its five loggers and its options.
#[derive(Debug, Clone)]
pub struct EvaluationTracker {
    pub options: TrackerOptions,
    pub general: GeneralConfigLogger,
    pub details: DetailsLogger,
    pub metrics: MetricsLogger,
    /// Task declarations, in declaration order (the versions and task-config loggers).
    pub tasks: IndexMap<String, TaskDeclaration>,
    date_id: String,
}

impl EvaluationTracker {
    pub fn new(options: TrackerOptions) -> Result<Self, TrackerError> {
        options.validate()?;
        let general = GeneralConfigLogger {
            stderr_convention: options.stderr_convention,
            ..Default::default()
        };
        Ok(EvaluationTracker {
            options,
            general,
            details: DetailsLogger::default(),
            metrics: MetricsLogger::default(),
            tasks: IndexMap::new(),
            date_id: date_id_now(),
        })
    }

    pub fn date_id(&self) -> &str {
        &self.date_id
    }

    pub fn declare_task(&mut self, declaration: TaskDeclaration) -> Result<(), TrackerError> {
        check_task_name(&declaration.name)?;
        if self.tasks.contains_key(&declaration.name) {
            return Err(TrackerError::DuplicateTask(declaration.name));
        }
        if self.details.tasks.contains_key(&declaration.name) {
            return Err(TrackerError::DeclaredLate(declaration.name));
        }
        self.tasks.insert(declaration.name.clone(), declaration);
        Ok(())
    }

    /// Logs one sample of `task`: lighteval's `DetailsLogger.log` and `MetricsLogger.log` at once.
    pub fn log(
        &mut self,
        task: &str,
        doc: Map,
        model_response: Map,
        metric: Map,
    ) -> Result<(), TrackerError> {
        if !self.details.tasks.contains_key(task) {
            check_task_name(task)?;
        }
        // Metrics first: a value of the wrong shape is refused before anything is kept.
        self.metrics.log(task, &metric, self.tasks.get(task))?;
        self.details.log(task, doc, model_response, metric);
        Ok(())
    }

    /// One line per metric kept from a stored run rather than recomputed, naming the task, the
    /// metric and why; for the caller to show (the core never prints).
    pub fn warnings(&self) -> Vec<String> {
        self.metrics
            .kept()
            .map(|(task, metric, why)| {
                format!(
                    "task `{task}`, metric `{metric}`: not recomputed ({why}); the stored value \
                     and stderr are kept"
                )
            })
            .collect()
    }

    /// The whole results document, as lighteval's `EvaluationTracker.results`.
    pub fn results(&self) -> Result<ResultsFile, TrackerError> {
        if let Some(empty) = self
            .tasks
            .keys()
            .find(|t| !self.details.tasks.contains_key(*t))
        {
            return Err(TrackerError::EmptyTask(empty.clone()));
        }
        if self.details.tasks.is_empty() {
            return Err(TrackerError::NothingLogged);
        }
        let results = self.metrics.aggregate(
            self.options.bootstrap_iters,
            self.options.stderr_convention,
            &self.tasks,
        );
        let (summary_tasks, summary_general) = self.details.aggregate();
        let mut versions = Map::new();
        let mut config_tasks = Map::new();
        for task in self.details.tasks.keys() {
            let declaration = self
                .tasks
                .get(task)
                .cloned()
                .unwrap_or_else(|| TaskDeclaration::new(task));
            versions.insert(task.clone(), Json::Int(declaration.version));
            config_tasks.insert(task.clone(), Json::Object(self.task_config(&declaration)));
        }
        let mut root = Map::new();
        let mut general = self.general.to_json();
        let mut kept = Map::new();
        for (task, metric, why) in self.metrics.kept() {
            let Json::Object(task_kept) = kept
                .entry(task.to_owned())
                .or_insert_with(|| Json::Object(Map::new()))
            else {
                unreachable!("inserted as an object")
            };
            task_kept.insert(metric.to_owned(), why.into());
        }
        if !kept.is_empty() {
            // Which metrics were kept from the stored run rather than recomputed, and why.
            general.insert("evaldeck_kept_metrics".into(), Json::Object(kept));
        }
        root.insert("config_general".into(), Json::Object(general));
        root.insert("results".into(), Json::Object(results));
        root.insert("versions".into(), Json::Object(versions));
        root.insert("config_tasks".into(), Json::Object(config_tasks));
        root.insert("summary_tasks".into(), Json::Object(summary_tasks));
        root.insert("summary_general".into(), Json::Object(summary_general));
        Ok(ResultsFile::from_json(Json::Object(root)).expect("built with every section"))
    }

    /// The task config written into `config_tasks`: lighteval's fields for what evaldeck knows,
    /// with the doc counts of what was logged (lighteval 0.13 leaves them at -1).
    fn task_config(&self, declaration: &TaskDeclaration) -> Map {
        let key = crate::model::TaskKey::new(declaration.name.as_str());
        let logged = self
            .details
            .tasks
            .get(&declaration.name)
            .map_or(0, |d| d.rows.len()) as i64;
        let metric_names: Vec<&String> = self
            .metrics
            .values
            .get(&declaration.name)
            .map_or_else(Vec::new, |m| m.keys().collect());
        let metrics: Vec<Json> = metric_names
            .iter()
            .map(|name| {
                let mut metric = Map::new();
                metric.insert("metric_name".into(), name.as_str().into());
                if let Some(better) = declaration.higher_is_better.get(*name) {
                    metric.insert("higher_is_better".into(), Json::Bool(*better));
                }
                let rendering = match declaration.uncomputed.get(*name) {
                    Some(uncomputed) => uncomputed.corpus_level_fn.clone(),
                    None => declaration
                        .aggregations
                        .get(*name)
                        .copied()
                        .unwrap_or(Aggregation::Mean)
                        .render(),
                };
                metric.insert("corpus_level_fn".into(), rendering.into());
                Json::Object(metric)
            })
            .collect();
        let mut config = Map::new();
        config.insert("name".into(), key.name().into());
        config.insert("metrics".into(), Json::Array(metrics));
        for (k, v) in &declaration.extra {
            config.entry(k.clone()).or_insert_with(|| v.clone());
        }
        config.insert("original_num_docs".into(), Json::Int(logged));
        config.insert("effective_num_docs".into(), Json::Int(logged));
        if let Some(fewshot) = key.fewshot() {
            config.insert("num_fewshots".into(), Json::Int(i64::from(fewshot)));
        }
        config.insert("version".into(), Json::Int(declaration.version));
        config
    }

    /// lighteval's `generate_final_dict()`: the results document with `|` in every key of its
    /// sections replaced by `:`.
    pub fn generate_final_dict(&self) -> Result<Json, TrackerError> {
        let results = self.results()?.into_json();
        let Json::Object(root) = results else {
            unreachable!("results are an object")
        };
        let root = root
            .into_iter()
            .map(|(section, value)| {
                let value = match value {
                    Json::Object(map) => Json::Object(
                        map.into_iter()
                            .map(|(k, v)| (k.replace('|', ":"), v))
                            .collect(),
                    ),
                    other => other,
                };
                (section, value)
            })
            .collect();
        Ok(Json::Object(root))
    }

    /// The first sample of each task (its generation, input and metrics), as lighteval's
    /// `preview_outputs()` prints; returned as text, since the core never prints.
    pub fn preview_outputs(&self) -> String {
        let mut out = String::new();
        for (task, details) in &self.details.tasks {
            out.push_str(&format!("{task}\n"));
            if let Some(first) = details.row(0) {
                for (label, value) in [
                    (
                        "text",
                        first.get("model_response").and_then(|r| r.get("text")),
                    ),
                    (
                        "input",
                        first.get("model_response").and_then(|r| r.get("input")),
                    ),
                    ("metric", first.get("metric")),
                ] {
                    let text = value.map_or("None".to_owned(), python_str);
                    out.push_str(&format!("  {label}: {text}\n"));
                }
            }
        }
        out
    }

    /// The folder of the results file: `{output_dir}/results/{model}` or the template.
    pub fn results_dir(&self) -> Result<PathBuf, TrackerError> {
        let model = self.general.model_name.trim_matches('/');
        check_model_name(model)?;
        let Some(template) = &self.options.results_path_template else {
            return Ok(self.options.output_dir.join("results").join(model));
        };
        let parts: Vec<&str> = model.split('/').collect();
        let (org, name) = if parts.len() >= 2 {
            (parts[0], parts[1])
        } else {
            ("", parts[0])
        };
        let path = template
            .replace("{output_dir}", &self.options.output_dir.to_string_lossy())
            .replace("{org}", org)
            .replace("{model}", name);
        Ok(PathBuf::from(path))
    }

    /// Writes the run: details files first (into a hidden folder renamed into place), then the
    /// results file, each atomically. An existing run is never overwritten.
    pub fn save(&mut self) -> Result<SavedRun, TrackerError> {
        if self.general.model_name.is_empty() {
            return Err(TrackerError::NoModelName);
        }
        if self.general.end_time.is_none() {
            self.general.log_end_time();
        }
        let results = self.results()?;
        let model = self.general.model_name.trim_matches('/').to_owned();
        let date = self.date_id.clone();
        let results_path = self.results_dir()?.join(format!("results_{date}.json"));
        if results_path.exists() {
            return Err(TrackerError::RunExists(results_path));
        }
        let mut details_paths = Vec::new();
        if self.options.save_details {
            let model_dir = self.options.output_dir.join("details").join(&model);
            let final_dir = model_dir.join(&date);
            if final_dir.exists() {
                return Err(TrackerError::RunExists(final_dir));
            }
            std::fs::create_dir_all(&model_dir).map_err(|e| StoreError::Io {
                path: model_dir.clone(),
                source: e,
            })?;
            let staging = tempfile::Builder::new()
                .prefix(&format!(".{date}-"))
                .tempdir_in(&model_dir)
                .map_err(|e| StoreError::Io {
                    path: model_dir.clone(),
                    source: e,
                })?;
            // One file per task, written on every core.
            let tasks: Vec<(&String, &loggers::TaskDetails)> = self.details.tasks.iter().collect();
            let written = crate::stats::parallel_map(&tasks, |(task, details)| {
                let name = format!("details_{task}_{date}.parquet");
                store::write_details_text_with(
                    &staging.path().join(&name),
                    details.schema.clone(),
                    &details.rows,
                )
                .map(|()| final_dir.join(name))
            });
            for path in written {
                details_paths.push(path?);
            }
            let staged = staging.keep();
            std::fs::rename(&staged, &final_dir).map_err(|e| StoreError::Io {
                path: final_dir.clone(),
                source: e,
            })?;
        }
        store::write_results(&results_path, &results)?;
        Ok(SavedRun {
            date_id: date,
            results_path,
            details_paths,
        })
    }
}

impl EvaluationTracker {
    /// What the options ask for after a save, as lighteval's `save` does: push to the Hub, log
    /// to Trackio, write (and upload) TensorBoard logs. The run is already on disk, so a failed
    /// push loses nothing; the failures are in [`publish::Published::errors`].
    pub fn publish(
        &self,
        saved: &SavedRun,
        endpoint: crate::hub::HubEndpoint,
        progress: &mut dyn FnMut(publish::PublishEvent),
    ) -> publish::Published {
        let run = publish::saved_run(
            self.general.model_name.trim_matches('/'),
            &saved.date_id,
            saved.results_path.clone(),
            &saved.details_paths,
        );
        publish::publish_run(&run, &self.publish_options(), endpoint, progress)
    }

    pub fn publish_options(&self) -> publish::PublishOptions {
        let options = &self.options;
        publish::PublishOptions {
            push_to_hub: options.push_to_hub,
            org: options.hub_results_org.clone(),
            public: options.public,
            push_to_tensorboard: options.push_to_tensorboard,
            tensorboard: publish::tensorboard::TensorboardOptions {
                prefix: options.tensorboard_metric_prefix.clone(),
                run_name: options.run_info.as_ref().map(|r| r.run_name.clone()),
                step: options.run_info.as_ref().map_or(0, |r| r.step as i64),
            },
            output_dir: options.output_dir.clone(),
            use_trackio: options.use_trackio,
            trackio_project: options.trackio_project.clone(),
        }
    }
}

/// lighteval's `load_details`: the details of `model`'s run `date_id` (a date id, `first` or
/// `last`) under `output_dir`, for the tasks named (without their few-shot part), keyed by task.
pub fn load_details(
    output_dir: &Path,
    model: &str,
    date_id: &str,
    task_names: &[&str],
) -> Result<IndexMap<String, Vec<Detail>>, TrackerError> {
    check_model_name(model)?;
    let model_dir = output_dir.join("details").join(model.trim_matches('/'));
    let details_error = |message: String| TrackerError::Details {
        path: model_dir.clone(),
        message,
    };
    if !model_dir.is_dir() {
        return Err(details_error("details directory does not exist".into()));
    }
    let mut dates: Vec<String> = std::fs::read_dir(&model_dir)
        .map_err(|e| StoreError::Io {
            path: model_dir.clone(),
            source: e,
        })?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.'))
        .collect();
    dates.sort();
    let date = match date_id {
        "first" => dates.first().cloned(),
        "last" => dates.last().cloned(),
        other => Some(other.to_owned()),
    }
    .ok_or_else(|| details_error("no timestamp folders found".into()))?;
    let catalog = store::discover(&model_dir.join(&date))?;
    let mut loaded = IndexMap::new();
    for run in catalog.runs() {
        for (task, path) in &run.details {
            let key = crate::model::TaskKey::new(task.as_str());
            if !task_names.contains(&key.without_fewshot()) {
                continue;
            }
            let file = store::DetailsFile::open(path)?;
            let mut rows = Vec::new();
            for batch in file.details(4096)? {
                rows.extend(batch?);
            }
            loaded.insert(task.clone(), rows);
        }
    }
    if let Some(missing) = task_names.iter().find(|t| {
        !loaded
            .keys()
            .any(|k| crate::model::TaskKey::new(k.as_str()).without_fewshot() == **t)
    }) {
        return Err(details_error(format!(
            "task {missing} not found in the details of run {date}; check the task names or the date id"
        )));
    }
    Ok(loaded)
}
