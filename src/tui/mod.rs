//! The interactive terminal UI, in the Elm style: [`app::App`] (state) + [`app::Message`] +
//! `App::update` (no I/O, returns a [`app::Command`]) + [`view::render`] (reads only).
//!
//! One consumer, many producers: a thread reads terminal events, background jobs report their
//! results, and all of it arrives as `Message`s on one channel. The loop drains the channel, then
//! draws once. Every job carries a generation id; `update` drops answers to outdated requests and
//! a newer job of the same kind cancels the older one.

pub mod app;
pub mod data;
pub mod dialog;
pub mod keymap;
pub mod view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use color_eyre::eyre::Result;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::source::Source;
use crate::store::Run;
use app::{App, Command, Message};
use data::{CancelFlag, JobError};
use view::Theme;

/// Progress of a long load is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Opens the TUI on `source` and runs it until the user quits; `start_at` opens that run's
/// results at once. The terminal is restored on return, on error and on panic.
pub fn run(source: Source, start_at: Option<app::StartAt>) -> Result<()> {
    // ratatui::init installs a panic hook that restores the terminal before the report prints.
    let mut terminal = ratatui::init();
    // After ratatui's hook: a caught decoder panic must not restore the terminal mid-session.
    crate::store::quiet_guarded_panics();
    let result = event_loop(&mut terminal, source, start_at);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    source: Source,
    start_at: Option<app::StartAt>,
) -> Result<()> {
    let size = terminal.size()?;
    let hub = crate::hub::HubEndpoint::from_env();
    let (mut app, first) = App::with_hub(source, (size.width, size.height), hub);
    app.start_at = start_at;
    let theme = Theme::from_env();
    let (sender, receiver) = mpsc::channel();
    spawn_terminal_reader(sender.clone());
    // A folder on disk is watched: runs being written appear, and change, as they are written.
    let watch = app.source.local_path().filter(|p| p.exists()).map(|path| {
        let sender = sender.clone();
        crate::source::watch(path, move |paths| {
            let _ = sender.send(Message::SourceChanged {
                paths,
                at: Instant::now(),
            });
        })
    });
    match &watch {
        Some(Ok(watching)) => {
            app.live = Some(watching.mode);
            spawn_ticker(sender.clone());
        }
        Some(Err(e)) => {
            app.status = Some(app::Status {
                text: format!("{e}; changes will not show until restarted"),
                error: true,
            })
        }
        None => {}
    }
    let mut jobs = Jobs::default();
    jobs.start(first, &sender);
    terminal.draw(|frame| view::render(&app, theme, frame))?;
    while !app.quit {
        let Ok(message) = receiver.recv() else { break };
        let command = app.update(message);
        jobs.start(command, &sender);
        drain(&receiver, &mut app, &mut jobs, &sender);
        terminal.draw(|frame| view::render(&app, theme, frame))?;
    }
    Ok(())
}

/// Handles every message already queued, so a burst (key repeat, progress) costs one frame.
fn drain(receiver: &Receiver<Message>, app: &mut App, jobs: &mut Jobs, sender: &Sender<Message>) {
    while !app.quit {
        let Ok(message) = receiver.try_recv() else {
            break;
        };
        let command = app.update(message);
        jobs.start(command, sender);
    }
}

/// Tells a watched app the time now and then: files stop being "written" without an event.
fn spawn_ticker(sender: Sender<Message>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            if sender.send(Message::Tick { at: Instant::now() }).is_err() {
                break;
            }
        }
    });
}

fn spawn_terminal_reader(sender: Sender<Message>) {
    std::thread::spawn(move || {
        loop {
            let message = match event::read() {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Message::Key(key),
                Ok(Event::Resize(width, height)) => Message::Resize { width, height },
                Ok(_) => continue,
                Err(_) => break,
            };
            if sender.send(message).is_err() {
                break;
            }
        }
    });
}

/// The kinds of background job; a new job of a kind cancels the running one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum JobKind {
    Runs,
    Results,
    /// Clustered standard errors: a new path cancels the old, never the results' own job.
    Clustered,
    Samples,
    Filter,
    Search,
    Sample,
    Diff,
    Compare,
    /// Saves and pushes: never cancelled by another, and `App` allows one at a time.
    Publish,
}

#[derive(Default)]
struct Jobs {
    running: HashMap<JobKind, CancelFlag>,
}

impl Jobs {
    fn start(&mut self, command: Command, sender: &Sender<Message>) {
        let kind = match &command {
            Command::None => return,
            Command::LoadRuns { .. } => JobKind::Runs,
            Command::LoadResults { .. } => JobKind::Results,
            Command::LoadClustered { .. } => JobKind::Clustered,
            Command::LoadSamples { .. } => JobKind::Samples,
            Command::FilterRows { .. } => JobKind::Filter,
            Command::Search { .. } => JobKind::Search,
            Command::LoadSample { .. } => JobKind::Sample,
            Command::LoadDiff { .. } => JobKind::Diff,
            Command::LoadCompare { .. } | Command::LoadAgreement { .. } => JobKind::Compare,
            Command::SaveRun { .. } | Command::PushRun { .. } => JobKind::Publish,
        };
        let cancel: CancelFlag = Arc::new(AtomicBool::new(false));
        if let Some(previous) = self.running.insert(kind, Arc::clone(&cancel)) {
            previous.store(true, Ordering::Relaxed);
        }
        let sender = sender.clone();
        std::thread::spawn(move || {
            execute(command, &cancel, &mut |message| {
                let _ = sender.send(message);
            });
        });
    }
}

/// Carries out a command, blocking, and reports through `send`. The event loop runs it on a
/// thread; tests call it directly to reach states without sleeping.
pub fn execute(command: Command, cancel: &AtomicBool, send: &mut dyn FnMut(Message)) {
    let text = JobError::from;
    match command {
        Command::None => {}
        Command::LoadRuns {
            source,
            hub,
            being_written,
        } => {
            if let Source::HubOrg { org } = source {
                return load_org_runs(org, hub, cancel, send);
            }
            let loaded = load_runs(&source, hub, &being_written);
            // A newer listing was asked for meanwhile (the folder changed again): it answers.
            if !cancel.load(Ordering::Relaxed) {
                send(Message::RunsLoaded(loaded));
            }
        }
        Command::LoadResults { generation, run } => load_results(generation, &run, cancel, send),
        Command::LoadClustered {
            generation,
            run,
            path,
        } => {
            let result = crate::analysis::Side::load(&run)
                .and_then(|side| {
                    crate::analysis::clustered_stderrs(&side.clustered_by(Some(&path)))
                })
                .map_err(text);
            if !cancel.load(Ordering::Relaxed) {
                send(Message::ClusteredLoaded {
                    generation,
                    path,
                    result,
                });
            }
        }
        Command::LoadSamples {
            generation,
            run,
            task,
        } => load_samples(generation, &run, &task, cancel, send),
        Command::FilterRows {
            generation,
            table,
            query,
        } => {
            if let Some(rows) = data::filter_rows(&table, &query, cancel) {
                send(Message::RowsFiltered { generation, rows });
            }
        }
        Command::Search {
            generation,
            table,
            visible,
            cursor,
            needle,
            direction,
            start,
        } => {
            let hit =
                data::search_rows(&table, &visible, cursor, &needle, direction, start, cancel);
            if let Some(data::SearchHit {
                position: found,
                wrapped,
            }) = hit
            {
                send(Message::SearchDone {
                    generation,
                    needle,
                    found,
                    wrapped,
                });
            }
        }
        Command::LoadDiff { generation, a, b } => {
            send(Message::DiffLoaded {
                generation,
                result: data::load_diff(&a, &b).map_err(text),
            });
        }
        Command::LoadCompare {
            generation,
            runs,
            baseline,
            cluster_by,
        } => {
            let options = crate::compare::CompareOptions {
                baseline,
                cluster_by,
                ..Default::default()
            };
            // The stored values first, at once; the tests, which read samples, after.
            match crate::compare::sides(&runs, &options) {
                Ok(sides) => {
                    let mut comparison = crate::compare::values(&sides, &options);
                    send(Message::CompareLoaded {
                        generation,
                        result: Ok(comparison.clone()),
                    });
                    crate::compare::test_against_baseline(&mut comparison, &sides, &options);
                    send(Message::CompareTested {
                        generation,
                        comparison,
                    });
                }
                Err(error) => send(Message::CompareLoaded {
                    generation,
                    result: Err(text(error)),
                }),
            }
        }
        Command::LoadAgreement {
            generation,
            runs,
            baseline,
            task,
        } => {
            // Scores first, for the grid; the predictions the side-by-side view shows after.
            let result = crate::compare::agreement(&runs, baseline, &task, None).map_err(text);
            let mut grid = result.as_ref().ok().cloned();
            send(Message::AgreementLoaded { generation, result });
            let Some(grid) = grid.as_mut().filter(|g| !g.predictions) else {
                return;
            };
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let result = crate::compare::add_predictions(&runs, grid).map_err(text);
            if !cancel.load(Ordering::Relaxed) {
                send(Message::AgreementPredictions {
                    generation,
                    result: result.map(|()| grid.clone()),
                });
            }
        }
        Command::LoadSample {
            generation,
            file,
            row,
        } => {
            send(Message::SampleLoaded {
                generation,
                result: data::load_sample(&file, row).map_err(text),
            });
        }
        Command::SaveRun {
            generation,
            run,
            output_dir,
        } => {
            let result = crate::store::copy_run(&run, &output_dir)
                .map(|copied| format!("saved to {}", copied.results_path.display()))
                .map_err(text);
            send(Message::JobDone { generation, result });
        }
        Command::PushRun {
            generation,
            run,
            org,
            public,
            endpoint,
        } => {
            let options = crate::publish::PublishOptions {
                push_to_hub: true,
                org: Some(org),
                public,
                ..Default::default()
            };
            push_run(generation, &run, &options, endpoint, send);
        }
    }
}

/// The runs of a source.
fn load_runs(
    source: &Source,
    hub: crate::hub::HubEndpoint,
    being_written: &[PathBuf],
) -> Result<data::RunsData, JobError> {
    let opened = crate::source::open(source, hub)?;
    Ok(data::load_runs_live(&opened.catalog, being_written))
}

/// A Hub organisation's runs, page by page as the Hub pages them: each page's listing answers
/// again with every run so far, so the Runs screen grows and keeps its place.
fn load_org_runs(
    org: crate::source::HubOrg,
    hub: crate::hub::HubEndpoint,
    cancel: &AtomicBool,
    send: &mut dyn FnMut(Message),
) {
    let source = PathBuf::from(org.to_string());
    let (mut runs, mut unreadable, mut repos) = (Vec::new(), Vec::new(), 0);
    let mut sent = false;
    let listed = crate::source::list_hub_org(&org, hub, &mut |page| {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        repos += page.repos.len();
        runs.extend(page.runs);
        unreadable.extend(page.unreadable);
        let catalog = crate::source::org_catalog(source.clone(), runs.clone(), unreadable.clone());
        let mut data = data::load_runs(&catalog);
        data.listing = page.more.then(|| {
            let noun = if repos == 1 { "repo" } else { "repos" };
            format!("listing… page {}, {repos} {noun} so far", page.number)
        });
        sent = true;
        send(Message::RunsLoaded(Ok(data)));
        true
    });
    match listed {
        Err(e) if !cancel.load(Ordering::Relaxed) => {
            // Pages already listed stay; the failure is said on the status line.
            send(Message::RunsLoaded(Err(if sent {
                JobError::ListingStopped {
                    org: org.to_string(),
                    error: Arc::new(e),
                }
            } else {
                e.into()
            })))
        }
        _ => {}
    }
}

/// A run's results at once; evaldeck's corpus scores, which read details, when they are ready.
fn load_results(generation: u64, run: &Run, cancel: &AtomicBool, send: &mut dyn FnMut(Message)) {
    let result = data::load_results(run).map_err(JobError::from);
    let loaded = result.as_ref().ok().cloned();
    send(Message::ResultsLoaded { generation, result });
    let Some(loaded) = loaded else { return };
    let scores = data::corpus_scores(&loaded);
    if !scores.is_empty() && !cancel.load(Ordering::Relaxed) {
        send(Message::CorpusScoresLoaded { generation, scores });
    }
}

/// A task's sample list: its first chunk at once, the rest at most every [`PROGRESS_EVERY`];
/// nothing more once cancelled, as a newer request owns the screen then.
fn load_samples(
    generation: u64,
    run: &Run,
    task: &str,
    cancel: &AtomicBool,
    send: &mut dyn FnMut(Message),
) {
    let mut shown = false;
    let result = data::load_samples(run, task, cancel, PROGRESS_EVERY, |read| {
        let message = match read {
            data::SamplesRead::Opened { total } => Message::SamplesProgress {
                generation,
                done: 0,
                total,
            },
            data::SamplesRead::First(table) => {
                shown = true;
                Message::SamplesLoaded {
                    generation,
                    result: Ok(table),
                }
            }
            data::SamplesRead::More { chunks, complete } => Message::SamplesMore {
                generation,
                chunks,
                end: complete.then_some(Ok(())),
            },
        };
        send(message);
    });
    match result {
        Ok(_) => {}
        // Rows already on screen stay; the list says where reading stopped.
        Err(e) if shown => send(Message::SamplesMore {
            generation,
            chunks: Vec::new(),
            end: Some(Err(e.into())),
        }),
        Err(e) => send(Message::SamplesLoaded {
            generation,
            result: Err(e.into()),
        }),
    }
}

/// Pushes a run as `options` say, reporting progress at most every [`PROGRESS_EVERY`], then the
/// outcome.
fn push_run(
    generation: u64,
    run: &Run,
    options: &crate::publish::PublishOptions,
    endpoint: crate::hub::HubEndpoint,
    send: &mut dyn FnMut(Message),
) {
    let mut last: Option<Instant> = None;
    let published = crate::publish::publish_run(run, options, endpoint, &mut |event| {
        if last.is_none_or(|l| l.elapsed() >= PROGRESS_EVERY) {
            last = Some(Instant::now());
            send(Message::JobProgress {
                generation,
                text: crate::text::publish_event(&event),
            });
        }
    });
    let result = match (published.hub, published.errors.into_iter().next()) {
        (_, Some(error)) => Err(JobError::Push(Arc::new(error))),
        (Some(report), None) => Ok(format!("pushed to {}", report.repo_url)),
        (None, None) => Err(JobError::NothingPushed),
    };
    send(Message::JobDone { generation, result });
}
