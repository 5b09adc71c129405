//! From a failed call to a [`HubError`]: one mapping of HTTP statuses for `hf-hub`'s errors and
//! ours, and no message that could carry the token.

use std::path::Path;

use hf_hub::HFError;

use super::error::HubError;
use super::{HubClient, Repo};

impl HubClient {
    pub(super) fn status_error(
        &self,
        what: &str,
        repo: &Repo,
        status: u16,
        body: &str,
        attempts: u32,
    ) -> HubError {
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

    pub(super) fn hf_error(&self, what: &str, repo_ref: &Repo, error: HFError) -> HubError {
        let (what, repo) = (what.to_owned(), repo_ref.id.clone());
        let detail = |message: Option<&str>| {
            message
                .filter(|m| !m.is_empty())
                .map(|m| format!(": {}", self.redact(m)))
                .unwrap_or_default()
        };
        match error {
            HFError::AuthRequired { .. } => HubError::Unauthorized { what, repo },
            HFError::Forbidden { context } => HubError::Forbidden {
                what,
                repo,
                detail: detail(context.server_message.as_deref()),
            },
            HFError::Conflict { context } => HubError::Conflict {
                what,
                repo,
                detail: detail(context.server_message.as_deref()),
            },
            HFError::RepoNotFound { .. }
            | HFError::EntryNotFound { .. }
            | HFError::RevisionNotFound { .. } => HubError::NotFound {
                what,
                repo,
                detail: format!(": {}", self.redact(&error.to_string())),
            },
            HFError::Http { context } => by_status(
                &what,
                repo_ref,
                context.status.as_u16(),
                detail(context.server_message.as_deref()),
                self.endpoint.retry.attempts(),
            ),
            HFError::RateLimited { context, .. } => HubError::Server {
                what,
                repo,
                status: 429,
                detail: detail(context.server_message.as_deref()),
                attempts: self.endpoint.retry.attempts(),
            },
            HFError::Request { source, .. } => HubError::Network {
                what,
                repo,
                endpoint: self.endpoint.url.clone(),
                message: self.redact(&source.without_url().to_string()),
                attempts: self.endpoint.retry.attempts(),
            },
            other => HubError::Protocol {
                what,
                repo,
                message: self.redact(&other.to_string()),
            },
        }
    }

    pub(super) fn protocol(&self, what: &str, repo: &Repo, message: String) -> HubError {
        HubError::Protocol {
            what: what.into(),
            repo: repo.id.clone(),
            message: self.redact(&message),
        }
    }

    /// A server could echo a request back; the token must still never reach a message.
    pub(super) fn redact(&self, text: &str) -> String {
        match &self.endpoint.token {
            Some(token) => text.replace(token.secret(), "<redacted>"),
            None => text.to_owned(),
        }
    }
}

/// The error an HTTP status stands for, the same whether `hf-hub` or this client saw it.
fn by_status(what: &str, repo: &Repo, status: u16, detail: String, attempts: u32) -> HubError {
    let (what, repo) = (what.to_owned(), repo.id.clone());
    match status {
        401 => HubError::Unauthorized { what, repo },
        403 => HubError::Forbidden { what, repo, detail },
        404 => HubError::NotFound { what, repo, detail },
        409 => HubError::Conflict { what, repo, detail },
        429 | 500.. => HubError::Server {
            what,
            repo,
            status,
            detail,
            attempts,
        },
        _ => HubError::Rejected {
            what,
            repo,
            status,
            detail,
        },
    }
}

pub(super) fn file_error(path: &Path, error: std::io::Error) -> HubError {
    HubError::File {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

pub(super) fn snippet(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
