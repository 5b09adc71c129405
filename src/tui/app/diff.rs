//! The Diff screen, its flips and a flip side by side.

use super::*;
use crate::tui::data::JobError;

impl App {
    pub(super) fn on_diff(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let screen = self.screen();
        let Some(diff) = self.diff_mut() else {
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
                            self.open(Layer::Flips);
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
                    self.open(Layer::FlipSample);
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

    pub(super) fn on_diff_loaded(
        &mut self,
        generation: u64,
        result: Result<crate::tui::data::DiffData, JobError>,
    ) {
        let height = self.list_height();
        if let Some(diff) = self.diff_mut().filter(|d| d.generation == generation) {
            diff.data = match result {
                Ok(data) => Loadable::Ready(data),
                Err(e) => Loadable::Failed(e.to_string()),
            };
            // Opened from the Compare screen: the cursor starts on the row the user was on.
            if let (Loadable::Ready(data), Some((task, metric))) = (&diff.data, &diff.from_compare)
                && let Some(row) = data
                    .report
                    .rows
                    .iter()
                    .position(|r| r.task == *task && r.metric == *metric)
            {
                diff.cursor = diff.cursor.to(row, data.report.rows.len(), height);
            }
            if let Loadable::Failed(e) = &diff.data {
                let e = e.clone();
                self.fail(e);
            }
        }
    }
}
