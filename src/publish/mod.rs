//! Sharing a run: the Hugging Face Hub (push, dataset card, `hf://` sources), TensorBoard event
//! files and Trackio. Like the rest of the core, it never touches the terminal; progress goes
//! through callbacks.

pub mod card;
mod error;
pub mod events;
pub mod hub;
mod push;
mod run;
pub mod tensorboard;
mod token;
pub mod trackio;

pub use error::PublishError;
pub use hub::{
    CommitProgress, Committed, Content, HubClient, HubEndpoint, ListedRepo, Repo, RepoFile,
    RepoKind, ReposPage, Upload,
};
pub use push::{
    PushPlan, PushProgress, PushReport, check_org, details_repo_id, hub_name_problem, plan_push,
    planned_paths, push_details_to_hub, push_results_to_hub, push_to_hub, results_parquet,
};
pub use run::{PublishEvent, PublishOptions, Published, publish_run, saved_run};
pub use token::{Token, hf_home};
