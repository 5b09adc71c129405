//! lighteval's `push_to_hub`: a saved run goes to the dataset repo
//! `{org}/details_{model with / as __}` (`_private` unless public) as `results_{date}.json`,
//! `results_{date}.parquet` and `{date}/details_{task}_{date}.parquet`, with the dataset card
//! rebuilt, all in one commit. Also `push_results_to_hub` and a working `push_details_to_hub`.

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_array::{ArrayRef, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::card::{self, CardInput, RepoEntry};
use super::error::PublishError;
use crate::hub::{CommitProgress, Content, HubClient, HubError, Repo, Upload};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map, ResultsFile};
use crate::store::{self, Run};

/// `{org}/details_{model with / as __}`, with `_private` unless the run is public.
pub fn details_repo_id(org: &str, model_name: &str, public: bool) -> String {
    let model = model_name.trim_matches('/').replace('/', "__");
    let suffix = if public { "" } else { "_private" };
    format!("{org}/details_{model}{suffix}")
}

/// A Hub namespace: letters, digits, `-`, `_` and `.`, not starting or ending with `-`/`.`.
pub fn check_org(org: &str) -> Result<(), PublishError> {
    if org.is_empty() {
        return Err(PublishError::MissingOrg);
    }
    match crate::hub::names::name_problem(org) {
        Some(why) => Err(PublishError::BadOrg(org.into(), why)),
        None => Ok(()),
    }
}

/// What a push will do, known before anything is sent: the TUI shows it in its dialog.
#[derive(Debug, Clone)]
pub struct PushPlan {
    pub repo_id: String,
    pub private: bool,
    pub model_name: String,
    pub date_id: String,
    /// The run's files, in upload order; the card is added when the push runs.
    pub uploads: Vec<Upload>,
    results: ResultsFile,
}

impl PushPlan {
    pub fn repo(&self) -> Repo {
        Repo::dataset(&self.repo_id)
    }

    pub fn paths_in_repo(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self
            .uploads
            .iter()
            .map(|u| u.path_in_repo.as_str())
            .collect();
        paths.push("README.md");
        paths
    }
}

/// The repo paths a push of `run` writes, the card aside: `results_{date}.json`,
/// `results_{date}.parquet`, then `{date}/details_{task}_{date}.parquet` per task.
pub fn planned_paths(run: &Run) -> Vec<String> {
    let date = &run.date_id;
    let mut paths = vec![
        format!("results_{date}.json"),
        format!("results_{date}.parquet"),
    ];
    for (task, _) in &run.details {
        paths.push(format!("{date}/details_{task}_{date}.parquet"));
    }
    paths
}

pub fn plan_push(org: &str, public: bool, run: &Run) -> Result<PushPlan, PublishError> {
    check_org(org)?;
    let results_path = run.results_path.as_ref().ok_or_else(|| {
        PublishError::Store(store::StoreError::NoResultsFile {
            model: run.model.clone(),
            date_id: run.date_id.clone(),
        })
    })?;
    let results = store::read_results(results_path)?;
    run.fetch_all_details()?;
    let date = &run.date_id;
    let paths = planned_paths(run);
    let mut uploads = vec![
        Upload {
            path_in_repo: paths[0].clone(),
            content: Content::File(results_path.clone()),
        },
        Upload {
            path_in_repo: paths[1].clone(),
            content: Content::Bytes(results_parquet(results_path, &results)?),
        },
    ];
    for ((_, path), path_in_repo) in run.details.iter().zip(&paths[2..]) {
        uploads.push(Upload {
            path_in_repo: path_in_repo.clone(),
            content: Content::File(path.clone()),
        });
    }
    Ok(PushPlan {
        repo_id: details_repo_id(org, &run.model, public),
        private: !public,
        model_name: run.model.clone(),
        date_id: date.clone(),
        uploads,
        results,
    })
}

/// Progress of a push, for a status line or a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushProgress {
    CheckingRepo,
    CreatedRepo,
    ListingRepo,
    Commit(CommitProgress),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    pub repo_id: String,
    pub repo_url: String,
    pub commit_url: Option<String>,
    pub files: Vec<String>,
    pub created: bool,
    /// How the Parquet files travelled.
    pub transfer: crate::hub::Transfer,
}

pub fn push_to_hub(
    client: &HubClient,
    plan: &PushPlan,
    progress: &mut dyn FnMut(PushProgress),
) -> Result<PushReport, PublishError> {
    let repo = plan.repo();
    progress(PushProgress::CheckingRepo);
    let created = client.ensure_repo(&repo, plan.private)?;
    if created {
        progress(PushProgress::CreatedRepo);
    }
    progress(PushProgress::ListingRepo);
    let existing = client.list_files(&repo, None)?;
    let mut files: Vec<String> = existing.into_iter().map(|f| f.path).collect();
    for upload in &plan.uploads {
        if !files.contains(&upload.path_in_repo) {
            files.push(upload.path_in_repo.clone());
        }
    }
    files.sort();

    // The card's "latest results" are the newest run's, which may be an earlier push.
    let newest = files
        .iter()
        .filter_map(|f| match card::classify(f) {
            Some(RepoEntry::ResultsJson { date }) if !f.contains('/') => Some((date, f.clone())),
            _ => None,
        })
        .max();
    let downloaded;
    let latest_results: Option<(String, &Map)> = match &newest {
        Some((date, path)) if *date == plan.date_id => {
            results_section(&plan.results).map(|r| (path.clone(), r))
        }
        Some((_, path)) => {
            let local = client.download(&repo, None, path, false)?;
            downloaded = store::read_results(&local)?;
            results_section(&downloaded).map(|r| (path.clone(), r))
        }
        None => None,
    };
    let readme = card::build(&CardInput {
        repo_id: &plan.repo_id,
        model_name: &plan.model_name,
        files: &files,
        latest_results: latest_results.as_ref().map(|(p, r)| (p.as_str(), *r)),
        endpoint: &client.endpoint().url,
    });
    let mut uploads = plan.uploads.clone();
    uploads.push(Upload {
        path_in_repo: "README.md".into(),
        content: Content::Bytes(readme.into_bytes()),
    });
    let message = format!(
        "Upload evaluation run {} of {} (evaldeck)",
        plan.date_id, plan.model_name
    );
    let committed = client.commit(&repo, &uploads, &message, &mut |p| {
        progress(PushProgress::Commit(p))
    })?;
    Ok(PushReport {
        repo_url: client.endpoint().repo_url(&repo),
        repo_id: plan.repo_id.clone(),
        commit_url: committed.commit_url,
        files: uploads.into_iter().map(|u| u.path_in_repo).collect(),
        created,
        transfer: committed.transfer,
    })
}

fn results_section(results: &ResultsFile) -> Option<&Map> {
    match results.as_map().get("results") {
        Some(Json::Object(map)) => Some(map),
        _ => None,
    }
}

/// lighteval's `push_results_to_hub`: the results file, as is, at `path_in_repo` of `repo_id`
/// (prefixed with `org/` when it has no namespace), creating the repo when missing.
pub fn push_results_to_hub(
    client: &HubClient,
    org: Option<&str>,
    repo_id: &str,
    path_in_repo: &str,
    results_path: &Path,
    private: bool,
) -> Result<String, PublishError> {
    let repo = qualified_repo(org, repo_id)?;
    store::read_results(results_path)?;
    client.ensure_repo(&repo, private)?;
    let upload = Upload {
        path_in_repo: path_in_repo.into(),
        content: Content::File(results_path.into()),
    };
    client.commit(
        &repo,
        &[upload],
        &format!("Upload {path_in_repo}"),
        &mut |_| {},
    )?;
    Ok(repo.id)
}

/// lighteval's `push_details_to_hub`, working: each task's details as JSON lines at
/// `path_template` with `{task_name}` replaced, all in one commit.
pub fn push_details_to_hub(
    client: &HubClient,
    org: Option<&str>,
    repo_id: &str,
    path_template: &str,
    run: &Run,
    private: bool,
) -> Result<(String, Vec<String>), PublishError> {
    let repo = qualified_repo(org, repo_id)?;
    if !path_template.contains("{task_name}") && run.details.len() > 1 {
        return Err(PublishError::from(HubError::Protocol {
            what: "pushing details".into(),
            repo: repo.id,
            message: format!(
                "the path template `{path_template}` has no `{{task_name}}`, so every task would go to the same file"
            ),
        }));
    }
    let mut uploads = Vec::new();
    for (task, path) in &run.details {
        let file = run.open_details(task)?;
        let mut jsonl = Vec::new();
        store::write_details_jsonl(
            &file,
            u64::MAX,
            4096,
            store::CommonKeys::Omitted,
            &mut jsonl,
            path,
        )?;
        uploads.push(Upload {
            path_in_repo: path_template.replace("{task_name}", task),
            content: Content::Bytes(jsonl),
        });
    }
    client.ensure_repo(&repo, private)?;
    let paths = uploads.iter().map(|u| u.path_in_repo.clone()).collect();
    client.commit(
        &repo,
        &uploads,
        &format!("Upload details of {} {}", run.model, run.date_id),
        &mut |_| {},
    )?;
    Ok((repo.id, paths))
}

fn qualified_repo(org: Option<&str>, repo_id: &str) -> Result<Repo, PublishError> {
    if repo_id.contains('/') {
        return Ok(Repo::dataset(repo_id));
    }
    let org = org.ok_or(PublishError::MissingOrg)?;
    check_org(org)?;
    Ok(Repo::dataset(format!("{org}/{repo_id}")))
}

/// lighteval's results Parquet: one row, one string column per top-level key of the results file,
/// each holding that section as `json.dumps(indent=2)` (ASCII-escaped, bare `NaN`), as `datasets`
/// writes it.
pub fn results_parquet(path: &Path, results: &ResultsFile) -> Result<Vec<u8>, PublishError> {
    let sections: &Map = results.as_map();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let mut features = Map::new();
    for (key, value) in sections {
        let text =
            pyjson::escape_non_ascii(&pyjson::to_string(value, WriteOptions::PYTHON_INDENT2));
        fields.push(Field::new(key, DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(vec![text])));
        let mut feature = Map::new();
        feature.insert("dtype".into(), Json::Str("string".into()));
        feature.insert("_type".into(), Json::Str("Value".into()));
        features.insert(key.clone(), Json::Object(feature));
    }
    let mut info = Map::new();
    info.insert("features".into(), Json::Object(features));
    let mut metadata = Map::new();
    metadata.insert("info".into(), Json::Object(info));
    let hf_metadata = pyjson::to_string(&Json::Object(metadata), WriteOptions::STRICT_COMPACT);
    let schema = Arc::new(
        Schema::new(fields).with_metadata(
            [("huggingface".to_owned(), hf_metadata)]
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
        ),
    );
    let fail = |e: &dyn std::fmt::Display| PublishError::File {
        path: path.into(),
        message: format!("building the results Parquet: {e}"),
    };
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| fail(&e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(props)).map_err(|e| fail(&e))?;
    writer.write(&batch).map_err(|e| fail(&e))?;
    writer.close().map_err(|e| fail(&e))?;
    Ok(bytes)
}
