//! `samples --format jsonl` of an lm-eval samples file without rebuilding each line: the common
//! keys from the few fields they need, then the line's own fields as written.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use super::samples::{SamplesFile, parse_line, sample_detail, text_of};
use crate::model::pyjson;
use crate::store::{Result, StoreError};

impl SamplesFile {
    pub(super) fn copy_lines_with_common_keys(
        &self,
        limit: u64,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<()> {
        let file = File::open(&self.path).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            source: e,
        })?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = String::new();
        let mut text = String::new();
        let mut written = 0u64;
        let mut number = 0usize;
        while written < limit {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|e| StoreError::log(&self.path, format!("line {}: {e}", number + 1)))?;
            if read == 0 {
                break;
            }
            number += 1;
            if line.trim().is_empty() {
                continue;
            }
            text.clear();
            if fast_line(line.trim_end(), &mut text).is_none() {
                // Not for the fast path (a bare NaN, an odd shape): the full reading, which
                // also names a line that is not JSON.
                let raw = parse_line(&self.path, number, &line)?;
                let detail = sample_detail(&self.task, &raw);
                text.clear();
                text.push_str(&pyjson::to_string(
                    &crate::store::with_common_keys(raw, &detail),
                    pyjson::WriteOptions::STRICT_COMPACT,
                ));
            }
            text.push('\n');
            out.write_all(text.as_bytes()).map_err(|e| StoreError::Io {
                path: out_name.to_owned(),
                source: e,
            })?;
            written += 1;
        }
        Ok(())
    }
}

/// The common keys a line's [`sample_detail`] gives, then the line's own fields copied as
/// written; `None` when the line is not for this path. Equal, as JSON, to
/// [`crate::store::with_common_keys`] of the line (a test holds them together).
fn fast_line(line: &str, out: &mut String) -> Option<()> {
    use serde_json::value::RawValue;
    let fields: indexmap::IndexMap<String, &RawValue> = serde_json::from_str(line).ok()?;
    let field = |key: &str| fields.get(key).map(|raw| raw.get());
    let string = |raw: &str| serde_json::from_str::<String>(raw).ok();
    // `id`: doc_id, with the filter unless it is `none`.
    let doc_id = match field("doc_id") {
        Some(raw) if raw.starts_with('"') => string(raw)?,
        Some(raw) => raw.to_owned(),
        None => String::new(),
    };
    let filter = field("filter").and_then(string);
    let id = match filter.as_deref() {
        Some(filter) if filter != "none" => format!("{doc_id}/{filter}"),
        _ => doc_id,
    };
    // The requests: the first context is the input; continuations are the choices.
    let arguments: indexmap::IndexMap<String, indexmap::IndexMap<String, &RawValue>> =
        match field("arguments") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => indexmap::IndexMap::new(),
        };
    let requests: Vec<&indexmap::IndexMap<String, &RawValue>> = arguments.values().collect();
    fn arg<'a>(r: &indexmap::IndexMap<String, &'a RawValue>, key: &str) -> Option<&'a str> {
        r.get(key).map(|v| v.get())
    }
    let loglikelihood = !requests.is_empty()
        && requests
            .iter()
            .all(|r| arg(r, "arg_1").is_some_and(|a| a.starts_with('"')));
    let choices: Vec<&str> = if loglikelihood && requests.len() > 1 {
        requests.iter().filter_map(|r| arg(r, "arg_1")).collect()
    } else {
        Vec::new()
    };
    // Anything but plain strings where text is expected takes the full path.
    let input = match requests.first().and_then(|r| arg(r, "arg_0")) {
        Some(raw) if raw.starts_with('"') => raw,
        Some(_) => return None,
        None => "\"\"",
    };
    let targets: Vec<String> = match field("target") {
        None | Some("null") => Vec::new(),
        Some(raw) if raw.starts_with('"') => vec![raw.to_owned()],
        Some(raw) if raw.starts_with('[') => {
            let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
            items
                .iter()
                .map(|i| quoted(i.get()))
                .collect::<Option<_>>()?
        }
        Some(raw) => vec![quoted(raw)?],
    };
    let gold_choices: Vec<&str> = if choices.is_empty() {
        Vec::new()
    } else {
        targets
            .iter()
            .filter_map(|t| string(t)?.trim().parse::<i64>().ok())
            .filter(|&i| i >= 0 && (i as usize) < choices.len())
            .map(|i| choices[i as usize])
            .collect()
    };
    let golds: Vec<&str> = if gold_choices.is_empty() {
        targets.iter().map(String::as_str).collect()
    } else {
        gold_choices
    };
    let prediction = if loglikelihood {
        let filtered: Vec<serde_json::Value> = match field("filtered_resps") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => Vec::new(),
        };
        let logprob = |r: &serde_json::Value| -> f64 {
            let first = r.as_array().and_then(|pair| pair.first()).unwrap_or(r);
            match first {
                serde_json::Value::String(s) => s.parse().unwrap_or(f64::NAN),
                other => other.as_f64().unwrap_or(f64::NAN),
            }
        };
        let best = filtered
            .iter()
            .map(logprob)
            .enumerate()
            .filter(|(_, lp)| !lp.is_nan())
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        match best {
            Some(i) => choices.get(i).copied().unwrap_or("\"\""),
            None => "\"\"",
        }
    } else {
        // The first generation, as `sample_detail` flattens `resps`.
        let resps: Vec<&RawValue> = match field("resps") {
            Some(raw) => serde_json::from_str(raw).ok()?,
            None => Vec::new(),
        };
        match resps.first().map(|r| r.get()) {
            Some(raw) if raw.starts_with('[') => {
                let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
                match items.first().map(|i| i.get()) {
                    Some(first) if first.starts_with('"') => first,
                    Some(_) => return None,
                    None => "\"\"",
                }
            }
            Some(raw) if raw.starts_with('"') => raw,
            Some(_) => return None,
            None => "\"\"",
        }
    };
    let metric_names: Vec<String> = match field("metrics") {
        Some(raw) => serde_json::from_str::<Vec<serde_json::Value>>(raw)
            .ok()?
            .into_iter()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect(),
        None => Vec::new(),
    };
    out.push_str("{\"id\":");
    pyjson::write_string(out, &id);
    out.push_str(",\"input\":");
    out.push_str(input);
    out.push_str(",\"target\":[");
    for (i, gold) in golds.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(gold);
    }
    out.push_str("],\"prediction\":");
    out.push_str(prediction);
    out.push_str(",\"scores\":{");
    let mut first = true;
    for name in &metric_names {
        let Some(value) =
            field(name).and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
        else {
            continue;
        };
        let number = match value {
            serde_json::Value::Bool(b) => f64::from(u8::from(b)),
            serde_json::Value::Number(n) => match n.as_f64() {
                Some(f) => f,
                None => continue,
            },
            _ => continue,
        };
        if !first {
            out.push(',');
        }
        first = false;
        pyjson::write_string(out, name);
        out.push(':');
        pyjson::write_float(out, number, pyjson::NonFinite::Null);
    }
    out.push('}');
    for (key, raw) in &fields {
        let raw = raw.get();
        let renamed = match key.as_str() {
            "id" | "input" | "target" | "prediction" | "scores" | "epoch" => {
                // A field of the same name keeps its place when it says the same, else moves.
                let same = |common: &str| {
                    serde_json::from_str::<serde_json::Value>(common).ok()
                        == serde_json::from_str::<serde_json::Value>(raw).ok()
                };
                let common = match key.as_str() {
                    "target" => format!("[{}]", golds.join(",")),
                    "input" => input.to_owned(),
                    "prediction" => prediction.to_owned(),
                    // `id`, `scores` and `epoch` are rare in lm-eval lines: the full path.
                    _ => return None,
                };
                if same(&common) {
                    continue;
                }
                format!("raw_{key}")
            }
            _ => key.clone(),
        };
        out.push(',');
        pyjson::write_string(out, &renamed);
        out.push(':');
        // serde_json validated the line, so each value is strict JSON as it stands (with the
        // harness's own spacing, on the one line it had).
        out.push_str(raw);
    }
    out.push('}');
    Some(())
}

/// A scalar's JSON text as a JSON string of that text (`3` → `"3"`), as [`text_of`] makes it.
fn quoted(raw: &str) -> Option<String> {
    if raw.starts_with('"') {
        return Some(raw.to_owned());
    }
    let value = pyjson::parse(raw).ok()?;
    let mut out = String::new();
    pyjson::write_string(&mut out, &text_of(&value));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Json;

    /// The fast `samples --format jsonl` path and the full one give equal JSON for every line of
    /// the real fixtures and for shapes they lack; a line with a bare NaN takes the full path.
    #[test]
    fn the_fast_jsonl_path_equals_the_full_one() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lm-eval-0.4.13/fixture-org__dummy-lm");
        let mut lines: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                lines.extend(
                    std::fs::read_to_string(&path)
                        .unwrap()
                        .lines()
                        .map(str::to_owned),
                );
            }
        }
        assert_eq!(lines.len(), 72, "both runs' lines");
        lines.extend([
            r#"{"doc_id": 3, "target": 7, "arguments": {"gen_args_0": {"arg_0": "Q: 3+4?", "arg_1": {"until": ["\n"]}}}, "resps": [["7"]], "filtered_resps": ["7"], "filter": "none", "metrics": ["exact_match", "bleu"], "exact_match": true, "bleu": 12.5}"#.to_owned(),
            r#"{"doc_id": "d-1", "target": ["a", "b"], "arguments": {"gen_args_0": {"arg_0": "x", "arg_1": " a"}, "gen_args_1": {"arg_0": "x", "arg_1": " b"}}, "resps": [[["-1.5", "False"]], [["-0.5", "True"]]], "filtered_resps": [["-1.5", "False"], ["-0.5", "True"]], "filter": "none", "metrics": ["acc"], "acc": 0, "input": "x"}"#.to_owned(),
        ]);
        for line in &lines {
            let raw = match pyjson::parse(line).unwrap() {
                Json::Object(map) => map,
                _ => unreachable!(),
            };
            let detail = sample_detail("t", &raw);
            let full = pyjson::to_string(
                &crate::store::with_common_keys(raw, &detail),
                pyjson::WriteOptions::STRICT_COMPACT,
            );
            let mut fast = String::new();
            fast_line(line, &mut fast).unwrap_or_else(|| panic!("not on the fast path: {line}"));
            let (a, b): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(&full).unwrap(),
                serde_json::from_str(&fast).unwrap(),
            );
            assert_eq!(a, b, "{line}");
            let keys =
                |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&a), keys(&b), "key order: {line}");
        }
        let nan =
            r#"{"doc_id": 0, "target": "x", "filter": "none", "metrics": ["bleu"], "bleu": NaN}"#;
        assert!(fast_line(nan, &mut String::new()).is_none());
    }
}
