//! The text input line: typing, live previews, and what a confirmed text does.

use super::*;

impl App {
    pub(super) fn on_input_key(&mut self, key: KeyEvent) -> Command {
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
    pub(super) fn preview_input(&mut self, input: &Input) -> Command {
        match input.purpose {
            InputPurpose::Search => {
                if input.text.is_empty() {
                    Command::None
                } else {
                    self.find(&input.text, SearchDirection::Forward, SearchStart::AtCursor)
                }
            }
            InputPurpose::FilterSamples => {
                if let Some(samples) = self.samples_mut() {
                    samples.query.text = input.text.clone();
                }
                self.refilter()
            }
            InputPurpose::FilterTasks => {
                self.filter_tasks(input.text.clone());
                Command::None
            }
            // Clustering re-runs the tests: only once the field is confirmed.
            InputPurpose::ClusterBy => Command::None,
            InputPurpose::FindInTranscript => {
                let width = usize::from(self.size.0);
                if let Some(sample) = self.sample_mut()
                    && !input.text.is_empty()
                    && !sample.find(&input.text, width)
                {
                    self.fail(format!("no match for “{}”", input.text));
                }
                Command::None
            }
        }
    }

    pub(super) fn apply_input(
        &mut self,
        purpose: InputPurpose,
        text: String,
        confirmed: bool,
    ) -> Command {
        match purpose {
            InputPurpose::Search => {
                if let Some(samples) = self.samples_mut()
                    && (confirmed || !text.is_empty())
                {
                    samples.search = text;
                }
                Command::None
            }
            InputPurpose::FilterSamples => {
                let unchanged = self.samples().is_some_and(|s| s.query.text == text);
                if let Some(samples) = self.samples_mut() {
                    samples.query.text = text;
                }
                if unchanged {
                    Command::None
                } else {
                    self.refilter()
                }
            }
            InputPurpose::FilterTasks => {
                self.filter_tasks(text);
                Command::None
            }
            InputPurpose::ClusterBy if confirmed && self.screen() == Screen::Results => {
                self.recluster_results(text)
            }
            InputPurpose::ClusterBy if confirmed => self.recluster(text),
            InputPurpose::ClusterBy => Command::None,
            InputPurpose::FindInTranscript => {
                // Cancelled: back to where it was (the search started on the line after).
                if !confirmed && let Some(sample) = self.sample_mut() {
                    sample.scroll = sample.search_from.saturating_sub(1);
                }
                Command::None
            }
        }
    }

    /// The task filter of the screen that asked: Compare's rows, or Results' lines.
    fn filter_tasks(&mut self, text: String) {
        if self.screen() == Screen::Compare {
            if let Some(compare) = self.compare_mut() {
                compare.filter = text;
            }
            self.refresh_compare_rows();
        } else {
            if let Some(results) = self.results_mut() {
                results.filter = text;
            }
            self.refresh_results();
        }
    }
}
