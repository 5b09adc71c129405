//! The Compare screen: the task and metric columns pinned, the runs' columns scrolled sideways to
//! keep the cursor's on screen, and a trend of each row across every run.

use super::*;
use ratatui::text::Text;

use crate::compare::{Comparison, Row as MatrixRow};

/// Columns of one run's cell: `0.6250★±.072 -.208▼*`.
const CELL_WIDTH: usize = 20;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub(super) fn compare(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.compare() else { return };
    if loadable_notice(frame, area, theme, "the comparison", &state.data) {
        return;
    }
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    if state.visible.is_empty() {
        notice(frame, area, "No row matches.", theme.dim());
        return;
    }
    let columns = data.columns.len();
    let task_width = state
        .visible
        .iter()
        .map(|&i| width(&data.rows[i].task) + 2)
        .max()
        .unwrap_or(6)
        .clamp(6, 16);
    let metric_width = state
        .visible
        .iter()
        .map(|&i| width(&data.rows[i].metric))
        .max()
        .unwrap_or(6)
        .clamp(6, 14);
    let trend_width = columns.clamp(5, 24);
    // Each column is followed by one space; the runs' columns share what the pinned ones leave.
    let room = (area.width as usize).saturating_sub(task_width + metric_width + trend_width + 2);
    let shown = (room / (CELL_WIDTH + 1)).clamp(1, columns);
    // Scroll sideways just enough to keep the cursor's column on screen.
    let first = (state.column + 1)
        .saturating_sub(shown)
        .min(columns - shown);
    // Two header lines: each run's number and model, then its date.
    let height = area.height.saturating_sub(2) as usize;
    let selected = state.cursor.selected;
    let rows = in_view(&state.visible, state.cursor, height).map(|(position, &index)| {
        let row = &data.rows[index];
        let on_row = position == selected;
        let task = if row.derived {
            format!("Σ {}", row.task)
        } else {
            row.task.clone()
        };
        // The cursor on the task column is marked, not only styled (NO_COLOR).
        let task = if on_row && state.on_task {
            format!("▶ {task}")
        } else {
            task
        };
        let task = crate::text::fit(&task, task_width);
        let mut cells = vec![
            if on_row && state.on_task {
                Cell::from(Span::styled(task, theme.selected()))
            } else {
                Cell::from(task)
            },
            Cell::from(crate::text::fit(&row.metric, metric_width)),
        ];
        let best = row.best();
        for column in first..first + shown {
            let text = cell_text(data, row, column, best);
            let mut style = cell_style(row, column, data.baseline, theme);
            if on_row && !state.on_task && column == state.column {
                style = theme.selected();
            }
            cells.push(Cell::from(Span::styled(
                format!("{text:>width$}", width = CELL_WIDTH),
                style,
            )));
        }
        cells.push(Cell::from(trend(row, trend_width)));
        let style = if on_row {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        Row::new(cells).style(style)
    });
    let mut headers: Vec<Text> = vec![Text::from("Task"), Text::from("Metric")];
    for column in first..first + shown {
        let mark = if column == data.baseline { "◆" } else { "" };
        let label = &data.columns[column];
        let (model, date) = label.rsplit_once(" @ ").unwrap_or((label, ""));
        let model = model.rsplit('/').next().unwrap_or(model);
        let right = |text: String| {
            format!(
                "{:>width$}",
                crate::text::fit(&text, CELL_WIDTH),
                width = CELL_WIDTH
            )
        };
        headers.push(Text::from(vec![
            Line::from(right(format!("{mark}{} {model}", column + 1))),
            Line::from(right(date.to_owned())),
        ]));
    }
    headers.push(Text::from("trend"));
    let mut widths = vec![
        Constraint::Length(task_width as u16),
        Constraint::Length(metric_width as u16),
    ];
    widths.extend((0..shown).map(|_| Constraint::Length(CELL_WIDTH as u16)));
    widths.push(Constraint::Length(trend_width as u16));
    let header_row = Row::new(headers.into_iter().map(Cell::from))
        .height(2)
        .style(theme.dim().add_modifier(Modifier::BOLD));
    frame.render_widget(Table::new(rows, widths).header(header_row), area);
}

/// `0.6250★±0.072 -0.208▼*`: the value, `★` when it is its row's best, the standard error, and
/// against the baseline Δ with its marks (`*` significant after Holm across the matrix, `▲▼`
/// its direction, `?` inconclusive, `~` unpaired).
fn cell_text(data: &Comparison, row: &MatrixRow, column: usize, best: Option<usize>) -> String {
    let cell = &row.cells[column];
    let Some(value) = cell.value else {
        return "—".into();
    };
    let mut text = format!("{value:.4}");
    if best == Some(column) {
        text.push('★');
    }
    if let Some(se) = cell.stderr.filter(|s| !s.is_nan()) {
        text.push_str(&format!("±{}", short(se, false)));
        if cell.stderr_clustered {
            text.push('c');
        }
    }
    if column != data.baseline
        && let Some(against) = &cell.against_baseline
        && let Some(delta) = against.delta.filter(|d| !d.is_nan())
    {
        text.push_str(&format!(
            " {}{}",
            short(delta, true),
            against.marks(row.higher_is_better)
        ));
    }
    text
}

/// Three decimals without the leading zero below 1 (`.083`, `-.208`, `+1.250`), to keep a
/// cell narrow.
fn short(value: f64, signed: bool) -> String {
    let text = if signed {
        format!("{value:+.3}")
    } else {
        format!("{value:.3}")
    };
    text.replacen("0.", ".", 1)
}

/// Colour says again what the marks say: green better, red worse, dim the baseline.
fn cell_style(row: &MatrixRow, column: usize, baseline: usize, theme: Theme) -> Style {
    if column == baseline {
        return theme.dim();
    }
    let Some(against) = &row.cells[column].against_baseline else {
        return Style::default();
    };
    match against.better(row.higher_is_better) {
        Some(true) => theme.fg(Color::Green),
        Some(false) => theme.fg(Color::Red),
        None => Style::default(),
    }
}

/// The row's values across every run, as a sparkline (`▁` the lowest, `█` the highest).
fn trend(row: &MatrixRow, room: usize) -> String {
    let values: Vec<Option<f64>> = row
        .cells
        .iter()
        .map(|c| c.value.filter(|v| v.is_finite()))
        .collect();
    let (low, high) = values
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    values
        .iter()
        .take(room)
        .map(|v| match v {
            Some(v) if high > low => {
                let step = ((v - low) / (high - low) * (SPARKS.len() - 1) as f64).round() as usize;
                SPARKS[step.min(SPARKS.len() - 1)]
            }
            Some(_) => SPARKS[SPARKS.len() / 2],
            None => ' ',
        })
        .collect()
}

/// The agreement grid: a sample per row, a run per column, each `✓` `✗` `~` (`—` where the run
/// has no such sample), the id and the input beside.
pub(super) fn agreement(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.agreement() else { return };
    if loadable_notice(frame, area, theme, "the samples", &state.data) {
        return;
    }
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    if state.visible.is_empty() {
        notice(
            frame,
            area,
            &format!("No sample: {}.", state.filter.label()),
            theme.dim(),
        );
        return;
    }
    let columns = data.columns.len();
    let id_width = state
        .visible
        .iter()
        .map(|&i| width(&data.rows[i].id))
        .max()
        .unwrap_or(2)
        .clamp(2, 16);
    let height = area.height.saturating_sub(1) as usize;
    let selected = state.cursor.selected;
    let rows = in_view(&state.visible, state.cursor, height).map(|(position, &index)| {
        let row = &data.rows[index];
        let mut cells = vec![Cell::from(crate::text::fit(&row.id, id_width))];
        for (column, cell) in row.cells.iter().enumerate() {
            let (mark, style) = match cell {
                Some(c) => (c.verdict.mark(), theme.verdict(c.verdict)),
                None => ("—", theme.dim()),
            };
            let style = if position == selected && column == state.column {
                theme.selected()
            } else {
                style
            };
            cells.push(Cell::from(Span::styled(format!(" {mark}"), style)));
        }
        cells.push(Cell::from(one_line(&row.input, 200)));
        let style = if position == selected {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        Row::new(cells).style(style)
    });
    let mut headers = vec!["id".to_owned()];
    headers.extend((0..columns).map(|c| {
        if c == data.baseline {
            format!("◆{}", c + 1)
        } else {
            format!(" {}", c + 1)
        }
    }));
    headers.push(format!(
        "input  ({} · {})",
        data.metric,
        state.filter.label()
    ));
    let mut widths = vec![Constraint::Length(id_width as u16)];
    widths.extend((0..columns).map(|_| Constraint::Length(3)));
    widths.push(Constraint::Min(10));
    let header_cells: Vec<&str> = headers.iter().map(String::as_str).collect();
    frame.render_widget(
        Table::new(rows, widths).header(header(&header_cells, theme)),
        area,
    );
}

/// One sample with every run's answer: its input and target, then per run the verdict, the score
/// and the prediction.
pub(super) fn agreement_sample(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.agreement() else { return };
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let Some(row) = state
        .visible
        .get(state.cursor.selected)
        .map(|&i| &data.rows[i])
    else {
        return;
    };
    let mut lines = vec![super::samples::section("input", theme)];
    lines.extend(super::samples::visible_whitespace(&row.input));
    lines.push(super::samples::section("target", theme));
    lines.extend(super::samples::visible_whitespace(&row.target));
    for (column, (cell, run)) in row.cells.iter().zip(&data.columns).enumerate() {
        let base = if column == data.baseline {
            " (baseline)"
        } else {
            ""
        };
        lines.push(super::samples::section(
            &format!("{}. {run}{base}", column + 1),
            theme,
        ));
        match cell {
            Some(cell) => {
                let score = cell.score.map_or("—".to_owned(), format_value);
                lines.push(Line::from(Span::styled(
                    format!("{} {} {score}", cell.verdict.mark(), data.metric),
                    theme.verdict(cell.verdict),
                )));
                match &cell.prediction {
                    Some(prediction) => {
                        lines.extend(super::samples::visible_whitespace(prediction))
                    }
                    None => lines.push(Line::from(Span::styled(
                        "reading the prediction …",
                        theme.dim(),
                    ))),
                }
            }
            None => lines.push(Line::from(Span::styled(
                "— this run has no such sample",
                theme.dim(),
            ))),
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((state.scroll, 0)),
        area,
    );
}
