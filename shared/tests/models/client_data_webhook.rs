//! The client-data webhook: lenient request, documented answer.

use super::*;

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
