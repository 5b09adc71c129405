//! `evaldeck show`: a run's aggregated results, like lighteval's end-of-run table.

use std::io::Write;

use color_eyre::eyre::Result;

use super::table::{Align, Table};
use super::{ShowArgs, ShowFormat, open_source};
use crate::model::{Json, Map, ResultsFile};
use crate::store::pyjson::{self, WriteOptions};

pub(super) fn show(args: &ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let catalog = open_source(args.run.source.as_ref())?;
    let selection = catalog.select(args.run.model.as_deref(), Some(&args.run.run))?;
    let run = selection.run;
    if selection.chose_among > 1 {
        let models: Vec<&str> = catalog.models.iter().map(|m| m.name.as_str()).collect();
        writeln!(
            err,
            "note: {} models here ({}); showing the newest run, of {}. Choose with --model.",
            models.len(),
            models.join(", "),
            run.model
        )?;
    }
    let results = run.load_results()?;
    match args.format {
        ShowFormat::Json => {
            let doc = json_summary(&run.model, &run.date_id, &results);
            writeln!(
                out,
                "{}",
                pyjson::to_string(&doc, WriteOptions::STRICT_INDENT2)
            )?;
        }
        ShowFormat::Table => {
            writeln!(out, "{} · run {}", run.model, run.date_id)?;
            writeln!(out)?;
            results_table(&results, "*").write_plain(out)?;
            writeln!(out, "\n* derived row: a mean over other rows, not measured")?;
        }
        ShowFormat::Markdown => {
            writeln!(out, "**{}** · run `{}`", run.model, run.date_id)?;
            writeln!(out)?;
            results_table(&results, "*(derived)*").write_markdown(out)?;
        }
        ShowFormat::Csv => results_csv(&results).write_csv(out)?,
    }
    Ok(())
}

/// One line per metric, the task named on its first line only, as lighteval prints it.
fn results_table(results: &ResultsFile, derived_mark: &str) -> Table {
    let mut table = Table::new(&[
        ("Task", Align::Left),
        ("Version", Align::Right),
        ("Metric", Align::Left),
        ("Value", Align::Right),
        ("", Align::Left),
        ("Stderr", Align::Right),
    ]);
    for row in display_order(results) {
        let key = row.key();
        let task = if key.is_derived() {
            format!("{} {derived_mark}", row.task)
        } else {
            row.task.to_owned()
        };
        let version = if key.is_derived() {
            String::new()
        } else {
            version_text(results, row.task)
        };
        for (i, metric) in row.metrics().iter().enumerate() {
            let (task, version) = if i == 0 {
                (task.clone(), version.clone())
            } else {
                (String::new(), String::new())
            };
            let stderr = metric.stderr.map(format_value);
            table.push(vec![
                task,
                version,
                metric.metric.to_owned(),
                metric.value.map_or_else(|| "-".into(), format_value),
                if stderr.is_some() {
                    "±".into()
                } else {
                    String::new()
                },
                stderr.unwrap_or_default(),
            ]);
        }
    }
    table
}

/// Measured tasks sorted by key, then `_average` rows, then `all`, as lighteval's table reads.
fn display_order(results: &ResultsFile) -> Vec<crate::model::ResultsRow<'_>> {
    let mut rows: Vec<_> = results.rows().collect();
    rows.sort_by_key(|row| {
        let key = row.key();
        (
            if key.is_all() {
                2
            } else if key.is_derived() {
                1
            } else {
                0
            },
            row.task.to_owned(),
        )
    });
    rows
}

fn results_csv(results: &ResultsFile) -> Table {
    let mut table = Table::new(&[
        ("task", Align::Left),
        ("version", Align::Left),
        ("metric", Align::Left),
        ("value", Align::Left),
        ("stderr", Align::Left),
        ("derived", Align::Left),
    ]);
    for row in display_order(results) {
        let derived = row.key().is_derived();
        for metric in row.metrics() {
            table.push(vec![
                row.task.to_owned(),
                if derived {
                    String::new()
                } else {
                    version_text(results, row.task)
                },
                metric.metric.to_owned(),
                metric.value.map(full_precision).unwrap_or_default(),
                metric.stderr.map(full_precision).unwrap_or_default(),
                derived.to_string(),
            ]);
        }
    }
    table
}

fn version_text(results: &ResultsFile, task: &str) -> String {
    results
        .task_version(task)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

pub use crate::text::format_value;

fn full_precision(value: f64) -> String {
    let mut out = String::new();
    pyjson::write_float(&mut out, value, pyjson::NonFinite::PythonTokens);
    out
}

/// The strict-JSON summary of `show --format json`.
fn json_summary(model: &str, date_id: &str, results: &ResultsFile) -> Json {
    let mut versions = Map::new();
    for task in results.measured_tasks() {
        if let Some(v) = results.task_version(task.as_str()) {
            versions.insert(task.as_str().to_owned(), Json::Int(v));
        }
    }
    let derived: Vec<Json> = results
        .rows()
        .filter(|r| r.key().is_derived())
        .map(|r| Json::from(r.task))
        .collect();
    let mut doc = Map::new();
    doc.insert("model_name".into(), model.into());
    doc.insert("date_id".into(), date_id.into());
    doc.insert(
        "results".into(),
        results
            .as_map()
            .get("results")
            .cloned()
            .unwrap_or(Json::Object(Map::new())),
    );
    doc.insert("versions".into(), Json::Object(versions));
    doc.insert("derived_rows".into(), Json::Array(derived));
    doc.insert(
        "stderr_convention".into(),
        results.general().stderr_convention().into(),
    );
    Json::Object(doc)
}
