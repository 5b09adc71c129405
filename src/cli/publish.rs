//! `--push-to-hub`, `--push-to-tensorboard`, `--use-trackio`: publishing a run headlessly. Progress
//! goes to stderr as a bar when it is a terminal; where things went goes to stdout, one line each.

use std::io::{IsTerminal, Write};
use std::path::Path;

use color_eyre::eyre::{Result, bail};

use super::PublishArgs;
use crate::hub::{CommitProgress, HubEndpoint};
use crate::publish::{self, PublishEvent, PublishOptions, Published, PushProgress};
use crate::store::Run;

pub(super) fn options(args: &PublishArgs, output_dir: &Path) -> PublishOptions {
    PublishOptions {
        push_to_hub: args.push_to_hub,
        org: args.results_org.clone(),
        public: args.public,
        push_to_tensorboard: args.push_to_tensorboard,
        tensorboard: publish::tensorboard::TensorboardOptions {
            prefix: args.tensorboard_metric_prefix.clone(),
            ..Default::default()
        },
        output_dir: output_dir.to_owned(),
        use_trackio: args.use_trackio,
        trackio_project: args.trackio_project.clone(),
    }
}

/// Publishes a run found on disk.
pub(super) fn publish(
    run: &Run,
    output_dir: &Path,
    args: &PublishArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let options = options(args, output_dir);
    options.validate()?;
    let mut bar = ProgressBar::new();
    let published = publish::publish_run(run, &options, HubEndpoint::from_env(), &mut |event| {
        bar.show(&event)
    });
    bar.clear();
    report(&published, out, err)
}

/// Where things went, on stdout; what failed, on stderr, and as the error.
pub(super) fn report(
    published: &Published,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    if let Some(hub) = &published.hub {
        writeln!(out, "{}", hub.repo_url)?;
    }
    if let Some(logged) = &published.trackio {
        writeln!(
            out,
            "trackio: project {}, run {} ({} metrics; they appear when `trackio show` runs)",
            logged.project, logged.run, logged.metrics
        )?;
    }
    if let Some(path) = &published.tensorboard {
        writeln!(out, "{}", path.display())?;
    }
    if let Some(url) = &published.tensorboard_repo {
        writeln!(out, "{url}")?;
    }
    // The same cause (no token, the Hub down) can fail two destinations; say it once.
    let mut said: Vec<String> = Vec::new();
    for error in &published.errors {
        let text = error.to_string();
        if !said.contains(&text) {
            writeln!(err, "error: {text}")?;
            said.push(text);
        }
    }
    match published.errors.len() {
        0 => Ok(()),
        1 => bail!("publishing failed (the run itself is saved and untouched)"),
        n => {
            bail!("publishing failed for {n} destinations (the run itself is saved and untouched)")
        }
    }
}

/// One line on stderr, redrawn in place, when stderr is a terminal.
pub(super) struct ProgressBar {
    enabled: bool,
    drawn: bool,
}

impl ProgressBar {
    pub(super) fn new() -> ProgressBar {
        ProgressBar {
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    pub(super) fn show(&mut self, event: &PublishEvent) {
        if !self.enabled {
            return;
        }
        let mut line = crate::text::publish_event(event);
        // An upload also gets a bar, redrawn in place.
        if let PublishEvent::Hub(PushProgress::Commit(CommitProgress::Uploaded {
            bytes_done,
            bytes_total,
            ..
        })) = event
        {
            let filled =
                (crate::text::upload_fraction(*bytes_done, *bytes_total) * 20.0).round() as usize;
            line = format!(
                "[{}{}] {line}",
                "#".repeat(filled.min(20)),
                "-".repeat(20 - filled.min(20))
            );
        }
        let line: String = line.chars().take(100).collect();
        let _ = write!(std::io::stderr(), "\r\x1b[K{line}");
        self.drawn = true;
    }

    pub(super) fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            self.drawn = false;
        }
    }
}
