//! `evaldeck SOURCE --save`: track a tracking file (or re-aggregate a stored run) and save it in
//! lighteval's layout. Progress goes to stderr when it is a terminal; the saved paths to stdout.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr, bail};

use super::{PublishArgs, SaveArgs};
use crate::hub::HubEndpoint;
use crate::source::Source;
use crate::store::{self, RunSelector};
use crate::tracker::{EvaluationTracker, TrackerOptions, track_lines, track_stored_run};

/// Another harness's run is saved as it is, in its own layout (as the TUI's `S` does): its
/// numbers are that harness's, and re-aggregating them with lighteval's rules would change them.
fn save_log_copy(
    run: &store::Run,
    output_dir: &Path,
    publish_args: &PublishArgs,
    out: &mut dyn Write,
) -> Result<()> {
    if publish_args.anything() {
        bail!(
            "run {} of `{}` is an {} run; publishing is for lighteval runs (save it without the publishing options to copy it)",
            run.date_id,
            run.model,
            run.harness
        );
    }
    let copied = store::copy_run(run, output_dir)?;
    writeln!(out, "{}", copied.results_path.display())?;
    for path in &copied.details_paths {
        writeln!(out, "{}", path.display())?;
    }
    Ok(())
}

pub(super) fn save(
    source: Option<&Source>,
    (model, run): (Option<&str>, Option<&RunSelector>),
    args: &SaveArgs,
    publish_args: &PublishArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let Some(named) = source else {
        bail!("--save needs a SOURCE: a tracking file (`-` for stdin) or a stored run")
    };
    let run = super::run_choice(source, run)?;
    let run = run.as_ref();
    let stdin = Path::new("-");
    let source = match named {
        Source::Stdin => stdin,
        other => other.local_path().unwrap_or(stdin),
    };
    let following = args.follow;
    let mut options = TrackerOptions::new(&args.output_dir);
    options.bootstrap_iters = args.bootstrap_iters;
    options.results_path_template = args.results_path_template.clone();
    options.save_details = !args.no_details;
    options.stderr_convention = args.stderr_convention;
    options.push_to_hub = publish_args.push_to_hub;
    options.hub_results_org = publish_args.results_org.clone();
    options.public = publish_args.public;
    options.push_to_tensorboard = publish_args.push_to_tensorboard;
    options.tensorboard_metric_prefix = publish_args.tensorboard_metric_prefix.clone();
    options.use_trackio = publish_args.use_trackio;
    options.trackio_project = publish_args.trackio_project.clone();
    let mut tracker = EvaluationTracker::new(options)?;
    // A missing org or Trackio project is known now, before any tracking work.
    tracker.publish_options().validate()?;

    let show_progress = std::io::stderr().is_terminal();
    let mut last = Instant::now();
    let mut progress = |samples: u64| {
        if show_progress && last.elapsed() >= Duration::from_millis(100) {
            last = Instant::now();
            let _ = write!(std::io::stderr(), "\rtracked {samples} samples");
        }
    };
    let formats = crate::source::log_formats();
    // An Inspect log or an lm-eval file is a stored run, though not named `.json`/`.parquet`.
    let is_log = source.is_file()
        && store::file_head(source)
            .is_ok_and(|head| formats.iter().any(|f| f.claims(source, &head)));
    let is_tracking_file = *named == Source::Stdin
        || (source.is_file()
            && !is_log
            && !matches!(
                source.extension().and_then(|e| e.to_str()),
                Some("json" | "parquet")
            ));
    if is_tracking_file {
        if model.is_some() || run.is_some() {
            bail!(
                "--model and --run choose among a folder's stored runs; {} is a tracking file",
                named
            );
        }
        let name = named.to_string();
        if following {
            let summary = super::follow::follow(source, &mut tracker, out)?;
            if !args.save {
                writeln!(
                    err,
                    "{} samples of {} tasks; --save would write them as a run",
                    summary.samples, summary.tasks
                )?;
                return Ok(());
            }
        } else if *named == Source::Stdin {
            track_lines(
                std::io::BufReader::with_capacity(1 << 20, std::io::stdin()),
                "stdin",
                &mut tracker,
                &mut progress,
            )?;
        } else {
            let file = std::fs::File::open(source)
                .wrap_err_with(|| format!("{name}: could not be opened"))?;
            track_lines(
                std::io::BufReader::with_capacity(1 << 20, file),
                &name,
                &mut tracker,
                &mut progress,
            )?;
        }
    } else if following {
        bail!(
            "--follow reads a tracking file as it is written (or stdin); {} is a stored run: open its folder in the TUI (`evaldeck {}`) to watch it",
            named,
            named
        );
    } else {
        let catalog = super::catalog_of(&named.without_run())?;
        let selection = catalog.select(model, run)?;
        if selection.run.log.is_some() {
            return save_log_copy(selection.run, &args.output_dir, publish_args, out);
        }
        if selection.chose_among > 1 {
            writeln!(
                err,
                "note: several models here; re-saving the newest run, of {}",
                selection.run.model
            )?;
        }
        let tracked = track_stored_run(selection.run, &mut tracker, &mut progress)?;
        if !tracked.had_results {
            writeln!(
                err,
                "note: run {} of {} has no results file; its details are aggregated by metric name",
                selection.run.date_id, selection.run.model
            )?;
        }
    }
    if show_progress {
        writeln!(std::io::stderr())?;
    }
    for warning in tracker.warnings() {
        writeln!(err, "warning: {warning}")?;
    }
    let saved = tracker.save()?;
    writeln!(out, "{}", saved.results_path.display())?;
    for path in &saved.details_paths {
        writeln!(out, "{}", path.display())?;
    }
    if !publish_args.anything() {
        return Ok(());
    }
    // The run is on disk; whatever happens next cannot lose it.
    out.flush()?;
    let mut bar = super::publish::ProgressBar::new();
    let published = tracker.publish(&saved, HubEndpoint::from_env(), &mut |e| bar.show(&e));
    bar.clear();
    super::publish::report(&published, out, err)
}
