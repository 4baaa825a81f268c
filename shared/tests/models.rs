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

#[test]
fn docs_transcription_example() {
    let body = fixture("elevenlabs/post_call_transcription.docs_example.json");
    let envelope = Envelope::parse(&body).unwrap();
    assert_eq!(envelope.event_timestamp, Some(1_739_537_297));
    let PostCallEvent::Transcription(call) = envelope.event else {
        panic!("not a transcription");
    };
    assert_eq!(call.agent_id.as_deref(), Some("xyz"));
    assert_eq!(call.conversation_id, "abc");
    assert_eq!(call.status.as_deref(), Some("done"));
    assert_eq!(call.user_id.as_deref(), Some("user123"));
    let roles: Vec<Role> = call.transcript.iter().map(|t| t.role.clone()).collect();
    assert_eq!(roles, [Role::Agent, Role::User, Role::Agent]);
    assert_eq!(
        call.transcript[1].message.as_deref(),
        Some("Hey, can you tell me, like, a fun fact about 11 Labs?")
    );
    assert_eq!(call.transcript[2].time_in_call_secs, Some(9.0));
    // `tool_calls: null` reads as no tool calls.
    assert!(call
        .transcript
        .iter()
        .all(|t| t.tool_calls.is_empty() && t.tool_results.is_empty()));
    assert_eq!(call.start_time(), Some(1_739_537_297));
    assert_eq!(call.metadata.call_duration_secs, Some(22.0));
    assert_eq!(call.metadata.termination_reason.as_deref(), Some(""));
    assert_eq!(call.metadata.phone_call, None);
    assert_eq!(call.analysis.call_successful.as_deref(), Some("success"));
    assert!(call
        .analysis
        .transcript_summary
        .as_deref()
        .unwrap()
        .starts_with("The conversation begins"));
    assert!(call.analysis.data_collection_results.is_empty());
    assert_eq!(call.dynamic_variable("user_name"), Some("angelo"));
    assert_eq!(call.has_audio, None);
    // No phone call and no system__caller_id: nobody to remember.
    assert_eq!(customer(&call), None);
}

#[test]
fn real_inbound_twilio_example() {
    let call =
        transcription("elevenlabs/post_call_transcription.real_inbound_twilio.anonymized.json");
    assert_eq!(call.conversation_id, "conv_1301kam4jyjeeqs8gwzmt62k2e3e");
    assert_eq!(
        call.agent_id.as_deref(),
        Some("agent_3101k1e6xrv2f4eb0xz6nbbrz035")
    );
    assert_eq!(call.user_id, None);
    assert_eq!(call.transcript.len(), 1);
    assert_eq!(call.transcript[0].role, Role::Agent);
    assert_eq!(call.transcript[0].interrupted, Some(false));
    assert_eq!(call.start_time(), Some(1_763_759_979));
    assert_eq!(
        call.metadata.termination_reason.as_deref(),
        Some("Call ended by remote party")
    );
    let pc = call.metadata.phone_call.as_ref().expect("phone_call");
    assert_eq!(pc.kind.as_deref(), Some("twilio"));
    assert_eq!(pc.direction.as_deref(), Some("inbound"));
    assert_eq!(pc.agent_number.as_deref(), Some("+15550001000"));
    assert_eq!(pc.external_number.as_deref(), Some("+15550002000"));
    assert_eq!(
        pc.call_sid.as_deref(),
        Some("CA15884136fed840d807968d7c83b21ba4")
    );
    assert_eq!(
        call.dynamic_variable("system__caller_id"),
        Some("+15550002000")
    );
    // A number, not a string: not readable as a string variable.
    assert_eq!(call.dynamic_variable("system__call_duration_secs"), None);
    let dc = &call.analysis.data_collection_results;
    assert_eq!(
        dc.keys().map(String::as_str).collect::<Vec<_>>(),
        ["name", "number", "reason"]
    );
    assert!(
        dc.values().all(|r| r.value.is_none()),
        "all values are null"
    );
    assert_eq!(dc["name"].data_collection_id.as_deref(), Some("name"));
    assert!(dc["name"].rationale.is_some());
    assert_eq!(call.analysis.call_successful.as_deref(), Some("unknown"));
    assert_eq!(customer(&call).as_deref(), Some("+15550002000"));
}

#[test]
fn docs_audio_example_borrows_the_audio() {
    let body = fixture("elevenlabs/post_call_audio.docs_example.json");
    let envelope = Envelope::parse(&body).unwrap();
    assert_eq!(envelope.kind, "post_call_audio");
    assert_eq!(envelope.event_timestamp, Some(1_739_537_319));
    let PostCallEvent::Audio(audio) = envelope.event else {
        panic!("not audio");
    };
    assert_eq!(audio.conversation_id, "abc");
    assert_eq!(audio.agent_id.as_deref(), Some("xyz"));
    assert!(audio.full_audio.starts_with("SUQzBAAAAAAA"));
    assert!(
        matches!(audio.full_audio, Cow::Borrowed(_)),
        "the base64 must not be copied"
    );
}

#[test]
fn audio_with_escapes_is_still_read() {
    let body =
        br#"{"type":"post_call_audio","data":{"conversation_id":"c1","full_audio":"SUQz\nBA=="}}"#;
    let PostCallEvent::Audio(audio) = Envelope::parse(body).unwrap().event else {
        panic!("not audio");
    };
    assert_eq!(audio.full_audio, "SUQz\nBA==");
}

#[test]
fn docs_call_initiation_failure_examples() {
    for (name, kind, body_field, body_value) in [
        ("twilio", "twilio", "CallStatus", json!("busy")),
        ("sip", "sip", "sip_status_code", json!(486)),
    ] {
        let body = fixture(&format!(
            "elevenlabs/call_initiation_failure.{name}.docs_example.json"
        ));
        let envelope = Envelope::parse(&body).unwrap();
        assert_eq!(envelope.kind, "call_initiation_failure");
        assert_eq!(envelope.event_timestamp, Some(1_759_931_652));
        let PostCallEvent::CallInitiationFailure(failure) = envelope.event else {
            panic!("{name}: not a call initiation failure");
        };
        assert_eq!(failure.conversation_id, "abc");
        assert_eq!(failure.agent_id.as_deref(), Some("xyz"));
        assert_eq!(failure.failure_reason.as_deref(), Some("busy"));
        let metadata = failure.metadata.expect("metadata");
        assert_eq!(metadata["type"], kind, "{name}");
        assert_eq!(metadata["body"][body_field], body_value, "{name}");
    }
}

// ---------------------------------------------------------------------------
// Our own payloads: who the customer is.

#[test]
fn inbound_twilio_call() {
    let call = transcription("post_call/inbound_twilio.json");
    assert_eq!(call.conversation_id, "conv_inbound_twilio_0001");
    let pc = call.metadata.phone_call.as_ref().unwrap();
    assert_eq!(
        (pc.kind.as_deref(), pc.direction.as_deref()),
        (Some("twilio"), Some("inbound"))
    );
    assert_eq!(call.transcript.len(), 3);
    assert_eq!(call.transcript[2].interrupted, Some(true));
    assert_eq!(
        call.analysis.data_collection_results["name"].value,
        Some(json!("Maria"))
    );
    assert_eq!(
        (call.has_audio, call.has_user_audio, call.has_response_audio),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(customer(&call).as_deref(), Some("+15550002001"));
}

#[test]
fn outbound_call_customer_is_the_external_number_not_the_agent() {
    let call = transcription("post_call/outbound_twilio.json");
    let pc = call.metadata.phone_call.as_ref().unwrap();
    assert_eq!(pc.direction.as_deref(), Some("outbound"));
    // On an outbound call system__caller_id is the agent's own number.
    assert_eq!(
        call.dynamic_variable("system__caller_id"),
        Some(AGENT_NUMBER)
    );
    assert_eq!(customer(&call).as_deref(), Some("+442079460958"));
}

#[test]
fn outbound_call_without_external_number_is_unknown_not_the_agent() {
    let mut v: Value = serde_json::from_slice(&fixture("post_call/outbound_twilio.json")).unwrap();
    for missing in [Value::Null, json!(""), json!("anonymous")] {
        v["data"]["metadata"]["phone_call"]["external_number"] = missing.clone();
        let call = transcription_of(v.to_string().as_bytes());
        assert_eq!(customer(&call), None, "external_number {missing}");
    }
    v["data"]["metadata"]["phone_call"]
        .as_object_mut()
        .unwrap()
        .remove("external_number");
    assert_eq!(customer(&transcription_of(v.to_string().as_bytes())), None);
}

#[test]
fn sip_trunk_call_without_caller_id_is_unknown() {
    let call = transcription("post_call/sip_trunk_withheld.json");
    let pc = call.metadata.phone_call.as_ref().unwrap();
    assert_eq!(pc.kind.as_deref(), Some("sip_trunking"));
    assert_eq!(pc.external_number, None);
    assert_eq!(call.dynamic_variable("system__caller_id"), None);
    assert_eq!(customer(&call), None);
}

#[test]
fn sip_trunk_call_falls_back_to_the_external_number() {
    let call = transcription("post_call/sip_trunk_inbound.json");
    assert_eq!(
        call.metadata.phone_call.as_ref().unwrap().kind.as_deref(),
        Some("sip_trunking")
    );
    assert_eq!(call.dynamic_variable("system__caller_id"), None);
    assert_eq!(call.transcript[1].time_in_call_secs, Some(2.4));
    assert_eq!(customer(&call).as_deref(), Some("+15550002002"));
}

#[test]
fn inbound_call_prefers_system_caller_id_and_ignores_withheld_words() {
    let mut v: Value =
        serde_json::from_slice(&fixture("post_call/sip_trunk_inbound.json")).unwrap();
    let vars = &mut v["data"]["conversation_initiation_client_data"]["dynamic_variables"];
    vars["system__caller_id"] = json!("(555) 000-2009");
    assert_eq!(
        customer(&transcription_of(v.to_string().as_bytes())).as_deref(),
        Some("+15550002009")
    );
    for withheld in ["anonymous", "", "unknown", "restricted"] {
        v["data"]["conversation_initiation_client_data"]["dynamic_variables"]
            ["system__caller_id"] = json!(withheld);
        v["data"]["metadata"]["phone_call"]["external_number"] = json!(withheld);
        assert_eq!(
            customer(&transcription_of(v.to_string().as_bytes())),
            None,
            "{withheld:?}"
        );
    }
}

#[test]
fn web_call_has_a_user_id_and_no_phone_call() {
    let call = transcription("post_call/web_call.json");
    assert_eq!(call.user_id.as_deref(), Some("user_8f2c41"));
    assert_eq!(
        call.conversation_initiation_client_data.user_id.as_deref(),
        Some("user_8f2c41")
    );
    assert_eq!(call.metadata.phone_call, None);
    assert_eq!(call.transcript.len(), 2);
    // A user id is not a phone number: nothing to remember the caller by.
    assert_eq!(customer(&call), None);
    assert_eq!(Caller::of_call(&call, Region::default()), Caller::Unknown);
}

#[test]
fn tool_calls_and_results_are_kept_as_json() {
    let call = transcription("post_call/tool_calls.json");
    assert_eq!(call.transcript.len(), 5);
    let calling = &call.transcript[2];
    assert_eq!(calling.role, Role::Agent);
    assert_eq!(calling.message, None, "message: null on the tool-call turn");
    assert_eq!(calling.time_in_call_secs, Some(5.25));
    assert_eq!(calling.tool_calls.len(), 1);
    assert!(calling.tool_results.is_empty());
    let tool_call = &calling.tool_calls[0];
    assert_eq!(tool_call["tool_name"], "search_memory");
    assert_eq!(tool_call["tool_details"]["method"], "POST");
    let params: Value =
        serde_json::from_str(tool_call["params_as_json"].as_str().unwrap()).unwrap();
    assert_eq!(params["caller_id"], "+15550002001");

    let answered = &call.transcript[3];
    assert_eq!(answered.message, None);
    assert_eq!(answered.tool_results.len(), 1);
    let result = &answered.tool_results[0];
    assert_eq!(result["request_id"], tool_call["request_id"]);
    assert_eq!(result["is_error"], false);
    assert_eq!(result["tool_latency_secs"], 0.084);

    assert_eq!(
        call.transcript[4].message.as_deref(),
        Some("Last time you saw Dr. Okafor.")
    );
    assert_eq!(customer(&call).as_deref(), Some("+15550002001"));
}

#[test]
fn data_collection_values_of_every_json_type() {
    let call = transcription("post_call/data_collection_types.json");
    let dc = &call.analysis.data_collection_results;
    let value = |k: &str| dc[k].value.clone();
    assert_eq!(value("name"), Some(json!("Maria")));
    assert_eq!(value("children"), Some(json!(2)));
    assert_eq!(value("children").unwrap().as_u64(), Some(2));
    assert_eq!(value("balance").unwrap().as_f64(), Some(12.5));
    assert_eq!(value("wants_reminder"), Some(json!(true)));
    assert_eq!(
        value("preferred_slots"),
        Some(json!(["monday morning", "thursday morning"]))
    );
    assert_eq!(
        value("address"),
        Some(json!({ "city": "Springfield", "zip": "12345" }))
    );
    assert_eq!(value("insurance"), None, "null value");
    assert_eq!(value("email"), None, "missing value");
    assert_eq!(dc["email"].rationale, None);
    assert_eq!(dc.len(), 8);
    assert_eq!(customer(&call).as_deref(), Some("+15550002001"));
}

// ---------------------------------------------------------------------------
// Leniency: nulls, missing parts, floats, unknown fields and types.

#[test]
fn nulls_for_lists_maps_and_fields_read_as_empty() {
    let body = fixture("post_call/lenient_nulls.json");
    let envelope = Envelope::parse(&body).unwrap();
    // A float timestamp is truncated, not refused.
    assert_eq!(envelope.event_timestamp, Some(1_763_871_600));
    let PostCallEvent::Transcription(call) = envelope.event else {
        panic!("not a transcription");
    };
    assert_eq!(call.agent_id, None);
    assert_eq!(call.status, None);
    assert_eq!(call.transcript.len(), 4);
    let first = &call.transcript[0];
    assert_eq!(first.role, Role::Other, "role: null");
    assert_eq!(first.message, None);
    assert_eq!(first.time_in_call_secs, None);
    assert!(first.tool_calls.is_empty() && first.tool_results.is_empty());
    assert_eq!(first.interrupted, None);
    assert_eq!(call.transcript[1].time_in_call_secs, Some(0.5));
    assert_eq!(call.transcript[2].role, Role::User);
    assert_eq!(call.transcript[2].time_in_call_secs, Some(3.75));
    assert_eq!(call.transcript[3].role, Role::Other, "unknown role");
    assert_eq!(call.start_time(), Some(1_763_871_550));
    assert_eq!(call.metadata.call_duration_secs, Some(12.5));
    assert_eq!(call.metadata.phone_call, None, "phone_call: null");
    assert!(call.analysis.data_collection_results.is_empty());
    assert_eq!(call.analysis.evaluation_criteria_results, None);
    assert!(call
        .conversation_initiation_client_data
        .dynamic_variables
        .is_empty());
    assert_eq!(
        (call.has_audio, call.has_user_audio, call.has_response_audio),
        (None, Some(false), Some(true))
    );
    assert_eq!(customer(&call), None);
}

#[test]
fn a_conversation_id_alone_is_enough() {
    let body = fixture("post_call/minimal.json");
    let envelope = Envelope::parse(&body).unwrap();
    // A numeric string timestamp is read too.
    assert_eq!(envelope.event_timestamp, Some(1_763_875_200));
    let PostCallEvent::Transcription(call) = envelope.event else {
        panic!("not a transcription");
    };
    assert_eq!(call.conversation_id, "conv_minimal_0001");
    assert!(call.transcript.is_empty());
    assert_eq!(call.start_time(), None);
    assert_eq!(call.metadata.phone_call, None);
    assert_eq!(call.analysis.transcript_summary, None);
    assert_eq!(customer(&call), None);

    let bare = br#"{"type":"post_call_transcription","data":{"conversation_id":"c2"}}"#;
    let envelope = Envelope::parse(bare).unwrap();
    assert_eq!(envelope.event_timestamp, None);
    assert_eq!(envelope.event.conversation_id(), Some("c2"));
}

#[test]
fn timestamps_that_are_not_numbers_are_dropped_not_refused() {
    for ts in [
        json!(null),
        json!("soon"),
        json!(true),
        json!([1]),
        json!({}),
    ] {
        let body = json!({ "type": "post_call_transcription", "event_timestamp": ts,
            "data": { "conversation_id": "c1", "metadata": { "start_time_unix_secs": ts } } })
        .to_string();
        let envelope = Envelope::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{ts}: {e}"));
        assert_eq!(envelope.event_timestamp, None, "{ts}");
        let PostCallEvent::Transcription(call) = envelope.event else {
            panic!("not a transcription");
        };
        assert_eq!(call.start_time(), None, "{ts}");
    }
}

#[test]
fn unknown_event_types_are_kept_with_their_conversation() {
    let body = fixture("post_call/unknown_event.json");
    let envelope = Envelope::parse(&body).unwrap();
    assert_eq!(envelope.kind, "post_call_summary_v2");
    assert_eq!(envelope.event_timestamp, Some(1_763_878_800));
    match envelope.event {
        PostCallEvent::Unknown { conversation_id } => {
            assert_eq!(conversation_id.as_deref(), Some("conv_unknown_event_0001"))
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    // Whatever `data` is, an unknown type parses; it just may name no conversation.
    for data in [
        json!({}),
        json!(null),
        json!([1, 2]),
        json!("text"),
        json!({ "conversation_id": 7 }),
        json!(["c9"]),
    ] {
        let body = json!({ "type": "something_new", "data": data }).to_string();
        let envelope = Envelope::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{data}: {e}"));
        assert!(
            matches!(
                envelope.event,
                PostCallEvent::Unknown {
                    conversation_id: None
                }
            ),
            "{data}"
        );
    }
}

#[test]
fn unusable_envelopes_are_refused() {
    for body in [
        "",
        "null",
        "[]",
        "{}",
        "not json",
        r#"{"data":{"conversation_id":"c1"}}"#,
        r#"{"type":"post_call_transcription"}"#,
        r#"{"type":7,"data":{"conversation_id":"c1"}}"#,
        r#"{"type":"post_call_transcription","data":{}}"#,
        r#"{"type":"post_call_transcription","data":{"conversation_id":null}}"#,
        r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","transcript":{}}}"#,
        r#"{"type":"post_call_audio","data":{"conversation_id":"c1"}}"#,
        r#"{"type":"post_call_audio","data":{"conversation_id":"c1","full_audio":null}}"#,
        r#"{"type":"call_initiation_failure","data":{"agent_id":"a"}}"#,
        r#"{"type":"post_call_transcription","data":{"conversation_id":"c1"}} trailing"#,
        // serde would read a struct from an array, field by field.
        r#"["post_call_transcription", 5, {"conversation_id":"c1"}]"#,
        r#"{"type":"post_call_transcription","data":[null,"c1"]}"#,
        r#"{"type":"post_call_audio","data":[null,"c1","AA=="]}"#,
        r#"{"type":"call_initiation_failure","data":[null,"c1"]}"#,
    ] {
        assert!(Envelope::parse(body.as_bytes()).is_err(), "{body:?}");
    }
}

// ---------------------------------------------------------------------------
// The client-data webhook.

#[test]
fn client_data_request_is_lenient() {
    let full: ClientDataRequest = serde_json::from_str(
        r#"{"caller_id":"+15551234567","agent_id":"agent_1","called_number":"+15557654321","call_sid":"CA1","extra":{"x":[1]}}"#,
    )
    .unwrap();
    assert_eq!(full.caller_id.as_deref(), Some("+15551234567"));
    assert_eq!(full.call_sid.as_deref(), Some("CA1"));
    for body in ["{}", r#"{"caller_id":null}"#, r#"{"agent_id":null,"x":1}"#] {
        let req: ClientDataRequest = serde_json::from_str(body).unwrap();
        assert_eq!(req.caller_id, None, "{body}");
    }
}

#[test]
fn client_data_answer_has_the_documented_shape() {
    let docs: Value = serde_json::from_slice(&fixture(
        "elevenlabs/conversation_initiation_webhook.response.docs_example.json",
    ))
    .unwrap();
    let vars = DynamicVariables {
        user_name: "Maria".into(),
        user_profile_summary: "Prefers mornings.".into(),
        last_call_summary: "Moved a cleaning.".into(),
        caller_language: String::new(),
    };
    let ours = serde_json::to_value(ClientDataResponse::new(
        vars.clone(),
        Some("Welcome back, Maria!".into()),
    ))
    .unwrap();
    assert_eq!(ours["type"], docs["type"]);
    assert_eq!(ours["type"], ClientDataResponse::TYPE);
    // Every key we send is one the documentation sends, at the same place.
    fn keys_within(ours: &Value, docs: &Value, path: &str) {
        let (Some(ours), Some(docs)) = (ours.as_object(), docs.as_object()) else {
            return;
        };
        for (k, v) in ours {
            if path == "/dynamic_variables" {
                continue; // the agent's own variable names
            }
            let d = docs
                .get(k)
                .unwrap_or_else(|| panic!("{path}/{k} is not in the documented answer"));
            assert_eq!(
                std::mem::discriminant(v),
                std::mem::discriminant(d),
                "{path}/{k} has another JSON type"
            );
            keys_within(v, d, &format!("{path}/{k}"));
        }
    }
    keys_within(&ours, &docs, "");
    // Dynamic variables are flat strings, in both.
    for answer in [&ours, &docs] {
        let vars = answer["dynamic_variables"].as_object().unwrap();
        assert!(!vars.is_empty());
        assert!(vars.values().all(Value::is_string), "{answer}");
    }
    assert_eq!(
        ours["conversation_config_override"]["agent"]["first_message"],
        "Welcome back, Maria!"
    );

    // The documented override reads into ours (other overrides ignored).
    let over: ConfigOverride =
        serde_json::from_value(docs["conversation_config_override"].clone()).unwrap();
    assert_eq!(
        over.agent.and_then(|a| a.first_message).as_deref(),
        Some("Hi, how can I help you today?")
    );

    // Without a first message no override is sent at all, but `type` and
    // every variable (even empty) still are.
    let new =
        serde_json::to_value(ClientDataResponse::new(DynamicVariables::default(), None)).unwrap();
    assert_eq!(
        new,
        json!({ "type": "conversation_initiation_client_data",
                "dynamic_variables": { "user_name": "", "user_profile_summary": "", "last_call_summary": "", "caller_language": "" } })
    );
    let back: ClientDataResponse = serde_json::from_value(ours).unwrap();
    assert_eq!(
        back,
        ClientDataResponse::new(vars, Some("Welcome back, Maria!".into()))
    );
}

// ---------------------------------------------------------------------------
// JSON nesting: every parse path refuses what serde_json's recursion limit
// would, including the parts `Envelope::parse` skips (RawValue, ignored
// fields), which serde_json reads without counting depth.

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// The deepest nesting serde_json builds a `Value` for.
fn serde_json_max_depth() -> usize {
    (1..1_000)
        .find(|&d| serde_json::from_str::<Value>(&nested(d)).is_err())
        .expect("serde_json has a recursion limit")
        - 1
}

#[test]
fn deep_nesting_is_refused_wherever_it_hides() {
    let limit = serde_json_max_depth();
    assert_eq!(limit, shared::models::MAX_JSON_DEPTH);
    // Within the envelope, `{` and `"data": {` take two levels.
    let places = |deep: &str| {
        vec![
            format!(
                r#"{{"type":"post_call_transcription","data":{{"conversation_id":"c1","x":{deep}}}}}"#
            ),
            format!(
                r#"{{"type":"post_call_transcription","x":{deep},"data":{{"conversation_id":"c1"}}}}"#
            ),
            format!(
                r#"{{"type":"post_call_transcription","data":{{"conversation_id":"c1","metadata":{{"x":{deep}}}}}}}"#
            ),
            format!(r#"{{"type":"something_new","data":{{"conversation_id":"c1","x":{deep}}}}}"#),
            format!(
                r#"{{"type":"call_initiation_failure","data":{{"conversation_id":"c1","x":{deep}}}}}"#
            ),
            format!(
                r#"{{"type":"post_call_audio","data":{{"conversation_id":"c1","full_audio":"AA==","x":{deep}}}}}"#
            ),
        ]
    };
    for body in places(&nested(10_000)) {
        let err = Envelope::parse(body.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }
    // Around the limit, exactly what serde_json can read is accepted.
    for depth in limit - 4..=limit + 1 {
        for body in places(&nested(depth)) {
            let readable = serde_json::from_str::<Value>(&body).is_ok();
            assert_eq!(
                Envelope::parse(body.as_bytes()).is_ok(),
                readable,
                "depth {depth}: {}",
                &body[..60]
            );
        }
    }
    let at_limit = format!(
        r#"{{"type":"post_call_transcription","data":{{"conversation_id":"c1","x":{}}}}}"#,
        nested(limit - 2)
    );
    Envelope::parse(at_limit.as_bytes()).unwrap();
    // Brackets inside strings do not count.
    let in_string = format!(
        r#"{{"type":"post_call_transcription","data":{{"conversation_id":"c1","x":"\"{}"}}}}"#,
        "[{".repeat(10_000)
    );
    Envelope::parse(in_string.as_bytes()).unwrap();
}

#[test]
fn http_bodies_refuse_deep_nesting_too() {
    for body in [
        nested(10_000),
        format!(r#"{{"caller_id":"+15551234567","x":{}}}"#, nested(10_000)),
        format!(r#"{{"caller_id":"+15551234567","x":{}}}"#, nested(200)),
    ] {
        let err = shared::edge::parse_json::<ClientDataRequest>(body.as_bytes()).unwrap_err();
        assert!(matches!(err, shared::Error::BadRequest(_)), "{err:?}");
    }
    let ok = format!(r#"{{"caller_id":"+15551234567","x":{}}}"#, nested(10));
    let req: ClientDataRequest = shared::edge::parse_json(ok.as_bytes()).unwrap();
    assert_eq!(req.caller_id.as_deref(), Some("+15551234567"));
}

/// A phone-ish string, anything at all, or nothing.
fn phone_string() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None::<String>),
        "\\PC{0,20}".prop_map(Some),
        "[+]?[0-9 ()-]{0,18}".prop_map(Some),
        Just(Some(AGENT_NUMBER.to_owned())),
    ]
}

/// Arbitrary JSON, with strings full of brackets, quotes and escapes.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[\\[\\]{}\"\\\\a ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\\[\"]{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// `Envelope::parse` accepts a well-formed envelope exactly when
    /// serde_json can read the whole body as a `Value`.
    #[test]
    fn envelope_depth_agrees_with_serde_json(extra in json_value(), wrap in 0usize..140, kind in prop_oneof![Just("post_call_transcription"), Just("an_unknown_type")]) {
        let mut deep = extra;
        for _ in 0..wrap {
            deep = json!([deep]);
        }
        let body = json!({ "type": kind, "data": { "conversation_id": "c1", "x": deep } }).to_string();
        let as_value = serde_json::from_str::<Value>(&body).is_ok();
        prop_assert_eq!(Envelope::parse(body.as_bytes()).is_ok(), as_value);
    }

    /// Any JSON value as `data` of a known type either parses or is an
    /// error; and whatever parses names the conversation it was given.
    #[test]
    fn any_data_is_parsed_or_refused(data in json_value(), kind in prop_oneof![Just("post_call_transcription"), Just("post_call_audio"), Just("call_initiation_failure"), Just("x")]) {
        let body = json!({ "type": kind, "data": data }).to_string();
        if let Ok(envelope) = Envelope::parse(body.as_bytes()) {
            if let Some(id) = envelope.event.conversation_id() {
                prop_assert_eq!(Some(id), data.get("conversation_id").and_then(Value::as_str));
            }
        }
    }

    /// On an outbound call the customer is the external number and never
    /// `system__caller_id` (the agent); inbound prefers `system__caller_id`.
    #[test]
    fn of_call_follows_the_direction(
        external in phone_string(),
        system in phone_string(),
        direction in prop_oneof![Just(Some("inbound")), Just(Some("outbound")), Just(None), Just(Some("sideways"))],
        phone_call in any::<bool>(),
    ) {
        let region = Region::default();
        let mut data = json!({ "conversation_id": "c1",
            "conversation_initiation_client_data": { "dynamic_variables": { "system__caller_id": system } } });
        if phone_call {
            data["metadata"] = json!({ "phone_call": { "type": "twilio", "direction": direction, "agent_number": AGENT_NUMBER, "external_number": external } });
        }
        let body = json!({ "type": "post_call_transcription", "data": data }).to_string();
        let call = transcription_of(body.as_bytes());
        let from = |s: &Option<String>| Caller::from_raw(s.as_deref(), region);
        let expected = match (phone_call, direction) {
            (true, Some("outbound")) => from(&external),
            (true, _) => match from(&system) {
                Caller::Unknown => from(&external),
                known => known,
            },
            (false, _) => from(&system),
        };
        prop_assert_eq!(Caller::of_call(&call, region), expected);
    }

    /// Normalisation of any string, however long or odd: no panic, and a
    /// result is always E.164 and a fixed point.
    #[test]
    fn normalisation_of_any_string_is_e164_or_nothing(s in prop_oneof!["(?s).{0,200}", "[+]?[0-9]{0,80}", "[+0-9 ().\\-/\\t]{0,70}"]) {
        if let Some(id) = CallerId::normalise(&s, Region::default()) {
            let e164 = id.as_str();
            prop_assert!(e164.starts_with('+'));
            prop_assert!((7..=16).contains(&e164.len()), "{}", e164);
            prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(CallerId::normalise(e164, Region::default()), Some(id.clone()));
            let shown = format!("{id} {id:?}");
            prop_assert!(!shown.contains(&e164[2..e164.len() - 2]), "{}", shown);
        }
    }

    /// Masking any string keeps its length and shows at most four characters.
    #[test]
    fn mask_shows_at_most_four_characters(s in "(?s).{0,60}") {
        let masked = mask(&s);
        prop_assert_eq!(masked.chars().count(), s.chars().count());
        let shown = masked.chars().zip(s.chars()).filter(|(m, o)| m == o && *m != '*').count();
        prop_assert!(shown <= 4, "{:?} -> {:?}", s, masked);
    }
}
