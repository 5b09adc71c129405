//! `evaldeck compare SOURCE...`: many runs side by side, each against a baseline.

use std::io::Write;

use color_eyre::eyre::{Result, bail};

use super::show::format_value;
use super::table::{Align, Table, write_csv_row};
use super::{CompareArgs, CompareFormat};
use crate::compare::{self, Cell, CompareOptions, Comparison, Row};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map};
use crate::store::Run;

pub(super) fn compare(args: &CompareArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut runs = collect_runs(args)?;
    if runs.len() < 2 {
        bail!(
            "compare needs two runs or more; the sources hold {}",
            runs.len()
        );
    }
    compare::order_runs(&mut runs, &args.order);
    let baseline = baseline_column(&runs, args.baseline.as_deref())?;
    let options = CompareOptions {
        baseline,
        metric: args.metric.clone(),
        cluster_by: args.cluster_by.clone(),
    };
    if args.samples {
        let task = args.task.as_deref().unwrap_or_default();
        return samples(&runs, baseline, task, args, out);
    }
    let comparison = compare::compare(&runs, &options)?;
    for warning in &comparison.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    match args.format {
        CompareFormat::Json | CompareFormat::Jsonl => writeln!(
            out,
            "{}",
            pyjson::to_string(
                &to_json(&comparison, &runs, args.mde_target),
                WriteOptions::STRICT_INDENT2
            )
        )?,
        CompareFormat::Csv => write_csv(&comparison, out)?,
        CompareFormat::Table => {
            for (i, column) in comparison.columns.iter().enumerate() {
                writeln!(out, "{}. {column}", i + 1)?;
            }
            writeln!(out)?;
            table(&comparison, false).write_plain(out)?;
            legend(&comparison, false, out)?;
            if let Some(target) = args.mde_target {
                sample_sizes(&comparison, target, out)?;
            }
        }
        CompareFormat::Markdown => {
            for (i, column) in comparison.columns.iter().enumerate() {
                writeln!(out, "{}. `{column}`", i + 1)?;
            }
            writeln!(out)?;
            table(&comparison, true).write_markdown(out)?;
            legend(&comparison, true, out)?;
        }
    }
    Ok(())
}

/// `--filter` as given on the command line.
/// `compare --samples`: each sample of a task across the runs.
fn samples(
    runs: &[Run],
    baseline: usize,
    task: &str,
    args: &CompareArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let mut grid = compare::agreement(runs, baseline, task, args.metric.as_deref())?;
    let filter = args
        .filter
        .within(runs.len())
        .map_err(|e| color_eyre::eyre::eyre!("--filter {e}"))?;
    let rows = grid.rows.iter().filter(|r| grid.matches(r, filter));
    match args.format {
        CompareFormat::Table | CompareFormat::Markdown => {
            for (i, column) in grid.columns.iter().enumerate() {
                writeln!(out, "{}. {column}", i + 1)?;
            }
            writeln!(
                out,
                "\n{} · {} · {}\n",
                grid.task,
                grid.metric,
                filter.label()
            )?;
            let mut headers: Vec<(String, Align)> = vec![("id".into(), Align::Left)];
            headers.extend((0..grid.columns.len()).map(|i| ((i + 1).to_string(), Align::Left)));
            headers.push(("input".into(), Align::Left));
            let refs: Vec<(&str, Align)> = headers.iter().map(|(h, a)| (h.as_str(), *a)).collect();
            let mut table = Table::new(&refs);
            for row in rows {
                let mut cells = vec![row.id.clone()];
                cells.extend(row.cells.iter().map(|c| {
                    c.as_ref()
                        .map_or_else(|| "—".to_owned(), |c| c.verdict.mark().to_owned())
                }));
                cells.push(crate::text::one_line(&row.input, 60));
                table.push(cells);
            }
            table.write_plain(out)?;
        }
        _ => {
            // The table shows verdicts alone; the records carry every run's prediction.
            compare::add_predictions(runs, &mut grid)?;
            let rows = grid.rows.iter().filter(|r| grid.matches(r, filter));
            for row in rows {
                let mut map = Map::new();
                map.insert("id".into(), row.id.as_str().into());
                map.insert("task".into(), grid.task.as_str().into());
                map.insert("metric".into(), grid.metric.as_str().into());
                map.insert("input".into(), row.input.as_str().into());
                map.insert("target".into(), row.target.as_str().into());
                let cells: Vec<Json> = row
                    .cells
                    .iter()
                    .zip(&grid.columns)
                    .map(|(cell, run)| {
                        let mut c = Map::new();
                        c.insert("run".into(), run.as_str().into());
                        match cell {
                            Some(cell) => {
                                c.insert("verdict".into(), cell.verdict.name().into());
                                c.insert("score".into(), number(cell.score));
                                c.insert(
                                    "prediction".into(),
                                    cell.prediction.as_deref().unwrap_or_default().into(),
                                );
                            }
                            None => {
                                c.insert("verdict".into(), "missing".into());
                            }
                        }
                        Json::Object(c)
                    })
                    .collect();
                map.insert("cells".into(), Json::Array(cells));
                writeln!(
                    out,
                    "{}",
                    pyjson::to_string(&Json::Object(map), WriteOptions::STRICT_COMPACT)
                )?;
            }
        }
    }
    Ok(())
}

/// Every run the sources name: a folder's runs (of `--model` only, when given), or the one run
/// a `FOLDER@DATE` or a file names; each once.
fn collect_runs(args: &CompareArgs) -> Result<Vec<Run>> {
    let mut runs: Vec<Run> = Vec::new();
    for source in &args.sources {
        let catalog = super::catalog_of(&source.without_run())?;
        let found: Vec<Run> = match source.at() {
            Some(selector) => vec![
                catalog
                    .select(args.model.as_deref(), Some(selector))?
                    .run
                    .clone(),
            ],
            None => {
                let found: Vec<Run> = catalog
                    .runs()
                    .filter(|r| args.model.as_deref().is_none_or(|m| r.model == m))
                    .cloned()
                    .collect();
                if found.is_empty() {
                    bail!(
                        "{source}: no run of model `{}`",
                        args.model.as_deref().unwrap_or("")
                    );
                }
                found
            }
        };
        for run in found {
            let seen = runs.iter().any(|r| {
                r.model == run.model && r.date_id == run.date_id && r.harness == run.harness
            });
            if !seen {
                runs.push(run);
            }
        }
    }
    Ok(runs)
}

/// `--baseline N` (the N-th column, from 1) or a run's date id or `model@date`; the first
/// column by default.
fn baseline_column(runs: &[Run], wanted: Option<&str>) -> Result<usize> {
    let Some(wanted) = wanted else { return Ok(0) };
    if let Ok(n) = wanted.parse::<usize>() {
        if (1..=runs.len()).contains(&n) {
            return Ok(n - 1);
        }
        bail!(
            "--baseline {n}: there are {} columns, numbered from 1",
            runs.len()
        );
    }
    let matches: Vec<usize> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.date_id == wanted || format!("{}@{}", r.model, r.date_id) == wanted)
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => bail!(
            "--baseline {wanted}: no such run; runs: {}",
            runs.iter()
                .map(|r| format!("{}@{}", r.model, r.date_id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => bail!("--baseline {wanted} names several runs; give MODEL@DATE"),
    }
}

fn verdict(cell: &Cell, row: &Row, column: usize, baseline: usize) -> &'static str {
    if column == baseline {
        return "baseline";
    }
    cell.against_baseline
        .as_ref()
        .map_or("not compared", |a| a.verdict(row.higher_is_better))
}

fn cell_text(comparison: &Comparison, row: &Row, column: usize, markdown: bool) -> String {
    let cell = &row.cells[column];
    let Some(value) = cell.value else {
        return "—".into();
    };
    let mut text = format_value(value);
    if row.best() == Some(column) {
        text = if markdown {
            format!("**{text}**")
        } else {
            format!("{text}★")
        };
    }
    if let Some(se) = cell.stderr {
        let c = if cell.stderr_clustered { "c" } else { "" };
        text.push_str(&format!(" ±{}{c}", format_value(se)));
    }
    if column != comparison.baseline
        && let Some(against) = &cell.against_baseline
        && let Some(delta) = against.delta
    {
        text.push_str(&format!(
            " ({delta:+.4}{})",
            against.marks(row.higher_is_better)
        ));
    }
    text
}

fn table(comparison: &Comparison, markdown: bool) -> Table {
    let mut headers: Vec<(String, Align)> =
        vec![("Task".into(), Align::Left), ("Metric".into(), Align::Left)];
    // Columns are numbered; the runs they are are listed above the table.
    for i in 0..comparison.columns.len() {
        let base = if i == comparison.baseline {
            " (baseline)"
        } else {
            ""
        };
        headers.push((format!("{}{base}", i + 1), Align::Right));
    }
    let header_refs: Vec<(&str, Align)> = headers.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut table = Table::new(&header_refs);
    let mut last_task = "";
    for row in &comparison.rows {
        let task = if row.task == last_task {
            String::new()
        } else if row.derived {
            format!("{} *", row.task)
        } else {
            row.task.clone()
        };
        last_task = &row.task;
        let mut cells = vec![task, row.metric.clone()];
        for column in 0..comparison.columns.len() {
            cells.push(cell_text(comparison, row, column, markdown));
        }
        table.push(cells);
    }
    table
}

fn legend(comparison: &Comparison, markdown: bool, out: &mut dyn Write) -> Result<()> {
    let tested = comparison
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| {
            c.against_baseline
                .as_ref()
                .is_some_and(|a| a.p_value.is_some())
        })
        .count();
    let best = if markdown { "**bold**" } else { "★" };
    writeln!(
        out,
        "\n{best} best in its row · (Δ against the baseline) · * significant at α = 0.05 after Holm–Bonferroni over all {tested} cells \
         (McNemar's exact test for 0/1 scores, a paired t-test for other means, a paired bootstrap for corpus metrics) · \
         ▲ better / ▼ worse by the metric's higher_is_better · ? inconclusive: smaller than the test could detect at this n · \
         ~ unpaired · * after a task: a derived row"
    )?;
    if let Some(path) = &comparison.cluster_by {
        writeln!(
            out,
            "c: standard error clustered by `{path}`; Δ tested with its clustered standard error (t, C − 1 degrees of freedom)"
        )?;
    }
    Ok(())
}

/// For each inconclusive cell: how many paired samples would detect a Δ of `target`, and how
/// much pairing helped (the per-sample correlation).
fn sample_sizes(comparison: &Comparison, target: f64, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "\nTo detect a true |Δ| of {target} with 80 % power (α = 0.05):"
    )?;
    for row in &comparison.rows {
        for (column, cell) in row.cells.iter().enumerate() {
            let Some(against) = cell.against_baseline.as_ref().filter(|a| a.inconclusive()) else {
                continue;
            };
            let Some(n) = against.samples_for(target) else {
                continue;
            };
            let correlation = against.correlation.map_or(String::new(), |r| {
                format!(", paired scores correlate at r = {r:.2}")
            });
            writeln!(
                out,
                "  {} {} column {}: about {n} paired samples (has {}){correlation}",
                row.task,
                row.metric,
                column + 1,
                against.n_paired
            )?;
        }
    }
    Ok(())
}

fn number(value: Option<f64>) -> Json {
    value.map_or(Json::Null, Json::Float)
}

fn to_json(comparison: &Comparison, runs: &[Run], mde_target: Option<f64>) -> Json {
    let mut root = Map::new();
    let columns: Vec<Json> = runs
        .iter()
        .zip(&comparison.columns)
        .map(|(run, label)| {
            let mut map = Map::new();
            map.insert("label".into(), label.as_str().into());
            map.insert("model_name".into(), run.model.as_str().into());
            map.insert("date_id".into(), run.date_id.as_str().into());
            map.insert("harness".into(), run.harness.name().into());
            Json::Object(map)
        })
        .collect();
    root.insert("runs".into(), Json::Array(columns));
    root.insert("baseline".into(), Json::Int(comparison.baseline as i64));
    root.insert(
        "clustered_by".into(),
        comparison
            .cluster_by
            .as_deref()
            .map_or(Json::Null, Json::from),
    );
    let rows: Vec<Json> = comparison
        .rows
        .iter()
        .map(|row| {
            let mut map = Map::new();
            map.insert("task".into(), row.task.as_str().into());
            map.insert("metric".into(), row.metric.as_str().into());
            map.insert("derived".into(), Json::Bool(row.derived));
            map.insert(
                "higher_is_better".into(),
                row.higher_is_better.map_or(Json::Null, Json::Bool),
            );
            map.insert(
                "best".into(),
                row.best().map_or(Json::Null, |b| Json::Int(b as i64)),
            );
            let cells: Vec<Json> = row
                .cells
                .iter()
                .enumerate()
                .map(|(column, cell)| {
                    let mut c = Map::new();
                    c.insert("value".into(), number(cell.value));
                    c.insert("stderr".into(), number(cell.stderr));
                    c.insert("stderr_clustered".into(), Json::Bool(cell.stderr_clustered));
                    let a = cell.against_baseline.as_ref();
                    c.insert("delta".into(), number(a.and_then(|a| a.delta)));
                    c.insert("p_value".into(), number(a.and_then(|a| a.p_value)));
                    c.insert("p_adjusted".into(), number(a.and_then(|a| a.p_adjusted)));
                    c.insert(
                        "significant".into(),
                        Json::Bool(a.is_some_and(|a| a.significant)),
                    );
                    c.insert("paired".into(), Json::Bool(a.is_some_and(|a| a.paired)));
                    c.insert(
                        "n_paired".into(),
                        a.map_or(Json::Null, |a| Json::Int(a.n_paired as i64)),
                    );
                    c.insert(
                        "test".into(),
                        a.map_or(Json::Null, |a| a.test.name().into()),
                    );
                    c.insert("mde".into(), number(a.and_then(|a| a.mde)));
                    c.insert("correlation".into(), number(a.and_then(|a| a.correlation)));
                    if let Some(target) = mde_target {
                        c.insert(
                            "samples_for_mde_target".into(),
                            a.and_then(|a| a.samples_for(target))
                                .map_or(Json::Null, |n| Json::Int(n as i64)),
                        );
                    }
                    c.insert(
                        "verdict".into(),
                        verdict(cell, row, column, comparison.baseline).into(),
                    );
                    Json::Object(c)
                })
                .collect();
            map.insert("cells".into(), Json::Array(cells));
            Json::Object(map)
        })
        .collect();
    root.insert("rows".into(), Json::Array(rows));
    root.insert(
        "warnings".into(),
        Json::Array(
            comparison
                .warnings
                .iter()
                .map(|w| Json::from(w.as_str()))
                .collect(),
        ),
    );
    Json::Object(root)
}

/// One line per cell.
fn write_csv(comparison: &Comparison, out: &mut dyn Write) -> Result<()> {
    write_csv_row(
        out,
        &[
            "task",
            "metric",
            "run",
            "value",
            "stderr",
            "delta",
            "p_value",
            "p_adjusted",
            "significant",
            "paired",
            "test",
            "verdict",
        ]
        .map(String::from),
    )?;
    let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for row in &comparison.rows {
        for (column, cell) in row.cells.iter().enumerate() {
            let a = cell.against_baseline.as_ref();
            write_csv_row(
                out,
                &[
                    row.task.clone(),
                    row.metric.clone(),
                    comparison.columns[column].clone(),
                    text(cell.value),
                    text(cell.stderr),
                    text(a.and_then(|a| a.delta)),
                    text(a.and_then(|a| a.p_value)),
                    text(a.and_then(|a| a.p_adjusted)),
                    a.is_some_and(|a| a.significant).to_string(),
                    a.is_some_and(|a| a.paired).to_string(),
                    a.map_or(String::new(), |a| a.test.name().to_owned()),
                    verdict(cell, row, column, comparison.baseline).to_owned(),
                ],
            )?;
        }
    }
    Ok(())
}
