//! The seam for other harnesses' logs. lighteval's own files are read by the rest of `store`;
//! every other format (Inspect AI, lm-evaluation-harness, and any added later) is a [`LogFormat`]
//! that claims its files, groups them into runs, and reads them through two small traits:
//!
//! - [`HarnessRun`]: one run's results, shaped as a lighteval results document (so the Results
//!   screen, `show`, `diff` and the config panel read every harness alike), and its tasks' samples;
//! - [`SampleLog`]: one task's samples as [`Detail`]s, each with the harness's own record beside it.
//!
//! A new format is one file implementing these three traits, plus its entry in
//! `source::log_formats()`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::Result;
use crate::model::transcript::Transcript;
use crate::model::{Detail, Map, ResultsFile};

/// Which harness wrote a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Harness {
    Lighteval,
    Inspect,
    LmEval,
}

impl Harness {
    /// The name used in output (`"harness": "lm-eval"`).
    pub fn name(self) -> &'static str {
        match self {
            Harness::Lighteval => "lighteval",
            Harness::Inspect => "inspect",
            Harness::LmEval => "lm-eval",
        }
    }
}

impl std::fmt::Display for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a file's first bytes say about it, enough for a format to claim it without reading it
/// whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHead {
    /// A zip archive (`PK\x03\x04`).
    pub zip: bool,
    /// A Parquet file (`PAR1`).
    pub parquet: bool,
    /// The top-level keys of a JSON object document, in order, as far as the first few
    /// megabytes go.
    pub json_keys: Vec<String>,
    /// The keys of the first line's object, for a JSON-lines file (`.jsonl`).
    pub first_line_keys: Vec<String>,
}

impl FileHead {
    pub fn has_key(&self, key: &str) -> bool {
        self.json_keys.iter().any(|k| k == key)
    }

    pub fn first_line_has(&self, key: &str) -> bool {
        self.first_line_keys.iter().any(|k| k == key)
    }
}

/// A reader of one harness's logs.
pub trait LogFormat: Send + Sync {
    fn harness(&self) -> Harness;

    /// Whether `path` is one of this format's files, from its name and head.
    fn claims(&self, path: &Path, head: &FileHead) -> bool;

    /// The runs among `files`, each one claimed by this format. `root` is the source the user
    /// named (model names may come from the folders below it).
    fn runs(&self, root: &Path, files: &[PathBuf]) -> FoundRuns;

    /// Whether a folder holds only what another file of this format already covers (Inspect's
    /// shard logs, once merged): it is not walked.
    fn hides(&self, _folder: &Path) -> bool {
        false
    }

    /// Whether a file describes a folder of this format's logs rather than being one (Inspect's
    /// `logs.json`, `eval-set.json`, `listing.json`): named as a source, its folder is opened.
    fn is_manifest(&self, _path: &Path) -> bool {
        false
    }
}

/// What a format found among its files: the runs, and the files it could not read.
#[derive(Debug, Default)]
pub struct FoundRuns {
    pub runs: Vec<super::Run>,
    pub unreadable: Vec<super::StoreError>,
}

/// One run of a harness other than lighteval.
pub trait HarnessRun: Send + Sync {
    fn harness(&self) -> Harness;

    /// The run's results as a lighteval-shaped document: `config_general` (with `model_name`),
    /// `results` (task → `metric`, `metric_stderr`), `versions`, `config_tasks`, and
    /// `evaldeck_harness` (see [`ResultsFile::harness_section`]).
    fn results(&self) -> Result<ResultsFile>;

    /// One task's samples.
    fn samples(&self, task: &str) -> Result<Arc<dyn SampleLog>>;

    /// Every file the run is made of, each with where a copy puts it (relative to the output
    /// folder, in the harness's own layout), so a saved copy opens as the original does.
    fn files(&self) -> Vec<(PathBuf, PathBuf)>;
}

/// The rows of a [`SampleLog`], a batch at a time: each row's own record and its [`Detail`].
pub type LogRows = Box<dyn Iterator<Item = Result<Vec<(Map, Detail)>>> + Send>;

/// One task's samples, read on demand.
pub trait SampleLog: Send + Sync {
    /// The file the samples are in.
    fn path(&self) -> &Path;

    /// How many rows (samples × epochs, or documents × filters); known without reading rows.
    fn num_rows(&self) -> u64;

    /// Names of the per-sample scores.
    fn metric_names(&self) -> Vec<String>;

    /// Every row, in batches, in the harness's order.
    fn rows(self: Arc<Self>, batch_rows: usize) -> Result<LogRows>;

    /// One row, by position.
    fn read_row(&self, index: u64) -> Result<(Map, Detail)>;

    /// Every row's sample id and epoch, in row order, when the file says them without a row
    /// being read (an Inspect log's member names); `None` otherwise.
    fn sample_keys(&self) -> Option<Vec<(String, i64)>> {
        None
    }

    /// A row's transcript, from its record and its [`Detail`] (what [`SampleLog::read_row`]
    /// gave): by default the query and the answers, as a lighteval row gives them.
    fn transcript(&self, _record: &Map, detail: &Detail) -> Transcript {
        Transcript::from_detail(detail)
    }

    /// At most `limit` rows as `samples --format jsonl` writes them (the common keys, then the
    /// harness's own fields), written straight from the file when the format can do that faster
    /// than through [`SampleLog::rows`]; `None` when it cannot. The output must equal, as JSON
    /// values, what the rows give.
    fn write_common_jsonl(
        &self,
        _limit: u64,
        _out: &mut dyn std::io::Write,
        _out_name: &Path,
    ) -> Option<Result<()>> {
        None
    }
}

/// A [`HarnessRun`] inside a [`Run`](super::Run): compared by identity.
#[derive(Clone)]
pub struct LogRun(pub Arc<dyn HarnessRun>);

impl std::fmt::Debug for LogRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogRun({})", self.0.harness())
    }
}

impl PartialEq for LogRun {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LogRun {}
