//! The Results screen: tasks × metrics with their stderr, and the config panel.

use super::*;
use crate::tui::app::ResultsState;
use crate::tui::data::{ResultLine, ResultsData};

pub(super) fn results(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.results() else { return };
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
        results_table(app, state, data, theme, frame, list_area);
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

/// The visible lines of the Results screen, one per metric, the task named on its first line.
fn results_table(
    app: &App,
    state: &ResultsState,
    data: &ResultsData,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let Cursor { selected, .. } = state.cursor;
    let height = app.list_height();
    let offset = state.cursor.first_shown(height);
    let names = name_widths(data, area);
    let (task_width, metric_width) = names;
    let mut previous_task: Option<&str> = None;
    let rows = in_view(&state.visible, state.cursor, height).map(|(position, &index)| {
        let line = &data.lines[index];
        // Name a task on its first line only, as lighteval's table does.
        let first = previous_task != Some(line.task.as_str()) || position == offset;
        previous_task = Some(line.task.as_str());
        let mut style = if line.derived {
            theme.dim().add_modifier(Modifier::ITALIC)
        } else {
            Style::default()
        };
        if position == selected {
            style = theme.selected();
        }
        Row::new(line_cells(state, line, first, names)).style(style)
    });
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
    frame.render_widget(table, area);
}

/// One line's cells: the task (on its first line, marked `Σ` derived or `▸` folded), version,
/// metric with its origin's mark, value, stderr and, without the panel, the sample count.
/// Names longer than their column are elided with `…`, never cut silently.
fn line_cells<'l>(
    state: &ResultsState,
    line: &'l ResultLine,
    first: bool,
    (task_width, metric_width): (usize, usize),
) -> Vec<Cell<'l>> {
    let task = if !first {
        String::new()
    } else if line.derived {
        format!("Σ {}", line.label)
    } else if state.folded.contains(&line.group) {
        format!("▸ {}", line.label)
    } else {
        line.label.clone()
    };
    // A clustered standard error replaces the stored one, marked `c` as `show` marks it (on the
    // left, so the digits stay aligned).
    let stderr = match (line.clustered_stderr, line.stderr) {
        (Some(s), _) => format!("c ± {}", format_value(s)),
        (None, Some(s)) => format!("± {}", format_value(s)),
        (None, None) => String::new(),
    };
    let metric = match line.origin.mark() {
        // A measured task with no metric at all: its log holds no scores.
        None if line.metric.is_empty() && !line.derived => crate::text::NO_SCORES.to_owned(),
        // The mark first, so eliding cuts the name, not the mark.
        Some(mark) => format!("{mark} {}", line.metric),
        None => line.metric.clone(),
    };
    let mut cells = vec![
        Cell::from(crate::text::one_line(&task, task_width)),
        Cell::from(if first {
            line.version.clone().unwrap_or_default()
        } else {
            String::new()
        }),
        Cell::from(crate::text::one_line(&metric, metric_width)),
        Cell::from(format!(
            "{:>9}",
            match line.value {
                Some(value) => format_value(value),
                // A group header has no metric at all: nothing to mark missing.
                None if line.metric.is_empty() => String::new(),
                None => "-".to_owned(),
            }
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
    cells
}

/// The config panel of another harness's run: the run's settings and the task's config, each
/// key on a line, as the harness wrote them.
fn log_config_panel(data: &crate::tui::data::ResultsData, task: Option<&str>) -> String {
    let results = &data.results;
    let general = results.general();
    let mut out = format!(
        "model    {}
harness  {}
",
        general.model_name().unwrap_or("?"),
        results.harness()
    );
    out.push_str(&clustering_lines(data, task));
    let entries = |out: &mut String, map: &crate::model::Map| {
        for (key, value) in map
            .iter()
            .filter(|(k, v)| *k != "model_name" && !v.is_null())
        {
            let text = match value {
                crate::model::Json::Str(s) => crate::text::one_line(s, 200),
                other => crate::text::one_line(&json_text(other, false), 200),
            };
            out.push_str(&format!("  {key}: {text}\n"));
        }
    };
    entries(&mut out, general.raw());
    let Some(task) = task else { return out };
    out.push_str(&format!("\n{task}\n"));
    match results
        .as_map()
        .get("config_tasks")
        .and_then(|c| c.get(task))
        .and_then(crate::model::Json::as_object)
    {
        Some(config) => entries(&mut out, config),
        None => out.push_str("  no task config in this file\n"),
    }
    out
}

/// The task and metric columns' widths: numbers keep theirs, names give way when the terminal
/// is narrow.
fn name_widths(data: &ResultsData, area: Rect) -> (usize, usize) {
    let names_room = (area.width as usize)
        .saturating_sub(3 + 9 + 10 + 7 + 6)
        .max(12);
    let metric_width = data
        .lines
        .iter()
        .map(|l| {
            let name = if l.metric.is_empty() && !l.derived {
                crate::text::NO_SCORES
            } else {
                &l.metric
            };
            width(name) + if l.origin.mark().is_some() { 2 } else { 0 }
        })
        .max()
        .unwrap_or(6)
        .clamp(6, 28);
    let metric_width = metric_width.min(names_room / 2);
    let task_width = data
        .lines
        .iter()
        .map(|l| width(&l.label) + 2)
        .max()
        .unwrap_or(10)
        .clamp(10, 40);
    (task_width.min(names_room - metric_width), metric_width)
}

pub(super) fn config_panel(data: &crate::tui::data::ResultsData, task: Option<&str>) -> String {
    if data.results.harness() != crate::store::Harness::Lighteval.name() {
        return log_config_panel(data, task);
    }
    let mut out = general_config(&data.results);
    out.push_str(&clustering_lines(data, task));
    let Some(task) = task else { return out };
    out.push_str(&format!("\n{task}\n"));
    task_config(data, task, &mut out);
    out
}

/// What clustering the standard errors means here: the path, the correction, and the selected
/// task's clusters.
fn clustering_lines(data: &crate::tui::data::ResultsData, task: Option<&str>) -> String {
    let Some(clustering) = &data.clustering else {
        return String::new();
    };
    let mut out = format!(
        "stderr c clustered by `{}`, with Inspect's √(C/(C−1))\n",
        clustering.path
    );
    let found = task.and_then(|t| clustering.stderrs.iter().find(|c| c.task == t));
    match (task, found) {
        (Some(_), Some(c)) => out.push_str(&format!(
            "         {} clusters over {} samples here\n",
            c.clusters, c.samples
        )),
        (Some(_), None) => out.push_str("         not clustered here: stored stderr\n"),
        (None, _) => {}
    }
    out
}

/// The run's half of lighteval's config panel: model, time, seeds, samples, stderr convention,
/// generation parameters and the model config.
fn general_config(results: &crate::model::ResultsFile) -> String {
    let mut out = String::new();
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
    out.push_str(&format!(
        "bootstrap stderr: {}\n",
        general.stderr_convention().describe()
    ));
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
    out
}

/// The task's half of lighteval's config panel: version, few-shot, splits, docs, metrics, the
/// marks' notes, hashes and counts.
fn task_config(data: &crate::tui::data::ResultsData, task: &str, out: &mut String) {
    let results = &data.results;
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
    let marks: Vec<_> = data
        .lines
        .iter()
        .filter(|l| l.task == task)
        .filter_map(|l| l.origin.mark())
        .collect();
    if marks.contains(&crate::text::LIGHTEVAL_LAYOUT_MARK) {
        out.push_str(&format!("  {}\n", crate::text::LIGHTEVAL_LAYOUT_NOTE));
    }
    if marks.contains(&crate::text::CORPUS_SCORE_MARK) {
        out.push_str(&format!("  {}\n", crate::text::CORPUS_SCORE_NOTE));
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
}
