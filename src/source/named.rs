//! What the user names as a source, parsed once (clap's value parser uses [`Source`]'s `FromStr`),
//! so no command or screen takes a path apart again.
//!
//! One rule tells a run from a revision: after the **last** `@`, `first`, `last` or a date id
//! (`2026-01-01T00-00-00.000000`) chooses a run; in an `hf://` source, an `@` before it starts the
//! revision (`hf://datasets/ORG/REPO@v2@last`). A local path that exists as written is never
//! split, so a folder whose name holds an `@` still opens.

use std::path::{Path, PathBuf};

use super::{HubOrg, HubSource, SourceError};
use crate::store::{self, RunSelector};

/// A source as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder or file on disk, and maybe one run of it.
    Local {
        path: PathBuf,
        at: Option<RunSelector>,
    },
    /// `hf://datasets/ORG/REPO[@REVISION]`, and maybe one run of it.
    HubRepo {
        repo: HubSource,
        at: Option<RunSelector>,
    },
    /// `hf://datasets/ORG`: every dataset repo of an organisation.
    HubOrg { org: HubOrg },
    /// No source named: the run shipped with evaldeck.
    SampleRun,
    /// `-`: tracking lines on standard input (for `--save`).
    Stdin,
}

impl Source {
    /// A folder or file on disk, taken as it is (no `@` is looked for).
    pub fn local(path: impl Into<PathBuf>) -> Source {
        Source::Local {
            path: path.into(),
            at: None,
        }
    }

    pub fn parse(text: &str) -> Result<Source, SourceError> {
        let bad = |why: &str| SourceError::BadSource(text.into(), why.into());
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        if text == "-" {
            return Ok(Source::Stdin);
        }
        let is_hub = text.starts_with("hf://");
        if !is_hub && Path::new(text).exists() {
            return Ok(Source::local(text));
        }
        let (named, at) = split_run(text);
        if !is_hub {
            return Ok(Source::Local {
                path: PathBuf::from(named),
                at,
            });
        }
        if let Some(org) = HubOrg::parse(named) {
            if at.is_some() {
                return Err(bad(
                    "an organisation holds many repos; name one (hf://datasets/ORG/REPO@…) to choose a run",
                ));
            }
            return Ok(Source::HubOrg { org: org? });
        }
        let repo = HubSource::parse(named).unwrap_or_else(|| {
            Err(bad(
                "only dataset repos are sources: hf://datasets/ORG/REPO[@REVISION]",
            ))
        })?;
        Ok(Source::HubRepo { repo, at })
    }

    /// The run the source itself chose (`…@last`), if any.
    pub fn at(&self) -> Option<&RunSelector> {
        match self {
            Source::Local { at, .. } | Source::HubRepo { at, .. } => at.as_ref(),
            _ => None,
        }
    }

    /// The folder or file on disk, for a local source.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            Source::Local { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The same source without its run selector: what is opened.
    pub fn without_run(&self) -> Source {
        match self {
            Source::Local { path, .. } => Source::local(path.clone()),
            Source::HubRepo { repo, .. } => Source::HubRepo {
                repo: repo.clone(),
                at: None,
            },
            other => other.clone(),
        }
    }
}

impl std::str::FromStr for Source {
    type Err = SourceError;

    fn from_str(text: &str) -> Result<Source, SourceError> {
        Source::parse(text)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |f: &mut std::fmt::Formatter<'_>, at: &Option<RunSelector>| match at {
            Some(at) => write!(f, "@{at}"),
            None => Ok(()),
        };
        match self {
            Source::Local { path, at: run } => {
                write!(f, "{}", path.display())?;
                at(f, run)
            }
            Source::HubRepo { repo, at: run } => {
                write!(f, "{repo}")?;
                at(f, run)
            }
            Source::HubOrg { org } => write!(f, "{org}"),
            Source::SampleRun => f.write_str("sample run"),
            Source::Stdin => f.write_str("-"),
        }
    }
}

/// `TEXT@RUN` → (`TEXT`, the run) when what follows the last `@` chooses a run.
fn split_run(text: &str) -> (&str, Option<RunSelector>) {
    if let Some((named, run)) = text.rsplit_once('@')
        && !named.is_empty()
        && (matches!(run, "first" | "last" | "latest")
            || store::parse_results_file_name(&format!("results_{run}.json")).is_some())
    {
        let selector = run.parse().unwrap_or(RunSelector::Last);
        return (named, Some(selector));
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "2026-01-02T03-04-05.000006";

    fn parse(text: &str) -> Source {
        Source::parse(text).unwrap()
    }

    #[test]
    fn a_run_is_chosen_after_the_last_at() {
        assert_eq!(
            parse(&format!("runs/x@{DATE}")),
            Source::Local {
                path: "runs/x".into(),
                at: Some(RunSelector::Date(DATE.into()))
            }
        );
        assert_eq!(parse("runs@first").at(), Some(&RunSelector::First));
        // Not a run: part of the path.
        assert_eq!(parse("me@host/runs"), Source::local("me@host/runs"));
        assert_eq!(parse("-"), Source::Stdin);
    }

    #[test]
    fn a_hub_revision_comes_before_the_run() {
        let Source::HubRepo { repo, at } = parse("hf://datasets/evals/details_m@v2@last") else {
            panic!("not a repo");
        };
        assert_eq!(repo.revision.as_deref(), Some("v2"));
        assert_eq!(at, Some(RunSelector::Last));
        let Source::HubRepo { repo, at } = parse("hf://datasets/evals/details_m@refs/pr/3") else {
            panic!("not a repo");
        };
        assert_eq!((repo.revision.as_deref(), at), (Some("refs/pr/3"), None));
        assert!(matches!(
            parse("hf://datasets/evals"),
            Source::HubOrg { .. }
        ));
        assert!(Source::parse("hf://datasets/evals@last").is_err());
        assert!(Source::parse("hf://models/x/y").is_err());
        assert!(Source::parse("").is_err());
    }

    #[test]
    fn an_existing_path_is_never_split() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("runs@last");
        std::fs::create_dir(&odd).unwrap();
        assert_eq!(parse(odd.to_str().unwrap()), Source::local(&odd));
    }

    #[test]
    fn display_gives_back_what_was_named() {
        for text in [
            "runs/x",
            "hf://datasets/evals/details_m@v2@last",
            "hf://datasets/evals",
            &format!("runs@{DATE}"),
        ] {
            assert_eq!(parse(text).to_string(), text);
        }
    }
}
