//! An Inspect sample's transcript: any JSON gives a transcript (messages, events, pools and
//! attachments as far as they make sense), never a panic, and lays out at any width.
#![no_main]

use evaldeck::model::{Json, pyjson};
use evaldeck::source::inspect::transcript::sample_transcript;
use evaldeck::tui::data::{lay_out_events, lay_out_messages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Json::Object(sample)) = pyjson::parse(text) else {
        return;
    };
    let transcript = sample_transcript(&sample);
    let _ = evaldeck::model::transcript::transcript_to_json(&transcript);
    let _ = transcript.counts();
    let _ = transcript.any_text(|t| t.contains("x"));
    let width = 8 + data.len() % 120;
    let _ = lay_out_messages(&transcript, width, data.len() % 2 == 0);
    let _ = lay_out_events(&transcript, width, data.len() % 3 == 0);
});
