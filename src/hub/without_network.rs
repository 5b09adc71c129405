//! The Hub client of a build without the `hub` feature: it cannot be made, so every command that
//! needs the network says so at once, and nothing else in the crate has to know which build it is.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use super::error::HubError;
use super::{CommitProgress, Committed, HubEndpoint, Repo, RepoFile, ReposPage, Upload};

/// Never constructed: `new` always fails, so the methods below are unreachable.
pub struct HubClient {
    never: Infallible,
}

impl HubClient {
    pub fn new(_endpoint: HubEndpoint) -> Result<HubClient, HubError> {
        Err(HubError::NoNetwork)
    }

    pub fn endpoint(&self) -> &HubEndpoint {
        match self.never {}
    }

    pub fn cache_dir(&self) -> &Path {
        match self.never {}
    }

    pub fn ensure_repo(&self, _repo: &Repo, _private: bool) -> Result<bool, HubError> {
        match self.never {}
    }

    pub fn list_files(
        &self,
        _repo: &Repo,
        _revision: Option<&str>,
    ) -> Result<Vec<RepoFile>, HubError> {
        match self.never {}
    }

    pub fn download(
        &self,
        _repo: &Repo,
        _revision: Option<&str>,
        _path_in_repo: &str,
        _offline: bool,
    ) -> Result<PathBuf, HubError> {
        match self.never {}
    }

    pub fn list_dataset_repos(
        &self,
        _org: &str,
        _next: Option<&str>,
    ) -> Result<ReposPage, HubError> {
        match self.never {}
    }

    pub fn read_ranges(
        &self,
        _repo: &Repo,
        _revision: &str,
        _file: (&str, u64),
        _ranges: &[std::ops::Range<u64>],
    ) -> Vec<Result<bytes::Bytes, HubError>> {
        match self.never {}
    }

    pub fn commit(
        &self,
        _repo: &Repo,
        _uploads: &[Upload],
        _message: &str,
        _progress: &mut dyn FnMut(CommitProgress),
    ) -> Result<Committed, HubError> {
        match self.never {}
    }
}
