//! Bad input gets a clear error that names the file and says what is wrong, never a panic.

use crate::support::fixture;
use evaldeck::store::{self, StoreError};

#[test]
fn truncated_json_names_the_file_line_and_column() {
    let path = fixture("bad/truncated_results.json");
    let err = store::read_results(&path).unwrap_err();
    assert!(matches!(err, StoreError::Json { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("truncated_results.json"), "{text}");
    assert!(text.contains("line ") && text.contains("column "), "{text}");
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn json_that_is_not_a_results_file() {
    for (name, expected) in [
        ("bad/results_not_object.json", "top level is an array"),
        ("bad/results_without_results_key.json", "no `results` key"),
    ] {
        let err = store::read_results(&fixture(name)).unwrap_err();
        assert!(matches!(err, StoreError::Shape { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(name.trim_start_matches("bad/")) && text.contains(expected),
            "{text}"
        );
    }
}

#[test]
fn a_text_file_named_parquet() {
    let err = store::DetailsFile::open(&fixture("bad/not_parquet.parquet")).unwrap_err();
    assert!(matches!(err, StoreError::Parquet { .. }), "{err:?}");
    assert!(err.to_string().contains("not_parquet.parquet"), "{err}");
}

#[test]
fn a_details_file_missing_a_column() {
    let err = store::DetailsFile::open(&fixture("bad/missing_column_details.parquet")).unwrap_err();
    assert!(
        matches!(err, StoreError::Column { ref column, .. } if column == "model_response"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("missing_column_details.parquet"),
        "{err}"
    );
}

#[test]
fn a_parquet_file_of_another_program() {
    let err = store::DetailsFile::open(&fixture("bad/unknown_layout_details.parquet")).unwrap_err();
    assert!(matches!(err, StoreError::UnknownLayout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("unknown_layout_details.parquet") && text.contains("foo, bar"),
        "{text}"
    );
}

#[test]
fn an_empty_folder_and_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = store::discover(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NoRuns { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );

    let missing = dir.path().join("nope");
    let err = store::discover(&missing).unwrap_err();
    assert!(
        matches!(err, StoreError::Io { .. }) && err.to_string().contains("nope"),
        "{err}"
    );
}

#[test]
fn a_symlink_loop_does_not_hang_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("results/m");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::copy(
        fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json"),
        model.join("results_2026-11-23T21-40-51.814529.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), model.join("loop")).unwrap();
    let catalog = store::discover(dir.path()).unwrap();
    assert_eq!(catalog.runs().count(), 1);
}

#[test]
fn a_broken_file_among_good_ones_is_reported_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("details/m/2026-01-01T00-00-00.000000");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::copy(
        fixture("bad/not_parquet.parquet"),
        run.join("details_t|0_2026-01-01T00-00-00.000000.parquet"),
    )
    .unwrap();
    let catalog = store::discover(dir.path()).unwrap();
    let err = catalog.models[0].runs[0].open_details("t|0").unwrap_err();
    assert!(
        err.to_string()
            .contains("details_t|0_2026-01-01T00-00-00.000000.parquet"),
        "{err}"
    );
}

#[test]
fn a_truncated_parquet_file() {
    let err = store::DetailsFile::open(&fixture("bad/truncated_details.parquet")).unwrap_err();
    assert!(matches!(err, StoreError::Parquet { .. }), "{err:?}");
    assert!(
        err.to_string().contains("truncated_details.parquet"),
        "{err}"
    );
}

#[test]
fn wrong_types_in_the_results_sections() {
    for (name, expected) in [
        (
            "bad/config_general_is_a_string.json",
            "`config_general` is a string, expected an object",
        ),
        (
            "bad/results_row_not_object.json",
            "`results.t|0` is an array, expected an object",
        ),
    ] {
        let err = store::read_results(&fixture(name)).unwrap_err();
        assert!(matches!(err, StoreError::Shape { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(name.trim_start_matches("bad/")) && text.contains(expected),
            "{text}"
        );
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let err = store::read_results(&fixture("bad/deeply_nested.json")).unwrap_err();
    assert!(matches!(err, StoreError::Json { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("deeply_nested.json") && text.contains("nested more than"),
        "{text}"
    );
}

#[test]
fn non_utf8_text_is_an_error_naming_the_offset() {
    let err = store::read_results(&fixture("bad/not_utf8.json")).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("not_utf8.json") && text.contains("not UTF-8"),
        "{text}"
    );
}

/// Duplicate keys are read as Python's `json.load` reads them: the first position, the last
/// value. lighteval's files are read by Python; refusing what Python accepts would be wrong.
#[test]
fn duplicate_keys_read_as_python_does() {
    let results = store::read_results(&fixture("bad/duplicate_keys.json")).unwrap();
    let row = results.row("t|0").unwrap().metrics();
    assert_eq!(row[0].value, Some(0.5));
}

#[test]
fn a_file_name_that_is_not_utf8_is_skipped_not_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("results/m");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::copy(
        fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json"),
        model.join("results_2026-11-23T21-40-51.814529.json"),
    )
    .unwrap();
    let weird = std::ffi::OsStr::from_bytes(b"results_\xff\xfe.json");
    std::fs::write(model.join(weird), "{}").unwrap();
    std::fs::create_dir_all(dir.path().join(std::ffi::OsStr::from_bytes(b"dir_\xff"))).unwrap();
    let catalog = store::discover(dir.path()).unwrap();
    assert_eq!(catalog.runs().count(), 1);
}

/// Found by `tests/mutations.rs`: a details file whose pages make the parquet crate panic
/// ("Decoder for dict should have been set"). It must be an error naming the file.
#[test]
fn a_file_that_makes_the_parquet_decoder_panic() {
    let path = fixture("bad/decoder_panics_on_this.parquet");
    let outcome = store::DetailsFile::open(&path).and_then(|file| {
        for batch in file.details(64)? {
            batch?;
        }
        Ok(())
    });
    let err = outcome.unwrap_err();
    assert!(matches!(err, StoreError::Parquet { .. }), "{err:?}");
    assert!(
        err.to_string().contains("decoder_panics_on_this.parquet")
            && err.to_string().contains("corrupt data"),
        "{err}"
    );
}

/// A footer that claims a 1 GB string is refused without allocating for it: the binary, under a
/// 200 MB data limit (and with RUST_BACKTRACE=1, whose capture once cost 450 MB on every error),
/// exits with a clear error instead of failing to allocate.
#[test]
fn a_footer_claiming_a_1gb_string_costs_no_gigabyte() {
    let path = fixture("bad/footer_claims_a_1gb_string.parquet");
    let err = store::DetailsFile::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Parquet { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("footer_claims_a_1gb_string.parquet"),
        "{err}"
    );
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -d 200000 && exec "$0" samples "$1" --task footer_claims_a_1gb_string"#)
        .arg(env!("CARGO_BIN_EXE_evaldeck"))
        .arg(&path)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("footer_claims_a_1gb_string.parquet"),
        "{stderr}"
    );
}

/// A details file whose rows belong to another task than its name says (a copy, a rename) is
/// refused when the task is opened, naming the file and both tasks.
#[test]
fn a_details_file_whose_rows_are_of_another_task() {
    let path = fixture("bad/task_mismatch/details_quiz:sci|0_2026-11-23T21-40-51.814529.parquet");
    let catalog = store::discover(&path).unwrap();
    let run = catalog.runs().next().unwrap();
    let err = run.open_details("quiz:sci|0").unwrap_err();
    assert!(
        matches!(err, StoreError::TaskMismatch { ref task, ref found, .. } if task == "quiz:sci|0" && found == "quiz:geo|0"),
        "{err:?}"
    );
    assert!(err.to_string().contains("details_quiz:sci|0_"), "{err}");
}

/// A file that cannot be read (tests run as root, where `chmod 000` does not stop a read, so a
/// dangling symlink stands in for it): the listing survives and says so, and opening the task
/// is an error naming the file.
#[test]
fn an_unreadable_details_file() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results/m");
    let details = dir.path().join("details/m/2026-01-01T00-00-00");
    std::fs::create_dir_all(&results).unwrap();
    std::fs::create_dir_all(&details).unwrap();
    std::fs::copy(
        fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json"),
        results.join("results_2026-01-01T00-00-00.json"),
    )
    .unwrap();
    let unreadable = details.join("details_quiz:geo|0_2026-01-01T00-00-00.parquet");
    std::os::unix::fs::symlink(dir.path().join("gone.parquet"), &unreadable).unwrap();
    let catalog = store::discover(dir.path()).unwrap();
    let run = catalog.runs().next().unwrap();
    let summary = store::summarise(run);
    assert!(summary.samples.is_none());
    assert!(
        summary
            .problem
            .as_deref()
            .unwrap()
            .contains("details_quiz:geo|0_"),
        "{summary:?}"
    );
    let err = run.open_details("quiz:geo|0").unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("details_quiz:geo|0_2026-01-01T00-00-00.parquet"),
        "{err}"
    );
}

/// A page whose repetition levels end before its declared count (the fuzzer made it from a
/// committed seed, `fuzz/seeds/details_parquet/75cb725b.parquet`, by ten bytes): parquet 60's
/// `skip_records` never returns on it, so reading one row by skipping hung for good. Rows near
/// the start are decoded instead, which is an error here; every row of the file must answer,
/// within a deadline far above a healthy read's milliseconds.
#[test]
fn a_page_whose_levels_end_early_is_an_error_never_a_hang() {
    let path = fixture("bad/rep_levels_end_early.parquet");
    let file = store::DetailsFile::open(&path).unwrap();
    let rows = file.num_rows();
    assert!(rows > 1, "the damaged page is past the first row");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let answers: Vec<bool> = (0..rows).map(|row| file.read_row(row).is_ok()).collect();
        let _ = sender.send(answers);
    });
    let answers = receiver
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("every row answers: an error or the row, never a hang");
    assert!(answers.iter().any(|ok| !ok), "the damage is reported");
}

/// A zip bomb: a small `.eval` whose `header.json` unpacks to 48 MB of whitespace. Its declared
/// size is refused before anything is unpacked, by a limit the environment may raise; under a
/// raised limit the same log reads (it is whitespace around a header too thin to be a run).
#[test]
fn a_member_that_unpacks_past_the_limit_is_refused_by_name() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("2026-01-01T00-00-00-00-00_bomb_AbCdEfGh.eval");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("header.json", options).unwrap();
    let blank = vec![b' '; 1 << 20];
    for _ in 0..48 {
        zip.write_all(&blank).unwrap();
    }
    zip.write_all(br#"{"version": 2, "status": "success", "eval": {"task": "bomb"}}"#)
        .unwrap();
    zip.finish().unwrap();
    assert!(
        std::fs::metadata(&path).unwrap().len() < 1 << 20,
        "the bomb should be small on disk"
    );
    let show = |limit: &str| {
        crate::support::evaldeck_command()
            .args(["show", path.to_str().unwrap()])
            .env("EVALDECK_MAX_MEMBER_MB", limit)
            .output()
            .unwrap()
    };
    let refused = show("16");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    for expected in [
        "bomb_AbCdEfGh.eval",
        "header.json",
        "16 MB",
        "EVALDECK_MAX_MEMBER_MB",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    let raised = show("64");
    let stderr = String::from_utf8_lossy(&raised.stderr);
    assert!(!stderr.contains("EVALDECK_MAX_MEMBER_MB"), "{stderr}");
}
