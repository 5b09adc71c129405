//! Finding runs: which models and which runs (`date_id`s) a folder holds, in lighteval's layout
//!
//! ```text
//! {output_dir}/results/{model_name}/results_{date_id}.json
//! {output_dir}/details/{model_name}/{date_id}/details_{task}_{date_id}.parquet
//! ```
//!
//! A model name may contain `/` (two folder levels). Either half of a run may be missing. A source
//! can also be the `results` or `details` folder, one model's folder, one results file or one
//! details folder.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::catalog::{Catalog, ModelRuns, Run, SourceKind};
use super::error::{Result, StoreError};
use super::log::{FileHead, LogFormat};
use super::results::read_results;
use crate::model::Json;

/// Folders deeper than this below the source are not searched.
const MAX_DEPTH: usize = 12;

/// `results_<date_id>.json` → `date_id`.
pub fn parse_results_file_name(name: &str) -> Option<&str> {
    let date = name.strip_prefix("results_")?.strip_suffix(".json")?;
    looks_like_date_id(date).then_some(date)
}

/// `details_<task>_<date_id>.parquet` → `(task, date_id)`. Task keys may contain `_`, `|` and
/// `:`; the date id never contains `_`, so the last `_` separates them.
pub fn parse_details_file_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_prefix("details_")?.strip_suffix(".parquet")?;
    let (task, date) = stem.rsplit_once('_')?;
    (!task.is_empty() && looks_like_date_id(date)).then_some((task, date))
}

/// lighteval's `date_id`: `datetime.now().isoformat()` with `:` replaced by `-`
/// (`2026-11-23T21-40-51.814529`). Only the shape `YYYY-MM-DD…` is checked, so ids from other
/// writers with a different time part still match.
fn looks_like_date_id(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && !date.contains(['/', '\\', '_'])
}

/// Finds every lighteval run under `source` (a folder, a results file, or a details file).
pub fn discover(source: &Path) -> Result<Catalog> {
    discover_with(source, &[])
}

/// Finds every run under `source`: lighteval's, and those of `formats`, which claim their files
/// by content.
pub fn discover_with(source: &Path, formats: &[&dyn LogFormat]) -> Result<Catalog> {
    let meta = std::fs::metadata(source).map_err(|e| StoreError::io(source, e))?;
    // A manifest stands for its folder: the logs it lists are beside it.
    if meta.is_file()
        && formats.iter().any(|f| f.is_manifest(source))
        && let Some(folder) = source.parent()
    {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        return discover_with(folder, formats);
    }
    let mut found = Found::new(formats);
    let kind = if meta.is_dir() {
        let mut visited = HashSet::new();
        walk(source, source, 0, &mut visited, &mut found)?;
        SourceKind::Folder
    } else {
        let name = file_name(source).unwrap_or("");
        let claim = found.claim(source);
        if let Claim::Taken = claim {
            SourceKind::LogFile
        // A file named explicitly is taken for what its extension says, whatever its name.
        } else if name.ends_with(".json") {
            // Claimed by no harness: lighteval's results have `config_general`; a document that
            // has keys but not that one is read by nobody's rules, and says so.
            let head = match &claim {
                Claim::Left(head) => head.as_ref(),
                Claim::Taken => None,
            };
            if !looks_like_lighteval_results(source, head) {
                return Err(StoreError::UnknownFormat {
                    path: source.to_owned(),
                });
            }
            let date = parse_results_file_name(name).map_or_else(|| stem(source), str::to_owned);
            found.results.push((source.to_owned(), date));
            add_details_beside(source, &mut found);
            SourceKind::ResultsFile
        } else if name.ends_with(".parquet") {
            match parse_details_file_name(name) {
                // The other tasks of the same run sit beside it.
                Some(_) => {
                    let folder = source.parent().unwrap_or(Path::new("."));
                    for entry in read_dir_sorted(folder)? {
                        if entry.is_file() {
                            found.add(entry);
                        }
                    }
                }
                None => {
                    let run = source.parent().map_or_else(|| "?".into(), stem);
                    found.details.push((source.to_owned(), stem(source), run));
                }
            }
            SourceKind::DetailsFile
        } else {
            return Err(StoreError::UnknownFormat {
                path: source.to_owned(),
            });
        }
    };
    let claimed = std::mem::take(&mut found.claimed);
    let mut unreadable = not_read_notes(&mut found);
    let mut models = group(source, found)?;
    for (format, files) in formats.iter().zip(claimed) {
        if files.is_empty() {
            continue;
        }
        let mut read = format.runs(source, &files);
        // A log named alone that cannot be read is the answer; in a folder, its neighbours are.
        if kind == SourceKind::LogFile && !read.unreadable.is_empty() {
            return Err(read.unreadable.swap_remove(0));
        }
        unreadable.extend(read.unreadable.iter().map(ToString::to_string));
        merge_runs(&mut models, read.runs);
    }
    if models.is_empty() {
        return Err(StoreError::NoRuns {
            path: source.to_owned(),
        });
    }
    Ok(Catalog {
        source: source.to_owned(),
        kind,
        models,
        unreadable,
    })
}

fn not_read_notes(found: &mut Found<'_>) -> Vec<String> {
    std::mem::take(&mut found.not_read)
        .into_iter()
        .map(|path| StoreError::UnknownFormat { path }.to_string())
        .collect()
}

/// Adds runs of other harnesses to the models, keeping both sorted (models by name, runs oldest
/// first).
fn merge_runs(models: &mut Vec<ModelRuns>, runs: Vec<Run>) {
    for run in runs {
        match models.iter_mut().find(|m| m.name == run.model) {
            Some(model) => model.runs.push(run),
            None => models.push(ModelRuns {
                name: run.model.clone(),
                runs: vec![run],
            }),
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    for model in models.iter_mut() {
        model
            .runs
            .sort_by(|a, b| a.date_id.cmp(&b.date_id).then(a.harness.cmp(&b.harness)));
    }
}

/// The runs among `files` (paths under `root`, which need not exist yet: a Hub repo's details
/// before they are fetched), found as [`discover`] finds them in a folder.
pub fn discover_files(root: &Path, files: Vec<PathBuf>) -> Result<Catalog> {
    discover_files_with(root, files, &[])
}

/// [`discover_files`], with the runs of `formats` among the files that are on disk.
pub fn discover_files_with(
    root: &Path,
    files: Vec<PathBuf>,
    formats: &[&dyn LogFormat],
) -> Result<Catalog> {
    let mut found = Found::new(formats);
    for file in files {
        found.add(file);
    }
    let claimed = std::mem::take(&mut found.claimed);
    let mut unreadable = not_read_notes(&mut found);
    let mut models = group(root, found)?;
    for (format, files) in formats.iter().zip(claimed) {
        if !files.is_empty() {
            let read = format.runs(root, &files);
            unreadable.extend(read.unreadable.iter().map(ToString::to_string));
            merge_runs(&mut models, read.runs);
        }
    }
    if models.is_empty() {
        return Err(StoreError::NoRuns {
            path: root.to_owned(),
        });
    }
    Ok(Catalog {
        source: root.to_owned(),
        kind: SourceKind::Folder,
        models,
        unreadable,
    })
}

/// Files found: lighteval's, with the date id (and task) their names or folders give, and those
/// another format claimed (one list per format).
struct Found<'f> {
    results: Vec<(PathBuf, String)>,
    /// Files named like lighteval's results that no harness's rules read.
    not_read: Vec<PathBuf>,
    details: Vec<(PathBuf, String, String)>,
    formats: &'f [&'f dyn LogFormat],
    claimed: Vec<Vec<PathBuf>>,
}

impl<'f> Found<'f> {
    fn new(formats: &'f [&'f dyn LogFormat]) -> Self {
        Found {
            results: Vec::new(),
            not_read: Vec::new(),
            details: Vec::new(),
            formats,
            claimed: vec![Vec::new(); formats.len()],
        }
    }

    /// Whether another format claims `path` (then it is kept for that format), and the head it
    /// read if not, so that lighteval's check reads no file twice. Only JSON, JSON lines and
    /// `.eval` files are looked into: lighteval's Parquet files never are.
    fn claim(&mut self, path: &Path) -> Claim {
        let Some(name) = file_name(path) else {
            return Claim::Left(None);
        };
        if self.formats.is_empty()
            || !(name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".eval"))
        {
            return Claim::Left(None);
        }
        let Ok(head) = super::sniff::file_head(path) else {
            return Claim::Left(None);
        };
        match self.formats.iter().position(|f| f.claims(path, &head)) {
            Some(i) => {
                self.claimed[i].push(path.to_owned());
                Claim::Taken
            }
            None => Claim::Left(Some(head)),
        }
    }

    /// Adds `path` if another format claims it or its name follows lighteval's naming.
    fn add(&mut self, path: PathBuf) {
        let Some(name) = file_name(&path) else { return };
        let Claim::Left(head) = self.claim(&path) else {
            return;
        };
        if let Some(date) = parse_results_file_name(name) {
            if !looks_like_lighteval_results(&path, head.as_ref()) {
                self.not_read.push(path);
                return;
            }
            let date = date.to_owned();
            self.results.push((path, date));
        } else if let Some((task, date)) = parse_details_file_name(name) {
            let (task, date) = (task.to_owned(), date.to_owned());
            self.details.push((path, task, date));
        }
    }
}

/// What [`Found::claim`] made of a file.
enum Claim {
    /// Another format took it.
    Taken,
    /// Left to lighteval, with its head when it was read.
    Left(Option<FileHead>),
}

/// Whether a JSON file may be lighteval's results: it has `config_general` (or `config`, as
/// lighteval's forerunner wrote, when lm-eval's rules did not claim it), or its keys cannot be
/// read (not on disk yet, or broken, which reading it then reports). `head` is the file's head
/// when it was already read.
fn looks_like_lighteval_results(path: &Path, head: Option<&FileHead>) -> bool {
    let read;
    let head = match head {
        Some(head) => head,
        None => match super::sniff::file_head(path) {
            Ok(head) => {
                read = head;
                &read
            }
            Err(_) => return true,
        },
    };
    head.json_keys.is_empty() || head.has_key("config_general") || head.has_key("config")
}

/// The stem of a file named by the user outside lighteval's naming (`my_results.json`).
fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "?".into(), |s| s.to_string_lossy().into_owned())
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    found: &mut Found,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    // A symlink loop would otherwise be walked until MAX_DEPTH, many times over.
    let canonical = std::fs::canonicalize(dir).map_err(|e| StoreError::io(dir, e))?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    let entries = match read_dir_sorted(dir) {
        Ok(entries) => entries,
        // An unreadable sub-folder should not hide the runs next to it.
        Err(_) if dir != root => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let Some(name) = file_name(&entry) else {
            continue;
        };
        if entry.is_dir() {
            if !name.starts_with('.') && !found.formats.iter().any(|f| f.hides(&entry)) {
                walk(root, &entry, depth + 1, visited, found)?;
            }
        } else {
            found.add(entry);
        }
    }
    Ok(())
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| StoreError::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// For a results file in lighteval's layout, the details of the same run live at
/// `{output_dir}/details/{model}/{date_id}/`.
fn add_details_beside(results_file: &Path, found: &mut Found) {
    let Some(date) = file_name(results_file).and_then(parse_results_file_name) else {
        return;
    };
    let Some(model_dir) = results_file.parent() else {
        return;
    };
    let mut model_parts = Vec::new();
    for ancestor in model_dir.ancestors() {
        if file_name(ancestor) == Some("results") {
            let Some(output_dir) = ancestor.parent() else {
                return;
            };
            let mut details_dir = output_dir.join("details");
            for part in model_parts.iter().rev() {
                details_dir.push(part);
            }
            details_dir.push(date);
            if let Ok(entries) = read_dir_sorted(&details_dir) {
                for entry in entries {
                    if file_name(&entry)
                        .and_then(parse_details_file_name)
                        .is_some_and(|(_, d)| d == date)
                    {
                        found.add(entry);
                    }
                }
            }
            return;
        }
        match file_name(ancestor) {
            Some(part) => model_parts.push(part.to_owned()),
            None => return,
        }
    }
}

/// The model name a file belongs to, from the folders between the layout's marker folder
/// (`results` / `details`) and the file's own folder.
fn model_from_folders(source: &Path, model_dir: &Path, marker: &str) -> Option<String> {
    let after_marker = |path: &Path| -> Option<String> {
        let parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
        let i = parts.iter().rposition(|p| *p == marker)?;
        let model = parts[i + 1..].join("/");
        (!model.is_empty()).then_some(model)
    };
    let relative = model_dir.strip_prefix(source).unwrap_or(model_dir);
    // Inside the source, or above it when the source is a folder within the layout
    // (`details/org-b` holds model `org-b/model-b`).
    after_marker(relative)
        .or_else(|| {
            std::path::absolute(model_dir)
                .ok()
                .and_then(|abs| after_marker(&abs))
        })
        .or_else(|| {
            let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
            (!parts.is_empty()).then(|| parts.join("/"))
        })
}

fn group(source: &Path, found: Found<'_>) -> Result<Vec<ModelRuns>> {
    let mut runs: BTreeMap<(String, String), Run> = BTreeMap::new();
    let source_dir = if source.is_dir() {
        source
    } else {
        source.parent().unwrap_or(Path::new("."))
    };
    let new_run = Run::lighteval;
    for (path, date) in found.results {
        let date = date.as_str();
        let model_dir = path.parent().unwrap_or(Path::new("."));
        let model = match model_from_folders(source_dir, model_dir, "results") {
            Some(model) => model,
            // Loose results file: the name inside it is the best we have.
            None => model_name_inside(&path).unwrap_or_else(|| "(unnamed model)".into()),
        };
        let run = runs
            .entry((model.clone(), date.to_owned()))
            .or_insert_with(|| new_run(&model, date));
        run.results_path = Some(path);
    }
    for (path, task, date) in found.details {
        let (task, date) = (task.as_str(), date.as_str());
        let run_dir = path.parent().unwrap_or(Path::new("."));
        // lighteval puts a run's details in a folder named after its date id.
        let model_dir = if file_name(run_dir) == Some(date) {
            run_dir.parent().unwrap_or(run_dir)
        } else {
            run_dir
        };
        let model = model_from_folders(source_dir, model_dir, "details")
            .or_else(|| {
                // Pair with a results file of the same date, if there is exactly one.
                let owners: Vec<&String> = runs
                    .keys()
                    .filter(|(_, d)| d == date)
                    .map(|(m, _)| m)
                    .collect();
                (owners.len() == 1).then(|| owners[0].clone())
            })
            .or_else(|| file_name(model_dir).map(str::to_owned))
            .unwrap_or_else(|| "(unnamed model)".into());
        let run = runs
            .entry((model.clone(), date.to_owned()))
            .or_insert_with(|| new_run(&model, date));
        run.details.push((task.to_owned(), path));
    }
    let mut models: Vec<ModelRuns> = Vec::new();
    for ((model, _), mut run) in runs {
        run.details.sort();
        match models.last_mut() {
            Some(last) if last.name == model => last.runs.push(run),
            _ => models.push(ModelRuns {
                name: model,
                runs: vec![run],
            }),
        }
    }
    Ok(models)
}

fn model_name_inside(path: &Path) -> Option<String> {
    let results = read_results(path).ok()?;
    results
        .general()
        .model_name()
        .map(str::to_owned)
        .or_else(|| {
            results
                .as_map()
                .get("config_general")?
                .get("model_name")
                .and_then(Json::as_str)
                .map(str::to_owned)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            parse_details_file_name("details_quiz:geo|0_2026-11-23T21-40-51.814529.parquet"),
            Some(("quiz:geo|0", "2026-11-23T21-40-51.814529"))
        );
        assert_eq!(
            parse_details_file_name("details_custom|mmlu_pro:math|5_2026-11-23T21-40-51.8.parquet"),
            Some(("custom|mmlu_pro:math|5", "2026-11-23T21-40-51.8"))
        );
        assert_eq!(parse_details_file_name("details__2026-11-23.parquet"), None);
        assert_eq!(parse_details_file_name("details_x_latest.parquet"), None);
        assert_eq!(
            parse_results_file_name("results_2026-11-23T21-40-51.814529.json"),
            Some("2026-11-23T21-40-51.814529")
        );
        assert_eq!(parse_results_file_name("results_latest.json"), None);
    }
}
