//! TUI speed targets: a keypress to a drawn frame under 16 ms with a 1,000,000-row task loaded,
//! the first frame of the sample run under 50 ms after start, and a task's first screen of
//! samples under 50 ms after `Enter` whatever its size (250,000 and 1,000,000 rows; the full
//! load beside it). `benches/visidata_first_row.py` times VisiData on the same files. A write
//! into a watched folder to the change on screen: under 500 ms.

mod support;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::model::Verdict;
use evaldeck::source::Source;
use evaldeck::store::{ListRow, SampleTable};
use evaldeck::tui::app::{App, Command, Message};
use evaldeck::tui::view::{Theme, render};
use evaldeck::tui::{self};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn run(app: &mut App, command: Command) {
    let mut pending = vec![command];
    while let Some(command) = pending.pop() {
        let mut messages = Vec::new();
        tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
        pending.extend(messages.into_iter().map(|m| app.update(m)));
    }
}

fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn million_rows() -> SampleTable {
    let rows = 1_000_000;
    let mut table = SampleTable::new("bench|0", vec!["acc".into(), "f1".into()]);
    table.complete = true;
    for i in 0..rows {
        let metrics = [Some((i % 2) as f64), Some((i % 100) as f64 / 100.0)];
        table.push_row(ListRow {
            id: &i.to_string(),
            query: &format!(
                "Question {i}: which of the following statements about sample {i} is correct?"
            ),
            gold: &format!("answer {}", i % 4),
            prediction: &format!("answer {}", i % 3),
            metrics: &metrics,
            verdict: if i % 2 == 1 {
                Verdict::Right
            } else {
                Verdict::Wrong
            },
        });
    }
    table
}

fn keypress_to_frame(c: &mut Criterion) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighteval-0.13");
    let (mut app, command) = App::new(Source::local(fixture), (100, 30));
    run(&mut app, command);
    let open_results = app.update(key(KeyCode::Enter));
    run(&mut app, open_results);
    let load = app.update(key(KeyCode::Enter));
    let Command::LoadSamples { generation, .. } = load else {
        panic!("expected a samples load")
    };
    app.update(Message::SamplesLoaded {
        generation,
        result: Ok(million_rows()),
    });
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let theme = Theme { color: true };
    let mut group = c.benchmark_group("keypress_to_frame_1m_rows");
    for (name, code) in [
        ("down", KeyCode::Down),
        ("page_down", KeyCode::PageDown),
        ("bottom", KeyCode::Char('G')),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let command = app.update(key(code));
                assert!(matches!(command, Command::None));
                terminal.draw(|frame| render(&app, theme, frame)).unwrap();
                if code == KeyCode::Char('G') {
                    app.update(key(KeyCode::Char('g')));
                }
            })
        });
    }
    group.finish();
}

fn first_frame(c: &mut Criterion) {
    c.bench_function("first_frame_sample_run", |b| {
        b.iter(|| {
            let (mut app, command) = App::new(Source::SampleRun, (100, 30));
            run(&mut app, command);
            let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
            terminal
                .draw(|frame| render(&app, Theme { color: true }, frame))
                .unwrap();
        })
    });
}

/// From `Enter` on a task to its first chunk of rows (the first screen), and to every row.
fn samples_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("samples_list");
    group.sample_size(10);
    for rows in [250_000, 1_000_000] {
        let dir = support::run_of_one_task(rows, 60);
        let catalog = evaldeck::store::discover(&dir).unwrap();
        let run = catalog.select(None, None).unwrap().run;
        let task = "suite:big|0";
        group.bench_function(format!("first_screen_{rows}_rows"), |b| {
            b.iter(|| {
                let cancel = AtomicBool::new(false);
                let mut first = 0;
                tui::data::load_samples(run, task, &cancel, PROGRESS, |read| {
                    if let tui::data::SamplesRead::First(table) = read {
                        first = table.len();
                        // Enough: the rest would load behind the first screen.
                        cancel.store(true, Ordering::Relaxed);
                    }
                })
                .unwrap();
                assert!(first > 0);
                first
            })
        });
        group.bench_function(format!("full_load_{rows}_rows"), |b| {
            b.iter(|| {
                let mut loaded = 0;
                tui::data::load_samples(run, task, &AtomicBool::new(false), PROGRESS, |read| {
                    match read {
                        tui::data::SamplesRead::First(table) => loaded += table.len(),
                        tui::data::SamplesRead::More { chunks, .. } => {
                            loaded += chunks.iter().map(|c| c.len()).sum::<usize>()
                        }
                        tui::data::SamplesRead::Opened { .. } => {}
                    }
                })
                .unwrap();
                assert_eq!(loaded, rows);
                loaded
            })
        });
    }
    group.finish();
}

const PROGRESS: std::time::Duration = std::time::Duration::from_millis(100);

/// A results file rewritten in a watched folder, to the Runs screen drawn again with it: the
/// watcher's report (which waits for the writing to settle), re-reading the runs, one frame.
fn follow_latency(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighteval-0.13");
    let date = "2026-11-23T21-40-51.814529";
    let results = dir
        .path()
        .join(format!("results/model-a/results_{date}.json"));
    std::fs::create_dir_all(results.parent().unwrap()).unwrap();
    let text = std::fs::read(fixture.join(format!("results/model-a/results_{date}.json"))).unwrap();
    std::fs::write(&results, &text).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let _watch = evaldeck::source::watch(dir.path(), move |paths| {
        let _ = sender.send(paths);
    })
    .unwrap();
    let (mut app, command) = App::new(Source::local(dir.path().to_owned()), (100, 30));
    run(&mut app, command);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut group = c.benchmark_group("follow");
    group.sample_size(20);
    group.bench_function("write_to_frame", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                while receiver.try_recv().is_ok() {}
                let start = std::time::Instant::now();
                std::fs::write(&results, &text).unwrap();
                let paths = receiver.recv().unwrap();
                let command = app.update(Message::SourceChanged {
                    paths,
                    at: std::time::Instant::now(),
                });
                run(&mut app, command);
                terminal
                    .draw(|frame| render(&app, Theme { color: false }, frame))
                    .unwrap();
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

/// A loaded 1,000,000-row list: each of the text filter, wrong-only, sort, frequencies and a
/// search that finds nothing (the whole list walked) under 500 ms.
fn list_queries(c: &mut Criterion) {
    use evaldeck::tui::data::{
        FreqColumn, ListQuery, MetricSort, SearchDirection, SearchStart, filter_rows, frequencies,
        search_rows,
    };
    let table = million_rows();
    let all: Vec<u32> = (0..table.len() as u32).collect();
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("list_1000000_rows");
    group.sample_size(10);
    let query = |text: &str, wrong_only: bool, sort: Option<MetricSort>| ListQuery {
        text: text.into(),
        wrong_only,
        sort,
    };
    group.bench_function("text_filter", |b| {
        b.iter(|| filter_rows(&table, &query("sample 99", false, None), &cancel))
    });
    group.bench_function("wrong_only", |b| {
        b.iter(|| filter_rows(&table, &query("", true, None), &cancel))
    });
    let by_f1 = Some(MetricSort {
        metric: 1,
        descending: true,
    });
    group.bench_function("sort_by_metric", |b| {
        b.iter(|| filter_rows(&table, &query("", false, by_f1), &cancel))
    });
    group.bench_function("frequencies", |b| {
        b.iter(|| frequencies(&table, &all, FreqColumn::Prediction))
    });
    let sorted = filter_rows(&table, &query("", false, by_f1), &cancel).unwrap();
    group.bench_function("search_sorted_without_match", |b| {
        b.iter(|| {
            search_rows(
                &table,
                &sorted,
                0,
                "no such text",
                SearchDirection::Forward,
                SearchStart::AfterCursor,
                &cancel,
            )
        })
    });
    group.bench_function("search_without_match", |b| {
        b.iter(|| {
            search_rows(
                &table,
                &all,
                0,
                "no such text",
                SearchDirection::Forward,
                SearchStart::AfterCursor,
                &cancel,
            )
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    keypress_to_frame,
    first_frame,
    samples_list,
    follow_latency,
    list_queries
);
criterion_main!(benches);
