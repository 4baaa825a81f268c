//! ElevenLabs own example payloads, read as documented.

use super::*;

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
