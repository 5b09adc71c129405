//! `evaldeck runs`: every model and run under a source, newest first, with the `all` score.

use std::io::Write;

use color_eyre::eyre::Result;

use super::show::format_value;
use super::table::{Align, Table};
use super::{RunsArgs, ShowFormat, open_source};
use crate::model::{Json, Map};
use crate::store::{Run, pyjson};

pub(super) fn runs(args: &RunsArgs, out: &mut dyn Write) -> Result<()> {
    let catalog = open_source(args.source.as_ref())?;
    let mut runs: Vec<&Run> = catalog.runs().collect();
    runs.sort_by(|a, b| {
        b.date_id
            .cmp(&a.date_id)
            .then_with(|| a.model.cmp(&b.model))
    });
    let summaries: Vec<RunSummary> = runs.iter().map(|run| summarise(run)).collect();
    match args.format {
        ShowFormat::Json => {
            let items = summaries.iter().map(RunSummary::to_json).collect();
            writeln!(
                out,
                "{}",
                pyjson::to_string(&Json::Array(items), pyjson::WriteOptions::STRICT_INDENT2)
            )?;
        }
        format => {
            let mut table = Table::new(&[
                ("Model", Align::Left),
                ("Run", Align::Left),
                ("Tasks", Align::Right),
                ("Samples", Align::Right),
                ("all", Align::Left),
            ]);
            for s in &summaries {
                table.push(vec![
                    s.model.clone(),
                    s.date_id.clone(),
                    s.tasks.to_string(),
                    s.samples.map_or_else(|| "?".into(), |n| n.to_string()),
                    s.headline.as_ref().map_or_else(
                        || s.problem.clone().unwrap_or_default(),
                        |(m, v)| format!("{m} {}", format_value(*v)),
                    ),
                ]);
            }
            match format {
                ShowFormat::Markdown => table.write_markdown(out)?,
                ShowFormat::Csv => table.write_csv(out)?,
                _ => table.write_plain(out)?,
            }
        }
    }
    Ok(())
}

struct RunSummary {
    model: String,
    date_id: String,
    tasks: usize,
    samples: Option<u64>,
    /// The first metric of the `all` row.
    headline: Option<(String, f64)>,
    problem: Option<String>,
}

impl RunSummary {
    fn to_json(&self) -> Json {
        let mut map = Map::new();
        map.insert("model_name".into(), self.model.as_str().into());
        map.insert("date_id".into(), self.date_id.as_str().into());
        map.insert("tasks".into(), Json::Int(self.tasks as i64));
        map.insert(
            "samples".into(),
            self.samples.map_or(Json::Null, |n| Json::Int(n as i64)),
        );
        map.insert(
            "all".into(),
            self.headline.as_ref().map_or(Json::Null, |(m, v)| {
                let mut all = Map::new();
                all.insert(m.clone(), Json::Float(*v));
                Json::Object(all)
            }),
        );
        map.insert(
            "error".into(),
            self.problem.clone().map_or(Json::Null, Json::Str),
        );
        Json::Object(map)
    }
}

/// Summarises a run from its results file and its details footers; a broken file is reported in
/// the row instead of failing the whole listing.
fn summarise(run: &Run) -> RunSummary {
    let mut summary = RunSummary {
        model: run.model.clone(),
        date_id: run.date_id.clone(),
        tasks: run.details.len(),
        samples: None,
        headline: None,
        problem: None,
    };
    match run.open_all_details() {
        Ok(files) => summary.samples = Some(files.iter().map(|f| f.num_rows()).sum()),
        Err(e) => summary.problem = Some(e.to_string()),
    }
    if run.results_path.is_some() {
        match run.load_results() {
            Ok(results) => {
                summary.tasks = summary.tasks.max(results.measured_tasks().len());
                summary.headline = results.row("all").and_then(|row| {
                    row.metrics()
                        .into_iter()
                        .find_map(|m| m.value.map(|v| (m.metric.to_owned(), v)))
                });
            }
            Err(e) => summary.problem = Some(e.to_string()),
        }
    } else {
        summary
            .problem
            .get_or_insert_with(|| "no results file".into());
    }
    summary
}
