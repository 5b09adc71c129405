//! The Samples list, its frequency sheet, and one Sample in full.

use super::*;

pub(super) fn samples(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.samples() else { return };
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
            // The log's status and error say why, when the results are at hand.
            match &app.results().map(|r| &r.data) {
                Some(Loadable::Ready(data)) => {
                    format!("{}.", data.results.why_no_samples(&state.task))
                }
                _ => "This task has no samples.".to_owned(),
            }
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
    let selected = state.cursor.selected;
    let mut texts = table.reader();
    let rows = in_view(&state.visible, state.cursor, height).map(|(position, &row)| {
        let row = row as usize;
        let verdict = table.verdict(row);
        let mut cells = vec![
            Cell::from(verdict.mark()).style(theme.verdict(verdict)),
            Cell::from(format!("{row:>6}")),
        ];
        let (chunk, index) = texts.row(row);
        if wide {
            cells.push(Cell::from(chunk.id(index).to_owned()));
        }
        cells.push(Cell::from(chunk.query(index).to_owned()));
        if with_gold {
            cells.push(Cell::from(chunk.gold(index).to_owned()));
        }
        cells.push(Cell::from(chunk.prediction(index).to_owned()));
        for metric in 0..metric_count {
            let value = table.metric(metric, row);
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
            Some(crate::tui::data::MetricSort { metric, descending }) if metric == m => {
                if descending {
                    "↓"
                } else {
                    "↑"
                }
            }
            _ => "",
        };
        headers.push(format!("{:>8}", format!("{}{arrow}", one_line(name, 7))));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let widget = Table::new(rows, widths).header(header(&header_refs, theme));
    frame.render_widget(widget, area);
}

pub(super) fn short_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e7 {
        format!("{value:.0}")
    } else {
        format!("{value:.4}")
    }
}

pub(super) fn frequency(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.samples() else { return };
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
    let selected = freq.cursor.selected;
    let rows = in_view(&freq.counts, freq.cursor, height).map(|(i, (value, count))| {
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

pub(super) fn sample(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = app.sample() else { return };
    let what = format!("sample #{}", state.row);
    if loadable_notice(frame, area, theme, &what, &state.data) {
        return;
    }
    let Loadable::Ready(detail) = &state.data else {
        return;
    };
    if !state.raw
        && let Some(layout) = &state.layout
    {
        transcript(layout, state.scroll, theme, frame, area);
        return;
    }
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
        .scroll((u16::try_from(state.scroll).unwrap_or(u16::MAX), 0));
    frame.render_widget(paragraph, area);
}

/// The transcript or events view: only the lines that show are drawn, however long the
/// transcript (they were laid out at this width when the view opened).
fn transcript(
    layout: &crate::tui::data::TranscriptLayout,
    scroll: usize,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    use crate::tui::data::{RoleTone, Tone};
    let style = |tone: Tone| match tone {
        Tone::Heading(role) => {
            let color = match role {
                RoleTone::System => Color::Magenta,
                RoleTone::User => Color::Cyan,
                RoleTone::Assistant => Color::Green,
                RoleTone::Tool => Color::Yellow,
                RoleTone::Other => Color::Blue,
            };
            theme.fg(color).add_modifier(Modifier::BOLD)
        }
        Tone::Text => Style::default(),
        Tone::Dim => theme.dim(),
        Tone::Call => theme.fg(Color::Yellow),
        Tone::Failed => theme.fg(Color::Red),
        Tone::Limit => theme.fg(Color::Red).add_modifier(Modifier::BOLD),
    };
    let lines: Vec<Line> = layout
        .lines
        .iter()
        .skip(scroll)
        .take(usize::from(area.height))
        .map(|line| Line::from(Span::styled(line.text.clone(), style(line.tone))))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

pub(super) fn section(title: &str, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(
        format!("── {title} "),
        theme.fg(Color::Cyan).add_modifier(Modifier::BOLD),
    ))
}

/// Text with its whitespace made visible where it matters: tabs as `→`, trailing spaces as `·`,
/// and carriage returns as `␍`.
pub(super) fn visible_whitespace(text: &str) -> Vec<Line<'static>> {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim_end_matches([' ', '\r']);
            let tail: String = line[trimmed.len()..]
                .chars()
                .map(|c| if c == '\r' { '␍' } else { '·' })
                .collect();
            // Control characters (an ANSI escape in a log) would reach the terminal as commands.
            let shown: String = trimmed
                .replace('\t', "→   ")
                .chars()
                .map(|c| if c.is_control() { '·' } else { c })
                .collect();
            Line::from(format!("{shown}{tail}"))
        })
        .collect()
}

/// Another harness's own fields of a sample (epoch, the scorers' answers and explanations,
/// metadata, an error, lm-eval's filter and hashes): one section each, text as text.
fn harness_fields(specific: &Json, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let Some(fields) = specific.as_object() else {
        return lines;
    };
    for (name, value) in fields {
        match value {
            Json::Str(text) if !text.contains('\n') && text.chars().count() <= 60 => {
                lines.push(section(name, theme));
                lines.push(Line::from(text.clone()));
            }
            Json::Str(text) => {
                lines.push(section(name, theme));
                lines.extend(visible_whitespace(text));
            }
            Json::Object(map) => {
                lines.push(section(name, theme));
                // `traceback_ansi` repeats `traceback` with terminal colours.
                for (key, inner) in map.iter().filter(|(k, _)| !k.ends_with("_ansi")) {
                    match inner {
                        Json::Str(text) if text.contains('\n') => {
                            lines.push(Line::from(format!("{key}:")));
                            lines.extend(visible_whitespace(text));
                        }
                        Json::Str(text) => {
                            lines.push(Line::from(format!("{key:<20} {}", one_line(text, 300))));
                        }
                        other => lines.push(Line::from(format!(
                            "{key:<20} {}",
                            one_line(&json_text(other, false), 300)
                        ))),
                    }
                }
            }
            other => {
                lines.push(section(name, theme));
                lines.push(Line::from(one_line(&json_text(other, false), 300)));
            }
        }
    }
    lines
}

/// The choices with their gold and pick marks (and log-probabilities), or the gold texts.
fn gold_lines(detail: &crate::model::Detail, theme: Theme) -> Vec<Line<'static>> {
    let doc = &detail.doc;
    let response = &detail.model_response;
    let mut lines = Vec::new();
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
    lines
}

/// The generations, their post-processed forms and reasonings, each numbered when several.
fn response_lines(response: &crate::model::ModelResponse, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
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
    lines
}

pub(super) fn sample_lines(sample: &SampleDetail, theme: Theme) -> Vec<Line<'static>> {
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
    lines.extend(gold_lines(detail, theme));
    lines.extend(response_lines(response, theme));
    lines.push(section("metrics", theme));
    for (name, value) in &detail.metric {
        let text = match value {
            Json::Float(f) => format_value(*f),
            other => one_line(&json_text(other, false), 300),
        };
        lines.push(Line::from(format!("{name:<20} {text}")));
    }
    if sample.from_log {
        lines.extend(harness_fields(&doc.specific, theme));
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "r raw JSON · [ ] previous / next sample",
            theme.dim(),
        )));
        return lines;
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
