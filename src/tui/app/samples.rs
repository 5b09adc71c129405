//! The Samples screen with its search, filter and frequency sheet, and the Sample screen.

use super::*;
use crate::tui::data::JobError;

impl App {
    pub(super) fn open_samples(&mut self, run: Run, task: String) -> Command {
        let generation = self.generation();
        self.status = None;
        self.open(Layer::Samples(SamplesState {
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
        }));
        Command::LoadSamples {
            generation,
            run,
            task,
        }
    }

    /// Starts a filter job for the current list query; the answer replaces `visible`.
    pub(super) fn refilter(&mut self) -> Command {
        let generation = self.generation();
        let Some(samples) = self.samples_mut() else {
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

    pub(super) fn on_samples(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(samples) = self.samples_mut() else {
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
                let direction = if action == Action::NextMatch {
                    SearchDirection::Forward
                } else {
                    SearchDirection::Backward
                };
                let needle = samples.search.clone();
                if needle.is_empty() {
                    self.say("no search yet: press / to search");
                } else {
                    return self.find(&needle, direction, SearchStart::AfterCursor);
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
                // Each metric descending, then ascending, then the next metric; then file order.
                let sort = |metric, descending| Some(MetricSort { metric, descending });
                samples.query.sort = match samples.query.sort {
                    _ if metrics == 0 => None,
                    None => sort(0, true),
                    Some(MetricSort {
                        metric,
                        descending: true,
                    }) => sort(metric, false),
                    Some(MetricSort { metric, .. }) if metric + 1 < metrics => {
                        sort(metric + 1, true)
                    }
                    Some(_) => None,
                };
                let text = match samples.query.sort {
                    Some(MetricSort { metric, descending }) => format!(
                        "sorted by {} {}",
                        table.metric_names[metric],
                        if descending { "↓" } else { "↑" }
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

    pub(super) fn on_freq_action(&mut self, action: Action) -> Command {
        let height = self.list_height();
        let Some(samples) = self.samples_mut() else {
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
    pub(super) fn find(
        &mut self,
        needle: &str,
        direction: SearchDirection,
        start: SearchStart,
    ) -> Command {
        let generation = self.generation();
        let Some(samples) = self.samples_mut() else {
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
            cursor: samples.cursor.selected,
            needle: needle.to_lowercase(),
            direction,
            start,
        }
    }

    pub(super) fn on_search_done(
        &mut self,
        generation: u64,
        needle: String,
        found: Option<usize>,
        wrapped: bool,
    ) {
        let height = self.list_height();
        let Some(samples) = self
            .samples_mut()
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

    pub(super) fn open_sample(&mut self, position: usize, row: usize) -> Command {
        let Some(samples) = self.samples() else {
            return Command::None;
        };
        let Loadable::Ready(table) = &samples.data else {
            return Command::None;
        };
        let Some(file) = table.file.clone() else {
            return Command::None;
        };
        let generation = self.generation();
        // The next sample opens in the view the last one was in.
        let (raw, view, unfolded) = self
            .sample()
            .map_or((false, SampleView::Details, false), |s| {
                (s.raw, s.view, s.unfolded)
            });
        self.open(Layer::Sample(SampleState {
            generation,
            position,
            row,
            data: Loadable::Loading,
            scroll: 0,
            raw,
            view,
            unfolded,
            layout: None,
            search_from: 0,
        }));
        Command::LoadSample {
            generation,
            file,
            row,
        }
    }

    pub(super) fn on_sample(&mut self, action: Action) -> Command {
        let page = self.size.1.saturating_sub(LIST_CHROME_ROWS + 1).max(1);
        let height = self.list_height();
        let width = usize::from(self.size.0);
        let Some(sample) = self.sample_mut() else {
            return Command::None;
        };
        let laid_out = sample.view != SampleView::Details && !sample.raw;
        match action {
            Action::Transcript | Action::Events => {
                let view = if action == Action::Transcript {
                    SampleView::Transcript
                } else {
                    SampleView::Events
                };
                sample.view = if sample.view == view {
                    SampleView::Details
                } else {
                    view
                };
                sample.raw = false;
                sample.scroll = 0;
                sample.lay_out(width);
                return Command::None;
            }
            Action::Open if laid_out => {
                sample.unfolded = !sample.unfolded;
                sample.lay_out(width);
                let lines = sample.layout.as_ref().map_or(0, |l| l.lines.len());
                sample.scroll = sample.scroll.min(lines.saturating_sub(1));
                return Command::None;
            }
            Action::NextMatch | Action::PrevMatch if laid_out => {
                let from = sample.scroll;
                let next = sample
                    .layout
                    .as_ref()
                    .and_then(|l| l.next_turn(from, action == Action::PrevMatch));
                match next {
                    Some(line) => sample.scroll = line,
                    None => {
                        let edge = if action == Action::NextMatch {
                            "last"
                        } else {
                            "first"
                        };
                        self.say(format!("the {edge} turn"));
                    }
                }
                return Command::None;
            }
            Action::Bottom if laid_out => {
                // The last screenful: the title, status and hint lines take three rows.
                let shown = usize::from(self.size.1.saturating_sub(3)).max(1);
                let Some(sample) = self.sample_mut() else {
                    return Command::None;
                };
                let lines = sample.layout.as_ref().map_or(0, |l| l.lines.len());
                sample.scroll = lines.saturating_sub(shown);
                return Command::None;
            }
            Action::Search if laid_out => {
                // From the line after the top one, so `/` again finds the next match.
                sample.search_from = sample.scroll + 1;
                self.input = Some(Input {
                    purpose: InputPurpose::FindInTranscript,
                    text: String::new(),
                    before: String::new(),
                });
                return Command::None;
            }
            _ => {}
        }
        match action {
            Action::Up => sample.scroll = sample.scroll.saturating_sub(1),
            Action::Down => sample.scroll = sample.scroll.saturating_add(1),
            Action::PageUp => sample.scroll = sample.scroll.saturating_sub(usize::from(page)),
            Action::PageDown => sample.scroll = sample.scroll.saturating_add(usize::from(page)),
            Action::Top => sample.scroll = 0,
            Action::RawJson => {
                sample.raw = !sample.raw;
                sample.scroll = 0;
            }
            Action::PrevSample | Action::NextSample => {
                let position = sample.position;
                let Some(samples) = self.samples_mut() else {
                    return Command::None;
                };
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
                samples.cursor = samples.cursor.to(next, samples.visible.len(), height);
                return self.open_sample(next, row as usize);
            }
            _ => {}
        }
        Command::None
    }

    pub(super) fn on_samples_loaded(
        &mut self,
        generation: u64,
        result: Result<SampleTable, JobError>,
    ) -> Command {
        let Some(samples) = self.samples_mut().filter(|s| s.generation == generation) else {
            return Command::None;
        };
        match result {
            Ok(table) => {
                samples.visible = Arc::new((0..table.len() as u32).collect());
                samples.progress.0 = table.len() as u64;
                samples.data = Loadable::Ready(Arc::new(table));
                if samples.query != ListQuery::default() {
                    return self.refilter();
                }
            }
            Err(e) => {
                samples.data = Loadable::Failed(e.to_string());
                self.fail(e.to_string());
            }
        }
        Command::None
    }

    /// More rows of a list that is on screen: unfiltered, they join the visible rows at once; a
    /// filter, sort or frequency sheet covers the rows loaded when it was asked for, and runs
    /// again over every row when the last arrives.
    pub(super) fn on_samples_more(
        &mut self,
        generation: u64,
        chunks: Vec<Arc<crate::tui::data::SampleChunk>>,
        end: Option<Result<(), JobError>>,
    ) -> Command {
        let Some(samples) = self.samples_mut().filter(|s| s.generation == generation) else {
            return Command::None;
        };
        let Loadable::Ready(table) = &mut samples.data else {
            return Command::None;
        };
        // Shared with a search or filter job at most: that clone shares the chunks.
        let table = Arc::make_mut(table);
        let before = table.len();
        table.append(chunks);
        table.complete = matches!(end, Some(Ok(())));
        let after = table.len();
        samples.progress.0 = after as u64;
        let filtered = samples.query != ListQuery::default();
        if !filtered {
            Arc::make_mut(&mut samples.visible).extend(before as u32..after as u32);
        }
        match end {
            Some(Err(e)) => {
                self.fail(format!("reading stopped after {after} rows: {e}"));
                Command::None
            }
            Some(Ok(())) if filtered => self.refilter(),
            Some(Ok(())) => {
                if let Some(freq) = samples.freq.as_mut() {
                    freq.counts = frequencies(table, &samples.visible, freq.column);
                }
                Command::None
            }
            None => Command::None,
        }
    }

    /// A filter's rows replace the visible list (and the frequency sheet's counts), the cursor
    /// back on the first row.
    pub(super) fn on_rows_filtered(&mut self, generation: u64, rows: Vec<u32>) {
        let height = self.list_height();
        let Some(samples) = self
            .samples_mut()
            .filter(|s| s.filtering == Some(generation))
        else {
            return;
        };
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

    pub(super) fn on_sample_loaded(
        &mut self,
        generation: u64,
        result: Result<SampleDetail, JobError>,
    ) {
        let width = usize::from(self.size.0);
        if let Some(sample) = self.sample_mut().filter(|s| s.generation == generation) {
            sample.data = match result {
                Ok(detail) => Loadable::Ready(detail),
                Err(e) => Loadable::Failed(e.to_string()),
            };
            sample.lay_out(width);
            if let Loadable::Failed(e) = &sample.data {
                let e = e.clone();
                self.fail(e);
            }
        }
    }
}

impl SampleState {
    /// Lays the transcript or events view out at `width` (and drops the layout in the details
    /// view): done in `update`, so the view only draws lines.
    pub(super) fn lay_out(&mut self, width: usize) {
        let Loadable::Ready(detail) = &self.data else {
            self.layout = None;
            return;
        };
        self.layout = match self.view {
            SampleView::Details => None,
            SampleView::Transcript => Some(Arc::new(crate::tui::data::lay_out_messages(
                &detail.transcript,
                width,
                self.unfolded,
            ))),
            SampleView::Events => Some(Arc::new(crate::tui::data::lay_out_events(
                &detail.transcript,
                width,
                self.unfolded,
            ))),
        };
    }

    /// Scrolls to the first line holding `needle` from where the search started; text folded
    /// away is found too, the blocks then unfolded. `false` when no line holds it.
    pub(super) fn find(&mut self, needle: &str, width: usize) -> bool {
        let found = |layout: &Option<Arc<crate::tui::data::TranscriptLayout>>, from: usize| {
            layout.as_ref().and_then(|l| l.find(needle, from))
        };
        if let Some(line) = found(&self.layout, self.search_from) {
            self.scroll = line;
            return true;
        }
        let folded = self.layout.as_ref().is_some_and(|l| l.folded > 0);
        if self.unfolded || !folded {
            return false;
        }
        self.unfolded = true;
        self.lay_out(width);
        match found(&self.layout, 0) {
            Some(line) => {
                self.scroll = line;
                true
            }
            None => {
                self.unfolded = false;
                self.lay_out(width);
                false
            }
        }
    }
}
