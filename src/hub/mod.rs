//! The Hugging Face Hub: one client for reading repos (`hf://` sources) and for pushing to them,
//! with its endpoint, token, repo ids, name rules, retry policy and errors. `source` and `publish`
//! both stand on it; neither imports the other.
//!
//! `hf-hub` (1.0) makes every call it does as well as evaldeck needs: checking and creating a
//! repo, listing a repo's tree, downloading a file into the shared cache, and committing (through
//! Xet when the server offers it). evaldeck's own code makes three, each for a reason:
//! - **an organisation's dataset repos** (`GET /api/datasets?author=ORG&full=true`, following the
//!   `Link` header): `hf-hub`'s `list_datasets` pages too, but hides where a page ends (the Runs
//!   screen grows page by page and says which page it is on), sends the token to whatever host a
//!   `Link` header names, and follows a `next` that points back to a page already read, forever.
//!   Ours stays on the Hub's origin and stops at a repeated page;
//! - **byte ranges of a file** (`read_ranges`, for details read by the page): `hf-hub`'s
//!   `download_file_to_bytes` takes a range, but asks the server for the file's metadata first
//!   (two round trips a read, where range reads exist to save round trips) and takes whatever
//!   body comes back, so a server that ignores `Range` hands over the file's first bytes as the
//!   range asked for. Ours is one request, checked against `Content-Range` or the file's length;
//! - **the pre-upload classification and the LFS `basic` transfer**: `hf-hub` uploads LFS files
//!   through Xet when the server offers it and otherwise silently commits them inline, which a
//!   Hub without Xet (a mirror, a self-hosted hub) rejects. So the client asks the LFS batch
//!   endpoint first: when it chooses Xet, the commit is `hf-hub`'s; when it chooses `basic`, the
//!   objects are PUT to the upload URLs, verified, and committed as `lfsFile` entries (`lfs.rs`,
//!   which can go once `hf-hub` speaks `basic`).
//!
//! Failures become [`HubError`]s in one place (`to_error.rs`); both halves retry by one
//! [`RetryPolicy`].

#[cfg(feature = "hub")]
mod client;
mod error;
#[cfg(feature = "hub")]
mod http;
#[cfg(feature = "hub")]
mod lfs;
pub mod names;
#[cfg(feature = "hub")]
mod to_error;
mod token;
#[cfg(not(feature = "hub"))]
mod without_network;

use std::path::PathBuf;
use std::time::Duration;

pub use error::HubError;
pub use token::{Token, hf_home};

#[cfg(feature = "hub")]
pub use client::HubClient;
#[cfg(not(feature = "hub"))]
pub use without_network::HubClient;

const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Where to push and as whom. `Debug` never shows the token.
#[derive(Debug, Clone)]
pub struct HubEndpoint {
    /// Base URL, without a trailing slash.
    pub url: String,
    token: Option<Token>,
    pub retry: RetryPolicy,
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
            retry: RetryPolicy::default(),
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

/// How a transient failure (the network, a 429, a 5xx) is retried, by `hf-hub`'s calls and by
/// evaldeck's own alike: `attempts` in all, the first back-off `first_delay`, doubled at each retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            first_delay: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// At least one attempt, whatever was asked.
    pub fn attempts(self) -> u32 {
        self.attempts.max(1)
    }

    /// The wait after failed attempt `attempt` (1-based).
    pub fn delay_after(self, attempt: u32) -> Duration {
        self.first_delay.saturating_mul(
            1u32.checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
    }

    /// Whether an HTTP status is worth another attempt.
    pub fn is_transient(status: u16) -> bool {
        status == 429 || status >= 500
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

    /// The web and git prefix: `datasets/` or nothing.
    fn url_prefix(&self) -> &'static str {
        match self.kind {
            RepoKind::Dataset => "datasets/",
            RepoKind::Model => "",
        }
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

/// A file listed in a repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    pub path: String,
    pub size: u64,
    pub lfs: bool,
}

/// A dataset repo as an organisation's listing gives it: its files' names (no sizes) and the
/// commit they were listed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRepo {
    /// `ORG/NAME`.
    pub id: String,
    /// `None` when the listing did not say.
    pub commit: Option<String>,
    pub files: Vec<String>,
}

/// One page of an organisation's dataset repos, and where the next one is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReposPage {
    pub repos: Vec<ListedRepo>,
    /// The next page's URL, from the answer's `Link` header; `None` on the last page.
    pub next: Option<String>,
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
}

impl std::fmt::Display for Transfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
