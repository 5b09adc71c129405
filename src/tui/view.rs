//! Drawing: reads the [`App`], never changes it. Meaning never rests on colour alone: marks
//! (`✓ ✗ ~`, `Σ`, `▶`, `★`) carry it, colour only helps.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::app::{App, Cursor, Input, InputPurpose, Loadable, Screen};
use super::data::{FreqColumn, SampleDetail, Verdict, json_text};
use super::keymap::{BINDINGS, Scope};
use crate::model::{Json, Prediction};
use crate::text::{one_line, width};

/// Styles, all plain when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub(super) fn fg(self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    fn bar(self) -> Style {
        if self.color {
            Style::default().bg(Color::Blue).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    pub(super) fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub(super) fn dim(self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    fn verdict(self, verdict: Verdict) -> Style {
        match verdict {
            Verdict::Right => self.fg(Color::Green),
            Verdict::Wrong => self.fg(Color::Red),
            Verdict::Partial => self.fg(Color::Yellow),
            Verdict::Unknown => self.dim(),
        }
    }
}

pub fn render(app: &App, theme: Theme, frame: &mut Frame) {
    let [title, main, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let position = position(app);
    let room = (title.width as usize).saturating_sub(position.as_deref().map_or(0, width) + 1);
    frame.render_widget(
        Paragraph::new(elide_left(&breadcrumb(app), room)).style(theme.bar()),
        title,
    );
    if let Some(position) = position {
        let w = (width(&position) as u16).min(title.width);
        let corner = Rect {
            x: title.x + title.width - w,
            y: title.y,
            width: w,
            height: 1,
        };
        frame.render_widget(Paragraph::new(position).style(theme.bar()), corner);
    }
    match app.screen {
        Screen::Runs => runs(app, theme, frame, main),
        Screen::Results => results(app, theme, frame, main),
        Screen::Samples => samples(app, theme, frame, main),
        Screen::Sample => sample(app, theme, frame, main),
        Screen::Diff => diff_table(app, theme, frame, main),
        Screen::Flips => flips(app, theme, frame, main),
        Screen::FlipSample => flip_sample(app, theme, frame, main),
    }
    frame.render_widget(status_line(app, theme), status);
    frame.render_widget(Paragraph::new(hint_line(app)).style(theme.dim()), hints);
    if app.screen == Screen::Samples
        && let Some(samples) = &app.samples
        && samples.freq.is_some()
    {
        frequency(app, theme, frame, main);
    }
    if let Some(dialog) = &app.dialog {
        super::view_dialog::dialog(dialog, theme, frame);
    }
    if app.help {
        help(app, theme, frame);
    }
}

/// The end of `text` that fits in `room` columns, with `…` for what was cut: the deepest part
/// of a breadcrumb matters most.
fn elide_left(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Where the cursor is in the current list: ` 3/20 ` or ` 3/7 of 20 ` when filtered.
fn position(app: &App) -> Option<String> {
    let (at, shown, total) = match app.screen {
        Screen::Runs => match &app.runs.data {
            Loadable::Ready(data) => (app.runs.cursor.selected, data.runs.len(), data.runs.len()),
            _ => return None,
        },
        Screen::Results => {
            let results = app.results.as_ref()?;
            let Loadable::Ready(data) = &results.data else {
                return None;
            };
            (
                results.cursor.selected,
                results.visible.len(),
                data.lines.len(),
            )
        }
        Screen::Diff | Screen::Flips | Screen::FlipSample => {
            let diff = app.diff.as_ref()?;
            let Loadable::Ready(data) = &diff.data else {
                return None;
            };
            if app.screen == Screen::Diff {
                (
                    diff.cursor.selected,
                    data.report.rows.len(),
                    data.report.rows.len(),
                )
            } else {
                let len = diff
                    .task
                    .and_then(|t| data.flips.get(t))
                    .map_or(0, |(_, rows)| rows.len());
                (diff.flip_cursor.selected, len, len)
            }
        }
        Screen::Samples | Screen::Sample => {
            let samples = app.samples.as_ref()?;
            let Loadable::Ready(table) = &samples.data else {
                return None;
            };
            let at = match (app.screen, &app.sample) {
                (Screen::Sample, Some(sample)) => sample.position,
                _ => samples.cursor.selected,
            };
            (at, samples.visible.len(), table.len())
        }
    };
    if shown == 0 {
        return None;
    }
    let of = if shown != total {
        format!(" of {}", thousands(total as u64))
    } else {
        String::new()
    };
    Some(format!(
        " {}/{}{of} ",
        thousands(at as u64 + 1),
        thousands(shown as u64)
    ))
}

fn breadcrumb(app: &App) -> String {
    let mut parts = vec![" evaldeck".to_owned()];
    parts.push(match &app.source {
        Some(path) => path.display().to_string(),
        None => "sample run".to_owned(),
    });
    if matches!(
        app.screen,
        Screen::Results | Screen::Samples | Screen::Sample
    ) && let Some(results) = &app.results
    {
        parts.push(results.title.clone());
        if app.screen == Screen::Results {
            if results.sort != super::app::ResultsSort::File {
                parts.push(format!("sorted by {}", results.sort.label()));
            }
            if !results.filter.is_empty() {
                parts.push(format!("filter “{}”", results.filter));
            }
        }
    }
    if matches!(app.screen, Screen::Samples | Screen::Sample)
        && let Some(samples) = &app.samples
    {
        parts.push(samples.task.clone());
        if app.screen == Screen::Samples {
            if samples.query.wrong_only {
                parts.push("✗ only".into());
            }
            if !samples.query.text.is_empty() {
                parts.push(format!("filter “{}”", samples.query.text));
            }
        }
    }
    if app.screen == Screen::Sample
        && let Some(sample) = &app.sample
    {
        parts.push(format!("#{}", sample.row));
    }
    if matches!(
        app.screen,
        Screen::Diff | Screen::Flips | Screen::FlipSample
    ) && let Some(diff) = &app.diff
    {
        parts.push("diff".into());
        if let Loadable::Ready(data) = &diff.data
            && app.screen != Screen::Diff
            && let Some((task, _)) = diff.task.and_then(|t| data.flips.get(t))
        {
            parts.push(format!("{task} flips"));
        }
    }
    parts.join(" › ")
}

fn status_line(app: &App, theme: Theme) -> Paragraph<'static> {
    if let Some(Input { purpose, text, .. }) = &app.input {
        let prompt = match purpose {
            InputPurpose::Search => "/",
            InputPurpose::FilterSamples => "filter rows: ",
            InputPurpose::FilterTasks => "filter tasks: ",
        };
        return Paragraph::new(format!("{prompt}{text}▏  (Enter keep · Esc cancel)"));
    }
    if app.screen == Screen::Samples
        && let Some(samples) = &app.samples
    {
        if let Loadable::Loading = samples.data {
            let (done, total) = samples.progress;
            return Paragraph::new(format!(
                "loading {} … {}",
                samples.task,
                progress_bar(done, total, 20)
            ));
        }
        if samples.filtering.is_some() {
            return Paragraph::new("filtering …");
        }
        if samples.searching.is_some() {
            return Paragraph::new("searching …");
        }
    }
    if let Some(job) = &app.job {
        return Paragraph::new(format!("⟳ {}", job.progress));
    }
    match &app.status {
        Some(status) if status.error => Paragraph::new(format!("✗ {}", status.text))
            .style(theme.fg(Color::Red).add_modifier(Modifier::BOLD)),
        Some(status) => Paragraph::new(status.text.clone()),
        None => Paragraph::new(""),
    }
}

/// `▕████░░░░▏ 12,000 / 250,000`, for progress without colour.
fn progress_bar(done: u64, total: u64, cells: usize) -> String {
    let filled = if total == 0 {
        0
    } else {
        ((done as f64 / total as f64) * cells as f64).round() as usize
    };
    let filled = filled.min(cells);
    format!(
        "▕{}{}▏ {} / {}",
        "█".repeat(filled),
        "░".repeat(cells - filled),
        thousands(done),
        thousands(total)
    )
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The keys that matter on this screen, from the keymap, cut to the terminal's width.
fn hint_line(app: &App) -> String {
    if app.help {
        return " ↑↓ scroll  Esc close".to_owned();
    }
    let scope = app.scope();
    let mut hint = String::from(" ");
    let picks = BINDINGS
        .iter()
        .filter(|b| b.scope == scope)
        .chain(BINDINGS.iter().filter(|b| b.scope == Scope::Global));
    for binding in picks {
        // The help text up to its first clause: "sort: task, …" → "sort".
        let short = binding
            .help
            .split([',', ':', '(', '/'])
            .next()
            .unwrap_or(binding.help)
            .trim();
        hint.push_str(&format!("{} {}  ", binding.label, short));
    }
    one_line(hint.trim_end(), app.size.0 as usize)
}

fn header(cells: &[&str], theme: Theme) -> Row<'static> {
    Row::new(cells.iter().map(|c| Cell::from(c.to_string())))
        .style(theme.dim().add_modifier(Modifier::BOLD))
}

/// Placeholder text in the middle of an empty or failed area.
fn notice(frame: &mut Frame, area: Rect, text: &str, style: Style) {
    let paragraph = Paragraph::new(text.to_owned())
        .style(style)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}

fn loadable_notice<T>(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    what: &str,
    data: &Loadable<T>,
) -> bool {
    match data {
        Loadable::Loading => {
            notice(frame, area, &format!("Loading {what} …"), theme.dim());
            true
        }
        Loadable::Failed(error) => {
            notice(
                frame,
                area,
                &format!("✗ Could not load {what}:\n{error}\n\nEsc goes back; q quits."),
                theme.fg(Color::Red),
            );
            true
        }
        Loadable::Ready(_) => false,
    }
}

fn runs(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    if loadable_notice(frame, area, theme, "runs", &app.runs.data) {
        return;
    }
    let Loadable::Ready(data) = &app.runs.data else {
        return;
    };
    if data.runs.is_empty() {
        notice(frame, area, "No runs found.", theme.dim());
        return;
    }
    let height = app.list_height();
    let Cursor { selected, offset } = app.runs.cursor;
    let rows = data
        .runs
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, (_, summary))| {
            let mark = match app.runs.marked.iter().position(|&m| m == i) {
                Some(0) => "A",
                Some(_) => "B",
                None => " ",
            };
            let headline = match (&summary.headline, &summary.problem) {
                (Some((metric, value)), _) => format!("{metric} {}", format_value(*value)),
                (None, Some(problem)) => format!("⚠ {problem}"),
                (None, None) => String::new(),
            };
            let style = if i == selected {
                theme.selected()
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(mark),
                Cell::from(summary.model.clone()),
                Cell::from(summary.date_id.clone()),
                Cell::from(format!("{:>5}", summary.tasks)),
                Cell::from(format!(
                    "{:>8}",
                    summary.samples.map_or("?".to_owned(), thousands)
                )),
                Cell::from(headline),
            ])
            .style(style)
        });
    let widths = [
        Constraint::Length(1),
        Constraint::Min(12),
        Constraint::Length(26),
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Min(10),
    ];
    let table = Table::new(rows, widths).header(header(
        &["", "Model", "Run", "Tasks", "Samples", "all"],
        theme,
    ));
    frame.render_widget(table, area);
}

pub use crate::text::format_value;

fn results(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.results else { return };
    if loadable_notice(frame, area, theme, "results", &state.data) {
        return;
    }
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let (list_area, panel_area) = if state.panel {
        let [left, right] =
            Layout::horizontal([Constraint::Min(50), Constraint::Percentage(40)]).areas(area);
        (left, Some(right))
    } else {
        (area, None)
    };
    if state.visible.is_empty() {
        let text = if state.filter.is_empty() {
            "This run has no results rows.".to_owned()
        } else {
            format!(
                "No task matches “{}”. Press f to change the filter.",
                state.filter
            )
        };
        notice(frame, list_area, &text, theme.dim());
    } else {
        let height = app.list_height();
        let Cursor { selected, offset } = state.cursor;
        let mut previous_task: Option<&str> = None;
        let rows = state
            .visible
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(position, &index)| {
                let line = &data.lines[index];
                // Name a task on its first line only, as lighteval's table does.
                let first = previous_task != Some(line.task.as_str()) || position == offset;
                previous_task = Some(line.task.as_str());
                let task = if !first {
                    String::new()
                } else if line.derived {
                    format!("Σ {}", line.task)
                } else if state.folded.contains(&line.group) {
                    format!("▸ {}", line.task)
                } else {
                    line.task.clone()
                };
                let stderr = line
                    .stderr
                    .map(|s| format!("± {}", format_value(s)))
                    .unwrap_or_default();
                let mut style = if line.derived {
                    theme.dim().add_modifier(Modifier::ITALIC)
                } else {
                    Style::default()
                };
                if position == selected {
                    style = theme.selected();
                }
                let mut cells = vec![
                    Cell::from(task),
                    Cell::from(if first {
                        line.version.map(|v| v.to_string()).unwrap_or_default()
                    } else {
                        String::new()
                    }),
                    Cell::from(line.metric.clone()),
                    Cell::from(format!(
                        "{:>9}",
                        line.value.map_or("-".to_owned(), format_value)
                    )),
                    Cell::from(format!("{stderr:>10}")),
                ];
                if !state.panel {
                    cells.push(Cell::from(if first {
                        line.samples.map(thousands).unwrap_or_default()
                    } else {
                        String::new()
                    }));
                }
                Row::new(cells).style(style)
            });
        // Numbers keep their width; names give way when the terminal is narrow.
        let names_room = (list_area.width as usize)
            .saturating_sub(3 + 9 + 10 + 7 + 6)
            .max(12);
        let metric_width = data
            .lines
            .iter()
            .map(|l| width(&l.metric))
            .max()
            .unwrap_or(6)
            .clamp(6, 28);
        let metric_width = metric_width.min(names_room / 2);
        let task_width = data
            .lines
            .iter()
            .map(|l| width(&l.task) + 2)
            .max()
            .unwrap_or(10)
            .clamp(10, 40);
        let task_width = task_width.min(names_room - metric_width);
        let mut widths = vec![
            Constraint::Length(task_width as u16),
            Constraint::Length(3),
            Constraint::Length(metric_width as u16),
            Constraint::Length(9),
            Constraint::Length(10),
        ];
        let mut headers = vec!["Task", "Ver", "Metric", "    Value", "    Stderr"];
        if !state.panel {
            widths.push(Constraint::Length(7));
            headers.push("Samples");
        }
        let table = Table::new(rows, widths).header(header(&headers, theme));
        frame.render_widget(table, list_area);
    }
    if let Some(panel) = panel_area {
        let line = state
            .visible
            .get(state.cursor.selected)
            .map(|&i| &data.lines[i]);
        let text = config_panel(data, line.map(|l| l.task.as_str()));
        let block = Block::default().borders(Borders::LEFT).title(" config ");
        frame.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
            panel,
        );
    }
}

fn config_panel(data: &super::data::ResultsData, task: Option<&str>) -> String {
    let mut out = String::new();
    let results = &data.results;
    let general = results.general();
    out.push_str(&format!(
        "model    {}\n",
        general.model_name().unwrap_or("?")
    ));
    if let Some(secs) = general.total_evaluation_time_secs() {
        out.push_str(&format!("time     {secs:.1} s\n"));
    }
    if let Some(seeds) = general.num_fewshot_seeds() {
        out.push_str(&format!("few-shot seeds {seeds}\n"));
    }
    out.push_str(&format!(
        "max samples {}\n",
        general
            .max_samples()
            .map_or("all".to_owned(), |m| m.to_string())
    ));
    out.push_str(&match general.stderr_convention() {
        "lighteval" => {
            "bootstrap stderr: lighteval's (SD of replicates / √replicates)\n".to_owned()
        }
        other => format!("bootstrap stderr: {other}\n"),
    });
    if let Some(params) = general.generation_parameters() {
        let set: Vec<String> = params
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}={}", json_text(v, false)))
            .collect();
        out.push_str(&format!(
            "generation {}\n",
            if set.is_empty() {
                "defaults".to_owned()
            } else {
                set.join(", ")
            }
        ));
    }
    if let Some(config) = general.model_config() {
        for (key, value) in config
            .iter()
            .filter(|(k, v)| *k != "generation_parameters" && !v.is_null())
        {
            out.push_str(&format!("  {key}: {}\n", json_text(value, false)));
        }
    }
    for key in ["model_sha", "model_dtype", "model_size"] {
        if let Some(value) = general.legacy_model_field(key).filter(|v| !v.is_null()) {
            out.push_str(&format!("  {key}: {}\n", json_text(value, false)));
        }
    }
    let Some(task) = task else { return out };
    out.push_str(&format!("\n{task}\n"));
    if let Some(config) = results.task_config(task) {
        if let Some(v) = results.task_version(task) {
            out.push_str(&format!("  version {v}\n"));
        }
        if let Some(n) = config.num_fewshots() {
            out.push_str(&format!("  few-shot {n}\n"));
        }
        let splits = config.evaluation_splits();
        if !splits.is_empty() {
            out.push_str(&format!("  splits {}\n", splits.join(", ")));
        }
        let docs = config
            .effective_num_docs()
            .map_or("unknown".to_owned(), |n| n.to_string());
        out.push_str(&format!("  docs {docs}\n"));
        for metric in config.metrics() {
            let aggregation = metric.aggregation().unwrap_or_else(|| "?".into());
            let better = match metric
                .names
                .first()
                .and_then(|n| metric.higher_is_better(n))
            {
                Some(true) => " ↑ better",
                Some(false) => " ↓ better",
                None => "",
            };
            out.push_str(&format!(
                "  {} — {aggregation}{better}\n",
                metric.names.join(", ")
            ));
        }
    } else if !crate::model::TaskKey::new(task).is_derived() {
        out.push_str("  no task config in this file\n");
    }
    if let Some(summary) = results.task_summary(task) {
        let hashes = summary.hashes();
        out.push_str(&format!(
            "  hashes\n    examples {}\n    prompts  {}\n    input    {}\n    cont     {}\n",
            hashes.hash_examples,
            hashes.hash_full_prompts,
            hashes.hash_input_tokens,
            hashes.hash_cont_tokens
        ));
        let count = |k: &str| summary.count(k).map_or("?".to_owned(), |n| n.to_string());
        out.push_str(&format!(
            "  truncated {} · padded {}\n",
            count("truncated"),
            count("padded")
        ));
    }
    out
}

fn samples(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.samples else { return };
    let Loadable::Ready(table) = &state.data else {
        if let Loadable::Loading = state.data {
            let (done, total) = state.progress;
            notice(
                frame,
                area,
                &format!(
                    "Loading {} …\n{}",
                    state.task,
                    progress_bar(done, total, 30)
                ),
                theme.dim(),
            );
        } else {
            loadable_notice(frame, area, theme, &state.task, &state.data);
        }
        return;
    };
    if state.visible.is_empty() {
        let text = if table.is_empty() {
            "This task has no samples.".to_owned()
        } else {
            "No sample matches. f changes the filter, w toggles wrong-only.".to_owned()
        };
        notice(frame, area, &text, theme.dim());
        return;
    }
    // Columns give way as the terminal narrows: id and extra metrics first, then gold.
    let wide = area.width >= 90;
    let with_gold = area.width >= 70;
    let metric_count = table.metric_names.len().min(if wide {
        4
    } else if with_gold {
        2
    } else {
        1
    });
    let answer_width: u16 = if with_gold { 14 } else { 10 };
    let height = app.list_height();
    let Cursor { selected, offset } = state.cursor;
    let rows = state
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(position, &row)| {
            let row = row as usize;
            let verdict = table.verdicts[row];
            let mut cells = vec![
                Cell::from(verdict.mark()).style(theme.verdict(verdict)),
                Cell::from(format!("{row:>6}")),
            ];
            if wide {
                cells.push(Cell::from(table.ids[row].clone()));
            }
            cells.push(Cell::from(table.queries[row].clone()));
            if with_gold {
                cells.push(Cell::from(table.golds[row].clone()));
            }
            cells.push(Cell::from(table.predictions[row].clone()));
            for metric in &table.metrics[..metric_count] {
                let value = metric[row];
                cells.push(Cell::from(format!(
                    "{:>8}",
                    if value.is_nan() {
                        "·".to_owned()
                    } else {
                        short_number(value)
                    }
                )));
            }
            let style = if position == selected {
                theme.selected()
            } else {
                Style::default()
            };
            Row::new(cells).style(style)
        });
    let mut widths = vec![Constraint::Length(1), Constraint::Length(6)];
    let mut headers: Vec<String> = vec![String::new(), "     #".into()];
    if wide {
        widths.push(Constraint::Length(6));
        headers.push("id".into());
    }
    widths.push(Constraint::Min(10));
    headers.push("query".into());
    if with_gold {
        widths.push(Constraint::Length(answer_width));
        headers.push("gold".into());
    }
    widths.push(Constraint::Length(answer_width));
    headers.push("prediction".into());
    for (m, name) in table.metric_names[..metric_count].iter().enumerate() {
        widths.push(Constraint::Length(8));
        let arrow = match state.query.sort {
            Some((sorted, true)) if sorted == m => "↓",
            Some((sorted, false)) if sorted == m => "↑",
            _ => "",
        };
        headers.push(format!("{:>8}", format!("{}{arrow}", one_line(name, 7))));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let widget = Table::new(rows, widths).header(header(&header_refs, theme));
    frame.render_widget(widget, area);
}

fn short_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e7 {
        format!("{value:.0}")
    } else {
        format!("{value:.4}")
    }
}

fn frequency(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.samples else { return };
    let Some(freq) = &state.freq else { return };
    let popup = centered(area, 90, 90);
    frame.render_widget(Clear, popup);
    let column = match freq.column {
        FreqColumn::Prediction => "prediction",
        FreqColumn::Gold => "gold",
    };
    let total: usize = freq.counts.iter().map(|(_, n)| n).sum();
    let block = Block::default().borders(Borders::ALL).title(format!(
        " frequency of {column} · {} distinct · s other column · Enter filter · Esc close ",
        freq.counts.len()
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let height = inner.height.saturating_sub(1) as usize;
    let Cursor { selected, offset } = freq.cursor;
    let rows = freq
        .counts
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, (value, count))| {
            let share = *count as f64 / total.max(1) as f64;
            let bar = "█".repeat((share * 20.0).round() as usize);
            let style = if i == selected {
                theme.selected()
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(format!("{count:>7}")),
                Cell::from(format!("{:>5.1}%", share * 100.0)),
                Cell::from(bar),
                Cell::from(if value.is_empty() {
                    "(empty)".to_owned()
                } else {
                    value.clone()
                }),
            ])
            .style(style)
        });
    let widths = [
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(20),
        Constraint::Min(10),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header(&["  count", "share", "", column], theme)),
        inner,
    );
}

fn sample(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.sample else { return };
    let what = format!("sample #{}", state.row);
    if loadable_notice(frame, area, theme, &what, &state.data) {
        return;
    }
    let Loadable::Ready(detail) = &state.data else {
        return;
    };
    let lines = if state.raw {
        json_text(&Json::Object(detail.raw.clone()), true)
            .lines()
            .map(|l| Line::from(l.to_owned()))
            .collect()
    } else {
        sample_lines(detail, theme)
    };
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((state.scroll, 0));
    frame.render_widget(paragraph, area);
}

fn section(title: &str, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(
        format!("── {title} "),
        theme.fg(Color::Cyan).add_modifier(Modifier::BOLD),
    ))
}

/// Text with its whitespace made visible where it matters: tabs as `→`, trailing spaces as `·`,
/// and carriage returns as `␍`.
fn visible_whitespace(text: &str) -> Vec<Line<'static>> {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim_end_matches([' ', '\r']);
            let tail: String = line[trimmed.len()..]
                .chars()
                .map(|c| if c == '\r' { '␍' } else { '·' })
                .collect();
            Line::from(format!("{}{tail}", trimmed.replace('\t', "→   ")))
        })
        .collect()
}

fn sample_lines(sample: &SampleDetail, theme: Theme) -> Vec<Line<'static>> {
    let detail = &sample.detail;
    let doc = &detail.doc;
    let response = &detail.model_response;
    let mut lines = Vec::new();
    let id = doc
        .id
        .as_deref()
        .map_or(String::new(), |id| format!(" · id {id}"));
    lines.push(Line::from(format!("row {}{id}", sample.row)));
    if let Some(instruction) = doc.instruction.as_deref().filter(|i| !i.is_empty()) {
        lines.push(section("instruction", theme));
        lines.extend(visible_whitespace(instruction));
    }
    if !doc.fewshot_samples.is_empty() {
        lines.push(section(
            &format!("few-shot examples ({})", doc.fewshot_samples.len()),
            theme,
        ));
        for (i, shot) in doc.fewshot_samples.iter().enumerate() {
            let query = shot.get("query").and_then(Json::as_str).unwrap_or("");
            lines.push(Line::from(format!("{}. {}", i + 1, one_line(query, 200))));
        }
    }
    lines.push(section("query", theme));
    lines.extend(visible_whitespace(&doc.query));
    if let Some(prompt) = doc.full_prompt.as_deref().filter(|p| *p != doc.query) {
        lines.push(section("full prompt", theme));
        lines.extend(visible_whitespace(prompt));
    }
    let pick = match detail.prediction() {
        Prediction::Choice { index, .. } => Some(index),
        _ => None,
    };
    if !doc.choices.is_empty() {
        lines.push(section("choices  (★ gold · ▶ model's pick)", theme));
        for (i, choice) in doc.choices.iter().enumerate() {
            let gold = doc.gold_index.contains(&(i as i64));
            let picked = pick == Some(i);
            let logprob = response
                .logprobs
                .get(i)
                .map_or(String::new(), |lp| format!("{lp:>10.4}  "));
            let mark = format!(
                "{}{}",
                if gold { "★" } else { " " },
                if picked { "▶" } else { " " }
            );
            let style = match (gold, picked) {
                (true, true) => theme.fg(Color::Green).add_modifier(Modifier::BOLD),
                (false, true) => theme.fg(Color::Red).add_modifier(Modifier::BOLD),
                (true, false) => theme.fg(Color::Green),
                _ => Style::default(),
            };
            lines.push(Line::from(Span::styled(
                format!("{mark} {logprob}{i}. {}", one_line(choice, 400)),
                style,
            )));
        }
    } else if !doc.gold_texts.is_empty() {
        lines.push(section("gold", theme));
        for gold in &doc.gold_texts {
            lines.extend(visible_whitespace(gold));
        }
    }
    for (title, texts) in [
        ("generation", &response.text),
        ("post-processed", &response.text_post_processed),
        ("reasoning", &response.reasonings),
    ] {
        if texts.is_empty() || (title == "post-processed" && *texts == response.text) {
            continue;
        }
        for (i, text) in texts.iter().enumerate() {
            let numbered = if texts.len() > 1 {
                format!("{title} {}/{}", i + 1, texts.len())
            } else {
                title.to_owned()
            };
            lines.push(section(&numbered, theme));
            lines.extend(visible_whitespace(text));
        }
    }
    lines.push(section("metrics", theme));
    for (name, value) in &detail.metric {
        let text = match value {
            Json::Float(f) => format_value(*f),
            other => one_line(&json_text(other, false), 300),
        };
        lines.push(Line::from(format!("{name:<20} {text}")));
    }
    lines.push(section("tokens", theme));
    let count = |tokens: &Json| match tokens {
        Json::Array(items) if items.iter().all(|i| i.as_array().is_some()) => items
            .iter()
            .map(|i| i.as_array().map_or(0, <[Json]>::len))
            .sum::<usize>(),
        Json::Array(items) => items.len(),
        _ => 0,
    };
    lines.push(Line::from(format!(
        "input {} · output {} · truncated {} · padded {}",
        count(&response.input_tokens),
        count(&response.output_tokens),
        response
            .truncated_tokens_count
            .map_or("?".to_owned(), |n| n.to_string()),
        response
            .padded_tokens_count
            .map_or("?".to_owned(), |n| n.to_string()),
    )));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "r raw JSON · [ ] previous / next sample",
        theme.dim(),
    )));
    lines
}

fn centered(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let w = (area.width * percent_x / 100).max(20).min(area.width);
    let h = (area.height * percent_y / 100).max(5).min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn help(app: &App, theme: Theme, frame: &mut Frame) {
    let area = centered(frame.area(), 80, 90);
    frame.render_widget(Clear, area);
    let mut lines = Vec::new();
    for scope in [
        Scope::Global,
        Scope::List,
        Scope::Runs,
        Scope::Results,
        Scope::Samples,
        Scope::Sample,
    ] {
        lines.push(Line::from(Span::styled(
            scope.title().to_owned(),
            theme.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        )));
        for binding in BINDINGS.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(format!(
                "  {:<8} {}",
                binding.label, binding.help
            )));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" keys · ↑↓ scroll · Esc closes ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((app.help_scroll, 0)),
        area,
    );
}

fn diff_table(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.diff else { return };
    if loadable_notice(frame, area, theme, "the diff", &state.data) {
        return;
    }
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let report = &data.report;
    // Warnings first: prompt drift and missing tasks change how the numbers read.
    let mut header_lines = vec![Line::from(format!(
        "A {}   B {}",
        data.a_label, data.b_label
    ))];
    for warning in &report.warnings {
        let style = if warning.starts_with("PROMPT DRIFT") {
            theme.fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            theme.fg(Color::Yellow)
        };
        header_lines.push(Line::from(Span::styled(format!("⚠ {warning}"), style)));
    }
    for change in &report.changes {
        header_lines.push(Line::from(Span::styled(
            format!("Δ {}: {} → {}", change.what, change.a, change.b),
            theme.dim(),
        )));
    }
    let header_height = (header_lines.len() as u16).min(area.height / 3).max(1);
    let [top, list] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(header_lines), top);
    let height = list.height.saturating_sub(1) as usize;
    let Cursor { selected, offset } = state.cursor;
    let offset = offset
        .min(selected)
        .max((selected + 1).saturating_sub(height));
    let rows = report
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, row)| {
            let delta = row.delta();
            let mark = row.mark();
            let value = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), format_value);
            let p = row.p_text();
            let flags = row.flags();
            let mut style = if row.significant {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                theme.dim()
            };
            if row.is_regression() {
                style = style.patch(theme.fg(Color::Red));
            }
            if i == selected {
                style = theme.selected();
            }
            Row::new(vec![
                Cell::from(mark),
                Cell::from(row.task.clone()),
                Cell::from(row.metric.clone()),
                Cell::from(format!("{:>8}", value(row.a))),
                Cell::from(format!("{:>8}", value(row.b))),
                Cell::from(format!("{:>8}", value(delta))),
                Cell::from(format!("{p:>7}")),
                Cell::from(format!("{} {flags}", row.test.name())),
            ])
            .style(style)
        });
    let widths = [
        Constraint::Length(2),
        Constraint::Min(10),
        Constraint::Min(6),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Min(8),
    ];
    let table = Table::new(rows, widths).header(header(
        &[
            "",
            "Task",
            "Metric",
            "       A",
            "       B",
            "       Δ",
            "p Holm",
            "test (~ unpaired, ! drift)",
        ],
        theme,
    ));
    frame.render_widget(table, list);
}

fn flips(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.diff else { return };
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let Some((task, rows)) = state.task.and_then(|t| data.flips.get(t)) else {
        return;
    };
    if rows.is_empty() {
        notice(
            frame,
            area,
            &format!("No sample of {task} changed."),
            theme.dim(),
        );
        return;
    }
    let height = area.height.saturating_sub(1) as usize;
    let Cursor { selected, offset } = state.flip_cursor;
    let offset = offset
        .min(selected)
        .max((selected + 1).saturating_sub(height));
    let table_rows = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, flip)| {
            let style = if i == selected {
                theme.selected()
            } else {
                Style::default()
            };
            let row = |r: Option<usize>| r.map_or_else(|| "—".to_owned(), |r| r.to_string());
            Row::new(vec![
                Cell::from(flip.kind),
                Cell::from(format!("{:>5}", row(flip.a_row))),
                Cell::from(format!("{:>5}", row(flip.b_row))),
                Cell::from(one_line(&flip.query, 200)),
                Cell::from(format!(
                    "{} → {}",
                    one_line(&flip.prediction_a, 40),
                    one_line(&flip.prediction_b, 40)
                )),
            ])
            .style(style)
        });
    let widths = [
        Constraint::Length(24),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Min(12),
        Constraint::Min(14),
    ];
    frame.render_widget(
        Table::new(table_rows, widths).header(header(
            &["change", "  row A", "  row B", "query", "prediction A → B"],
            theme,
        )),
        area,
    );
}

fn flip_sample(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.diff else { return };
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let Some(flip) = state
        .task
        .and_then(|t| data.flips.get(t))
        .and_then(|(_, rows)| rows.get(state.flip_cursor.selected))
    else {
        return;
    };
    let [query_area, sides] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Min(4)]).areas(area);
    let mut query = vec![section(flip.kind, theme), section("query", theme)];
    query.extend(visible_whitespace(&flip.query));
    frame.render_widget(
        Paragraph::new(query)
            .wrap(Wrap { trim: false })
            .scroll((state.scroll, 0)),
        query_area,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sides);
    let side = |title: &str,
                prediction: &str,
                other: &str,
                metrics: &[(String, String)],
                other_metrics: &[(String, String)]| {
        // What differs from the other side is marked, with a symbol as well as colour.
        let differs = prediction != other;
        let marked = Style::default()
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
            .patch(theme.fg(Color::Yellow));
        let mut spans: Vec<Span> = word_diff(prediction, other)
            .into_iter()
            .map(|(word, same)| Span::styled(word, if same { Style::default() } else { marked }))
            .collect();
        if differs {
            spans.push(Span::raw("  ≠"));
        }
        let mut lines = vec![Line::from(spans)];
        for (name, value) in metrics {
            let changed = other_metrics
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, v)| v != value);
            let text = format!("{name} {value}{}", if changed { "  ≠" } else { "" });
            lines.push(Line::from(Span::styled(
                text,
                if changed {
                    theme.fg(Color::Yellow)
                } else {
                    theme.dim()
                },
            )));
        }
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::TOP)
                .title(format!(" {title} ")),
        )
    };
    frame.render_widget(
        side(
            "A",
            &flip.prediction_a,
            &flip.prediction_b,
            &flip.metrics_a,
            &flip.metrics_b,
        ),
        left,
    );
    frame.render_widget(
        side(
            "B",
            &flip.prediction_b,
            &flip.prediction_a,
            &flip.metrics_b,
            &flip.metrics_a,
        ),
        right,
    );
}

/// `text` split into words (with their following whitespace), each marked whether it is part of
/// the longest common word sequence with `other`: the parts that differ are the unmarked ones.
/// Long texts (over 400 words) are compared as a whole.
fn word_diff(text: &str, other: &str) -> Vec<(String, bool)> {
    let words = |t: &str| -> Vec<String> {
        t.split_inclusive(char::is_whitespace)
            .map(str::to_owned)
            .collect()
    };
    let (mine, theirs) = (words(text), words(other));
    if mine.len() > 400 || theirs.len() > 400 {
        return vec![(text.to_owned(), text == other)];
    }
    let key = |w: &String| w.trim_end().to_owned();
    let (n, m) = (mine.len(), theirs.len());
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if key(&mine[i]) == key(&theirs[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n);
    while i < n {
        if j < m && key(&mine[i]) == key(&theirs[j]) {
            out.push((mine[i].clone(), true));
            i += 1;
            j += 1;
        } else if j < m && lcs[i][j + 1] > lcs[i + 1][j] {
            j += 1;
        } else {
            out.push((mine[i].clone(), false));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::word_diff;

    #[test]
    fn word_diff_marks_what_differs() {
        let marked = word_diff("the quick brown fox", "the slow brown fox");
        let differing: Vec<&str> = marked
            .iter()
            .filter(|(_, same)| !same)
            .map(|(w, _)| w.trim())
            .collect();
        assert_eq!(differing, ["quick"]);
        assert!(word_diff("same", "same").iter().all(|(_, same)| *same));
    }
}
