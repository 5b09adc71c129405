//! A decoded details row onto [`Detail`] and back, in each of lighteval's layouts: the nested
//! structs (≥ 0.11), typed flat columns (0.8–0.10), and flat columns of Python `str()` text.

use std::path::Path;

use super::details::DetailsLayout;
use super::error::{Result, StoreError};
use super::pyliteral;
use crate::model::{Detail, Doc, Json, Map, ModelResponse};

/// Maps one decoded row onto [`Detail`].
pub fn detail_from_row(path: &Path, layout: DetailsLayout, row: Map) -> Result<Detail> {
    match layout {
        DetailsLayout::Nested => nested_detail(path, row),
        DetailsLayout::Flat => Ok(flat_detail(row)),
        DetailsLayout::FlatText => {
            let parsed = row
                .into_iter()
                .map(|(name, value)| {
                    let value = match value {
                        // Free text stays as it is; every other column is a Python literal.
                        Json::Str(text)
                            if !matches!(
                                name.as_str(),
                                "example" | "full_prompt" | "instruction"
                            ) =>
                        {
                            pyliteral::parse(&text).unwrap_or(Json::Str(text))
                        }
                        other => other,
                    };
                    (name, value)
                })
                .collect();
            Ok(flat_detail(parsed))
        }
        DetailsLayout::Log => Err(StoreError::log(
            path,
            "a row of another harness's log is read by its own reader, not as a Parquet row",
        )),
    }
}

fn nested_detail(path: &Path, mut row: Map) -> Result<Detail> {
    let mut take_object = |name: &str| -> Result<Map> {
        match row.shift_remove(name) {
            Some(Json::Object(map)) => Ok(map),
            None | Some(Json::Null) => Ok(Map::new()),
            Some(other) => Err(StoreError::Column {
                path: path.to_owned(),
                column: name.into(),
                expected: "a struct".into(),
                found: other.kind().into(),
            }),
        }
    };
    let mut doc_fields = take_object("doc")?;
    let mut response_fields = take_object("model_response")?;
    let metric = take_object("metric")?;

    let doc = Doc {
        id: take(&mut doc_fields, "id").and_then(text_of),
        task_name: take(&mut doc_fields, "task_name").and_then(text_of),
        query: take(&mut doc_fields, "query")
            .and_then(text_of)
            .unwrap_or_default(),
        full_prompt: None,
        instruction: take(&mut doc_fields, "instruction").and_then(text_of),
        choices: strings(take(&mut doc_fields, "choices")),
        gold_index: ints(take(&mut doc_fields, "gold_index")),
        gold_texts: Vec::new(),
        fewshot_samples: array(take(&mut doc_fields, "fewshot_samples")),
        specific: take(&mut doc_fields, "specific").unwrap_or(Json::Null),
        extra: doc_fields,
    };
    let model_response = ModelResponse {
        text: strings(take(&mut response_fields, "text")),
        text_post_processed: strings(take(&mut response_fields, "text_post_processed")),
        reasonings: strings(take(&mut response_fields, "reasonings")),
        logprobs: floats(take(&mut response_fields, "logprobs")),
        argmax_logits_eq_gold: bools(take(&mut response_fields, "argmax_logits_eq_gold")),
        input_tokens: take(&mut response_fields, "input_tokens").unwrap_or(Json::Null),
        output_tokens: take(&mut response_fields, "output_tokens").unwrap_or(Json::Null),
        truncated_tokens_count: take(&mut response_fields, "truncated_tokens_count")
            .and_then(|v| v.as_i64()),
        padded_tokens_count: take(&mut response_fields, "padded_tokens_count")
            .and_then(|v| v.as_i64()),
        extra: response_fields,
    };
    Ok(Detail {
        doc,
        model_response,
        metric,
    })
}

fn flat_detail(mut row: Map) -> Detail {
    let predictions = array(take(&mut row, "predictions"));
    let (mut logprobs, mut text) = (Vec::new(), Vec::new());
    let mut is_greedy = Vec::new();
    for prediction in &predictions {
        match prediction {
            // Log-likelihood: `[logprob, is_greedy]` (the boolean stored as 0.0 / 1.0 or a bool).
            Json::Array(pair) if !pair.is_empty() => {
                logprobs.push(pair[0].as_f64().unwrap_or(f64::NAN));
                if let Some(greedy) = pair.get(1) {
                    is_greedy.push(greedy.as_f64().is_some_and(|g| g != 0.0));
                }
            }
            Json::Str(s) => text.push(s.clone()),
            Json::Float(_) | Json::Int(_) => logprobs.push(prediction.as_f64().unwrap_or(f64::NAN)),
            _ => {}
        }
    }
    let sum = |value: Option<Json>| -> Option<i64> {
        match value? {
            Json::Array(items) => Some(items.iter().filter_map(Json::as_i64).sum()),
            other => other.as_i64(),
        }
    };
    let gold_index = ints(take(&mut row, "gold_index"));
    let gold_texts = strings(take(&mut row, "gold"));
    let mut response_extra = Map::new();
    if !is_greedy.is_empty() {
        response_extra.insert(
            "is_greedy".into(),
            Json::Array(is_greedy.into_iter().map(Json::Bool).collect()),
        );
    }
    let input_tokens = take(&mut row, "input_tokens").unwrap_or(Json::Null);
    let output_tokens = take(&mut row, "cont_tokens").unwrap_or(Json::Null);
    let truncated_tokens_count = sum(take(&mut row, "truncated"));
    let padded_tokens_count = sum(take(&mut row, "padded"));
    let metric = match take(&mut row, "metrics") {
        Some(Json::Object(map)) => map,
        _ => Map::new(),
    };
    let doc = Doc {
        id: None,
        task_name: None,
        query: take(&mut row, "example")
            .and_then(text_of)
            .unwrap_or_default(),
        full_prompt: take(&mut row, "full_prompt").and_then(text_of),
        instruction: take(&mut row, "instruction")
            .and_then(text_of)
            .filter(|s| !s.is_empty()),
        choices: strings(take(&mut row, "choices")),
        gold_index,
        gold_texts,
        fewshot_samples: Vec::new(),
        specific: take(&mut row, "specifics").unwrap_or(Json::Null),
        // num_asked_few_shots, num_effective_few_shots, pred_logits, …: kept under their names.
        extra: row,
    };
    let model_response = ModelResponse {
        text,
        logprobs,
        input_tokens,
        output_tokens,
        truncated_tokens_count,
        padded_tokens_count,
        extra: response_extra,
        ..ModelResponse::default()
    };
    Detail {
        doc,
        model_response,
        metric,
    }
}

/// A [`Detail`] in lighteval ≥ 0.11's row shape (`doc`, `model_response`, `metric`), for output.
pub fn detail_to_json(detail: &Detail) -> Json {
    let doc = &detail.doc;
    let mut d = Map::new();
    d.insert("id".into(), doc.id.clone().map_or(Json::Null, Json::Str));
    d.insert(
        "task_name".into(),
        doc.task_name.clone().map_or(Json::Null, Json::Str),
    );
    d.insert("query".into(), Json::Str(doc.query.clone()));
    if let Some(prompt) = &doc.full_prompt {
        d.insert("full_prompt".into(), Json::Str(prompt.clone()));
    }
    d.insert(
        "instruction".into(),
        doc.instruction.clone().map_or(Json::Null, Json::Str),
    );
    d.insert("choices".into(), string_array(&doc.choices));
    d.insert(
        "gold_index".into(),
        Json::Array(doc.gold_index.iter().map(|&i| Json::Int(i)).collect()),
    );
    if !doc.gold_texts.is_empty() {
        d.insert("gold".into(), string_array(&doc.gold_texts));
    }
    d.insert(
        "fewshot_samples".into(),
        Json::Array(doc.fewshot_samples.clone()),
    );
    d.insert("specific".into(), doc.specific.clone());
    d.extend(doc.extra.iter().map(|(k, v)| (k.clone(), v.clone())));

    let r = &detail.model_response;
    let mut m = Map::new();
    m.insert("text".into(), string_array(&r.text));
    m.insert(
        "text_post_processed".into(),
        string_array(&r.text_post_processed),
    );
    m.insert("reasonings".into(), string_array(&r.reasonings));
    m.insert(
        "logprobs".into(),
        Json::Array(r.logprobs.iter().map(|&f| Json::Float(f)).collect()),
    );
    m.insert(
        "argmax_logits_eq_gold".into(),
        Json::Array(
            r.argmax_logits_eq_gold
                .iter()
                .map(|&b| Json::Bool(b))
                .collect(),
        ),
    );
    m.insert("input_tokens".into(), r.input_tokens.clone());
    m.insert("output_tokens".into(), r.output_tokens.clone());
    m.insert(
        "truncated_tokens_count".into(),
        r.truncated_tokens_count.map_or(Json::Null, Json::Int),
    );
    m.insert(
        "padded_tokens_count".into(),
        r.padded_tokens_count.map_or(Json::Null, Json::Int),
    );
    m.extend(r.extra.iter().map(|(k, v)| (k.clone(), v.clone())));

    let mut row = Map::new();
    row.insert("doc".into(), Json::Object(d));
    row.insert("model_response".into(), Json::Object(m));
    row.insert("metric".into(), Json::Object(detail.metric.clone()));
    Json::Object(row)
}

fn take(map: &mut Map, key: &str) -> Option<Json> {
    map.shift_remove(key)
}

fn text_of(value: Json) -> Option<String> {
    match value {
        Json::Str(s) => Some(s),
        Json::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

fn array(value: Option<Json>) -> Vec<Json> {
    match value {
        Some(Json::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn strings(value: Option<Json>) -> Vec<String> {
    match value {
        Some(Json::Array(items)) => items.into_iter().filter_map(text_of).collect(),
        Some(Json::Str(s)) => vec![s],
        _ => Vec::new(),
    }
}

fn ints(value: Option<Json>) -> Vec<i64> {
    match value {
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_i64).collect(),
        Some(single) => single.as_i64().into_iter().collect(),
        None => Vec::new(),
    }
}

fn floats(value: Option<Json>) -> Vec<f64> {
    array(value)
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn bools(value: Option<Json>) -> Vec<bool> {
    array(value).iter().filter_map(Json::as_bool).collect()
}

fn string_array(items: &[String]) -> Json {
    Json::Array(items.iter().map(|s| Json::Str(s.clone())).collect())
}
