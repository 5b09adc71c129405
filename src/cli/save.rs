//! `evaldeck SOURCE --save`: track a tracking file (or re-aggregate a stored run) and save it in
//! lighteval's layout. Progress goes to stderr when it is a terminal; the saved paths to stdout.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr, bail, eyre};

use super::{PublishArgs, SaveArgs};
use crate::model::{Json, Map, ResultsFile};
use crate::publish::HubEndpoint;
use crate::stats::StderrConvention;
use crate::store::{self, Run};
use crate::tracker::{
    EvaluationTracker, StoredMetric, TaskDeclaration, TrackerOptions, track_lines,
};

pub(super) fn save(
    source: Option<&Path>,
    args: &SaveArgs,
    publish_args: &PublishArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let Some(source) = source else {
        bail!("--save needs a SOURCE: a tracking file (`-` for stdin) or a stored run")
    };
    let mut options = TrackerOptions::new(&args.output_dir);
    options.bootstrap_iters = args.bootstrap_iters;
    options.results_path_template = args.results_path_template.clone();
    options.save_details = !args.no_details;
    options.stderr_convention =
        StderrConvention::parse(&args.stderr_convention).ok_or_else(|| {
            eyre!(
                "--stderr-convention `{}`: expected lighteval or standard",
                args.stderr_convention
            )
        })?;
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
    let is_tracking_file = source.as_os_str() == "-"
        || (source.is_file()
            && !matches!(
                source.extension().and_then(|e| e.to_str()),
                Some("json" | "parquet")
            ));
    if is_tracking_file {
        let name = source.display().to_string();
        if source.as_os_str() == "-" {
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
    } else {
        let catalog = store::discover(source)?;
        let selection = catalog.select(None, None)?;
        if selection.chose_among > 1 {
            writeln!(
                err,
                "note: several models here; re-saving the newest run, of {}",
                selection.run.model
            )?;
        }
        retrack(selection.run, &mut tracker, &mut progress)?;
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

/// Feeds a stored run's details to the tracker with the aggregations of its task configs.
fn retrack(
    run: &Run,
    tracker: &mut EvaluationTracker,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let results = run.load_results()?;
    let general = results.general();
    tracker.general.log_args_info(
        general.num_fewshot_seeds().unwrap_or(1),
        general.max_samples(),
        &general.job_id().unwrap_or_else(|| "0".into()),
        general.lighteval_sha(),
    );
    let model_config = general.model_config().cloned().unwrap_or_default();
    tracker
        .general
        .log_model_info(general.model_name().unwrap_or(&run.model), model_config);
    let mut samples = 0;
    for (task, _) in &run.details {
        tracker.declare_task(declaration(&results, task)?)?;
        let file = run.open_details(task)?;
        for batch in file.details(4096)? {
            for detail in batch? {
                let row = store::detail_to_json(&detail);
                let Json::Object(mut row) = row else { continue };
                let mut take = |key: &str| match row.shift_remove(key) {
                    Some(Json::Object(map)) => map,
                    _ => Map::new(),
                };
                let (doc, response, metric) = (take("doc"), take("model_response"), take("metric"));
                tracker.log(task, doc, response, metric)?;
                samples += 1;
            }
            progress(samples);
        }
    }
    Ok(())
}

/// A stored task's declaration: each metric's aggregation from its config, and its stored value
/// and stderr, kept wherever the metric cannot be recomputed.
fn declaration(results: &ResultsFile, task: &str) -> Result<TaskDeclaration> {
    let mut declaration = TaskDeclaration::new(task);
    let row = results.row(task);
    let stored_value = |key: &str| row.as_ref().and_then(|r| r.values.get(key)).cloned();
    if let Some(row) = &row {
        for (key, value) in row.values {
            if key.ends_with("_stderr") {
                continue;
            }
            declaration.stored.insert(
                key.clone(),
                StoredMetric {
                    value: value.clone(),
                    stderr: stored_value(&format!("{key}_stderr")),
                },
            );
        }
    }
    let Some(config) = results.task_config(task) else {
        return Ok(declaration);
    };
    declaration.version = results.task_version(task).unwrap_or(0);
    for metric in config.metrics() {
        for name in &metric.names {
            if let Some(function) = metric.corpus_level_fn_of(name) {
                declaration = declaration.with_stored_aggregation(name, &function);
            }
            if let Some(better) = metric.higher_is_better(name) {
                declaration.higher_is_better.insert(name.clone(), better);
            }
        }
    }
    Ok(declaration)
}
