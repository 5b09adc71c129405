//! The Hub's rules for names: an organisation or repo name, a revision, a commit id. One rule for
//! the names evaldeck pushes to and the names an `hf://` source may give.

/// What is wrong with a Hub organisation or repo name, by the Hub's rule (1–96 letters, digits,
/// `-`, `_`, `.`; not starting or ending with `-` or `.`; no `..`), or `None`.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 96 {
        Some("longer than 96 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Some("only letters, digits, `-`, `_` and `.` are allowed")
    } else if name.starts_with(['-', '.']) || name.ends_with(['-', '.']) || name.contains("..") {
        Some("it may not start or end with `-` or `.`, nor contain `..`")
    } else {
        None
    }
}

/// What is wrong with a branch, tag or commit name, or `None`. A revision becomes a URL segment
/// and a cache folder (`refs/{revision}`), so it may not climb out of either.
pub fn revision_problem(revision: &str) -> Option<&'static str> {
    let climbs = revision.contains("..") || revision.starts_with('/');
    let odd = revision
        .chars()
        .any(|c| c.is_control() || c == ' ' || c == '\\');
    if revision.is_empty() {
        Some("it is empty")
    } else if climbs || odd {
        Some("it is not a branch, tag or commit name")
    } else {
        None
    }
}

/// A full commit id: 40 hex digits.
pub fn is_commit_id(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_the_hubs_rule() {
        for good in ["org", "my-org_2.x", "A1", &"x".repeat(96)] {
            assert_eq!(name_problem(good), None, "{good:?}");
        }
        for bad in [
            "",
            "org-",
            "-org",
            "a..b",
            ".x",
            "x.",
            "a b",
            "é",
            "a/b",
            &"x".repeat(97),
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn revisions_stay_in_their_folder() {
        for good in ["main", "v1.0", "refs/pr/3", &"a".repeat(40)] {
            assert_eq!(revision_problem(good), None, "{good:?}");
        }
        for bad in ["", "../x", "/main", "a b", "a\\b", "x\ny"] {
            assert!(revision_problem(bad).is_some(), "{bad:?}");
        }
        assert!(is_commit_id(&"0f".repeat(20)));
        assert!(!is_commit_id("main") && !is_commit_id(&"g".repeat(40)));
    }
}
