//! The Runs screen: every model and run found under the source.

use super::*;

pub(super) fn runs(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
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
