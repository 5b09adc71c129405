//! `evaldeck samples`: the per-sample rows of one task, streamed batch by batch so memory stays
//! flat however many rows there are.

use std::io::Write;

use color_eyre::eyre::{Result, bail};

use super::table::{Align, Table, one_line, write_csv_row};
use super::{SamplesArgs, SamplesFormat, open_source};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::transcript::Transcript;
use crate::model::{Detail, Json, Prediction};
use crate::store::{self, DetailsFile, Run};

/// Rows decoded per batch: big enough to amortise decoding, small enough to keep memory flat.
const BATCH_ROWS: usize = 1024;
/// Query column width in `--format table`.
const QUERY_WIDTH: usize = 48;
const ANSWER_WIDTH: usize = 24;

pub(super) fn samples(args: &SamplesArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let catalog = open_source(args.run.source.as_ref())?;
    let selection = catalog.select(
        args.run.model.as_deref(),
        super::run_choice(args.run.source.as_ref(), args.run.run.as_ref())?.as_ref(),
    )?;
    if selection.chose_among > 1 {
        writeln!(
            err,
            "note: several models here; using the newest run, of {}. Choose with --model.",
            selection.run.model
        )?;
    }
    let task = resolve_task(
        selection.run,
        args.task.as_deref(),
        args.run.source.as_ref().and_then(|s| s.local_path()),
    )?;
    let file = selection.run.open_details(&task)?;
    if file.num_rows() == 0 {
        let reason = match selection.run.load_results() {
            Ok(results) => results.why_no_samples(&task),
            Err(_) => format!("{task} has no samples in this file"),
        };
        writeln!(err, "note: {reason}")?;
    }
    let limit = args.limit.unwrap_or(u64::MAX);
    let batch_rows = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .clamp(1, BATCH_ROWS);
    let matches = |t: &Transcript| {
        args.grep
            .as_ref()
            .is_none_or(|re| t.any_text(|text| re.is_match(text)))
    };
    let keep: Option<store::TranscriptFilter> = args.grep.as_ref().map(|_| &matches as _);
    match args.format {
        SamplesFormat::Jsonl => Ok(store::write_details_jsonl_where(
            &file,
            limit,
            batch_rows,
            if args.transcript {
                store::CommonKeys::AddedWithTranscripts
            } else {
                store::CommonKeys::Added
            },
            keep,
            out,
            std::path::Path::new("<stdout>"),
        )?),
        SamplesFormat::Table => {
            // A table must know its column widths, so it holds the rows it prints.
            let mut table: Option<Table> = None;
            for_each_detail(&file, (limit, batch_rows), keep, |index, detail| {
                let table = table.get_or_insert_with(|| new_table(&file, detail));
                table.rows.push(table_cells(
                    index,
                    detail,
                    &table.headers[FIXED_COLUMNS.len()..],
                    true,
                ));
                Ok(())
            })?;
            if let Some(table) = table {
                table.write_plain(out)?;
            }
            Ok(())
        }
        SamplesFormat::Csv => {
            let mut headers: Option<Vec<String>> = None;
            for_each_detail(&file, (limit, batch_rows), keep, |index, detail| {
                if headers.is_none() {
                    let h = new_table(&file, detail).headers;
                    write_csv_row(out, &h)?;
                    headers = Some(h);
                }
                let metrics = &headers.as_ref().expect("set above")[FIXED_COLUMNS.len()..];
                write_csv_row(out, &table_cells(index, detail, metrics, false))?;
                Ok(())
            })
        }
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// Finds a task by its exact key, or by its name or key without few-shot part when only one matches.
/// Without a task, a run of one task (an Inspect log) uses it, and so does a source that names one
/// task's file (a details Parquet file, an lm-eval samples file, an Inspect log).
pub(super) fn resolve_task(
    run: &Run,
    wanted: Option<&str>,
    source: Option<&std::path::Path>,
) -> Result<String> {
    let tasks: Vec<&str> = run.details.iter().map(|(t, _)| t.as_str()).collect();
    let Some(wanted) = wanted else {
        let named: Vec<&str> = source
            .filter(|s| s.is_file())
            .map(|source| {
                run.details
                    .iter()
                    .filter(|(_, path)| same_file(path, source))
                    .map(|(t, _)| t.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if let [only] = named.as_slice() {
            return Ok((*only).to_owned());
        }
        match tasks.as_slice() {
            [only] => return Ok((*only).to_owned()),
            _ => bail!(
                "run {} of `{}` has {} tasks; choose one with --task: {}",
                run.date_id,
                run.model,
                tasks.len(),
                tasks.join(", ")
            ),
        }
    };
    if tasks.contains(&wanted) {
        return Ok(wanted.to_owned());
    }
    let matches: Vec<&str> = tasks
        .iter()
        .copied()
        .filter(|t| {
            let key = crate::model::TaskKey::new(*t);
            key.name() == wanted || key.without_fewshot() == wanted
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => bail!(
            "run {} of `{}` has no details for task `{wanted}`; tasks with details: {}",
            run.date_id,
            run.model,
            if tasks.is_empty() {
                "none".to_owned()
            } else {
                tasks.join(", ")
            }
        ),
        several => bail!(
            "task `{wanted}` matches several tasks ({}); give the full key",
            several.join(", ")
        ),
    }
}

/// Calls `each` with the index and the row of at most `limit` rows, those whose transcript
/// `keep` keeps (a row keeps its index in the file). No row is read once `limit` are shown.
fn for_each_detail(
    file: &DetailsFile,
    (limit, batch_rows): (u64, usize),
    keep: Option<store::TranscriptFilter>,
    mut each: impl FnMut(u64, &Detail) -> Result<()>,
) -> Result<()> {
    let (mut index, mut shown) = (0u64, 0u64);
    let kept = |transcript: Option<Transcript>| {
        transcript.is_none_or(|t| keep.is_none_or(|keep| keep(&t)))
    };
    match keep {
        // Another harness's transcript needs its own record.
        Some(_) if file.layout() == store::DetailsLayout::Log => {
            for batch in file.log_rows(batch_rows)? {
                for (raw, detail) in batch? {
                    if shown >= limit {
                        return Ok(());
                    }
                    if kept(Some(file.transcript(&raw, &detail))) {
                        each(index, &detail)?;
                        shown += 1;
                    }
                    index += 1;
                }
            }
        }
        _ => {
            for batch in file.details(batch_rows)? {
                for detail in batch? {
                    if shown >= limit {
                        return Ok(());
                    }
                    if kept(keep.map(|_| Transcript::from_detail(&detail))) {
                        each(index, &detail)?;
                        shown += 1;
                    }
                    index += 1;
                }
            }
        }
    }
    Ok(())
}

/// The columns before the metrics: `#`, id, query, gold, prediction.
const FIXED_COLUMNS: [(&str, Align); 5] = [
    ("#", Align::Right),
    ("id", Align::Left),
    ("query", Align::Left),
    ("gold", Align::Left),
    ("prediction", Align::Left),
];

fn new_table(file: &DetailsFile, first: &Detail) -> Table {
    let headers = FIXED_COLUMNS;
    let mut names = file.metric_names();
    if names.is_empty() {
        names = first.metric.keys().cloned().collect();
    }
    let mut table = Table::new(&headers);
    for name in names {
        table.headers.push(name);
        table.align.push(Align::Right);
    }
    table
}

fn table_cells(index: u64, detail: &Detail, metrics: &[String], elide: bool) -> Vec<String> {
    let shorten = |text: &str, width: usize| {
        if elide {
            one_line(text, width)
        } else {
            text.to_owned()
        }
    };
    let golds = detail.doc.golds().join(" | ");
    let prediction = match detail.prediction() {
        Prediction::Generated(text) => text.to_owned(),
        Prediction::Choice { text, .. } => text.to_owned(),
        Prediction::None => String::new(),
    };
    let mut cells = vec![
        index.to_string(),
        detail.doc.id.clone().unwrap_or_default(),
        shorten(&detail.doc.query, QUERY_WIDTH),
        shorten(&golds, ANSWER_WIDTH),
        shorten(&prediction, ANSWER_WIDTH),
    ];
    for name in metrics {
        cells.push(match detail.metric.get(name) {
            None => String::new(),
            Some(value @ (Json::Int(_) | Json::Bool(_))) => {
                pyjson::to_string(value, WriteOptions::STRICT_COMPACT)
            }
            Some(Json::Float(f)) if elide => super::show::format_value(*f),
            Some(other) if elide => one_line(
                &pyjson::to_string(other, WriteOptions::STRICT_COMPACT),
                ANSWER_WIDTH,
            ),
            Some(other) => pyjson::to_string(other, WriteOptions::STRICT_COMPACT),
        });
    }
    cells
}
