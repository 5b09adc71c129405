//! Every key binding, in one table: `update` dispatches through it and the help overlay is
//! generated from it, so the two cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    List,
    Runs,
    Results,
    Samples,
    Sample,
    /// The Sample screen's transcript and events (the side-by-side views share the Sample
    /// screen's other keys, not these).
    Transcript,
    Diff,
    Compare,
    Agreement,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::List => "Lists",
            Scope::Runs => "Runs",
            Scope::Results => "Results",
            Scope::Samples => "Samples",
            Scope::Sample => "Sample",
            Scope::Transcript => "Sample: transcript and events",
            Scope::Diff => "Diff",
            Scope::Compare => "Compare",
            Scope::Agreement => "Agreement",
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Back,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Mark,
    TogglePanel,
    Fold,
    Filter,
    Search,
    NextMatch,
    PrevMatch,
    Sort,
    WrongOnly,
    Frequency,
    PrevSample,
    NextSample,
    RawJson,
    Transcript,
    Events,
    Diff,
    Compare,
    Left,
    Right,
    Baseline,
    Agreement,
    ClusterBy,
    ShowAll,
    HardForAll,
    OnlyBaselineRight,
    Disagree,
    Flips,
    SaveRun,
    PushRun,
}

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [KeyCode],
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
}

use KeyCode::*;

pub const BINDINGS: &[Binding] = &[
    Binding {
        scope: Scope::Global,
        keys: &[Char('q')],
        label: "q",
        action: Action::Quit,
        help: "quit (Esc first closes an overlay)",
    },
    Binding {
        scope: Scope::Global,
        keys: &[Esc, Backspace],
        label: "Esc",
        action: Action::Back,
        help: "back / close",
    },
    Binding {
        scope: Scope::Global,
        keys: &[Char('?')],
        label: "?",
        action: Action::Help,
        help: "this help",
    },
    Binding {
        scope: Scope::Global,
        keys: &[Char('S')],
        label: "S",
        action: Action::SaveRun,
        help: "save: the current run into a folder, in lighteval's layout",
    },
    Binding {
        scope: Scope::Global,
        keys: &[Char('P')],
        label: "P",
        action: Action::PushRun,
        help: "push: the current run to the Hugging Face Hub",
    },
    Binding {
        scope: Scope::List,
        keys: &[Up, Char('k')],
        label: "↑ k",
        action: Action::Up,
        help: "up",
    },
    Binding {
        scope: Scope::List,
        keys: &[Down, Char('j')],
        label: "↓ j",
        action: Action::Down,
        help: "down",
    },
    Binding {
        scope: Scope::List,
        keys: &[PageUp],
        label: "PgUp",
        action: Action::PageUp,
        help: "page up",
    },
    Binding {
        scope: Scope::List,
        keys: &[PageDown, Char(' ')],
        label: "PgDn",
        action: Action::PageDown,
        help: "page down",
    },
    Binding {
        scope: Scope::List,
        keys: &[Home, Char('g')],
        label: "g",
        action: Action::Top,
        help: "first row",
    },
    Binding {
        scope: Scope::List,
        keys: &[End, Char('G')],
        label: "G",
        action: Action::Bottom,
        help: "last row",
    },
    Binding {
        scope: Scope::List,
        keys: &[Enter],
        label: "Enter",
        action: Action::Open,
        help: "open",
    },
    Binding {
        scope: Scope::Runs,
        keys: &[Char(' '), Char('m')],
        label: "space",
        action: Action::Mark,
        help: "mark / unmark: the first two for a diff (A, then B), all for a compare",
    },
    Binding {
        scope: Scope::Runs,
        keys: &[Char('d')],
        label: "d",
        action: Action::Diff,
        help: "diff: the two marked runs, or this run against its model's previous run",
    },
    Binding {
        scope: Scope::Runs,
        keys: &[Char('c')],
        label: "c",
        action: Action::Compare,
        help: "compare: the marked runs (every run when none is) side by side, against the first",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Left, Char('h')],
        label: "← h",
        action: Action::Left,
        help: "the run's column to the left (left of the first: the task, whose Enter opens its grid)",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Right, Char('l')],
        label: "→ l",
        action: Action::Right,
        help: "the run's column to the right",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Char('b')],
        label: "b",
        action: Action::Baseline,
        help: "baseline: the column under the cursor (the tests run again)",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Char('s')],
        label: "s",
        action: Action::Sort,
        help: "sort rows by the Δ of the column under the cursor (largest drop first; again: off)",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Char('f')],
        label: "f",
        action: Action::Filter,
        help: "filter tasks by name",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Enter],
        label: "Enter",
        action: Action::Open,
        help: "diff: this column's run against the baseline, at this task (on the task: agreement)",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Char('k')],
        label: "k",
        action: Action::ClusterBy,
        help: "cluster: standard errors by a sample field (metadata.category, doc.subject)",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[Char('a')],
        label: "a",
        action: Action::Agreement,
        help: "agreement: this task's samples across the runs, ✓ ✗ ~ each",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Char('1')],
        label: "1",
        action: Action::ShowAll,
        help: "every sample",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Char('2')],
        label: "2",
        action: Action::HardForAll,
        help: "hard for all: wrong in every run",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Char('3')],
        label: "3",
        action: Action::OnlyBaselineRight,
        help: "only the baseline right",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Char('4')],
        label: "4",
        action: Action::Disagree,
        help: "the runs disagree",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Char('5')],
        label: "5",
        action: Action::Flips,
        help: "flips between the baseline and the column under the cursor",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Left, Char('h')],
        label: "← h",
        action: Action::Left,
        help: "the run's column to the left",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Right, Char('l')],
        label: "→ l",
        action: Action::Right,
        help: "the run's column to the right",
    },
    Binding {
        scope: Scope::Agreement,
        keys: &[Enter],
        label: "Enter",
        action: Action::Open,
        help: "the sample with every run's answer side by side",
    },
    Binding {
        scope: Scope::Diff,
        keys: &[Enter],
        label: "Enter",
        action: Action::Open,
        help: "a row's flipped samples; a flip side by side",
    },
    Binding {
        scope: Scope::Results,
        keys: &[Tab],
        label: "Tab",
        action: Action::TogglePanel,
        help: "config panel: general, task, hashes",
    },
    Binding {
        scope: Scope::Results,
        keys: &[Char('z')],
        label: "z",
        action: Action::Fold,
        help: "fold / unfold the suite",
    },
    Binding {
        scope: Scope::Results,
        keys: &[Char('f')],
        label: "f",
        action: Action::Filter,
        help: "filter tasks by name",
    },
    Binding {
        scope: Scope::Results,
        keys: &[Char('s')],
        label: "s",
        action: Action::Sort,
        help: "sort: file order, task, value ↓, value ↑, stderr ↓",
    },
    Binding {
        scope: Scope::Results,
        keys: &[Char('k')],
        label: "k",
        action: Action::ClusterBy,
        help: "cluster: standard errors by a sample field (doc.specific.category, metadata.subject)",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('/')],
        label: "/",
        action: Action::Search,
        help: "search (incremental)",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('n')],
        label: "n",
        action: Action::NextMatch,
        help: "next match",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('N')],
        label: "N",
        action: Action::PrevMatch,
        help: "previous match",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('f')],
        label: "f",
        action: Action::Filter,
        help: "filter rows by text",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('w')],
        label: "w",
        action: Action::WrongOnly,
        help: "wrong answers only",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('s')],
        label: "s",
        action: Action::Sort,
        help: "sort by the next metric (↓, ↑, off)",
    },
    Binding {
        scope: Scope::Samples,
        keys: &[Char('F')],
        label: "F",
        action: Action::Frequency,
        help: "frequency of predictions / golds",
    },
    Binding {
        scope: Scope::Sample,
        keys: &[Char('[')],
        label: "[",
        action: Action::PrevSample,
        help: "previous sample",
    },
    Binding {
        scope: Scope::Sample,
        keys: &[Char(']')],
        label: "]",
        action: Action::NextSample,
        help: "next sample",
    },
    Binding {
        scope: Scope::Sample,
        keys: &[Char('r')],
        label: "r",
        action: Action::RawJson,
        help: "raw JSON of the row",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Char('t')],
        label: "t",
        action: Action::Transcript,
        help: "transcript: messages, tool calls and their results",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Char('e')],
        label: "e",
        action: Action::Events,
        help: "events: model calls, tools, spans, limits, with times and tokens",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Char('n')],
        label: "n",
        action: Action::NextMatch,
        help: "next turn (transcript, events)",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Char('N')],
        label: "N",
        action: Action::PrevMatch,
        help: "previous turn",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Enter],
        label: "Enter",
        action: Action::Open,
        help: "unfold / fold: long contents, reasoning, the system prompt; each model call's input and output",
    },
    Binding {
        scope: Scope::Transcript,
        keys: &[Char('/')],
        label: "/",
        action: Action::Search,
        help: "find in the transcript or events",
    },
];

/// The action of `key` in `scope` (falling back to list keys where the screen is a list, and
/// to global keys).
pub fn action_for(key: &KeyEvent, scope: Scope, is_list: bool) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            Char('c') => Some(Action::Quit),
            Char('d') => Some(Action::PageDown),
            Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    let find = |s: Scope| {
        BINDINGS
            .iter()
            .find(|b| b.scope == s && b.keys.contains(&key.code))
            .map(|b| b.action)
    };
    // The Diff screens are lists, and their side-by-side view steps like the Sample screen;
    // the Sample screen's transcript keys come on top of its own.
    let sample_keys = || {
        if matches!(scope, Scope::Diff | Scope::Transcript) {
            find(Scope::Sample)
        } else {
            None
        }
    };
    find(scope)
        .or_else(sample_keys)
        .or_else(|| {
            if is_list
                || matches!(
                    scope,
                    Scope::Sample
                        | Scope::Transcript
                        | Scope::Diff
                        | Scope::Compare
                        | Scope::Agreement
                )
            {
                find(Scope::List)
            } else {
                None
            }
        })
        .or_else(|| find(Scope::Global))
}
