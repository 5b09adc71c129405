//! Everything a run can be published to, in lighteval's order (Hub, Trackio, TensorBoard), for the
//! tracker, the headless mode and the TUI alike. Each destination is tried even when another one
//! failed: a Hub outage does not cost the TensorBoard logs.

use std::path::PathBuf;

use super::error::PublishError;
use super::push::{PushProgress, PushReport, check_org, plan_push, push_to_hub};
use super::tensorboard::{TensorboardOptions, write_tensorboard};
use super::trackio::{TrackioLogged, log_to_trackio, trackio_dir, trackio_project};
use crate::hub::{Content, HubClient, HubEndpoint, Repo, Upload};
use crate::store::Run;

#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    pub push_to_hub: bool,
    /// The Hub namespace: needed to push to the Hub, optional for TensorBoard (whose logs are
    /// then also uploaded to `{org}/tensorboard_logs`).
    pub org: Option<String>,
    pub public: bool,
    pub push_to_tensorboard: bool,
    pub tensorboard: TensorboardOptions,
    /// Where TensorBoard logs go: `{output_dir}/tb/{run}`.
    pub output_dir: PathBuf,
    pub use_trackio: bool,
    /// `None`: `TRACKIO_PROJECT`, then `WANDB_PROJECT`.
    pub trackio_project: Option<String>,
}

impl PublishOptions {
    pub fn anything(&self) -> bool {
        self.push_to_hub || self.push_to_tensorboard || self.use_trackio
    }

    /// What can be known wrong before anything is saved or sent.
    pub fn validate(&self) -> Result<(), PublishError> {
        if self.push_to_hub || self.org.is_some() {
            check_org(self.org.as_deref().unwrap_or(""))?;
        }
        if self.use_trackio && trackio_project(self.trackio_project.as_deref()).is_none() {
            return Err(PublishError::MissingTrackioProject);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PublishEvent {
    Hub(PushProgress),
    Trackio,
    Tensorboard,
}

/// What was published where.
#[derive(Debug, Default)]
pub struct Published {
    pub hub: Option<PushReport>,
    pub trackio: Option<TrackioLogged>,
    pub tensorboard: Option<PathBuf>,
    /// `{org}/tensorboard_logs`'s URL, when the logs were uploaded.
    pub tensorboard_repo: Option<String>,
    /// One per destination that failed.
    pub errors: Vec<PublishError>,
}

pub fn publish_run(
    run: &Run,
    options: &PublishOptions,
    endpoint: HubEndpoint,
    progress: &mut dyn FnMut(PublishEvent),
) -> Published {
    let mut published = Published::default();
    if let Err(error) = options.validate() {
        published.errors.push(error);
        return published;
    }
    // Publishing writes lighteval's repos and logs; another harness's files are not those.
    if run.log.is_some() {
        published.errors.push(PublishError::NotLighteval {
            run: format!("{} of {}", run.date_id, run.model),
            harness: run.harness.name(),
        });
        return published;
    }
    // The Hub push reads the results file itself; TensorBoard and Trackio need it here.
    let results = if options.use_trackio || options.push_to_tensorboard {
        match run.load_results() {
            Ok(results) => Some(results),
            Err(error) => {
                published.errors.push(error.into());
                return published;
            }
        }
    } else {
        None
    };
    let needs_hub = options.push_to_hub || (options.push_to_tensorboard && options.org.is_some());
    let client = if needs_hub {
        match HubClient::new(endpoint) {
            Ok(client) => Some(client),
            Err(error) => {
                published.errors.push(error.into());
                None
            }
        }
    } else {
        None
    };
    if options.push_to_hub
        && let Some(client) = &client
    {
        let org = options.org.as_deref().unwrap_or_default();
        let pushed = plan_push(org, options.public, run)
            .and_then(|plan| push_to_hub(client, &plan, &mut |p| progress(PublishEvent::Hub(p))));
        match pushed {
            Ok(report) => published.hub = Some(report),
            Err(error) => published.errors.push(error),
        }
    }
    if options.use_trackio
        && let Some(results) = &results
    {
        progress(PublishEvent::Trackio);
        let project = trackio_project(options.trackio_project.as_deref()).unwrap_or_default();
        match log_to_trackio(
            &trackio_dir(),
            &project,
            &run.model,
            &run.date_id,
            results,
            options.tensorboard.step,
        ) {
            Ok(logged) => published.trackio = Some(logged),
            Err(error) => published.errors.push(error),
        }
    }
    if options.push_to_tensorboard
        && let Some(results) = &results
    {
        progress(PublishEvent::Tensorboard);
        let wall_time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        match write_tensorboard(
            &options.output_dir,
            results,
            &options.tensorboard,
            wall_time,
        ) {
            Ok(path) => {
                if let (Some(client), Some(org)) = (&client, &options.org) {
                    match upload_tensorboard(client, org, &options.output_dir, &path, run) {
                        Ok(url) => published.tensorboard_repo = Some(url),
                        Err(error) => published.errors.push(error),
                    }
                }
                published.tensorboard = Some(path);
            }
            Err(error) => published.errors.push(error),
        }
    }
    published
}

/// lighteval's `HFSummaryWriter` target: the private model repo `{org}/tensorboard_logs`, where
/// the Hub shows the logs, at `tb/{run}/{file}`.
fn upload_tensorboard(
    client: &HubClient,
    org: &str,
    output_dir: &std::path::Path,
    file: &std::path::Path,
    run: &Run,
) -> Result<String, PublishError> {
    let repo = Repo::model(format!("{org}/tensorboard_logs"));
    client.ensure_repo(&repo, true)?;
    let relative = file
        .strip_prefix(output_dir)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    let upload = Upload {
        path_in_repo: relative,
        content: Content::File(file.to_owned()),
    };
    client.commit(
        &repo,
        &[upload],
        &format!("Upload TensorBoard logs of {} {}", run.model, run.date_id),
        &mut |_| {},
    )?;
    Ok(client.endpoint().repo_url(&repo))
}

/// The run the tracker just saved, as a run found on disk.
pub fn saved_run(model: &str, date_id: &str, results_path: PathBuf, details: &[PathBuf]) -> Run {
    let mut details: Vec<(String, PathBuf)> = details
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let task = name
                .strip_prefix("details_")?
                .strip_suffix(".parquet")?
                .strip_suffix(date_id)?
                .strip_suffix('_')?;
            Some((task.to_owned(), path.clone()))
        })
        .collect();
    details.sort();
    Run {
        results_path: Some(results_path),
        details,
        ..Run::lighteval(model, date_id)
    }
}
