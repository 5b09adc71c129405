//! The Diff screens: per-task deltas, a task's flips, and a flip side by side.

use super::samples::{section, visible_whitespace};
use super::*;

const NARROW_BELOW: u16 = 72;
const NARROW_TEST_WIDTH: u16 = 2;

pub(super) fn diff_table(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.diff() else { return };
    if loadable_notice(frame, area, theme, "the diff", &state.data) {
        return;
    }
    let Loadable::Ready(data) = &state.data else {
        return;
    };
    let report = &data.report;
    // Warnings first: prompt drift and missing tasks change how the numbers read.
    // Each line cut with … where the screen is narrow, never silently.
    let fit = |text: String| crate::text::one_line(&text, usize::from(area.width));
    let mut header_lines = vec![Line::from(fit(format!(
        "A {}   B {}",
        data.a_label, data.b_label
    )))];
    for warning in &report.warnings {
        let style = if warning.starts_with("PROMPT DRIFT") {
            theme.fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            theme.fg(Color::Yellow)
        };
        header_lines.push(Line::from(Span::styled(fit(format!("⚠ {warning}")), style)));
    }
    for change in &report.changes {
        header_lines.push(Line::from(Span::styled(
            fit(format!("Δ {}: {} → {}", change.what, change.a, change.b)),
            theme.dim(),
        )));
    }
    let header_height = (header_lines.len() as u16).min(area.height / 3).max(1);
    let [top, list] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(header_lines), top);
    // The marks explained under the table, rather than squeezed into a column header.
    let list = if list.height >= 6 {
        let [table, legend] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(list);
        let text = crate::text::one_line(crate::text::DIFF_LEGEND, usize::from(legend.width));
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), legend);
        table
    } else {
        list
    };
    let height = list.height.saturating_sub(1) as usize;
    let selected = state.cursor.selected;
    // Below this width the test's name goes, and its flags stay.
    let narrow = list.width < NARROW_BELOW;
    let rows = in_view(&report.rows, state.cursor, height).map(|(i, row)| {
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
            Cell::from(if narrow {
                flags
            } else {
                format!("{} {flags}", row.test.short_name())
            }),
        ])
        .style(style)
    });
    let widths = if narrow {
        // Numbers are never cut: the names give way, and the test keeps only its flags.
        let fixed = 2 + 8 * 3 + 7 + NARROW_TEST_WIDTH + 7;
        let names = list.width.saturating_sub(fixed).max(8);
        let task = (names * 3 / 5).max(4);
        [
            Constraint::Length(2),
            Constraint::Length(task),
            Constraint::Length(names - task),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(NARROW_TEST_WIDTH),
        ]
    } else {
        [
            Constraint::Length(2),
            Constraint::Min(10),
            Constraint::Min(6),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Min(8),
        ]
    };
    let table = Table::new(rows, widths).header(header(
        &[
            "",
            "Task",
            "Metric",
            "       A",
            "       B",
            "       Δ",
            " Holm p",
            if narrow { "" } else { "test" },
        ],
        theme,
    ));
    frame.render_widget(table, list);
}

pub(super) fn flips(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.diff() else { return };
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
    let selected = state.flip_cursor.selected;
    // The change and row columns keep their width; query and predictions share the rest, and
    // each cell is cut with `…` to its column.
    let change_width = rows
        .iter()
        .map(|f| crate::text::width(f.kind))
        .chain([6])
        .max()
        .unwrap_or(6);
    let room = (area.width as usize).saturating_sub(change_width + 5 + 5 + 4);
    let prediction_width = rows
        .iter()
        .map(|f| {
            crate::text::width(&one_line(&f.prediction_a, 40))
                + crate::text::width(&one_line(&f.prediction_b, 40))
                + 3
        })
        .chain([16])
        .max()
        .unwrap_or(16)
        .min(room / 2);
    let query_width = room.saturating_sub(prediction_width);
    let fit = crate::text::fit;
    let table_rows = in_view(rows, state.flip_cursor, height).map(|(i, flip)| {
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
            Cell::from(fit(&flip.query, query_width)),
            Cell::from(fit(
                &format!(
                    "{} → {}",
                    one_line(&flip.prediction_a, 40),
                    one_line(&flip.prediction_b, 40)
                ),
                prediction_width,
            )),
        ])
        .style(style)
    });
    let widths = [
        Constraint::Length(change_width as u16),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Length(query_width as u16),
        Constraint::Length(prediction_width as u16),
    ];
    frame.render_widget(
        Table::new(table_rows, widths).header(header(
            &[
                "change",
                "row A",
                "row B",
                &fit("query", query_width),
                &fit("prediction A → B", prediction_width),
            ],
            theme,
        )),
        area,
    );
}

pub(super) fn flip_sample(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.diff() else { return };
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
    // A column between the sides, so A's text never runs into B's.
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(1)
            .areas(sides);
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
        // The ≠ mark leads its line, so wrapping never leaves it alone on the next one.
        let mut spans = vec![Span::raw(if differs { "≠ " } else { "  " })];
        spans.extend(
            word_diff(prediction, other)
                .into_iter()
                .map(|(word, same)| {
                    Span::styled(word, if same { Style::default() } else { marked })
                }),
        );
        let mut lines = vec![Line::from(spans)];
        for (name, value) in metrics {
            let changed = other_metrics
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, v)| v != value);
            let text = format!("{}{name} {value}", if changed { "≠ " } else { "  " });
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
pub(super) fn word_diff(text: &str, other: &str) -> Vec<(String, bool)> {
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
