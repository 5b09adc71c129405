//! A sample's transcript laid out for the screen: its messages (the Transcript view) or its
//! events (the Events view) as lines already cut to the terminal's width, each with its tone,
//! and where each turn starts, so `n` and `N` jump exactly and a frame draws only what shows.
//! Long contents, reasoning and the system prompt are folded to a few lines until unfolded.

use crate::model::Json;
use crate::model::pyjson::{self, WriteOptions};
use crate::model::transcript::{Event, EventDetail, Message, Part, Role, Transcript};

/// Lines a folded block keeps; reasoning keeps its first line.
pub const FOLDED_LINES: usize = 4;
const FOLDED_REASONING: usize = 1;
/// Lines past which a message's content is folded.
const LONG_CONTENT: usize = 24;

/// How a laid-out line looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A message's heading (its role and turn) or a span's.
    Heading(RoleTone),
    Text,
    /// Reasoning, folded notes, times.
    Dim,
    /// A tool call and its arguments.
    Call,
    /// A failed tool, an error.
    Failed,
    /// A limit hit.
    Limit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleTone {
    System,
    User,
    Assistant,
    Tool,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaidLine {
    pub tone: Tone,
    pub text: String,
}

/// The lines of one view of a transcript at one width.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptLayout {
    pub lines: Vec<LaidLine>,
    /// The line each message (or, for events, each model call) starts at: where `n` and `N` go.
    pub turns: Vec<usize>,
    /// Blocks folded in this layout; 0 when everything shows.
    pub folded: usize,
}

impl TranscriptLayout {
    fn push(&mut self, tone: Tone, text: &str, width: usize) {
        for line in text.split('\n') {
            for piece in wrap(line, width) {
                self.lines.push(LaidLine { tone, text: piece });
            }
        }
    }

    /// Pushes `text`; when `fold` is `Some((past, keep))` and it lays out to more than `past`
    /// lines (wrapped: one long line of minified JSON is many), keeps `keep` of them.
    fn push_folded(&mut self, tone: Tone, text: &str, width: usize, fold: Option<(usize, usize)>) {
        let start = self.lines.len();
        self.push(tone, text, width);
        let total = self.lines.len() - start;
        if let Some((past, keep)) = fold
            && total > past
        {
            self.lines.truncate(start + keep);
            self.folded += 1;
            let more = total - keep;
            let noun = if more == 1 { "line" } else { "lines" };
            self.lines.push(LaidLine {
                tone: Tone::Dim,
                text: format!("  … {more} more {noun} (Enter unfolds)"),
            });
        }
    }

    /// The first turn after line `from`, or before it (`backwards`).
    pub fn next_turn(&self, from: usize, backwards: bool) -> Option<usize> {
        if backwards {
            self.turns.iter().rev().copied().find(|&t| t < from)
        } else {
            self.turns.iter().copied().find(|&t| t > from)
        }
    }

    /// The first line at or after `from` whose text holds `needle` (case-insensitive), wrapping
    /// around to the top.
    pub fn find(&self, needle: &str, from: usize) -> Option<usize> {
        let needle = needle.to_lowercase();
        let hit = |i: &usize| self.lines[*i].text.to_lowercase().contains(&needle);
        (from..self.lines.len())
            .chain(0..from.min(self.lines.len()))
            .find(hit)
    }
}

/// `line` cut into pieces of at most `width` columns, at spaces where it can be; control
/// characters (an escape sequence in a tool's output) are drawn as `·`, never sent.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let clean: String = line
        .replace('\t', "    ")
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    if crate::text::width(&clean) <= width {
        return vec![clean];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_width = 0;
    for word in clean.split_inclusive(' ') {
        let word_width = crate::text::width(word);
        if current_width + word_width > width && !current.is_empty() {
            pieces.push(std::mem::take(&mut current).trim_end().to_owned());
            current_width = 0;
        }
        // A line never starts with the space that ended the one before.
        let word = if current.is_empty() {
            word.trim_start()
        } else {
            word
        };
        let word_width = crate::text::width(word);
        if word_width > width {
            // A word longer than the line (a path, a hash): cut it where it reaches the edge.
            for c in word.chars() {
                let w = crate::text::width(c.encode_utf8(&mut [0; 4]));
                if current_width + w > width {
                    pieces.push(std::mem::take(&mut current));
                    current_width = 0;
                }
                if current.is_empty() && c == ' ' {
                    continue;
                }
                current.push(c);
                current_width += w;
            }
        } else {
            current.push_str(word);
            current_width += word_width;
        }
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current.trim_end().to_owned());
    }
    pieces
}

fn role_tone(role: &Role) -> RoleTone {
    match role {
        Role::System => RoleTone::System,
        Role::User => RoleTone::User,
        Role::Assistant => RoleTone::Assistant,
        Role::Tool => RoleTone::Tool,
        Role::Other(_) => RoleTone::Other,
    }
}

/// A message's heading: `── assistant · turn 2 ──`, a tool's with its function, the call it
/// answers and, when it failed, `✗`.
fn heading(message: &Message, turn: usize, width: usize) -> String {
    let mut title = message.role.as_str().to_owned();
    if message.role == Role::Assistant {
        title.push_str(&format!(" · turn {turn}"));
    }
    if let Some(result) = &message.tool_result {
        if result.error.is_some() {
            title = format!("✗ {title}");
        }
        if let Some(function) = &result.function {
            title.push_str(&format!(" · {function}"));
        }
        if let Some(id) = &result.call_id {
            title.push_str(&format!(" · ↳ {id}"));
        }
    }
    let used = crate::text::width(&title) + 4;
    format!("── {title} {}", "─".repeat(width.saturating_sub(used)))
}

fn pretty(value: &Json) -> String {
    pyjson::to_string(value, WriteOptions::STRICT_INDENT2)
}

/// The Transcript view: each message a block under its heading; an assistant's tool calls with
/// their arguments, and each call's result directly under it when the next message answers it.
pub fn lay_out_messages(transcript: &Transcript, width: usize, unfolded: bool) -> TranscriptLayout {
    let mut layout = TranscriptLayout::default();
    if let Some(usage) = total_usage(transcript) {
        layout.push(Tone::Dim, &usage, width);
    }
    let mut turn = 0;
    if transcript.messages.is_empty() {
        layout.push(Tone::Dim, "This sample has no messages.", width);
    }
    for message in &transcript.messages {
        if message.role == Role::Assistant {
            turn += 1;
        }
        layout.turns.push(layout.lines.len());
        layout.lines.push(LaidLine {
            tone: Tone::Heading(role_tone(&message.role)),
            text: heading(message, turn, width),
        });
        // The system prompt folds whatever its length; other contents once they are long.
        let fold_text = match (unfolded, message.role == Role::System) {
            (true, _) => None,
            (false, true) => Some((FOLDED_LINES, FOLDED_LINES)),
            (false, false) => Some((LONG_CONTENT, FOLDED_LINES)),
        };
        for part in &message.parts {
            match part {
                Part::Text(text) => {
                    let tone = if message.failed() {
                        Tone::Failed
                    } else {
                        Tone::Text
                    };
                    layout.push_folded(tone, text, width, fold_text);
                }
                Part::Reasoning { .. } => {
                    let text = part.readable_reasoning().unwrap_or_default();
                    let text = format!("reasoning: {text}");
                    let fold = (!unfolded).then_some((FOLDED_REASONING, FOLDED_REASONING));
                    layout.push_folded(Tone::Dim, &text, width, fold);
                }
                Part::Media { .. } => {
                    let label = part.media_label().unwrap_or_default();
                    layout.push(Tone::Dim, &format!("▣ {label}"), width);
                }
                Part::Other { kind, text } => {
                    let text = format!("[{kind}] {text}");
                    let fold = (!unfolded).then_some((FOLDED_LINES, FOLDED_LINES));
                    layout.push_folded(Tone::Dim, &text, width, fold);
                }
            }
        }
        for call in &message.tool_calls {
            layout.push(
                Tone::Call,
                &format!("→ {} · {}", call.function, call.id),
                width,
            );
            let arguments = pretty(&call.arguments);
            let indented: Vec<String> = arguments.lines().map(|l| format!("  {l}")).collect();
            let fold = (!unfolded).then_some((12, FOLDED_LINES));
            layout.push_folded(Tone::Call, &indented.join("\n"), width, fold);
            if let Some(error) = &call.parse_error {
                layout.push(
                    Tone::Failed,
                    &format!("  ✗ arguments not parsed: {error}"),
                    width,
                );
            }
        }
        if let Some(error) = message.tool_result.as_ref().and_then(|r| r.error.as_ref()) {
            layout.push(
                Tone::Failed,
                &format!("✗ {}: {}", error.kind, error.message),
                width,
            );
        }
    }
    layout
}

/// What a span holds: when it ended, the tokens of the model calls in it (nested spans'
/// included), and whether anything in it failed or hit a limit.
#[derive(Default)]
struct SpanTotals {
    end: Option<f64>,
    tokens: i64,
    marked: bool,
}

/// The spans of a transcript by their ids: each one's parent (spans nest by `parent_id`, not by
/// file order: a stage's tools run at once, their spans interleaved) and totals.
struct Spans<'t> {
    parents: std::collections::HashMap<&'t str, Option<&'t str>>,
    totals: std::collections::HashMap<&'t str, SpanTotals>,
}

impl<'t> Spans<'t> {
    fn of(transcript: &'t Transcript) -> Spans<'t> {
        let mut spans = Spans {
            parents: Default::default(),
            totals: Default::default(),
        };
        for event in &transcript.events {
            if let EventDetail::SpanBegin { id, parent_id, .. } = &event.detail {
                spans.parents.insert(id, parent_id.as_deref());
            }
        }
        for event in &transcript.events {
            match &event.detail {
                EventDetail::SpanEnd { id } => {
                    spans.totals.entry(id.as_str()).or_default().end = event.elapsed;
                }
                EventDetail::Model { usage, .. } => {
                    let tokens = usage.map_or(0, |u| u.total_tokens);
                    for id in spans.chain(event.span_id.as_deref()) {
                        spans.totals.entry(id).or_default().tokens += tokens;
                    }
                }
                _ => {}
            }
            if event.stands_out() {
                for id in spans.chain(event.span_id.as_deref()) {
                    spans.totals.entry(id).or_default().marked = true;
                }
            }
        }
        spans
    }

    /// `span` and the spans it is in, innermost first (bounded, should a log's parents loop).
    fn chain(&self, span: Option<&'t str>) -> Vec<&'t str> {
        let mut chain = Vec::new();
        let mut at = span;
        while let Some(id) = at {
            if chain.len() >= 64 || chain.contains(&id) {
                break;
            }
            chain.push(id);
            at = self.parents.get(id).copied().flatten();
        }
        chain
    }

    /// How deep an event sits: the spans it is in. A span's own begin sits in its parent.
    fn depth(&self, event: &'t Event) -> usize {
        match &event.detail {
            EventDetail::SpanBegin { parent_id, .. } => self.chain(parent_id.as_deref()).len(),
            _ => self.chain(event.span_id.as_deref()).len(),
        }
    }
}

/// The Events view: the timeline of the sample, each event at its time from the sample's
/// start, nested in the spans it is in (init, solvers, tools, scorers, agents), as Inspect's own
/// transcript nests them. It starts folded to the top-level spans, each with its time and
/// tokens; errors, failed tools (`✗`) and limits (`⚑`) show inside them even then. Unfolded
/// (`Enter`), every event shows, and each model call opens to what it was given (`⇒`, its
/// pooled input expanded) and what it answered (`⇐`).
pub fn lay_out_events(transcript: &Transcript, width: usize, unfolded: bool) -> TranscriptLayout {
    let mut layout = TranscriptLayout::default();
    if let Some(usage) = total_usage(transcript) {
        layout.push(Tone::Dim, &usage, width);
    }
    if transcript.events.is_empty() {
        layout.push(Tone::Dim, "This sample has no events.", width);
        return layout;
    }
    let spans = Spans::of(transcript);
    // What the previous model call was given: a call whose input starts with it shows only
    // what is new, or an agent's N calls would lay out N² messages.
    let mut previous_input: Vec<&Message> = Vec::new();
    for event in &transcript.events {
        if matches!(event.detail, EventDetail::SpanEnd { .. }) {
            continue;
        }
        let depth = spans.depth(event);
        if !unfolded && depth > 0 && !event.stands_out() {
            continue;
        }
        let at = event
            .elapsed
            .map_or_else(|| "       ".to_owned(), |s| format!("{s:>6.2}s"));
        let (tone, what) = match &event.detail {
            EventDetail::SpanBegin { id, name, kind, .. } => {
                let totals = spans.totals.get(id.as_str());
                let folded = !unfolded;
                if folded {
                    layout.folded += 1;
                }
                let mut text = format!("{} {name}", if folded { "▸" } else { "▾" });
                if let Some(kind) = kind.as_deref().filter(|k| k != name) {
                    text.push_str(&format!(" ({kind})"));
                }
                if let (Some(end), Some(start)) = (totals.and_then(|t| t.end), event.elapsed) {
                    text.push_str(&format!(" · {:.2}s", (end - start).max(0.0)));
                }
                if let Some(tokens) = totals.map(|t| t.tokens).filter(|&t| t > 0) {
                    text.push_str(&format!(" · {tokens} tokens"));
                }
                if folded && totals.is_some_and(|t| t.marked) {
                    text.push_str(" · ✗/⚑ inside");
                }
                (Tone::Heading(RoleTone::Other), text)
            }
            _ => event_text(event),
        };
        let shows_turn = if unfolded {
            matches!(event.detail, EventDetail::Model { .. })
        } else {
            depth == 0
        };
        if shows_turn {
            layout.turns.push(layout.lines.len());
        }
        let mark = if event.is_failure() {
            "✗ "
        } else if matches!(event.detail, EventDetail::Limit { .. }) {
            "⚑ "
        } else {
            ""
        };
        let line = format!("{at} {}{mark}{what}", "  ".repeat(depth.min(12)));
        layout.lines.push(LaidLine {
            tone,
            text: crate::text::fit(&line, width),
        });
        if let EventDetail::Model {
            input,
            input_refs,
            output,
            ..
        } = &event.detail
        {
            let indent = format!("{}  ", " ".repeat(8 + 2 * depth.min(12)));
            if unfolded {
                let given: Vec<&Message> = transcript.model_input(input, input_refs).collect();
                let before = previous_input.len();
                let shared = before > 0
                    && given.len() >= before
                    && given
                        .iter()
                        .zip(&previous_input)
                        .all(|(a, b)| std::ptr::eq(*a, *b) || a == b);
                let new_from = if shared { before } else { 0 };
                if new_from > 0 {
                    layout.lines.push(LaidLine {
                        tone: Tone::Dim,
                        text: crate::text::fit(
                            &match new_from {
                                1 => format!("{indent}⇒ … the message of the call before"),
                                n => format!("{indent}⇒ … the {n} messages of the call before"),
                            },
                            width,
                        ),
                    });
                }
                for (tone, message) in given[new_from..]
                    .iter()
                    .map(|m| (Tone::Dim, *m))
                    .chain(output.iter().map(|m| (Tone::Text, m)))
                {
                    let arrow = if tone == Tone::Text { "⇐" } else { "⇒" };
                    let text = message_summary(message);
                    let line = format!("{indent}{arrow} {}: {text}", message.role.as_str());
                    layout.lines.push(LaidLine {
                        tone,
                        text: crate::text::fit(&line, width),
                    });
                }
                previous_input = given;
            }
        }
    }
    layout
}

/// A message on one line: its text, else its tool calls.
fn message_summary(message: &Message) -> String {
    let text = message.text();
    let calls: Vec<String> = message
        .tool_calls
        .iter()
        .map(|c| {
            let arguments = pyjson::to_string(&c.arguments, WriteOptions::STRICT_COMPACT);
            format!("→ {}({arguments})", c.function)
        })
        .collect();
    let mut summary = crate::text::one_line(&text, 200);
    if !calls.is_empty() {
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(&calls.join(" "));
    }
    summary
}

/// The sample's whole usage, every model's (`model_usage`), on one line.
pub fn total_usage(transcript: &Transcript) -> Option<String> {
    if transcript.usage.is_empty() {
        return None;
    }
    let models: Vec<String> = transcript
        .usage
        .iter()
        .map(|(model, u)| {
            let mut text = format!("{model}: {} in, {} out", u.input_tokens, u.output_tokens);
            if let Some(read) = u.cache_read.filter(|&r| r > 0) {
                text.push_str(&format!(", {read} cached"));
            }
            if let Some(reasoning) = u.reasoning_tokens.filter(|&r| r > 0) {
                text.push_str(&format!(", {reasoning} reasoning"));
            }
            text
        })
        .collect();
    Some(format!("tokens, whole sample · {}", models.join(" · ")))
}

fn event_text(event: &Event) -> (Tone, String) {
    let seconds = |s: Option<f64>| s.map_or_else(String::new, |s| format!(" · {s:.2}s"));
    match &event.detail {
        EventDetail::Model {
            model,
            usage,
            time,
            error,
            cache,
            ..
        } => {
            let tokens = usage.map_or_else(String::new, |u| {
                format!(" · {} in, {} out", u.input_tokens, u.output_tokens)
            });
            let cache = cache
                .as_deref()
                .map_or_else(String::new, |c| format!(" · cache {c}"));
            let error = error
                .as_deref()
                .map_or_else(String::new, |e| format!(" · {e}"));
            let tone = if event.is_failure() {
                Tone::Failed
            } else {
                Tone::Text
            };
            (
                tone,
                format!("model {model}{tokens}{}{cache}{error}", seconds(*time)),
            )
        }
        EventDetail::Tool {
            function,
            error,
            working_time,
            ..
        } => match error {
            Some(error) => (
                Tone::Failed,
                format!(
                    "tool {function}{} · {}: {}",
                    seconds(*working_time),
                    error.kind,
                    error.message
                ),
            ),
            None => (
                Tone::Call,
                format!("tool {function}{}", seconds(*working_time)),
            ),
        },
        EventDetail::SpanBegin { name, kind, .. } => (
            Tone::Heading(RoleTone::Other),
            match kind {
                Some(kind) if kind != name => format!("▾ {name} ({kind})"),
                _ => format!("▾ {name}"),
            },
        ),
        EventDetail::SpanEnd { .. } => (Tone::Dim, String::new()),
        EventDetail::Step { action, name, .. } => (Tone::Dim, format!("step {action} {name}")),
        EventDetail::Score {
            scorer,
            value,
            answer,
            ..
        } => (
            Tone::Text,
            format!(
                "score {} = {}{}",
                scorer.as_deref().unwrap_or_default(),
                pyjson::to_string(value, WriteOptions::STRICT_COMPACT),
                answer
                    .as_deref()
                    .map_or_else(String::new, |a| format!(" (answer {a})"))
            ),
        ),
        EventDetail::Sandbox {
            action,
            command,
            file,
            exit_code,
            ..
        } => (
            if event.is_failure() {
                Tone::Failed
            } else {
                Tone::Text
            },
            format!(
                "sandbox {action} {}{}",
                command.as_deref().or(file.as_deref()).unwrap_or_default(),
                exit_code.map_or_else(String::new, |c| format!(" → {c}"))
            ),
        ),
        EventDetail::Limit { kind, message, .. } => {
            (Tone::Limit, format!("{kind} limit: {message}"))
        }
        EventDetail::Error { message } => (Tone::Failed, format!("error: {message}")),
        EventDetail::Info { source, data } => (
            Tone::Dim,
            format!(
                "info {}{}",
                source
                    .as_deref()
                    .map_or_else(String::new, |s| format!("{s}: ")),
                crate::text::one_line(&pyjson::to_string(data, WriteOptions::STRICT_COMPACT), 80)
            ),
        ),
        EventDetail::State { changes } => {
            (Tone::Dim, format!("{} · {changes} changes", event.kind))
        }
        EventDetail::Logger { level, message } => (Tone::Dim, format!("log {level}: {message}")),
        EventDetail::Other => (Tone::Dim, event.kind.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character_within_the_width() {
        let line =
            "alpha beta gamma delta epsilon zeta eta theta a_very_long_word_without_spaces_at_all";
        let pieces = wrap(line, 12);
        assert!(
            pieces.iter().all(|p| crate::text::width(p) <= 12),
            "{pieces:?}"
        );
        let joined: String = pieces.concat().split_whitespace().collect();
        let original: String = line.split_whitespace().collect();
        assert_eq!(joined, original);
        assert_eq!(wrap("a\u{1b}[31mred", 40), vec!["a·[31mred"]);
    }

    #[test]
    fn interleaved_spans_nest_by_their_parents() {
        use crate::model::{Json, pyjson};
        // Two tools of one stage run at once: B's events after A's end are still B's.
        let raw = match pyjson::parse(
            r#"{"events": [
              {"event": "span_begin", "id": "P", "name": "solver"},
              {"event": "span_begin", "id": "A", "parent_id": "P", "name": "a", "type": "tool", "span_id": "A"},
              {"event": "span_begin", "id": "B", "parent_id": "P", "name": "b", "type": "tool", "span_id": "B"},
              {"event": "model", "model": "m", "span_id": "B", "output": {"usage": {"input_tokens": 60, "output_tokens": 40}}},
              {"event": "span_end", "id": "A", "span_id": "A"},
              {"event": "error", "span_id": "B", "error": {"message": "boom"}},
              {"event": "span_end", "id": "B", "span_id": "B"}
            ]}"#,
        )
        .unwrap()
        {
            Json::Object(map) => map,
            _ => panic!("not an object"),
        };
        let transcript = crate::source::inspect::transcript::sample_transcript(&raw);
        let layout = lay_out_events(&transcript, 100, true);
        let line = |needle: &str| {
            layout
                .lines
                .iter()
                .find(|l| l.text.contains(needle))
                .unwrap_or_else(|| panic!("{needle}: {:?}", layout.lines))
                .text
                .clone()
        };
        // A holds no tokens; B holds the call; the error after A's end is at B's depth.
        assert!(!line("▾ a (tool)").contains("tokens"), "{}", line("▾ a"));
        assert!(line("▾ b (tool)").contains("100 tokens"), "{}", line("▾ b"));
        let indent = |text: &str| text.chars().skip(8).take_while(|c| *c == ' ').count();
        assert_eq!(indent(&line("error: boom")), indent(&line("model m")));
    }
}
