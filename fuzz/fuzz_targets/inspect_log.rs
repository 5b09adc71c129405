//! The Inspect AI log reader (zip archives with deflate or zstd members, `.json` documents): any
//! bytes give runs or an error naming the file, never a panic, never a hang.
#![no_main]

use evaldeck::source::log_formats;
use evaldeck::store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("evaldeck-fuzz-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The same bytes as an archive and as a JSON log.
    for name in ["log.eval", "log.json"] {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        let Ok(catalog) = store::discover_with(&path, &log_formats()) else {
            continue;
        };
        for run in catalog.runs() {
            let _ = run.load_results();
            for (task, _) in &run.details {
                let Ok(file) = run.open_details(task) else { continue };
                if let Ok(batches) = file.details(4) {
                    for batch in batches.take(8) {
                        if batch.is_err() {
                            break;
                        }
                    }
                }
                if let Ok((record, detail)) = file.read_row(0) {
                    let _ = file.transcript(&record, &detail);
                }
            }
        }
    }
});
