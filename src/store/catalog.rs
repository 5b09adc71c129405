//! What discovery finds: a [`Catalog`] of models and their [`Run`]s, how a run reads its results
//! and details (fetching a remote run's files through [`RemoteDetails`]), and how a run is
//! chosen ([`RunSelector`]).

use std::path::{Path, PathBuf};

use super::details::DetailsFile;
use super::error::{Result, StoreError};
use super::log::{Harness, LogRun};
use super::remote::{RemoteBytes, RemoteError};
use super::results::read_results;
use crate::model::ResultsFile;

/// What kind of path a source was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Folder,
    ResultsFile,
    DetailsFile,
    /// One log of another harness (an Inspect log, an lm-eval results or samples file).
    LogFile,
}

/// Every run found under a source, grouped by model.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub source: PathBuf,
    pub kind: SourceKind,
    /// Sorted by model name.
    pub models: Vec<ModelRuns>,
    /// Files that looked like runs but could not be read; the runs beside them still open.
    pub unreadable: Vec<String>,
}

/// The runs of one model, oldest first.
#[derive(Debug, Clone)]
pub struct ModelRuns {
    pub name: String,
    pub runs: Vec<Run>,
}

/// One run: a results file and / or a folder of details files sharing a `date_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub model: String,
    pub date_id: String,
    pub results_path: Option<PathBuf>,
    /// `(task key, path)`, sorted by task key. For a run on the Hub, a path is where the file
    /// lands in the download cache, and it exists once fetched.
    pub details: Vec<(String, PathBuf)>,
    /// How to fetch a details file that is not on disk yet (runs opened from the Hub).
    pub remote: Option<RemoteDetails>,
    pub harness: Harness,
    /// The reader of a run of another harness; `details` then names each task's log file.
    pub log: Option<LogRun>,
}

/// Brings one file to its expected path, or says why it could not.
type FetchFn = dyn Fn(&Path) -> std::result::Result<(), RemoteError> + Send + Sync;
/// Reads one file where it is, by range (by its expected path), or says why it could not.
type RangesFn = dyn Fn(&Path) -> std::result::Result<std::sync::Arc<dyn RemoteBytes>, RemoteError>
    + Send
    + Sync;

/// How a run's remote details files are read: a Hub source's details come down only when a task
/// is opened, by range when the source can (only the pages read), whole otherwise, and whole
/// for what needs whole files (copying, pushing).
#[derive(Clone)]
pub struct RemoteDetails {
    fetch: std::sync::Arc<FetchFn>,
    ranges: Option<std::sync::Arc<RangesFn>>,
}

impl RemoteDetails {
    pub fn new(
        fetch: impl Fn(&Path) -> std::result::Result<(), RemoteError> + Send + Sync + 'static,
    ) -> Self {
        RemoteDetails {
            fetch: std::sync::Arc::new(fetch),
            ranges: None,
        }
    }

    /// Reads details files by range through `open` instead of fetching them whole.
    pub fn with_ranges(
        mut self,
        open: impl Fn(&Path) -> std::result::Result<std::sync::Arc<dyn RemoteBytes>, RemoteError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.ranges = Some(std::sync::Arc::new(open));
        self
    }
}

impl std::fmt::Debug for RemoteDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RemoteDetails")
    }
}

impl PartialEq for RemoteDetails {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.fetch, &other.fetch)
    }
}

impl Eq for RemoteDetails {}

/// Which run of a model: by `date_id`, or the oldest / newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunSelector {
    First,
    Last,
    Date(String),
}

impl std::str::FromStr for RunSelector {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s {
            "first" => RunSelector::First,
            "last" | "latest" => RunSelector::Last,
            date => RunSelector::Date(date.to_owned()),
        })
    }
}

impl std::fmt::Display for RunSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunSelector::First => f.write_str("first"),
            RunSelector::Last => f.write_str("last"),
            RunSelector::Date(date) => f.write_str(date),
        }
    }
}

impl Run {
    /// An empty lighteval run, to be filled in.
    pub fn lighteval(model: &str, date_id: &str) -> Run {
        Run {
            model: model.to_owned(),
            date_id: date_id.to_owned(),
            results_path: None,
            details: Vec::new(),
            remote: None,
            harness: Harness::Lighteval,
            log: None,
        }
    }

    pub fn load_results(&self) -> Result<ResultsFile> {
        if let Some(log) = &self.log {
            return log.0.results();
        }
        let path = self
            .results_path
            .as_ref()
            .ok_or_else(|| StoreError::NoResultsFile {
                model: self.model.clone(),
                date_id: self.date_id.clone(),
            })?;
        // A run listed from a Hub organisation: its results come down when first read.
        self.fetch(path)?;
        read_results(path)
    }

    /// Whether the results can be read without fetching them (always, for a local run).
    pub fn results_on_disk(&self) -> bool {
        self.remote.is_none() || self.results_path.as_deref().is_some_and(Path::exists)
    }

    pub fn details_path(&self, task: &str) -> Option<&Path> {
        self.details
            .iter()
            .find(|(t, _)| t == task)
            .map(|(_, p)| p.as_path())
    }

    /// Opens one task's details file (its footer only).
    pub fn open_details(&self, task: &str) -> Result<DetailsFile> {
        // Another harness's reader knows its tasks (a run listed from the Hub knows them only
        // once opened), and its error names them.
        if let Some(log) = &self.log {
            return Ok(DetailsFile::from_log(log.0.samples(task)?));
        }
        let path = self
            .details_path(task)
            .ok_or_else(|| StoreError::TaskNotFound {
                model: self.model.clone(),
                date_id: self.date_id.clone(),
                task: task.to_owned(),
                available: list_or_none(self.details.iter().map(|(t, _)| t.as_str())),
            })?;
        let file = match &self.remote {
            Some(RemoteDetails {
                ranges: Some(open), ..
            }) if !path.exists() => {
                let bytes = open(path).map_err(|source| StoreError::Fetch {
                    path: path.to_owned(),
                    source,
                })?;
                DetailsFile::open_remote(path, bytes)?
            }
            _ => {
                self.fetch(path)?;
                DetailsFile::open(path)?
            }
        };
        file.check_task(task)?;
        Ok(file)
    }

    /// Brings a remote run's details file to disk, if it is not there yet.
    pub fn fetch(&self, path: &Path) -> Result<()> {
        match &self.remote {
            Some(remote) if !path.exists() => {
                (remote.fetch)(path).map_err(|source| StoreError::Fetch {
                    path: path.to_owned(),
                    source,
                })
            }
            _ => Ok(()),
        }
    }

    /// Every details file on disk, fetching a remote run's.
    pub fn fetch_all_details(&self) -> Result<()> {
        self.details
            .iter()
            .try_for_each(|(_, path)| self.fetch(path))
    }

    /// Whether a task's details can be read without fetching them.
    pub fn details_on_disk(&self, task: &str) -> bool {
        self.details_path(task).is_some_and(Path::exists)
    }

    /// Opens every details file of the run (footers only); a remote run's files that were not
    /// fetched yet are left out, so a listing never downloads them.
    pub fn open_all_details(&self) -> Result<Vec<DetailsFile>> {
        if self.log.is_some() {
            return self
                .details
                .iter()
                .map(|(task, _)| self.open_details(task))
                .collect();
        }
        self.details
            .iter()
            .filter(|(_, path)| self.remote.is_none() || path.exists())
            .map(|(_, path)| DetailsFile::open(path))
            .collect()
    }

    /// Whether every details file is on disk (always, for a local run).
    pub fn all_details_on_disk(&self) -> bool {
        self.remote.is_none() || self.details.iter().all(|(_, p)| p.exists())
    }
}

impl Catalog {
    pub fn runs(&self) -> impl Iterator<Item = &Run> {
        self.models.iter().flat_map(|m| &m.runs)
    }

    pub fn model(&self, name: &str) -> Option<&ModelRuns> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The run named by `model` and `run`. Without a model, a catalog with one model uses it; with
    /// several, a `date_id` that only one model has picks it, and otherwise the newest run of all
    /// is chosen (`chose_among` tells the caller, who may say so).
    pub fn select(&self, model: Option<&str>, run: Option<&RunSelector>) -> Result<Selection<'_>> {
        let selector = run.cloned().unwrap_or(RunSelector::Last);
        let model_runs = match model {
            Some(name) => self.model(name).ok_or_else(|| StoreError::ModelNotFound {
                path: self.source.clone(),
                model: name.to_owned(),
                available: self.model_list(),
            })?,
            None if self.models.len() == 1 => &self.models[0],
            None => {
                if let RunSelector::Date(date) = &selector {
                    let owners: Vec<_> = self
                        .models
                        .iter()
                        .filter(|m| m.runs.iter().any(|r| &r.date_id == date))
                        .collect();
                    if owners.len() == 1 {
                        return self.select(Some(&owners[0].name), run);
                    }
                    return Err(StoreError::AmbiguousModel {
                        path: self.source.clone(),
                        available: self.model_list(),
                    });
                }
                let newest = self
                    .runs()
                    .max_by(|a, b| a.date_id.cmp(&b.date_id))
                    .ok_or_else(|| StoreError::NoRuns {
                        path: self.source.clone(),
                    })?;
                let chosen = self.select(Some(&newest.model), run)?;
                return Ok(Selection {
                    chose_among: self.models.len(),
                    ..chosen
                });
            }
        };
        let found = match &selector {
            RunSelector::First => model_runs.runs.first(),
            RunSelector::Last => model_runs.runs.last(),
            RunSelector::Date(date) => model_runs.runs.iter().find(|r| &r.date_id == date),
        };
        let run = found.ok_or_else(|| StoreError::RunNotFound {
            path: self.source.clone(),
            model: model_runs.name.clone(),
            run: match &selector {
                RunSelector::First => "first".into(),
                RunSelector::Last => "last".into(),
                RunSelector::Date(d) => d.clone(),
            },
            available: list_or_none(model_runs.runs.iter().map(|r| r.date_id.as_str())),
        })?;
        Ok(Selection {
            run,
            chose_among: 1,
        })
    }

    fn model_list(&self) -> String {
        list_or_none(self.models.iter().map(|m| m.name.as_str()))
    }
}

/// A selected run; `chose_among > 1` when no model was named and several were found.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub run: &'a Run,
    pub chose_among: usize,
}

fn list_or_none<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
