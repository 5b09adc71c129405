//! `evaldeck FILE --follow`: a tracking file being appended, read as it grows, as `tail -f`
//! would, with the running mean of each per-sample metric and its standard error printed as
//! samples arrive. The stream ends with stdin's end or a `{"type":"end"}` record; `--save` then
//! writes the run.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr};
use indexmap::IndexMap;

use crate::model::Json;
use crate::stats::{Aggregation, mean_stderr};
use crate::tracker::{
    EvaluationTracker, RecordError, Tracked, TrackingSummary, parse_record, track_record,
};

/// Running numbers are printed at most this often.
const PRINT_EVERY: Duration = Duration::from_secs(1);
/// How often a file that has stopped growing is looked at again.
const WAIT_FOR_MORE: Duration = Duration::from_millis(100);

/// A line of the stream, or its end.
enum Input {
    Line(usize, std::io::Result<String>),
    Closed,
}

/// Reads `source` (`-`: stdin) as it grows into `tracker`, printing running means to `out`, until
/// the producer ends it. Returns what the stream held.
pub(super) fn follow(
    source: &Path,
    tracker: &mut EvaluationTracker,
    out: &mut dyn Write,
) -> Result<TrackingSummary> {
    let name = if source.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        source.display().to_string()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = mpsc::channel();
    if source.as_os_str() == "-" {
        let reader = std::io::BufReader::new(std::io::stdin());
        std::thread::spawn(move || read_stdin(reader, &sender));
    } else {
        let file =
            std::fs::File::open(source).wrap_err_with(|| format!("{name}: could not be opened"))?;
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || tail(file, &stop, &sender));
    }
    let mut summary = TrackingSummary::default();
    let mut running = Running::default();
    let mut printed = (Instant::now(), 0);
    loop {
        let input = receiver.recv_timeout(WAIT_FOR_MORE);
        let ended = match input {
            Ok(Input::Line(number, line)) => {
                let parsed = line
                    .map_err(RecordError::Unreadable)
                    .and_then(|line| parse_record(&line));
                if let Ok(record) = &parsed {
                    running.note(record);
                }
                let tracked = track_record(number, parsed, &name, tracker, &mut summary);
                if tracked.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                tracked? == Tracked::End
            }
            Ok(Input::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => true,
            Err(mpsc::RecvTimeoutError::Timeout) => false,
        };
        if ended {
            stop.store(true, Ordering::Relaxed);
            running.print(tracker, summary.samples, out)?;
            return Ok(summary);
        }
        if summary.samples != printed.1 && printed.0.elapsed() >= PRINT_EVERY {
            running.print(tracker, summary.samples, out)?;
            printed = (Instant::now(), summary.samples);
        }
    }
}

fn read_stdin(reader: impl BufRead, sender: &mpsc::Sender<Input>) {
    for (index, line) in reader.lines().enumerate() {
        if line.as_ref().is_ok_and(|l| l.trim().is_empty()) {
            continue;
        }
        if sender.send(Input::Line(index + 1, line)).is_err() {
            return;
        }
    }
    let _ = sender.send(Input::Closed);
}

/// Reads `file` as it grows: whole lines only (a line still being written waits for its end),
/// until `stop` is set.
fn tail(file: std::fs::File, stop: &AtomicBool, sender: &mpsc::Sender<Input>) {
    let mut reader = std::io::BufReader::new(file);
    let mut pending = String::new();
    let mut number = 0;
    while !stop.load(Ordering::Relaxed) {
        match reader.read_line(&mut pending) {
            Ok(0) => std::thread::sleep(WAIT_FOR_MORE),
            Ok(_) if !pending.ends_with('\n') => {}
            Ok(_) => {
                number += 1;
                let line = std::mem::take(&mut pending);
                if line.trim().is_empty() {
                    continue;
                }
                if sender.send(Input::Line(number, Ok(line))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = sender.send(Input::Line(number + 1, Err(e)));
                return;
            }
        }
    }
}

/// Each task's per-sample metric values so far, in arrival order.
#[derive(Default)]
struct Running {
    values: IndexMap<(String, String), Vec<f64>>,
}

impl Running {
    /// Keeps a sample record's numeric metric values.
    fn note(&mut self, record: &Json) {
        let is_sample = record
            .get("type")
            .is_none_or(|kind| kind.as_str() == Some("sample"));
        let (Some(task), Some(Json::Object(metrics))) = (
            record.get("task").and_then(Json::as_str),
            record.get("metric"),
        ) else {
            return;
        };
        if !is_sample {
            return;
        }
        for (metric, value) in metrics {
            // Numbers and flags, as `Detail::metric_value` reads them; corpus inputs are not.
            if let Some(value) = value
                .as_f64()
                .filter(|_| matches!(value, Json::Int(_) | Json::Float(_) | Json::Bool(_)))
            {
                self.values
                    .entry((task.to_owned(), metric.clone()))
                    .or_default()
                    .push(value);
            }
        }
    }

    /// One block: the time and sample count, then each mean metric's running mean ± stderr.
    /// Metrics aggregated otherwise (corpus metrics, medians) are computed when the run is saved.
    fn print(
        &self,
        tracker: &EvaluationTracker,
        samples: u64,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let now = chrono::Local::now().format("%H:%M:%S");
        writeln!(out, "[{now}] {samples} samples")?;
        for ((task, metric), values) in &self.values {
            let mean_aggregated = tracker
                .tasks
                .get(task)
                .and_then(|t| t.aggregations.get(metric))
                .is_none_or(|a| *a == Aggregation::Mean);
            if !mean_aggregated {
                continue;
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            writeln!(
                out,
                "  {task}  {metric}  {}  ± {}  (n={})",
                crate::text::format_value(mean),
                crate::text::format_value(mean_stderr(values)),
                values.len()
            )?;
        }
        out.flush()
    }
}
