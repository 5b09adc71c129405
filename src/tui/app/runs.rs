//! The Runs screen: moving, marking, and opening a run.

use super::*;
use crate::tui::data::JobError;

impl App {
    pub(super) fn on_runs(&mut self, action: Action) -> Command {
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
                    self.runs.marked.push(selected);
                }
                let marked = self.runs.marked.len();
                self.say(match marked {
                    2 => "2 runs marked: d diffs them, c compares them".to_owned(),
                    n => format!("{n} runs marked: d diffs the first two, c compares them all"),
                });
                Command::None
            }
            Action::Compare if len > 1 => {
                // The marked runs in the order marked, or every run, oldest first.
                let runs: Vec<Run> = if self.runs.marked.len() >= 2 {
                    self.runs
                        .marked
                        .iter()
                        .map(|&i| data.runs[i].0.clone())
                        .collect()
                } else {
                    data.runs.iter().rev().map(|(run, _)| run.clone()).collect()
                };
                self.open_compare(runs, 0)
            }
            Action::Open if len > 0 => {
                let run = data.runs[selected].0.clone();
                self.open_run(run)
            }
            Action::Diff if len > 0 => {
                // Two marked runs: A then B. Otherwise the selected run against the previous run
                // of its model (runs are listed newest first).
                let (a, b) = if self.runs.marked.len() >= 2 {
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
                self.start_diff(a, b, None)
            }
            _ => Command::None,
        }
    }

    /// Opens the Diff screen of B against A; `from_compare` names the Compare screen's row it
    /// came from (the cursor starts there, and Esc goes back).
    pub(super) fn start_diff(
        &mut self,
        a: Run,
        b: Run,
        from_compare: Option<(String, String)>,
    ) -> Command {
        let generation = self.generation();
        self.status = None;
        self.open(Layer::Diff(DiffState {
            generation,
            from_compare,
            data: Loadable::Loading,
            cursor: Cursor::default(),
            task: None,
            flip_cursor: Cursor::default(),
            scroll: 0,
        }));
        Command::LoadDiff { generation, a, b }
    }

    /// Opens the run named by `start_at`, if the runs hold it, with the Runs cursor on it.
    pub(super) fn open_start_run(&mut self) -> Command {
        let Some(StartAt { model, date_id }) = self.start_at.take() else {
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

    pub(super) fn open_run(&mut self, run: Run) -> Command {
        let generation = self.generation();
        self.status = None;
        self.open(Layer::Results(ResultsState {
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
        }));
        Command::LoadResults { generation, run }
    }

    pub(super) fn on_runs_loaded(&mut self, result: Result<RunsData, JobError>) -> Command {
        // Once listed, the runs are only ever re-read: the place on screen is kept.
        if self.refreshing.is_some() || matches!(self.runs.data, Loadable::Ready(_)) {
            let paths = self.refreshing.take().unwrap_or_default();
            return self.on_runs_refreshed(result, paths);
        }
        self.runs.data = match result {
            Ok(data) => Loadable::Ready(data),
            Err(e) => {
                self.fail(e.to_string());
                Loadable::Failed(e.to_string())
            }
        };
        self.open_start_run()
    }
}
