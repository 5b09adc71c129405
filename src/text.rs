//! Small text helpers shared by the CLI's tables and the TUI.

/// Display width in terminal columns, approximated by characters: wide East Asian characters
/// count 2, combining marks 0.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let code = c as u32;
    if matches!(code, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F | 0x200B..=0x200F)
    {
        0
    } else if matches!(code,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD)
    {
        2
    } else {
        1
    }
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

/// Marks a stored translation metric that lighteval computed with its reference layout.
pub const LIGHTEVAL_LAYOUT_MARK: &str = "†";
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
    }
}
