//! `evaldeck diff A B`: what changed between two runs, and whether it is real.

use std::io::Write;

use color_eyre::eyre::{Result, eyre};

use super::show::format_value;
use super::table::{Align, Table};
use super::{DiffArgs, DiffFormat};
use crate::analysis::Side;
use crate::diff::{self, DiffReport};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map};
use crate::store;

/// Returned (as an error) when `--fail-on-regression` finds one: the binary exits with 1.
#[derive(Debug, thiserror::Error)]
#[error("{0} significant regression(s)")]
pub struct RegressionFound(pub usize);

pub(super) fn diff(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let (source_a, source_b) = (args.a.without_run(), args.b.without_run());
    let catalog_a = super::catalog_of(&source_a)?;
    let catalog_b = if source_b == source_a {
        catalog_a.clone()
    } else {
        super::catalog_of(&source_b)?
    };
    let run_a_selector = args.run_a.clone().or_else(|| args.a.at().cloned());
    let run_b_selector = args.run_b.clone().or_else(|| args.b.at().cloned());
    let run_a = catalog_a
        .select(args.model_a.as_deref(), run_a_selector.as_ref())?
        .run;
    // The same folder twice with no selector for B: compare with the run before A, if any. A file
    // names one run, so the same file twice compares that run with itself (a CI sanity gate).
    let run_b = if source_b == source_a
        && !source_a.local_path().is_some_and(|p| p.is_file())
        && run_b_selector.is_none()
        && args.model_b.is_none()
    {
        let runs = &catalog_a
            .model(&run_a.model)
            .expect("selected from it")
            .runs;
        let position = runs
            .iter()
            .position(|r| r == run_a)
            .expect("selected from it");
        if position == 0 {
            return Err(eyre!(
                "{source_a}: model `{}` has one run here; name the other with --run-b, --model-b or FOLDER@DATE",
                run_a.model
            ));
        }
        // A is the older run, B the newer.
        return report(args, &runs[position - 1], run_a, out, err);
    } else {
        catalog_b
            .select(args.model_b.as_deref(), run_b_selector.as_ref())?
            .run
    };
    report(args, run_a, run_b, out, err)
}

fn report(
    args: &DiffArgs,
    run_a: &store::Run,
    run_b: &store::Run,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<()> {
    let cluster_by = args.cluster_by.as_deref();
    let (a, b) = (
        Side::load(run_a)?.clustered_by(cluster_by),
        Side::load(run_b)?.clustered_by(cluster_by),
    );
    let named = match (&args.task_a, &args.task_b) {
        (Some(task_a), Some(task_b)) => Some((task_a.as_str(), task_b.as_str())),
        (None, None) => None,
        _ => {
            return Err(eyre!(
                "--task-a and --task-b name the two tasks to compare: give both"
            ));
        }
    };
    let report = diff::diff_with(&a, &b, args.metric.as_deref(), named)?;
    let label = |run: &store::Run| format!("{} @ {}", run.model, run.date_id);
    match args.format {
        DiffFormat::Json => writeln!(
            out,
            "{}",
            pyjson::to_string(
                &to_json(&report, &label(run_a), &label(run_b)),
                WriteOptions::STRICT_INDENT2
            )
        )?,
        DiffFormat::Table | DiffFormat::Markdown => {
            writeln!(out, "A: {}\nB: {}\n", label(run_a), label(run_b))?;
            for warning in &report.warnings {
                writeln!(out, "⚠ {warning}")?;
            }
            if !report.changes.is_empty() {
                writeln!(out, "\nAlso changed:")?;
                for change in &report.changes {
                    writeln!(out, "  {}: {} → {}", change.what, change.a, change.b)?;
                }
            }
            writeln!(out)?;
            let table = table(&report);
            if args.format == DiffFormat::Markdown {
                table.write_markdown(out)?
            } else {
                table.write_plain(out)?
            }
            writeln!(
                out,
                "\n* significant at α = 0.05 after Holm–Bonferroni over {} comparisons; ▼ a regression, ▲ an improvement; \
                 ~ unpaired test; ! prompt drift",
                report
                    .rows
                    .iter()
                    .filter(|r| r.comparison.is_some())
                    .count()
            )?;
            if let Some(path) = cluster_by {
                writeln!(
                    out,
                    "cluster t: the paired Δ's standard error clustered by `{path}` (Inspect's √(C/(C−1)) correction), a t test and interval on C − 1 degrees of freedom"
                )?;
            }
            for (task, flips) in &report.flips {
                writeln!(
                    out,
                    "{task} ({}): {} right→wrong, {} wrong→right, {} same score but different prediction, {} only in A, {} only in B",
                    flips.metric,
                    flips.right_to_wrong.len(),
                    flips.wrong_to_right.len(),
                    flips.same_score_different_prediction.len(),
                    flips.only_a.len(),
                    flips.only_b.len()
                )?;
            }
        }
    }
    let regressions = report.regressions().count();
    if args.fail_on_regression && regressions > 0 {
        out.flush()?;
        return Err(RegressionFound(regressions).into());
    }
    Ok(())
}

fn table(report: &DiffReport) -> Table {
    let mut table = Table::new(&[
        ("", Align::Left),
        ("Task", Align::Left),
        ("Metric", Align::Left),
        ("A", Align::Right),
        ("B", Align::Right),
        ("Δ", Align::Right),
        ("95% CI", Align::Right),
        ("p (Holm)", Align::Right),
        ("test", Align::Left),
    ]);
    for row in &report.rows {
        let mark = row.mark();
        let value = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), format_value);
        let ci = row.comparison.map_or_else(String::new, |c| {
            format!("[{}, {}]", format_value(c.ci_low), format_value(c.ci_high))
        });
        let p = row.p_text();
        let test = format!("{} {}", row.test.name(), row.flags())
            .trim_end()
            .to_owned();
        table.push(vec![
            mark.to_owned(),
            row.task.clone(),
            row.metric.clone(),
            value(row.a),
            value(row.b),
            value(row.delta()),
            ci,
            p,
            test,
        ]);
    }
    table
}

fn to_json(report: &DiffReport, a: &str, b: &str) -> Json {
    let number = |v: Option<f64>| v.map_or(Json::Null, Json::Float);
    let tasks: Vec<Json> = report
        .rows
        .iter()
        .map(|row| {
            let c = row.comparison;
            let mut map = Map::new();
            map.insert("task".into(), row.task.as_str().into());
            map.insert("metric".into(), row.metric.as_str().into());
            map.insert("a".into(), number(row.a));
            map.insert("b".into(), number(row.b));
            map.insert("delta".into(), number(row.delta()));
            map.insert("se".into(), number(c.map(|c| c.se)));
            map.insert("ci_low".into(), number(c.map(|c| c.ci_low)));
            map.insert("ci_high".into(), number(c.map(|c| c.ci_high)));
            map.insert("p_value".into(), number(c.map(|c| c.p_value)));
            map.insert("p_adjusted".into(), number(Some(row.p_adjusted)));
            map.insert("test".into(), row.test.name().into());
            map.insert("significant".into(), Json::Bool(row.significant));
            map.insert("paired".into(), Json::Bool(row.paired));
            map.insert("n_paired".into(), Json::Int(row.n_paired as i64));
            map.insert("mde".into(), number(c.map(|c| c.mde)));
            map.insert(
                "clustered".into(),
                Json::Bool(row.test == diff::Test::ClusteredT),
            );
            map.insert(
                "clustered_se_a".into(),
                number(row.clustered_se.map(|(a, _)| a)),
            );
            map.insert(
                "clustered_se_b".into(),
                number(row.clustered_se.map(|(_, b)| b)),
            );
            map.insert("prompt_drift".into(), Json::Bool(row.prompt_drift));
            map.insert("regression".into(), Json::Bool(row.is_regression()));
            Json::Object(map)
        })
        .collect();
    let flips: Map = report
        .flips
        .iter()
        .map(|(task, f)| {
            let mut map = Map::new();
            map.insert("metric".into(), f.metric.as_str().into());
            map.insert(
                "right_to_wrong".into(),
                Json::Int(f.right_to_wrong.len() as i64),
            );
            map.insert(
                "wrong_to_right".into(),
                Json::Int(f.wrong_to_right.len() as i64),
            );
            map.insert(
                "same_score_different_prediction".into(),
                Json::Int(f.same_score_different_prediction.len() as i64),
            );
            map.insert("only_a".into(), Json::Int(f.only_a.len() as i64));
            map.insert("only_b".into(), Json::Int(f.only_b.len() as i64));
            (task.clone(), Json::Object(map))
        })
        .collect();
    let changes: Vec<Json> = report
        .changes
        .iter()
        .map(|c| {
            let mut map = Map::new();
            map.insert("what".into(), c.what.as_str().into());
            map.insert("a".into(), c.a.as_str().into());
            map.insert("b".into(), c.b.as_str().into());
            Json::Object(map)
        })
        .collect();
    let mut root = Map::new();
    root.insert("a".into(), a.into());
    root.insert("b".into(), b.into());
    root.insert("tasks".into(), Json::Array(tasks));
    root.insert("flips".into(), Json::Object(flips));
    root.insert("changes".into(), Json::Array(changes));
    root.insert(
        "warnings".into(),
        Json::Array(
            report
                .warnings
                .iter()
                .map(|w| Json::from(w.as_str()))
                .collect(),
        ),
    );
    Json::Object(root)
}
