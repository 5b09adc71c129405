//! The results JSON reader: any bytes give a results file or an error, never a panic; what it
//! reads, it writes back as text that reads back the same (the write→read fixed point).
#![no_main]

use std::path::Path;

use evaldeck::model::pyjson;
use evaldeck::store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(json) = pyjson::parse(text) {
        let written = pyjson::to_string(&json, pyjson::WriteOptions::PYTHON_INDENT2);
        let again = pyjson::parse(&written).expect("what we write, we read");
        assert_eq!(
            pyjson::to_string(&again, pyjson::WriteOptions::PYTHON_INDENT2),
            written
        );
    }
    if let Ok(results) = store::parse_results(Path::new("fuzz.json"), text) {
        // Every accessor the UI and the CLI use must hold up on whatever parsed.
        let _ = results.general().model_name();
        for row in results.rows() {
            let _ = row.key();
            let _ = row.metrics();
        }
        for task in results.measured_tasks() {
            let _ = results.task_config(task.as_str());
            let _ = results.task_summary(task.as_str());
        }
        let _ = store::results_to_string(&results);
    }
});
