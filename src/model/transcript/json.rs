//! A transcript as JSON, the same shape for every harness: what `transcript --format json`
//! prints and `samples --transcript` adds to each row.

use super::{Event, EventDetail, Message, Part, ToolError, Transcript, Usage};
use crate::model::{Json, Map};

/// A transcript as JSON, the same for every harness (`samples --format jsonl`'s `transcript`,
/// `transcript --format json`).
pub fn transcript_to_json(transcript: &Transcript) -> Json {
    let mut doc = Map::new();
    doc.insert(
        "messages".into(),
        Json::Array(transcript.messages.iter().map(message_to_json).collect()),
    );
    doc.insert(
        "events".into(),
        Json::Array(transcript.events.iter().map(event_to_json).collect()),
    );
    let mut usage = Map::new();
    for (model, tokens) in &transcript.usage {
        usage.insert(model.clone(), usage_to_json(tokens));
    }
    doc.insert("usage".into(), Json::Object(usage));
    doc.insert(
        "pool".into(),
        Json::Array(transcript.pool.iter().map(message_to_json).collect()),
    );
    Json::Object(doc)
}

fn text_or_null(text: &Option<String>) -> Json {
    text.as_deref().map_or(Json::Null, Json::from)
}

pub fn message_to_json(message: &Message) -> Json {
    let mut doc = Map::new();
    doc.insert("role".into(), message.role.as_str().into());
    doc.insert("id".into(), text_or_null(&message.id));
    doc.insert("text".into(), message.text().into());
    let parts = message
        .parts
        .iter()
        .map(|part| {
            let mut p = Map::new();
            match part {
                Part::Text(text) => {
                    p.insert("type".into(), "text".into());
                    p.insert("text".into(), text.as_str().into());
                }
                Part::Reasoning {
                    text,
                    summary,
                    redacted,
                } => {
                    p.insert("type".into(), "reasoning".into());
                    p.insert("reasoning".into(), text.as_str().into());
                    p.insert("summary".into(), text_or_null(summary));
                    p.insert("redacted".into(), Json::Bool(*redacted));
                }
                Part::Media {
                    kind,
                    mime,
                    bytes,
                    location,
                } => {
                    p.insert("type".into(), kind.as_str().into());
                    p.insert("mime_type".into(), text_or_null(mime));
                    p.insert(
                        "bytes".into(),
                        bytes.map_or(Json::Null, |b| Json::Int(b as i64)),
                    );
                    p.insert("location".into(), text_or_null(location));
                }
                Part::Other { kind, text } => {
                    p.insert("type".into(), kind.as_str().into());
                    p.insert("text".into(), text.as_str().into());
                }
            }
            Json::Object(p)
        })
        .collect();
    doc.insert("parts".into(), Json::Array(parts));
    if !message.tool_calls.is_empty() {
        let calls = message
            .tool_calls
            .iter()
            .map(|call| {
                let mut c = Map::new();
                c.insert("id".into(), call.id.as_str().into());
                c.insert("function".into(), call.function.as_str().into());
                c.insert("arguments".into(), call.arguments.clone());
                if let Some(error) = &call.parse_error {
                    c.insert("parse_error".into(), error.as_str().into());
                }
                Json::Object(c)
            })
            .collect();
        doc.insert("tool_calls".into(), Json::Array(calls));
    }
    if let Some(result) = &message.tool_result {
        doc.insert("tool_call_id".into(), text_or_null(&result.call_id));
        doc.insert("function".into(), text_or_null(&result.function));
        doc.insert(
            "error".into(),
            result.error.as_ref().map_or(Json::Null, tool_error_to_json),
        );
    }
    if let Some(model) = &message.model {
        doc.insert("model".into(), model.as_str().into());
    }
    Json::Object(doc)
}

fn tool_error_to_json(error: &ToolError) -> Json {
    let mut e = Map::new();
    e.insert("type".into(), error.kind.as_str().into());
    e.insert("message".into(), error.message.as_str().into());
    Json::Object(e)
}

fn usage_to_json(usage: &Usage) -> Json {
    let mut u = Map::new();
    u.insert("input_tokens".into(), Json::Int(usage.input_tokens));
    u.insert("output_tokens".into(), Json::Int(usage.output_tokens));
    u.insert("total_tokens".into(), Json::Int(usage.total_tokens));
    let optional = |v: Option<i64>| v.map_or(Json::Null, Json::Int);
    u.insert("input_tokens_cache_read".into(), optional(usage.cache_read));
    u.insert(
        "input_tokens_cache_write".into(),
        optional(usage.cache_write),
    );
    u.insert("reasoning_tokens".into(), optional(usage.reasoning_tokens));
    Json::Object(u)
}

fn event_to_json(event: &Event) -> Json {
    let mut doc = Map::new();
    doc.insert("event".into(), event.kind.as_str().into());
    doc.insert("uuid".into(), text_or_null(&event.uuid));
    doc.insert("span_id".into(), text_or_null(&event.span_id));
    doc.insert("timestamp".into(), text_or_null(&event.timestamp));
    doc.insert(
        "working_start".into(),
        event.working_start.map_or(Json::Null, Json::Float),
    );
    doc.insert(
        "elapsed".into(),
        event.elapsed.map_or(Json::Null, Json::Float),
    );
    if event.pending {
        doc.insert("pending".into(), Json::Bool(true));
    }
    let float = |v: Option<f64>| v.map_or(Json::Null, Json::Float);
    match &event.detail {
        EventDetail::Model {
            model,
            input,
            input_refs,
            output,
            usage,
            time,
            error,
            cache,
        } => {
            doc.insert("model".into(), model.as_str().into());
            doc.insert(
                "input".into(),
                Json::Array(input.iter().map(message_to_json).collect()),
            );
            if !input_refs.is_empty() {
                let refs = input_refs
                    .iter()
                    .map(|&(s, e)| Json::Array(vec![Json::Int(s as i64), Json::Int(e as i64)]))
                    .collect();
                doc.insert("input_refs".into(), Json::Array(refs));
            }
            doc.insert(
                "output".into(),
                Json::Array(output.iter().map(message_to_json).collect()),
            );
            doc.insert(
                "usage".into(),
                usage.as_ref().map_or(Json::Null, usage_to_json),
            );
            doc.insert("time".into(), float(*time));
            doc.insert("error".into(), text_or_null(error));
            doc.insert("cache".into(), text_or_null(cache));
        }
        EventDetail::Tool {
            id,
            function,
            arguments,
            result,
            error,
            working_time,
        } => {
            doc.insert("id".into(), id.as_str().into());
            doc.insert("function".into(), function.as_str().into());
            doc.insert("arguments".into(), arguments.clone());
            doc.insert("result".into(), result.as_str().into());
            doc.insert(
                "error".into(),
                error.as_ref().map_or(Json::Null, tool_error_to_json),
            );
            doc.insert("working_time".into(), float(*working_time));
        }
        EventDetail::SpanBegin {
            id,
            parent_id,
            kind,
            name,
        } => {
            doc.insert("id".into(), id.as_str().into());
            doc.insert("parent_id".into(), text_or_null(parent_id));
            doc.insert("type".into(), text_or_null(kind));
            doc.insert("name".into(), name.as_str().into());
        }
        EventDetail::SpanEnd { id } => {
            doc.insert("id".into(), id.as_str().into());
        }
        EventDetail::Step { action, kind, name } => {
            doc.insert("action".into(), action.as_str().into());
            doc.insert("type".into(), text_or_null(kind));
            doc.insert("name".into(), name.as_str().into());
        }
        EventDetail::Score {
            scorer,
            value,
            answer,
            explanation,
            intermediate,
        } => {
            doc.insert("scorer".into(), text_or_null(scorer));
            doc.insert("value".into(), value.clone());
            doc.insert("answer".into(), text_or_null(answer));
            doc.insert("explanation".into(), text_or_null(explanation));
            doc.insert("intermediate".into(), Json::Bool(*intermediate));
        }
        EventDetail::Sandbox {
            action,
            command,
            file,
            exit_code,
            output,
        } => {
            doc.insert("action".into(), action.as_str().into());
            doc.insert("cmd".into(), text_or_null(command));
            doc.insert("file".into(), text_or_null(file));
            doc.insert("result".into(), exit_code.map_or(Json::Null, Json::Int));
            doc.insert("output".into(), text_or_null(output));
        }
        EventDetail::Limit {
            kind,
            message,
            limit,
        } => {
            doc.insert("type".into(), kind.as_str().into());
            doc.insert("message".into(), message.as_str().into());
            doc.insert("limit".into(), float(*limit));
        }
        EventDetail::Error { message } => {
            doc.insert("message".into(), message.as_str().into());
        }
        EventDetail::Info { source, data } => {
            doc.insert("source".into(), text_or_null(source));
            doc.insert("data".into(), data.clone());
        }
        EventDetail::State { changes } => {
            doc.insert("changes".into(), Json::Int(*changes as i64));
        }
        EventDetail::Logger { level, message } => {
            doc.insert("level".into(), level.as_str().into());
            doc.insert("message".into(), message.as_str().into());
        }
        EventDetail::Other => {}
    }
    Json::Object(doc)
}
