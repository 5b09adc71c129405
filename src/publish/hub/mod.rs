//! A blocking Hub client for what evaldeck needs: make sure a dataset repo exists, commit files
//! to it, list it and download from it.
//!
//! Every call `hf-hub` offers goes through `hf-hub`. Two do not: the pre-upload classification and
//! the LFS `basic` transfer. `hf-hub` uploads LFS files through Xet when the server offers it and
//! otherwise silently commits them inline, which a Hub without Xet (a mirror, a self-hosted hub)
//! rejects. So the client asks the LFS batch endpoint first: when it chooses Xet, the commit is
//! `hf-hub`'s; when it chooses `basic`, the objects are PUT to the upload URLs, verified, and
//! committed as `lfsFile` entries (`lfs.rs`, which can go once `hf-hub` speaks `basic`). Errors
//! become `PublishError`s in one place (`errors.rs`).

mod errors;
mod lfs;

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use hf_hub::repository::{CommitOperation, RepoTreeEntry};
use hf_hub::{HFClient, RepoTypeDataset, RepoTypeModel};

use super::error::PublishError;
use super::token::Token;
use errors::file_error;
use lfs::Prepared;

const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
const REVISION: &str = "main";

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
    pub transfer: Transfer,
}

/// How a commit's large files travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// No file needed LFS.
    None,
    /// Git LFS `basic`: a PUT per object (evaldeck's own, `lfs.rs`).
    Basic,
    /// Xet, through `hf-hub`.
    Xet,
}

impl Transfer {
    pub fn name(self) -> &'static str {
        match self {
            Transfer::None => "none",
            Transfer::Basic => "basic",
            Transfer::Xet => "xet",
        }
    }

    /// The transfer an LFS batch answer chose; a server that names none means `basic`.
    fn negotiated(answer: Option<&str>) -> Result<Transfer, String> {
        match answer {
            None | Some("basic") => Ok(Transfer::Basic),
            Some("xet") => Ok(Transfer::Xet),
            Some(other) => Err(other.to_owned()),
        }
    }
}

impl std::fmt::Display for Transfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The Hub's pre-upload verdict on a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UploadMode {
    /// Stored as an LFS object, uploaded before the commit.
    Lfs,
    /// Inlined in the commit.
    Regular,
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
            .filter(|p| p.size > 0 && modes.get(&p.upload.path_in_repo) == Some(&UploadMode::Lfs))
            .collect();
        if lfs.is_empty() {
            return self
                .commit_with_hf_hub(repo, uploads, message, Transfer::None, progress)
                .await;
        }
        let batch = self.lfs_batch(repo, &lfs).await?;
        match Transfer::negotiated(batch.transfer.as_deref()) {
            Ok(Transfer::Basic) => {
                self.upload_basic(repo, &lfs, &batch, progress).await?;
                progress(CommitProgress::Committing);
                let lfs_paths: Vec<&str> = lfs.iter().map(|p| p.upload.path_in_repo.as_str()).collect();
                self.commit_ndjson(repo, &prepared, &lfs_paths, message).await
            }
            Ok(transfer) => {
                self.commit_with_hf_hub(repo, uploads, message, transfer, progress)
                    .await
            }
            Err(other) => Err(self.protocol(
                "negotiating the LFS transfer",
                repo,
                format!(
                    "the Hub chose the `{other}` transfer, which evaldeck does not speak (it offers basic and xet)"
                ),
            )),
        }
    }

    async fn commit_with_hf_hub(
        &self,
        repo: &Repo,
        uploads: &[Upload],
        message: &str,
        transfer: Transfer,
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
            transfer,
        })
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
