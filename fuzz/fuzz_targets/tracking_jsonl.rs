//! The tracking JSON-lines reader: any stream gives tracked samples or an error naming the line,
//! and whatever was tracked aggregates without a panic.
#![no_main]

use evaldeck::tracker::{EvaluationTracker, TrackerOptions, track_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut options = TrackerOptions::new(std::env::temp_dir().join("evaldeck-fuzz-never-written"));
    options.bootstrap_iters = 10;
    let Ok(mut tracker) = EvaluationTracker::new(options) else {
        return;
    };
    if track_lines(data, "fuzz.jsonl", &mut tracker, &mut |_| {}).is_ok() {
        let _ = tracker.results();
        let _ = tracker.generate_final_dict();
    }
});
