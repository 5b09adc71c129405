//! What `hf-hub` does not do, and evaldeck adds: the Hub's pre-upload classification, the Git LFS
//! batch negotiation, the LFS `basic` transfer (a PUT per object and its verify), and the NDJSON
//! commit that references the uploaded objects, with retries on transient failures. Everything
//! here can go in one step once `hf-hub` speaks the `basic` transfer.

use std::collections::HashMap;
use std::io::Read;

use base64::Engine;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::client::{REVISION, UploadMode};
use super::error::HubError;
use super::to_error::file_error;
use super::{CommitProgress, Committed, Content, HubClient, Repo, Transfer, Upload};
use crate::model::hex::to_hex;

impl Content {
    fn len(&self) -> Result<u64, HubError> {
        match self {
            Content::Bytes(bytes) => Ok(bytes.len() as u64),
            Content::File(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| file_error(path, e)),
        }
    }
}

/// What the Hub's pre-upload reads of each file to tell text from binary.
const SAMPLE_BYTES: usize = 512;

impl HubClient {
    /// The Hub's classification of each file: `lfs` or `regular`.
    pub(super) async fn preupload(
        &self,
        repo: &Repo,
        prepared: &[Prepared<'_>],
    ) -> Result<HashMap<String, UploadMode>, HubError> {
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
                let mode = if mode == "lfs" {
                    UploadMode::Lfs
                } else {
                    UploadMode::Regular
                };
                modes.insert(path.to_owned(), mode);
            }
        }
        Ok(modes)
    }

    pub(super) async fn lfs_batch(
        &self,
        repo: &Repo,
        lfs: &[&Prepared<'_>],
    ) -> Result<LfsBatch, HubError> {
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
    pub(super) async fn upload_basic(
        &self,
        repo: &Repo,
        lfs: &[&Prepared<'_>],
        batch: &LfsBatch,
        progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<(), HubError> {
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
    pub(super) async fn commit_ndjson(
        &self,
        repo: &Repo,
        prepared: &[Prepared<'_>],
        lfs_paths: &[&str],
        message: &str,
    ) -> Result<Committed, HubError> {
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
            transfer: Transfer::Basic,
        })
    }
}

/// A file hashed and sampled for the pre-upload and the LFS batch.
pub(super) struct Prepared<'a> {
    pub(super) upload: &'a Upload,
    pub(super) size: u64,
    pub(super) sha256: String,
    pub(super) sample: Vec<u8>,
}

impl<'a> Prepared<'a> {
    pub(super) fn of(upload: &'a Upload) -> Result<Prepared<'a>, HubError> {
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
            sha256: to_hex(&hasher.finalize()),
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

    fn read_all(&self) -> Result<Vec<u8>, HubError> {
        match &self.upload.content {
            Content::Bytes(bytes) => Ok(bytes.clone()),
            Content::File(path) => std::fs::read(path).map_err(|e| file_error(path, e)),
        }
    }
}

pub(super) struct LfsBatch {
    pub(super) transfer: Option<String>,
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
