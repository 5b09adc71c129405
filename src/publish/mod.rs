//! Sharing a run: the Hugging Face Hub (push and dataset card, through [`crate::hub`]),
//! TensorBoard event files and Trackio. Like the rest of the core, it never touches the terminal; progress goes
//! through callbacks.

pub mod card;
mod error;
pub mod events;
mod push;
mod run;
pub mod tensorboard;
pub mod trackio;

pub use error::PublishError;
pub use push::{
    PushPlan, PushProgress, PushReport, check_org, details_repo_id, plan_push, planned_paths,
    push_details_to_hub, push_results_to_hub, push_to_hub, results_parquet,
};
pub use run::{PublishEvent, PublishOptions, Published, publish_run, saved_run};
