//! JSON nesting: every parse path refuses what serde_json recursion limit would overflow.

use super::*;

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
