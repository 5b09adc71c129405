//! evaldeck's own requests to the Hub (what `hf-hub` lacks): one retry loop, by the endpoint's
//! [`RetryPolicy`], and every failure mapped to a [`HubError`]. Built with the `hub` feature only.

use super::error::HubError;
use super::to_error::snippet;
use super::{HubClient, Repo, RetryPolicy};

impl HubClient {
    pub(super) async fn send_json(
        &self,
        what: &str,
        repo: &Repo,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<serde_json::Value, HubError> {
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
    pub(super) async fn send_ok(
        &self,
        what: &str,
        repo: &Repo,
        authorized: bool,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, HubError> {
        let retry = self.endpoint.retry;
        let attempts = retry.attempts();
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
                    if RetryPolicy::is_transient(status) && !last {
                        tokio::time::sleep(retry.delay_after(attempt)).await;
                        continue;
                    }
                    let body = response.text().await.unwrap_or_default();
                    return Err(self.status_error(what, repo, status, &body, attempt));
                }
                Err(error) => {
                    if !last {
                        tokio::time::sleep(retry.delay_after(attempt)).await;
                        continue;
                    }
                    return Err(HubError::Network {
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
}
