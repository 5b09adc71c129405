//! The details Parquet reader (nested, typed flat and text layouts): any bytes give rows or an
//! error naming the file, never a panic that escapes, never a hang.
#![no_main]

use std::sync::Once;

use evaldeck::store;
use libfuzzer_sys::fuzz_target;

static QUIET: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // Decoder panics inside the parquet crate are caught and become errors; the quiet hook keeps
    // them from reaching libFuzzer's abort-on-panic hook, while any other panic still does.
    QUIET.call_once(store::quiet_guarded_panics);
    let path = std::env::temp_dir().join(format!("evaldeck-fuzz-{}.parquet", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let Ok(file) = store::DetailsFile::open(&path) else {
        return;
    };
    let rows = file.num_rows().min(64);
    if let Ok(batches) = file.details(16) {
        for batch in batches.take(4) {
            if batch.is_err() {
                break;
            }
        }
    }
    if let Ok(batches) = file.batches(Some(&["doc.query"]), 16) {
        for batch in batches.take(4) {
            if batch.is_err() {
                break;
            }
        }
    }
    for row in [0, rows.saturating_sub(1)] {
        let _ = file.read_row(row);
    }
    let mut out = Vec::new();
    let _ = store::write_details_jsonl(
        &file,
        32,
        16,
        store::CommonKeys::Added,
        &mut out,
        std::path::Path::new("<fuzz>"),
    );
});
