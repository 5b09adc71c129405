//! Rendering rows of text cells as an aligned table, a Markdown table or CSV: one renderer for
//! every headless command, so their outputs look alike.

use std::io::{self, Write};

pub use crate::text::{one_line, width};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table: headers, alignment per column, rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[(&str, Align)]) -> Self {
        Table {
            headers: headers.iter().map(|(h, _)| (*h).to_owned()).collect(),
            align: headers.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        widths
    }

    /// Columns separated by two spaces, header underlined.
    pub fn write_plain(&self, out: &mut dyn Write) -> io::Result<()> {
        let widths = self.widths();
        let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
            let mut text = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                pad(&mut text, cell, *w, self.align[i]);
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(&self.headers, out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, out)?;
        for row in &self.rows {
            line(row, out)?;
        }
        Ok(())
    }

    /// A GitHub-flavoured Markdown table; `|` in cells is escaped.
    pub fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        let escape = |c: &str| c.replace('|', "\\|").replace('\n', " ");
        let escaped: Vec<Vec<String>> = std::iter::once(&self.headers)
            .chain(&self.rows)
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let mut widths = vec![3; self.headers.len()];
        for row in &escaped {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(c));
            }
        }
        for (i, row) in escaped.iter().enumerate() {
            let mut text = String::from("|");
            for (j, (cell, w)) in row.iter().zip(&widths).enumerate() {
                pad(&mut text, cell, *w, self.align[j]);
                text.push('|');
            }
            writeln!(out, "{text}")?;
            if i == 0 {
                let mut rule = String::from("|");
                for (w, align) in widths.iter().zip(&self.align) {
                    match align {
                        Align::Left => rule.push_str(&"-".repeat(*w)),
                        Align::Right => {
                            rule.push_str(&"-".repeat(w - 1));
                            rule.push(':');
                        }
                    }
                    rule.push('|');
                }
                writeln!(out, "{rule}")?;
            }
        }
        Ok(())
    }

    /// RFC 4180 CSV.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        write_csv_row(out, &self.headers)?;
        for row in &self.rows {
            write_csv_row(out, row)?;
        }
        Ok(())
    }
}

pub fn write_csv_row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

fn pad(out: &mut String, cell: &str, w: usize, align: Align) {
    let fill = w.saturating_sub(width(cell));
    match align {
        Align::Left => {
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', fill));
        }
        Align::Right => {
            out.extend(std::iter::repeat_n(' ', fill));
            out.push_str(cell);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(t: &Table, f: fn(&Table, &mut dyn Write) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(t, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn renders_three_ways() {
        let mut t = Table::new(&[("Task", Align::Left), ("Value", Align::Right)]);
        t.push(vec!["a|b".into(), "0.5000".into()]);
        t.push(vec!["long, name".into(), "1".into()]);
        assert_eq!(
            render(&t, Table::write_plain),
            "Task         Value\n----------  ------\na|b         0.5000\nlong, name       1\n"
        );
        assert_eq!(
            render(&t, Table::write_markdown),
            "|Task      | Value|\n|----------|-----:|\n|a\\|b      |0.5000|\n|long, name|     1|\n"
        );
        assert_eq!(
            render(&t, Table::write_csv),
            "Task,Value\r\na|b,0.5000\r\n\"long, name\",1\r\n"
        );
    }
}
