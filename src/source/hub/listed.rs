//! Other harnesses' runs in an organisation's listing, recognised by their file names as the
//! local reader recognises their contents, and confirmed by content when opened:
//!
//! - Inspect: every `<created>_<task>_<id>.eval` log is a run (shard logs under `<name>.shards/`
//!   are covered by a merged `<name>.eval` beside them and left out, as Inspect's viewer leaves
//!   them).
//! - lm-eval: `<org>__<model>/results_<date>.json` and the `samples_<task>_<date>.jsonl` beside it
//!   (the Open LLM Leaderboard's details repos), a results file outside lighteval's
//!   `results/<model>/` that no details file shares a date with.
//!
//! Nothing is downloaded until a run is opened: then its results file or log comes down whole
//! (logs are read whole), and each samples file when its task is opened; the harness's own
//! reader takes them, and has the last word on what they are.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{RepoError, RepoFiles};
use crate::store::{self, Harness, HarnessRun, LogRun, Run, SampleLog, StoreError};

/// The Inspect and lm-eval runs among a listed repo's files (`paths` in the repo), with the
/// files they leave to lighteval's reading.
pub(super) fn listed_log_runs(
    files: &Arc<RepoFiles>,
    repo_model: &str,
    paths: &[&str],
) -> (Vec<Run>, Vec<String>) {
    let mut runs = Vec::new();
    let mut claimed: Vec<String> = Vec::new();
    let name_of = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
    let folder_of = |path: &str| path.rsplit_once('/').map_or("", |(f, _)| f).to_owned();
    // Inspect: one run per log.
    for path in paths.iter().filter(|p| p.ends_with(".eval")) {
        // A shard whose merged log is listed beside its `.shards` folder is covered by it (the
        // listing has no times or statuses to check; the merged log says, once opened).
        if let Some((shards, _)) = path.split_once(".shards/") {
            let merged = [format!("{shards}.eval"), format!("{shards}-recovered.eval")];
            if merged.iter().any(|m| paths.contains(&m.as_str())) {
                claimed.push(path.to_string());
                continue;
            }
        }
        let (date, task) = inspect_name(&name_of(path));
        // The logs of an eval set start in the same second: the log's id keeps each its own.
        let date = match log_id(&name_of(path)) {
            Some(id) => format!("{date}.{id}"),
            None => date,
        };
        let run = listed_run(
            files,
            Harness::Inspect,
            repo_model,
            &date,
            path,
            &[path],
            task,
        );
        runs.push(run);
        claimed.push(path.to_string());
    }
    // lm-eval: a results file and its samples, by folder and date.
    for path in paths {
        let name = name_of(path);
        let Some(date) = store::parse_results_file_name(&name) else {
            continue;
        };
        let folder = folder_of(path);
        let samples: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|p| folder_of(p) == folder)
            .filter(|p| lm_eval_samples_date(&name_of(p)).is_some_and(|(_, d)| d == date))
            .collect();
        let under_results = folder == "results" || folder.starts_with("results/");
        let details_share_date = paths
            .iter()
            .any(|p| store::parse_details_file_name(&name_of(p)).is_some_and(|(_, d)| d == date));
        let lm_eval =
            !samples.is_empty() || (!under_results && !details_share_date && folder.contains("__"));
        if !lm_eval {
            continue;
        }
        let model = match folder.rsplit('/').next() {
            Some(last) if last.contains("__") => last.replace("__", "/"),
            _ => repo_model.to_owned(),
        };
        let mut all = vec![*path];
        all.extend(&samples);
        let mut run = listed_run(files, Harness::LmEval, &model, date, path, &all, None);
        run.details = samples
            .iter()
            .filter_map(|p| {
                let (task, _) = lm_eval_samples_date(&name_of(p))?;
                Some((task, files.snapshot.join(p)))
            })
            .collect();
        run.details.sort();
        claimed.extend(all.iter().map(|p| p.to_string()));
        runs.push(run);
    }
    (runs, claimed)
}

fn listed_run(
    files: &Arc<RepoFiles>,
    harness: Harness,
    model: &str,
    date: &str,
    main: &str,
    all: &[&str],
    task: Option<String>,
) -> Run {
    let paths: Vec<PathBuf> = all.iter().map(|p| files.snapshot.join(p)).collect();
    let main_path = files.snapshot.join(main);
    let details = task
        .map(|task| vec![(task, main_path.clone())])
        .unwrap_or_default();
    let opened = ListedLogRun {
        harness,
        files: files.clone(),
        paths,
        opened: Mutex::new(None),
    };
    Run {
        results_path: Some(main_path),
        details,
        remote: Some(files.remote()),
        harness,
        log: Some(LogRun(Arc::new(opened))),
        ..Run::lighteval(model, date)
    }
}

/// `samples_<task>_<date>.jsonl` (or `.json`) → `(task, date)`, as the local reader names them.
fn lm_eval_samples_date(name: &str) -> Option<(String, String)> {
    crate::source::lm_eval::samples_task_and_date(name)
        .map(|(task, date)| (task.to_owned(), date.to_owned()))
}

/// `2026-02-06T01-49-23-07-00_scicode_fXKJvoyJdbtWYQAWpTYDvJ.eval` → the creation time in UTC,
/// shaped as the local reader dates Inspect runs (`2026-02-06T08-49-23`), and the task. A name
/// of another shape is dated and named by itself.
fn inspect_name(name: &str) -> (String, Option<String>) {
    let stem = name.strip_suffix(".eval").unwrap_or(name);
    let Some((created, rest)) = stem.split_once('_') else {
        return (stem.to_owned(), None);
    };
    let task = rest
        .rsplit_once('_')
        .map(|(task, _id)| task)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    (
        utc_of_file_time(created).unwrap_or_else(|| created.to_owned()),
        task,
    )
}

/// The first 8 characters of the log id that ends an Inspect log's name.
fn log_id(name: &str) -> Option<String> {
    let stem = name.strip_suffix(".eval")?;
    let (_, id) = stem.rsplit_once('_')?;
    (id.len() >= 8 && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| id.chars().take(8).collect())
}

/// Inspect's file-name time, `2026-02-06T01-49-23-07-00` or `…T05-22-33+00-00`, in UTC.
fn utc_of_file_time(created: &str) -> Option<String> {
    let (day, time) = created.split_once('T')?;
    let clock = time.get(..8)?.replace('-', ":");
    let (sign, offset) = time.get(8..)?.split_at_checked(1)?;
    if sign != "+" && sign != "-" {
        return None;
    }
    let zone = format!("{sign}{}", offset.replace('-', ":"));
    let parsed = chrono::DateTime::parse_from_rfc3339(&format!("{day}T{clock}{zone}")).ok()?;
    Some(
        parsed
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H-%M-%S")
            .to_string(),
    )
}

/// A run known from the listing's file names, read by its harness's reader once its files are
/// downloaded: the results (or the log) when the results are first asked for, a task's samples
/// file when that task is. A failure (the network, a file that is not what its name says) is
/// not kept: the next ask tries again.
struct ListedLogRun {
    harness: Harness,
    files: Arc<RepoFiles>,
    /// The run's files where the cache puts them: the results file (or the log) first, then
    /// lm-eval's samples files.
    paths: Vec<PathBuf>,
    /// The reader of what is on disk, once read.
    opened: Mutex<Option<(usize, Arc<dyn HarnessRun>)>>,
}

impl ListedLogRun {
    /// The harness's reader over the run's files on disk, after bringing `wanted` down.
    fn open(&self, wanted: &[&PathBuf]) -> store::Result<Arc<dyn HarnessRun>> {
        let main = self.paths.first().cloned().unwrap_or_default();
        let fail = |problem: RepoError| StoreError::Fetch {
            path: main.clone(),
            source: Box::new(problem),
        };
        for path in wanted.iter().filter(|p| !p.exists()) {
            self.files.download(path).map_err(fail)?;
        }
        let on_disk: Vec<PathBuf> = self.paths.iter().filter(|p| p.exists()).cloned().collect();
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((count, run)) = opened.as_ref()
            && *count == on_disk.len()
        {
            return Ok(run.clone());
        }
        let formats = crate::source::log_formats();
        let catalog = store::discover_files_with(&self.files.snapshot, on_disk.clone(), &formats)
            .map_err(|e| fail(e.into()))?;
        let run = catalog
            .runs()
            .next()
            .ok_or_else(|| fail(RepoError::NoRun))?;
        let Some(log) = &run.log else {
            return Err(fail(RepoError::OtherHarness {
                found: run.harness,
                listed: self.harness,
            }));
        };
        *opened = Some((on_disk.len(), log.0.clone()));
        Ok(log.0.clone())
    }

    fn main(&self) -> Vec<&PathBuf> {
        self.paths.first().into_iter().collect()
    }
}

impl HarnessRun for ListedLogRun {
    fn harness(&self) -> Harness {
        self.harness
    }

    fn results(&self) -> store::Result<crate::model::ResultsFile> {
        self.open(&self.main())?.results()
    }

    /// A task by the reader's name for it (its samples file comes down first); a run of one task
    /// answers to the listing's name too (an Inspect log's file name gives a task the log may
    /// name otherwise).
    fn samples(&self, task: &str) -> store::Result<Arc<dyn SampleLog>> {
        let mut wanted = self.main();
        wanted.extend(self.paths.iter().skip(1).filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(lm_eval_samples_date)
                .is_some_and(|(t, _)| t == task)
        }));
        let run = self.open(&wanted)?;
        match run.samples(task) {
            Ok(samples) => Ok(samples),
            Err(error) => {
                let results = run.results()?;
                match results.measured_tasks().as_slice() {
                    [only] => run.samples(only.as_str()),
                    _ => Err(error),
                }
            }
        }
    }

    /// Copying or pushing needs every file.
    fn files(&self) -> Vec<(PathBuf, PathBuf)> {
        let all: Vec<&PathBuf> = self.paths.iter().collect();
        match self.open(&all) {
            Ok(run) => run.files(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_file_names_give_a_utc_date_and_the_task() {
        assert_eq!(
            inspect_name("2026-02-06T01-49-23-07-00_scicode_fXKJvoyJdbtWYQAWpTYDvJ.eval"),
            ("2026-02-06T08-49-23".to_owned(), Some("scicode".to_owned()))
        );
        assert_eq!(
            inspect_name("2026-02-20T05-22-33+00-00_starsim-benchmark_24AbBSr25iP6DbfTNwbAUU.eval"),
            (
                "2026-02-20T05-22-33".to_owned(),
                Some("starsim-benchmark".to_owned())
            )
        );
        assert_eq!(inspect_name("log.eval"), ("log".to_owned(), None));
    }

    #[test]
    fn lm_eval_samples_names_of_both_extensions() {
        assert_eq!(
            lm_eval_samples_date(
                "samples_leaderboard_bbh_navigate_2025-01-25T04-48-43.622918.jsonl"
            ),
            Some((
                "leaderboard_bbh_navigate".to_owned(),
                "2025-01-25T04-48-43.622918".to_owned()
            ))
        );
        assert!(lm_eval_samples_date("samples_x_2024-06-17T15-44-37.867068.json").is_some());
        assert!(lm_eval_samples_date("results_2024.json").is_none());
    }
}
