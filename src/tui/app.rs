//! The TUI's state, its messages and `update`: the one door every change goes through. `update`
//! does no I/O; it returns a [`Command`] that the event loop carries out.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::data::{
    FreqColumn, ListQuery, ResultsData, RunsData, SampleDetail, SampleTable, frequencies, task_of,
};
use super::dialog::{Dialog, Outcome, PushDialog, SaveDialog};
use super::keymap::{Action, Scope, action_for};
use crate::publish::HubEndpoint;
use crate::store::Run;

/// Rows of chrome around a list: title bar, table header, status line, hint line.
pub const LIST_CHROME_ROWS: u16 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Runs,
    Results,
    Samples,
    Sample,
    Diff,
    Flips,
    FlipSample,
}

/// Something that arrives from the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Failed(String),
    Ready(T),
}

/// A cursor over a list of `len` rows with a scroll offset, for a viewport of `height` rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    fn moved(self, delta: isize, len: usize, height: usize) -> Cursor {
        let last = len.saturating_sub(1);
        let selected = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        Cursor {
            selected,
            offset: self.offset,
        }
        .scrolled(len, height)
    }

    fn to(self, row: usize, len: usize, height: usize) -> Cursor {
        Cursor {
            selected: row.min(len.saturating_sub(1)),
            offset: self.offset,
        }
        .scrolled(len, height)
    }

    /// Keeps the selection inside the viewport.
    fn scrolled(mut self, len: usize, height: usize) -> Cursor {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
        self
    }
}

#[derive(Debug, Clone)]
pub struct RunsState {
    pub data: Loadable<RunsData>,
    pub cursor: Cursor,
    /// Indices of runs marked for a diff (two at most).
    pub marked: Vec<usize>,
}

/// Sort orders of the Results screen, cycled with `s`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResultsSort {
    #[default]
    File,
    Task,
    ValueDesc,
    ValueAsc,
    StderrDesc,
}

impl ResultsSort {
    fn next(self) -> Self {
        match self {
            ResultsSort::File => ResultsSort::Task,
            ResultsSort::Task => ResultsSort::ValueDesc,
            ResultsSort::ValueDesc => ResultsSort::ValueAsc,
            ResultsSort::ValueAsc => ResultsSort::StderrDesc,
            ResultsSort::StderrDesc => ResultsSort::File,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ResultsSort::File => "file order",
            ResultsSort::Task => "task",
            ResultsSort::ValueDesc => "value ↓",
            ResultsSort::ValueAsc => "value ↑",
            ResultsSort::StderrDesc => "stderr ↓",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResultsState {
    pub generation: u64,
    pub run: Run,
    pub title: String,
    pub data: Loadable<ResultsData>,
    pub cursor: Cursor,
    pub filter: String,
    pub sort: ResultsSort,
    /// Suite groups whose subtasks are hidden (their `_average` row stays).
    pub folded: Vec<String>,
    pub panel: bool,
    /// Indices into `data.lines` in display order.
    pub visible: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct SamplesState {
    pub generation: u64,
    pub run: Run,
    pub task: String,
    pub data: Loadable<Arc<SampleTable>>,
    pub progress: (u64, u64),
    pub query: ListQuery,
    /// Rows shown, as indices into the table, in display order (shared with search jobs).
    pub visible: Arc<Vec<u32>>,
    /// The search job in flight, if any.
    pub searching: Option<u64>,
    /// The filter job in flight, if any.
    pub filtering: Option<u64>,
    pub cursor: Cursor,
    pub search: String,
    pub freq: Option<FreqState>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FreqState {
    pub column: FreqColumn,
    pub counts: Vec<(String, usize)>,
    pub cursor: Cursor,
}

/// The Diff screen, its flips list and the side-by-side view.
#[derive(Debug, Clone)]
pub struct DiffState {
    pub generation: u64,
    pub data: Loadable<super::data::DiffData>,
    pub cursor: Cursor,
    /// The task whose flips are listed, as an index into `data.flips`.
    pub task: Option<usize>,
    pub flip_cursor: Cursor,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub struct SampleState {
    pub generation: u64,
    /// Position in the Samples list's visible rows.
    pub position: usize,
    pub row: usize,
    pub data: Loadable<SampleDetail>,
    pub scroll: u16,
    pub raw: bool,
}

/// Text being typed in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub purpose: InputPurpose,
    pub text: String,
    /// What to go back to on Esc.
    pub before: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    Search,
    FilterSamples,
    FilterTasks,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone)]
pub struct App {
    /// `None`: the bundled sample run.
    pub source: Option<PathBuf>,
    pub screen: Screen,
    pub runs: RunsState,
    pub results: Option<ResultsState>,
    pub samples: Option<SamplesState>,
    pub sample: Option<SampleState>,
    pub diff: Option<DiffState>,
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
    pub start_at: Option<(String, String)>,
    next_generation: u64,
}

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
    RunsLoaded(Result<RunsData, String>),
    ResultsLoaded {
        generation: u64,
        result: Result<ResultsData, String>,
    },
    /// evaldeck's corpus scores of the run's translation metrics, after its results.
    CorpusScoresLoaded {
        generation: u64,
        scores: Vec<crate::tracker::CorpusScore>,
    },
    SamplesProgress {
        generation: u64,
        done: u64,
        total: u64,
    },
    SamplesLoaded {
        generation: u64,
        result: Result<SampleTable, String>,
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
        result: Result<super::data::DiffData, String>,
    },
    SampleLoaded {
        generation: u64,
        result: Result<SampleDetail, String>,
    },
    JobProgress {
        generation: u64,
        text: String,
    },
    /// A save or push ended: where it went, or what went wrong.
    JobDone {
        generation: u64,
        result: Result<String, String>,
    },
}

/// Work for the event loop: I/O and anything slow, each tagged with the generation it answers.
#[derive(Debug, Clone)]
pub enum Command {
    None,
    LoadRuns {
        source: Option<PathBuf>,
        /// For `hf://` sources: the app's one endpoint, also the one `P` pushes to.
        hub: HubEndpoint,
    },
    LoadResults {
        generation: u64,
        run: Run,
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
        start: usize,
        needle: String,
        forward: bool,
        skip_current: bool,
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
    LoadSample {
        generation: u64,
        path: PathBuf,
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
    pub fn new(source: Option<PathBuf>, size: (u16, u16)) -> (App, Command) {
        App::with_hub(source, size, HubEndpoint::public())
    }

    /// A new app whose `hf://` sources and pushes go to `hub`, and the command that loads its
    /// source.
    pub fn with_hub(source: Option<PathBuf>, size: (u16, u16), hub: HubEndpoint) -> (App, Command) {
        let app = App {
            source: source.clone(),
            screen: Screen::Runs,
            runs: RunsState {
                data: Loadable::Loading,
                cursor: Cursor::default(),
                marked: Vec::new(),
            },
            results: None,
            samples: None,
            sample: None,
            diff: None,
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
            next_generation: 1,
        };
        (app, Command::LoadRuns { source, hub })
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
        match self.screen {
            Screen::Runs => Scope::Runs,
            Screen::Results => Scope::Results,
            Screen::Samples => Scope::Samples,
            Screen::Sample => Scope::Sample,
            Screen::Diff | Screen::Flips => Scope::Diff,
            Screen::FlipSample => Scope::Sample,
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
            Message::RunsLoaded(result) => {
                self.runs.data = match result {
                    Ok(data) => Loadable::Ready(data),
                    Err(e) => {
                        self.fail(e.clone());
                        Loadable::Failed(e)
                    }
                };
                self.open_start_run()
            }
            Message::ResultsLoaded { generation, result } => {
                let Some(results) = self.results.as_mut().filter(|r| r.generation == generation)
                else {
                    return Command::None;
                };
                match result {
                    Ok(data) => {
                        results.data = Loadable::Ready(data);
                        self.refresh_results();
                    }
                    Err(e) => {
                        results.data = Loadable::Failed(e.clone());
                        self.fail(e);
                    }
                }
                Command::None
            }
            Message::CorpusScoresLoaded { generation, scores } => {
                let ready = self.results.as_mut().filter(|r| r.generation == generation);
                if let Some(ResultsState {
                    data: Loadable::Ready(data),
                    ..
                }) = ready
                {
                    data.add_corpus_scores(&scores);
                    self.refresh_results();
                }
                Command::None
            }
            Message::SamplesProgress {
                generation,
                done,
                total,
            } => {
                if let Some(samples) = self.samples.as_mut().filter(|s| s.generation == generation)
                {
                    samples.progress = (done, total);
                }
                Command::None
            }
            Message::SamplesLoaded { generation, result } => {
                let Some(samples) = self.samples.as_mut().filter(|s| s.generation == generation)
                else {
                    return Command::None;
                };
                match result {
                    Ok(table) => {
                        samples.visible = Arc::new((0..table.len() as u32).collect());
                        samples.progress = (table.len() as u64, table.len() as u64);
                        samples.data = Loadable::Ready(Arc::new(table));
                        if samples.query != ListQuery::default() {
                            return self.refilter();
                        }
                    }
                    Err(e) => {
                        samples.data = Loadable::Failed(e.clone());
                        self.fail(e);
                    }
                }
                Command::None
            }
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
                let height = self.list_height();
                if let Some(samples) = self
                    .samples
                    .as_mut()
                    .filter(|s| s.filtering == Some(generation))
                {
                    samples.filtering = None;
                    samples.cursor = Cursor::default().to(0, rows.len(), height);
                    samples.visible = Arc::new(rows);
                    if let Some(freq) = samples.freq.as_mut()
                        && let Loadable::Ready(table) = &samples.data
                    {
                        freq.counts = frequencies(table, &samples.visible, freq.column);
                        freq.cursor = Cursor::default();
                    }
                }
                Command::None
            }
            Message::DiffLoaded { generation, result } => {
                if let Some(diff) = self.diff.as_mut().filter(|d| d.generation == generation) {
                    diff.data = match result {
                        Ok(data) => Loadable::Ready(data),
                        Err(e) => Loadable::Failed(e),
                    };
                    if let Loadable::Failed(e) = &diff.data {
                        let e = e.clone();
                        self.fail(e);
                    }
                }
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
                        Err(text) => self.fail(text),
                    }
                }
                Command::None
            }
            Message::SampleLoaded { generation, result } => {
                if let Some(sample) = self.sample.as_mut().filter(|s| s.generation == generation) {
                    sample.data = match result {
                        Ok(detail) => Loadable::Ready(detail),
                        Err(e) => Loadable::Failed(e),
                    };
                    if let Loadable::Failed(e) = &sample.data {
                        let e = e.clone();
                        self.fail(e);
                    }
                }
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
        let action = action_for(&key, self.scope(), self.screen != Screen::Sample);
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
        if self.screen == Screen::Samples && self.samples.as_ref().is_some_and(|s| s.freq.is_some())
        {
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
            _ => match self.screen {
                Screen::Runs => self.on_runs(action),
                Screen::Results => self.on_results(action),
                Screen::Samples => self.on_samples(action),
                Screen::Sample => self.on_sample(action),
                Screen::Diff | Screen::Flips | Screen::FlipSample => self.on_diff(action),
            },
        }
    }

    fn back(&mut self) {
        self.status = None;
        self.screen = match self.screen {
            Screen::Runs => Screen::Runs,
            Screen::Results => Screen::Runs,
            Screen::Samples => Screen::Results,
            Screen::Sample => Screen::Samples,
            Screen::Diff => Screen::Runs,
            Screen::Flips => Screen::Diff,
            Screen::FlipSample => Screen::Flips,
        };
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

    fn on_runs(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Loadable::Ready(data) = &self.runs.data else {
            return Command::None;
        };
        let len = data.runs.len();
        if let Some(cursor) = Self::list_move(self.runs.cursor, action, len, height) {
            self.runs.cursor = cursor;
            return Command::None;
        }
        let selected = self.runs.cursor.selected;
        match action {
            Action::Mark if len > 0 => {
                if let Some(i) = self.runs.marked.iter().position(|&m| m == selected) {
                    self.runs.marked.remove(i);
                } else {
                    if self.runs.marked.len() == 2 {
                        self.runs.marked.remove(0);
                    }
                    self.runs.marked.push(selected);
                }
                let marked = self.runs.marked.len();
                self.say(format!("{marked} of 2 runs marked for a diff"));
                Command::None
            }
            Action::Open if len > 0 => {
                let run = data.runs[selected].0.clone();
                self.open_run(run)
            }
            Action::Diff if len > 0 => {
                // Two marked runs: A then B. Otherwise the selected run against the previous run
                // of its model (runs are listed newest first).
                let (a, b) = if self.runs.marked.len() == 2 {
                    (
                        data.runs[self.runs.marked[0]].0.clone(),
                        data.runs[self.runs.marked[1]].0.clone(),
                    )
                } else {
                    let run = &data.runs[selected].0;
                    match data
                        .runs
                        .iter()
                        .skip(selected + 1)
                        .find(|(r, _)| r.model == run.model)
                    {
                        Some((previous, _)) => (previous.clone(), run.clone()),
                        None => {
                            self.fail(format!(
                                "{} has no earlier run to compare with; mark two runs with space",
                                run.model
                            ));
                            return Command::None;
                        }
                    }
                };
                let generation = self.generation();
                self.status = None;
                self.screen = Screen::Diff;
                self.diff = Some(DiffState {
                    generation,
                    data: Loadable::Loading,
                    cursor: Cursor::default(),
                    task: None,
                    flip_cursor: Cursor::default(),
                    scroll: 0,
                });
                Command::LoadDiff { generation, a, b }
            }
            _ => Command::None,
        }
    }

    /// Opens the run named by `start_at`, if the runs hold it, with the Runs cursor on it.
    fn open_start_run(&mut self) -> Command {
        let Some((model, date_id)) = self.start_at.take() else {
            return Command::None;
        };
        let Loadable::Ready(data) = &self.runs.data else {
            return Command::None;
        };
        let Some(index) = data
            .runs
            .iter()
            .position(|(run, _)| run.model == model && run.date_id == date_id)
        else {
            self.fail(format!("no run {date_id} of {model} here"));
            return Command::None;
        };
        let run = data.runs[index].0.clone();
        self.runs.cursor.selected = index;
        self.open_run(run)
    }

    fn open_run(&mut self, run: Run) -> Command {
        let generation = self.generation();
        self.status = None;
        self.screen = Screen::Results;
        self.results = Some(ResultsState {
            generation,
            run: run.clone(),
            title: format!("{} @ {}", run.model, run.date_id),
            data: Loadable::Loading,
            cursor: Cursor::default(),
            filter: String::new(),
            sort: ResultsSort::File,
            folded: Vec::new(),
            panel: false,
            visible: Vec::new(),
        });
        Command::LoadResults { generation, run }
    }

    /// Recomputes the Results screen's visible lines after a filter, fold or sort change.
    fn refresh_results(&mut self) {
        let height = self.list_height();
        let Some(results) = self.results.as_mut() else {
            return;
        };
        let Loadable::Ready(data) = &results.data else {
            return;
        };
        let needle = results.filter.to_lowercase();
        let mut visible: Vec<usize> = (0..data.lines.len())
            .filter(|&i| {
                let line = &data.lines[i];
                let folded = results.folded.contains(&line.group) && !line.derived;
                !folded && (needle.is_empty() || line.task.to_lowercase().contains(&needle))
            })
            .collect();
        let key = |i: &usize| &data.lines[*i];
        match results.sort {
            ResultsSort::File => {}
            // Stable, so each task's metrics keep their order.
            ResultsSort::Task => visible.sort_by(|a, b| key(a).task.cmp(&key(b).task)),
            ResultsSort::ValueDesc => {
                visible.sort_by(|a, b| crate::stats::cmp_nan_last(key(a).value, key(b).value, true))
            }
            ResultsSort::ValueAsc => visible
                .sort_by(|a, b| crate::stats::cmp_nan_last(key(a).value, key(b).value, false)),
            ResultsSort::StderrDesc => visible
                .sort_by(|a, b| crate::stats::cmp_nan_last(key(a).stderr, key(b).stderr, true)),
        }
        let selected = results.cursor.selected;
        results.cursor = results.cursor.to(selected, visible.len(), height);
        results.visible = visible;
    }

    fn on_results(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(results) = self.results.as_mut() else {
            return Command::None;
        };
        let Loadable::Ready(data) = &results.data else {
            return Command::None;
        };
        if let Some(cursor) = Self::list_move(results.cursor, action, results.visible.len(), height)
        {
            results.cursor = cursor;
            return Command::None;
        }
        let line = results
            .visible
            .get(results.cursor.selected)
            .map(|&i| data.lines[i].clone());
        match action {
            Action::TogglePanel => results.panel = !results.panel,
            Action::Sort => {
                results.sort = results.sort.next();
                let label = results.sort.label();
                self.refresh_results();
                self.say(format!("sorted by {label}"));
            }
            Action::Fold => {
                if let Some(line) = line {
                    let group = line.group.clone();
                    if let Some(i) = results.folded.iter().position(|g| g == &group) {
                        results.folded.remove(i);
                    } else {
                        results.folded.push(group);
                    }
                    self.refresh_results();
                }
            }
            Action::Filter => {
                let before = results.filter.clone();
                self.input = Some(Input {
                    purpose: InputPurpose::FilterTasks,
                    text: before.clone(),
                    before,
                });
            }
            Action::Open => {
                let Some(line) = line else {
                    return Command::None;
                };
                let Some(task) = task_of(&line) else {
                    self.say(format!(
                        "{} is derived from other rows: it has no samples",
                        line.task
                    ));
                    return Command::None;
                };
                let run = data.run.clone();
                if run.details_path(task).is_none() {
                    self.fail(format!("no details file for {task} in this run"));
                    return Command::None;
                }
                return self.open_samples(run, task.to_owned());
            }
            _ => {}
        }
        Command::None
    }

    fn open_samples(&mut self, run: Run, task: String) -> Command {
        let generation = self.generation();
        self.status = None;
        self.screen = Screen::Samples;
        self.samples = Some(SamplesState {
            generation,
            run: run.clone(),
            task: task.clone(),
            data: Loadable::Loading,
            progress: (0, 0),
            query: ListQuery::default(),
            visible: Arc::new(Vec::new()),
            searching: None,
            filtering: None,
            cursor: Cursor::default(),
            search: String::new(),
            freq: None,
        });
        Command::LoadSamples {
            generation,
            run,
            task,
        }
    }

    /// Starts a filter job for the current list query; the answer replaces `visible`.
    fn refilter(&mut self) -> Command {
        let generation = self.generation();
        let Some(samples) = self.samples.as_mut() else {
            return Command::None;
        };
        let Loadable::Ready(table) = &samples.data else {
            return Command::None;
        };
        samples.filtering = Some(generation);
        Command::FilterRows {
            generation,
            table: Arc::clone(table),
            query: samples.query.clone(),
        }
    }

    fn on_samples(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(samples) = self.samples.as_mut() else {
            return Command::None;
        };
        let Loadable::Ready(table) = &samples.data else {
            return Command::None;
        };
        let table = Arc::clone(table);
        if let Some(cursor) = Self::list_move(samples.cursor, action, samples.visible.len(), height)
        {
            samples.cursor = cursor;
            return Command::None;
        }
        match action {
            Action::Open => {
                let Some(&row) = samples.visible.get(samples.cursor.selected) else {
                    return Command::None;
                };
                let position = samples.cursor.selected;
                return self.open_sample(position, row as usize);
            }
            Action::Search => {
                let before = samples.search.clone();
                self.input = Some(Input {
                    purpose: InputPurpose::Search,
                    text: String::new(),
                    before,
                });
            }
            Action::NextMatch | Action::PrevMatch => {
                let forward = action == Action::NextMatch;
                let needle = samples.search.clone();
                if needle.is_empty() {
                    self.say("no search yet: press / to search");
                } else {
                    return self.find(&needle, forward, true);
                }
            }
            Action::Filter => {
                let before = samples.query.text.clone();
                self.input = Some(Input {
                    purpose: InputPurpose::FilterSamples,
                    text: before.clone(),
                    before,
                });
            }
            Action::WrongOnly => {
                samples.query.wrong_only = !samples.query.wrong_only;
                let on = samples.query.wrong_only;
                self.say(if on {
                    "showing wrong answers only (✗)"
                } else {
                    "showing every answer"
                });
                return self.refilter();
            }
            Action::Sort => {
                let metrics = table.metric_names.len();
                samples.query.sort = match samples.query.sort {
                    _ if metrics == 0 => None,
                    None => Some((0, true)),
                    Some((m, true)) => Some((m, false)),
                    Some((m, false)) if m + 1 < metrics => Some((m + 1, true)),
                    Some((_, false)) => None,
                };
                let text = match samples.query.sort {
                    Some((m, desc)) => format!(
                        "sorted by {} {}",
                        table.metric_names[m],
                        if desc { "↓" } else { "↑" }
                    ),
                    None => "file order".to_owned(),
                };
                self.say(text);
                return self.refilter();
            }
            Action::Frequency => {
                let counts = frequencies(&table, &samples.visible, FreqColumn::Prediction);
                samples.freq = Some(FreqState {
                    column: FreqColumn::Prediction,
                    counts,
                    cursor: Cursor::default(),
                });
            }
            _ => {}
        }
        Command::None
    }

    fn on_freq_action(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(samples) = self.samples.as_mut() else {
            return Command::None;
        };
        let Some(freq) = samples.freq.as_mut() else {
            return Command::None;
        };
        if let Some(cursor) = Self::list_move(freq.cursor, action, freq.counts.len(), height) {
            freq.cursor = cursor;
            return Command::None;
        }
        match action {
            Action::Back | Action::Frequency => samples.freq = None,
            Action::Quit => self.quit = true,
            Action::Help => self.help = true,
            Action::Sort | Action::TogglePanel | Action::Filter => {
                let Loadable::Ready(table) = &samples.data else {
                    return Command::None;
                };
                let column = match freq.column {
                    FreqColumn::Prediction => FreqColumn::Gold,
                    FreqColumn::Gold => FreqColumn::Prediction,
                };
                *freq = FreqState {
                    column,
                    counts: frequencies(table, &samples.visible, column),
                    cursor: Cursor::default(),
                };
            }
            // Enter narrows the list to the chosen value.
            Action::Open => {
                if let Some((value, _)) = freq.counts.get(freq.cursor.selected) {
                    samples.query.text = value.clone();
                    samples.freq = None;
                    let shown = samples.query.text.clone();
                    self.say(format!("filtered on “{shown}”"));
                    return self.refilter();
                }
            }
            _ => {}
        }
        Command::None
    }

    /// Starts a search for the next (or previous) visible row containing `needle`, from the
    /// row after the cursor (or the cursor itself, for incremental search as the user types).
    fn find(&mut self, needle: &str, forward: bool, skip_current: bool) -> Command {
        let generation = self.generation();
        let Some(samples) = self.samples.as_mut() else {
            return Command::None;
        };
        let Loadable::Ready(table) = &samples.data else {
            return Command::None;
        };
        if samples.visible.is_empty() {
            return Command::None;
        }
        samples.searching = Some(generation);
        Command::Search {
            generation,
            table: Arc::clone(table),
            visible: Arc::clone(&samples.visible),
            start: samples.cursor.selected,
            needle: needle.to_lowercase(),
            forward,
            skip_current,
        }
    }

    fn on_search_done(
        &mut self,
        generation: u64,
        needle: String,
        found: Option<usize>,
        wrapped: bool,
    ) {
        let height = self.list_height();
        let Some(samples) = self
            .samples
            .as_mut()
            .filter(|s| s.searching == Some(generation))
        else {
            return;
        };
        samples.searching = None;
        match found {
            Some(position) => {
                samples.cursor = samples.cursor.to(position, samples.visible.len(), height);
                if wrapped {
                    self.say("search wrapped around");
                } else {
                    self.status = None;
                }
            }
            None => self.fail(format!("no match for “{needle}”")),
        }
    }

    fn open_sample(&mut self, position: usize, row: usize) -> Command {
        let Some(samples) = self.samples.as_ref() else {
            return Command::None;
        };
        let Loadable::Ready(table) = &samples.data else {
            return Command::None;
        };
        let path = table.path.clone();
        let generation = self.generation();
        let raw = self.sample.as_ref().is_some_and(|s| s.raw);
        self.screen = Screen::Sample;
        self.sample = Some(SampleState {
            generation,
            position,
            row,
            data: Loadable::Loading,
            scroll: 0,
            raw,
        });
        Command::LoadSample {
            generation,
            path,
            row,
        }
    }

    fn on_sample(&mut self, action: Action) -> Command {
        let Some(sample) = self.sample.as_mut() else {
            return Command::None;
        };
        let page = self.size.1.saturating_sub(LIST_CHROME_ROWS + 1).max(1);
        match action {
            Action::Up => sample.scroll = sample.scroll.saturating_sub(1),
            Action::Down => sample.scroll = sample.scroll.saturating_add(1),
            Action::PageUp => sample.scroll = sample.scroll.saturating_sub(page),
            Action::PageDown => sample.scroll = sample.scroll.saturating_add(page),
            Action::Top => sample.scroll = 0,
            Action::RawJson => {
                sample.raw = !sample.raw;
                sample.scroll = 0;
            }
            Action::PrevSample | Action::NextSample => {
                let Some(samples) = self.samples.as_mut() else {
                    return Command::None;
                };
                let position = sample.position;
                let next = if action == Action::NextSample {
                    position + 1
                } else {
                    position.wrapping_sub(1)
                };
                let Some(&row) = samples.visible.get(next) else {
                    self.say(if action == Action::NextSample {
                        "last sample"
                    } else {
                        "first sample"
                    });
                    return Command::None;
                };
                let height = self.size.1.saturating_sub(LIST_CHROME_ROWS).max(1) as usize;
                samples.cursor = samples.cursor.to(next, samples.visible.len(), height);
                return self.open_sample(next, row as usize);
            }
            _ => {}
        }
        Command::None
    }

    fn on_diff(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let screen = self.screen;
        let Some(diff) = self.diff.as_mut() else {
            return Command::None;
        };
        let Loadable::Ready(data) = &diff.data else {
            return Command::None;
        };
        match screen {
            Screen::Diff => {
                let len = data.report.rows.len();
                if let Some(cursor) = Self::list_move(diff.cursor, action, len, height) {
                    diff.cursor = cursor;
                } else if action == Action::Open
                    && let Some(row) = data.report.rows.get(diff.cursor.selected)
                {
                    match data.flips.iter().position(|(t, _)| *t == row.task) {
                        Some(index) => {
                            diff.task = Some(index);
                            diff.flip_cursor = Cursor::default();
                            self.screen = Screen::Flips;
                        }
                        None => {
                            let task = row.task.clone();
                            self.say(format!("{task}: no per-sample details in both runs"));
                        }
                    }
                }
            }
            Screen::Flips => {
                let len = diff
                    .task
                    .and_then(|t| data.flips.get(t))
                    .map_or(0, |(_, rows)| rows.len());
                if let Some(cursor) = Self::list_move(diff.flip_cursor, action, len, height) {
                    diff.flip_cursor = cursor;
                } else if action == Action::Open && len > 0 {
                    diff.scroll = 0;
                    self.screen = Screen::FlipSample;
                }
            }
            _ => match action {
                Action::Up => diff.scroll = diff.scroll.saturating_sub(1),
                Action::Down => diff.scroll = diff.scroll.saturating_add(1),
                Action::PrevSample | Action::NextSample => {
                    let len = diff
                        .task
                        .and_then(|t| data.flips.get(t))
                        .map_or(0, |(_, rows)| rows.len());
                    let delta = if action == Action::NextSample { 1 } else { -1 };
                    diff.flip_cursor = diff.flip_cursor.moved(delta, len, height);
                    diff.scroll = 0;
                }
                _ => {}
            },
        }
        Command::None
    }

    /// The run `S` and `P` act on: the selected one on the Runs screen, the open one elsewhere.
    fn current_run(&self) -> Option<Run> {
        match self.screen {
            Screen::Runs => match &self.runs.data {
                Loadable::Ready(data) => data
                    .runs
                    .get(self.runs.cursor.selected)
                    .map(|(run, _)| run.clone()),
                _ => None,
            },
            Screen::Results | Screen::Samples | Screen::Sample => {
                self.results.as_ref().map(|r| r.run.clone())
            }
            Screen::Diff | Screen::Flips | Screen::FlipSample => None,
        }
    }

    fn open_dialog(&mut self, action: Action) -> Command {
        if let Some(job) = &self.job {
            let text = format!("{} is still running; wait for it to finish", job.what);
            self.fail(text);
            return Command::None;
        }
        let Some(run) = self.current_run() else {
            self.fail("open or select a run first");
            return Command::None;
        };
        if run.results_path.is_none() {
            self.fail("this run has no results file: only complete runs can be saved or pushed");
            return Command::None;
        }
        self.dialog = Some(match action {
            Action::SaveRun => Dialog::Save(SaveDialog {
                run,
                output_dir: "results".into(),
                error: None,
            }),
            _ => Dialog::Push(PushDialog::new(
                run,
                self.last_org.clone(),
                self.hub.url.clone(),
                self.hub.has_token(),
            )),
        });
        Command::None
    }

    fn on_dialog_key(&mut self, key: KeyEvent) -> Command {
        let Some(dialog) = self.dialog.as_mut() else {
            return Command::None;
        };
        match dialog.on_key(key) {
            Outcome::Stay => Command::None,
            Outcome::Cancel => {
                self.dialog = None;
                Command::None
            }
            Outcome::Save { run, output_dir } => {
                self.dialog = None;
                let generation = self.generation();
                self.job = Some(Job {
                    generation,
                    what: "a save",
                    progress: format!("saving {} @ {} to {output_dir} …", run.model, run.date_id),
                });
                Command::SaveRun {
                    generation,
                    run,
                    output_dir: PathBuf::from(output_dir),
                }
            }
            Outcome::Push { run, org, public } => {
                self.dialog = None;
                self.last_org = org.clone();
                let generation = self.generation();
                self.job = Some(Job {
                    generation,
                    what: "a push",
                    progress: format!("pushing {} @ {} …", run.model, run.date_id),
                });
                Command::PushRun {
                    generation,
                    run,
                    org,
                    public,
                    endpoint: self.hub.clone(),
                }
            }
        }
    }

    fn on_input_key(&mut self, key: KeyEvent) -> Command {
        let Some(mut input) = self.input.take() else {
            return Command::None;
        };
        match key.code {
            KeyCode::Esc => {
                // Put back what was there before.
                self.apply_input(input.purpose, input.before.clone(), false)
            }
            KeyCode::Enter => self.apply_input(input.purpose, input.text, true),
            KeyCode::Backspace => {
                input.text.pop();
                let command = self.preview_input(&input);
                self.input = Some(input);
                command
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .contains(ratatui::crossterm::event::KeyModifiers::CONTROL) =>
            {
                input.text.push(c);
                let command = self.preview_input(&input);
                self.input = Some(input);
                command
            }
            _ => {
                self.input = Some(input);
                Command::None
            }
        }
    }

    /// Applies typed text as it is typed: incremental search and live filters.
    fn preview_input(&mut self, input: &Input) -> Command {
        match input.purpose {
            InputPurpose::Search => {
                if input.text.is_empty() {
                    Command::None
                } else {
                    self.find(&input.text, true, false)
                }
            }
            InputPurpose::FilterSamples => {
                if let Some(samples) = self.samples.as_mut() {
                    samples.query.text = input.text.clone();
                }
                self.refilter()
            }
            InputPurpose::FilterTasks => {
                if let Some(results) = self.results.as_mut() {
                    results.filter = input.text.clone();
                }
                self.refresh_results();
                Command::None
            }
        }
    }

    fn apply_input(&mut self, purpose: InputPurpose, text: String, confirmed: bool) -> Command {
        match purpose {
            InputPurpose::Search => {
                if let Some(samples) = self.samples.as_mut()
                    && (confirmed || !text.is_empty())
                {
                    samples.search = text;
                }
                Command::None
            }
            InputPurpose::FilterSamples => {
                let unchanged = self.samples.as_ref().is_some_and(|s| s.query.text == text);
                if let Some(samples) = self.samples.as_mut() {
                    samples.query.text = text;
                }
                if unchanged {
                    Command::None
                } else {
                    self.refilter()
                }
            }
            InputPurpose::FilterTasks => {
                if let Some(results) = self.results.as_mut() {
                    results.filter = text;
                }
                self.refresh_results();
                Command::None
            }
        }
    }

    /// Keeps every cursor inside its viewport after a resize.
    fn rescroll(&mut self) {
        let height = self.list_height();
        if let Loadable::Ready(data) = &self.runs.data {
            self.runs.cursor = self.runs.cursor.scrolled(data.runs.len(), height);
        }
        if let Some(results) = self.results.as_mut() {
            results.cursor = results.cursor.scrolled(results.visible.len(), height);
        }
        if let Some(samples) = self.samples.as_mut() {
            samples.cursor = samples.cursor.scrolled(samples.visible.len(), height);
            if let Some(freq) = samples.freq.as_mut() {
                freq.cursor = freq.cursor.scrolled(freq.counts.len(), height);
            }
        }
        if let Some(diff) = self.diff.as_mut()
            && let Loadable::Ready(data) = &diff.data
        {
            diff.cursor = diff.cursor.scrolled(data.report.rows.len(), height);
            let flips = diff
                .task
                .and_then(|t| data.flips.get(t))
                .map_or(0, |(_, rows)| rows.len());
            diff.flip_cursor = diff.flip_cursor.scrolled(flips, height);
        }
    }
}
