//! Errors of the storage layer. Each names the file (or folder) it is about, so a message read
//! alone in a log still tells the user where to look.

use std::path::PathBuf;

use crate::model::ShapeError;
use crate::model::pyjson::JsonSyntaxError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}: invalid JSON at {source}", path.display())]
    Json {
        path: PathBuf,
        source: JsonSyntaxError,
    },

    #[error("{}: not a lighteval results file: {source}", path.display())]
    Shape { path: PathBuf, source: ShapeError },

    #[error("{}: not a readable Parquet file: {message}", path.display())]
    Parquet { path: PathBuf, message: String },

    #[error("{}: column `{column}` is {found}, expected {expected}", path.display())]
    Column {
        path: PathBuf,
        column: String,
        expected: String,
        found: String,
    },

    #[error(
        "{}: not a lighteval details file: it has none of the columns `doc`/`model_response` \
         (lighteval ≥ 0.11) or `example`/`predictions` (0.5–0.10); columns are: {columns}",
        path.display()
    )]
    UnknownLayout { path: PathBuf, columns: String },

    #[error(
        "{}: not a file evaldeck reads: neither a lighteval results (.json) or details (.parquet) \
         file, nor an Inspect AI log (.eval, .json), nor an lm-evaluation-harness results (.json) \
         or samples (.jsonl) file",
        path.display()
    )]
    UnknownFormat { path: PathBuf },

    /// A log of another harness that cannot be read: `message` says where inside it and why.
    #[error("{}: {message}", path.display())]
    Log { path: PathBuf, message: String },

    /// An error kept by a reader that caches what it read (every later read fails alike).
    #[error(transparent)]
    Shared(std::sync::Arc<StoreError>),

    #[error("{}: no lighteval run found (no results_<date>.json, no details_<task>_<date>.parquet)", path.display())]
    NoRuns { path: PathBuf },

    #[error("{}: no model `{model}` here; models found: {available}", path.display())]
    ModelNotFound {
        path: PathBuf,
        model: String,
        available: String,
    },

    #[error(
        "{}: several models here ({available}); choose one with --model",
        path.display()
    )]
    AmbiguousModel { path: PathBuf, available: String },

    #[error("{}: model `{model}` has no run `{run}`; runs found: {available}", path.display())]
    RunNotFound {
        path: PathBuf,
        model: String,
        run: String,
        available: String,
    },

    #[error(
        "{}: named as task `{task}`, but its samples are of task `{found}`; was it copied or renamed?",
        path.display()
    )]
    TaskMismatch {
        path: PathBuf,
        task: String,
        found: String,
    },

    #[error("{}: could not be fetched: {source}", path.display())]
    Fetch {
        path: PathBuf,
        source: super::RemoteError,
    },

    #[error("{}: already exists; a saved run is never overwritten", path.display())]
    Exists { path: PathBuf },

    #[error("model name `{model}` cannot be used as a folder: {reason}")]
    UnsafeModelName { model: String, reason: &'static str },

    #[error("run {date_id} of `{model}` has no results file, only details")]
    NoResultsFile { model: String, date_id: String },

    #[error(
        "run {date_id} of `{model}` has no details for task `{task}`; tasks with details: {available}"
    )]
    TaskNotFound {
        model: String,
        date_id: String,
        task: String,
        available: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    pub fn log(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        StoreError::Log {
            path: path.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn parquet(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        StoreError::Parquet {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
