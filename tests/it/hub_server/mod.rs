//! A small Hub-compatible HTTP server for tests: the endpoints `hf-hub` and Python's
//! `huggingface_hub` use to create a dataset repo, check it, pre-upload, negotiate LFS (always
//! `basic`, never Xet), upload and verify LFS objects, commit (NDJSON), list the tree and
//! download (`resolve`, with the redirect and headers the Hub sends for LFS files).
//!
//! It behaves like the Hub where it matters to a client: binary files must arrive as LFS
//! objects, writes need a valid token, private repos are invisible without one. It keeps what
//! it receives so tests can look, and it can fail on purpose.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Files bigger than this go to LFS whatever their content, as on the Hub.
const LFS_THRESHOLD: u64 = 10 * 1024 * 1024;
/// Extensions the Hub's default `.gitattributes` sends to LFS.
const LFS_EXTENSIONS: &[&str] = &["parquet", "arrow", "bin", "pt", "safetensors", "zip", "gz"];

#[derive(Default)]
pub struct HubState {
    pub token: String,
    /// Organisations the token may not write to (403).
    pub read_only_orgs: HashSet<String>,
    pub repos: BTreeMap<String, Repo>,
    /// LFS objects by sha256.
    pub blobs: HashMap<String, Vec<u8>>,
    /// The next requests answered with this status, however many remain.
    pub failures: Vec<u16>,
    /// Every request: method, path and query (never headers).
    pub log: Vec<String>,
    /// Every request body, concatenated, to check that none carries the token.
    pub bodies_seen: Vec<u8>,
    /// Bytes of content served (GET bodies of files, whole or by range), by decoded URL path.
    pub served: BTreeMap<String, u64>,
    /// Repos per page of `GET /api/datasets` (the Hub's is 1000; tests make it small).
    pub page_size: usize,
    /// Where the listing's `Link` header sends the next page; `None`: this server.
    pub next_page_base: Option<String>,
    /// Answers a range one byte later than asked, as a broken proxy might.
    pub shift_ranges: bool,
}

#[derive(Default, Clone)]
pub struct Repo {
    pub private: bool,
    pub commits: Vec<String>,
    pub files: BTreeMap<String, Stored>,
    /// Paths the pre-upload classified as LFS; inline content for them is rejected.
    pub lfs_marked: HashSet<String>,
}

#[derive(Clone)]
pub struct Stored {
    pub content: Vec<u8>,
    pub lfs_oid: Option<String>,
    /// Hashed once: a range read of a large file must not hash all of it each time.
    oid: std::sync::OnceLock<String>,
}

impl Stored {
    pub fn new(content: Vec<u8>, lfs_oid: Option<String>) -> Stored {
        Stored {
            content,
            lfs_oid,
            oid: std::sync::OnceLock::new(),
        }
    }

    fn git_oid(&self) -> String {
        self.oid
            .get_or_init(|| sha256_hex(&self.content)[..40].to_owned())
            .clone()
    }
}

pub struct HubServer {
    pub url: String,
    pub state: Arc<Mutex<HubState>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HubServer {
    /// Serves on a free loopback port, on its own thread, until dropped.
    pub fn start(token: &str) -> HubServer {
        let state = Arc::new(Mutex::new(HubState {
            token: token.into(),
            ..HubState::default()
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app_state = (state.clone(), url.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                use axum::serve::ListenerExt;
                // As a real server does: without it, Nagle's algorithm and delayed ACKs hold a
                // small answer back by tens of milliseconds.
                let listener = tokio::net::TcpListener::from_std(listener)
                    .unwrap()
                    .tap_io(|tcp| {
                        let _ = tcp.set_nodelay(true);
                    });
                let app = axum::Router::new()
                    .fallback(handle)
                    .with_state(app_state)
                    .layer(axum::extract::DefaultBodyLimit::disable());
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        HubServer {
            url,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn fail_next(&self, status: u16, times: usize) {
        self.state.lock().unwrap().failures = vec![status; times];
    }

    pub fn forbid_org(&self, org: &str) {
        self.state.lock().unwrap().read_only_orgs.insert(org.into());
    }

    pub fn repo(&self, repo_id: &str) -> Option<Repo> {
        self.state
            .lock()
            .unwrap()
            .repos
            .get(&format!("datasets/{repo_id}"))
            .cloned()
    }

    pub fn model_repo(&self, repo_id: &str) -> Option<Repo> {
        self.state.lock().unwrap().repos.get(repo_id).cloned()
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    /// Bytes of file content served so far, over all files.
    pub fn bytes_served(&self) -> u64 {
        self.state.lock().unwrap().served.values().sum()
    }

    /// Bytes of one dataset repo file's content served so far: through its `resolve` URL at any
    /// revision, and through the storage URL an LFS file redirects to.
    pub fn bytes_served_for(&self, repo_id: &str, path: &str) -> u64 {
        let state = self.state.lock().unwrap();
        let lfs = state
            .repos
            .get(&format!("datasets/{repo_id}"))
            .and_then(|repo| repo.files.get(path))
            .and_then(|stored| stored.lfs_oid.clone());
        let prefix = format!("datasets/{repo_id}/resolve/");
        state
            .served
            .iter()
            .filter(|(key, _)| {
                key.strip_prefix(&prefix)
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(_, served)| served == path)
                    || lfs
                        .as_ref()
                        .is_some_and(|oid| **key == format!("lfs/objects/{oid}"))
            })
            .map(|(_, bytes)| bytes)
            .sum()
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type AppState = (Arc<Mutex<HubState>>, String);

async fn handle(
    axum::extract::State((state, base)): axum::extract::State<AppState>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 30)
        .await
        .unwrap_or_default();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let mut state = state.lock().unwrap();
    state
        .log
        .push(format!("{} {}?{}", parts.method, parts.uri.path(), query));
    state.bodies_seen.extend_from_slice(&body);
    if !state.failures.is_empty() {
        let status = state.failures.remove(0);
        return error(status, "injected failure", None);
    }
    let authorized = bearer(&parts.headers).is_some_and(|t| t == state.token);
    // Split first, decode second: Python's client sends `%2F` inside a tree path.
    let decoded: Vec<String> = parts
        .uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let hub = Hub {
        state: &mut state,
        base: &base,
        authorized,
        has_auth_header: bearer(&parts.headers).is_some(),
    };
    let response = hub.route(&parts.method, &segments, &query, &parts.headers, body);
    let is_content = segments.contains(&"resolve") || segments.starts_with(&["lfs", "objects"]);
    if parts.method == Method::GET && response.status().is_success() && is_content {
        let length = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .unwrap_or(0);
        *state.served.entry(segments.join("/")).or_default() += length;
    }
    response
}

struct Hub<'a> {
    state: &'a mut HubState,
    base: &'a str,
    authorized: bool,
    has_auth_header: bool,
}

impl Hub<'_> {
    fn route(
        self,
        method: &Method,
        segments: &[&str],
        query: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Response {
        // Dataset repos are keyed `datasets/{org}/{name}`, model repos `{org}/{name}`, as in URLs.
        match (method.as_str(), segments) {
            ("POST", ["api", "repos", "create"]) => self.create_repo(&body),
            ("GET", ["api", "datasets"]) => self.list_datasets(query),
            ("POST", ["api", "validate-yaml"]) => {
                axum::Json(json!({"errors": [], "warnings": []})).into_response()
            }
            ("GET", ["api", kind @ ("datasets" | "models"), org, name, rest @ ..])
                if rest.is_empty() || rest[0] == "revision" =>
            {
                self.repo_info(&key(kind, org, name))
            }
            (
                "POST",
                [
                    "api",
                    kind @ ("datasets" | "models"),
                    org,
                    name,
                    "preupload",
                    _rev,
                ],
            ) => self.preupload(&key(kind, org, name), &body),
            (
                "POST",
                [
                    "api",
                    kind @ ("datasets" | "models"),
                    org,
                    name,
                    "commit",
                    _rev,
                ],
            ) => self.commit(&key(kind, org, name), &body),
            (
                "GET",
                [
                    "api",
                    kind @ ("datasets" | "models"),
                    org,
                    name,
                    "tree",
                    _rev,
                    rest @ ..,
                ],
            ) => {
                let recursive = query
                    .split('&')
                    .any(|p| matches!(p, "recursive=true" | "recursive=True" | "recursive=1"));
                self.tree(&key(kind, org, name), &rest.join("/"), recursive)
            }
            (
                "POST",
                [
                    "api",
                    kind @ ("datasets" | "models"),
                    org,
                    name,
                    "paths-info",
                    _rev,
                ],
            ) => self.paths_info(&key(kind, org, name), headers, &body),
            ("POST", ["datasets", org, repo_git, "info", "lfs", "objects", "batch"]) => {
                let name = repo_git.trim_end_matches(".git");
                self.lfs_batch(&format!("datasets/{org}/{name}"), &body)
            }
            ("POST", [org, repo_git, "info", "lfs", "objects", "batch"])
                if repo_git.ends_with(".git") =>
            {
                let name = repo_git.trim_end_matches(".git");
                self.lfs_batch(&format!("{org}/{name}"), &body)
            }
            ("PUT", ["lfs", "upload", oid]) => self.lfs_upload(oid, body),
            ("POST", ["lfs", "verify"]) => self.lfs_verify(&body),
            ("GET" | "HEAD", ["lfs", "objects", oid]) => self.lfs_object(method, oid, headers),
            ("GET" | "HEAD", ["datasets", org, name, "resolve", _rev, rest @ ..]) => self.resolve(
                method,
                &format!("datasets/{org}/{name}"),
                &rest.join("/"),
                headers,
            ),
            ("GET" | "HEAD", [org, name, "resolve", _rev, rest @ ..]) if *org != "api" => {
                self.resolve(method, &format!("{org}/{name}"), &rest.join("/"), headers)
            }
            _ => error(404, "no such endpoint", None),
        }
    }

    fn create_repo(self, body: &[u8]) -> Response {
        if !self.authorized {
            return error(401, "Invalid credentials in Authorization header", None);
        }
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let Some(name) = request["name"].as_str() else {
            return error(400, "name is required", None);
        };
        let org = request["organization"].as_str().unwrap_or("user");
        let prefix = match request["type"].as_str() {
            Some("dataset") => "datasets/",
            Some("model") | None => "",
            Some(other) => {
                return error(400, &format!("this test hub holds no {other} repos"), None);
            }
        };
        if self.state.read_only_orgs.contains(org) {
            return error(
                403,
                "You don't have the rights to create a dataset under this namespace",
                None,
            );
        }
        let repo_id = format!("{org}/{name}");
        let url = format!("{}/{prefix}{repo_id}", self.base);
        let repo_key = format!("{prefix}{repo_id}");
        if self.state.repos.contains_key(&repo_key) {
            return (
                StatusCode::CONFLICT,
                axum::Json(json!({"error": "You already created this dataset repo", "url": url})),
            )
                .into_response();
        }
        let private = request["private"].as_bool().unwrap_or(false);
        let mut repo = Repo {
            private,
            ..Repo::default()
        };
        repo.files.insert(
            ".gitattributes".into(),
            Stored::new(
                b"*.parquet filter=lfs diff=lfs merge=lfs -text\n".to_vec(),
                None,
            ),
        );
        repo.commits
            .push(sha256_hex(repo_id.as_bytes())[..40].to_owned());
        self.state.repos.insert(repo_key, repo);
        axum::Json(json!({"url": url, "name": repo_id, "id": repo_id})).into_response()
    }

    /// The repo, when this caller may see it.
    fn visible(&self, repo_id: &str) -> Option<&Repo> {
        let repo = self.state.repos.get(repo_id)?;
        (!repo.private || self.authorized).then_some(repo)
    }

    /// `GET /api/datasets?author=ORG[&full=true][&limit=N]`, a page at a time: the next page's
    /// URL comes in a `Link: <…>; rel="next"` header with a `cursor`, as on the Hub.
    fn list_datasets(self, query: &str) -> Response {
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), percent_decode(v)))
            .collect();
        let author = params.get("author").cloned().unwrap_or_default();
        let full = params
            .get("full")
            .is_some_and(|v| v == "true" || v == "True");
        let page_size = params
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(if self.state.page_size == 0 {
                1000
            } else {
                self.state.page_size
            });
        let start: usize = params
            .get("cursor")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let prefix = format!("datasets/{author}/");
        let visible: Vec<(&String, &Repo)> = self
            .state
            .repos
            .iter()
            .filter(|(key, repo)| key.starts_with(&prefix) && (!repo.private || self.authorized))
            .collect();
        let items: Vec<Value> = visible
            .iter()
            .skip(start)
            .take(page_size)
            .map(|(key, repo)| {
                let id = key.trim_start_matches("datasets/");
                let mut item = json!({
                    "_id": sha256_hex(id.as_bytes())[..24],
                    "id": id,
                    "author": author,
                    "private": repo.private,
                    "sha": repo.commits.last(),
                    "lastModified": "2026-11-25T00:00:00.000Z",
                    "downloads": 0,
                    "likes": 0,
                    "tags": [],
                });
                if full {
                    item["siblings"] = repo.files.keys().map(|p| json!({"rfilename": p})).collect();
                }
                item
            })
            .collect();
        let mut response = axum::Json(items).into_response();
        if start + page_size < visible.len() {
            let base = self.state.next_page_base.as_deref().unwrap_or(self.base);
            let mut next = format!(
                "{base}/api/datasets?author={author}&cursor={}&limit={page_size}",
                start + page_size
            );
            if full {
                next.push_str("&full=true");
            }
            response.headers_mut().insert(
                header::LINK,
                format!("<{next}>; rel=\"next\"").parse().unwrap(),
            );
        }
        response
    }

    fn repo_info(self, repo_key: &str) -> Response {
        let Some(repo) = self.visible(repo_key) else {
            return repo_not_found();
        };
        let repo_id = repo_key.trim_start_matches("datasets/");
        let (org, _) = repo_id.split_once('/').unwrap();
        axum::Json(json!({
            "_id": sha256_hex(repo_id.as_bytes())[..24],
            "id": repo_id,
            "author": org,
            "private": repo.private,
            "sha": repo.commits.last(),
            "lastModified": "2026-11-25T00:00:00.000Z",
            "createdAt": "2026-11-25T00:00:00.000Z",
            "disabled": false,
            "gated": false,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": repo.files.keys().map(|p| json!({"rfilename": p})).collect::<Vec<_>>(),
        }))
        .into_response()
    }

    fn preupload(self, repo_id: &str, body: &[u8]) -> Response {
        if !self.authorized {
            return error(401, "Invalid credentials in Authorization header", None);
        }
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let Some(repo) = self.state.repos.get_mut(repo_id) else {
            return repo_not_found();
        };
        let mut answers = Vec::new();
        for file in request["files"].as_array().into_iter().flatten() {
            let path = file["path"].as_str().unwrap_or_default().to_owned();
            let size = file["size"].as_u64().unwrap_or(0);
            let sample = file["sample"]
                .as_str()
                .and_then(base64_decode)
                .unwrap_or_default();
            let by_extension = path
                .rsplit_once('.')
                .is_some_and(|(_, ext)| LFS_EXTENSIONS.contains(&ext));
            let binary = sample.contains(&0) || std::str::from_utf8(&sample).is_err();
            let lfs = by_extension || binary || size > LFS_THRESHOLD;
            if lfs {
                repo.lfs_marked.insert(path.clone());
            }
            answers.push(json!({
                "path": path,
                "uploadMode": if lfs { "lfs" } else { "regular" },
                "shouldIgnore": false,
            }));
        }
        axum::Json(json!({"files": answers, "commitOid": repo.commits.last()})).into_response()
    }

    fn lfs_batch(self, repo_id: &str, body: &[u8]) -> Response {
        if !self.authorized {
            return error(401, "Invalid credentials in Authorization header", None);
        }
        if !self.state.repos.contains_key(repo_id) {
            return repo_not_found();
        }
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let offered: Vec<&str> = request["transfers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !offered.is_empty() && !offered.contains(&"basic") {
            return error(422, "this hub only speaks the basic LFS transfer", None);
        }
        let mut objects = Vec::new();
        for object in request["objects"].as_array().into_iter().flatten() {
            let oid = object["oid"].as_str().unwrap_or_default();
            let size = object["size"].as_u64().unwrap_or(0);
            let mut answer = json!({"oid": oid, "size": size, "authenticated": true});
            if !self.state.blobs.contains_key(oid) {
                answer["actions"] = json!({
                    "upload": {"href": format!("{}/lfs/upload/{oid}", self.base), "header": {}},
                    "verify": {"href": format!("{}/lfs/verify", self.base), "header": {}},
                });
            }
            objects.push(answer);
        }
        (
            [(header::CONTENT_TYPE, "application/vnd.git-lfs+json")],
            json!({"transfer": "basic", "objects": objects}).to_string(),
        )
            .into_response()
    }

    fn lfs_upload(self, oid: &str, body: Bytes) -> Response {
        if sha256_hex(&body) != oid {
            return error(400, "the uploaded bytes do not hash to the object id", None);
        }
        self.state.blobs.insert(oid.to_owned(), body.to_vec());
        StatusCode::OK.into_response()
    }

    fn lfs_verify(self, body: &[u8]) -> Response {
        if !self.authorized {
            return error(401, "Invalid credentials in Authorization header", None);
        }
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let oid = request["oid"].as_str().unwrap_or_default();
        match self.state.blobs.get(oid) {
            Some(blob) if request["size"].as_u64() == Some(blob.len() as u64) => {
                axum::Json(json!({"success": true})).into_response()
            }
            _ => error(404, "object not uploaded", None),
        }
    }

    fn commit(self, repo_key: &str, body: &[u8]) -> Response {
        if !self.authorized {
            return error(401, "Invalid credentials in Authorization header", None);
        }
        let repo_id = repo_key.trim_start_matches("datasets/");
        let (org, _) = repo_id.split_once('/').unwrap_or(("", ""));
        if self.state.read_only_orgs.contains(org) {
            return error(403, "You don't have the rights to write to this repo", None);
        }
        let blobs = &self.state.blobs;
        let Some(repo) = self.state.repos.get_mut(repo_key) else {
            return repo_not_found();
        };
        let mut staged = repo.files.clone();
        let mut summary = String::new();
        for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let Ok(entry) = serde_json::from_slice::<Value>(line) else {
                return error(400, "malformed NDJSON line", None);
            };
            let value = &entry["value"];
            let path = value["path"].as_str().unwrap_or_default().to_owned();
            match entry["key"].as_str() {
                Some("header") => summary = value["summary"].as_str().unwrap_or("").to_owned(),
                Some("file") => {
                    if repo.lfs_marked.contains(&path) {
                        return error(
                            400,
                            &format!(
                                "Your push was rejected because it contains binary files: {path} must be stored with LFS"
                            ),
                            None,
                        );
                    }
                    let Some(content) = value["content"].as_str().and_then(base64_decode) else {
                        return error(400, "file content is not base64", None);
                    };
                    staged.insert(path, Stored::new(content, None));
                }
                Some("lfsFile") => {
                    let oid = value["oid"].as_str().unwrap_or_default();
                    let Some(blob) = blobs.get(oid) else {
                        return error(
                            422,
                            &format!("LFS object {oid} for {path} was never uploaded"),
                            None,
                        );
                    };
                    staged.insert(path, Stored::new(blob.clone(), Some(oid.to_owned())));
                }
                Some("deletedFile") => {
                    staged.remove(&path);
                }
                other => return error(400, &format!("unknown commit key {other:?}"), None),
            }
        }
        repo.files = staged;
        let oid = sha256_hex(format!("{}{summary}{}", repo.commits.len(), repo_id).as_bytes())
            [..40]
            .to_owned();
        repo.commits.push(oid.clone());
        axum::Json(json!({
            "commitUrl": format!("{}/{repo_key}/commit/{oid}", self.base),
            "commitOid": oid,
            "commitMessage": summary,
            "success": true,
            "pullRequestUrl": null,
            "prUrl": null,
            "prNum": null,
            "hookOutput": "",
        }))
        .into_response()
    }

    fn tree_entry(path: &str, stored: &Stored) -> Value {
        let mut entry = json!({
            "type": "file",
            "oid": stored.git_oid(),
            "size": stored.content.len(),
            "path": path,
        });
        if let Some(oid) = &stored.lfs_oid {
            entry["lfs"] = json!({"oid": oid, "size": stored.content.len(), "pointerSize": 134});
        }
        entry
    }

    fn tree(self, repo_id: &str, under: &str, recursive: bool) -> Response {
        let Some(repo) = self.visible(repo_id) else {
            return repo_not_found();
        };
        let prefix = if under.is_empty() {
            String::new()
        } else {
            format!("{}/", under.trim_matches('/'))
        };
        let mut entries = Vec::new();
        let mut directories = BTreeMap::new();
        for (path, stored) in &repo.files {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            let parts: Vec<&str> = rest.split('/').collect();
            for depth in 1..parts.len() {
                if recursive || depth == 1 {
                    let dir = format!("{prefix}{}", parts[..depth].join("/"));
                    directories.entry(dir.clone()).or_insert_with(|| {
                        json!({"type": "directory", "oid": sha256_hex(dir.as_bytes())[..40], "size": 0, "path": dir})
                    });
                }
            }
            if recursive || parts.len() == 1 {
                entries.push(Self::tree_entry(path, stored));
            }
        }
        if entries.is_empty() && directories.is_empty() && !prefix.is_empty() {
            return error(
                404,
                &format!("{under} does not exist"),
                Some("EntryNotFound"),
            );
        }
        let mut all: Vec<Value> = directories.into_values().collect();
        all.extend(entries);
        axum::Json(all).into_response()
    }

    fn paths_info(self, repo_id: &str, headers: &HeaderMap, body: &[u8]) -> Response {
        let Some(repo) = self.visible(repo_id) else {
            return repo_not_found();
        };
        let json_body = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let paths: Vec<String> = if json_body {
            let request: Value = serde_json::from_slice(body).unwrap_or_default();
            request["paths"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        } else {
            String::from_utf8_lossy(body)
                .split('&')
                .filter_map(|pair| pair.strip_prefix("paths="))
                .map(|p| percent_decode(&p.replace('+', " ")))
                .collect()
        };
        let entries: Vec<Value> = paths
            .iter()
            .filter_map(|p| repo.files.get(p).map(|s| Self::tree_entry(p, s)))
            .collect();
        axum::Json(entries).into_response()
    }

    fn resolve(self, method: &Method, repo_id: &str, path: &str, headers: &HeaderMap) -> Response {
        let Some(repo) = self.visible(repo_id) else {
            return repo_not_found();
        };
        let Some(stored) = repo.files.get(path) else {
            return error(
                404,
                &format!("Entry not found: {path}"),
                Some("EntryNotFound"),
            );
        };
        let commit = repo.commits.last().cloned().unwrap_or_default();
        let etag = format!("\"{}\"", stored.git_oid());
        if let Some(oid) = &stored.lfs_oid {
            // The Hub redirects LFS files to storage on another host, and says on the redirect
            // what will come. `localhost` stands for that other host: clients follow redirects
            // within the Hub's own host and read the headers of the last answer.
            let storage = self.base.replace("127.0.0.1", "localhost");
            return Response::builder()
                .status(StatusCode::FOUND)
                .header(header::LOCATION, format!("{storage}/lfs/objects/{oid}"))
                .header("X-Repo-Commit", commit)
                .header(header::ETAG, etag)
                .header("X-Linked-Etag", format!("\"{oid}\""))
                .header("X-Linked-Size", stored.content.len())
                .header(header::CONTENT_LENGTH, 0)
                .body(Body::empty())
                .unwrap();
        }
        let builder = Response::builder()
            .header("X-Repo-Commit", commit)
            .header(header::ETAG, etag);
        serve(builder, method, headers, &stored.content)
    }

    fn lfs_object(self, method: &Method, oid: &str, headers: &HeaderMap) -> Response {
        let Some(blob) = self.state.blobs.get(oid) else {
            return error(404, "no such object", None);
        };
        let builder = Response::builder().header(header::ETAG, format!("\"{oid}\""));
        if self.state.shift_ranges {
            return serve(builder, method, headers, &blob[1.min(blob.len())..]);
        }
        serve(builder, method, headers, blob)
    }
}

/// How a repo is keyed: as its URL path, `datasets/{org}/{name}` or `{org}/{name}`.
fn key(kind: &str, org: &str, name: &str) -> String {
    match kind {
        "datasets" => format!("datasets/{org}/{name}"),
        _ => format!("{org}/{name}"),
    }
}

/// A file's bytes, or the `Range` asked for (206); HEAD gets the headers only, with the real
/// length.
fn serve(
    builder: axum::http::response::Builder,
    method: &Method,
    headers: &HeaderMap,
    content: &[u8],
) -> Response {
    let builder = builder
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::ACCEPT_RANGES, "bytes");
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .and_then(|(start, end)| {
            let start: usize = start.parse().ok()?;
            let end: usize = if end.is_empty() {
                content.len().checked_sub(1)?
            } else {
                end.parse().ok()?
            };
            (start <= end && start < content.len()).then(|| (start, end.min(content.len() - 1)))
        });
    let (status, body, builder) = match range {
        Some((start, end)) => (
            StatusCode::PARTIAL_CONTENT,
            &content[start..=end],
            builder.header(
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{}", content.len()),
            ),
        ),
        None => (StatusCode::OK, content, builder),
    };
    let builder = builder
        .status(status)
        .header(header::CONTENT_LENGTH, body.len());
    if method == Method::HEAD {
        builder.body(Body::empty()).unwrap()
    } else {
        builder.body(Body::from(body.to_vec())).unwrap()
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn error(status: u16, message: &str, code: Option<&str>) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(json!({"error": message})),
    )
        .into_response();
    if let Some(code) = code {
        response
            .headers_mut()
            .insert("X-Error-Code", code.parse().unwrap());
    }
    response.headers_mut().insert(
        "X-Error-Message",
        message
            .parse()
            .unwrap_or(header::HeaderValue::from_static("error")),
    );
    response
}

fn repo_not_found() -> Response {
    error(404, "Repository not found", Some("RepoNotFound"))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            )
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
