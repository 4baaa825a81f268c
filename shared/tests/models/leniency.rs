//! Leniency: nulls, missing parts, floats, unknown fields and types.

use super::*;

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
