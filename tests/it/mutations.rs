//! Seeded mutation tests: real files with bytes flipped, cut or duplicated must give errors, never
//! panics. A cheap, deterministic cousin of fuzzing that runs in every test run.

use crate::support;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::support::Rng;
use evaldeck::model::pyjson;
use evaldeck::store::{self, pyliteral};

/// Rounds per test; `EVALDECK_MUTATION_ROUNDS` raises it for a longer hunt.
fn rounds(default: usize) -> usize {
    std::env::var("EVALDECK_MUTATION_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(4) {
            0 => {
                let i = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(i) {
                    *b = rng.next() as u8;
                }
            }
            2 => bytes.truncate(rng.below(bytes.len() + 1)),
            _ => {
                let start = rng.below(bytes.len());
                let end = (start + rng.below(64)).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                let at = rng.below(bytes.len());
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

#[test]
fn mutated_details_files_never_panic() {
    let originals: Vec<Vec<u8>> = support::files_with_suffix(&support::fixtures(), ".parquet")
        .iter()
        .filter(|p| store::DetailsFile::open(p).is_ok())
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(originals.len() >= 20, "the good details fixtures are found");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("details_t|0_2026-01-01T00-00-00.parquet");
    let mut rng = Rng(std::env::var("EVALDECK_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15));
    let (mut opened, mut failed) = (0, 0);
    for round in 0..rounds(600) {
        let original = &originals[round % originals.len()];
        // Mutate the footer often: it is what every reader trusts first.
        let bytes = if round % 2 == 0 {
            let tail = original.len().saturating_sub(2048);
            let mut bytes = original[..tail].to_vec();
            bytes.extend(mutate(&mut rng, &original[tail..]));
            bytes
        } else {
            mutate(&mut rng, original)
        };
        std::fs::write(&path, &bytes).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let file = store::DetailsFile::open(&path)?;
            for batch in file.details(64)? {
                batch?;
            }
            Ok::<_, store::StoreError>(())
        }));
        match outcome {
            Ok(Ok(())) => opened += 1,
            Ok(Err(e)) => {
                assert!(
                    e.to_string().contains("details_t|0"),
                    "round {round}: error without the file name: {e}"
                );
                // A caught decoder panic: keep the input when asked, to pin it as a fixture.
                if (e.to_string().contains("corrupt data (")
                    || e.to_string().contains("corrupt file ("))
                    && let Ok(keep) = std::env::var("EVALDECK_MUTATION_KEEP")
                    && !std::path::Path::new(&keep).exists()
                {
                    std::fs::write(&keep, &bytes).unwrap();
                }
                failed += 1;
            }
            Err(_) => {
                std::fs::write(dir.path().join("crash.parquet"), &bytes).unwrap();
                panic!("round {round}: a mutated details file made the reader panic");
            }
        }
    }
    assert!(
        failed > 100,
        "mutations should mostly be caught: {opened} opened, {failed} failed"
    );
}

#[test]
fn mutated_json_and_python_literals_never_panic() {
    let results = std::fs::read(support::fixture(
        "lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json",
    ))
    .unwrap();
    let literal =
        b"[(-0.47, False), (-1.2, True), {'acc': 1, 'x': 'it\\'s'}, None, nan, np.float64(0.5)]"
            .to_vec();
    let tracking = br#"{"type":"task","name":"t|0","aggregations":{"mcc":"MatthewsCorrCoef()"}}
{"task":"t|0","doc":{"query":"q"},"metric":{"mcc":{"golds":[1],"preds":0}}}
"#
    .to_vec();
    let mut rng = Rng(std::env::var("EVALDECK_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(42));
    for round in 0..rounds(3000) * 5 {
        let json = mutate(&mut rng, &results);
        let text = String::from_utf8_lossy(&json);
        let _ = store::parse_results(std::path::Path::new("m.json"), &text);
        let lit = mutate(&mut rng, &literal);
        let _ = pyliteral::parse(&String::from_utf8_lossy(&lit));
        let _ = pyjson::parse(&String::from_utf8_lossy(&lit));
        let lines = mutate(&mut rng, &tracking);
        let mut tracker = evaldeck::tracker::EvaluationTracker::new(
            evaldeck::tracker::TrackerOptions::new("unused"),
        )
        .unwrap();
        let _ = evaldeck::tracker::track_lines(&lines[..], "m.jsonl", &mut tracker, &mut |_| {});
        let _ = tracker.results();
        let name = String::from_utf8_lossy(&mutate(
            &mut rng,
            b"details_quiz:geo|0_2026-11-23T21-40-51.814529.parquet",
        ))
        .into_owned();
        let _ = store::parse_details_file_name(&name);
        let _ = round;
    }
}

/// Reads everything of every run a source holds: results, and each task's samples and first row.
fn read_all_runs(path: &std::path::Path) -> Result<usize, store::StoreError> {
    let catalog = store::discover_with(path, &evaldeck::source::log_formats())?;
    let mut rows = 0;
    for run in catalog.runs() {
        run.load_results()?;
        for (task, _) in &run.details {
            let file = run.open_details(task)?;
            for batch in file.details(8)? {
                rows += batch?.len();
            }
            if file.num_rows() > 0 {
                file.read_row(file.num_rows() - 1)?;
            }
        }
    }
    Ok(rows)
}

#[test]
fn mutated_inspect_logs_never_panic() {
    let mut originals: Vec<Vec<u8>> = support::files_with_suffix(&support::fixtures(), ".eval")
        .iter()
        .filter(|p| read_all_runs(p).is_ok())
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(
        originals.len() >= 5,
        "the real logs and the interrupted one"
    );
    originals.sort();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.eval");
    let mut rng = Rng(0x51ed_270b_a9c3_4f1d);
    let (mut opened, mut failed) = (0, 0);
    for round in 0..rounds(300) {
        let original = &originals[round % originals.len()];
        // The central directory at the end is what a zip reader trusts first.
        let bytes = if round % 2 == 0 {
            let tail = original.len().saturating_sub(1024);
            let mut bytes = original[..tail].to_vec();
            bytes.extend(mutate(&mut rng, &original[tail..]));
            bytes
        } else {
            mutate(&mut rng, original)
        };
        std::fs::write(&path, &bytes).unwrap();
        match catch_unwind(AssertUnwindSafe(|| read_all_runs(&path))) {
            Ok(Ok(_)) => opened += 1,
            Ok(Err(e)) => {
                assert!(
                    e.to_string().contains("log.eval"),
                    "round {round}: error without the file name: {e}"
                );
                failed += 1;
            }
            Err(_) => {
                std::fs::write(dir.path().join("crash.eval"), &bytes).unwrap();
                panic!("round {round}: a mutated Inspect log made the reader panic");
            }
        }
    }
    assert!(
        failed > 50 && opened > 0,
        "mutations should mostly be caught, and some survive: {opened} opened, {failed} failed"
    );
}

#[test]
fn mutated_lm_eval_runs_never_panic() {
    let folder = support::fixture("lm-eval-0.4.13/fixture-org__dummy-lm");
    let date = "2026-11-30T02-37-30.831220";
    let results = std::fs::read(folder.join(format!("results_{date}.json"))).unwrap();
    let samples = std::fs::read(folder.join(format!("samples_toy_mc_{date}.jsonl"))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let results_path = dir.path().join(format!("results_{date}.json"));
    let samples_path = dir.path().join(format!("samples_toy_mc_{date}.jsonl"));
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut opened, mut failed) = (0, 0);
    for round in 0..rounds(600) {
        let (r, s) = match round % 3 {
            0 => (mutate(&mut rng, &results), samples.clone()),
            1 => (results.clone(), mutate(&mut rng, &samples)),
            _ => (mutate(&mut rng, &results), mutate(&mut rng, &samples)),
        };
        std::fs::write(&results_path, &r).unwrap();
        std::fs::write(&samples_path, &s).unwrap();
        match catch_unwind(AssertUnwindSafe(|| read_all_runs(dir.path()))) {
            Ok(Ok(_)) => opened += 1,
            Ok(Err(e)) => {
                assert!(
                    e.to_string().contains(date)
                        || e.to_string().contains(&*dir.path().to_string_lossy()),
                    "round {round}: error without the file name: {e}"
                );
                failed += 1;
            }
            Err(_) => {
                std::fs::write(dir.path().join("crash.results.json"), &r).unwrap();
                std::fs::write(dir.path().join("crash.samples.jsonl"), &s).unwrap();
                panic!("round {round}: a mutated lm-eval run made the reader panic");
            }
        }
    }
    assert!(
        failed > 50 && opened > 10,
        "both outcomes happen: {opened} opened, {failed} failed"
    );
}
