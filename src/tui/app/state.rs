//! The state of each screen and overlay, as `App` holds it.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Runs,
    Results,
    Samples,
    Sample,
    Diff,
    Flips,
    FlipSample,
    Compare,
    Agreement,
    AgreementSample,
}

/// Something that arrives from the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Failed(String),
    /// A file of a watched source that reads as incomplete while it is being written: shown as
    /// `writing…` (with what reading it said), and loaded again when it changes.
    Writing(String),
    Ready(T),
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
    pub(super) fn next(self) -> Self {
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
    /// Opened from the Compare screen (Esc goes back there), at this task and metric.
    pub from_compare: Option<(String, String)>,
    pub data: Loadable<crate::tui::data::DiffData>,
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
    /// The first line shown (transcripts run past 65,535 lines).
    pub scroll: usize,
    pub raw: bool,
    /// Which view of the sample shows: its fields, its transcript or its events.
    pub view: SampleView,
    /// Folded blocks of the transcript shown whole (`Enter`).
    pub unfolded: bool,
    /// The transcript or events view laid out at the screen's width.
    pub layout: Option<Arc<crate::tui::data::TranscriptLayout>>,
    /// Where a search in the transcript started (`/`), to go back on `Esc`.
    pub search_from: usize,
}

/// The Sample screen's views (`t`, `e`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SampleView {
    #[default]
    Details,
    Transcript,
    Events,
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
    /// The sample field the Compare screen clusters standard errors by.
    ClusterBy,
    /// Text to find in the Sample screen's transcript or events.
    FindInTranscript,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The Compare screen: many runs side by side against a baseline.
#[derive(Debug, Clone)]
pub struct CompareState {
    pub generation: u64,
    /// The runs, in column order.
    pub runs: Vec<crate::store::Run>,
    pub baseline: usize,
    pub data: Loadable<crate::compare::Comparison>,
    /// Over the visible rows.
    pub cursor: Cursor,
    /// The run's column under the cursor; the view scrolls sideways to keep it on screen, the
    /// task and metric columns pinned.
    pub column: usize,
    /// The cursor is on the pinned task column (left of the first run): `Enter` there opens the
    /// task's agreement grid, as `Enter` on a run's cell opens its Diff.
    pub on_task: bool,
    pub filter: String,
    /// Rows sorted by the Δ of this column, largest drop first.
    pub sort_by: Option<usize>,
    /// Indices into the comparison's rows, filtered and sorted.
    pub visible: Vec<usize>,
    /// The tests against the baseline have filled the cells in (the values come first).
    pub tested: bool,
    /// Standard errors (and the Δ's) clustered by this sample field.
    pub cluster_by: Option<String>,
}

/// The agreement grid: one task's samples across the Compare screen's runs.
#[derive(Debug, Clone)]
pub struct AgreementState {
    pub generation: u64,
    pub data: Loadable<crate::compare::Agreement>,
    pub filter: crate::compare::AgreementFilter,
    /// Indices into the grid's rows that pass the filter.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    /// The run's column under the cursor (the other side of a flip filter).
    pub column: usize,
    /// Scroll of the side-by-side view.
    pub scroll: u16,
}
