//! Drawing the save and push dialogs. Reads the dialog state, never changes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Theme;
use crate::tui::dialog::{Dialog, PushDialog, PushField, SaveDialog};

/// The Save dialog's title and lines.
fn save_lines(save: &SaveDialog, theme: Theme) -> (&'static str, Vec<Line<'static>>) {
    let mut lines = vec![
        Line::from(format!("Run   {} @ {}", save.run.model, save.run.date_id)),
        Line::from(""),
        Line::from(match save.run.log {
            None => "Output folder (results/ and details/ go inside):".to_owned(),
            Some(_) => format!(
                "Output folder (the {} run's files go inside, as the harness lays them out):",
                save.run.harness
            ),
        }),
        Line::from(Span::styled(
            format!("▸ {}▏", save.output_dir),
            theme.selected(),
        )),
        Line::from(""),
        Line::from(Span::styled(
            "An existing run is never overwritten.",
            theme.dim(),
        )),
    ];
    error_line(&mut lines, save.error.as_deref(), theme);
    lines.push(Line::from(Span::styled(
        "Enter save · Esc cancel",
        theme.dim(),
    )));
    (" Save run ", lines)
}

/// The Push dialog's title and lines; the file list takes the rows the screen has left.
fn push_lines(
    push: &PushDialog,
    theme: Theme,
    area: Rect,
    inner: usize,
) -> (&'static str, Vec<Line<'static>>) {
    let field = |focused: bool, text: String| {
        if focused {
            Span::styled(format!("▸ {text}"), theme.selected())
        } else {
            Span::raw(format!("  {text}"))
        }
    };
    let mut lines = vec![
        Line::from(format!("Run   {} @ {}", push.run.model, push.run.date_id)),
        Line::from(vec![
            Span::raw("Org   "),
            field(push.focus == PushField::Org, format!("{}▏", push.org)),
        ]),
        Line::from(vec![
            Span::raw("Repo  "),
            field(
                push.focus == PushField::Public,
                format!(
                    "[{}] public   → {}",
                    if push.public { "x" } else { " " },
                    push.repo_id()
                ),
            ),
        ]),
        Line::from(format!("Hub   {}", push.endpoint)),
        if push.token_present {
            Line::from("Token found (HF_TOKEN or the token file)")
        } else {
            Line::from(Span::styled(
                "✗ no token: set HF_TOKEN or run `hf auth login`",
                theme.error(),
            ))
        },
        Line::from(""),
        Line::from(format!("{} files in one commit:", push.files.len())),
    ];
    // Rows left for the file list: the screen, less the borders, the lines above, the
    // error (wrapped) and the key hint.
    let error_rows = push
        .error
        .as_deref()
        .map_or(0, |e| width_of(e).div_ceil(inner.max(1)));
    let room = (area.height as usize)
        .saturating_sub(2 + lines.len() + 1 + error_rows + 1 + 1)
        .max(1);
    for path in push.files.iter().take(room) {
        lines.push(Line::from(Span::styled(
            format!("  {}", elide_middle(path, inner.saturating_sub(2))),
            theme.dim(),
        )));
    }
    if push.files.len() > room {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more", push.files.len() - room),
            theme.dim(),
        )));
    }
    error_line(&mut lines, push.error.as_deref(), theme);
    lines.push(Line::from(Span::styled(
        "Tab field · Space public · Enter push · Esc cancel",
        theme.dim(),
    )));
    (" Push to the Hugging Face Hub ", lines)
}

pub fn dialog(dialog: &Dialog, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).clamp(20, 90).min(area.width);
    // Inside the borders.
    let inner = width.saturating_sub(2) as usize;
    let (title, lines) = match dialog {
        Dialog::Save(save) => save_lines(save, theme),
        Dialog::Push(push) => push_lines(push, theme, area, inner),
    };
    let wrapped: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner.max(1)))
        .sum();
    let height = (wrapped as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        popup,
    );
}

fn width_of(text: &str) -> usize {
    crate::text::width(text) + 2
}

/// `text` in `room` columns, its middle replaced by `…`: a details path keeps its task and date.
fn elide_middle(text: &str, room: usize) -> String {
    if crate::text::width(text) <= room || room < 5 {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let keep = room - 1;
    let (head, tail) = (keep / 3, keep - keep / 3);
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

fn error_line(lines: &mut Vec<Line<'static>>, error: Option<&str>, theme: Theme) {
    lines.push(Line::from(""));
    if let Some(error) = error {
        lines.push(Line::from(Span::styled(
            format!("✗ {error}"),
            theme.error(),
        )));
    }
}

impl Theme {
    fn error(self) -> ratatui::style::Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
}
