//! The command line: clap definitions and the headless commands. Each command writes to the
//! `Write` it is given, so tests and the binary share one code path.

mod compare;
mod diff;
mod follow;
mod publish;
mod runs;
mod samples;
mod save;
mod show;
pub mod table;
mod transcript;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use color_eyre::eyre::{Result, bail};

use crate::model::StderrConvention;
use crate::source::Source;
use crate::store::{Catalog, RunSelector};

/// Inspect lighteval runs: aggregated metrics, per-sample predictions, and more.
#[derive(Debug, Parser)]
#[command(name = "evaldeck", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// A lighteval output folder, a results file or a details folder, an Inspect or lm-eval log,
    /// `hf://datasets/ORG/REPO` or a whole organisation `hf://datasets/ORG` (default: the sample
    /// run); with --save also a tracking file (JSON lines, `-` for stdin). `SOURCE@RUN` chooses
    /// a run (`@last`, `@first`, a date id); see the README for `@` in `hf://` sources.
    pub source: Option<Source>,

    /// Which model of SOURCE to open, save again or publish (`org/model`); default: the only
    /// one, else the newest run's.
    #[arg(long)]
    pub model: Option<String>,
    /// Which run: a date id (`2026-11-23T21-40-51.814529`), `first` or `last` (default).
    #[arg(long)]
    pub run: Option<RunSelector>,

    #[command(flatten)]
    pub save: SaveArgs,

    #[command(flatten)]
    pub publish: PublishArgs,
}

/// Sharing a run, after `--save` or on SOURCE's newest run: lighteval's push options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PublishArgs {
    /// Push the run to the Hub, as the dataset ORG/details_{model} (`_private` unless --public).
    #[arg(long, requires = "results_org")]
    pub push_to_hub: bool,
    /// The Hub organisation (namespace) to push to. The token comes from HF_TOKEN or
    /// `hf auth login`; HF_ENDPOINT chooses another Hub.
    #[arg(long, value_name = "ORG")]
    pub results_org: Option<String>,
    /// Make the details repo public (it is private, and named `…_private`, otherwise).
    #[arg(long)]
    pub public: bool,
    /// Write TensorBoard logs under OUTPUT_DIR/tb/ (uploaded to ORG/tensorboard_logs with
    /// --results-org).
    #[arg(long)]
    pub push_to_tensorboard: bool,
    /// The prefix of the TensorBoard tags.
    #[arg(long, default_value = "eval")]
    pub tensorboard_metric_prefix: String,
    /// Log the results to Trackio (they appear when its dashboard runs).
    #[arg(long)]
    pub use_trackio: bool,
    /// Trackio's project (default: TRACKIO_PROJECT, then WANDB_PROJECT).
    #[arg(long, value_name = "PROJECT")]
    pub trackio_project: Option<String>,
}

impl PublishArgs {
    pub fn anything(&self) -> bool {
        self.push_to_hub || self.push_to_tensorboard || self.use_trackio
    }
}

/// Headless tracking: `evaldeck SOURCE --save`.
#[derive(Debug, Clone, clap::Args)]
pub struct SaveArgs {
    /// Track SOURCE (a tracking file, or a stored run to re-aggregate) and save it as a new run.
    #[arg(long)]
    pub save: bool,
    /// Read a tracking file as it is written (or stdin as it comes), printing each metric's
    /// running mean ± stderr, until stdin ends or a `{"type":"end"}` record; with --save, then
    /// save the run.
    #[arg(long)]
    pub follow: bool,
    /// Where to save, in lighteval's layout (and where TensorBoard logs go).
    #[arg(long, default_value = "results")]
    pub output_dir: PathBuf,
    /// Bootstrap resamples for corpus-metric stderrs (0: no stderr).
    #[arg(long, default_value_t = 1000, requires = "save")]
    pub bootstrap_iters: usize,
    /// Folder of the results file, with {output_dir}, {org} and {model}.
    #[arg(long, requires = "save")]
    pub results_path_template: Option<String>,
    /// Save the results file only.
    #[arg(long, requires = "save")]
    pub no_details: bool,
    /// `lighteval` (stderr of bootstrap replicates over √replicates, as lighteval writes) or
    /// `standard` (the textbook bootstrap standard error).
    #[arg(long, value_enum, default_value_t = StderrConvention::Lighteval, requires = "save")]
    pub stderr_convention: StderrConvention,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The aggregated results of a run, like lighteval's end-of-run table.
    Show(ShowArgs),
    /// One sample's transcript: its messages, tool calls and results, and what happened while
    /// it ran.
    Transcript(TranscriptArgs),
    /// The per-sample rows of one task (doc, model_response, metric).
    Samples(SamplesArgs),
    /// Every model and run found under SOURCE.
    Runs(RunsArgs),
    /// Compare run B with run A: deltas with paired statistics, config and prompt changes, flips.
    Diff(DiffArgs),
    /// Many runs side by side against a baseline: value ± stderr, Δ with paired tests, Holm
    /// across the whole matrix.
    Compare(CompareArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Sources as `show` takes them; a folder brings all its runs, `FOLDER@DATE` (`@first`,
    /// `@last`) one of them.
    #[arg(required = true)]
    pub sources: Vec<Source>,
    /// Only the runs of this model.
    #[arg(long)]
    pub model: Option<String>,
    /// The baseline column: its number (from 1), a run's date id, or MODEL@DATE. Default: 1.
    #[arg(long)]
    pub baseline: Option<String>,
    /// Only this metric.
    #[arg(long)]
    pub metric: Option<String>,
    /// Column order: `given`, `date`, `name`, a general-config key (`model_config.revision`),
    /// or `step` (the checkpoint step in the model name).
    #[arg(long, default_value = "given")]
    pub order: crate::compare::Order,
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Cluster standard errors (and the Δ's) by this field of the samples.
    #[arg(long, value_name = "PATH")]
    pub cluster_by: Option<String>,
    /// The samples of one task (--task) across the runs instead: right, wrong or partial in each.
    #[arg(long, requires = "task")]
    pub samples: bool,
    /// Report, per cell, the paired samples needed to detect a true Δ of this size (80 % power).
    #[arg(long, value_name = "D")]
    pub mde_target: Option<f64>,
    /// With --samples: the task, as the baseline names it.
    #[arg(long)]
    pub task: Option<String>,
    /// With --samples: `all`, `hard` (wrong in every run), `baseline-only` (only the baseline
    /// right), `disagree`, or `flip:A,B` (right in one of columns A and B, wrong in the other).
    #[arg(long, default_value = "all")]
    pub filter: crate::compare::AgreementFilter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Table,
    Markdown,
    Json,
    /// One JSON object per line (with --samples: per sample).
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// Run A: any SOURCE `show` accepts, optionally `FOLDER@DATE` (or `@first`, `@last`).
    pub a: Source,
    /// Run B, likewise. The same folder as A without a selector: the run before A is A, A is B.
    pub b: Source,
    #[arg(long)]
    pub model_a: Option<String>,
    #[arg(long)]
    pub model_b: Option<String>,
    #[arg(long)]
    pub run_a: Option<RunSelector>,
    #[arg(long)]
    pub run_b: Option<RunSelector>,
    /// Compare (and list flips for) this metric only.
    #[arg(long)]
    pub metric: Option<String>,
    /// With --task-b: compare only this task of A with that task of B, as runs of two harnesses
    /// are compared (their samples then pair by content).
    #[arg(long, requires = "task_b")]
    pub task_a: Option<String>,
    #[arg(long, requires = "task_a")]
    pub task_b: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Exit with 1 when a significant change goes the wrong way (`higher_is_better`).
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Cluster standard errors (each run's, and the paired Δ's) by this field of the samples.
    #[arg(long, value_name = "PATH")]
    pub cluster_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
}

pub use diff::RegressionFound;

/// Which run of a source.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A lighteval output folder, a results file or a details folder, an Inspect or lm-eval log,
    /// `hf://datasets/ORG/REPO` or `hf://datasets/ORG` (default: the sample run); `SOURCE@RUN`
    /// chooses a run as --run does.
    pub source: Option<Source>,
    /// Model name as in the output folder (`org/model`); default: the only one, else the newest run's.
    #[arg(long)]
    pub model: Option<String>,
    /// A run's date id (`2026-11-23T21-40-51.814529`), `first` or `last` (default).
    #[arg(long)]
    pub run: Option<RunSelector>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
    /// Cluster the standard errors of means by this field of the samples
    /// (`doc.specific.category`, `metadata.category`, `doc.subject`).
    #[arg(long, value_name = "PATH")]
    pub cluster_by: Option<String>,
    /// Then watch SOURCE: the results again, stamped with the time, each time they change (a
    /// newer run, a results file rewritten), until interrupted.
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Markdown,
    Json,
    Csv,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SamplesArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Task key (`quiz:geo|0`) or task name when unambiguous (`quiz:geo`); optional when the
    /// run has one task.
    #[arg(long)]
    pub task: Option<String>,
    #[arg(long, value_enum, default_value_t = SamplesFormat::Jsonl)]
    pub format: SamplesFormat,
    /// Stop after this many rows.
    #[arg(long)]
    pub limit: Option<u64>,
    /// With jsonl: each row's transcript as `transcript`, the same shape for every harness
    /// (messages, tool calls and results, events, usage), after the harness's own fields.
    #[arg(long)]
    pub transcript: bool,
    /// Only the samples whose transcript matches this regular expression anywhere: a message,
    /// reasoning, a tool call's name or arguments, a tool's result or error, an error or limit
    /// (`(?i)` for any case).
    #[arg(long, value_name = "PATTERN")]
    pub grep: Option<regex::Regex>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TranscriptArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Task key or name; optional when the run has one task (an Inspect log).
    #[arg(long)]
    pub task: Option<String>,
    /// The sample: Inspect's sample id, lighteval's `doc.id`, lm-eval's `doc_id`.
    #[arg(long)]
    pub sample: String,
    /// The epoch (Inspect runs each sample once per epoch); default: the first.
    #[arg(long)]
    pub epoch: Option<i64>,
    /// `text` for a terminal, `markdown` to paste into an issue or a paper, `json` the same for
    /// every harness.
    #[arg(long, value_enum, default_value_t = TranscriptFormat::Text)]
    pub format: TranscriptFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplesFormat {
    Jsonl,
    Table,
    Csv,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunsArgs {
    /// A folder or file of runs, `hf://datasets/ORG/REPO`, or `hf://datasets/ORG` to list every
    /// repo of an organisation page by page (default: the sample run).
    pub source: Option<Source>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
    /// Then watch SOURCE: a line for each run that appears or changes, until interrupted.
    #[arg(long)]
    pub follow: bool,
}

/// Runs a parsed command line, writing results to `out` and notes for people to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match cli.command {
        Some(Command::Show(args)) => show::show(&args, out, err),
        Some(Command::Samples(args)) => samples::samples(&args, out, err),
        Some(Command::Transcript(args)) => transcript::transcript(&args, out, err),
        Some(Command::Runs(args)) => runs::runs(&args, out),
        Some(Command::Diff(args)) => diff::diff(&args, out, err),
        Some(Command::Compare(args)) => compare::compare(&args, out, err),
        None if cli.save.save || cli.save.follow => save::save(
            cli.source.as_ref(),
            (cli.model.as_deref(), cli.run.as_ref()),
            &cli.save,
            &cli.publish,
            out,
            err,
        ),
        None if cli.publish.anything() => {
            let catalog = open_source(cli.source.as_ref())?;
            let run = run_choice(cli.source.as_ref(), cli.run.as_ref())?;
            let selection = catalog.select(cli.model.as_deref(), run.as_ref())?;
            if selection.chose_among > 1 {
                writeln!(
                    err,
                    "note: several models here; publishing the newest run, of {}",
                    selection.run.model
                )?;
            }
            publish::publish(selection.run, &cli.save.output_dir, &cli.publish, out, err)
        }
        // The bare command opens the TUI; piped into a script it prints `show` instead.
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            let chosen = run_choice(cli.source.as_ref(), cli.run.as_ref())?;
            let start_at = if cli.model.is_some() || chosen.is_some() {
                let catalog = open_source(cli.source.as_ref())?;
                let run = catalog.select(cli.model.as_deref(), chosen.as_ref())?.run;
                Some(crate::tui::app::StartAt {
                    model: run.model.clone(),
                    date_id: run.date_id.clone(),
                })
            } else {
                None
            };
            // A session browses large lists; memory the decoder frees goes back at once.
            crate::memory::return_freed_memory_promptly();
            let source = cli.source.map_or(Source::SampleRun, |s| s.without_run());
            crate::tui::run(source, start_at)
        }
        None => {
            let run = RunArgs {
                source: cli.source,
                model: cli.model,
                run: cli.run,
            };
            show::show(
                &ShowArgs {
                    run,
                    format: ShowFormat::Table,
                    cluster_by: None,
                    follow: false,
                },
                out,
                err,
            )
        }
    }
}

/// The catalog of a source, defaulting to the sample run.
fn open_source(source: Option<&Source>) -> Result<Catalog> {
    catalog_of(source.unwrap_or(&Source::SampleRun))
}

/// A folder or file, an `hf://datasets/ORG/REPO[@REVISION]` source or an organisation (through
/// the Hub's cache; the cached copy when the Hub is out of reach, said on stderr).
fn catalog_of(source: &Source) -> Result<Catalog> {
    let opened = crate::source::open(source, crate::hub::HubEndpoint::from_env())?;
    if opened.offline {
        eprintln!("note: the Hub is out of reach; opening the cached copy of {source}");
    }
    // A log that cannot be read does not hide the runs beside it; it is named here.
    for problem in &opened.catalog.unreadable {
        eprintln!("warning: skipped {problem}");
    }
    Ok(opened.catalog)
}

/// The run that `SOURCE@RUN` and `--run` choose together; two different ones is an error.
fn run_choice(source: Option<&Source>, flag: Option<&RunSelector>) -> Result<Option<RunSelector>> {
    match (source.and_then(Source::at), flag) {
        (Some(at), Some(flag)) if at != flag => {
            bail!("the source chooses run `{at}` and --run chooses `{flag}`; give one")
        }
        (at, flag) => Ok(at.or(flag).cloned()),
    }
}

/// Whether an error is only a closed output pipe (`evaldeck … | head`), which is not a failure.
pub fn is_broken_pipe(error: &color_eyre::eyre::Report) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error and its causes on one line; a cause already quoted by the message before it (our
/// errors embed their source) is not repeated.
pub fn error_text(error: &color_eyre::eyre::Report) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    text
}
