//! Run discovery on file names: task names, date ids and model folders, one path per line. Any
//! names give a catalog or an error, never a panic; names that parse, parse back the same.
#![no_main]

use std::path::{Path, PathBuf};

use evaldeck::publish::card;
use evaldeck::store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut paths = Vec::new();
    for line in text.lines().take(64) {
        if let Some((task, date)) = store::parse_details_file_name(line) {
            assert_eq!(format!("details_{task}_{date}.parquet"), line);
        }
        if let Some(date) = store::parse_results_file_name(line) {
            assert_eq!(format!("results_{date}.json"), line);
        }
        let _ = card::classify(line);
        let _ = card::config_name(line);
        let _ = card::split_name(line);
        if !line.contains('\0') {
            paths.push(Path::new("/fuzz-root").join(line));
        }
    }
    // Catalog building on names alone: nothing is read but results files, which do not exist.
    let names: Vec<PathBuf> = paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    if let Ok(catalog) = store::discover_files(Path::new("/fuzz-root"), names) {
        for run in catalog.runs() {
            let _ = store::summarise(run);
        }
    }
    let _ = card::configs(&text.lines().take(64).map(str::to_owned).collect::<Vec<_>>());
});
