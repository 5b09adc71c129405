//! The Results screen: the visible lines (filter, fold, sort) and its keys.

use super::*;
use crate::tui::data::JobError;

impl App {
    /// Recomputes the Results screen's visible lines after a filter, fold or sort change.
    pub(super) fn refresh_results(&mut self) {
        let height = self.list_height();
        let Some(results) = self.results_mut() else {
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
                !folded
                    && (needle.is_empty()
                        || line.task.to_lowercase().contains(&needle)
                        || line.label.to_lowercase().contains(&needle))
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

    pub(super) fn on_results(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(results) = self.results_mut() else {
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
                // A top-level lm-eval task belongs to no group: nothing to fold.
                if let Some(line) = line.filter(|l| !l.group.is_empty()) {
                    let group = line.group.clone();
                    if let Some(i) = results.folded.iter().position(|g| g == &group) {
                        results.folded.remove(i);
                    } else {
                        results.folded.push(group);
                    }
                    self.refresh_results();
                }
            }
            Action::ClusterBy => {
                let current = data
                    .clustering
                    .as_ref()
                    .map(|c| c.path.clone())
                    .unwrap_or_default();
                self.input = Some(Input {
                    purpose: InputPurpose::ClusterBy,
                    text: current.clone(),
                    before: current,
                });
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

    pub(super) fn on_results_loaded(
        &mut self,
        generation: u64,
        result: Result<ResultsData, JobError>,
    ) {
        // Seen changing moments ago, a results file that reads as incomplete is being written:
        // it is read again when it changes.
        let writing = self
            .results()
            .and_then(|r| r.run.results_path.as_deref())
            .is_some_and(|p| self.being_written(p));
        let Some(results) = self.results_mut().filter(|r| r.generation == generation) else {
            return;
        };
        match result {
            Ok(data) => {
                results.data = Loadable::Ready(data);
                self.refresh_results();
            }
            Err(e) if writing => results.data = Loadable::Writing(e.to_string()),
            Err(e) => {
                results.data = Loadable::Failed(e.to_string());
                self.fail(e.to_string());
            }
        }
    }

    /// evaldeck's corpus scores join the lines of the results they were computed for.
    pub(super) fn on_corpus_scores(
        &mut self,
        generation: u64,
        scores: &[crate::tracker::CorpusScore],
    ) {
        let ready = self.results_mut().filter(|r| r.generation == generation);
        if let Some(ResultsState {
            data: Loadable::Ready(data),
            ..
        }) = ready
        {
            data.add_corpus_scores(scores);
            self.refresh_results();
        }
    }

    /// Clusters the Results screen's standard errors by `path`, read from the run's samples in
    /// the background; an empty path returns them to the stored ones.
    pub(super) fn recluster_results(&mut self, path: String) -> Command {
        let path = path.trim().to_owned();
        let Some(ResultsState {
            data: Loadable::Ready(data),
            generation,
            ..
        }) = self.results_mut()
        else {
            return Command::None;
        };
        let current = data.clustering.as_ref().map(|c| c.path.as_str());
        if current == Some(path.as_str()) || (current.is_none() && path.is_empty()) {
            return Command::None;
        }
        if path.is_empty() {
            data.set_clustering(None);
            self.say("standard errors as stored");
            return Command::None;
        }
        let command = Command::LoadClustered {
            generation: *generation,
            run: data.run.clone(),
            path: path.clone(),
        };
        self.say(format!("clustering standard errors by {path} …"));
        command
    }

    pub(super) fn on_clustered(
        &mut self,
        generation: u64,
        path: String,
        result: Result<(Vec<crate::analysis::ClusteredStderr>, Vec<String>), JobError>,
    ) {
        let Some(ResultsState {
            data: Loadable::Ready(data),
            ..
        }) = self.results_mut().filter(|r| r.generation == generation)
        else {
            return;
        };
        let (stderrs, warnings) = match result {
            Ok(found) => found,
            Err(e) => return self.fail(e.to_string()),
        };
        if stderrs.is_empty() {
            return self.fail(format!(
                "no task's samples have `{path}`: standard errors as stored"
            ));
        }
        let tasks = stderrs
            .iter()
            .map(|c| c.task.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        data.set_clustering(Some(crate::tui::data::Clustering {
            path: path.clone(),
            stderrs,
        }));
        let left_out = match warnings.len() {
            0 => String::new(),
            n => format!("; {n} left out (`evaldeck show --cluster-by` lists them)"),
        };
        let tasks = match tasks {
            1 => "1 task".to_owned(),
            n => format!("{n} tasks"),
        };
        self.say(format!(
            "standard errors clustered by {path} in {tasks}, marked c{left_out}"
        ));
    }
}
