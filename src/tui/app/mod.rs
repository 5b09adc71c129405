//! The TUI's state, its messages and `update`: the one door every change goes through. `update`
//! does no I/O; it returns a [`Command`] that the event loop carries out.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::data::{
    FreqColumn, JobError, ListQuery, MetricSort, ResultsData, RunsData, SampleDetail, SampleTable,
    SearchDirection, SearchStart, frequencies, task_of,
};
use super::dialog::{Dialog, Outcome, PushDialog, SaveDialog};
use super::keymap::{Action, Scope, action_for};
use crate::hub::HubEndpoint;
use crate::source::Source;
use crate::store::Run;

mod compare;
mod cursor;
mod dialog;
mod diff;
mod input;
mod live;
mod results;
mod runs;
mod samples;
mod stack;
mod state;

pub use cursor::Cursor;
pub use stack::Layer;
pub use state::{
    AgreementState, CompareState, DiffState, FreqState, Input, InputPurpose, Loadable, ResultsSort,
    ResultsState, RunsState, SampleState, SampleView, SamplesState, Screen, Status,
};

/// The run the app opens at start, named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartAt {
    pub model: String,
    pub date_id: String,
}

/// Rows of chrome around a list: title bar, table header, status line, hint line.
pub const LIST_CHROME_ROWS: u16 = 4;

#[derive(Debug, Clone)]
pub struct App {
    pub source: Source,
    /// The open screens, the Runs screen at the bottom ([`App::screen`] is the top's).
    stack: Vec<Layer>,
    pub runs: RunsState,
    pub input: Option<Input>,
    pub help: bool,
    pub help_scroll: u16,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub quit: bool,
    /// The save or push dialog, over any screen.
    pub dialog: Option<Dialog>,
    /// The save or push running in the background; one at a time.
    pub job: Option<Job>,
    /// Where `P` pushes, and as whom (the token itself is never shown).
    pub hub: HubEndpoint,
    /// The organisation typed in the last push dialog, offered again.
    pub last_org: String,
    /// A run to open once the runs are loaded (`--model` / `--run` on the command line).
    pub start_at: Option<StartAt>,
    /// How the source is watched for runs being written; `None`: it is not.
    pub live: Option<crate::source::WatchMode>,
    /// Files seen changing within [`WRITING_WINDOW`], and when: one that reads as incomplete is
    /// being written, not broken.
    changed: Vec<(PathBuf, Instant)>,
    /// The paths whose change the runs are being re-read for.
    refreshing: Option<Vec<PathBuf>>,
    next_generation: u64,
}

pub use crate::source::WRITING_WINDOW;

/// A save or push under way: its progress goes to the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub generation: u64,
    pub what: &'static str,
    pub progress: String,
}

/// Everything that can change the state.
// Loaded data travels once per request; boxing it would only add noise at every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Resize {
        width: u16,
        height: u16,
    },
    RunsLoaded(Result<RunsData, JobError>),
    /// Files of a watched source changed (were created, written or removed) by `at`.
    SourceChanged {
        paths: Vec<PathBuf>,
        at: Instant,
    },
    /// Time passes in a watched source: a file that stopped changing while incomplete is no
    /// longer being written, but broken.
    Tick {
        at: Instant,
    },
    ResultsLoaded {
        generation: u64,
        result: Result<ResultsData, JobError>,
    },
    /// evaldeck's corpus scores of the run's translation metrics, after its results.
    CorpusScoresLoaded {
        generation: u64,
        scores: Vec<crate::tracker::CorpusScore>,
    },
    /// The run's standard errors clustered by `path` (with warnings for tasks left out).
    ClusteredLoaded {
        generation: u64,
        path: String,
        result: Result<(Vec<crate::analysis::ClusteredStderr>, Vec<String>), JobError>,
    },
    SamplesProgress {
        generation: u64,
        done: u64,
        total: u64,
    },
    /// A task's list with its first rows (all of them when `complete`).
    SamplesLoaded {
        generation: u64,
        result: Result<SampleTable, JobError>,
    },
    /// More rows of the list; `end` says the loader finished, or where it stopped.
    SamplesMore {
        generation: u64,
        chunks: Vec<Arc<super::data::SampleChunk>>,
        end: Option<Result<(), JobError>>,
    },
    SearchDone {
        generation: u64,
        needle: String,
        found: Option<usize>,
        wrapped: bool,
    },
    RowsFiltered {
        generation: u64,
        rows: Vec<u32>,
    },
    DiffLoaded {
        generation: u64,
        result: Result<super::data::DiffData, JobError>,
    },
    CompareLoaded {
        generation: u64,
        result: Result<crate::compare::Comparison, JobError>,
    },
    /// The comparison's tests against the baseline, after its values (a run that could not be
    /// tested says so among its warnings).
    CompareTested {
        generation: u64,
        comparison: crate::compare::Comparison,
    },
    AgreementLoaded {
        generation: u64,
        result: Result<crate::compare::Agreement, JobError>,
    },
    /// The grid again with every run's predictions, after its scores.
    AgreementPredictions {
        generation: u64,
        result: Result<crate::compare::Agreement, JobError>,
    },
    SampleLoaded {
        generation: u64,
        result: Result<SampleDetail, JobError>,
    },
    JobProgress {
        generation: u64,
        text: String,
    },
    /// A save or push ended: where it went, or what went wrong.
    JobDone {
        generation: u64,
        result: Result<String, JobError>,
    },
}

/// Work for the event loop: I/O and anything slow, each tagged with the generation it answers.
#[derive(Debug, Clone)]
pub enum Command {
    None,
    LoadRuns {
        source: Source,
        /// For `hf://` sources: the app's one endpoint, also the one `P` pushes to.
        hub: HubEndpoint,
        /// Files seen changing moments ago: incomplete, they are being written.
        being_written: Vec<PathBuf>,
    },
    LoadResults {
        generation: u64,
        run: Run,
    },
    /// The Results screen's standard errors clustered by a sample field `path`.
    LoadClustered {
        generation: u64,
        run: Run,
        path: String,
    },
    LoadSamples {
        generation: u64,
        run: Run,
        task: String,
    },
    Search {
        generation: u64,
        table: Arc<SampleTable>,
        visible: Arc<Vec<u32>>,
        cursor: usize,
        needle: String,
        direction: SearchDirection,
        start: SearchStart,
    },
    FilterRows {
        generation: u64,
        table: Arc<SampleTable>,
        query: ListQuery,
    },
    LoadDiff {
        generation: u64,
        a: Run,
        b: Run,
    },
    LoadCompare {
        generation: u64,
        runs: Vec<Run>,
        baseline: usize,
        cluster_by: Option<String>,
    },
    LoadAgreement {
        generation: u64,
        runs: Vec<Run>,
        baseline: usize,
        task: String,
    },
    LoadSample {
        generation: u64,
        /// The task's samples, as the list opened them.
        file: crate::store::DetailsFile,
        row: usize,
    },
    SaveRun {
        generation: u64,
        run: Run,
        output_dir: PathBuf,
    },
    PushRun {
        generation: u64,
        run: Run,
        org: String,
        public: bool,
        endpoint: HubEndpoint,
    },
}

impl App {
    /// A new app on the public Hub, and the command that loads its source.
    pub fn new(source: Source, size: (u16, u16)) -> (App, Command) {
        App::with_hub(source, size, HubEndpoint::public())
    }

    /// A new app whose `hf://` sources and pushes go to `hub`, and the command that loads its
    /// source.
    pub fn with_hub(source: Source, size: (u16, u16), hub: HubEndpoint) -> (App, Command) {
        let app = App {
            source: source.clone(),
            stack: vec![Layer::Runs],
            runs: RunsState {
                data: Loadable::Loading,
                cursor: Cursor::default(),
                marked: Vec::new(),
            },
            input: None,
            help: false,
            help_scroll: 0,
            status: None,
            size,
            quit: false,
            dialog: None,
            job: None,
            hub: hub.clone(),
            last_org: String::new(),
            start_at: None,
            live: None,
            changed: Vec::new(),
            refreshing: None,
            next_generation: 1,
        };
        let load = Command::LoadRuns {
            source,
            hub,
            being_written: Vec::new(),
        };
        (app, load)
    }

    fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// Rows a list shows at the current terminal height.
    pub fn list_height(&self) -> usize {
        self.size.1.saturating_sub(LIST_CHROME_ROWS).max(1) as usize
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn fail(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    pub fn scope(&self) -> Scope {
        match self.screen() {
            Screen::Runs => Scope::Runs,
            Screen::Results => Scope::Results,
            Screen::Samples => Scope::Samples,
            Screen::Sample => Scope::Transcript,
            Screen::Diff | Screen::Flips => Scope::Diff,
            Screen::FlipSample => Scope::Sample,
            Screen::Compare => Scope::Compare,
            Screen::Agreement => Scope::Agreement,
            Screen::AgreementSample => Scope::Sample,
        }
    }

    pub fn update(&mut self, message: Message) -> Command {
        match message {
            Message::Key(key) => self.on_key(key),
            Message::Resize { width, height } => {
                self.size = (width, height);
                self.rescroll();
                Command::None
            }
            Message::RunsLoaded(result) => self.on_runs_loaded(result),
            Message::SourceChanged { paths, at } => self.on_source_changed(paths, at),
            Message::Tick { at } => self.on_tick(at),
            Message::ResultsLoaded { generation, result } => {
                self.on_results_loaded(generation, result);
                Command::None
            }
            Message::CorpusScoresLoaded { generation, scores } => {
                self.on_corpus_scores(generation, &scores);
                Command::None
            }
            Message::ClusteredLoaded {
                generation,
                path,
                result,
            } => {
                self.on_clustered(generation, path, result);
                Command::None
            }
            Message::SamplesProgress {
                generation,
                done,
                total,
            } => {
                if let Some(samples) = self.samples_mut().filter(|s| s.generation == generation) {
                    samples.progress = (done, total);
                }
                Command::None
            }
            Message::SamplesLoaded { generation, result } => {
                self.on_samples_loaded(generation, result)
            }
            Message::SamplesMore {
                generation,
                chunks,
                end,
            } => self.on_samples_more(generation, chunks, end),
            Message::SearchDone {
                generation,
                needle,
                found,
                wrapped,
            } => {
                self.on_search_done(generation, needle, found, wrapped);
                Command::None
            }
            Message::RowsFiltered { generation, rows } => {
                self.on_rows_filtered(generation, rows);
                Command::None
            }
            Message::DiffLoaded { generation, result } => {
                self.on_diff_loaded(generation, result);
                Command::None
            }
            Message::CompareLoaded { generation, result } => {
                self.on_compare_loaded(generation, result);
                Command::None
            }
            Message::CompareTested {
                generation,
                comparison,
            } => {
                self.on_compare_tested(generation, comparison);
                Command::None
            }
            Message::AgreementLoaded { generation, result } => {
                self.on_agreement_loaded(generation, result);
                Command::None
            }
            Message::AgreementPredictions { generation, result } => {
                self.on_agreement_predictions(generation, result);
                Command::None
            }
            Message::JobProgress { generation, text } => {
                if let Some(job) = self.job.as_mut().filter(|j| j.generation == generation) {
                    job.progress = text;
                }
                Command::None
            }
            Message::JobDone { generation, result } => {
                if self
                    .job
                    .as_ref()
                    .is_some_and(|j| j.generation == generation)
                {
                    self.job = None;
                    match result {
                        Ok(text) => self.say(text),
                        Err(error) => self.fail(error.to_string()),
                    }
                }
                Command::None
            }
            Message::SampleLoaded { generation, result } => {
                self.on_sample_loaded(generation, result);
                Command::None
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Command {
        if self.input.is_some() {
            return self.on_input_key(key);
        }
        if self.dialog.is_some() {
            return self.on_dialog_key(key);
        }
        let action = action_for(&key, self.scope(), self.screen() != Screen::Sample);
        if self.help {
            match action {
                Some(Action::Back | Action::Help | Action::Quit) => self.help = false,
                Some(Action::Down) => self.help_scroll = self.help_scroll.saturating_add(1),
                Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
                _ => {}
            }
            return Command::None;
        }
        let Some(action) = action else {
            return Command::None;
        };
        // A frequency sheet is an overlay on the Samples screen with its own list.
        if self.screen() == Screen::Samples && self.samples().is_some_and(|s| s.freq.is_some()) {
            return self.on_freq_action(action);
        }
        match action {
            Action::Quit => {
                self.quit = true;
                Command::None
            }
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
                Command::None
            }
            Action::Back => {
                self.back();
                Command::None
            }
            Action::SaveRun | Action::PushRun => self.open_dialog(action),
            _ => match self.screen() {
                Screen::Runs => self.on_runs(action),
                Screen::Results => self.on_results(action),
                Screen::Samples => self.on_samples(action),
                Screen::Sample => self.on_sample(action),
                Screen::Diff | Screen::Flips | Screen::FlipSample => self.on_diff(action),
                Screen::Compare => self.on_compare(action),
                Screen::Agreement | Screen::AgreementSample => self.on_agreement(action),
            },
        }
    }

    /// Moves a cursor for the list actions; `None` if `action` is not one.
    fn list_move(cursor: Cursor, action: Action, len: usize, height: usize) -> Option<Cursor> {
        let page = height.saturating_sub(1).max(1) as isize;
        Some(match action {
            Action::Up => cursor.moved(-1, len, height),
            Action::Down => cursor.moved(1, len, height),
            Action::PageUp => cursor.moved(-page, len, height),
            Action::PageDown => cursor.moved(page, len, height),
            Action::Top => cursor.to(0, len, height),
            Action::Bottom => cursor.to(len.saturating_sub(1), len, height),
            _ => return None,
        })
    }

    /// Keeps every cursor of every open screen inside its viewport after a resize.
    fn rescroll(&mut self) {
        let height = self.list_height();
        let width = usize::from(self.size.0);
        if let Loadable::Ready(data) = &self.runs.data {
            self.runs.cursor = self.runs.cursor.scrolled(data.runs.len(), height);
        }
        for layer in &mut self.stack {
            match layer {
                Layer::Results(results) => {
                    results.cursor = results.cursor.scrolled(results.visible.len(), height);
                }
                Layer::Samples(samples) => {
                    samples.cursor = samples.cursor.scrolled(samples.visible.len(), height);
                    if let Some(freq) = samples.freq.as_mut() {
                        freq.cursor = freq.cursor.scrolled(freq.counts.len(), height);
                    }
                }
                Layer::Diff(diff) => {
                    if let Loadable::Ready(data) = &diff.data {
                        diff.cursor = diff.cursor.scrolled(data.report.rows.len(), height);
                        let flips = diff
                            .task
                            .and_then(|t| data.flips.get(t))
                            .map_or(0, |(_, rows)| rows.len());
                        diff.flip_cursor = diff.flip_cursor.scrolled(flips, height);
                    }
                }
                Layer::Compare(compare) => {
                    compare.cursor = compare.cursor.scrolled(compare.visible.len(), height);
                }
                Layer::Agreement(agreement) => {
                    agreement.cursor = agreement.cursor.scrolled(agreement.visible.len(), height);
                }
                // A transcript is laid out for the width it is drawn at.
                Layer::Sample(sample) => {
                    if sample.layout.is_some() {
                        sample.lay_out(width);
                    }
                }
                Layer::Runs | Layer::Flips | Layer::FlipSample | Layer::AgreementSample => {}
            }
        }
    }
}
