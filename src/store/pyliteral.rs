//! Python literals as written by `str()`: lighteval 0.5–0.7 stored every details column this way
//! (`"[(-0.47, False), (-1.2, True)]"`, `"None"`, `"{'acc': 1}"`). Parsing them back gives typed
//! values; text that is not a literal stays text.

use crate::model::{Json, Map};

/// Parses `text` as a Python literal: `None`, `True`/`False`, ints, floats (`nan`, `inf`), strings
/// in either quote, lists, tuples (as arrays), dicts (keys as text), and numpy wrappers such as
/// `np.float64(0.5)` (the inner value). `None` when `text` is not entirely one literal.
pub fn parse(text: &str) -> Option<Json> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    p.ws();
    let value = p.value()?;
    p.ws();
    (p.pos == p.s.len()).then_some(value)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 256;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Json> {
        self.ws();
        match self.peek()? {
            b'[' => self.sequence(b']'),
            b'(' => self.sequence(b')'),
            b'{' => self.dict(),
            b'\'' | b'"' => self.string().map(Json::Str),
            b'-' | b'+' | b'0'..=b'9' | b'.' => self.number(),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(),
            _ => None,
        }
    }

    fn nested(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn sequence(&mut self, close: u8) -> Option<Json> {
        self.nested()?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                break;
            }
            items.push(self.value()?);
            if self.eat(b',') {
                continue;
            }
            if self.eat(close) {
                break;
            }
            return None;
        }
        self.depth -= 1;
        Some(Json::Array(items))
    }

    fn dict(&mut self) -> Option<Json> {
        self.nested()?;
        self.pos += 1;
        let mut map = Map::new();
        loop {
            if self.eat(b'}') {
                break;
            }
            let key = match self.value()? {
                Json::Str(s) => s,
                other => crate::model::pyjson::to_string(
                    &other,
                    crate::model::pyjson::WriteOptions::STRICT_COMPACT,
                ),
            };
            if !self.eat(b':') {
                return None;
            }
            let value = self.value()?;
            map.insert(key, value);
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                break;
            }
            return None;
        }
        self.depth -= 1;
        Some(Json::Object(map))
    }

    fn word(&mut self) -> Option<Json> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.')
        ) {
            self.pos += 1;
        }
        match &self.text[start..self.pos] {
            "None" => Some(Json::Null),
            "True" => Some(Json::Bool(true)),
            "False" => Some(Json::Bool(false)),
            "nan" => Some(Json::Float(f64::NAN)),
            "inf" => Some(Json::Float(f64::INFINITY)),
            _ if self.peek() == Some(b'(') => {
                // `np.float64(0.5)`, `array([1, 2])`: the wrapped literal is the value.
                self.nested()?;
                self.pos += 1;
                let inner = self.value()?;
                // Trailing arguments such as `dtype=float32` are skipped.
                let mut depth = 0usize;
                while let Some(b) = self.peek() {
                    match b {
                        b'(' | b'[' => depth += 1,
                        b')' if depth == 0 => break,
                        b')' | b']' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.eat(b')').then_some(())?;
                self.depth -= 1;
                Some(inner)
            }
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        if self.s[self.pos..].starts_with(b"inf") {
            self.pos += 3;
            let negative = self.s[start] == b'-';
            return Some(Json::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        if self.s[self.pos..].starts_with(b"nan") {
            self.pos += 3;
            return Some(Json::Float(f64::NAN));
        }
        let mut is_float = false;
        while let Some(b) = self.peek() {
            match b {
                b'0'..=b'9' | b'_' => {}
                b'.' => is_float = true,
                b'e' | b'E' => {
                    is_float = true;
                    if matches!(self.s.get(self.pos + 1), Some(b'-' | b'+')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
            self.pos += 1;
        }
        let literal: String = self.text[start..self.pos]
            .chars()
            .filter(|c| *c != '_')
            .collect();
        if is_float {
            literal.parse().ok().map(Json::Float)
        } else {
            Some(literal.parse().map_or_else(
                |_| Json::BigInt(literal.trim_start_matches('+').to_owned()),
                Json::Int,
            ))
        }
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(b) = self.peek() {
                if b == quote || b == b'\\' {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.peek()? {
                b'\\' => {
                    self.pos += 1;
                    // The escaped character may be any character, several bytes long.
                    let kind = self.text.get(self.pos..)?.chars().next()?;
                    self.pos += kind.len_utf8();
                    match kind {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'a' => out.push('\u{7}'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'v' => out.push('\u{b}'),
                        '\\' | '\'' | '"' => out.push(kind),
                        'x' => out.push(self.hex(2)?),
                        'u' => out.push(self.hex(4)?),
                        'U' => out.push(self.hex(8)?),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                _ => {
                    self.pos += 1;
                    return Some(out);
                }
            }
        }
    }

    fn hex(&mut self, len: usize) -> Option<char> {
        let digits = self.text.get(self.pos..self.pos + len)?;
        let code = u32::from_str_radix(digits, 16).ok()?;
        self.pos += len;
        char::from_u32(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_str_of_python_values() {
        let v = parse("[(-0.47, False), (-1.2, True)]").unwrap();
        assert_eq!(
            v,
            Json::Array(vec![
                Json::Array(vec![Json::Float(-0.47), Json::Bool(false)]),
                Json::Array(vec![Json::Float(-1.2), Json::Bool(true)]),
            ])
        );
        assert_eq!(parse("None"), Some(Json::Null));
        let d = parse("{'acc': 1, \"f1\": 0.5, 'x': nan}").unwrap();
        assert_eq!(d.get("acc"), Some(&Json::Int(1)));
        assert!(d.get("x").unwrap().as_f64().unwrap().is_nan());
        assert_eq!(
            parse("['it\\'s', \"a\\nb\", '\\xe9']")
                .unwrap()
                .as_array()
                .unwrap()[0],
            Json::Str("it's".into())
        );
        assert_eq!(
            parse("[np.float64(0.5), 1e-05, -inf]").unwrap(),
            Json::Array(vec![
                Json::Float(0.5),
                Json::Float(1e-5),
                Json::Float(f64::NEG_INFINITY)
            ])
        );
        assert_eq!(parse("(1,)"), Some(Json::Array(vec![Json::Int(1)])));
    }

    #[test]
    fn an_escaped_multibyte_character_is_kept() {
        assert_eq!(parse("'a\\é'"), Some(Json::Str("a\\é".into())));
    }

    #[test]
    fn text_is_not_a_literal() {
        assert_eq!(parse("The capital of France is"), None);
        assert_eq!(parse("[1, 2"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse(&"[".repeat(10_000)), None);
    }
}
