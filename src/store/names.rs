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

/// What is wrong with a model name as folders inside an output folder, or `None`. Leading and
/// trailing `/` are ignored, as lighteval's paths do.
pub fn model_name_problem(name: &str) -> Option<&'static str> {
    let trimmed = name.trim_matches('/');
    if trimmed.is_empty() {
        return Some("it is empty");
    }
    trimmed.split('/').find_map(segment_problem)
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
}
