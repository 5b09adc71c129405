//! `evaldeck transcript SOURCE --sample ID`: one sample's conversation, as text for a terminal,
//! Markdown to paste into an issue or a paper's appendix, or JSON (the same for every harness).

use std::io::Write;

use color_eyre::eyre::{Result, bail};

use super::{TranscriptArgs, TranscriptFormat, open_source};
use crate::model::pyjson::{self, WriteOptions};
use crate::model::transcript::{
    Event, EventDetail, Message, Part, Role, Transcript, transcript_to_json,
};
use crate::model::{Detail, Json};
use crate::store::DetailsFile;

pub(super) fn transcript(
    args: &TranscriptArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let catalog = open_source(args.run.source.as_ref())?;
    let selection = catalog.select(
        args.run.model.as_deref(),
        super::run_choice(args.run.source.as_ref(), args.run.run.as_ref())?.as_ref(),
    )?;
    let task = super::samples::resolve_task(
        selection.run,
        args.task.as_deref(),
        args.run.source.as_ref().and_then(|s| s.local_path()),
    )?;
    let file = selection.run.open_details(&task)?;
    let Some((record, detail, epochs)) = find_sample(&file, &args.sample, args.epoch)? else {
        match args.epoch {
            Some(epoch) => bail!("{task}: no sample `{}` in epoch {epoch}", args.sample),
            None => bail!("{task}: no sample `{}`", args.sample),
        }
    };
    if args.epoch.is_none() && epochs > 1 {
        writeln!(
            err,
            "note: sample `{}` ran {epochs} epochs; this is the first (choose with --epoch)",
            args.sample
        )?;
    }
    let transcript = file.transcript(&record, &detail);
    match args.format {
        TranscriptFormat::Json => writeln!(
            out,
            "{}",
            pyjson::to_string(
                &transcript_to_json(&transcript),
                WriteOptions::STRICT_INDENT2
            )
        )?,
        TranscriptFormat::Text => write_text(&transcript, out)?,
        TranscriptFormat::Markdown => write_markdown(&transcript, out)?,
    }
    Ok(())
}

/// The row of sample `id` (its first epoch unless `epoch` says which), and how many epochs of
/// it there are. A row matches by its id, or by the document id of an lm-eval line
/// (`0/strict-match` is document `0`).
fn find_sample(
    file: &DetailsFile,
    id: &str,
    epoch: Option<i64>,
) -> Result<Option<(crate::model::Map, Detail, usize)>> {
    let is_it = |detail: &Detail| {
        let own = detail.doc.id.as_deref().unwrap_or_default();
        own == id || own.split_once('/').is_some_and(|(doc, _)| doc == id)
    };
    // An Inspect log names each row's sample and epoch: no sample is unpacked to find one.
    if let Some(keys) = file.sample_keys() {
        let of_it: Vec<(usize, i64)> = keys
            .iter()
            .enumerate()
            .filter(|(_, (own, _))| own == id)
            .map(|(row, (_, e))| (row, *e))
            .collect();
        let chosen = of_it
            .iter()
            .filter(|(_, e)| epoch.is_none_or(|wanted| wanted == *e))
            .min_by_key(|(_, e)| *e);
        let Some(&(row, _)) = chosen else {
            return Ok(None);
        };
        let (record, detail) = file.read_row(row as u64)?;
        return Ok(Some((record, detail, of_it.len())));
    }
    let epoch_of = |detail: &Detail| detail.doc.extra.get("epoch").and_then(Json::as_i64);
    let mut found: Option<u64> = None;
    let mut epochs = 0;
    let mut row = 0u64;
    for batch in file.pairing_details(256)? {
        for detail in batch? {
            if is_it(&detail) {
                // lm-eval's lines of one document (one per filter) are not epochs.
                if epoch_of(&detail).is_some() {
                    epochs += 1;
                }
                let wanted = epoch.is_none_or(|e| epoch_of(&detail) == Some(e));
                if found.is_none() && wanted {
                    found = Some(row);
                }
            }
            row += 1;
        }
    }
    let Some(row) = found else { return Ok(None) };
    let (record, detail) = file.read_row(row)?;
    Ok(Some((record, detail, epochs)))
}

/// Width of the rules between messages.
const RULE: usize = 78;

fn rule(title: &str) -> String {
    let used = crate::text::width(title) + 4;
    format!("── {title} {}", "─".repeat(RULE.saturating_sub(used)))
}

/// A message's heading: its role, its turn (the assistant's turns counted from 1) and, for a
/// tool's answer, the function, the call it answers and a sign when it failed.
fn heading(message: &Message, turn: usize) -> String {
    let mut title = message.role.as_str().to_owned();
    if message.role == Role::Assistant {
        title.push_str(&format!(" · turn {turn}"));
        if let Some(model) = &message.model {
            title.push_str(&format!(" · {model}"));
        }
    }
    if let Some(result) = &message.tool_result {
        if let Some(function) = &result.function {
            title.push_str(&format!(" · {function}"));
        }
        if let Some(id) = &result.call_id {
            title.push_str(&format!(" · answers {id}"));
        }
        title.push_str(if result.error.is_some() {
            " · ✗ failed"
        } else {
            ""
        });
    }
    title
}

fn arguments_text(arguments: &Json) -> String {
    pyjson::to_string(arguments, WriteOptions::STRICT_INDENT2)
}

fn media_text(part: &Part) -> String {
    format!("[{}]", part.media_label().unwrap_or_default())
}

/// Text for a terminal: control characters (an escape sequence in a tool's output) as `·`,
/// never sent as commands; line breaks and tabs kept.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => '·',
            c => c,
        })
        .collect()
}

fn write_text(transcript: &Transcript, out: &mut dyn Write) -> Result<()> {
    let mut turn = 0;
    for message in &transcript.messages {
        if message.role == Role::Assistant {
            turn += 1;
        }
        writeln!(out, "{}", rule(&heading(message, turn)))?;
        for part in &message.parts {
            match part {
                Part::Text(text) => writeln!(out, "{}", printable(text))?,
                Part::Reasoning { .. } => {
                    let text = printable(part.readable_reasoning().unwrap_or_default());
                    for line in text.lines() {
                        writeln!(out, "│ {line}")?;
                    }
                }
                Part::Media { .. } => writeln!(out, "{}", media_text(part))?,
                Part::Other { kind, text } => writeln!(out, "[{kind}] {}", printable(text))?,
            }
        }
        for call in &message.tool_calls {
            writeln!(out, "→ {} (call {})", call.function, call.id)?;
            for line in arguments_text(&call.arguments).lines() {
                writeln!(out, "  {line}")?;
            }
            if let Some(error) = &call.parse_error {
                writeln!(out, "  ✗ arguments not parsed: {error}")?;
            }
        }
        if let Some(error) = message.tool_result.as_ref().and_then(|r| r.error.as_ref()) {
            writeln!(out, "✗ {}: {}", error.kind, error.message)?;
        }
    }
    write_summary(transcript, out, "")
}

/// The events' count by kind, the limits and errors hit, and the sample's tokens.
fn write_summary(transcript: &Transcript, out: &mut dyn Write, prefix: &str) -> Result<()> {
    if !transcript.events.is_empty() {
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for event in &transcript.events {
            match kinds.iter_mut().find(|(k, _)| *k == event.kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((&event.kind, 1)),
            }
        }
        let listed: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(out, "{prefix}events: {}", listed.join(", "))?;
        for event in transcript.events.iter().filter(|e| e.stands_out()) {
            writeln!(out, "{prefix}{}", event_line(event))?;
        }
    }
    for (model, usage) in &transcript.usage {
        writeln!(
            out,
            "{prefix}tokens of {model}: {} in, {} out, {} in all",
            usage.input_tokens, usage.output_tokens, usage.total_tokens
        )?;
    }
    Ok(())
}

fn event_line(event: &Event) -> String {
    let at = event
        .elapsed
        .map_or_else(String::new, |s| format!("{s:.2}s "));
    match &event.detail {
        EventDetail::Limit { kind, message, .. } => format!("⚑ {at}{kind} limit: {message}"),
        EventDetail::Error { message } => format!("✗ {at}error: {message}"),
        EventDetail::Tool {
            function,
            error: Some(error),
            ..
        } => format!(
            "✗ {at}{function} failed ({}): {}",
            error.kind, error.message
        ),
        EventDetail::Model {
            model,
            error: Some(error),
            ..
        } => format!("✗ {at}{model} failed: {error}"),
        EventDetail::Sandbox {
            command, exit_code, ..
        } => format!(
            "✗ {at}sandbox `{}` exited {}",
            command.as_deref().unwrap_or_default(),
            exit_code.unwrap_or_default()
        ),
        _ => format!("{at}{}", event.kind),
    }
}

/// A fence longer than any run of backticks in `text`, so the text cannot close it.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn write_markdown(transcript: &Transcript, out: &mut dyn Write) -> Result<()> {
    let mut turn = 0;
    for (number, message) in transcript.messages.iter().enumerate() {
        if message.role == Role::Assistant {
            turn += 1;
        }
        writeln!(out, "### {}. {}\n", number + 1, heading(message, turn))?;
        for part in &message.parts {
            match part {
                Part::Text(text) if message.role == Role::Tool => {
                    let fence = fence(text);
                    writeln!(out, "{fence}text\n{text}\n{fence}\n")?;
                }
                Part::Text(text) => writeln!(out, "{text}\n")?,
                Part::Reasoning { text, redacted, .. } => {
                    let text = if *redacted { "(redacted)" } else { text };
                    writeln!(
                        out,
                        "<details><summary>reasoning</summary>\n\n{text}\n\n</details>\n"
                    )?;
                }
                Part::Media { .. } => writeln!(out, "*{}*\n", media_text(part))?,
                Part::Other { kind, text } => writeln!(out, "*{kind}*: {text}\n")?,
            }
        }
        for call in &message.tool_calls {
            let arguments = arguments_text(&call.arguments);
            let fence = fence(&arguments);
            writeln!(
                out,
                "**Tool call** `{}` (`{}`)\n\n{fence}json\n{arguments}\n{fence}\n",
                call.function, call.id
            )?;
        }
        if let Some(error) = message.tool_result.as_ref().and_then(|r| r.error.as_ref()) {
            writeln!(out, "**✗ {}**: {}\n", error.kind, error.message)?;
        }
    }
    write_summary(transcript, out, "- ")
}
