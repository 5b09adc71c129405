//! Opening what the user names: a folder or file on disk, or an `hf://datasets/ORG/REPO` repo.
//! A source gives a [`Catalog`] of runs; screens and commands see only that. This is the seam
//! where readers of other log formats (Inspect, lm-evaluation-harness) go, one file each.

mod hub;

use std::path::Path;

pub use hub::{HubSource, open_hub_source};

use crate::publish::{HubEndpoint, PublishError};
use crate::store::{self, Catalog};

/// A source, opened.
#[derive(Debug)]
pub struct OpenedSource {
    pub catalog: Catalog,
    /// The Hub could not be reached; this is the cached copy.
    pub offline: bool,
}

/// Any source: a folder or file, or an `hf://datasets/…` repo (through `endpoint`).
pub fn open_source(path: &Path, endpoint: HubEndpoint) -> Result<OpenedSource, PublishError> {
    match path.to_str().and_then(HubSource::parse) {
        Some(source) => open_hub_source(&source?, endpoint),
        None => Ok(OpenedSource {
            catalog: store::discover(path)?,
            offline: false,
        }),
    }
}
