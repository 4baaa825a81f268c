//! Our own payloads: who the customer is.

use super::*;

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
