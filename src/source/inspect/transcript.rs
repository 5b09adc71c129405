//! An Inspect sample's transcript, read as Inspect's own reader reads it (`read_eval_log` with
//! attachments resolved): the messages, with `attachment://` references resolved from the
//! sample's `attachments`; the events, with each model call's input expanded from the
//! `events_data` message pool (`input_refs`: half-open ranges into the pool); the sample's
//! usage. Logs from before July 2024 keep their events under `transcript` (`tc://` references
//! into `transcript.content`), and a 2025 development build pooled messages under
//! `message_pool`: both read too.

use crate::model::transcript::{
    Event, EventDetail, Message, Part, Role, ToolCall, ToolError, ToolResult, Transcript, Usage,
};
use crate::model::{Json, Map, pyjson};

/// Whole strings that name an attachment, resolved; every other string as it is.
struct Attachments<'a> {
    stored: Vec<&'a Map>,
}

impl<'a> Attachments<'a> {
    fn of(raw: &'a Map) -> Attachments<'a> {
        let stored = [
            raw.get("attachments"),
            raw.get("transcript").and_then(|t| t.get("content")),
        ]
        .into_iter()
        .flatten()
        .filter_map(Json::as_object)
        .collect();
        Attachments { stored }
    }

    fn resolve<'s>(&'s self, text: &'s str) -> &'s str {
        let key = text
            .strip_prefix("attachment://")
            .or_else(|| text.strip_prefix("tc://"));
        key.and_then(|key| {
            self.stored
                .iter()
                .find_map(|stored| stored.get(key).and_then(Json::as_str))
        })
        .unwrap_or(text)
    }

    /// A JSON value with every attachment string in it resolved.
    fn resolve_json(&self, value: &Json) -> Json {
        match value {
            Json::Str(text) => Json::Str(self.resolve(text).to_owned()),
            Json::Array(items) => Json::Array(items.iter().map(|v| self.resolve_json(v)).collect()),
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn text(&self, value: Option<&Json>) -> Option<String> {
        value
            .and_then(Json::as_str)
            .map(|t| self.resolve(t).to_owned())
    }
}

/// The transcript of one sample, from its JSON as the log holds it.
pub fn sample_transcript(raw: &Map) -> Transcript {
    let attachments = Attachments::of(raw);
    let messages = raw
        .get("messages")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| message(m, &attachments))
        .collect();
    let events = raw
        .get("events")
        .or_else(|| raw.get("transcript").and_then(|t| t.get("events")))
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let pool: &[Json] = raw
        .get("events_data")
        .and_then(|d| d.get("messages"))
        .or_else(|| raw.get("message_pool"))
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    let mut events: Vec<Event> = events
        .iter()
        .filter_map(|e| event(e, pool.len(), &attachments))
        .collect();
    // Every entry keeps its place, a broken one as an empty message: the ranges index them.
    let pool: Vec<Message> = pool
        .iter()
        .map(|m| {
            message(m, &attachments)
                .unwrap_or_else(|| Message::text_message(Role::Other(String::new()), ""))
        })
        .collect();
    // Times from the sample's start, by the clock: `working_start` counts working time, which
    // the first events of some logs measure from another origin.
    let start = raw
        .get("started_at")
        .and_then(Json::as_str)
        .and_then(instant)
        .or_else(|| events.iter().find_map(|e| instant(e.timestamp.as_deref()?)));
    if let Some(start) = start {
        for event in &mut events {
            event.elapsed = event
                .timestamp
                .as_deref()
                .and_then(instant)
                .map(|at| (at - start).as_seconds_f64().max(0.0));
        }
    }
    let usage = raw
        .get("model_usage")
        .and_then(Json::as_object)
        .map(|models| {
            models
                .iter()
                .filter_map(|(model, u)| Some((model.clone(), usage(u)?)))
                .collect()
        })
        .unwrap_or_default();
    Transcript {
        messages,
        events,
        usage,
        pool,
    }
}

/// An ISO 8601 time, as Inspect writes them; older logs wrote none of the offset, which
/// Inspect's reader takes as UTC, and so does this.
fn instant(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|t| t.and_utc().fixed_offset())
    })
}

fn message(value: &Json, attachments: &Attachments) -> Option<Message> {
    let role = Role::parse(value.get("role")?.as_str()?);
    let parts = match value.get("content") {
        Some(Json::Str(text)) => vec![Part::Text(attachments.resolve(text).to_owned())],
        Some(Json::Array(parts)) => parts.iter().map(|p| part(p, attachments)).collect(),
        _ => Vec::new(),
    };
    let tool_calls = value
        .get("tool_calls")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .map(|call| ToolCall {
            id: text(call.get("id")),
            function: text(call.get("function")),
            arguments: call
                .get("arguments")
                .map_or(Json::Object(Map::new()), |a| attachments.resolve_json(a)),
            parse_error: call
                .get("parse_error")
                .and_then(Json::as_str)
                .map(str::to_owned),
        })
        .collect();
    let tool_result = (role == Role::Tool).then(|| ToolResult {
        call_id: value
            .get("tool_call_id")
            .and_then(Json::as_str)
            .map(str::to_owned),
        function: value
            .get("function")
            .and_then(Json::as_str)
            .map(str::to_owned),
        error: tool_error(value.get("error")).or_else(|| {
            // Before 0.3.40: a `tool_error` message, of no kind.
            value
                .get("tool_error")
                .and_then(Json::as_str)
                .filter(|m| !m.is_empty())
                .map(|message| ToolError {
                    kind: "unknown".into(),
                    message: message.to_owned(),
                })
        }),
    });
    Some(Message {
        role,
        id: value.get("id").and_then(Json::as_str).map(str::to_owned),
        parts,
        tool_calls,
        tool_result,
        model: value.get("model").and_then(Json::as_str).map(str::to_owned),
    })
}

fn text(value: Option<&Json>) -> String {
    value.and_then(Json::as_str).unwrap_or_default().to_owned()
}

fn tool_error(value: Option<&Json>) -> Option<ToolError> {
    let error = value?.as_object()?;
    Some(ToolError {
        kind: text(error.get("type")),
        message: text(error.get("message")),
    })
}

fn part(value: &Json, attachments: &Attachments) -> Part {
    let kind = value.get("type").and_then(Json::as_str).unwrap_or("text");
    match kind {
        "text" => Part::Text(attachments.text(value.get("text")).unwrap_or_default()),
        "reasoning" => Part::Reasoning {
            text: attachments.text(value.get("reasoning")).unwrap_or_default(),
            summary: value
                .get("summary")
                .and_then(Json::as_str)
                .map(str::to_owned),
            redacted: value
                .get("redacted")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        },
        "image" | "audio" | "video" | "document" => {
            let data = attachments.text(value.get(kind)).unwrap_or_default();
            let declared = value
                .get("mime_type")
                .and_then(Json::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    let format = value.get("format").and_then(Json::as_str)?;
                    Some(format!("{kind}/{format}"))
                });
            match data_uri(&data) {
                Some((mime, bytes)) => Part::Media {
                    kind: kind.to_owned(),
                    mime: declared.or(Some(mime)),
                    bytes: Some(bytes),
                    location: value
                        .get("filename")
                        .and_then(Json::as_str)
                        .map(str::to_owned),
                },
                None => Part::Media {
                    kind: kind.to_owned(),
                    mime: declared,
                    bytes: None,
                    location: (!data.is_empty()).then_some(data),
                },
            }
        }
        "tool_use" => {
            let name = text(value.get("name"));
            let arguments = text(value.get("arguments"));
            let result = attachments.text(value.get("result")).unwrap_or_default();
            Part::Other {
                kind: kind.to_owned(),
                text: format!("{name}({arguments}) → {result}"),
            }
        }
        other => Part::Other {
            kind: other.to_owned(),
            text: value.get("data").map_or_else(String::new, |d| {
                pyjson::to_string(
                    &attachments.resolve_json(d),
                    pyjson::WriteOptions::STRICT_COMPACT,
                )
            }),
        },
    }
}

/// `data:<mime>;base64,<data>`: the type and the decoded size.
fn data_uri(text: &str) -> Option<(String, u64)> {
    let rest = text.strip_prefix("data:")?;
    let (header, data) = rest.split_once(',')?;
    let mime = header.split(';').next().unwrap_or_default();
    let bytes = if header.ends_with(";base64") {
        let padding = data.bytes().rev().take_while(|&b| b == b'=').count();
        (data.len() as u64 * 3 / 4).saturating_sub(padding as u64)
    } else {
        data.len() as u64
    };
    let mime = if mime.is_empty() { "text/plain" } else { mime };
    Some((mime.to_owned(), bytes))
}

fn usage(value: &Json) -> Option<Usage> {
    let tokens = value.as_object()?;
    let int = |key: &str| tokens.get(key).and_then(Json::as_i64);
    Some(Usage {
        input_tokens: int("input_tokens").unwrap_or(0),
        output_tokens: int("output_tokens").unwrap_or(0),
        // Some writers leave the total out: it is what went in and came out.
        total_tokens: int("total_tokens").filter(|&t| t > 0).unwrap_or_else(|| {
            int("input_tokens").unwrap_or(0) + int("output_tokens").unwrap_or(0)
        }),
        cache_read: int("input_tokens_cache_read"),
        cache_write: int("input_tokens_cache_write"),
        reasoning_tokens: int("reasoning_tokens"),
    })
}

/// The ranges of the pool a model call's input is, as Inspect expands them: each `[start, end)`
/// cut at the pool's end, empty ones dropped.
fn pooled(refs: &[Json], pool_len: usize) -> Vec<(usize, usize)> {
    refs.iter()
        .filter_map(|range| {
            let bound = |i: usize| {
                range
                    .as_array()
                    .and_then(|r| r.get(i))
                    .and_then(Json::as_i64)
                    .and_then(|v| usize::try_from(v).ok())
                    .unwrap_or(0)
                    .min(pool_len)
            };
            let (start, end) = (bound(0), bound(1));
            (start < end).then_some((start, end))
        })
        .collect()
}

fn event(value: &Json, pool_len: usize, attachments: &Attachments) -> Option<Event> {
    let kind = value.get("event")?.as_str()?.to_owned();
    let string = |key: &str| value.get(key).and_then(Json::as_str).map(str::to_owned);
    let float = |key: &str| value.get(key).and_then(Json::as_f64);
    let detail = match kind.as_str() {
        "model" => {
            let input_refs = match value.get("input_refs").and_then(Json::as_array) {
                Some(refs) if pool_len > 0 => pooled(refs, pool_len),
                _ => Vec::new(),
            };
            let input = value
                .get("input")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|m| message(m, attachments))
                .collect();
            let output = value.get("output");
            EventDetail::Model {
                model: string("model").unwrap_or_default(),
                input,
                input_refs,
                output: output
                    .and_then(|o| o.get("choices"))
                    .and_then(Json::as_array)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|c| message(c.get("message")?, attachments))
                    .collect(),
                usage: output.and_then(|o| o.get("usage")).and_then(usage),
                time: output.and_then(|o| o.get("time")).and_then(Json::as_f64),
                error: string("error"),
                cache: string("cache"),
            }
        }
        "tool" => EventDetail::Tool {
            id: string("id").unwrap_or_default(),
            function: string("function").unwrap_or_default(),
            arguments: value
                .get("arguments")
                .map_or(Json::Null, |a| attachments.resolve_json(a)),
            result: tool_result_text(value.get("result"), attachments),
            error: tool_error(value.get("error")),
            working_time: float("working_time"),
        },
        "span_begin" => EventDetail::SpanBegin {
            id: string("id").unwrap_or_default(),
            parent_id: string("parent_id"),
            kind: string("type"),
            name: string("name").unwrap_or_default(),
        },
        "span_end" => EventDetail::SpanEnd {
            id: string("id").unwrap_or_default(),
        },
        "step" => EventDetail::Step {
            action: string("action").unwrap_or_default(),
            kind: string("type"),
            name: string("name").unwrap_or_default(),
        },
        "score" => {
            let score = value.get("score");
            let field = |key: &str| {
                score
                    .and_then(|s| s.get(key))
                    .and_then(Json::as_str)
                    .map(str::to_owned)
            };
            EventDetail::Score {
                scorer: string("scorer"),
                value: score
                    .and_then(|s| s.get("value"))
                    .cloned()
                    .unwrap_or(Json::Null),
                answer: field("answer"),
                explanation: field("explanation"),
                intermediate: value
                    .get("intermediate")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            }
        }
        "sandbox" => EventDetail::Sandbox {
            action: string("action").unwrap_or_default(),
            command: string("cmd"),
            file: string("file"),
            exit_code: value.get("result").and_then(Json::as_i64),
            output: string("output"),
        },
        "sample_limit" => EventDetail::Limit {
            kind: string("type").unwrap_or_default(),
            message: string("message").unwrap_or_default(),
            limit: float("limit"),
        },
        "error" => EventDetail::Error {
            message: value
                .get("error")
                .and_then(|e| e.get("message"))
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned(),
        },
        "info" => EventDetail::Info {
            source: string("source"),
            data: value
                .get("data")
                .map_or(Json::Null, |d| attachments.resolve_json(d)),
        },
        "state" | "store" => EventDetail::State {
            changes: value
                .get("changes")
                .and_then(Json::as_array)
                .map_or(0, <[Json]>::len),
        },
        "logger" => {
            let message = value.get("message");
            let field = |key: &str| {
                message
                    .and_then(|m| m.get(key))
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            EventDetail::Logger {
                level: field("level"),
                message: field("message"),
            }
        }
        _ => EventDetail::Other,
    };
    Some(Event {
        kind,
        uuid: string("uuid"),
        span_id: string("span_id"),
        timestamp: string("timestamp"),
        working_start: float("working_start"),
        elapsed: None,
        pending: value
            .get("pending")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        detail,
    })
}

/// A tool event's result as text: a string or number as it is, content parts as their text (a
/// media part as its kind).
fn tool_result_text(value: Option<&Json>, attachments: &Attachments) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::Str(text)) => attachments.resolve(text).to_owned(),
        Some(Json::Array(parts)) => parts
            .iter()
            .map(|p| part_text(&part(p, attachments)))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(object @ Json::Object(_)) => part_text(&part(object, attachments)),
        Some(other) => pyjson::to_string(other, pyjson::WriteOptions::STRICT_COMPACT),
    }
}

fn part_text(part: &Part) -> String {
    match part {
        Part::Text(text) => text.clone(),
        Part::Reasoning { text, .. } => text.clone(),
        Part::Media { kind, .. } => format!("({kind})"),
        Part::Other { text, .. } => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Map {
        match pyjson::parse(text).unwrap() {
            Json::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn pooled_inputs_and_attachments_expand() {
        let raw = parse(
            r#"{
            "messages": [
              {"role": "user", "content": "hi"},
              {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": "f", "arguments": {"k": "attachment://aa"}}]},
              {"role": "tool", "content": "attachment://aa", "tool_call_id": "c1", "function": "f", "error": {"type": "timeout", "message": "slow"}}
            ],
            "events": [
              {"event": "model", "model": "m", "input": [], "input_refs": [[0, 2], [5, 9]], "output": {"choices": [{"message": {"role": "assistant", "content": "x"}}], "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}}},
              {"event": "sample_limit", "type": "token", "message": "too many", "limit": 10}
            ],
            "events_data": {"messages": [{"role": "user", "content": "p0"}, {"role": "user", "content": "p1"}, {"role": "user", "content": "p2"}]},
            "attachments": {"aa": "the long result"},
            "model_usage": {"m": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}}
        }"#,
        );
        let transcript = sample_transcript(&raw);
        assert_eq!(transcript.messages.len(), 3);
        assert_eq!(transcript.messages[2].text(), "the long result");
        assert!(transcript.messages[2].failed());
        assert_eq!(
            transcript.messages[1].tool_calls[0].arguments.get("k"),
            Some(&Json::from("the long result"))
        );
        let EventDetail::Model {
            input,
            input_refs,
            usage,
            ..
        } = &transcript.events[0].detail
        else {
            panic!("not a model event");
        };
        // [0, 2) of the pool, then [5, 9) cut at the pool's end: nothing more.
        let texts: Vec<String> = transcript
            .model_input(input, input_refs)
            .map(Message::text)
            .collect();
        assert_eq!(texts, ["p0", "p1"]);
        assert_eq!(usage.unwrap().total_tokens, 4);
        assert_eq!(transcript.counts().limit.as_deref(), Some("token"));
        assert_eq!(transcript.counts().tokens, 4);
    }

    #[test]
    fn old_times_read_as_utc_and_withheld_reasoning_by_its_summary() {
        // Two tools of one stage run at once: B's events after A's end are still B's.
        let raw = parse(
            r#"{"events": [
              {"event": "span_begin", "id": "P", "name": "solver", "timestamp": "2024-07-01T10:00:00"},
              {"event": "span_begin", "id": "A", "parent_id": "P", "name": "a", "type": "tool", "span_id": "A", "timestamp": "2024-07-01T10:00:01"},
              {"event": "span_begin", "id": "B", "parent_id": "P", "name": "b", "type": "tool", "span_id": "B", "timestamp": "2024-07-01T10:00:01"},
              {"event": "model", "model": "m", "span_id": "B", "output": {"usage": {"input_tokens": 60, "output_tokens": 40}}, "timestamp": "2024-07-01T10:00:02"},
              {"event": "span_end", "id": "A", "span_id": "A", "timestamp": "2024-07-01T10:00:03"},
              {"event": "error", "span_id": "B", "error": {"message": "boom"}, "timestamp": "2024-07-01T10:00:04"},
              {"event": "span_end", "id": "B", "span_id": "B", "timestamp": "2024-07-01T10:00:05"}
            ],
            "messages": [{"role": "assistant", "content": [{"type": "reasoning", "reasoning": "gAAAA-encrypted", "summary": "Checked both.", "redacted": true}]}]}"#,
        );
        let transcript = sample_transcript(&raw);
        // Offsetless times, as older logs wrote them: UTC, from the first event.
        assert_eq!(transcript.events[5].elapsed, Some(4.0));
        // Model calls that leave the total out count what went in and came out.
        let EventDetail::Model { usage, .. } = &transcript.events[3].detail else {
            panic!("not a model event");
        };
        assert_eq!(usage.unwrap().total_tokens, 100);
        // Withheld reasoning shows its summary, and is searched by it, not by the blob.
        assert_eq!(
            transcript.messages[0].parts[0].readable_reasoning(),
            Some("Checked both.")
        );
        assert!(transcript.any_text(|t| t.contains("Checked both")));
        assert!(!transcript.any_text(|t| t.contains("gAAAA")));
    }

    #[test]
    fn data_uris_are_placeholders_with_their_size() {
        assert_eq!(
            data_uri("data:image/png;base64,AAAA"),
            Some(("image/png".into(), 3))
        );
        assert_eq!(
            data_uri("data:image/png;base64,AA=="),
            Some(("image/png".into(), 1))
        );
        assert_eq!(data_uri("https://example.com/x.png"), None);
    }
}
