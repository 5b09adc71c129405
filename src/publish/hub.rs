//! A blocking Hub client for what evaldeck needs: make sure a dataset repo exists, commit files
//! to it, list it and download from it.
//!
//! Every call `hf-hub` offers goes through `hf-hub`. Two do not: the pre-upload classification and
//! the LFS `basic` transfer. `hf-hub` uploads LFS files through Xet when the server offers it and
//! otherwise silently commits them inline, which a Hub without Xet (a mirror, a self-hosted hub)
//! rejects. So the client asks the LFS batch endpoint first: when it chooses Xet, the commit is
//! `hf-hub`'s; when it chooses `basic`, the objects are PUT to the upload URLs, verified, and
//! committed as `lfsFile` entries here.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use hf_hub::repository::{CommitOperation, RepoTreeEntry};
use hf_hub::{HFClient, HFError, RepoTypeDataset, RepoTypeModel};
use sha2::{Digest, Sha256};

use super::error::PublishError;
use super::token::Token;

const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
const REVISION: &str = "main";
/// What the Hub's pre-upload reads of each file to tell text from binary.
const SAMPLE_BYTES: usize = 512;

/// Where to push and as whom. `Debug` never shows the token.
#[derive(Debug, Clone)]
pub struct HubEndpoint {
    /// Base URL, without a trailing slash.
    pub url: String,
    token: Option<Token>,
    /// Attempts for a transient failure (network, 429, 5xx), and the first back-off delay,
    /// doubled at each retry.
    pub attempts: u32,
    pub retry_delay: Duration,
    /// Where downloads are cached (`hf-hub`'s cache layout); `None` is `HF_HUB_CACHE` or its default.
    pub cache_dir: Option<PathBuf>,
}

impl HubEndpoint {
    /// `HF_ENDPOINT` (default `https://huggingface.co`) and the token from its usual sources.
    pub fn from_env() -> HubEndpoint {
        let url = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.into());
        HubEndpoint::new(url, Token::from_env())
    }

    /// huggingface.co without a token: what the TUI's tests and snapshots use.
    pub fn public() -> HubEndpoint {
        HubEndpoint::new(DEFAULT_ENDPOINT, None)
    }

    pub fn new(url: impl Into<String>, token: Option<Token>) -> HubEndpoint {
        HubEndpoint {
            url: url.into().trim_end_matches('/').to_owned(),
            token,
            attempts: 4,
            retry_delay: Duration::from_millis(500),
            cache_dir: None,
        }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub fn repo_url(&self, repo: &Repo) -> String {
        format!("{}/{}{}", self.url, repo.url_prefix(), repo.id)
    }
}

/// A repo on the Hub: details go to dataset repos; TensorBoard logs to a model repo, where the
/// Hub shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repo {
    pub kind: RepoKind,
    /// `namespace/name`.
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepoKind {
    Dataset,
    Model,
}

impl Repo {
    pub fn dataset(id: impl Into<String>) -> Repo {
        Repo {
            kind: RepoKind::Dataset,
            id: id.into(),
        }
    }

    pub fn model(id: impl Into<String>) -> Repo {
        Repo {
            kind: RepoKind::Model,
            id: id.into(),
        }
    }

    /// The API's collection: `datasets` or `models`.
    fn api_collection(&self) -> &'static str {
        match self.kind {
            RepoKind::Dataset => "datasets",
            RepoKind::Model => "models",
        }
    }

    /// `{endpoint}/api/{datasets|models}/{id}/{action}/main`.
    fn api_url(&self, endpoint: &str, action: &str) -> String {
        format!(
            "{endpoint}/api/{}/{}/{action}/{REVISION}",
            self.api_collection(),
            self.id
        )
    }

    /// The web and git prefix: `datasets/` or nothing.
    fn url_prefix(&self) -> &'static str {
        match self.kind {
            RepoKind::Dataset => "datasets/",
            RepoKind::Model => "",
        }
    }

    fn owner_and_name(&self) -> (&str, &str) {
        self.id.split_once('/').unwrap_or(("", &self.id))
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// A file to commit: where it goes in the repo and where its bytes are.
#[derive(Debug, Clone)]
pub struct Upload {
    pub path_in_repo: String,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub enum Content {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Content {
    fn len(&self) -> Result<u64, PublishError> {
        match self {
            Content::Bytes(bytes) => Ok(bytes.len() as u64),
            Content::File(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| file_error(path, e)),
        }
    }
}

/// A file listed in a repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    pub path: String,
    pub size: u64,
    pub lfs: bool,
}

/// Progress of a commit, for a status line or a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitProgress {
    /// Hashing and classifying the files.
    Preparing {
        files: usize,
        bytes: u64,
    },
    /// One large file went up as an LFS object.
    Uploaded {
        path: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    Committing,
}

/// The commit that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub commit_url: Option<String>,
    pub commit_oid: Option<String>,
    /// How the large files travelled: `none`, `basic` or `xet`.
    pub transfer: String,
}

/// Runs `$body` with `$handle` bound to `hf-hub`'s handle for the repo, whose type depends on
/// the repo's kind.
macro_rules! with_hf_repo {
    ($client:expr, $repo:expr, |$handle:ident| $body:expr) => {{
        let (owner, name) = $repo.owner_and_name();
        match $repo.kind {
            RepoKind::Dataset => {
                let $handle = $client.hf.dataset(owner, name);
                $body
            }
            RepoKind::Model => {
                let $handle = $client.hf.model(owner, name);
                $body
            }
        }
    }};
}

/// One Hub session: an `hf-hub` client, a plain HTTP client for the two calls `hf-hub` does not
/// offer, and the runtime both run on. Its methods block: call them from plain threads (the CLI,
/// the TUI's jobs), not from inside another async runtime.
pub struct HubClient {
    endpoint: HubEndpoint,
    hf: HFClient,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl HubClient {
    pub fn new(endpoint: HubEndpoint) -> Result<HubClient, PublishError> {
        let mut builder = HFClient::builder()
            .endpoint(endpoint.url.clone())
            .retry_max_attempts(endpoint.attempts.saturating_sub(1) as usize)
            .retry_base_delay(endpoint.retry_delay)
            .user_agent(format!("evaldeck/{}", env!("CARGO_PKG_VERSION")));
        if let Some(token) = &endpoint.token {
            builder = builder.token(token.secret());
        }
        if let Some(dir) = &endpoint.cache_dir {
            builder = builder.cache_dir(dir.clone());
        }
        let setup = |message: String| PublishError::Protocol {
            what: "setting up the Hub client".into(),
            repo: endpoint.url.clone(),
            message,
        };
        let hf = builder.build().map_err(|e| setup(e.to_string()))?;
        let http = reqwest::Client::builder()
            .user_agent(format!("evaldeck/{}", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| setup(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(e.to_string()))?;
        Ok(HubClient {
            endpoint,
            hf,
            http,
            runtime,
        })
    }

    pub fn endpoint(&self) -> &HubEndpoint {
        &self.endpoint
    }

    /// Where downloads are cached.
    pub fn cache_dir(&self) -> &Path {
        self.hf.cache_dir()
    }

    fn require_token(&self) -> Result<&Token, PublishError> {
        self.endpoint
            .token
            .as_ref()
            .ok_or(PublishError::MissingToken)
    }

    /// Creates the repo unless it exists; `true` when it was created.
    pub fn ensure_repo(&self, repo: &Repo, private: bool) -> Result<bool, PublishError> {
        self.require_token()?;
        let exists = with_hf_repo!(self, repo, |handle| self
            .runtime
            .block_on(handle.exists().send()))
        .map_err(|e| self.hf_error("checking the repo", repo, e))?;
        if exists {
            return Ok(false);
        }
        let created = match repo.kind {
            RepoKind::Dataset => {
                self.runtime
                    .block_on(create(&self.hf, repo, RepoTypeDataset, private))
            }
            RepoKind::Model => {
                self.runtime
                    .block_on(create(&self.hf, repo, RepoTypeModel, private))
            }
        };
        created.map_err(|e| self.hf_error("creating the repo", repo, e))?;
        Ok(true)
    }

    /// Every file of the repo at `revision` (default `main`).
    pub fn list_files(
        &self,
        repo: &Repo,
        revision: Option<&str>,
    ) -> Result<Vec<RepoFile>, PublishError> {
        let what = "listing the repo";
        let revision = revision.unwrap_or(REVISION).to_owned();
        let mut files = with_hf_repo!(self, repo, |handle| self.runtime.block_on(async {
            let stream = handle
                .list_tree()
                .revision(revision)
                .recursive(true)
                .send()
                .map_err(|e| self.hf_error(what, repo, e))?;
            futures_util::pin_mut!(stream);
            let mut files = Vec::new();
            while let Some(entry) = stream.next().await {
                if let RepoTreeEntry::File {
                    path, size, lfs, ..
                } = entry.map_err(|e| self.hf_error(what, repo, e))?
                {
                    files.push(RepoFile {
                        path,
                        size,
                        lfs: lfs.is_some(),
                    });
                }
            }
            Ok::<_, PublishError>(files)
        }))?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Downloads one file into `hf-hub`'s cache (or finds it there) and returns its local path.
    /// With `offline`, only the cache is looked at.
    pub fn download(
        &self,
        repo: &Repo,
        revision: Option<&str>,
        path_in_repo: &str,
        offline: bool,
    ) -> Result<PathBuf, PublishError> {
        let revision = revision.unwrap_or(REVISION).to_owned();
        with_hf_repo!(self, repo, |handle| self.runtime.block_on(
            handle
                .download_file()
                .filename(path_in_repo.to_owned())
                .revision(revision)
                .local_files_only(offline)
                .send()
        ))
        .map_err(|e| self.hf_error(&format!("downloading {path_in_repo}"), repo, e))
    }

    /// Commits `uploads` to `main` in one commit.
    pub fn commit(
        &self,
        repo: &Repo,
        uploads: &[Upload],
        message: &str,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<Committed, PublishError> {
        self.require_token()?;
        self.runtime
            .block_on(self.commit_async(repo, uploads, message, progress))
    }

    async fn commit_async(
        &self,
        repo: &Repo,
        uploads: &[Upload],
        message: &str,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<Committed, PublishError> {
        let mut prepared = Vec::with_capacity(uploads.len());
        for upload in uploads {
            prepared.push(Prepared::of(upload)?);
        }
        progress(CommitProgress::Preparing {
            files: prepared.len(),
            bytes: prepared.iter().map(|p| p.size).sum(),
        });
        let modes = self.preupload(repo, &prepared).await?;
        let lfs: Vec<&Prepared> = prepared
            .iter()
            .filter(|p| {
                p.size > 0 && modes.get(&p.upload.path_in_repo).map(String::as_str) == Some("lfs")
            })
            .collect();
        let transfer = if lfs.is_empty() {
            None
        } else {
            Some(self.lfs_batch(repo, &lfs).await?)
        };
        match transfer {
            None => self.commit_with_hf_hub(repo, uploads, message, "none", progress).await,
            Some(batch) if batch.transfer.as_deref() == Some("xet") => {
                self.commit_with_hf_hub(repo, uploads, message, "xet", progress).await
            }
            Some(batch) if matches!(batch.transfer.as_deref(), None | Some("basic")) => {
                self.upload_basic(repo, &lfs, &batch, progress).await?;
                progress(CommitProgress::Committing);
                let lfs_paths: Vec<&str> = lfs.iter().map(|p| p.upload.path_in_repo.as_str()).collect();
                self.commit_ndjson(repo, &prepared, &lfs_paths, message).await
            }
            Some(batch) => Err(self.protocol(
                "negotiating the LFS transfer",
                repo,
                format!(
                    "the Hub chose the `{}` transfer, which evaldeck does not speak (it offers basic and xet)",
                    batch.transfer.unwrap_or_default()
                ),
            )),
        }
    }

    async fn commit_with_hf_hub(
        &self,
        repo: &Repo,
        uploads: &[Upload],
        message: &str,
        transfer: &str,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<Committed, PublishError> {
        let operations = uploads
            .iter()
            .map(|u| match &u.content {
                Content::File(path) => CommitOperation::add_file(&u.path_in_repo, path),
                Content::Bytes(bytes) => CommitOperation::add_bytes(&u.path_in_repo, bytes.clone()),
            })
            .collect();
        progress(CommitProgress::Committing);
        let info = with_hf_repo!(self, repo, |handle| handle
            .create_commit()
            .operations(operations)
            .commit_message(message)
            .send()
            .await)
        .map_err(|e| self.hf_error("committing", repo, e))?;
        Ok(Committed {
            commit_url: info.commit_url,
            commit_oid: info.commit_oid,
            transfer: transfer.into(),
        })
    }

    /// The Hub's classification of each file: `lfs` or `regular`.
    async fn preupload(
        &self,
        repo: &Repo,
        prepared: &[Prepared<'_>],
    ) -> Result<HashMap<String, String>, PublishError> {
        let what = "classifying the files (pre-upload)";
        let files: Vec<serde_json::Value> = prepared
            .iter()
            .map(|p| {
                serde_json::json!({
                    "path": p.upload.path_in_repo,
                    "size": p.size,
                    "sample": base64::engine::general_purpose::STANDARD.encode(&p.sample),
                })
            })
            .collect();
        let body = serde_json::json!({ "files": files });
        let url = repo.api_url(&self.endpoint.url, "preupload");
        let answer: serde_json::Value = self
            .send_json(what, repo, || self.http.post(&url).json(&body))
            .await?;
        let mut modes = HashMap::new();
        for file in answer["files"].as_array().into_iter().flatten() {
            if let (Some(path), Some(mode)) = (file["path"].as_str(), file["uploadMode"].as_str()) {
                modes.insert(path.to_owned(), mode.to_owned());
            }
        }
        Ok(modes)
    }

    async fn lfs_batch(
        &self,
        repo: &Repo,
        lfs: &[&Prepared<'_>],
    ) -> Result<LfsBatch, PublishError> {
        let what = "negotiating the LFS transfer";
        let objects: Vec<serde_json::Value> = lfs
            .iter()
            .map(|p| serde_json::json!({ "oid": p.sha256, "size": p.size }))
            .collect();
        let body = serde_json::json!({
            "operation": "upload",
            "transfers": ["basic", "xet"],
            "objects": objects,
            "hash_algo": "sha256",
            "ref": { "name": REVISION },
        });
        let url = format!(
            "{}/{}{}.git/info/lfs/objects/batch",
            self.endpoint.url,
            repo.url_prefix(),
            repo.id
        );
        let answer: serde_json::Value = self
            .send_json(what, repo, || {
                self.http
                    .post(&url)
                    .header("Accept", "application/vnd.git-lfs+json")
                    .header("Content-Type", "application/vnd.git-lfs+json")
                    .body(body.to_string())
            })
            .await?;
        let mut actions = HashMap::new();
        for object in answer["objects"].as_array().into_iter().flatten() {
            let oid = object["oid"].as_str().unwrap_or_default().to_owned();
            if let Some(error) = object.get("error") {
                return Err(self.protocol(
                    what,
                    repo,
                    format!(
                        "object {oid}: {}",
                        error["message"].as_str().unwrap_or("refused")
                    ),
                ));
            }
            actions.insert(
                oid,
                ObjectActions {
                    upload: Action::parse(&object["actions"]["upload"]),
                    verify: Action::parse(&object["actions"]["verify"]),
                },
            );
        }
        Ok(LfsBatch {
            transfer: answer["transfer"].as_str().map(str::to_owned),
            actions,
        })
    }

    /// The LFS `basic` transfer: one PUT per object the server does not have yet, then its verify.
    async fn upload_basic(
        &self,
        repo: &Repo,
        lfs: &[&Prepared<'_>],
        batch: &LfsBatch,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<(), PublishError> {
        let bytes_total: u64 = lfs.iter().map(|p| p.size).sum();
        let mut bytes_done = 0;
        for prepared in lfs {
            let path = &prepared.upload.path_in_repo;
            let what = format!("uploading {path}");
            let actions = batch.actions.get(&prepared.sha256).ok_or_else(|| {
                self.protocol(
                    &what,
                    repo,
                    "the LFS batch answer does not list this object".into(),
                )
            })?;
            // No upload action: the server has the object already.
            if let Some(upload) = &actions.upload {
                self.send_ok(&what, repo, false, || {
                    let mut request = self
                        .http
                        .put(&upload.href)
                        .header("Content-Length", prepared.size);
                    for (name, value) in &upload.header {
                        request = request.header(name, value);
                    }
                    request.body(prepared.body())
                })
                .await?;
                if let Some(verify) = &actions.verify {
                    let body = serde_json::json!({ "oid": prepared.sha256, "size": prepared.size });
                    self.send_ok(&format!("verifying {path}"), repo, true, || {
                        let mut request = self
                            .http
                            .post(&verify.href)
                            .header("Content-Type", "application/vnd.git-lfs+json")
                            .body(body.to_string());
                        for (name, value) in &verify.header {
                            request = request.header(name, value);
                        }
                        request
                    })
                    .await?;
                }
            }
            bytes_done += prepared.size;
            progress(CommitProgress::Uploaded {
                path: path.clone(),
                bytes_done,
                bytes_total,
            });
        }
        Ok(())
    }

    /// The commit itself, as the Hub's NDJSON: a header, then one line per file.
    async fn commit_ndjson(
        &self,
        repo: &Repo,
        prepared: &[Prepared<'_>],
        lfs_paths: &[&str],
        message: &str,
    ) -> Result<Committed, PublishError> {
        let mut body = String::new();
        let header = serde_json::json!({
            "key": "header",
            "value": { "summary": message, "description": "" },
        });
        body.push_str(&header.to_string());
        body.push('\n');
        for p in prepared {
            let path = &p.upload.path_in_repo;
            let line = if lfs_paths.contains(&path.as_str()) {
                serde_json::json!({
                    "key": "lfsFile",
                    "value": { "path": path, "algo": "sha256", "oid": p.sha256, "size": p.size },
                })
            } else {
                serde_json::json!({
                    "key": "file",
                    "value": {
                        "path": path,
                        "encoding": "base64",
                        "content": base64::engine::general_purpose::STANDARD.encode(p.read_all()?),
                    },
                })
            };
            body.push_str(&line.to_string());
            body.push('\n');
        }
        let url = repo.api_url(&self.endpoint.url, "commit");
        let answer: serde_json::Value = self
            .send_json("committing", repo, || {
                self.http
                    .post(&url)
                    .header("Content-Type", "application/x-ndjson")
                    .body(body.clone())
            })
            .await?;
        Ok(Committed {
            commit_url: answer["commitUrl"].as_str().map(str::to_owned),
            commit_oid: answer["commitOid"].as_str().map(str::to_owned),
            transfer: "basic".into(),
        })
    }

    async fn send_json(
        &self,
        what: &str,
        repo: &Repo,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<serde_json::Value, PublishError> {
        let response = self.send_ok(what, repo, true, request).await?;
        let text = response
            .text()
            .await
            .map_err(|e| self.protocol(what, repo, format!("reading the answer: {e}")))?;
        serde_json::from_str(&text).map_err(|e| {
            self.protocol(
                what,
                repo,
                format!("the answer is not JSON ({e}): {}", snippet(&text)),
            )
        })
    }

    /// Sends with retries on transient failures (network, 429, 5xx) and maps every other failure
    /// to a message. `authorized` adds the token; LFS upload URLs carry their own signature.
    async fn send_ok(
        &self,
        what: &str,
        repo: &Repo,
        authorized: bool,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, PublishError> {
        let attempts = self.endpoint.attempts.max(1);
        let mut delay = self.endpoint.retry_delay;
        for attempt in 1..=attempts {
            let mut builder = request();
            if authorized && let Some(token) = &self.endpoint.token {
                builder = builder.bearer_auth(token.secret());
            }
            let last = attempt == attempts;
            match builder.send().await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let transient = status == 429 || status >= 500;
                    if transient && !last {
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                        continue;
                    }
                    let body = response.text().await.unwrap_or_default();
                    return Err(self.status_error(what, repo, status, &body, attempt));
                }
                Err(error) => {
                    if !last {
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                        continue;
                    }
                    return Err(PublishError::Network {
                        what: what.into(),
                        repo: repo.id.clone(),
                        endpoint: self.endpoint.url.clone(),
                        message: self.redact(&error.without_url().to_string()),
                        attempts,
                    });
                }
            }
        }
        unreachable!("the last attempt always returns")
    }

    fn status_error(
        &self,
        what: &str,
        repo: &Repo,
        status: u16,
        body: &str,
        attempts: u32,
    ) -> PublishError {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .unwrap_or_else(|| snippet(body));
        let detail = if message.is_empty() {
            String::new()
        } else {
            format!(": {}", self.redact(&message))
        };
        by_status(what, repo, status, detail, attempts)
    }

    fn hf_error(&self, what: &str, repo_ref: &Repo, error: HFError) -> PublishError {
        let (what, repo) = (what.to_owned(), repo_ref.id.clone());
        let detail = |message: Option<&str>| {
            message
                .filter(|m| !m.is_empty())
                .map(|m| format!(": {}", self.redact(m)))
                .unwrap_or_default()
        };
        match error {
            HFError::AuthRequired { .. } => PublishError::Unauthorized { what, repo },
            HFError::Forbidden { context } => PublishError::Forbidden {
                what,
                repo,
                detail: detail(context.server_message.as_deref()),
            },
            HFError::Conflict { context } => PublishError::Conflict {
                what,
                repo,
                detail: detail(context.server_message.as_deref()),
            },
            HFError::RepoNotFound { .. }
            | HFError::EntryNotFound { .. }
            | HFError::RevisionNotFound { .. } => PublishError::NotFound {
                what,
                repo,
                detail: format!(": {}", self.redact(&error.to_string())),
            },
            HFError::Http { context } => by_status(
                &what,
                repo_ref,
                context.status.as_u16(),
                detail(context.server_message.as_deref()),
                self.endpoint.attempts,
            ),
            HFError::RateLimited { context, .. } => PublishError::Server {
                what,
                repo,
                status: 429,
                detail: detail(context.server_message.as_deref()),
                attempts: self.endpoint.attempts,
            },
            HFError::Request { source, .. } => PublishError::Network {
                what,
                repo,
                endpoint: self.endpoint.url.clone(),
                message: self.redact(&source.without_url().to_string()),
                attempts: self.endpoint.attempts,
            },
            other => PublishError::Protocol {
                what,
                repo,
                message: self.redact(&other.to_string()),
            },
        }
    }

    fn protocol(&self, what: &str, repo: &Repo, message: String) -> PublishError {
        PublishError::Protocol {
            what: what.into(),
            repo: repo.id.clone(),
            message: self.redact(&message),
        }
    }

    /// A server could echo a request back; the token must still never reach a message.
    fn redact(&self, text: &str) -> String {
        match &self.endpoint.token {
            Some(token) => text.replace(token.secret(), "<redacted>"),
            None => text.to_owned(),
        }
    }
}

/// A file hashed and sampled for the pre-upload and the LFS batch.
struct Prepared<'a> {
    upload: &'a Upload,
    size: u64,
    sha256: String,
    sample: Vec<u8>,
}

impl<'a> Prepared<'a> {
    fn of(upload: &'a Upload) -> Result<Prepared<'a>, PublishError> {
        let size = upload.content.len()?;
        let mut hasher = Sha256::new();
        let mut sample = Vec::with_capacity(SAMPLE_BYTES);
        let mut take = |chunk: &[u8]| {
            hasher.update(chunk);
            let room = SAMPLE_BYTES - sample.len();
            sample.extend_from_slice(&chunk[..room.min(chunk.len())]);
        };
        match &upload.content {
            Content::Bytes(bytes) => take(bytes),
            Content::File(path) => {
                let mut file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
                let mut buffer = vec![0; 1 << 20];
                loop {
                    let read = file.read(&mut buffer).map_err(|e| file_error(path, e))?;
                    if read == 0 {
                        break;
                    }
                    take(&buffer[..read]);
                }
            }
        }
        Ok(Prepared {
            upload,
            size,
            sha256: hex(&hasher.finalize()),
            sample,
        })
    }

    /// The bytes as a request body, streamed from disk for a file.
    fn body(&self) -> reqwest::Body {
        match &self.upload.content {
            Content::Bytes(bytes) => reqwest::Body::from(bytes.clone()),
            Content::File(path) => {
                let path = path.clone();
                let stream =
                    futures_util::stream::once(async move { tokio::fs::File::open(path).await })
                        .map(|opened| match opened {
                            Ok(file) => tokio_util::io::ReaderStream::with_capacity(file, 1 << 20)
                                .left_stream(),
                            Err(e) => {
                                futures_util::stream::once(async move { Err(e) }).right_stream()
                            }
                        })
                        .flatten();
                reqwest::Body::wrap_stream(stream)
            }
        }
    }

    fn read_all(&self) -> Result<Vec<u8>, PublishError> {
        match &self.upload.content {
            Content::Bytes(bytes) => Ok(bytes.clone()),
            Content::File(path) => std::fs::read(path).map_err(|e| file_error(path, e)),
        }
    }
}

struct LfsBatch {
    transfer: Option<String>,
    actions: HashMap<String, ObjectActions>,
}

struct ObjectActions {
    upload: Option<Action>,
    verify: Option<Action>,
}

struct Action {
    href: String,
    header: Vec<(String, String)>,
}

impl Action {
    fn parse(value: &serde_json::Value) -> Option<Action> {
        let href = value["href"].as_str()?.to_owned();
        let header = value["header"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        Some(Action { href, header })
    }
}

/// `hf-hub`'s repo creation for a repo kind (its type parameter), tolerating an existing repo.
async fn create<T: hf_hub::RepoType>(
    hf: &HFClient,
    repo: &Repo,
    kind: T,
    private: bool,
) -> hf_hub::HFResult<hf_hub::repository::RepoUrl> {
    hf.create_repository()
        .repo_id(&repo.id)
        .repo_type(kind)
        .private(private)
        .exist_ok(true)
        .send()
        .await
}

/// The error an HTTP status stands for, the same whether `hf-hub` or this client saw it.
fn by_status(what: &str, repo: &Repo, status: u16, detail: String, attempts: u32) -> PublishError {
    let (what, repo) = (what.to_owned(), repo.id.clone());
    match status {
        401 => PublishError::Unauthorized { what, repo },
        403 => PublishError::Forbidden { what, repo, detail },
        404 => PublishError::NotFound { what, repo, detail },
        409 => PublishError::Conflict { what, repo, detail },
        429 | 500.. => PublishError::Server {
            what,
            repo,
            status,
            detail,
            attempts,
        },
        _ => PublishError::Rejected {
            what,
            repo,
            status,
            detail,
        },
    }
}

fn file_error(path: &Path, error: std::io::Error) -> PublishError {
    PublishError::File {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn snippet(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
