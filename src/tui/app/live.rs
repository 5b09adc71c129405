//! A watched source: files that change re-read the runs, keeping the user's place (the cursor
//! and marks follow their runs), and the Results screen of a run whose files changed reloads.
//! A file seen changing that reads as incomplete is being written: `writing…`, not an error.

use crate::tui::data::JobError;
use std::path::Path;

use super::*;

impl App {
    pub(super) fn on_source_changed(&mut self, paths: Vec<PathBuf>, at: Instant) -> Command {
        self.forget_changes_before(at);
        for path in &paths {
            self.changed.retain(|(p, _)| p != path);
            self.changed.push((path.clone(), at));
        }
        // A refresh already under way re-reads these too: the newer request replaces it.
        let mut pending = self.refreshing.take().unwrap_or_default();
        pending.extend(paths);
        self.refreshing = Some(pending);
        Command::LoadRuns {
            source: self.source.clone(),
            hub: self.hub.clone(),
            being_written: self.changed.iter().map(|(p, _)| p.clone()).collect(),
        }
    }

    /// Files that stopped changing [`WRITING_WINDOW`] ago are no longer being written: if any
    /// was, the runs are read again, and what still reads as incomplete is now reported broken.
    pub(super) fn on_tick(&mut self, at: Instant) -> Command {
        if !self.forget_changes_before(at) {
            return Command::None;
        }
        self.on_source_changed(Vec::new(), at)
    }

    /// Forgets the changes seen [`WRITING_WINDOW`] before `at`; whether there were any.
    fn forget_changes_before(&mut self, at: Instant) -> bool {
        let before = self.changed.len();
        self.changed
            .retain(|(_, seen)| at.saturating_duration_since(*seen) < WRITING_WINDOW);
        self.changed.len() != before
    }

    /// Whether `path` is among the files seen changing moments ago (paths as the watcher and
    /// discovery give them: one may be relative, the other not).
    pub(super) fn being_written(&self, path: &Path) -> bool {
        self.changed
            .iter()
            .any(|(changed, _)| crate::source::touches(changed, path))
    }

    /// The runs re-read after a change: the cursor and marks stay on their runs, and the
    /// Results screen reloads if its run's files changed.
    pub(super) fn on_runs_refreshed(
        &mut self,
        result: Result<RunsData, JobError>,
        paths: Vec<PathBuf>,
    ) -> Command {
        let fresh = match result {
            Ok(fresh) => fresh,
            // The old listing stays: a folder mid-rename is not a reason to lose it.
            Err(e) => {
                self.fail(format!("could not re-read the source: {e}"));
                return Command::None;
            }
        };
        let height = self.list_height();
        // The folder had no run yet: its error goes with it.
        if matches!(self.runs.data, Loadable::Failed(_)) {
            self.status = None;
        }
        if let Loadable::Ready(old) = &self.runs.data {
            let find = |run: &Run| fresh.runs.iter().position(|(r, _)| same_run(r, run));
            let selected = old
                .runs
                .get(self.runs.cursor.selected)
                .and_then(|(run, _)| find(run));
            self.runs.marked = self
                .runs
                .marked
                .iter()
                .filter_map(|&i| old.runs.get(i).and_then(|(run, _)| find(run)))
                .collect();
            self.runs.cursor = self
                .runs
                .cursor
                .to(selected.unwrap_or(0), fresh.runs.len(), height);
        }
        self.runs.data = Loadable::Ready(fresh);
        // The first listing was overtaken by a change: the run named on the command line opens now.
        if self.start_at.is_some() {
            return self.open_start_run();
        }
        self.reload_changed_results(&paths)
    }

    /// Reloads the Results screen when its run's results changed (or appeared, or were being
    /// written), keeping its cursor, filter, sort and folds.
    fn reload_changed_results(&mut self, paths: &[PathBuf]) -> Command {
        let Loadable::Ready(runs) = &self.runs.data else {
            return Command::None;
        };
        let Some(results) = self.results() else {
            return Command::None;
        };
        let Some((run, _)) = runs.runs.iter().find(|(r, _)| same_run(r, &results.run)) else {
            return Command::None;
        };
        let touched = |file: &Path| {
            paths
                .iter()
                .any(|changed| crate::source::touches(changed, file))
        };
        let results_changed = run.results_path != results.run.results_path
            || run.results_path.as_deref().is_some_and(touched)
            || run.details.iter().any(|(_, path)| touched(path))
            || !matches!(results.data, Loadable::Ready(_));
        if !results_changed {
            return Command::None;
        }
        let run = run.clone();
        let generation = self.generation();
        let Some(results) = self.results_mut() else {
            return Command::None;
        };
        results.generation = generation;
        results.run = run.clone();
        Command::LoadResults { generation, run }
    }
}

/// The same run, re-read: one model's run at one time, of one harness.
fn same_run(a: &Run, b: &Run) -> bool {
    a.model == b.model && a.date_id == b.date_id && a.harness == b.harness
}
