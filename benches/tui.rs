//! TUI speed targets: a keypress to a drawn frame under 16 ms with a 1,000,000-row task loaded,
//! and the first frame of the sample run under 50 ms after start.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::tui::app::{App, Command, Message};
use evaldeck::tui::data::{SampleTable, Verdict};
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
    let mut table = SampleTable {
        task: "bench|0".into(),
        metric_names: vec!["acc".into(), "f1".into()],
        ..Default::default()
    };
    table.metrics = vec![Vec::with_capacity(rows), Vec::with_capacity(rows)];
    for i in 0..rows {
        table.ids.push(i.to_string());
        table.queries.push(format!(
            "Question {i}: which of the following statements about sample {i} is correct?"
        ));
        table.golds.push(format!("answer {}", i % 4));
        table.predictions.push(format!("answer {}", i % 3));
        table.metrics[0].push((i % 2) as f64);
        table.metrics[1].push((i % 100) as f64 / 100.0);
        table.verdicts.push(if i % 2 == 1 {
            Verdict::Right
        } else {
            Verdict::Wrong
        });
    }
    table
}

fn keypress_to_frame(c: &mut Criterion) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lighteval-0.13");
    let (mut app, command) = App::new(Some(fixture), (100, 30));
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
            let (mut app, command) = App::new(None, (100, 30));
            run(&mut app, command);
            let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
            terminal
                .draw(|frame| render(&app, Theme { color: true }, frame))
                .unwrap();
        })
    });
}

criterion_group!(benches, keypress_to_frame, first_frame);
criterion_main!(benches);
