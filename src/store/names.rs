//! Which names may become paths: a model name (`org/model`) becomes folders under an output
//! folder, a task key part of a file name. One rule, for the tracker's saves and for copies.

/// What is wrong with one path segment of a name, or `None`.
pub fn segment_problem(part: &str) -> Option<&'static str> {
    if part.is_empty() {
        Some("it has an empty path segment")
    } else if part == "." || part == ".." {
        Some("`.` and `..` would leave the output folder")
    } else if part.contains(['\0', '\\']) {
        Some("it contains a NUL or a backslash")
    } else if part.len() > 200 {
        Some("a segment is longer than 200 bytes")
    } else {
        None
    }
}

/// What is wrong with a relative path (`a/b/c.parquet`, as a repo lists it) that must stay inside
/// the folder it is joined to, or `None`: no root, no empty, `.` or `..` segment.
pub fn relative_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("it is empty");
    }
    path.split('/').find_map(segment_problem)
}

/// What is wrong with a model name as folders inside an output folder, or `None`. Leading and
/// trailing `/` are ignored, as lighteval's paths do.
pub fn model_name_problem(name: &str) -> Option<&'static str> {
    let trimmed = name.trim_matches('/');
    if trimmed.is_empty() {
        return Some("it is empty");
    }
    relative_path_problem(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_stay_inside() {
        assert_eq!(model_name_problem("org/model"), None);
        assert_eq!(model_name_problem("/org/model/"), None);
        for bad in ["", "/", "../x", "org/../x", "a//b", "a/./b", "a\\b", "a\0b"] {
            assert!(model_name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(model_name_problem(&"x".repeat(201)).is_some());
    }

    #[test]
    fn listed_paths_that_climb_out_are_refused() {
        assert_eq!(
            relative_path_problem("2026-01-01T00-00-00/details_a|0_2026-01-01T00-00-00.parquet"),
            None
        );
        for bad in ["../x.json", "/etc/x", "a//b", "a/./b", "a\\..\\b", ""] {
            assert!(relative_path_problem(bad).is_some(), "{bad}");
        }
    }
}
