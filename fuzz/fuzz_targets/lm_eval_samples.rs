//! lm-eval's samples lines (and its results file): any bytes give rows or an error naming the
//! file and line, never a panic.
#![no_main]

use evaldeck::source::log_formats;
use evaldeck::store;
use libfuzzer_sys::fuzz_target;

const DATE: &str = "2026-11-30T02-37-30.831220";

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("evaldeck-fuzz-lm-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The first line of the input is the results file; the rest, the samples.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    std::fs::write(dir.join(format!("results_{DATE}.json")), &data[..split]).unwrap();
    let samples = data.get(split + 1..).unwrap_or_default();
    std::fs::write(dir.join(format!("samples_t_{DATE}.jsonl")), samples).unwrap();
    let Ok(catalog) = store::discover_with(&dir, &log_formats()) else {
        return;
    };
    for run in catalog.runs() {
        let _ = run.load_results();
        for (task, _) in &run.details {
            let Ok(file) = run.open_details(task) else { continue };
            if let Ok(batches) = file.details(16) {
                for batch in batches {
                    if batch.is_err() {
                        break;
                    }
                }
            }
            let _ = file.read_row(file.num_rows().saturating_sub(1));
        }
    }
});
