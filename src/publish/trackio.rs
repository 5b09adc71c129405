//! lighteval's `use_wandb` with Trackio: the run's results logged to a Trackio project.
//!
//! Trackio (0.28 and later) imports JSON-lines "inbox fragments" dropped in
//! `$TRACKIO_DIR/inbox/<writer>/<seq>.jsonl`: its own client writes them when its storage is
//! unreachable, its dashboard imports them while it runs, and `trackio.fragments.import_inbox_dir()`
//! imports them on demand. The format is versioned (`"v": 1`) and unchanged from 0.28 to 0.43.
//! It appends to an existing project and keeps exact values, timestamps and a run config, which
//! neither of Trackio's other imports does (`import_csv` cuts metric names to 10 characters;
//! `import_tf_events` refuses an existing project and keeps 32-bit values). Writing Trackio's
//! SQLite database directly would tie us to a schema it documents for reading only.
//!
//! Metrics are flattened, `{task with : as /}/{metric}` (`mmlu/anatomy|5/acc`): lighteval logs
//! nested dicts, which Trackio stores but does not plot.

use std::path::{Path, PathBuf};

use super::error::PublishError;
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map, ResultsFile};
use crate::store::{self, StoreError};

/// The format version of the fragments written here.
const FRAGMENT_VERSION: i64 = 1;

/// `TRACKIO_DIR`, else `$HF_HOME/trackio` (`~/.cache/huggingface/trackio`).
pub fn trackio_dir() -> PathBuf {
    std::env::var_os("TRACKIO_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::hub::hf_home().join("trackio"))
}

/// The project: the flag, else `TRACKIO_PROJECT`, else lighteval's `WANDB_PROJECT`.
pub fn trackio_project(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_owned)
        .or_else(|| std::env::var("TRACKIO_PROJECT").ok())
        .or_else(|| std::env::var("WANDB_PROJECT").ok())
        .filter(|p| !p.trim().is_empty())
}

/// `results`' rows as Trackio metrics: `{task with : as /}/{metric}`, numbers only; NaN and
/// infinities as Trackio writes them (`"NaN"`, `"Infinity"`).
pub fn trackio_metrics(results: &ResultsFile) -> Map {
    let mut metrics = Map::new();
    if let Some(Json::Object(rows)) = results.as_map().get("results") {
        for (task, row) in rows {
            let Json::Object(row) = row else { continue };
            for (metric, value) in row {
                let Some(number) = value.as_f64() else {
                    continue;
                };
                // Trackio's own encoding of non-finite values, which it decodes when reading.
                let value = if number.is_nan() {
                    Json::Str("NaN".into())
                } else if number.is_infinite() {
                    Json::Str(
                        if number > 0.0 {
                            "Infinity"
                        } else {
                            "-Infinity"
                        }
                        .into(),
                    )
                } else {
                    Json::Float(number)
                };
                metrics.insert(format!("{}/{metric}", task.replace(':', "/")), value);
            }
        }
    }
    metrics
}

/// What was logged, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackioLogged {
    pub project: String,
    pub run: String,
    pub fragment: PathBuf,
    pub metrics: usize,
}

/// Drops one fragment for this run into `trackio_dir`'s inbox, atomically. `run_name` is the run's
/// name in Trackio; `run_key` makes its id unique (the date id).
pub fn log_to_trackio(
    trackio_dir: &Path,
    project: &str,
    run_name: &str,
    run_key: &str,
    results: &ResultsFile,
    step: i64,
) -> Result<TrackioLogged, PublishError> {
    let metrics = trackio_metrics(results);
    let count = metrics.len();
    let general = results.general();
    let mut config = Map::new();
    config.insert(
        "evaldeck_version".into(),
        Json::Str(env!("CARGO_PKG_VERSION").into()),
    );
    if let Some(model) = general.model_name() {
        config.insert("model_name".into(), Json::Str(model.into()));
    }
    config.insert("date_id".into(), Json::Str(run_key.into()));
    if let Some(sha) = general.lighteval_sha() {
        config.insert("lighteval_sha".into(), Json::Str(sha.into()));
    }
    let run_id = format!(
        "evaldeck-{}",
        short_hash(&format!("{project}\0{run_name}\0{run_key}"))
    );
    let timestamp = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string();
    let mut record = Map::new();
    record.insert("v".into(), Json::Int(FRAGMENT_VERSION));
    record.insert("kind".into(), Json::Str("metric".into()));
    record.insert("project".into(), Json::Str(project.into()));
    record.insert("run".into(), Json::Str(run_name.into()));
    record.insert("run_id".into(), Json::Str(run_id.clone()));
    record.insert("metrics".into(), Json::Object(metrics));
    record.insert("step".into(), Json::Int(step));
    record.insert("timestamp".into(), Json::Str(timestamp));
    record.insert("config".into(), Json::Object(config));
    // The same run logged twice is imported once.
    record.insert("log_id".into(), Json::Str(format!("{run_id}-{step}")));
    let mut line = pyjson::to_string(&Json::Object(record), WriteOptions::STRICT_COMPACT);
    line.push('\n');

    let writer_dir = trackio_dir
        .join("inbox")
        .join(format!("evaldeck-{}", &run_id["evaldeck-".len()..]));
    std::fs::create_dir_all(&writer_dir).map_err(|e| StoreError::io(&writer_dir, e))?;
    // Trackio deletes a fragment once imported; the next free number keeps order and never
    // overwrites one still waiting.
    let mut sequence = 0u32;
    let mut fragment = writer_dir.join(format!("{sequence:08}.jsonl"));
    while fragment.exists() {
        sequence += 1;
        fragment = writer_dir.join(format!("{sequence:08}.jsonl"));
    }
    // write_atomically writes a hidden temporary beside it, which Trackio's `*.jsonl` scan skips.
    store::write_atomically(&fragment, line.as_bytes())?;
    Ok(TrackioLogged {
        project: project.into(),
        run: run_name.into(),
        fragment,
        metrics: count,
    })
}

fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::model::hex::to_hex(&Sha256::digest(text.as_bytes())[..8])
}
