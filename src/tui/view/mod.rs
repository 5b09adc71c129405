//! Drawing: reads the [`App`], never changes it. Meaning never rests on colour alone: marks
//! (`✓ ✗ ~`, `Σ`, `▶`, `★`) carry it, colour only helps.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::app::{App, Cursor, Input, InputPurpose, Layer, Loadable, Screen};
use super::data::{FreqColumn, SampleDetail, Verdict, json_text};
use super::keymap::{BINDINGS, Scope};
use crate::model::{Json, Prediction};
pub use crate::text::format_value;
use crate::text::{one_line, width};

mod compare;
mod dialog;
mod diff;
mod results;
mod runs;
mod samples;

use diff::{diff_table, flip_sample, flips};
use results::results;
use runs::runs;
use samples::{frequency, sample, samples};

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

    pub(super) fn verdict(self, verdict: Verdict) -> Style {
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
    match app.screen() {
        Screen::Runs => runs(app, theme, frame, main),
        Screen::Results => results(app, theme, frame, main),
        Screen::Samples => samples(app, theme, frame, main),
        Screen::Sample => sample(app, theme, frame, main),
        Screen::Diff => diff_table(app, theme, frame, main),
        Screen::Flips => flips(app, theme, frame, main),
        Screen::FlipSample => flip_sample(app, theme, frame, main),
        Screen::Compare => compare::compare(app, theme, frame, main),
        Screen::Agreement => compare::agreement(app, theme, frame, main),
        Screen::AgreementSample => compare::agreement_sample(app, theme, frame, main),
    }
    frame.render_widget(status_line(app, theme), status);
    frame.render_widget(Paragraph::new(hint_line(app)).style(theme.dim()), hints);
    if app.screen() == Screen::Samples
        && let Some(samples) = app.samples()
        && samples.freq.is_some()
    {
        frequency(app, theme, frame, main);
    }
    if let Some(dialog) = &app.dialog {
        dialog::dialog(dialog, theme, frame);
    }
    if app.help {
        help(app, theme, frame);
    }
}

/// The end of `text` that fits in `room` columns, with `…` for what was cut: the deepest part
/// of a breadcrumb matters most.
/// `text` in lines of at most `room` columns, broken between words (a longer word stands alone).
fn wrap_words(text: &str, room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && width(&line) + 1 + width(word) > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

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
    let (at, shown, total) = match app.screen() {
        Screen::Runs => match &app.runs.data {
            Loadable::Ready(data) => (app.runs.cursor.selected, data.runs.len(), data.runs.len()),
            _ => return None,
        },
        Screen::Results => {
            let results = app.results()?;
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
            let diff = app.diff()?;
            let Loadable::Ready(data) = &diff.data else {
                return None;
            };
            if app.screen() == Screen::Diff {
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
        Screen::Agreement | Screen::AgreementSample => {
            let agreement = app.agreement()?;
            let Loadable::Ready(data) = &agreement.data else {
                return None;
            };
            (
                agreement.cursor.selected,
                agreement.visible.len(),
                data.rows.len(),
            )
        }
        Screen::Compare => {
            let compare = app.compare()?;
            let Loadable::Ready(data) = &compare.data else {
                return None;
            };
            (
                compare.cursor.selected,
                compare.visible.len(),
                data.rows.len(),
            )
        }
        Screen::Samples | Screen::Sample => {
            let samples = app.samples()?;
            let Loadable::Ready(table) = &samples.data else {
                return None;
            };
            let at = match (app.screen(), app.sample()) {
                (Screen::Sample, Some(sample)) => sample.position,
                _ => samples.cursor.selected,
            };
            (at, samples.visible.len(), table.len())
        }
    };
    if shown == 0 {
        return None;
    }
    // A task still loading has more rows than the list knows: ` 1/32,768+ `.
    let more = match (app.screen(), app.samples().map(|s| &s.data)) {
        (Screen::Samples | Screen::Sample, Some(Loadable::Ready(table))) if !table.complete => "+",
        _ => "",
    };
    let of = if shown != total {
        format!(" of {}{more}", thousands(total as u64))
    } else {
        more.to_owned()
    };
    Some(format!(
        " {}/{}{of} ",
        thousands(at as u64 + 1),
        thousands(shown as u64)
    ))
}

/// The rows of a scrolled list that fit `height` lines, each with its position in the list:
/// from the first row the cursor keeps on screen, whatever height the cursor last moved at.
/// Every list and grid (Runs, Results, Samples, Diff, flips, Compare, the agreement grid, the
/// frequency sheet) draws through this one window.
pub(super) fn in_view<T>(
    items: &[T],
    cursor: Cursor,
    height: usize,
) -> impl Iterator<Item = (usize, &T)> {
    items
        .iter()
        .enumerate()
        .skip(cursor.first_shown(height))
        .take(height)
}

/// The title bar: the source, then what each open screen adds, bottom to top. A screen says
/// more (its sort, its filter) only when it is on top.
fn breadcrumb(app: &App) -> String {
    let mut parts = vec![" evaldeck".to_owned(), app.source.to_string()];
    if let Some(mode) = app.live {
        parts.push(format!("● {}", mode.name()));
    }
    if let Loadable::Ready(runs) = &app.runs.data
        && let Some(listing) = &runs.listing
    {
        parts.push(format!("⟳ {listing}"));
    }
    let stack = app.stack();
    for (i, layer) in stack.iter().enumerate() {
        let on_top = i + 1 == stack.len();
        let below = stack[..i].iter().rev();
        crumbs(layer, on_top, below, &mut parts);
    }
    parts.join(" › ")
}

/// What one open screen adds to the title bar. A view of its parent's state (the flips, one
/// sample of the grid) reads that parent, the nearest screen `below` that owns it.
fn crumbs<'a>(
    layer: &Layer,
    on_top: bool,
    mut below: impl Iterator<Item = &'a Layer>,
    parts: &mut Vec<String>,
) {
    match layer {
        Layer::Runs => {}
        Layer::Results(results) => {
            parts.push(results.title.clone());
            if on_top && results.sort != super::app::ResultsSort::File {
                parts.push(format!("sorted by {}", results.sort.label()));
            }
            if on_top && !results.filter.is_empty() {
                parts.push(format!("filter “{}”", results.filter));
            }
        }
        Layer::Samples(samples) => {
            parts.push(samples.task.clone());
            if on_top && samples.query.wrong_only {
                parts.push("✗ only".into());
            }
            if on_top && !samples.query.text.is_empty() {
                parts.push(format!("filter “{}”", samples.query.text));
            }
        }
        Layer::Sample(sample) => parts.push(format!("#{}", sample.row)),
        Layer::Diff(_) => parts.push("diff".into()),
        Layer::Flips => {
            if let Some(Layer::Diff(diff)) = below.find(|l| matches!(l, Layer::Diff(_)))
                && let Loadable::Ready(data) = &diff.data
                && let Some((task, _)) = diff.task.and_then(|t| data.flips.get(t))
            {
                parts.push(format!("{task} flips"));
            }
        }
        Layer::FlipSample => {}
        // The comparison's crumbs give way to the screens opened from it.
        Layer::Compare(compare) if on_top => {
            parts.push(format!("compare {} runs", compare.runs.len()));
            if let Some(path) = &compare.cluster_by {
                parts.push(format!("clustered by {path}"));
            }
            if let Some(column) = compare.sort_by {
                parts.push(format!("sorted by Δ of {}", column + 1));
            }
            if !compare.filter.is_empty() {
                parts.push(format!("filter “{}”", compare.filter));
            }
        }
        Layer::Compare(_) => {}
        Layer::Agreement(agreement) => {
            parts.push("agreement".into());
            if let Loadable::Ready(data) = &agreement.data {
                parts.push(data.task.clone());
                if on_top {
                    parts.push(agreement.filter.label());
                }
            }
        }
        Layer::AgreementSample => {
            if let Some(Layer::Agreement(agreement)) =
                below.find(|l| matches!(l, Layer::Agreement(_)))
                && let Loadable::Ready(data) = &agreement.data
                && let Some(row) = agreement
                    .visible
                    .get(agreement.cursor.selected)
                    .map(|&i| &data.rows[i])
            {
                parts.push(format!("id {}", row.id));
            }
        }
    }
}

fn status_line(app: &App, theme: Theme) -> Paragraph<'static> {
    if let Some(Input { purpose, text, .. }) = &app.input {
        let prompt = match purpose {
            InputPurpose::Search => "/",
            InputPurpose::FilterSamples => "filter rows: ",
            InputPurpose::FilterTasks => "filter tasks: ",
            InputPurpose::ClusterBy => "cluster standard errors by (a sample field; empty: none): ",
            InputPurpose::FindInTranscript => "find: ",
        };
        return Paragraph::new(format!("{prompt}{text}▏  (Enter keep · Esc cancel)"));
    }
    if app.screen() == Screen::Compare
        && app.status.is_none()
        && let Some(compare) = app.compare()
        && matches!(compare.data, Loadable::Ready(_))
        && !compare.tested
    {
        return Paragraph::new("testing every run against the baseline …");
    }
    if app.screen() == Screen::Samples
        && let Some(samples) = app.samples()
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
        None => match app.samples() {
            // The list works while the rest of a large task loads.
            Some(samples)
                if matches!(app.screen(), Screen::Samples | Screen::Sample)
                    && matches!(&samples.data, Loadable::Ready(t) if !t.complete) =>
            {
                let (done, total) = samples.progress;
                Paragraph::new(format!("loading … {}", progress_bar(done, total, 20)))
            }
            _ => Paragraph::new(""),
        },
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
    // The Sample screen: its own keys, then its transcript's.
    let own = |b: &&crate::tui::keymap::Binding| {
        b.scope == scope || (scope == Scope::Transcript && b.scope == Scope::Sample)
    };
    let picks = BINDINGS
        .iter()
        .filter(own)
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
        Loadable::Writing(said) => {
            notice(
                frame,
                area,
                &format!(
                    "⟳ writing… {what} are being written; they show when complete.\n\n({said})"
                ),
                theme.dim(),
            );
            true
        }
        Loadable::Ready(_) => false,
    }
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
        Scope::Transcript,
        Scope::Compare,
        Scope::Agreement,
    ] {
        lines.push(Line::from(Span::styled(
            scope.title().to_owned(),
            theme.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        )));
        // Key column: 2 + 8 + 1; the help wraps under itself rather than being cut.
        let room = usize::from(area.width.saturating_sub(2))
            .saturating_sub(11)
            .max(10);
        for binding in BINDINGS.iter().filter(|b| b.scope == scope) {
            for (i, part) in wrap_words(binding.help, room).into_iter().enumerate() {
                let key = if i == 0 { binding.label } else { "" };
                lines.push(Line::from(format!("  {key:<8} {part}")));
            }
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
