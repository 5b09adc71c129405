//! What can go wrong talking to the Hub, whether reading a repo or pushing to one. Every message
//! says what was being done and to which repo or file; none carries the token.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(
        "no Hugging Face token: set HF_TOKEN, or log in with `hf auth login` (it writes ~/.cache/huggingface/token)"
    )]
    MissingToken,
    #[error(
        "{what} ({repo}): the Hub rejected the token (401 Unauthorized); check that HF_TOKEN is valid"
    )]
    Unauthorized { what: String, repo: String },
    #[error(
        "{what} ({repo}): the token may not write there (403 Forbidden); it needs write access to the organisation{detail}"
    )]
    Forbidden {
        what: String,
        repo: String,
        detail: String,
    },
    #[error(
        "{what} ({repo}): conflict (409){detail}; someone else may have pushed at the same time, try again"
    )]
    Conflict {
        what: String,
        repo: String,
        detail: String,
    },
    #[error("{what} ({repo}): not found (404){detail}")]
    NotFound {
        what: String,
        repo: String,
        detail: String,
    },
    #[error("{what} ({repo}): the Hub answered {status}{detail}, still after {attempts} attempts")]
    Server {
        what: String,
        repo: String,
        status: u16,
        detail: String,
        attempts: u32,
    },
    #[error("{what} ({repo}): the Hub answered {status}{detail}")]
    Rejected {
        what: String,
        repo: String,
        status: u16,
        detail: String,
    },
    #[error(
        "{what} ({repo}): could not reach the Hub at {endpoint}: {message}, still after {attempts} attempts"
    )]
    Network {
        what: String,
        repo: String,
        endpoint: String,
        message: String,
        attempts: u32,
    },
    #[error("{what} ({repo}): {message}")]
    Protocol {
        what: String,
        repo: String,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error(
        "this evaldeck was built without the Hub (the `hub` cargo feature); rebuild with default features to push or open hf:// sources"
    )]
    NoNetwork,
}

impl HubError {
    /// The Hub could not be reached, or kept failing: a cached copy may stand in.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, HubError::Network { .. } | HubError::Server { .. })
    }
}
