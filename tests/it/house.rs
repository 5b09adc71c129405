//! The house rules the code must keep, read from `src/` itself: which layer may import which, and
//! how large a file may grow. A broken rule names the file and the line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no Rust files under {}", dir.display());
    files
}

fn src(part: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(part)
}

/// Lines of the files under `dir` that name any of `forbidden`, as `file:line: text`.
fn mentions(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if forbidden.iter().any(|f| line.contains(f)) {
                found.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

/// Reading a Hub repo and pushing to one share `crate::hub`; neither stands on the other.
#[test]
fn source_and_publish_do_not_import_each_other() {
    let from_source = mentions(&src("source"), &["crate::publish", "publish::"]);
    assert!(from_source.is_empty(), "{from_source:#?}");
    let from_publish = mentions(&src("publish"), &["crate::source", "source::"]);
    assert!(from_publish.is_empty(), "{from_publish:#?}");
    // The Hub layer stands below both.
    let from_hub = mentions(
        &src("hub"),
        &[
            "crate::publish",
            "crate::source",
            "crate::store",
            "crate::tui",
        ],
    );
    assert!(from_hub.is_empty(), "{from_hub:#?}");
}

/// The core never touches the terminal: only `tui` and `cli` draw or read keys.
#[test]
fn the_core_never_touches_the_terminal() {
    for core in [
        "model", "stats", "store", "tracker", "diff", "compare", "hub", "publish", "source",
    ] {
        let found = mentions(
            &src(core),
            &["use ratatui", "use crossterm", "crate::tui", "crate::cli"],
        );
        assert!(found.is_empty(), "{core}: {found:#?}");
    }
}

/// A file past 800 lines is two ideas (STYLE.md, habit 13).
#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = rust_files(&src(""))
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (lines > 800).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}

/// Errors carry context, then become words (STYLE.md, habit 7): a `Result` whose error is a
/// `String` is allowed only where a string really is the error (a caught panic's message).
#[test]
fn few_errors_are_bare_strings() {
    let found = mentions(&src(""), &[", String>"])
        .into_iter()
        .filter(|line| line.contains("Result<"))
        .collect::<Vec<_>>();
    assert!(found.len() <= 5, "{} of them: {found:#?}", found.len());
}
