//! The network half of the Hub client: `hf-hub` for what it offers, `reqwest` for the rest.
//! Built with the `hub` feature only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use hf_hub::repository::{CommitOperation, RepoTreeEntry};
use hf_hub::{HFClient, RepoTypeDataset, RepoTypeModel};

use super::error::HubError;
use super::lfs::Prepared;
use super::token::Token;
use super::{
    CommitProgress, Committed, Content, HubEndpoint, ListedRepo, Repo, RepoFile, RepoKind,
    ReposPage, Transfer, Upload,
};

/// The branch evaldeck commits to and reads by default.
pub(super) const REVISION: &str = "main";

/// The URL of a `Link` header's `rel="next"` part (RFC 8288), as the Hub sends for pagination.
/// Each link is `<URL>` then `;`-separated parameters; a URL may itself hold commas.
fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let is_next = params.split([';', ',']).any(|p| {
            p.trim()
                .strip_prefix("rel=")
                .is_some_and(|rel| rel.trim_matches('"').split(' ').any(|r| r == "next"))
        });
        if is_next {
            return Some(url.trim().to_owned());
        }
        rest = &after[params_end..];
    }
    None
}

/// `bytes START-END/TOTAL` (TOTAL may be `*`) of a `Content-Range` header.
fn parse_content_range(header: &str) -> Option<(u64, u64, Option<u64>)> {
    let (span, total) = header.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start.trim().parse().ok()?, end.trim().parse().ok()?, total))
}

/// The Hub's API paths, which only the network half needs.
impl Repo {
    /// The API's collection: `datasets` or `models`.
    fn api_collection(&self) -> &'static str {
        match self.kind {
            RepoKind::Dataset => "datasets",
            RepoKind::Model => "models",
        }
    }

    /// `{endpoint}/api/{datasets|models}/{id}/{action}/main`.
    pub(super) fn api_url(&self, endpoint: &str, action: &str) -> String {
        format!(
            "{endpoint}/api/{}/{}/{action}/{REVISION}",
            self.api_collection(),
            self.id
        )
    }

    fn owner_and_name(&self) -> (&str, &str) {
        self.id.split_once('/').unwrap_or(("", &self.id))
    }
}

impl Transfer {
    /// The transfer an LFS batch answer chose (a server that names none means `basic`), or
    /// `None` for one evaldeck does not speak.
    fn negotiated(answer: Option<&str>) -> Option<Transfer> {
        match answer {
            None | Some("basic") => Some(Transfer::Basic),
            Some("xet") => Some(Transfer::Xet),
            Some(_) => None,
        }
    }
}

/// The Hub's pre-upload verdict on a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UploadMode {
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
    pub(super) endpoint: HubEndpoint,
    pub(super) hf: HFClient,
    pub(super) http: reqwest::Client,
    pub(super) runtime: tokio::runtime::Runtime,
}

impl HubClient {
    pub fn new(endpoint: HubEndpoint) -> Result<HubClient, HubError> {
        let mut builder = HFClient::builder()
            .endpoint(endpoint.url.clone())
            .retry_max_attempts(endpoint.retry.attempts().saturating_sub(1) as usize)
            .retry_base_delay(endpoint.retry.first_delay)
            .user_agent(format!("evaldeck/{}", env!("CARGO_PKG_VERSION")));
        if let Some(token) = &endpoint.token {
            builder = builder.token(token.secret());
        }
        if let Some(dir) = &endpoint.cache_dir {
            builder = builder.cache_dir(dir.clone());
        }
        let setup = |message: String| HubError::Protocol {
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

    fn require_token(&self) -> Result<&Token, HubError> {
        self.endpoint.token.as_ref().ok_or(HubError::MissingToken)
    }

    /// Creates the repo unless it exists; `true` when it was created.
    pub fn ensure_repo(&self, repo: &Repo, private: bool) -> Result<bool, HubError> {
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
    ) -> Result<Vec<RepoFile>, HubError> {
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
            Ok::<_, HubError>(files)
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
    ) -> Result<PathBuf, HubError> {
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

    /// One page of `org`'s dataset repos with their files (`GET /api/datasets?author=ORG&full=true`):
    /// the first page when `next` is `None`, else the page `next` names. Pages are the Hub's own,
    /// followed by its `Link: <…>; rel="next"` header as `huggingface_hub` does.
    pub fn list_dataset_repos(&self, org: &str, next: Option<&str>) -> Result<ReposPage, HubError> {
        let what = "listing the organisation's datasets";
        let repo = Repo::dataset(org);
        let first = reqwest::Url::parse(&format!("{}/api/datasets", self.endpoint.url))
            .map_err(|e| self.protocol(what, &repo, format!("bad endpoint: {e}")))?;
        let url = match next {
            // Relative links are resolved against the listing; the token goes only to the Hub
            // it was meant for, never to a host a `Link` header names.
            Some(next) => {
                let url = first.join(next).map_err(|e| {
                    self.protocol(what, &repo, format!("bad next page `{next}`: {e}"))
                })?;
                if url.origin() != first.origin() {
                    return Err(self.protocol(
                        what,
                        &repo,
                        format!(
                            "the next page is on another host ({}); not followed",
                            url.origin().ascii_serialization()
                        ),
                    ));
                }
                url
            }
            None => {
                let mut url = first;
                url.query_pairs_mut()
                    .append_pair("author", org)
                    .append_pair("full", "true");
                url
            }
        };
        self.runtime.block_on(async {
            let response = self
                .send_ok(what, &repo, true, || self.http.get(url.clone()))
                .await?;
            let next = response
                .headers()
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(next_link);
            let text = response
                .text()
                .await
                .map_err(|e| self.protocol(what, &repo, format!("reading the answer: {e}")))?;
            let items: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
                self.protocol(what, &repo, format!("the answer is not a JSON list ({e})"))
            })?;
            let repos = items
                .iter()
                .filter_map(|item| {
                    Some(ListedRepo {
                        id: item["id"].as_str()?.to_owned(),
                        commit: item["sha"].as_str().map(str::to_owned),
                        files: item["siblings"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|s| s["rfilename"].as_str().map(str::to_owned))
                            .collect(),
                    })
                })
                .collect();
            Ok(ReposPage { repos, next })
        })
    }

    /// Byte ranges of a file of the repo at `revision`, an HTTP range request each on its
    /// `resolve` URL, a few in flight: one round trip's wait instead of one per range. The Hub
    /// redirects LFS and Xet files to storage that honours ranges; the token is not sent on to
    /// another host. Answers in the order asked.
    pub fn read_ranges(
        &self,
        repo: &Repo,
        revision: &str,
        (path_in_repo, file_len): (&str, u64),
        ranges: &[std::ops::Range<u64>],
    ) -> Vec<Result<bytes::Bytes, HubError>> {
        const IN_FLIGHT: usize = 8;
        self.runtime.block_on(
            futures_util::stream::iter(ranges.iter().cloned())
                .map(|range| self.range_request(repo, revision, (path_in_repo, file_len), range))
                .buffered(IN_FLIGHT)
                .collect(),
        )
    }

    /// One range of a file `file_len` bytes long. The answer is checked against what was asked
    /// (a 206's `Content-Range`, a 200's length), so a proxy's page is never taken for the file.
    async fn range_request(
        &self,
        repo: &Repo,
        revision: &str,
        (path_in_repo, file_len): (&str, u64),
        range: std::ops::Range<u64>,
    ) -> Result<bytes::Bytes, HubError> {
        let what = format!("reading {path_in_repo}");
        let mut url = reqwest::Url::parse(&self.endpoint.url)
            .map_err(|e| self.protocol(&what, repo, format!("bad endpoint: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| self.protocol(&what, repo, "bad endpoint".into()))?
            .pop_if_empty()
            .extend(
                repo.url_prefix()
                    .trim_end_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty()),
            )
            .extend(repo.id.split('/'))
            .push("resolve")
            .push(revision)
            .extend(path_in_repo.split('/'));
        let wanted = range.end.saturating_sub(range.start);
        if wanted == 0 {
            return Ok(bytes::Bytes::new());
        }
        let header = format!("bytes={}-{}", range.start, range.end - 1);
        let response = self
            .send_ok(&what, repo, true, || {
                self.http
                    .get(url.clone())
                    .header(reqwest::header::RANGE, header.clone())
            })
            .await?;
        let partial = response.status() == reqwest::StatusCode::PARTIAL_CONTENT;
        let content_range = response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.protocol(&what, repo, format!("reading the answer: {e}")))?;
        let body = if partial {
            // `bytes START-END/TOTAL`: the range asked for, of a file of the listed length.
            let (first, last) = (range.start, range.end - 1);
            let answered = content_range.as_deref().and_then(parse_content_range);
            if answered.is_some_and(|(start, end, total)| {
                (start, end) != (first, last) || total.is_some_and(|t| t != file_len)
            }) {
                return Err(self.protocol(
                    &what,
                    repo,
                    format!(
                        "asked for bytes {first}-{last} of {file_len}, got {}",
                        content_range.unwrap_or_default()
                    ),
                ));
            }
            body
        } else {
            // A server that ignores ranges sends the whole file: still right, only slower.
            if body.len() as u64 != file_len {
                return Err(self.protocol(
                    &what,
                    repo,
                    format!(
                        "asked for a range, got {} bytes that are not the {file_len}-byte file",
                        body.len()
                    ),
                ));
            }
            body.slice(range.start as usize..range.end as usize)
        };
        if body.len() as u64 != wanted {
            return Err(self.protocol(
                &what,
                repo,
                format!(
                    "asked for {wanted} bytes at {}, got {}",
                    range.start,
                    body.len()
                ),
            ));
        }
        Ok(body)
    }

    /// Commits `uploads` to `main` in one commit.
    pub fn commit(
        &self,
        repo: &Repo,
        uploads: &[Upload],
        message: &str,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<Committed, HubError> {
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
    ) -> Result<Committed, HubError> {
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
            Some(Transfer::Basic) => {
                self.upload_basic(repo, &lfs, &batch, progress).await?;
                progress(CommitProgress::Committing);
                let lfs_paths: Vec<&str> = lfs.iter().map(|p| p.upload.path_in_repo.as_str()).collect();
                self.commit_ndjson(repo, &prepared, &lfs_paths, message).await
            }
            Some(transfer) => {
                self.commit_with_hf_hub(repo, uploads, message, transfer, progress)
                    .await
            }
            None => Err(self.protocol(
                "negotiating the LFS transfer",
                repo,
                format!(
                    "the Hub chose the `{}` transfer, which evaldeck does not speak (it offers basic and xet)",
                    batch.transfer.as_deref().unwrap_or_default()
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
    ) -> Result<Committed, HubError> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            super::parse_content_range("bytes 0-99/1000"),
            Some((0, 99, Some(1000)))
        );
        assert_eq!(
            super::parse_content_range("bytes 5-9/*"),
            Some((5, 9, None))
        );
        assert_eq!(super::parse_content_range("items 0-1/2"), None);
    }

    #[test]
    fn the_next_link_is_found() {
        assert_eq!(
            super::next_link(r#"<https://hf.co/api/datasets?cursor=abc&author=x>; rel="next""#)
                .as_deref(),
            Some("https://hf.co/api/datasets?cursor=abc&author=x")
        );
        assert_eq!(
            super::next_link(r#"<https://a/1>; rel="prev", <https://a/3>; rel="next""#).as_deref(),
            Some("https://a/3")
        );
        assert_eq!(super::next_link(r#"<https://a/1>; rel="prev""#), None);
        assert_eq!(
            super::next_link(r#"<https://a/x?c=1,2>; rel="prev", <https://a/y?c=3,4>; rel=next"#)
                .as_deref(),
            Some("https://a/y?c=3,4"),
            "commas inside a URL"
        );
        assert_eq!(
            super::next_link(r#"</api/datasets?cursor=2>; rel="next""#).as_deref(),
            Some("/api/datasets?cursor=2")
        );
    }
}
