//! sacrebleu's tokenizers, character for character: `13a` (mteval-v13a, BLEU's default), `zh`
//! (BLEU for Chinese) and the tercom normaliser TER uses by default. Whitespace is Python's
//! (`str.split()`), which is Rust's plus the four information separators U+001C–U+001F.

/// Python's `str.isspace()`.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `line.split()`: words between runs of whitespace, none empty.
pub fn py_split(line: &str) -> impl Iterator<Item = &str> {
    line.split(is_py_space).filter(|w| !w.is_empty())
}

/// Python's `' '.join(line.split())`.
fn collapse_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in py_split(line) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Python's `str.rstrip()`.
pub fn py_rstrip(line: &str) -> &str {
    line.trim_end_matches(is_py_space)
}

/// Python's `str.strip()`.
fn py_strip(line: &str) -> &str {
    line.trim_matches(is_py_space)
}

/// sacrebleu's `Tokenizer13a`.
pub fn tokenize_13a(line: &str) -> String {
    let mut line = line
        .replace("<skipped>", "")
        .replace("-\n", "")
        .replace('\n', " ");
    if line.contains('&') {
        // Sequential, as sacrebleu does: `&amp;lt;` becomes `<`.
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    tokenize_regexp(&format!(" {line} "))
}

/// sacrebleu's `TokenizerZh`: every Chinese character on its own, the rest as `13a`'s
/// language-dependent part (without `13a`'s entity and line handling).
pub fn tokenize_zh(line: &str) -> String {
    let mut spaced = String::with_capacity(line.len() * 2);
    for c in py_strip(line).chars() {
        if is_chinese_char(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    tokenize_regexp(&spaced)
}

/// sacrebleu's `_UCODE_RANGES`, as Python compares them. Two of its bounds are written
/// `'\u20000'` and `'\u2f800'`: in Python those are two-character strings (U+2000 then `0`),
/// so the ranges that take effect are U+2001–U+2A6D and U+2F81–U+2FA1, which cover general
/// punctuation (`“ ” … €`) and more. Reproduced as sacrebleu behaves, not as it meant.
const CHINESE_RANGES: [(u32, u32); 22] = [
    (0x3400, 0x4db5),
    (0x4e00, 0x9fa5),
    (0x9fa6, 0x9fbb),
    (0xf900, 0xfa2d),
    (0xfa30, 0xfa6a),
    (0xfa70, 0xfad9),
    (0x2001, 0x2a6d),
    (0x2f81, 0x2fa1),
    (0xff00, 0xffef),
    (0x2e80, 0x2eff),
    (0x3000, 0x303f),
    (0x31c0, 0x31ef),
    (0x2f00, 0x2fdf),
    (0x2ff0, 0x2fff),
    (0x3100, 0x312f),
    (0x31a0, 0x31bf),
    (0xfe10, 0xfe1f),
    (0xfe30, 0xfe4f),
    (0x2600, 0x26ff),
    (0x2700, 0x27bf),
    (0x3200, 0x32ff),
    (0x3300, 0x33ff),
];

fn is_chinese_char(c: char) -> bool {
    let c = c as u32;
    CHINESE_RANGES
        .iter()
        .any(|&(start, end)| start <= c && c <= end)
}

/// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation but `'`, `,`, `-` and `.`, and the space.
fn is_13a_punct(c: char) -> bool {
    matches!(c, '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/')
}

/// sacrebleu's `TokenizerRegexp`: four `re.sub` passes, then single spaces.
fn tokenize_regexp(line: &str) -> String {
    let mut spaced = String::with_capacity(line.len() * 2);
    for c in line.chars() {
        if is_13a_punct(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    let digit = |c: char| c.is_ascii_digit();
    let period_or_comma = |c: char| c == '.' || c == ',';
    // ([^0-9])([\.,]) → \1 \2
    let spaced = substitute_pairs(
        &spaced,
        |a, b| !digit(a) && period_or_comma(b),
        "",
        " ",
        " ",
    );
    // ([\.,])([^0-9]) → " \1 \2"
    let spaced = substitute_pairs(
        &spaced,
        |a, b| period_or_comma(a) && !digit(b),
        " ",
        " ",
        "",
    );
    // ([0-9])(-) → \1 \2
    let spaced = substitute_pairs(&spaced, |a, b| digit(a) && b == '-', "", " ", " ");
    collapse_spaces(&spaced)
}

/// `re.sub` of a two-character pattern: matches are found left to right and do not overlap, so
/// after a match the scan resumes behind its second character.
fn substitute_pairs(
    line: &str,
    matches: impl Fn(char, char) -> bool,
    before: &str,
    between: &str,
    after: &str,
) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + line.len() / 4);
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() && matches(chars[i], chars[i + 1]) {
            out.push_str(before);
            out.push(chars[i]);
            out.push_str(between);
            out.push(chars[i + 1]);
            out.push_str(after);
            i += 2;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// sacrebleu's `TercomTokenizer` with TER's defaults (not normalised, punctuation kept, case
/// insensitive). `asian_support` only acts with normalisation or punctuation removal, so under
/// these defaults it changes nothing, and it is not a parameter here.
pub fn tokenize_tercom(line: &str) -> String {
    if line.is_empty() {
        return String::new();
    }
    // Python's `str.lower()` is Rust's: full Unicode lower-casing with the final-sigma rule.
    collapse_spaces(&line.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_a_splits_punctuation_but_not_numbers() {
        assert_eq!(tokenize_13a("Hello, world!"), "Hello , world !");
        assert_eq!(
            tokenize_13a("It costs 3.50 or 1,000."),
            "It costs 3.50 or 1,000 ."
        );
        assert_eq!(tokenize_13a("1990-2000"), "1990 - 2000");
        assert_eq!(tokenize_13a("a&amp;lt;b"), "a < b");
        assert_eq!(tokenize_13a("don't"), "don't");
        assert_eq!(tokenize_13a("e.g.."), "e . g . .");
    }

    #[test]
    fn zh_splits_chinese_characters_and_the_general_punctuation_block() {
        assert_eq!(tokenize_zh("我爱北京"), "我 爱 北 京");
        // U+201C and U+201D fall in sacrebleu's effective U+2001–U+2A6D range.
        assert_eq!(tokenize_zh("“ok”"), "“ ok ”");
        assert_eq!(tokenize_zh("\u{2000}x"), "x");
    }

    #[test]
    fn python_whitespace_includes_information_separators() {
        assert_eq!(
            py_split("a\u{1c}b\u{a0}c").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(tokenize_tercom("  The CAT\tsat "), "the cat sat");
    }
}
