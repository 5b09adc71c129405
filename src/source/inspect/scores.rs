//! An Inspect log's numbers: its results rows from `results.scores[]` (or, for a log never
//! finished, from the journal's sample summaries), and a score's value as Inspect's
//! `value_to_float` reads it.

use std::path::Path;

use super::{LogHeader, member_names, open_zip, read_member};
use crate::model::{Json, Map};
use crate::store::Result;

/// Metric names Inspect uses for a standard error of the scorer's main metric.
const STDERR_METRICS: [&str; 2] = ["stderr", "bootstrap_stderr"];

/// One scorer of `results.scores[]`: its name, the prefix its metrics carry when the log has
/// several scorers (`match/`), its metrics, and its main metric (the first that is neither a
/// standard error nor grouped).
struct Scorer<'a> {
    name: &'a str,
    prefix: String,
    metrics: &'a Map,
    main: Option<&'a str>,
}

fn is_grouped(metric: &Json) -> bool {
    metric.get("group").is_some_and(|g| !g.is_null())
}

fn scorers(results: Option<&Json>) -> Vec<Scorer<'_>> {
    let scores = results
        .and_then(|r| r.get("scores"))
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let several = scores.len() > 1;
    scores
        .iter()
        .filter_map(|score| {
            let name = score
                .get("name")
                .or_else(|| score.get("scorer"))
                .and_then(Json::as_str)
                .unwrap_or("score");
            let metrics = score.get("metrics").and_then(Json::as_object)?;
            let main = metrics
                .iter()
                .find(|(metric, m)| !STDERR_METRICS.contains(&metric.as_str()) && !is_grouped(m))
                .map(|(metric, _)| metric.as_str());
            Some(Scorer {
                name,
                prefix: if several {
                    format!("{name}/")
                } else {
                    String::new()
                },
                metrics,
                main,
            })
        })
        .collect()
}

/// One task's row of results from `results.scores[]`.
pub(super) fn score_row(results: Option<&Json>) -> Map {
    let mut row = Map::new();
    for Scorer {
        prefix,
        metrics,
        main,
        ..
    } in scorers(results)
    {
        let mut stderr_taken = false;
        for (name, metric) in metrics {
            let value = metric.get("value").cloned().unwrap_or(Json::Null);
            let key = match main {
                Some(main) if STDERR_METRICS.contains(&name.as_str()) && !stderr_taken => {
                    stderr_taken = true;
                    format!("{prefix}{main}_stderr")
                }
                _ if is_grouped(metric) => {
                    let by = metric
                        .get("params")
                        .and_then(|p| p.get("group_key"))
                        .and_then(Json::as_str)
                        .or_else(|| metric.get("group").and_then(Json::as_str))
                        .unwrap_or("group");
                    format!("{prefix}{by}={name}")
                }
                _ => format!("{prefix}{name}"),
            };
            row.insert(key, value);
        }
    }
    row
}

/// The row metric that is the log's one number, by Inspect's rule (0.3.261 on): the declared
/// headline (`results.headline`, else `eval.headline_metric`: `{scorer, score, metric, reducer}`,
/// each optional) narrows `results.scores[]` by reducer, scorer and score name, then takes the
/// first left that has `metric`. `None` when nothing is declared or nothing matches: the first
/// metric of the row is the headline then, as Inspect's own fallback has it.
pub(super) fn headline_metric(results: Option<&Json>, eval: &Map) -> Option<String> {
    let declared = results
        .and_then(|r| r.get("headline"))
        .filter(|h| h.as_object().is_some())
        .or_else(|| {
            eval.get("headline_metric")
                .filter(|h| h.as_object().is_some())
        })?;
    let field = |key: &str| declared.get(key).and_then(Json::as_str);
    let scores = results?.get("scores")?.as_array()?;
    let several = scores.len() > 1;
    scores
        .iter()
        .filter(|s| {
            field("reducer").is_none_or(|r| s.get("reducer").and_then(Json::as_str) == Some(r))
        })
        .filter(|s| {
            field("scorer").is_none_or(|r| s.get("scorer").and_then(Json::as_str) == Some(r))
        })
        .filter(|s| field("score").is_none_or(|r| s.get("name").and_then(Json::as_str) == Some(r)))
        .find_map(|score| {
            let metrics = score.get("metrics")?.as_object()?;
            let metric = match field("metric") {
                Some(wanted) => metrics.keys().find(|k| *k == wanted)?,
                None => metrics.keys().next()?,
            };
            let name = score
                .get("name")
                .or_else(|| score.get("scorer"))
                .and_then(Json::as_str)
                .unwrap_or("score");
            // As [`score_row`] names it: a grouped metric by its group, several scorers by
            // their scorer.
            let grouped = metrics.get(metric).is_some_and(is_grouped);
            (!grouped && !STDERR_METRICS.contains(&metric.as_str())).then(|| {
                if several {
                    format!("{name}/{metric}")
                } else {
                    metric.clone()
                }
            })
        })
}

/// Inspect metrics that are the mean of the per-sample values: their rows pair sample by sample
/// with the scorer's values.
const MEAN_METRICS: [&str; 2] = ["accuracy", "mean"];

/// Results metric → where its per-sample values are (`{"key": scorer}`), for the metrics that
/// are a mean of the scorer's values: a main `accuracy` or `mean`.
pub(super) fn sample_metric_map(results: Option<&Json>) -> Map {
    let mut map = Map::new();
    for scorer in scorers(results) {
        if let Some(main) = scorer.main.filter(|m| MEAN_METRICS.contains(m)) {
            map.insert(
                format!("{}{main}", scorer.prefix),
                sample_source(scorer.name),
            );
        }
    }
    map
}

fn sample_source(scorer: &str) -> Json {
    let mut source = Map::new();
    source.insert("key".into(), Json::from(scorer));
    Json::Object(source)
}

/// For a log never finished: each scorer's mean over the summaries flushed so far, with the
/// standard error of that mean (sample standard deviation over √n). Computed here, so named
/// `mean` rather than the task's own metric names.
/// Also returns where each mean's per-sample values are (as [`sample_metric_map`]).
pub(super) fn journal_scores(log: &LogHeader) -> Result<(Map, Map, usize)> {
    let summaries = read_summaries(&log.path)?;
    let done = summaries.len();
    let mut by_scorer: Vec<(String, Vec<f64>)> = Vec::new();
    for summary in &summaries {
        let Some(scores) = summary.get("scores").and_then(Json::as_object) else {
            continue;
        };
        for (scorer, score) in scores {
            for (name, value) in score_values(scorer, score.get("value").unwrap_or(&Json::Null)) {
                match by_scorer.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, values)) => values.push(value),
                    None => by_scorer.push((name, vec![value])),
                }
            }
        }
    }
    let several = by_scorer.len() > 1;
    let mut row = Map::new();
    let mut sources = Map::new();
    for (name, values) in by_scorer {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let stderr = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() / n.sqrt()
        } else {
            f64::NAN
        };
        let metric = if several {
            format!("{name}/mean")
        } else {
            "mean".into()
        };
        row.insert(metric.clone(), Json::Float(mean));
        row.insert(format!("{metric}_stderr"), Json::Float(stderr));
        sources.insert(metric, sample_source(&name));
    }
    Ok((row, sources, done))
}

/// The sample summaries of an archive: `summaries.json`, or the journal's flushed parts.
fn read_summaries(path: &Path) -> Result<Vec<Json>> {
    let mut zip = open_zip(path)?;
    if let Some(Json::Array(all)) = read_member(path, &mut zip, "summaries.json")? {
        return Ok(all);
    }
    let mut parts: Vec<(u64, String)> = member_names(&zip)
        .into_iter()
        .filter_map(|n| {
            let k = n
                .strip_prefix("_journal/summaries/")?
                .strip_suffix(".json")?;
            Some((k.parse().ok()?, n.clone()))
        })
        .collect();
    parts.sort();
    let mut all = Vec::new();
    for (_, name) in parts {
        if let Some(Json::Array(part)) = read_member(path, &mut zip, &name)? {
            all.extend(part);
        }
    }
    Ok(all)
}

/// A score's value as numbers, as Inspect's `value_to_float` reads it: `C` 1, `P` 0.5, `I` and
/// `N` 0, numbers and booleans as they are, `yes`/`true` 1, `no`/`false` 0 (any case), text
/// that Python's `float()` reads as a finite number, and 0 for anything else (Inspect warns and
/// counts 0). A dict value gives one number per key (`scorer/key`), as Inspect's metrics read
/// dict scores key by key.
pub fn score_values(scorer: &str, value: &Json) -> Vec<(String, f64)> {
    match value {
        Json::Object(map) => map
            .iter()
            .map(|(key, v)| (format!("{scorer}/{key}"), value_to_float(v)))
            .collect(),
        other => vec![(scorer.to_owned(), value_to_float(other))],
    }
}

pub fn value_to_float(value: &Json) -> f64 {
    match value {
        Json::Str(text) => match text.as_str() {
            "C" => 1.0,
            "P" => 0.5,
            "I" | "N" => 0.0,
            other => {
                let lower = other.to_lowercase();
                match lower.as_str() {
                    "yes" | "true" => 1.0,
                    "no" | "false" => 0.0,
                    _ => python_finite_float(&lower).unwrap_or(0.0),
                }
            }
        },
        Json::Bool(b) => f64::from(u8::from(*b)),
        Json::Int(_) | Json::Float(_) | Json::BigInt(_) => value.as_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Text as Python's `float()` reads it, when the number is finite: surrounding whitespace is
/// ignored and `_` may sit between digits (`1_000`).
fn python_finite_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_'
            && !(i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
    }
    let number: f64 = text.replace('_', "").parse().ok()?;
    number.is_finite().then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_headline_picks_its_scorer_and_metric() {
        let results = crate::model::pyjson::parse(
            r#"{"scores": [
                {"name": "match", "scorer": "match", "metrics": {"accuracy": {"value": 0.5}, "stderr": {"value": 0.1}}},
                {"name": "judge", "scorer": "judge", "metrics": {"mean": {"value": 0.7}, "max": {"value": 1.0}}}],
               "headline": {"scorer": "judge", "score": null, "metric": "max"}}"#,
        )
        .unwrap();
        let eval = Map::new();
        assert_eq!(
            headline_metric(Some(&results), &eval).as_deref(),
            Some("judge/max")
        );
        // Declared on the task only (`eval.headline_metric`), and nothing declared at all.
        let mut results = results;
        if let Json::Object(map) = &mut results {
            map.shift_remove("headline");
        }
        let mut eval = Map::new();
        eval.insert(
            "headline_metric".into(),
            crate::model::pyjson::parse(r#"{"scorer": "match", "metric": "accuracy"}"#).unwrap(),
        );
        assert_eq!(
            headline_metric(Some(&results), &eval).as_deref(),
            Some("match/accuracy")
        );
        assert_eq!(headline_metric(Some(&results), &Map::new()), None);
        // A declared metric no score has: no headline, the row's first metric stands.
        eval.insert(
            "headline_metric".into(),
            crate::model::pyjson::parse(r#"{"metric": "f1"}"#).unwrap(),
        );
        assert_eq!(headline_metric(Some(&results), &eval), None);
    }

    #[test]
    fn score_values_follow_value_to_float() {
        let cases = [
            (Json::from("C"), 1.0),
            (Json::from("I"), 0.0),
            (Json::from("P"), 0.5),
            (Json::from("N"), 0.0),
            (Json::from("c"), 0.0),
            (Json::from("yes"), 1.0),
            (Json::from("False"), 0.0),
            (Json::from("0.25"), 0.25),
            (Json::from(" -1e1 "), -10.0),
            (Json::from("1_000"), 1000.0),
            (Json::from("1__0"), 0.0),
            (Json::from("nan"), 0.0),
            (Json::from("maybe"), 0.0),
            (Json::Bool(true), 1.0),
            (Json::Int(3), 3.0),
            (Json::Null, 0.0),
            (Json::Array(vec![Json::Int(1)]), 0.0),
        ];
        for (value, expected) in cases {
            assert_eq!(value_to_float(&value), expected, "{value:?}");
        }
    }
}
