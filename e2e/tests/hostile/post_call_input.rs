//! post-call: signatures, envelopes and what is stored.

use super::*;

#[test]
fn post_call_survives_any_signed_bytes() {
    let h = Harness::new();
    check(256, (any_body(), content_type()), |(body, ct)| {
        let before = h.stored();
        let a = h.send(Function::PostCall, authorised(Function::PostCall, body, ct));
        assert_documented(Function::PostCall, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{:?}", a);
        if a.status != 200 {
            prop_assert_eq!(h.stored(), before, "a rejected webhook stored something");
        }
        Ok(())
    });
}

#[test]
fn post_call_refuses_any_signature_header() {
    let h = Harness::new();
    let now = shared::dates::now_unix_secs();
    let header = prop_oneof![
        header_value().prop_map(Some),
        Just(None),
        // Well-formed, timely, and wrong.
        "[0-9a-f]{64}".prop_map(move |hex| Some(
            HeaderValue::from_str(&format!("t={now},v0={hex}")).unwrap()
        )),
        // Right for another body.
        any_body().prop_map(|other| Some(signature(&other))),
    ];
    check(256, header, |header| {
        let body = call("conv_forged");
        if let Some(v) = &header {
            prop_assume!(v.as_bytes() != signature(&body).as_bytes());
        }
        let mut headers = vec![("content-type", json_type())];
        if let Some(v) = header {
            headers.push(("elevenlabs-signature", v));
        }
        let a = h.send(
            Function::PostCall,
            request("POST", Function::PostCall.path(), headers, body),
        );
        assert_documented(Function::PostCall, &a)?;
        prop_assert_eq!(a.status, 401, "{}", a.body);
        prop_assert!(h.stored().is_empty());
        prop_assert_eq!(h.memories_of(CALLER), 0);
        Ok(())
    });
}

/// A post-call envelope: known or arbitrary type, and `data` that is any
/// JSON or an object with a valid or invalid conversation id.
fn envelope() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("post_call_transcription".to_owned()),
        Just("post_call_audio".to_owned()),
        Just("call_initiation_failure".to_owned()),
        "\\PC{0,16}",
    ];
    let conversation_id = prop_oneof![
        "[A-Za-z0-9_-]{1,24}",
        "\\PC{0,24}",
        Just("../../etc/passwd".to_owned()),
        "[a-z]{129,140}",
    ];
    let full_audio = prop_oneof![
        Just("SUQzBAAAAAAA".to_owned()),
        Just("SUQz\nBAAA".to_owned()),
        "[A-Za-z0-9+/=\\s.!-]{0,24}",
    ];
    let data = prop_oneof![
        json_value(),
        (conversation_id, full_audio, json_value(), json_value()).prop_map(
            |(id, full_audio, transcript, extra)| json!({
                "conversation_id": id, "full_audio": full_audio, "agent_id": "agent_h",
                "transcript": transcript, "failure_reason": "busy", "extra": extra
            })
        ),
    ];
    (kind, data, json_value())
        .prop_map(|(kind, data, ts)| json!({ "type": kind, "event_timestamp": ts, "data": data }))
}

#[test]
fn post_call_answers_any_envelope_and_stores_only_what_it_accepts() {
    let h = Harness::new();
    check(256, envelope(), |envelope| {
        let before = h.stored();
        let a = h.post(Function::PostCall, envelope.to_string().into_bytes());
        assert_documented(Function::PostCall, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{}: {:?}", envelope, a);
        let after = h.stored();
        if a.status == 200 {
            let key = a.body["key"].as_str().unwrap_or_default();
            prop_assert!(after.iter().any(|k| k == key), "{} not stored", key);
            let id = envelope["data"]["conversation_id"]
                .as_str()
                .unwrap_or_default();
            prop_assert!(ConversationId::parse(id).is_some(), "accepted id {:?}", id);
            prop_assert!(key.starts_with(&format!("{id}/")), "{}", key);
        } else {
            prop_assert_eq!(after, before, "a rejected webhook stored something");
        }
        Ok(())
    });
}

#[test]
fn post_call_stores_and_remembers_any_caller() {
    let h = Harness::new();
    let n = AtomicUsize::new(0);
    let direction = prop_oneof![
        Just("inbound"),
        Just("outbound"),
        Just(""),
        Just("sideways")
    ];
    check(96, (phone(), direction), |(number, direction)| {
        let conv = format!("conv_phone_{}", n.fetch_add(1, Ordering::Relaxed));
        let body = e2e::transcription(
            &conv,
            direction,
            &number,
            AGENT_NUMBER,
            shared::dates::now_unix_secs() - 600,
            None,
            &["I'd like to book a cleaning."],
            "A cleaning was booked.",
        );
        let a = h.post(Function::PostCall, body.clone().into_bytes());
        prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
        let expected = if is_known(&number) {
            "ingested"
        } else {
            "no_customer"
        };
        prop_assert_eq!(&a.body["memories"], expected, "{:?} {}", number, direction);
        let id = ConversationId::parse(&conv).unwrap();
        let stored =
            h.rt.block_on(h.payloads.get(&keys::transcription(&id)))
                .unwrap();
        prop_assert_eq!(stored.as_deref(), Some(body.as_bytes()));
        Ok(())
    });
}
