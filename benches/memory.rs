//! Peak memory of the Samples list on a 1,000,000-row task (and 250,000), with the binary's own
//! allocator: `cargo bench --bench memory`. Prints, for each size, the peak resident set of a
//! fresh process that loads the whole list (what the TUI holds once loading is done) and what
//! the list itself holds. Each size runs in its own process, so one peak does not hide another.
//! `MEMORY_SCAN_ONLY=` (empty: the list's columns; or one column, `doc.query`) only decodes the
//! file, to see what the Parquet decoder alone takes.

mod support;

use std::sync::atomic::AtomicBool;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn load(rows: usize) {
    let dir = support::run_of_one_task(rows, 60);
    let catalog = evaldeck::store::discover(&dir).unwrap();
    let run = catalog.select(None, None).unwrap().run.clone();
    let before = peak_rss_mb();
    let started = std::time::Instant::now();
    if let Ok(column) = std::env::var("MEMORY_SCAN_ONLY") {
        let file = run.open_details("suite:big|0").unwrap();
        let mut n = 0;
        if column.is_empty() {
            for batch in evaldeck::store::list_batches(&file, 1024).unwrap().unwrap() {
                n += batch.unwrap().len();
            }
        } else {
            for batch in file.batches(Some(&[column.as_str()]), 1024).unwrap() {
                n += batch.unwrap().num_rows();
            }
        }
        println!("scan of {n} rows: peak RSS {:.0} MB", peak_rss_mb());
        return;
    }
    let mut table = None;
    let mut chunks = 0;
    evaldeck::tui::data::load_samples(
        &run,
        "suite:big|0",
        &AtomicBool::new(false),
        std::time::Duration::from_millis(100),
        |read| match read {
            evaldeck::tui::data::SamplesRead::First(t) => table = Some(t),
            evaldeck::tui::data::SamplesRead::More { chunks: more, .. } => {
                chunks += more.len();
                if let Some(t) = table.as_mut() {
                    t.append(more);
                }
            }
            _ => {}
        },
    )
    .unwrap();
    let table = table.unwrap();
    println!(
        "samples list of {rows} rows: {} rows loaded in {:.2} s; peak RSS {:.0} MB (process before loading: {before:.0} MB); the list holds {:.0} MB",
        table.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_mb(),
        table.heap_bytes() as f64 / 1e6,
    );
}

fn main() {
    if std::env::var("MEMORY_DEFAULT_ALLOCATOR_OPTIONS").is_err() {
        evaldeck::memory::return_freed_memory_promptly();
    }
    // `cargo bench` passes `--bench`; a size as the first other argument runs just that one.
    let size: Option<usize> = std::env::args().skip(1).find_map(|a| a.parse().ok());
    match size {
        Some(rows) => load(rows),
        None => {
            for rows in [250_000, 1_000_000] {
                let status = std::process::Command::new(std::env::current_exe().unwrap())
                    .arg(rows.to_string())
                    .status()
                    .unwrap();
                assert!(status.success());
            }
        }
    }
}
