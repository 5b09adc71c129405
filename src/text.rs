//! Small text helpers shared by the CLI's tables and the TUI.

/// Display width in terminal columns, as ratatui measures it (both use `unicode-width`), so the
/// CLI's tables and the TUI agree on emoji and East Asian text.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// One line of at most `max` characters: newlines shown as `↵`, tabs as `⇥`, other control
/// characters as `·`, the rest cut with `…`.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let too_long = text.chars().nth(max).is_some();
    for (i, c) in text.chars().enumerate() {
        if too_long && i + 1 >= max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push('↵'),
            '\r' => {}
            '\t' => out.push('⇥'),
            c if c.is_control() => out.push('·'),
            c => out.push(c),
        }
    }
    out
}

/// [`one_line`], then cut to `columns` display columns with `…` when longer, so a table cell
/// never silently loses its end (wide characters count two).
pub fn fit(text: &str, columns: usize) -> String {
    let line = one_line(text, columns.max(1) * 2);
    if width(&line) <= columns {
        return line;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    if columns > 0 {
        out.push('…');
    }
    out
}

/// A metric value with four decimals, as lighteval's tables print it; non-finite values spelled out.
pub fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        format!("{value:.4}")
    }
}

/// A publishing step in words, the same in the CLI's progress line and the TUI's status line.
pub fn publish_event(event: &crate::publish::PublishEvent) -> String {
    use crate::hub::CommitProgress;
    use crate::publish::{PublishEvent, PushProgress};
    match event {
        PublishEvent::Hub(PushProgress::CheckingRepo) => "Hub: checking the repo".into(),
        PublishEvent::Hub(PushProgress::CreatedRepo) => "Hub: created the repo".into(),
        PublishEvent::Hub(PushProgress::ListingRepo) => "Hub: listing the repo".into(),
        PublishEvent::Hub(PushProgress::Commit(CommitProgress::Preparing { files, bytes })) => {
            format!("Hub: hashing {files} files ({})", human_bytes(*bytes))
        }
        PublishEvent::Hub(PushProgress::Commit(CommitProgress::Uploaded {
            path,
            bytes_done,
            bytes_total,
        })) => format!(
            "Hub: {:.0}% uploaded, {} of {} ({path})",
            upload_fraction(*bytes_done, *bytes_total) * 100.0,
            human_bytes(*bytes_done),
            human_bytes(*bytes_total)
        ),
        PublishEvent::Hub(PushProgress::Commit(CommitProgress::Committing)) => {
            "Hub: committing".into()
        }
        PublishEvent::Trackio => "Trackio: logging".into(),
        PublishEvent::Tensorboard => "TensorBoard: writing".into(),
    }
}

/// The share of an upload done, 0 to 1.
pub fn upload_fraction(done: u64, total: u64) -> f64 {
    done as f64 / total.max(1) as f64
}

/// A byte count in decimal units: `512 B`, `1.2 kB`, `3.4 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// What the Diff screen's marks mean.
pub const DIFF_LEGEND: &str =
    "* significant (Holm-adjusted p)  ▲ better  ▼ worse  ~ unpaired  ! prompt drift";

/// Marks a stored translation metric that lighteval computed with its reference layout.
pub const LIGHTEVAL_LAYOUT_MARK: &str = "†";
/// The metric cell of a task whose log holds no scores (an Inspect log run without a scorer):
/// its samples are still there to open.
pub const NO_SCORES: &str = "(no scores)";
/// Marks evaldeck's corrected corpus score beside it.
pub const CORPUS_SCORE_MARK: &str = "‡";
pub const LIGHTEVAL_LAYOUT_NOTE: &str = "† lighteval's number: sacrebleu was given the golds as \
    reference streams, so it scores the first prediction against every gold";
pub const CORPUS_SCORE_NOTE: &str = "‡ evaldeck's corpus score: each prediction against its own \
    golds (not in lighteval's files)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_display_columns() {
        assert_eq!(fit("Copper is a good conductor", 12), "Copper is a…");
        assert_eq!(fit("Tokyo (東京) is", 10), "Tokyo (東…");
        assert_eq!(width(&fit("東京東京東京", 7)), 7);
        assert_eq!(fit("short", 12), "short");
        assert_eq!(fit("a\nb", 5), "a↵b");
    }

    #[test]
    fn one_line_elides() {
        assert_eq!(one_line("ab\ncd", 10), "ab↵cd");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
        assert_eq!(one_line("abcde", 5), "abcde");
    }

    #[test]
    fn widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("東京"), 4);
        assert_eq!(width("e\u{301}"), 1);
        // Emoji are two columns, as ratatui draws them.
        for text in ["🚀", "✅", "🚀 ok ✅", "東京 tokyo", "ｈｅｌｌｏ"] {
            assert_eq!(
                width(text),
                ratatui::text::Line::from(text).width(),
                "{text}"
            );
        }
        assert_eq!(width("🚀✅"), 4);
    }
}
