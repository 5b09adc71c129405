//! `evaldeck show`: a run's aggregated results, like lighteval's end-of-run table.

use std::io::Write;

use color_eyre::eyre::Result;

use super::table::{Align, Table};
use super::{ShowArgs, ShowFormat, open_source};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map, ResultsFile};
use crate::report::{self, LineOrigin, ResultLine};
use crate::stats::LIGHTEVAL_BOOTSTRAP_ITERS;
use crate::text;
use crate::tracker::{CorpusScore, corpus_scores};

pub(super) fn show(args: &ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if !args.follow {
        return show_once(args, out, err);
    }
    follow(args, out, err)
}

/// `show --follow`: the results, then again whenever what `show` prints changes. A change that
/// cannot be read yet (a results file half-written) waits for the next one.
fn follow(args: &ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Some(source) = args
        .run
        .source
        .as_ref()
        .and_then(|s| s.local_path())
        .filter(|s| s.exists())
    else {
        color_eyre::eyre::bail!("--follow watches a folder or file on disk");
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    let _watch = crate::source::watch(source, move |_| {
        let _ = sender.send(());
    })
    .map_err(|e| color_eyre::eyre::eyre!(e))?;
    // From here on no write is missed; scripts (and the tests) may start writing.
    writeln!(err, "note: watching {} (Ctrl-C to stop)", source.display())?;
    let mut shown = Vec::new();
    show_once(args, &mut shown, err)?;
    out.write_all(&shown)?;
    out.flush()?;
    while receiver.recv().is_ok() {
        let mut again = Vec::new();
        if show_once(args, &mut again, &mut std::io::sink()).is_err() || again == shown {
            continue;
        }
        writeln!(out, "\n[{}]", chrono::Local::now().format("%H:%M:%S"))?;
        out.write_all(&again)?;
        out.flush()?;
        shown = again;
    }
    Ok(())
}

fn show_once(args: &ShowArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let catalog = open_source(args.run.source.as_ref())?;
    let selection = catalog.select(
        args.run.model.as_deref(),
        super::run_choice(args.run.source.as_ref(), args.run.run.as_ref())?.as_ref(),
    )?;
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
    // An Inspect log that stopped (`error`, `cancelled`, or never finished) shows what it holds.
    if let Some(Json::Array(statuses)) = results.general().raw().get("status") {
        for (task, status) in results.measured_tasks().iter().zip(statuses) {
            if let Some(status) = status.as_str().filter(|s| *s != "success") {
                writeln!(
                    err,
                    "note: {task}'s log has status `{status}`; its results are what it holds"
                )?;
            }
        }
    }
    let corrected = corpus_scores(run, &results, LIGHTEVAL_BOOTSTRAP_ITERS);
    let clustered = match &args.cluster_by {
        Some(path) => {
            let side = crate::analysis::Side::load(run)?.clustered_by(Some(path));
            let (clustered, warnings) = crate::analysis::clustered_stderrs(&side)?;
            for warning in warnings {
                writeln!(err, "warning: {warning}")?;
            }
            clustered
        }
        None => Vec::new(),
    };
    // `show` prints no sample counts: nothing is opened to count them.
    let mut lines = report::result_lines(&results, &corrected, &|_| None);
    if args.cluster_by.is_some() {
        report::apply_clustering(&mut lines, Some(&clustered));
    }
    // The JSON lists rows in the file's order; the tables as lighteval prints them.
    if args.format != ShowFormat::Json {
        report::sort_as_lighteval_prints(&results, &mut lines);
    }
    let shown = Shown {
        results: &results,
        lines: &lines,
        corrected: &corrected,
        clustered: &clustered,
        cluster_by: args.cluster_by.as_deref(),
    };
    match args.format {
        ShowFormat::Json => {
            let doc = json_summary(&run.model, &run.date_id, &shown);
            writeln!(
                out,
                "{}",
                pyjson::to_string(&doc, WriteOptions::STRICT_INDENT2)
            )?;
        }
        ShowFormat::Table => {
            writeln!(out, "{} · run {}", run.model, run.date_id)?;
            writeln!(out)?;
            results_table(&shown, "*").write_plain(out)?;
            if results.rows().any(|r| results.is_derived(r.task)) {
                writeln!(out, "\n* derived row: a mean over other rows, not measured")?;
            }
            footnotes(&shown, out)?;
        }
        ShowFormat::Markdown => {
            writeln!(out, "**{}** · run `{}`", run.model, run.date_id)?;
            writeln!(out)?;
            results_table(&shown, "*(derived)*").write_markdown(out)?;
            footnotes(&shown, out)?;
        }
        ShowFormat::Csv => results_csv(&shown).write_csv(out)?,
    }
    Ok(())
}

/// A run's results, their report's lines, and what evaldeck adds beside them.
struct Shown<'a> {
    results: &'a ResultsFile,
    /// In lighteval's table order for the tables, the file's for the JSON.
    lines: &'a [ResultLine],
    corrected: &'a [CorpusScore],
    /// Standard errors clustered by `cluster_by`, which replace the stored ones in tables.
    clustered: &'a [crate::analysis::ClusteredStderr],
    cluster_by: Option<&'a str>,
}

impl Shown<'_> {
    fn any_lighteval_layout(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.origin == LineOrigin::StoredLightevalLayout)
    }
}

fn footnotes(shown: &Shown<'_>, out: &mut dyn Write) -> Result<()> {
    if shown.any_lighteval_layout() {
        writeln!(out, "{}", text::LIGHTEVAL_LAYOUT_NOTE)?;
    }
    if !shown.corrected.is_empty() {
        writeln!(out, "{}", text::CORPUS_SCORE_NOTE)?;
    }
    if let Some(path) = shown.cluster_by {
        let clusters: Vec<String> = shown
            .clustered
            .iter()
            .map(|c| format!("{} {}", c.task, c.clusters))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        writeln!(
            out,
            "c standard error clustered by `{path}` (clusters per task: {}), with Inspect's √(C/(C−1)) correction",
            if clusters.is_empty() {
                "none".to_owned()
            } else {
                clusters.join(", ")
            }
        )?;
    }
    Ok(())
}

/// One line per metric, the task named on its first line only, as lighteval prints it.
fn results_table(shown: &Shown<'_>, derived_mark: &str) -> Table {
    let mut table = Table::new(&[
        ("Task", Align::Left),
        ("Version", Align::Right),
        ("Metric", Align::Left),
        ("Value", Align::Right),
        ("", Align::Left),
        ("Stderr", Align::Right),
    ]);
    let mut previous_task: Option<&str> = None;
    for line in shown.lines {
        let first = previous_task != Some(line.task.as_str());
        previous_task = Some(line.task.as_str());
        let (task, version) = match (first, line.derived) {
            (false, _) => (String::new(), String::new()),
            (true, true) => (format!("{} {derived_mark}", line.label), String::new()),
            (true, false) => (line.label.clone(), line.version.clone().unwrap_or_default()),
        };
        if line.is_heading() {
            let metric = if line.derived { "" } else { text::NO_SCORES };
            table.push(vec![
                task,
                version,
                metric.to_owned(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        let metric = match line.origin.mark() {
            Some(mark) => format!("{} {mark}", line.metric),
            None => line.metric.clone(),
        };
        let (stderr, clustered) = match line.shown_stderr() {
            Some((se, clustered)) => (format_value(se), clustered),
            None => (String::new(), false),
        };
        table.push(vec![
            task,
            version,
            metric,
            line.value.map_or_else(|| "-".into(), format_value),
            if stderr.is_empty() { "" } else { "±" }.to_owned(),
            if clustered {
                format!("{stderr} c")
            } else {
                stderr
            },
        ]);
    }
    table
}

/// One line per metric; `computed_by` says whose number it is: `lighteval` (as stored),
/// `lighteval-reference-layout` (stored, sacrebleu given the golds as reference streams) or
/// `evaldeck` (a corrected corpus score, not in the file).
fn results_csv(shown: &Shown<'_>) -> Table {
    let mut table = Table::new(&[
        ("task", Align::Left),
        ("version", Align::Left),
        ("metric", Align::Left),
        ("value", Align::Left),
        ("stderr", Align::Left),
        ("derived", Align::Left),
        ("computed_by", Align::Left),
    ]);
    for line in shown.lines.iter().filter(|l| !l.is_heading()) {
        table.push(vec![
            line.task.clone(),
            line.version.clone().unwrap_or_default(),
            line.metric.clone(),
            line.value.map(full_precision).unwrap_or_default(),
            line.stderr.map(full_precision).unwrap_or_default(),
            line.derived.to_string(),
            line.origin.computed_by().into(),
        ]);
    }
    table
}

pub use crate::text::format_value;

fn full_precision(value: f64) -> String {
    let mut out = String::new();
    pyjson::write_float(&mut out, value, pyjson::NonFinite::PythonTokens);
    out
}

/// The strict-JSON summary of `show --format json`. `results` is exactly the file's; what
/// evaldeck adds sits beside it: `lighteval_reference_layout` (the stored translation rows that
/// sacrebleu scored with the golds as reference streams) and `evaldeck_corpus_scores`.
fn json_summary(model: &str, date_id: &str, shown: &Shown<'_>) -> Json {
    let results = shown.results;
    let mut versions = Map::new();
    for task in results.measured_tasks() {
        if let Some(v) = results.task_version_value(task.as_str()) {
            versions.insert(task.as_str().to_owned(), v.clone());
        }
    }
    let derived: Vec<Json> = results
        .rows()
        .filter(|r| results.is_derived(r.task))
        .map(|r| Json::from(r.task))
        .collect();
    let mut doc = Map::new();
    doc.insert("harness".into(), results.harness().into());
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
    if results.has_tree() {
        // lm-eval's groups: each row's depth, top-level group, shown name and alias, in table
        // order.
        let tree = results
            .rows()
            .filter_map(|row| {
                let node = results.tree_node(row.task)?;
                let mut entry = Map::new();
                entry.insert("task".into(), row.task.into());
                entry.insert("depth".into(), Json::Int(node.depth as i64));
                entry.insert("group".into(), node.root.into());
                entry.insert("label".into(), node.label.into());
                entry.insert("alias".into(), node.alias.into());
                Some(Json::Object(entry))
            })
            .collect();
        doc.insert("tree".into(), Json::Array(tree));
    }
    // Other harnesses' standard errors are their own, as their logs hold them.
    let convention = match results.harness() {
        "lighteval" => results.general().stderr_convention().name(),
        harness => harness,
    };
    doc.insert("stderr_convention".into(), convention.into());
    let mut layout_rows = Vec::new();
    for line in shown.lines {
        if line.origin == LineOrigin::StoredLightevalLayout {
            let mut entry = Map::new();
            entry.insert("task".into(), line.task.as_str().into());
            entry.insert("metric".into(), line.metric.as_str().into());
            layout_rows.push(Json::Object(entry));
        }
    }
    doc.insert(
        "lighteval_reference_layout".into(),
        Json::Array(layout_rows),
    );
    let corrected = shown
        .corrected
        .iter()
        .map(|c| {
            let mut entry = Map::new();
            entry.insert("task".into(), c.task.as_str().into());
            entry.insert("metric".into(), c.metric.as_str().into());
            entry.insert("name".into(), c.name().into());
            entry.insert("value".into(), Json::Float(c.value));
            entry.insert("stderr".into(), Json::Float(c.stderr));
            Json::Object(entry)
        })
        .collect();
    doc.insert("evaldeck_corpus_scores".into(), Json::Array(corrected));
    if let Some(path) = shown.cluster_by {
        doc.insert("clustered_by".into(), path.into());
        let clustered = shown
            .clustered
            .iter()
            .map(|c| {
                let mut entry = Map::new();
                entry.insert("task".into(), c.task.as_str().into());
                entry.insert("metric".into(), c.metric.as_str().into());
                entry.insert("stderr".into(), c.stderr.map_or(Json::Null, Json::Float));
                entry.insert("samples".into(), Json::Int(c.samples as i64));
                entry.insert("clusters".into(), Json::Int(c.clusters as i64));
                Json::Object(entry)
            })
            .collect();
        doc.insert("clustered_stderr".into(), Json::Array(clustered));
    }
    Json::Object(doc)
}
