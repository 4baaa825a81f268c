//! The payload models against real and hand-written ElevenLabs payloads.
//!
//! Every file under `tests/fixtures/elevenlabs/` (copies of ElevenLabs'
//! documentation examples and one real, anonymised call) and
//! `tests/fixtures/post_call/` (hand-written: inbound, outbound, SIP-trunk
//! and web calls, tool calls, data-collection values of every JSON type,
//! nulls and unknown fields) is parsed with [`Envelope::parse`]; each test
//! checks the variant, the fields the functions depend on, and who
//! [`Caller::of_call`] says the customer is. Then the leniency rules, the
//! client-data answer's shape, the JSON nesting limit on every parse path,
//! and properties of caller identity over arbitrary strings.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{json, Value};
use shared::caller::{mask, Caller, CallerId, Region};
use shared::models::client_data::ConfigOverride;
use shared::models::post_call::Role;
use shared::models::{
    ClientDataRequest, ClientDataResponse, DynamicVariables, Envelope, PostCallEvent,
    TranscriptionData,
};

mod client_data_webhook;
mod customer;
mod examples;
mod leniency;
mod nesting;

const AGENT_NUMBER: &str = "+15550001000";

fn fixture_dir(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn transcription_of(body: &[u8]) -> TranscriptionData {
    let envelope = Envelope::parse(body).expect("parses");
    assert_eq!(envelope.kind, "post_call_transcription");
    match envelope.event {
        PostCallEvent::Transcription(call) => *call,
        other => panic!("expected a transcription, got {other:?}"),
    }
}

fn transcription(path: &str) -> TranscriptionData {
    transcription_of(&fixture(path))
}

/// The customer's E.164 number, or `None` for [`Caller::Unknown`].
fn customer(call: &TranscriptionData) -> Option<String> {
    Caller::of_call(call, Region::default())
        .known()
        .map(|id| id.as_str().to_owned())
}

fn names_in(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(fixture_dir(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// Every fixture is checked by a test below.

#[test]
fn every_fixture_has_a_test() {
    let elevenlabs: BTreeSet<String> = [
        "call_initiation_failure.sip.docs_example.json",
        "call_initiation_failure.twilio.docs_example.json",
        "conversation_initiation_webhook.response.docs_example.json",
        "post_call_audio.docs_example.json",
        "post_call_transcription.docs_example.json",
        "post_call_transcription.real_inbound_twilio.anonymized.json",
    ]
    .map(String::from)
    .into();
    assert_eq!(names_in("elevenlabs"), elevenlabs);
    let ours: BTreeSet<String> = [
        "data_collection_types.json",
        "inbound_twilio.json",
        "lenient_nulls.json",
        "minimal.json",
        "outbound_twilio.json",
        "sip_trunk_inbound.json",
        "sip_trunk_withheld.json",
        "tool_calls.json",
        "unknown_event.json",
        "web_call.json",
    ]
    .map(String::from)
    .into();
    assert_eq!(names_in("post_call"), ours);
}

#[test]
fn every_post_call_fixture_parses() {
    for dir in ["elevenlabs", "post_call"] {
        for name in names_in(dir) {
            if name.starts_with("conversation_initiation_webhook.") {
                continue; // a client-data answer, not a webhook
            }
            let body = fixture(&format!("{dir}/{name}"));
            let envelope = Envelope::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                envelope
                    .event
                    .conversation_id()
                    .is_some_and(|c| !c.is_empty()),
                "{name}: no conversation id"
            );
            assert!(envelope.event_timestamp.is_some(), "{name}: no timestamp");
        }
    }
}

// ---------------------------------------------------------------------------
// ElevenLabs' own examples.
