//! What can go wrong when publishing: the Hub's own errors ([`HubError`]), and what publishing
//! adds (an organisation, a project, a run of the right harness).

use std::path::PathBuf;

use crate::hub::HubError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "pushing to the Hub needs an organisation (--results-org / hub_results_org), the namespace the details repo is created in"
    )]
    MissingOrg,
    #[error(
        "logging to Trackio needs a project: pass --trackio-project, or set TRACKIO_PROJECT (or WANDB_PROJECT, as lighteval reads)"
    )]
    MissingTrackioProject,
    #[error("`{0}` is not a valid Hub organisation name: {1}")]
    BadOrg(String, &'static str),
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error(
        "run {run} is an {harness} run; publishing (Hub, TensorBoard, Trackio) is for lighteval runs"
    )]
    NotLighteval { run: String, harness: &'static str },
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
