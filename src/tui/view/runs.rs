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
    let selected = app.runs.cursor.selected;
    // The harness column shows when the source holds runs of other harnesses than lighteval,
    // and the terminal has room for it beside the run's date.
    let show_harness = area.width >= 80
        && data
            .runs
            .iter()
            .any(|(run, _)| run.harness != crate::store::Harness::Lighteval);
    let run_width = data
        .runs
        .iter()
        .map(|(run, _)| crate::text::width(&run.date_id))
        .max()
        .unwrap_or(26)
        .clamp(26, 30);
    let rows = in_view(&data.runs, app.runs.cursor, height).map(|(i, (run, summary))| {
        let mark = match app.runs.marked.iter().position(|&m| m == i) {
            Some(0) => "A",
            Some(_) => "B",
            None => " ",
        };
        let headline = match (&summary.headline, &summary.writing, &summary.problem) {
            // A log being written has running scores and its progress.
            (Some((metric, value)), Some(writing), _) => {
                format!("{metric} {}  ⟳ {writing}", format_value(*value))
            }
            (Some((metric, value)), None, _) => format!("{metric} {}", format_value(*value)),
            (None, Some(writing), _) => format!("⟳ writing… {writing}"),
            (None, None, Some(problem)) => format!("⚠ {problem}"),
            // Listed from a Hub organisation: its results come down when it is opened.
            (None, None, None) if run.results_path.is_some() && !run.results_on_disk() => {
                "☁ on the Hub".to_owned()
            }
            (None, None, None) => String::new(),
        };
        let style = if i == selected {
            theme.selected()
        } else {
            Style::default()
        };
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(summary.model.clone()),
            Cell::from(summary.date_id.clone()),
        ];
        if show_harness {
            cells.push(Cell::from(run.harness.name()));
        }
        cells.extend([
            Cell::from(format!("{:>5}", summary.tasks)),
            Cell::from(format!(
                "{:>8}",
                summary.samples.map_or("?".to_owned(), thousands)
            )),
            Cell::from(headline),
        ]);
        Row::new(cells).style(style)
    });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Min(12),
        Constraint::Length(run_width as u16),
    ];
    let mut titles = vec!["", "Model", "Run"];
    if show_harness {
        widths.push(Constraint::Length(9));
        titles.push("Harness");
    }
    widths.extend([
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Min(10),
    ]);
    titles.extend(["Tasks", "Samples", "all"]);
    let table = Table::new(rows, widths).header(header(&titles, theme));
    frame.render_widget(table, area);
}
