//! A sample's conversation and what happened while it ran, whatever harness wrote it: messages
//! (a role, content parts, the tool calls an assistant makes, the call a tool result answers)
//! and events (model calls with their tokens and time, tool calls, spans, scores, sandbox
//! commands, limits, errors), each timed from the sample's start. Inspect's samples give all of
//! it; lighteval's details and lm-eval's samples give the request and the answers.

mod json;

pub use json::{message_to_json, transcript_to_json};

use super::{Detail, Json};

/// One sample's transcript.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    /// The sample's whole usage, per model (Inspect's `model_usage`), scorers' calls included.
    pub usage: Vec<(String, Usage)>,
    /// The messages model calls were given, each once (Inspect's `events_data.messages`): a
    /// call's input is ranges of it, so a long agent run's inputs cost memory linear in its
    /// length, not quadratic, as every call is given every message before it.
    pub pool: Vec<Message>,
}

/// Who speaks a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
    Other(String),
}

impl Role {
    pub fn parse(text: &str) -> Role {
        match text {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => Role::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
            Role::Other(other) => other,
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub id: Option<String>,
    pub parts: Vec<Part>,
    /// The calls an assistant message makes.
    pub tool_calls: Vec<ToolCall>,
    /// For a tool's message: the call it answers and how that call went.
    pub tool_result: Option<ToolResult>,
    /// The model that wrote an assistant message.
    pub model: Option<String>,
}

impl Message {
    /// A message of plain text.
    pub fn text_message(role: Role, text: impl Into<String>) -> Message {
        Message {
            role,
            id: None,
            parts: vec![Part::Text(text.into())],
            tool_calls: Vec::new(),
            tool_result: None,
            model: None,
        }
    }

    /// A message of the given parts.
    pub fn with_parts(role: Role, parts: Vec<Part>) -> Message {
        Message {
            parts,
            ..Message::text_message(role, "")
        }
    }

    /// The message's text, as Inspect's `ChatMessage.text` gives it: its text parts joined by
    /// newlines; reasoning, media and other parts are not text.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|part| match part {
                Part::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        texts.join("\n")
    }

    /// Whether a tool's message says its call failed.
    pub fn failed(&self) -> bool {
        self.tool_result.as_ref().is_some_and(|r| r.error.is_some())
    }
}

/// One part of a message's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// The model's reasoning; `redacted` when the provider withheld it (the text is then opaque).
    Reasoning {
        text: String,
        summary: Option<String>,
        redacted: bool,
    },
    /// An image, audio, video or document, never shown inline: its kind, type and size.
    Media {
        kind: String,
        mime: Option<String>,
        /// Bytes of the data the content holds (a data URI's decoded size), when it holds it.
        bytes: Option<u64>,
        /// Where the data is, when it is not inline (a URL, a file name).
        location: Option<String>,
    },
    /// Any other part (a provider's tool use, raw data), as its kind and a text rendering.
    Other {
        kind: String,
        text: String,
    },
}

impl Part {
    /// What a reasoning part lets one read: its text, or, when the provider withheld it (an
    /// encrypted blob), its summary; `None` for other parts.
    pub fn readable_reasoning(&self) -> Option<&str> {
        match self {
            Part::Reasoning {
                text,
                summary,
                redacted,
            } => Some(if *redacted {
                summary.as_deref().unwrap_or("(redacted)")
            } else {
                text
            }),
            _ => None,
        }
    }

    /// A media part in words, its kind first: `image · image/png · 70 B`; `None` for other
    /// parts. The data itself is never shown.
    pub fn media_label(&self) -> Option<String> {
        let Part::Media {
            kind,
            mime,
            bytes,
            location,
        } = self
        else {
            return None;
        };
        let mut label = kind.clone();
        if let Some(mime) = mime {
            label.push_str(&format!(" · {mime}"));
        }
        if let Some(bytes) = bytes {
            label.push_str(&format!(" · {}", crate::text::human_bytes(*bytes)));
        }
        if let Some(location) = location {
            label.push_str(&format!(" · {}", crate::text::one_line(location, 60)));
        }
        Some(label)
    }
}

/// A tool call an assistant message makes.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub function: String,
    pub arguments: Json,
    /// Why the model's arguments could not be parsed, when they could not.
    pub parse_error: Option<String>,
}

/// What a tool's message answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// The id of the call answered.
    pub call_id: Option<String>,
    pub function: Option<String>,
    pub error: Option<ToolError>,
}

/// A failed tool call: the kind of failure (`timeout`, `parsing`, `permission`, …) and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    pub kind: String,
    pub message: String,
}

/// Tokens of one model call, or of a whole sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub cache_read: Option<i64>,
    pub cache_write: Option<i64>,
    pub reasoning_tokens: Option<i64>,
}

impl Usage {
    /// Adds `other` to this usage, field by field.
    pub fn add(&mut self, other: &Usage) {
        let sum = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.total_tokens += other.total_tokens;
        self.cache_read = sum(self.cache_read, other.cache_read);
        self.cache_write = sum(self.cache_write, other.cache_write);
        self.reasoning_tokens = sum(self.reasoning_tokens, other.reasoning_tokens);
    }
}

/// Something that happened while the sample ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The harness's name for it (Inspect's `event`: `model`, `tool`, `span_begin`, …).
    pub kind: String,
    pub uuid: Option<String>,
    /// The span the event belongs to.
    pub span_id: Option<String>,
    /// When it happened, as written (ISO 8601).
    pub timestamp: Option<String>,
    /// Seconds of working time from the sample's start, as the harness counts it.
    pub working_start: Option<f64>,
    /// Seconds from the sample's start by the clock (from the timestamps).
    pub elapsed: Option<f64>,
    /// Still under way when the log was written.
    pub pending: bool,
    pub detail: EventDetail,
}

/// What an event holds, by its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum EventDetail {
    /// A call to a model: the messages it was given, what it answered, its tokens and time.
    Model {
        model: String,
        /// The messages written out in the event (logs without a pool).
        input: Vec<Message>,
        /// Half-open ranges of the transcript's pool, when the input is pooled; see
        /// [`Transcript::model_input`].
        input_refs: Vec<(usize, usize)>,
        output: Vec<Message>,
        usage: Option<Usage>,
        /// Seconds the call took.
        time: Option<f64>,
        error: Option<String>,
        /// `read` or `write` when the answer came from, or went to, a cache.
        cache: Option<String>,
    },
    /// A tool call and its result.
    Tool {
        id: String,
        function: String,
        arguments: Json,
        result: String,
        error: Option<ToolError>,
        working_time: Option<f64>,
    },
    /// The start of a span (solver, agent, tool, scorer, …) that the events after it, up to its
    /// end, belong to.
    SpanBegin {
        id: String,
        parent_id: Option<String>,
        kind: Option<String>,
        name: String,
    },
    SpanEnd {
        id: String,
    },
    /// A step of a log written before spans (begin or end).
    Step {
        action: String,
        kind: Option<String>,
        name: String,
    },
    Score {
        scorer: Option<String>,
        value: Json,
        answer: Option<String>,
        explanation: Option<String>,
        intermediate: bool,
    },
    /// A command run, or a file read or written, in the sandbox.
    Sandbox {
        action: String,
        command: Option<String>,
        file: Option<String>,
        exit_code: Option<i64>,
        output: Option<String>,
    },
    /// A limit the sample hit (tokens, messages, time, …).
    Limit {
        kind: String,
        message: String,
        limit: Option<f64>,
    },
    Error {
        message: String,
    },
    Info {
        source: Option<String>,
        data: Json,
    },
    /// Changes to the sample's state or store.
    State {
        changes: usize,
    },
    Logger {
        level: String,
        message: String,
    },
    /// Any other event, by its kind alone.
    Other,
}

impl Event {
    /// Whether the event must show whatever is folded: a failure, or a limit hit.
    pub fn stands_out(&self) -> bool {
        self.is_failure() || matches!(self.detail, EventDetail::Limit { .. })
    }

    /// Whether the event is a failure: an error, a failed tool, a model call that errored.
    pub fn is_failure(&self) -> bool {
        match &self.detail {
            EventDetail::Error { .. } => true,
            EventDetail::Tool { error, .. } => error.is_some(),
            EventDetail::Model { error, .. } => error.is_some(),
            EventDetail::Sandbox { exit_code, .. } => exit_code.is_some_and(|c| c != 0),
            _ => false,
        }
    }
}

impl Transcript {
    /// A conversation without events or usage (what a details row or a samples line holds).
    pub fn conversation(messages: Vec<Message>) -> Transcript {
        Transcript {
            messages,
            ..Transcript::default()
        }
    }

    /// What a model call was given: its pooled ranges, in order, else its own messages.
    pub fn model_input<'t>(
        &'t self,
        input: &'t [Message],
        input_refs: &'t [(usize, usize)],
    ) -> impl Iterator<Item = &'t Message> {
        let pooled = input_refs.iter().flat_map(|&(start, end)| {
            let end = end.min(self.pool.len());
            self.pool[start.min(end)..end].iter()
        });
        input.iter().chain(pooled)
    }

    /// A lighteval details row as a conversation: the few-shot examples when the details hold
    /// them (each question and its gold answer), the query, then each generation as the
    /// assistant's answer with its reasoning before it.
    pub fn from_detail(detail: &Detail) -> Transcript {
        let mut messages = Vec::new();
        if let Some(instruction) = detail.doc.instruction.as_deref().filter(|i| !i.is_empty()) {
            messages.push(Message::text_message(Role::System, instruction));
        }
        for shot in &detail.doc.fewshot_samples {
            let Some(query) = shot.get("query").and_then(Json::as_str) else {
                continue;
            };
            messages.push(Message::text_message(Role::User, query));
            let choices = shot.get("choices").and_then(Json::as_array);
            let gold = shot
                .get("gold_index")
                .and_then(|g| g.as_i64().or_else(|| g.as_array()?.first()?.as_i64()))
                .and_then(|i| choices?.get(usize::try_from(i).ok()?)?.as_str());
            if let Some(gold) = gold {
                messages.push(Message::text_message(Role::Assistant, gold));
            }
        }
        let query = detail
            .doc
            .full_prompt
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(&detail.doc.query);
        messages.push(Message::text_message(Role::User, query));
        for (i, text) in detail.model_response.text.iter().enumerate() {
            let mut parts = Vec::new();
            if let Some(reasoning) = detail
                .model_response
                .reasonings
                .get(i)
                .filter(|r| !r.is_empty())
            {
                parts.push(Part::Reasoning {
                    text: reasoning.clone(),
                    summary: None,
                    redacted: false,
                });
            }
            parts.push(Part::Text(text.clone()));
            messages.push(Message::with_parts(Role::Assistant, parts));
        }
        Transcript::conversation(messages)
    }

    /// Whether `hit` says yes to any text of the transcript: a message's text, reasoning or
    /// other part, a tool call's function and arguments (as compact JSON), a tool's error, and
    /// the events' tool calls, results, errors, limits and sandbox commands and output.
    pub fn any_text(&self, mut hit: impl FnMut(&str) -> bool) -> bool {
        let compact = |json: &Json| {
            super::pyjson::to_string(json, super::pyjson::WriteOptions::STRICT_COMPACT)
        };
        for message in &self.messages {
            for part in &message.parts {
                let text = match part {
                    Part::Text(text) | Part::Other { text, .. } => text,
                    Part::Reasoning { .. } => part.readable_reasoning().unwrap_or_default(),
                    Part::Media { .. } => continue,
                };
                if hit(text) {
                    return true;
                }
            }
            for call in &message.tool_calls {
                if hit(&call.function) || hit(&compact(&call.arguments)) {
                    return true;
                }
            }
            if let Some(error) = message.tool_result.as_ref().and_then(|r| r.error.as_ref())
                && hit(&error.message)
            {
                return true;
            }
        }
        self.events.iter().any(|event| match &event.detail {
            EventDetail::Tool {
                function,
                arguments,
                result,
                error,
                ..
            } => {
                hit(function)
                    || hit(&compact(arguments))
                    || hit(result)
                    || error.as_ref().is_some_and(|e| hit(&e.message))
            }
            EventDetail::Model { error, .. } => error.as_deref().is_some_and(&mut hit),
            EventDetail::Error { message } | EventDetail::Limit { message, .. } => hit(message),
            EventDetail::Sandbox {
                command, output, ..
            } => {
                command.as_deref().is_some_and(&mut hit) || output.as_deref().is_some_and(&mut hit)
            }
            _ => false,
        })
    }

    /// Model calls, tool calls and their failures, and tokens, for a Samples list's columns.
    pub fn counts(&self) -> TranscriptCounts {
        let mut counts = TranscriptCounts {
            turns: self
                .messages
                .iter()
                .filter(|m| m.role == Role::Assistant)
                .count(),
            tool_calls: self.messages.iter().map(|m| m.tool_calls.len()).sum(),
            failed_tools: self.messages.iter().filter(|m| m.failed()).count(),
            tokens: self.usage.iter().map(|(_, u)| u.total_tokens).sum(),
            limit: None,
        };
        for event in &self.events {
            if let EventDetail::Limit { kind, .. } = &event.detail {
                counts.limit = Some(kind.clone());
            }
        }
        counts
    }
}

/// A transcript's size, at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptCounts {
    /// Assistant messages.
    pub turns: usize,
    pub tool_calls: usize,
    pub failed_tools: usize,
    pub tokens: i64,
    /// The limit the sample hit, if any.
    pub limit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_joins_the_text_parts_only() {
        let message = Message {
            parts: vec![
                Part::Reasoning {
                    text: "think".into(),
                    summary: None,
                    redacted: false,
                },
                Part::Text("a".into()),
                Part::Media {
                    kind: "image".into(),
                    mime: None,
                    bytes: None,
                    location: None,
                },
                Part::Text("b".into()),
            ],
            ..Message::text_message(Role::Assistant, "")
        };
        assert_eq!(message.text(), "a\nb");
        assert_eq!(Message::text_message(Role::User, "").text(), "");
    }
}
