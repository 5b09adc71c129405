//! `hf://datasets/ORG/REPO[@REVISION]` as a source: a details repo (or any dataset repo holding
//! lighteval files) opened like a folder. The repo is listed, its results files are downloaded
//! at once (they are small) through `hf-hub`'s cache, pinned to the commit that was listed. A
//! task's details are read by range only when the task is opened, and only the pages decoded
//! (`ranges`); pushing or copying a run downloads them whole. With the Hub out of reach, the
//! cached copy is opened instead: what was read before reads again offline.

mod listed;
mod ranges;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ranges::HubFile;

use super::OpenedSource;
use super::SourceError;
use crate::hub::names::{is_commit_id, name_problem, revision_problem};
use crate::hub::{HubClient, HubEndpoint, HubError, ListedRepo, Repo};
use crate::store::names::relative_path_problem;
use crate::store::{self, Catalog, RemoteDetails, Run};

const PREFIX: &str = "hf://datasets/";

/// Why a repo of a listing, or one of its files, could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RepoError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("the Hub is out of reach and {0}")]
    NotCached(String),
    #[error("{} is not in the snapshot {}", path.display(), snapshot.display())]
    OutsideSnapshot { path: PathBuf, snapshot: PathBuf },
    #[error("{in_repo} is not in {repo} at {commit}")]
    NotListed {
        in_repo: String,
        repo: String,
        commit: String,
    },
    #[error("the cache put it at {}", .0.display())]
    Misplaced(PathBuf),
    #[error("bytes up to {end} asked for, {in_repo} has {len}")]
    PastTheEnd { end: u64, in_repo: String, len: u64 },
    #[error("the range request had no answer")]
    NoAnswer,
    #[error("not a repo of {0}")]
    NotOfOrg(String),
    #[error("`{name}`: {why}")]
    BadName { name: String, why: &'static str },
    #[error("the listing gave no commit to read it at")]
    NoCommit,
    #[error("no run in it, by its content")]
    NoRun,
    #[error("by its content a {found} run, not {listed}'s; open its repo to read it")]
    OtherHarness {
        found: store::Harness,
        listed: store::Harness,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSource {
    /// `ORG/REPO`.
    pub repo_id: String,
    pub revision: Option<String>,
}

impl HubSource {
    /// `None` when `text` is not an `hf://` source at all; an error when it is one, badly formed.
    pub fn parse(text: &str) -> Option<Result<HubSource, SourceError>> {
        if !text.starts_with("hf://") {
            return None;
        }
        let bad = |why: &str| Some(Err(SourceError::BadSource(text.into(), why.into())));
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return bad("only dataset repos are sources: hf://datasets/ORG/REPO[@REVISION]");
        };
        let (repo_id, revision) = match rest.split_once('@') {
            Some((repo, revision)) => (repo.trim_end_matches('/'), Some(revision)),
            None => (rest.trim_end_matches('/'), None),
        };
        let parts: Vec<&str> = repo_id.split('/').collect();
        if parts.len() != 2 {
            return bad("expected ORG/REPO after hf://datasets/");
        }
        for part in &parts {
            if let Some(why) = name_problem(part) {
                return bad(&format!("`{part}`: {why}"));
            }
        }
        if let Some(why) = revision.and_then(revision_problem) {
            return bad(&format!("the revision after @: {why}"));
        }
        Some(Ok(HubSource {
            repo_id: repo_id.to_owned(),
            revision: revision.map(str::to_owned),
        }))
    }

    pub fn revision(&self) -> &str {
        self.revision.as_deref().unwrap_or("main")
    }
}

impl std::fmt::Display for HubSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}", self.repo_id)?;
        if let Some(revision) = &self.revision {
            write!(f, "@{revision}")?;
        }
        Ok(())
    }
}

/// `hf://datasets/ORG`: every dataset repo of an organisation, each opened like
/// `hf://datasets/ORG/REPO` when one of its runs is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubOrg {
    pub org: String,
}

impl HubOrg {
    /// `None` when `text` does not name an organisation (a repo, a local path).
    pub fn parse(text: &str) -> Option<Result<HubOrg, SourceError>> {
        let org = text.strip_prefix(PREFIX)?.trim_end_matches('/');
        if org.contains('/') || org.contains('@') {
            return None;
        }
        if let Some(why) = name_problem(org) {
            return Some(Err(SourceError::BadSource(
                text.into(),
                format!("`{org}`: {why}"),
            )));
        }
        Some(Ok(HubOrg {
            org: org.to_owned(),
        }))
    }
}

impl std::fmt::Display for HubOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}", self.org)
    }
}

/// One page of an organisation's listing, as the Hub paginates it.
#[derive(Debug, Clone)]
pub struct OrgPage {
    /// 1 for the first page.
    pub number: usize,
    /// The repos on this page, `ORG/NAME`.
    pub repos: Vec<String>,
    /// The lighteval runs of those repos, by their file names: nothing is downloaded until a
    /// run's results or details are read.
    pub runs: Vec<Run>,
    /// Repos that could not be listed as runs, and why.
    pub unreadable: Vec<String>,
    /// Whether a next page follows.
    pub more: bool,
}

/// Lists `org`'s dataset repos and their runs a page at a time; `on_page` gets each page as it
/// arrives and says whether to go on.
pub fn list_hub_org(
    org: &HubOrg,
    endpoint: HubEndpoint,
    on_page: &mut dyn FnMut(OrgPage) -> bool,
) -> Result<(), SourceError> {
    let client = Arc::new(HubClient::new(endpoint)?);
    let mut next: Option<String> = None;
    // A server that names a page it already gave would page forever.
    let mut seen = std::collections::HashSet::new();
    for number in 1.. {
        let page = client.list_dataset_repos(&org.org, next.as_deref())?;
        let mut listed = OrgPage {
            number,
            repos: page.repos.iter().map(|r| r.id.clone()).collect(),
            runs: Vec::new(),
            unreadable: Vec::new(),
            more: page.next.is_some(),
        };
        for repo in &page.repos {
            match repo_runs(&client, &org.org, repo) {
                Ok(runs) => listed.runs.extend(runs),
                Err(why) => listed
                    .unreadable
                    .push(format!("{PREFIX}{}: {why}", repo.id)),
            }
        }
        let repeated = page.next.as_ref().is_some_and(|n| !seen.insert(n.clone()));
        if !on_page(listed) || page.next.is_none() || repeated {
            break;
        }
        next = page.next;
    }
    Ok(())
}

/// Every page of `org`'s listing, as one catalog (for commands that need all runs at once).
pub fn open_hub_org(org: &HubOrg, endpoint: HubEndpoint) -> Result<OpenedSource, SourceError> {
    let mut runs = Vec::new();
    let mut unreadable = Vec::new();
    list_hub_org(org, endpoint, &mut |page| {
        runs.extend(page.runs);
        unreadable.extend(page.unreadable);
        true
    })?;
    let source = PathBuf::from(org.to_string());
    if runs.is_empty() {
        return Err(SourceError::Store(store::StoreError::NoRuns {
            path: source,
        }));
    }
    Ok(OpenedSource {
        catalog: org_catalog(source, runs, unreadable),
        offline: false,
    })
}

/// Runs from many repos as one catalog, grouped by model, oldest run first.
pub fn org_catalog(source: PathBuf, runs: Vec<Run>, unreadable: Vec<String>) -> Catalog {
    let mut models: Vec<store::ModelRuns> = Vec::new();
    for run in runs {
        match models.iter_mut().find(|m| m.name == run.model) {
            Some(model) => model.runs.push(run),
            None => models.push(store::ModelRuns {
                name: run.model.clone(),
                runs: vec![run],
            }),
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    for model in &mut models {
        model.runs.sort_by(|a, b| a.date_id.cmp(&b.date_id));
    }
    Catalog {
        source,
        kind: store::SourceKind::Folder,
        models,
        unreadable,
    }
}

/// A listed repo's runs, from its file names: Inspect's logs and lm-eval's results ([`listed`]),
/// and lighteval's results file and details files of each date. A lighteval model is named by
/// the results file's folder when it has one, else by the repo (`details_ORG__MODEL`, as
/// lighteval names it, or `ORG__MODEL-details`).
fn repo_runs(
    client: &Arc<HubClient>,
    org: &str,
    listed: &ListedRepo,
) -> Result<Vec<Run>, RepoError> {
    // The id names cache folders and URLs: it must be `ORG/NAME` of plain Hub names.
    let name = match listed.id.split_once('/') {
        Some((owner, name)) if owner.eq_ignore_ascii_case(org) && !name.contains('/') => name,
        _ => return Err(RepoError::NotOfOrg(org.to_owned())),
    };
    if let Some(why) = name_problem(name) {
        return Err(RepoError::BadName {
            name: name.to_owned(),
            why,
        });
    }
    let commit = listed
        .commit
        .as_deref()
        .filter(|c| is_commit_id(c))
        .ok_or(RepoError::NoCommit)?;
    let snapshot = repo_cache(client, &listed.id)
        .join("snapshots")
        .join(commit);
    let files = RepoFiles::new(Some(client.clone()), &listed.id, &snapshot, commit);
    let remote = files.remote();
    let mut runs: std::collections::BTreeMap<String, Run> = std::collections::BTreeMap::new();
    let repo_model = model_of_repo(name);
    let inside: Vec<&str> = listed
        .files
        .iter()
        .map(String::as_str)
        .filter(|p| relative_path_problem(p).is_none())
        .collect();
    // Inspect's and lm-eval's runs first; lighteval reads the rest.
    let (log_runs, claimed) = listed::listed_log_runs(&files, &repo_model, &inside);
    for path in inside.iter().filter(|p| !claimed.iter().any(|c| c == *p)) {
        let file = file_name(path);
        if let Some(date) = store::parse_results_file_name(file) {
            let run = runs
                .entry(date.to_owned())
                .or_insert_with(|| Run::lighteval(&repo_model, date));
            run.results_path = Some(snapshot.join(path));
            if let Some(model) = path
                .strip_prefix("results/")
                .and_then(|rest| rest.rsplit_once('/'))
                .map(|(model, _)| model)
            {
                run.model = model.to_owned();
            }
        } else if let Some((task, date)) = store::parse_details_file_name(file) {
            runs.entry(date.to_owned())
                .or_insert_with(|| Run::lighteval(&repo_model, date))
                .details
                .push((task.to_owned(), snapshot.join(path)));
        }
    }
    Ok(runs
        .into_values()
        .map(|mut run| {
            run.details.sort();
            run.remote = Some(remote.clone());
            run
        })
        .chain(log_runs)
        .collect())
}

/// The model a details repo is named for: `details_org__model` (lighteval's name, evaldeck's
/// too) or `org__model-details` (the Open LLM Leaderboard's), else the repo's name.
fn model_of_repo(name: &str) -> String {
    let bare = name
        .strip_prefix("details_")
        .or_else(|| name.strip_suffix("-details"))
        .unwrap_or(name);
    bare.replace("__", "/")
}

/// Opens a details repo: its results files at once, its details on first open (through the
/// Hub's cache, pinned to the listed commit); the cached copy when the Hub is out of reach.
pub fn open_hub_source(
    source: &HubSource,
    endpoint: HubEndpoint,
) -> Result<OpenedSource, SourceError> {
    let client = Arc::new(HubClient::new(endpoint)?);
    let repo = Repo::dataset(&source.repo_id);
    let files = match client.list_files(&repo, Some(source.revision())) {
        Ok(files) => files,
        Err(error) if error.is_unreachable() => {
            return open_cached(&client, source).map(|catalog| OpenedSource {
                catalog,
                offline: true,
            });
        }
        Err(error) => return Err(error.into()),
    };
    // Paths come from the server: one that climbs out of the snapshot folder is never followed.
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| relative_path_problem(&f.path).is_none())
        .collect();
    let is_results = |path: &str| store::parse_results_file_name(file_name(path)).is_some();
    let is_details = |path: &str| store::parse_details_file_name(file_name(path)).is_some();
    // Other harnesses' logs are read whole, so they come down with the results files (range
    // reads of `.eval` archives are future work).
    let is_log = |path: &str| {
        let name = file_name(path);
        name.ends_with(".eval")
            || (name.ends_with(".json") && !name.starts_with('.'))
            || (name.starts_with("samples_") && name.ends_with(".jsonl"))
    };
    let eager: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| is_results(p) || is_log(p))
        .collect();
    let Some(first) = eager.first() else {
        return Err(SourceError::Store(store::StoreError::NoRuns {
            path: PathBuf::from(source.to_string()),
        }));
    };
    // The first download tells which commit the revision is at; every later one is pinned to
    // it, so all files come from one snapshot folder.
    let first_local = client.download(&repo, Some(source.revision()), first, false)?;
    let snapshot = snapshot_dir(&first_local, first).ok_or_else(|| HubError::Protocol {
        what: "opening the repo".into(),
        repo: source.repo_id.clone(),
        message: format!(
            "the cache put {first} at an unexpected place: {}",
            first_local.display()
        ),
    })?;
    let commit = file_name(&snapshot.to_string_lossy()).to_owned();
    let mut paths = vec![first_local];
    for path in &eager[1..] {
        paths.push(client.download(&repo, Some(&commit), path, false)?);
    }
    let details: Vec<(String, u64)> = files
        .iter()
        .filter(|f| is_details(&f.path))
        .map(|f| (f.path.clone(), f.size))
        .collect();
    for (path, _) in &details {
        paths.push(snapshot.join(path));
    }
    let mut catalog = store::discover_files_with(&snapshot, paths, &super::log_formats())?;
    // Offline, the details are known from this listing; a cache that cannot keep it only costs
    // offline reading.
    let _ = save_listing(&client, &source.repo_id, &commit, &details);
    let files = RepoFiles::new(Some(client), &source.repo_id, &snapshot, &commit);
    *files.sizes.lock().unwrap_or_else(|e| e.into_inner()) = Some(details.into_iter().collect());
    attach(&mut catalog, &files.remote());
    Ok(OpenedSource {
        catalog,
        offline: false,
    })
}

/// The snapshot the cache holds for the source's revision, opened as a folder, with the details
/// files it was listed with read by range from what was cached of them.
fn open_cached(client: &HubClient, source: &HubSource) -> Result<Catalog, SourceError> {
    let folder = repo_cache(client, &source.repo_id);
    let revision = source.revision();
    let commit = if is_commit_id(revision) {
        revision.to_owned()
    } else {
        let reference = folder.join("refs").join(revision);
        std::fs::read_to_string(&reference)
            .map_err(|_| HubError::Protocol {
                what: "opening the repo".into(),
                repo: source.repo_id.clone(),
                message: format!(
                    "the Hub is out of reach and {source} was never opened here (nothing in the cache at {})",
                    folder.display()
                ),
            })?
            .trim()
            .to_owned()
    };
    let snapshot = folder.join("snapshots").join(&commit);
    let Some(details) = read_listing(client, &source.repo_id, &commit) else {
        return Ok(store::discover_with(&snapshot, &super::log_formats())?);
    };
    let mut paths = files_under(&snapshot);
    paths.extend(details.iter().map(|(path, _)| snapshot.join(path)));
    paths.sort();
    paths.dedup();
    let mut catalog = store::discover_files_with(&snapshot, paths, &super::log_formats())?;
    let files = RepoFiles::new(None, &source.repo_id, &snapshot, &commit);
    *files.sizes.lock().unwrap_or_else(|e| e.into_inner()) = Some(details.into_iter().collect());
    attach(&mut catalog, &files.remote());
    Ok(catalog)
}

/// How the files of one repo at one commit are read: whole through `hf-hub`'s cache (results
/// files, or details to copy or push), details by range through [`HubFile`]s. Without a client
/// (offline) only what the cache holds is read.
struct RepoFiles {
    client: Option<Arc<HubClient>>,
    repo: Repo,
    snapshot: PathBuf,
    commit: String,
    /// Every file's size, from the repo's listing; an organisation's listing has no sizes, so
    /// they are listed on the first range read.
    sizes: Mutex<Option<HashMap<String, u64>>>,
    /// One reader per file, so its recent blocks stay in memory across opens.
    opened: Mutex<HashMap<String, Arc<HubFile>>>,
}

impl RepoFiles {
    fn new(
        client: Option<Arc<HubClient>>,
        repo_id: &str,
        snapshot: &Path,
        commit: &str,
    ) -> Arc<RepoFiles> {
        Arc::new(RepoFiles {
            client,
            repo: Repo::dataset(repo_id),
            snapshot: snapshot.to_path_buf(),
            commit: commit.to_owned(),
            sizes: Mutex::new(None),
            opened: Mutex::new(HashMap::new()),
        })
    }

    fn remote(self: &Arc<Self>) -> RemoteDetails {
        let (whole, ranges) = (self.clone(), self.clone());
        RemoteDetails::new(move |path: &Path| Ok(whole.download(path)?))
            .with_ranges(move |path: &Path| Ok(ranges.open(path)?))
    }

    /// Brings a whole file into the cache at `path`.
    fn download(&self, path: &Path) -> Result<(), RepoError> {
        let in_repo = in_repo(&self.snapshot, path)?;
        let Some(client) = &self.client else {
            return Err(RepoError::NotCached(format!(
                "{in_repo} was never downloaded whole"
            )));
        };
        let local = client.download(&self.repo, Some(&self.commit), &in_repo, false)?;
        if local != path && !path.exists() {
            return Err(RepoError::Misplaced(local));
        }
        Ok(())
    }

    /// A file read by range where it is.
    fn open(&self, path: &Path) -> Result<Arc<dyn store::RemoteBytes>, RepoError> {
        let in_repo = in_repo(&self.snapshot, path)?;
        let len = self.size(&in_repo)?;
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        let file = opened.entry(in_repo.clone()).or_insert_with(|| {
            let blocks = ranges_dir(&repo_folder(&self.snapshot), &self.commit).join(&in_repo);
            Arc::new(HubFile::new(
                self.client.clone(),
                self.repo.clone(),
                self.commit.clone(),
                in_repo.clone(),
                len,
                blocks,
            ))
        });
        Ok(file.clone() as Arc<dyn store::RemoteBytes>)
    }

    fn size(&self, in_repo: &str) -> Result<u64, RepoError> {
        let mut sizes = self.sizes.lock().unwrap_or_else(|e| e.into_inner());
        if sizes.is_none() {
            let client = self
                .client
                .as_ref()
                .ok_or_else(|| RepoError::NotCached(format!("{in_repo} was never read here")))?;
            let files = client.list_files(&self.repo, Some(&self.commit))?;
            *sizes = Some(files.into_iter().map(|f| (f.path, f.size)).collect());
        }
        sizes
            .as_ref()
            .and_then(|sizes| sizes.get(in_repo).copied())
            .ok_or_else(|| RepoError::NotListed {
                in_repo: in_repo.to_owned(),
                repo: self.repo.id.clone(),
                commit: self.commit.clone(),
            })
    }
}

/// `…/datasets--ORG--NAME` from `…/datasets--ORG--NAME/snapshots/{commit}`.
fn repo_folder(snapshot: &Path) -> PathBuf {
    snapshot
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn attach(catalog: &mut Catalog, remote: &RemoteDetails) {
    for model in &mut catalog.models {
        for run in model.runs.iter_mut().filter(|r| r.log.is_none()) {
            run.remote = Some(remote.clone());
        }
    }
}

/// `path`'s place in the repo, from its place in the snapshot folder.
fn in_repo(snapshot: &Path, path: &Path) -> Result<String, RepoError> {
    Ok(path
        .strip_prefix(snapshot)
        .map_err(|_| RepoError::OutsideSnapshot {
            path: path.to_owned(),
            snapshot: snapshot.to_owned(),
        })?
        .to_string_lossy()
        .replace('\\', "/"))
}

/// The repo's folder in `hf-hub`'s cache.
fn repo_cache(client: &HubClient, repo_id: &str) -> PathBuf {
    client
        .cache_dir()
        .join(format!("datasets--{}", repo_id.replace('/', "--")))
}

/// Where blocks read by range are kept: beside the repo's snapshots in its cache folder, so
/// removing the repo from the cache removes them too.
fn ranges_dir(repo_cache: &Path, commit: &str) -> PathBuf {
    repo_cache.join("evaldeck-ranges").join(commit)
}

/// Records the details files of `commit` (path and size), so they open offline.
fn save_listing(
    client: &HubClient,
    repo_id: &str,
    commit: &str,
    details: &[(String, u64)],
) -> store::Result<()> {
    let listing: Vec<serde_json::Value> = details
        .iter()
        .map(|(path, size)| serde_json::json!({"path": path, "size": size}))
        .collect();
    let path = ranges_dir(&repo_cache(client, repo_id), commit).join("details.json");
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| store::StoreError::io(folder, e))?;
    store::write_atomically(
        &path,
        serde_json::Value::from(listing).to_string().as_bytes(),
    )
}

fn read_listing(client: &HubClient, repo_id: &str, commit: &str) -> Option<Vec<(String, u64)>> {
    let path = ranges_dir(&repo_cache(client, repo_id), commit).join("details.json");
    let listing: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(
        listing
            .iter()
            .filter_map(|entry| Some((entry["path"].as_str()?.to_owned(), entry["size"].as_u64()?)))
            .filter(|(path, _)| relative_path_problem(path).is_none())
            .collect(),
    )
}

/// Every file under `dir`, recursively (a snapshot folder: symlinks into the blobs).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// `…/snapshots/{commit}` from a downloaded file's path and its path in the repo.
fn snapshot_dir(local: &Path, in_repo: &str) -> Option<PathBuf> {
    let mut dir = local.to_path_buf();
    for _ in in_repo.split('/') {
        dir = dir.parent()?.to_path_buf();
    }
    (dir.parent()?.file_name()? == "snapshots").then_some(dir)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        assert_eq!(
            HubSource::parse("hf://datasets/evals/details_m_private")
                .unwrap()
                .unwrap(),
            HubSource {
                repo_id: "evals/details_m_private".into(),
                revision: None
            }
        );
        let pinned = HubSource::parse("hf://datasets/a/b@refs/pr/1")
            .unwrap()
            .unwrap();
        assert_eq!(pinned.revision(), "refs/pr/1");
        assert_eq!(pinned.to_string(), "hf://datasets/a/b@refs/pr/1");
        assert!(HubSource::parse("results/").is_none());
        for bad in [
            "hf://models/a/b",
            "hf://datasets/a",
            "hf://datasets/a/b/c",
            "hf://datasets/../b",
            "hf://datasets/a/b@",
            "hf://datasets/a/b@x y",
            "hf://datasets/a/b@../../etc",
        ] {
            assert!(HubSource::parse(bad).unwrap().is_err(), "{bad}");
        }
    }

    #[test]
    fn organisations_parse() {
        assert_eq!(
            HubOrg::parse("hf://datasets/open-llm-leaderboard/")
                .unwrap()
                .unwrap(),
            HubOrg {
                org: "open-llm-leaderboard".into()
            }
        );
        assert_eq!(
            HubOrg::parse("hf://datasets/evals")
                .unwrap()
                .unwrap()
                .to_string(),
            "hf://datasets/evals"
        );
        // A repo, or not the Hub at all, is not an organisation.
        for other in [
            "hf://datasets/a/b",
            "hf://datasets/a/b@main",
            "results/",
            "hf://models/a",
        ] {
            assert!(HubOrg::parse(other).is_none(), "{other}");
        }
        for bad in ["hf://datasets/", "hf://datasets/-x", "hf://datasets/a b"] {
            assert!(HubOrg::parse(bad).unwrap().is_err(), "{bad}");
        }
    }

    #[test]
    fn models_are_named_from_their_repos() {
        assert_eq!(
            model_of_repo("details_meta-llama__Llama-3-8B"),
            "meta-llama/Llama-3-8B"
        );
        assert_eq!(model_of_repo("Qwen__Qwen2-7B-details"), "Qwen/Qwen2-7B");
        assert_eq!(model_of_repo("my-evals"), "my-evals");
    }
}
