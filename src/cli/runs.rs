//! `evaldeck runs`: every model and run under a source, newest first, with the `all` score.

use std::io::Write;

use color_eyre::eyre::Result;

use super::show::format_value;
use super::table::{Align, Table};
use super::{RunsArgs, ShowFormat, open_source};
use crate::model::pyjson;
use crate::model::{Json, Map};
use crate::store::{Run, RunSummary, summarise};

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
            let items = summaries.iter().map(to_json).collect();
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
                ("Harness", Align::Left),
                ("Tasks", Align::Right),
                ("Samples", Align::Right),
                ("all", Align::Left),
            ]);
            for s in &summaries {
                table.push(vec![
                    s.model.clone(),
                    s.date_id.clone(),
                    s.harness.name().to_owned(),
                    s.tasks.to_string(),
                    s.samples.map_or_else(|| "?".into(), |n| n.to_string()),
                    match (&s.headline, &s.writing) {
                        (Some((m, v)), Some(writing)) => {
                            format!("{m} {} (writing… {writing})", format_value(*v))
                        }
                        (Some((m, v)), None) => format!("{m} {}", format_value(*v)),
                        (None, Some(writing)) => format!("writing… {writing}"),
                        (None, None) => s.problem.clone().unwrap_or_default(),
                    },
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

fn to_json(summary: &RunSummary) -> Json {
    let mut map = Map::new();
    map.insert("model_name".into(), summary.model.as_str().into());
    map.insert("date_id".into(), summary.date_id.as_str().into());
    map.insert("harness".into(), summary.harness.name().into());
    map.insert("tasks".into(), Json::Int(summary.tasks as i64));
    map.insert(
        "samples".into(),
        summary.samples.map_or(Json::Null, |n| Json::Int(n as i64)),
    );
    let all = summary
        .headline
        .as_ref()
        .map_or(Json::Null, |(metric, value)| {
            let mut all = Map::new();
            all.insert(metric.clone(), Json::Float(*value));
            Json::Object(all)
        });
    map.insert("all".into(), all);
    map.insert(
        "error".into(),
        summary.problem.clone().map_or(Json::Null, Json::Str),
    );
    map.insert(
        "writing".into(),
        summary.writing.clone().map_or(Json::Null, Json::Str),
    );
    Json::Object(map)
}
