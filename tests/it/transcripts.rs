//! Every sample's transcript as evaldeck reads it equals what Inspect's own reader gives
//! (`read_eval_log(..., resolve_attachments=True)`, by `tests/interop/transcripts_expected.py`):
//! each message's role and text, its tool calls (id, function, arguments), the call a tool
//! message answers and its error, the kind of every event in order, what each model call was
//! given (its pooled input expanded, attachments resolved) and each tool call. On our Inspect fixtures,
//! every Inspect log of the wild set, and an agent log that Inspect writes here with
//! `../shared/tools/gen_agent_log.py`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{self, fixture, interop_python};

fn shared() -> Option<PathBuf> {
    support::shared(".", "WILD AND AGENT TRANSCRIPTS")
}

fn logs_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            logs_under(&path, found);
        } else if name.ends_with(".eval")
            || (name.ends_with(".json")
                && !["logs.json", "eval-set.json", "listing.json"].contains(&name))
        {
            found.push(path);
        }
    }
}

/// An agent log written by Inspect itself (tool calls, pooled model inputs, attachments), made
/// once per target folder.
fn agent_log(python: &Path, shared: &Path) -> PathBuf {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/agent-logs/12x3");
    let existing = || {
        let mut found = Vec::new();
        logs_under(&out, &mut found);
        found.into_iter().next()
    };
    if let Some(log) = existing() {
        return log;
    }
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new(python)
        .arg(shared.join("tools/gen_agent_log.py"))
        .args(["12", "3"])
        .env("OUT", &out)
        .current_dir(std::env::temp_dir())
        .status()
        .expect("run gen_agent_log.py");
    assert!(status.success(), "gen_agent_log.py failed");
    existing().expect("gen_agent_log.py wrote no log")
}

/// `samples LOG --format jsonl --transcript`, by (id, epoch), as the Python side writes it.
fn evaldeck_samples(log: &Path) -> BTreeMap<(String, i64), Value> {
    let out = support::evaldeck(&[
        "samples",
        &log.to_string_lossy(),
        "--format",
        "jsonl",
        "--transcript",
    ]);
    assert!(
        out.status.success(),
        "{}: {}",
        log.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut samples = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let transcript = &row["transcript"];
        let messages: Vec<Value> = transcript["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let mut entry = json!({"role": m["role"], "text": m["text"]});
                if let Some(calls) = m["tool_calls"].as_array() {
                    entry["tool_calls"] = calls
                        .iter()
                        .map(|c| json!({"id": c["id"], "function": c["function"], "arguments": c["arguments"]}))
                        .collect();
                }
                if m["role"] == "tool" {
                    entry["tool_call_id"] = m["tool_call_id"].clone();
                    entry["error"] = m["error"]["type"].clone();
                }
                entry
            })
            .collect();
        let events: Vec<Value> = transcript["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].clone())
            .collect();
        // A pooled input is ranges of the transcript's pool, expanded here as Inspect does.
        let pool = transcript["pool"].as_array().unwrap();
        let model_inputs: Vec<Value> = transcript["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "model")
            .map(|e| {
                let pooled = e["input_refs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|r| {
                        let (start, end) = (r[0].as_u64().unwrap(), r[1].as_u64().unwrap());
                        &pool[start as usize..end as usize]
                    });
                e["input"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(pooled)
                    .map(|m| json!([m["role"], m["text"]]))
                    .collect()
            })
            .collect();
        let tools: Vec<Value> = transcript["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "tool")
            .map(|e| json!([e["function"], e["arguments"], e["error"]["type"]]))
            .collect();
        let id = match &row["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let epoch = row["epoch"].as_i64().unwrap_or(1);
        samples.insert(
            (id, epoch),
            json!({"messages": messages, "events": events, "model_inputs": model_inputs, "tools": tools}),
        );
    }
    samples
}

#[test]
fn transcripts_equal_inspects_own_reading() {
    let Some(python) = interop_python() else {
        return;
    };
    let mut logs = Vec::new();
    logs_under(&fixture("inspect-0.3.285"), &mut logs);
    let ours = logs.len();
    if let Some(shared) = shared() {
        logs_under(&shared.join("fixtures/wild/inspect"), &mut logs);
        logs.push(agent_log(&python, &shared));
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/transcripts_expected.py");
    let mut args = vec![script.to_string_lossy().into_owned()];
    args.extend(logs.iter().map(|l| l.to_string_lossy().into_owned()));
    let output = std::process::Command::new(&python)
        .args(&args)
        .output()
        .expect("run transcripts_expected.py");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut expected: BTreeMap<String, BTreeMap<(String, i64), Value>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let log = row["log"].as_str().unwrap().to_owned();
        if let Some(why) = row["unreadable"].as_str() {
            unreadable.push(format!("{log}: {why}"));
            continue;
        }
        let key = (
            row["id"].as_str().unwrap().to_owned(),
            row["epoch"].as_i64().unwrap(),
        );
        expected.entry(log).or_default().insert(
            key,
            json!({
                "messages": row["messages"],
                "events": row["events"],
                "model_inputs": row["model_inputs"],
                "tools": row["tools"],
            }),
        );
    }
    let (mut samples, mut messages, mut tool_calls, mut events) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    let mut not_expanded_by_inspect = 0;
    for log in &logs {
        let name = log.to_string_lossy().into_owned();
        let Some(theirs) = expected.get_mut(&name) else {
            continue;
        };
        let mine = evaldeck_samples(log);
        // Where Inspect left a pooled input unexpanded, evaldeck's expansion is taken as it is,
        // once it is not empty.
        for (key, want) in theirs.iter_mut() {
            let (Some(got), Some(inputs)) = (mine.get(key), want["model_inputs"].as_array_mut())
            else {
                continue;
            };
            for (i, input) in inputs.iter_mut().enumerate() {
                let ours = &got["model_inputs"][i];
                if input.is_null() && ours.as_array().is_some_and(|m| !m.is_empty()) {
                    *input = ours.clone();
                    not_expanded_by_inspect += 1;
                }
            }
        }
        if mine.len() != theirs.len() {
            problems.push(format!(
                "{name}: {} samples, Inspect reads {}",
                mine.len(),
                theirs.len()
            ));
        }
        for (key, want) in theirs.iter() {
            match mine.get(key) {
                None => problems.push(format!("{name}: sample {key:?} missing")),
                Some(got) if got != want => {
                    let first = |side: &Value| side["messages"].to_string();
                    problems.push(format!(
                        "{name}: sample {key:?} differs\n  evaldeck: {}\n   Inspect: {}\n  events {} vs {}\n  model inputs {} vs {}\n  tools {} vs {}",
                        crate::support::truncate(&first(got), 600),
                        crate::support::truncate(&first(want), 600),
                        got["events"],
                        want["events"],
                        crate::support::truncate(&got["model_inputs"].to_string(), 400),
                        crate::support::truncate(&want["model_inputs"].to_string(), 400),
                        crate::support::truncate(&got["tools"].to_string(), 300),
                        crate::support::truncate(&want["tools"].to_string(), 300),
                    ));
                }
                Some(got) => {
                    samples += 1;
                    messages += got["messages"].as_array().unwrap().len();
                    tool_calls += got["messages"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|m| m["tool_calls"].as_array())
                        .map(Vec::len)
                        .sum::<usize>();
                    events += got["events"].as_array().unwrap().len();
                }
            }
        }
    }
    println!(
        "transcripts: {samples} samples of {} logs equal Inspect's ({messages} messages, {tool_calls} tool calls, {events} events; {not_expanded_by_inspect} pooled model inputs Inspect leaves unexpanded); Inspect cannot read {}: {unreadable:?}",
        expected.len(),
        unreadable.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Not vacuous: our own fixtures and, with ../shared, tool calls and events were compared.
    assert!(expected.len() >= ours, "{expected:?}");
    assert!(samples > 50 && messages > samples, "{samples} {messages}");
    if shared().is_some() {
        assert!(tool_calls >= 36 && events > 100, "{tool_calls} {events}");
    }
}

/// `evaldeck transcript`: one sample, found by its id (and epoch) without unpacking the others;
/// its JSON is the `transcript` of that sample's `samples --transcript` row; an unknown sample
/// is an error that names it.
#[test]
fn one_samples_transcript_by_its_id() {
    let agent = fixture("inspect-agent");
    let log = std::fs::read_dir(&agent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "eval"))
        .unwrap();
    let log = log.to_str().unwrap();
    let text = support::evaldeck(&["transcript", log, "--sample", "broken"]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "── user",
        "→ fetch (call broken-0)",
        "\"url\": \"https://example.invalid/report\"",
        "answers broken-0 · ✗ failed",
        "✗ unknown: could not reach https://example.invalid/report: connection refused",
        "tokens of mockllm/model: 320 in, 60 out, 380 in all",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let markdown = support::evaldeck(&[
        "transcript",
        log,
        "--sample",
        "endless",
        "--format",
        "markdown",
    ]);
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(
        markdown.contains("**Tool call** `lookup` (`endless-0`)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("⚑") && markdown.contains("message limit"),
        "{markdown}"
    );

    let json = support::evaldeck(&["transcript", log, "--sample", "archive", "--format", "json"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = support::evaldeck(&["samples", log, "--format", "jsonl", "--transcript"]);
    let row = String::from_utf8_lossy(&rows.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["id"] == "archive")
        .unwrap();
    assert_eq!(json, row["transcript"]);
    assert_eq!(json["messages"][5]["parts"][0]["type"], "reasoning");

    // Two epochs: the second is asked for by number, and the first is the default.
    let quiz =
        fixture("inspect-0.3.285/2026-11-30T02-36-19-00-00_mc-quiz_RjFGiHzeHG8Qd9cSsZrDVV.eval");
    let quiz = quiz.to_str().unwrap();
    let epoch = |extra: &[&str]| {
        let mut args = vec!["transcript", quiz, "--sample", "mc-07", "--format", "json"];
        args.extend_from_slice(extra);
        let out = support::evaldeck(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            doc["messages"][1]["text"].clone(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (first, note) = epoch(&[]);
    assert!(note.contains("2 epochs"), "{note}");
    let (second, _) = epoch(&["--epoch", "2"]);
    assert_ne!(first, second, "mc-07 answers C, then D");

    let missing = support::evaldeck(&["transcript", log, "--sample", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    let error = String::from_utf8_lossy(&missing.stderr);
    assert!(
        error.contains("no sample `nope`") && error.contains("agent_fixture"),
        "{error}"
    );
}

/// `samples --grep`: only the samples whose transcript matches, in every format and for every
/// layout (Inspect's records, lighteval's nested details, lm-eval's lines).
#[test]
fn samples_whose_transcript_matches() {
    let agent = fixture("inspect-agent");
    let agent = agent.to_str().unwrap();
    let ids = |args: &[&str]| -> Vec<String> {
        let out = support::evaldeck(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let row: Value = serde_json::from_str(l).unwrap();
                row["id"].as_str().unwrap_or_default().to_owned()
            })
            .collect()
    };
    // A tool's error, a tool's name in any case, a tool call's arguments.
    assert_eq!(
        ids(&["samples", agent, "--grep", "connection refused"]),
        ["broken"]
    );
    assert_eq!(
        ids(&["samples", agent, "--grep", "(?i)LOOKUP"]),
        ["archive", "endless"]
    );
    assert_eq!(
        ids(&["samples", agent, "--grep", r#""key":"page-3""#]),
        ["endless"]
    );
    assert_eq!(
        ids(&["samples", agent, "--grep", "Message limit"]),
        ["endless"]
    );
    assert!(ids(&["samples", agent, "--grep", "no such text"]).is_empty());
    // --limit counts what is kept; the table keeps each row's own number.
    assert_eq!(
        ids(&["samples", agent, "--grep", "yes", "--limit", "1"]).len(),
        1
    );
    let table = support::evaldeck(&["samples", agent, "--grep", "refused", "--format", "table"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.lines().nth(2).unwrap().trim_start().starts_with("1 "),
        "{table}"
    );

    // lighteval's nested details: the dummy model answers `random baseline` to every phrase.
    let lighteval = fixture("lighteval-0.13");
    let lighteval = lighteval.to_str().unwrap();
    let all = ids(&[
        "samples", lighteval, "--model", "model-a", "--task", "phrase",
    ]);
    let kept = ids(&[
        "samples",
        lighteval,
        "--model",
        "model-a",
        "--task",
        "phrase",
        "--grep",
        "random baseline",
    ]);
    assert_eq!(kept, all);
    assert!(!all.is_empty());
    let query = ids(&[
        "samples",
        lighteval,
        "--model",
        "model-a",
        "--task",
        "phrase",
        "--grep",
        "Phrase: ok\\b",
    ]);
    assert!(!query.is_empty() && query.len() < all.len(), "{query:?}");

    // lm-eval: the dummy model's generation.
    let lm_eval = fixture("lm-eval-0.4.13");
    let lm_eval = lm_eval.to_str().unwrap();
    let lines = ids(&["samples", lm_eval, "--task", "toy_arith", "--grep", "lol"]);
    assert!(!lines.is_empty(), "{lines:?}");
    let bad = support::evaldeck(&["samples", agent, "--grep", "("]);
    assert_eq!(bad.status.code(), Some(2));
}
