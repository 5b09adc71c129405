//! The Compare screen: a matrix of runs against a baseline, scrolled both ways, with the task
//! column pinned; `b` picks the baseline, `s` sorts by a column's Δ, `f` filters tasks, `Enter`
//! on a run's cell opens its Diff against the baseline, and on the task (or `a` anywhere) the
//! task's agreement grid.

use super::*;
use crate::tui::data::JobError;

impl App {
    pub(super) fn open_compare(&mut self, runs: Vec<Run>, baseline: usize) -> Command {
        let generation = self.generation();
        self.status = None;
        let (filter, sort_by, column, cluster_by) = match self.compare() {
            // A new baseline or clustering keeps the rows' filter and the cursor's column.
            Some(old) if old.runs == runs => (
                old.filter.clone(),
                old.sort_by,
                old.column,
                old.cluster_by.clone(),
            ),
            _ => (String::new(), None, baseline, None),
        };
        self.open(Layer::Compare(CompareState {
            generation,
            runs: runs.clone(),
            baseline,
            data: Loadable::Loading,
            cursor: Cursor::default(),
            column,
            on_task: false,
            filter,
            sort_by,
            visible: Vec::new(),
            tested: false,
            cluster_by: cluster_by.clone(),
        }));
        Command::LoadCompare {
            generation,
            runs,
            baseline,
            cluster_by,
        }
    }

    /// Clusters the comparison's standard errors by `path` (none when empty), testing again.
    pub(super) fn recluster(&mut self, path: String) -> Command {
        let Some(compare) = self.compare_mut() else {
            return Command::None;
        };
        let path = Some(path.trim().to_owned()).filter(|p| !p.is_empty());
        if compare.cluster_by == path {
            return Command::None;
        }
        compare.cluster_by = path.clone();
        let (runs, baseline) = (compare.runs.clone(), compare.baseline);
        let command = self.open_compare(runs, baseline);
        match path {
            Some(path) => self.say(format!("clustering standard errors by {path} …")),
            None => self.say("standard errors no longer clustered"),
        }
        command
    }

    pub(super) fn on_compare_loaded(
        &mut self,
        generation: u64,
        result: Result<crate::compare::Comparison, JobError>,
    ) {
        let Some(compare) = self.compare_mut().filter(|c| c.generation == generation) else {
            return;
        };
        compare.data = match result {
            Ok(data) => Loadable::Ready(data),
            Err(e) => Loadable::Failed(e.to_string()),
        };
        match &compare.data {
            Loadable::Failed(e) => {
                let e = e.clone();
                self.fail(e);
            }
            _ => self.refresh_compare_rows(),
        }
    }

    pub(super) fn on_compare_tested(
        &mut self,
        generation: u64,
        comparison: crate::compare::Comparison,
    ) {
        let Some(compare) = self.compare_mut().filter(|c| c.generation == generation) else {
            return;
        };
        let warnings = comparison.warnings.len();
        compare.data = Loadable::Ready(comparison);
        compare.tested = true;
        self.refresh_compare_rows();
        // Runs that could not be tested, or pair nothing, are said in the warnings: count them
        // here (the CLI prints each).
        match warnings {
            0 if self.status.as_ref().is_some_and(|s| !s.error) => self.status = None,
            0 => {}
            n => self.say(format!("⚠ {n} warnings: `evaldeck compare` lists them")),
        }
    }

    /// The rows shown: those whose task matches the filter, sorted by the chosen column's Δ.
    pub(super) fn refresh_compare_rows(&mut self) {
        let height = self.list_height();
        let Some(compare) = self.compare_mut() else {
            return;
        };
        let Loadable::Ready(data) = &compare.data else {
            return;
        };
        let needle = compare.filter.to_lowercase();
        let mut visible: Vec<usize> = (0..data.rows.len())
            .filter(|&i| needle.is_empty() || data.rows[i].task.to_lowercase().contains(&needle))
            .collect();
        if let Some(column) = compare.sort_by {
            let delta = |i: &usize| {
                data.rows[*i].cells[column]
                    .against_baseline
                    .as_ref()
                    .and_then(|a| a.delta)
                    .filter(|d| !d.is_nan())
            };
            // Largest drop first; rows without a Δ last.
            visible.sort_by(|a, b| match (delta(a), delta(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        compare.cursor = compare.cursor.scrolled(visible.len(), height);
        compare.visible = visible;
    }

    pub(super) fn on_compare(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(compare) = self.compare_mut() else {
            return Command::None;
        };
        let Loadable::Ready(data) = &compare.data else {
            return Command::None;
        };
        let columns = data.columns.len();
        if let Some(cursor) = Self::list_move(compare.cursor, action, compare.visible.len(), height)
        {
            compare.cursor = cursor;
            return Command::None;
        }
        match action {
            // Left of the first run is the task column.
            Action::Left if compare.column == 0 => {
                compare.on_task = true;
                Command::None
            }
            Action::Left => {
                compare.column -= 1;
                Command::None
            }
            Action::Right if compare.on_task => {
                compare.on_task = false;
                Command::None
            }
            Action::Right => {
                compare.column = (compare.column + 1).min(columns.saturating_sub(1));
                Command::None
            }
            Action::Baseline => {
                if compare.column == compare.baseline {
                    return Command::None;
                }
                let (runs, baseline) = (compare.runs.clone(), compare.column);
                let command = self.open_compare(runs, baseline);
                self.say("testing every column against the new baseline …");
                command
            }
            Action::Sort => {
                compare.sort_by = match compare.sort_by {
                    Some(c) if c == compare.column => None,
                    _ if compare.column == compare.baseline => None,
                    _ => Some(compare.column),
                };
                let sorted = compare.sort_by.is_some();
                self.refresh_compare_rows();
                if sorted {
                    self.say("rows sorted by this column's Δ, largest drop first");
                }
                Command::None
            }
            Action::Filter => {
                self.input = Some(Input {
                    purpose: InputPurpose::FilterTasks,
                    text: compare.filter.clone(),
                    before: compare.filter.clone(),
                });
                Command::None
            }
            Action::ClusterBy => {
                let current = compare.cluster_by.clone().unwrap_or_default();
                self.input = Some(Input {
                    purpose: InputPurpose::ClusterBy,
                    text: current.clone(),
                    before: current,
                });
                Command::None
            }
            Action::Agreement => {
                let Some(&index) = compare.visible.get(compare.cursor.selected) else {
                    return Command::None;
                };
                let task = data.rows[index].task.clone();
                if data.rows[index].derived {
                    self.say(format!(
                        "{task} is derived from other rows: it has no samples"
                    ));
                    return Command::None;
                }
                let (runs, baseline) = (compare.runs.clone(), compare.baseline);
                let generation = self.generation();
                self.status = None;
                self.open(Layer::Agreement(AgreementState {
                    generation,
                    data: Loadable::Loading,
                    filter: crate::compare::AgreementFilter::All,
                    visible: Vec::new(),
                    cursor: Cursor::default(),
                    column: baseline,
                    scroll: 0,
                }));
                Command::LoadAgreement {
                    generation,
                    runs,
                    baseline,
                    task,
                }
            }
            Action::Open if compare.on_task => self.on_compare(Action::Agreement),
            Action::Open => {
                let Some(&index) = compare.visible.get(compare.cursor.selected) else {
                    return Command::None;
                };
                if compare.column == compare.baseline {
                    self.say("this is the baseline; choose another run's column with ← →");
                    return Command::None;
                }
                let row = &data.rows[index];
                let focus = (row.task.clone(), row.metric.clone());
                let (a, b) = (
                    compare.runs[compare.baseline].clone(),
                    compare.runs[compare.column].clone(),
                );
                self.start_diff(a, b, Some(focus))
            }
            _ => Command::None,
        }
    }
}

impl App {
    pub(super) fn on_agreement_loaded(
        &mut self,
        generation: u64,
        result: Result<crate::compare::Agreement, JobError>,
    ) {
        let Some(agreement) = self.agreement_mut().filter(|a| a.generation == generation) else {
            return;
        };
        agreement.data = match result {
            Ok(data) => Loadable::Ready(data),
            Err(e) => Loadable::Failed(e.to_string()),
        };
        if let Loadable::Failed(e) = &agreement.data {
            let e = e.clone();
            self.fail(e);
        } else {
            self.refilter_agreement();
        }
    }

    /// The grid's predictions arrived: the same rows, so the filter and cursor stay.
    pub(super) fn on_agreement_predictions(
        &mut self,
        generation: u64,
        result: Result<crate::compare::Agreement, JobError>,
    ) {
        let Some(agreement) = self
            .agreement_mut()
            .filter(|a| a.generation == generation && matches!(a.data, Loadable::Ready(_)))
        else {
            return;
        };
        match result {
            Ok(grid) => agreement.data = Loadable::Ready(grid),
            Err(e) => self.fail(format!(
                "the other runs' predictions could not be read: {e}"
            )),
        }
    }

    fn refilter_agreement(&mut self) {
        let height = self.list_height();
        let Some(agreement) = self.agreement_mut() else {
            return;
        };
        let Loadable::Ready(data) = &agreement.data else {
            return;
        };
        agreement.visible = (0..data.rows.len())
            .filter(|&i| data.matches(&data.rows[i], agreement.filter))
            .collect();
        agreement.cursor = agreement.cursor.to(0, agreement.visible.len(), height);
        let (shown, total) = (agreement.visible.len(), data.rows.len());
        let label = agreement.filter.label();
        self.say(format!("{label}: {shown} of {total} samples"));
    }

    pub(super) fn on_agreement(&mut self, action: Action) -> Command {
        use crate::compare::AgreementFilter;
        let height = self.list_height();
        let screen = self.screen();
        let Some(agreement) = self.agreement_mut() else {
            return Command::None;
        };
        let Loadable::Ready(data) = &agreement.data else {
            return Command::None;
        };
        if screen == Screen::AgreementSample {
            match action {
                Action::Up => agreement.scroll = agreement.scroll.saturating_sub(1),
                Action::Down => agreement.scroll = agreement.scroll.saturating_add(1),
                Action::PrevSample | Action::NextSample => {
                    let delta = if action == Action::NextSample { 1 } else { -1 };
                    agreement.cursor =
                        agreement
                            .cursor
                            .moved(delta, agreement.visible.len(), height);
                    agreement.scroll = 0;
                }
                _ => {}
            }
            return Command::None;
        }
        if let Some(cursor) =
            Self::list_move(agreement.cursor, action, agreement.visible.len(), height)
        {
            agreement.cursor = cursor;
            return Command::None;
        }
        let columns = data.columns.len();
        let filter = match action {
            Action::ShowAll => AgreementFilter::All,
            Action::HardForAll => AgreementFilter::HardForAll,
            Action::OnlyBaselineRight => AgreementFilter::OnlyBaselineRight,
            Action::Disagree => AgreementFilter::Disagree,
            Action::Flips if agreement.column != data.baseline => {
                AgreementFilter::Flip(data.baseline, agreement.column)
            }
            Action::Flips => {
                self.say("move to another run's column (← →) to list its flips with the baseline");
                return Command::None;
            }
            Action::Left => {
                agreement.column = agreement.column.saturating_sub(1);
                return Command::None;
            }
            Action::Right => {
                agreement.column = (agreement.column + 1).min(columns.saturating_sub(1));
                return Command::None;
            }
            Action::Open if !agreement.visible.is_empty() => {
                agreement.scroll = 0;
                self.open(Layer::AgreementSample);
                return Command::None;
            }
            _ => return Command::None,
        };
        agreement.filter = filter;
        self.refilter_agreement();
        Command::None
    }
}
