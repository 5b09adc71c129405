//! Speed of an agent sample's transcript (numbers in the closing note): one long agent sample
//! (turns of an assistant's tool call and a tool's ~1.5 KB result, about 20 MB in all, every
//! model call's input pooled as Inspect writes it) read into a transcript, laid out for the
//! Transcript and Events views, and searched. The target for the first screen of a 100 MB sample
//! is 300 ms; this sample is a fifth of that.

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::model::{Json, Map, pyjson};
use evaldeck::source::inspect::transcript::sample_transcript;
use evaldeck::tui::data::{lay_out_events, lay_out_messages};

const TURNS: usize = 6_000;

fn long_agent_sample() -> Map {
    let mut pool = String::from(r#"[{"role":"user","content":"Find every entry of the archive."}"#);
    let mut messages = pool.clone();
    let mut events = String::from("[");
    for turn in 0..TURNS {
        let call = format!(
            r#"{{"role":"assistant","content":"Looking up page {turn}.","tool_calls":[{{"id":"c{turn}","function":"lookup","arguments":{{"key":"page-{turn}"}}}}]}}"#
        );
        let words: String = (0..220)
            .map(|i| ["alpha ", "beta ", "gamma ", "delta "][(turn + i) % 4])
            .collect();
        let result = format!(
            r#"{{"role":"tool","content":"archive[{turn}]: {words}","tool_call_id":"c{turn}","function":"lookup"}}"#
        );
        for message in [&call, &result] {
            pool.push(',');
            pool.push_str(message);
            messages.push(',');
            messages.push_str(message);
        }
        if turn > 0 {
            events.push(',');
        }
        let pooled = 1 + 2 * turn;
        events.push_str(&format!(
            r#"{{"event":"model","timestamp":"2026-01-01T00:00:{:02}+00:00","model":"m","input":[],"input_refs":[[0,{pooled}]],"output":{{"choices":[{{"message":{call}}}],"usage":{{"input_tokens":{},"output_tokens":30,"total_tokens":{}}}}}}},{{"event":"tool","function":"lookup","arguments":{{"key":"page-{turn}"}},"result":"archive[{turn}]"}}"#,
            turn % 60,
            100 * turn,
            100 * turn + 30
        ));
    }
    let text = format!(
        r#"{{"id":"long","epoch":1,"messages":{messages}],"events":{events}],"events_data":{{"messages":{pool}],"calls":[]}},"model_usage":{{"m":{{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}}}}"#
    );
    match pyjson::parse(&text).expect("the bench's sample is JSON") {
        Json::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

fn transcript(c: &mut Criterion) {
    let sample = long_agent_sample();
    let bytes = pyjson::to_string(
        &Json::Object(sample.clone()),
        pyjson::WriteOptions::STRICT_COMPACT,
    )
    .len();
    println!(
        "sample: {TURNS} turns, {:.1} MB of JSON",
        bytes as f64 / 1e6
    );
    let mut group = c.benchmark_group("transcript");
    group.sample_size(10);
    group.bench_function("read_long_agent_sample", |b| {
        b.iter(|| sample_transcript(&sample))
    });
    let transcript = sample_transcript(&sample);
    group.bench_function("lay_out_messages_100_columns", |b| {
        b.iter(|| lay_out_messages(&transcript, 100, false))
    });
    group.bench_function("lay_out_events_100_columns", |b| {
        b.iter(|| lay_out_events(&transcript, 100, false))
    });
    group.bench_function("grep_every_text", |b| {
        let pattern = regex::Regex::new(r"archive\[5999\]").unwrap();
        b.iter(|| transcript.any_text(|t| pattern.is_match(t)))
    });
    group.finish();
}

criterion_group!(benches, transcript);
criterion_main!(benches);
