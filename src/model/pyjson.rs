//! Reading and writing JSON the way Python's `json` module does, so lighteval's files survive a
//! round trip byte for byte: bare `NaN` / `Infinity` tokens, key order, `indent=2`,
//! `ensure_ascii=False`, and Python's shortest float repr (`1e-05`, `0.1`, `1e+16`).

use crate::model::{Json, Map};
use std::fmt::Write as _;

/// Nesting deeper than this is rejected instead of risking the stack.
const MAX_DEPTH: usize = 512;

/// Where and why a JSON text could not be parsed. Line and column are 1-based; the column counts
/// characters, as editors do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct JsonSyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses a JSON text as Python's `json.loads` does: non-finite float tokens are accepted, a
/// repeated key keeps its first position and its last value.
pub fn parse(text: &str) -> Result<Json, JsonSyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("extra data after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> JsonSyntaxError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> JsonSyntaxError {
        let pos = pos.min(self.bytes.len());
        // Back off to a char boundary so slicing cannot panic on a multi-byte character.
        let mut boundary = pos;
        while !self.text.is_char_boundary(boundary) {
            boundary -= 1;
        }
        let before = &self.text[..boundary];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        JsonSyntaxError {
            line,
            column,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Json) -> Result<Json, JsonSyntaxError> {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Json, JsonSyntaxError> {
        match self.peek() {
            None => Err(self.error("unexpected end of file (the file may be truncated)")),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b'N') => self.expect_literal("NaN", Json::Float(f64::NAN)),
            Some(b'I') => self.expect_literal("Infinity", Json::Float(f64::INFINITY)),
            Some(b'-') if self.bytes[self.pos..].starts_with(b"-Infinity") => {
                self.pos += "-Infinity".len();
                Ok(Json::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn nested(
        &mut self,
        inner: fn(&mut Self) -> Result<Json, JsonSyntaxError>,
    ) -> Result<Json, JsonSyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        let value = inner(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Json, JsonSyntaxError> {
        self.pos += 1; // '{'
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error_or_eof("expected a string key in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error_or_eof("expected ':' after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            // Python's dict(pairs): the first position, the last value.
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(map));
                }
                _ => return Err(self.error_or_eof("expected ',' or '}' in the object")),
            }
        }
    }

    fn array(&mut self) -> Result<Json, JsonSyntaxError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error_or_eof("expected ',' or ']' in the array")),
            }
        }
    }

    fn error_or_eof(&self, message: &str) -> JsonSyntaxError {
        if self.pos >= self.bytes.len() {
            self.error("unexpected end of file (the file may be truncated)")
        } else {
            self.error(message)
        }
    }

    fn number(&mut self) -> Result<Json, JsonSyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            is_float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        let literal = &self.text[start..self.pos];
        if is_float {
            // Rust's parser rounds correctly and overflows to ±inf, as Python's float() does.
            literal
                .parse()
                .map(Json::Float)
                .map_err(|_| self.error_at(start, "invalid number"))
        } else {
            Ok(literal
                .parse()
                .map_or_else(|_| Json::BigInt(literal.to_owned()), Json::Int))
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<String, JsonSyntaxError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                None => return Err(self.error_at(start, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonSyntaxError> {
        let at = self.pos;
        self.pos += 1; // backslash
        let Some(kind) = self.peek() else {
            return Err(self.error_at(at, "unterminated string"));
        };
        self.pos += 1;
        match kind {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let first = self.hex4(at)?;
                let code = if (0xD800..0xDC00).contains(&first)
                    && self.bytes[self.pos..].starts_with(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let second = self.hex4(at)?;
                    if (0xDC00..0xE000).contains(&second) {
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    } else {
                        self.pos = save;
                        first
                    }
                } else {
                    first
                };
                // A lone surrogate has no UTF-8 form; U+FFFD is the only honest stand-in.
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            _ => return Err(self.error_at(at, "invalid escape in a string")),
        }
        Ok(())
    }

    fn hex4(&mut self, escape_at: usize) -> Result<u32, JsonSyntaxError> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error_at(escape_at, "invalid \\u escape"))?;
        self.pos += 4;
        Ok(u32::from_str_radix(hex, 16).expect("checked hex digits"))
    }
}

/// How non-finite floats are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonFinite {
    /// `NaN`, `Infinity`, `-Infinity`, as Python writes them (what lighteval's files hold).
    PythonTokens,
    /// `null`, for strict JSON consumers (`jq`, browsers, serde_json).
    Null,
}

/// Output layout: Python's `json.dumps(value, indent=2, ensure_ascii=False)`, or one compact line
/// (`separators=(",", ":")`) for JSON lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    pub indent: Option<usize>,
    pub non_finite: NonFinite,
}

impl WriteOptions {
    /// lighteval's results files.
    pub const PYTHON_INDENT2: WriteOptions = WriteOptions {
        indent: Some(2),
        non_finite: NonFinite::PythonTokens,
    };
    /// Strict JSON on one line.
    pub const STRICT_COMPACT: WriteOptions = WriteOptions {
        indent: None,
        non_finite: NonFinite::Null,
    };
    /// Strict JSON, indented for people.
    pub const STRICT_INDENT2: WriteOptions = WriteOptions {
        indent: Some(2),
        non_finite: NonFinite::Null,
    };
}

/// Serialises `value` as Python's `json.dumps` would with the given options.
pub fn to_string(value: &Json, options: WriteOptions) -> String {
    let mut out = String::new();
    write_value(&mut out, value, options, 0);
    out
}

/// Appends `value` to `out`; see [`to_string`].
pub fn write_value(out: &mut String, value: &Json, options: WriteOptions, level: usize) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Json::BigInt(digits) => out.push_str(digits),
        Json::Float(f) => write_float(out, *f, options.non_finite),
        Json::Str(s) => write_string(out, s),
        Json::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, options, level + 1);
                write_value(out, item, options, level + 1);
            }
            newline(out, options, level);
            out.push(']');
        }
        Json::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, options, level + 1);
                write_string(out, key);
                out.push_str(if options.indent.is_some() { ": " } else { ":" });
                write_value(out, item, options, level + 1);
            }
            newline(out, options, level);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, options: WriteOptions, level: usize) {
    if let Some(indent) = options.indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', indent * level));
    }
}

/// Python's `float.__repr__`: the shortest digits that round-trip, in fixed notation when the
/// decimal exponent is in [-4, 16), scientific otherwise, with a two-digit exponent at least.
pub fn write_float(out: &mut String, f: f64, non_finite: NonFinite) {
    if !f.is_finite() {
        let token = match non_finite {
            NonFinite::Null => "null",
            NonFinite::PythonTokens if f.is_nan() => "NaN",
            NonFinite::PythonTokens if f > 0.0 => "Infinity",
            NonFinite::PythonTokens => "-Infinity",
        };
        out.push_str(token);
        return;
    }
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Rust's `{:e}` prints the shortest round-tripping digits, e.g. `3.333333333333333e-1`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Position of the decimal point relative to the first digit, as in Python's dtoa.
    let decimal_point = exponent + 1;
    if f < 0.0 {
        out.push('-');
    }
    if (-4 < decimal_point) && (decimal_point <= 16) {
        if decimal_point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decimal_point) as usize));
            out.push_str(&digits);
        } else {
            let point = decimal_point as usize;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    }
}

/// A string as Python's `json.dumps(..., ensure_ascii=False)` writes it: only `"`, `\` and
/// control characters are escaped.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut run_start = 0;
    while let Some(offset) = first_escape(&bytes[run_start..]) {
        let i = run_start + offset;
        out.push_str(&s[run_start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

/// Index of the first byte that JSON must escape (`"`, `\`, or below 0x20). Strings are mostly
/// plain text, so this checks eight bytes at a time before looking at single bytes.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        // A byte below 0x20, or equal to '"' or '\\': only then look closer.
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if below_space
            | has_zero(word ^ (ONES * u64::from(b'"')))
            | has_zero(word ^ (ONES * u64::from(b'\\')))
            != 0
            && let Some(i) = chunk.iter().position(|&b| needs_escape(b))
        {
            return Some(base + i);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|i| base + i)
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Python's `ensure_ascii=True`: every non-ASCII character of JSON text as `\uXXXX` (a surrogate
/// pair beyond the BMP). JSON's syntax is ASCII, so only string contents change.
pub fn escape_non_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(f: f64) -> String {
        let mut out = String::new();
        write_float(&mut out, f, NonFinite::PythonTokens);
        out
    }

    #[test]
    fn floats_follow_python_repr() {
        let cases = [
            (1e-05, "1e-05"),
            (0.0001, "0.0001"),
            (0.3333333333333333, "0.3333333333333333"),
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.7, "1234567890123456.8"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (17.195750505457287, "17.195750505457287"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-0.0, "-0.0"),
            (123.0, "123.0"),
        ];
        for (value, expected) in cases {
            assert_eq!(repr(value), expected, "repr of {value:?}");
        }
        assert_eq!(repr(f64::NAN), "NaN");
        assert_eq!(repr(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn parses_python_tokens_and_keeps_order() {
        let value =
            parse(r#"{"b": NaN, "a": [Infinity, -Infinity, 1, 1.0, 123456789012345678901234]}"#)
                .unwrap();
        let map = value.as_object().unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert!(map["b"].as_f64().unwrap().is_nan());
        let items = map["a"].as_array().unwrap();
        assert_eq!(items[0], Json::Float(f64::INFINITY));
        assert_eq!(items[2], Json::Int(1));
        assert_eq!(items[3], Json::Float(1.0));
        assert_eq!(items[4], Json::BigInt("123456789012345678901234".into()));
    }

    #[test]
    fn duplicate_key_keeps_first_position_last_value() {
        let value = parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let map = value.as_object().unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(map["a"], Json::Int(3));
    }

    #[test]
    fn writes_like_json_dumps_indent_2() {
        let value = parse(r#"{"a": [], "b": {}, "c": [1, "é\n\"\u0001"], "d": null}"#).unwrap();
        let text = to_string(&value, WriteOptions::PYTHON_INDENT2);
        assert_eq!(
            text,
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    \"é\\n\\\"\\u0001\"\n  ],\n  \"d\": null\n}"
        );
    }

    #[test]
    fn escapes_at_every_position_of_a_word() {
        for len in 0..20 {
            for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'é'] {
                for at in 0..len {
                    let text: String = (0..len)
                        .map(|i| if i == at { special } else { 'a' })
                        .collect();
                    let mut ours = String::new();
                    write_string(&mut ours, &text);
                    let simple: String = text
                        .chars()
                        .map(|c| match c {
                            '"' => "\\\"".to_owned(),
                            '\\' => "\\\\".to_owned(),
                            '\n' => "\\n".to_owned(),
                            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
                            c => c.to_string(),
                        })
                        .collect();
                    assert_eq!(ours, format!("\"{simple}\""), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn strict_compact_writes_null_for_non_finite() {
        let value = parse(r#"{"x": NaN, "y": [Infinity]}"#).unwrap();
        assert_eq!(
            to_string(&value, WriteOptions::STRICT_COMPACT),
            r#"{"x":null,"y":[null]}"#
        );
    }

    #[test]
    fn errors_have_line_and_column() {
        let err = parse("{\n  \"a\": 1,\n  \"b\": tru\n}").unwrap_err();
        assert_eq!((err.line, err.column), (3, 8));
        let err = parse("{\"a\": [1, 2").unwrap_err();
        assert!(err.message.contains("truncated"), "{err}");
        let err = parse("\"é\u{1}\"").unwrap_err();
        assert_eq!((err.line, err.column), (1, 3));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nested"), "{err}");
    }

    #[test]
    fn surrogate_pairs_decode() {
        assert_eq!(parse(r#""\ud83d\ude00""#).unwrap(), Json::Str("😀".into()));
    }
}
