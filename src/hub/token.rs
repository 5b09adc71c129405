//! The Hugging Face token. It is only ever put in an `Authorization` header: it has no `Display`,
//! its `Debug` is redacted, and no error message carries it.

use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    pub fn new(secret: impl Into<String>) -> Option<Token> {
        let secret = secret.into().trim().to_owned();
        (!secret.is_empty()).then_some(Token(secret))
    }

    /// The token the way `huggingface_hub` and `hf-hub` find it: `HF_TOKEN`, then the file named
    /// by `HF_TOKEN_PATH`, then `$HF_HOME/token` (`~/.cache/huggingface/token`);
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN` turns all of that off.
    pub fn from_env() -> Option<Token> {
        if std::env::var_os("HF_HUB_DISABLE_IMPLICIT_TOKEN").is_some_and(|v| !v.is_empty()) {
            return None;
        }
        if let Some(token) = std::env::var("HF_TOKEN").ok().and_then(Token::new) {
            return Some(token);
        }
        let from_file = |path: PathBuf| std::fs::read_to_string(path).ok().and_then(Token::new);
        if let Some(path) = std::env::var_os("HF_TOKEN_PATH")
            && let Some(token) = from_file(PathBuf::from(path))
        {
            return Some(token);
        }
        from_file(hf_home().join("token"))
    }

    /// The secret itself, for the one place that builds the `Authorization` header.
    #[cfg_attr(not(feature = "hub"), allow(dead_code))]
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

/// `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
pub fn hf_home() -> PathBuf {
    if let Some(home) = std::env::var_os("HF_HOME") {
        return PathBuf::from(home);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("huggingface")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let token = Token::new("hf_secret_value").unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert!(Token::new("  \n").is_none());
    }
}
