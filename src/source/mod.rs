//! Opening what the user names: a folder or file on disk, an `hf://datasets/ORG/REPO` repo, or
//! every repo of an organisation (`hf://datasets/ORG`).
//! A source gives a [`Catalog`] of runs; screens and commands see only that. Runs of other
//! harnesses are found by content and read by one module each here ([`inspect`], [`lm_eval`]),
//! behind the traits of [`crate::store::log`].

mod hub;
pub mod inspect;
pub mod lm_eval;
mod named;
pub mod watch;

use std::path::Path;

pub use hub::{
    HubOrg, HubSource, OrgPage, list_hub_org, open_hub_org, open_hub_source, org_catalog,
};
pub use named::Source;
pub use watch::{SourceWatch, WRITING_WINDOW, WatchError, WatchMode, touches, watch, watch_with};

use crate::store::LogFormat;

/// The readers of other harnesses' logs, tried in this order on each file lighteval's naming
/// does not claim.
pub fn log_formats() -> [&'static dyn LogFormat; 2] {
    [&inspect::InspectFormat, &lm_eval::LmEvalFormat]
}

use crate::hub::{HubEndpoint, HubError};
use crate::store::StoreError;

/// Why a source could not be opened. Opening is not publishing: a Hub source fails with the
/// Hub client's error, a local one with the store's.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("`{0}` is not a Hub source: {1}")]
    BadSource(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("could not unpack the bundled sample run: {0}")]
    SampleRun(std::io::Error),
    #[error("`-` (standard input) is a stream of tracking lines, read by --save only")]
    Stdin,
}
use crate::store::{self, Catalog};

/// A source, opened.
#[derive(Debug)]
pub struct OpenedSource {
    pub catalog: Catalog,
    /// The Hub could not be reached; this is the cached copy.
    pub offline: bool,
}

/// Any source: a folder or file, an `hf://datasets/…` repo or organisation (through `endpoint`),
/// or the bundled sample run. A run selector (`@last`) is the caller's to apply to the catalog.
pub fn open(source: &Source, endpoint: HubEndpoint) -> Result<OpenedSource, SourceError> {
    let local = |path: &Path| -> Result<OpenedSource, SourceError> {
        Ok(OpenedSource {
            catalog: store::discover_with(path, &log_formats())?,
            offline: false,
        })
    };
    match source {
        Source::Local { path, .. } => local(path),
        Source::HubRepo { repo, .. } => open_hub_source(repo, endpoint),
        Source::HubOrg { org } => open_hub_org(org, endpoint),
        Source::SampleRun => {
            local(&crate::sample_run::sample_run_dir().map_err(SourceError::SampleRun)?)
        }
        Source::Stdin => Err(SourceError::Stdin),
    }
}
