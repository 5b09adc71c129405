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
    if let Some(crate::source::Source::HubOrg { org }) = &args.source {
        return org_runs(org, args, out);
    }
    let catalog = match open_source(args.source.as_ref()) {
        Ok(catalog) => catalog,
        // A folder an evaluation is about to write into: wait for its runs.
        Err(_) if args.follow && local_path(args).is_some_and(|s| s.is_dir()) => {
            return follow(args, Vec::new(), out);
        }
        Err(e) => return Err(e),
    };
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
                table.push(cells(s));
            }
            match format {
                ShowFormat::Markdown => table.write_markdown(out)?,
                ShowFormat::Csv => table.write_csv(out)?,
                _ => table.write_plain(out)?,
            }
        }
    }
    if args.follow {
        follow(args, summaries, out)?;
    }
    Ok(())
}

/// `runs hf://datasets/ORG`: every details repo of the organisation with its runs, a page at a
/// time as the Hub pages them. Nothing is downloaded: runs are known by their file names. The
/// table, Markdown and CSV have one header; JSON is one object per line, as pages arrive.
fn org_runs(org: &crate::source::HubOrg, args: &RunsArgs, out: &mut dyn Write) -> Result<()> {
    if args.follow {
        color_eyre::eyre::bail!(
            "--follow watches a folder or file on disk, not a Hub organisation"
        );
    }
    const HEADERS: [&str; 5] = ["Repo", "Model", "Run", "Tasks", "Results"];
    let mut wrote_header = false;
    let mut failed: Option<std::io::Error> = None;
    let mut any = false;
    crate::source::list_hub_org(org, crate::hub::HubEndpoint::from_env(), &mut |page| {
        for problem in &page.unreadable {
            eprintln!("warning: skipped {problem}");
        }
        let mut runs = page.runs;
        runs.sort_by(|a, b| {
            b.date_id
                .cmp(&a.date_id)
                .then_with(|| a.model.cmp(&b.model))
        });
        let rows: Vec<[String; 5]> = runs
            .iter()
            .map(|run| {
                [
                    repo_of(org, run),
                    run.model.clone(),
                    run.date_id.clone(),
                    run.details.len().to_string(),
                    if run.results_path.is_some() {
                        "yes"
                    } else {
                        "no"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        any |= !rows.is_empty();
        let written = write_org_page(args.format, &rows, &mut wrote_header, HEADERS, out)
            .and_then(|()| out.flush());
        match written {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    if !any {
        color_eyre::eyre::bail!("{org} holds no dataset repo with lighteval runs");
    }
    Ok(())
}

/// `hf://datasets/ORG/NAME` of an organisation's run, from where its files are cached.
fn repo_of(org: &crate::source::HubOrg, run: &Run) -> String {
    let path = run
        .results_path
        .as_deref()
        .or_else(|| run.details.first().map(|(_, p)| p.as_path()));
    path.and_then(|p| {
        p.iter()
            .filter_map(|part| part.to_str())
            .find_map(|part| part.strip_prefix("datasets--"))
            .map(|repo| format!("hf://datasets/{}", repo.replacen("--", "/", 1)))
    })
    .unwrap_or_else(|| org.to_string())
}

fn write_org_page(
    format: ShowFormat,
    rows: &[[String; 5]],
    wrote_header: &mut bool,
    headers: [&str; 5],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let header = !std::mem::replace(wrote_header, true);
    let owned = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    match format {
        ShowFormat::Json => {
            for row in rows {
                let mut map = Map::new();
                for (name, cell) in ["repo", "model_name", "date_id"].iter().zip(row) {
                    map.insert((*name).into(), cell.as_str().into());
                }
                map.insert("tasks".into(), Json::Int(row[3].parse().unwrap_or(0)));
                map.insert("results".into(), Json::Bool(row[4] == "yes"));
                let line =
                    pyjson::to_string(&Json::Object(map), pyjson::WriteOptions::STRICT_COMPACT);
                writeln!(out, "{line}")?;
            }
        }
        ShowFormat::Csv => {
            if header {
                super::table::write_csv_row(out, &owned(&headers))?;
            }
            for row in rows {
                super::table::write_csv_row(out, row)?;
            }
        }
        ShowFormat::Markdown => {
            if header {
                writeln!(out, "| {} |", headers.join(" | "))?;
                writeln!(out, "|{}", " --- |".repeat(headers.len()))?;
            }
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
        }
        _ => {
            // Pages arrive one by one, so columns have fixed widths rather than measured ones.
            let line = |cells: &[String]| {
                format!(
                    "{:<48}  {:<32}  {:<26}  {:>5}  {}",
                    cells[0], cells[1], cells[2], cells[3], cells[4]
                )
                .trim_end()
                .to_owned()
            };
            if header {
                writeln!(out, "{}", line(&owned(&headers)))?;
            }
            for row in rows {
                writeln!(out, "{}", line(row))?;
            }
        }
    }
    Ok(())
}

/// A run's line: model, run, harness, tasks, samples, and its score, progress or problem.
fn cells(s: &RunSummary) -> Vec<String> {
    vec![
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
    ]
}

/// `runs --follow`: after the listing, a line for each run that appears or changes, as the
/// folder is written, until interrupted. With `--format json`, a JSON object per line.
fn follow(args: &RunsArgs, listed: Vec<RunSummary>, out: &mut dyn Write) -> Result<()> {
    use std::time::{Duration, Instant};
    let Some(source) = local_path(args).filter(|s| s.exists()) else {
        color_eyre::eyre::bail!("--follow watches a folder or file on disk");
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    let _watch = crate::source::watch(source, move |paths| {
        let _ = sender.send(paths);
    })
    .map_err(|e| color_eyre::eyre::eyre!(e))?;
    // From here on no write is missed; scripts (and the tests) may start writing.
    eprintln!(
        "note: watching {} for runs (Ctrl-C to stop)",
        source.display()
    );
    let key = |s: &RunSummary| (s.model.clone(), s.date_id.clone(), s.harness);
    let mut known: std::collections::HashMap<_, RunSummary> =
        listed.into_iter().map(|s| (key(&s), s)).collect();
    // Files seen changing within the window, which are being written if they read as incomplete.
    let mut changed: Vec<(std::path::PathBuf, Instant)> = Vec::new();
    out.flush()?;
    loop {
        let paths = match receiver.recv_timeout(Duration::from_secs(5)) {
            Ok(paths) => paths,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Vec::new(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let now = Instant::now();
        let before = changed.len();
        changed.retain(|(_, seen)| now.duration_since(*seen) < crate::source::WRITING_WINDOW);
        if paths.is_empty() && changed.len() == before {
            continue;
        }
        changed.extend(paths.into_iter().map(|p| (p, now)));
        let catalog = match open_source(args.source.as_ref()) {
            Ok(catalog) => catalog,
            // A folder mid-write may hold no run yet.
            Err(_) => continue,
        };
        let being_written =
            |path: &std::path::Path| changed.iter().any(|(c, _)| crate::source::touches(c, path));
        for run in catalog.runs() {
            let summary = crate::store::summarise_live(run, &being_written);
            if known.get(&key(&summary)) == Some(&summary) {
                continue;
            }
            let stamp = chrono::Local::now().format("%H:%M:%S");
            match args.format {
                ShowFormat::Json => writeln!(
                    out,
                    "{}",
                    pyjson::to_string(&to_json(&summary), pyjson::WriteOptions::STRICT_COMPACT)
                )?,
                _ => writeln!(out, "[{stamp}] {}", cells(&summary).join("  "))?,
            }
            known.insert(key(&summary), summary);
        }
        out.flush()?;
    }
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

/// The folder or file `runs` lists, when it is on disk (only that can be followed).
fn local_path(args: &RunsArgs) -> Option<&std::path::Path> {
    args.source.as_ref().and_then(|s| s.local_path())
}
