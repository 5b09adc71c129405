//! What the screens show, computed from the store by plain blocking functions; the event loop runs
//! them in the background. Nothing here touches the terminal.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::model::{Detail, Json, ResultsFile, TaskKey};
use crate::store::{self, Catalog, DetailsFile, Run, RunSummary, StoreError};
use crate::text::one_line;

/// Why a background job failed: the core's own error, kept typed until the status line or a
/// screen words it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(Arc<StoreError>),
    #[error(transparent)]
    Source(Arc<crate::source::SourceError>),
    /// An organisation's listing failed after some of its pages had come.
    #[error("listing {org} stopped: {error}")]
    ListingStopped {
        org: String,
        error: Arc<crate::source::SourceError>,
    },
    #[error("push failed: {0}")]
    Push(Arc<crate::publish::PublishError>),
    #[error("push failed: nothing was pushed")]
    NothingPushed,
}

impl From<StoreError> for JobError {
    fn from(error: StoreError) -> JobError {
        JobError::Store(Arc::new(error))
    }
}

impl From<crate::source::SourceError> for JobError {
    fn from(error: crate::source::SourceError) -> JobError {
        JobError::Source(Arc::new(error))
    }
}

/// The Runs screen's data.
#[derive(Debug, Clone)]
pub struct RunsData {
    pub source: PathBuf,
    /// Newest first.
    pub runs: Vec<(Run, RunSummary)>,
    /// A Hub organisation's listing still arriving: what has come so far.
    pub listing: Option<String>,
}

pub fn load_runs(catalog: &Catalog) -> RunsData {
    load_runs_live(catalog, &[])
}

/// [`load_runs`] of a watched source: `being_written` are files seen changing moments ago,
/// which are being written if they read as incomplete.
pub fn load_runs_live(catalog: &Catalog, being_written: &[PathBuf]) -> RunsData {
    let writing = |path: &std::path::Path| {
        being_written
            .iter()
            .any(|changed| crate::source::touches(changed, path))
    };
    let mut runs: Vec<(Run, RunSummary)> = catalog
        .runs()
        .map(|run| (run.clone(), store::summarise_live(run, &writing)))
        .collect();
    runs.sort_by(|a, b| {
        b.0.date_id
            .cmp(&a.0.date_id)
            .then_with(|| a.0.model.cmp(&b.0.model))
    });
    RunsData {
        source: catalog.source.clone(),
        runs,
        listing: None,
    }
}

pub use crate::report::{LineOrigin, ResultLine};

/// The Results screen's data: the lines and the results file for the config panel.
#[derive(Debug, Clone)]
pub struct ResultsData {
    pub run: Run,
    pub results: ResultsFile,
    pub lines: Vec<ResultLine>,
    /// Standard errors clustered by a sample field, when the user asked (`k`).
    pub clustering: Option<Clustering>,
}

/// A run's standard errors clustered by `path`, from its samples.
#[derive(Debug, Clone)]
pub struct Clustering {
    pub path: String,
    pub stderrs: Vec<crate::analysis::ClusteredStderr>,
}

/// The Results screen's lines, at once: no details are read here. evaldeck's corpus scores of
/// translation tasks come after, from [`corpus_scores`], and [`ResultsData::add_corpus_scores`].
pub fn load_results(run: &Run) -> Result<ResultsData, StoreError> {
    let results = run.load_results()?;
    let lines = result_lines(run, &results, &[]);
    Ok(ResultsData {
        run: run.clone(),
        results,
        lines,
        clustering: None,
    })
}

/// evaldeck's corpus scores beside lighteval's translation rows (reads those tasks' details).
pub fn corpus_scores(data: &ResultsData) -> Vec<crate::tracker::CorpusScore> {
    crate::tracker::corpus_scores(
        &data.run,
        &data.results,
        crate::stats::LIGHTEVAL_BOOTSTRAP_ITERS,
    )
}

impl ResultsData {
    pub fn add_corpus_scores(&mut self, scores: &[crate::tracker::CorpusScore]) {
        self.lines = result_lines(&self.run, &self.results, scores);
        self.cluster_lines();
    }

    /// Clusters the lines' standard errors, or returns them to the stored ones (`None`).
    pub fn set_clustering(&mut self, clustering: Option<Clustering>) {
        self.clustering = clustering;
        self.cluster_lines();
    }

    fn cluster_lines(&mut self) {
        let clustered = self.clustering.as_ref().map(|c| c.stderrs.as_slice());
        crate::report::apply_clustering(&mut self.lines, clustered);
    }
}

/// The report's lines, each task's samples counted from its details file where its results
/// record no count (a Hub run's only once fetched: listing them must not download them).
fn result_lines(
    run: &Run,
    results: &ResultsFile,
    corrected: &[crate::tracker::CorpusScore],
) -> Vec<ResultLine> {
    let count = |task: &str| {
        if run.log.is_some() {
            return None;
        }
        run.details_path(task)
            .filter(|p| run.remote.is_none() || p.exists())
            .and_then(|p| DetailsFile::open(p).ok())
            .map(|f| f.num_rows())
    };
    crate::report::result_lines(results, corrected, &count)
}

pub use crate::model::Verdict;

mod samples;
pub use samples::*;
mod transcript;
pub use transcript::{
    FOLDED_LINES, LaidLine, RoleTone, Tone, TranscriptLayout, lay_out_events, lay_out_messages,
};

/// A cancellation flag shared with a background job; setting it asks the job to stop.
pub type CancelFlag = Arc<AtomicBool>;

/// The task key a Results line opens (derived rows have no details).
pub fn task_of(line: &ResultLine) -> Option<&str> {
    (!TaskKey::new(line.task.as_str()).is_derived()).then_some(line.task.as_str())
}

/// Compact JSON of a value, for the raw view and metric cells.
pub fn json_text(value: &Json, pretty: bool) -> String {
    let options = if pretty {
        crate::model::pyjson::WriteOptions::PYTHON_INDENT2
    } else {
        crate::model::pyjson::WriteOptions {
            indent: None,
            non_finite: crate::model::pyjson::NonFinite::PythonTokens,
        }
    };
    crate::model::pyjson::to_string(value, options)
}

/// One flipped sample, with what the Flips list and the side-by-side view show.
#[derive(Debug, Clone, PartialEq)]
pub struct FlipRow {
    pub kind: &'static str,
    pub a_row: Option<usize>,
    pub b_row: Option<usize>,
    pub query: String,
    pub prediction_a: String,
    pub prediction_b: String,
    pub metrics_a: Vec<(String, String)>,
    pub metrics_b: Vec<(String, String)>,
}

/// The Diff screen's data.
#[derive(Debug, Clone)]
pub struct DiffData {
    pub a_label: String,
    pub b_label: String,
    pub report: crate::diff::DiffReport,
    /// Per task, its flips for the report's flip metric.
    pub flips: Vec<(String, Vec<FlipRow>)>,
}

/// Compares run B with run A and gathers the flipped samples' texts.
pub fn load_diff(a: &Run, b: &Run) -> Result<DiffData, StoreError> {
    let (side_a, side_b) = (
        crate::analysis::Side::load(a)?,
        crate::analysis::Side::load(b)?,
    );
    let report = crate::diff::diff(&side_a, &side_b, None)?;
    let metric_cells = |detail: &Detail| -> Vec<(String, String)> {
        detail
            .metric
            .iter()
            .map(|(k, v)| (k.clone(), one_line(&json_text(v, false), 60)))
            .collect()
    };
    let mut flips = Vec::new();
    for (task, task_flips) in &report.flips {
        let load = |run: &Run, name: &str| -> Result<Vec<Detail>, StoreError> {
            let file = run.open_details(name)?;
            let mut rows = Vec::new();
            for batch in file.list_details(8192)? {
                rows.extend(batch?);
            }
            Ok(rows)
        };
        let key = TaskKey::new(task.as_str());
        let task_b = b
            .details
            .iter()
            .map(|(t, _)| t.as_str())
            .find(|t| {
                let k = TaskKey::new(*t);
                k.name() == key.name() && k.fewshot() == key.fewshot()
            })
            .unwrap_or(task);
        let (rows_a, rows_b) = (load(a, task)?, load(b, task_b)?);
        let pair = |kind: &'static str, i: Option<usize>, j: Option<usize>| {
            let da = i.map(|i| &rows_a[i]);
            let db = j.map(|j| &rows_b[j]);
            FlipRow {
                kind,
                a_row: i,
                b_row: j,
                query: da.or(db).map_or(String::new(), |d| d.doc.query.clone()),
                prediction_a: da.map_or(String::new(), |d| d.prediction().text().to_owned()),
                prediction_b: db.map_or(String::new(), |d| d.prediction().text().to_owned()),
                metrics_a: da.map_or_else(Vec::new, metric_cells),
                metrics_b: db.map_or_else(Vec::new, metric_cells),
            }
        };
        let mut rows = Vec::new();
        rows.extend(
            task_flips
                .right_to_wrong
                .iter()
                .map(|&(i, j)| pair("right→wrong", Some(i), Some(j))),
        );
        rows.extend(
            task_flips
                .wrong_to_right
                .iter()
                .map(|&(i, j)| pair("wrong→right", Some(i), Some(j))),
        );
        rows.extend(
            task_flips
                .same_score_different_prediction
                .iter()
                .map(|&(i, j)| pair("same score, other answer", Some(i), Some(j))),
        );
        rows.extend(
            task_flips
                .only_a
                .iter()
                .map(|&i| pair("only in A", Some(i), None)),
        );
        rows.extend(
            task_flips
                .only_b
                .iter()
                .map(|&j| pair("only in B", None, Some(j))),
        );
        flips.push((task.clone(), rows));
    }
    let label = |run: &Run| format!("{} @ {}", run.model, run.date_id);
    Ok(DiffData {
        a_label: label(a),
        b_label: label(b),
        report,
        flips,
    })
}
