//! Erasure and export of a caller, and one number kept apart at two agents.

use super::*;

#[tokio::test]
async fn forget_erases_a_caller_and_export_shows_everything() {
    let payloads = s3_payloads("erasure").await;
    let dir = tempfile::tempdir().unwrap();
    let memory: DynMemoryStore =
        Arc::new(shared::memory::embedded::EmbeddedStore::open(dir.path().join("m.db")).unwrap());
    let stack = Stack::with(dir, memory.clone(), payloads.clone(), &[]).await;
    let other = "+15550005000";
    for (conv, number) in [
        ("conv_e1", CALLER),
        ("conv_e2", CALLER),
        ("conv_keep", other),
    ] {
        assert_eq!(stack.deliver(&a_call(conv, number)).await.0, 200);
    }
    let audio = r#"{"type":"post_call_audio","data":{"conversation_id":"conv_e1","full_audio":"SUQzBAA="}}"#;
    assert_eq!(stack.deliver(audio).await.0, 200);
    // An outbound call to the caller that never connected is theirs too.
    let failed = r#"{"type":"call_initiation_failure","data":{"agent_id":"agent_e2e","conversation_id":"conv_e3","failure_reason":"busy","metadata":{"type":"twilio","body":{"To":"+15550002000","From":"+15550001000"}}}}"#;
    assert_eq!(stack.deliver(failed).await.0, 200);
    // The caller index reveals no number in clear.
    for key in payloads.list("").await.unwrap() {
        assert!(
            !key.contains("5550002000") && !key.contains("5550005000"),
            "{key}"
        );
    }
    let admin = e2e::admin(memory.clone(), payloads.clone());

    // Operators name callers in E.164 only: a national-format guess could
    // name somebody else.
    assert!(admin.export("(555) 000-2000").await.is_err());
    let export = admin.export("+1 555 000 2000").await.unwrap();
    assert_eq!(
        export["conversations"].as_array().unwrap().len(),
        3,
        "{export}"
    );
    assert_eq!(export["memory"][0]["profile"]["user_name"], "Rita");
    assert!(export["memory"][0]["memories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["content"].as_str().unwrap().contains("Pickles")));
    assert!(export["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k.as_str().unwrap().ends_with("_audio.mp3")));

    let report = admin.forget(CALLER).await.unwrap();
    assert!(report["memories_deleted"].as_u64().unwrap() > 0, "{report}");
    let (_, body) = stack.ring(CALLER).await;
    assert_eq!(body["dynamic_variables"]["user_name"], "", "treated as new");
    let (_, body) = stack.search(CALLER, "cat").await;
    assert!(body["memories"].as_array().unwrap().is_empty(), "{body}");
    let left = payloads.list("").await.unwrap();
    assert!(
        left.iter()
            .filter(|k| !k.starts_with(keys::ERASED_PREFIX))
            .all(|k| !k.contains("conv_e1") && !k.contains("conv_e2") && !k.contains("conv_e3")),
        "only tombstones name the erased calls: {left:?}"
    );
    assert!(
        left.iter().any(|k| k.contains("conv_keep")),
        "the other caller is untouched"
    );
    assert_eq!(
        stack.ring(other).await.1["dynamic_variables"]["user_name"],
        "Rita"
    );
    // A redelivered webhook of an erased call stays erased.
    let (status, body) = stack.deliver(&a_call("conv_e1", CALLER)).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("erased")),
        "{body}"
    );
    assert_eq!(
        stack.ring(CALLER).await.1["dynamic_variables"]["user_name"],
        ""
    );
    assert!(admin.replay().await.unwrap().ingested == 0);
    // Nothing left to erase is an error, not a silent success.
    assert!(admin.forget(CALLER).await.is_err());
}

#[tokio::test]
async fn agent_scope_keeps_one_number_apart_at_two_agents() {
    let stack = Stack::local(&[("MEMORY_SCOPE", "agent")]).await;
    let call_a = a_call("conv_agent_a", CALLER);
    let call_b = transcription(
        "conv_agent_b",
        "inbound",
        CALLER,
        AGENT_NUMBER,
        now() - 60,
        Some("Bob"),
        &["I want to order a large pizza."],
        "Bob ordered pizza.",
    )
    .replace("agent_e2e", "agent_pizza");
    assert_eq!(stack.deliver(&call_a).await.1["memories"], "ingested");
    assert_eq!(stack.deliver(&call_b).await.1["memories"], "ingested");
    let url = format!("{}/webhook/client-data", stack.client_data.url());
    let auth = format!("Bearer {}", e2e::CLIENT_DATA_KEY);
    let ring = |agent: &'static str| {
        let body = serde_json::json!({ "caller_id": CALLER, "agent_id": agent }).to_string();
        let (stack, url, auth) = (&stack, &url, &auth);
        async move { stack.post(url, &body, &[("authorization", auth)]).await }
    };
    assert_eq!(
        ring("agent_e2e").await.1["dynamic_variables"]["user_name"],
        "Rita"
    );
    assert_eq!(
        ring("agent_pizza").await.1["dynamic_variables"]["user_name"],
        "Bob"
    );
    assert_eq!(
        ring("agent_other").await.1["dynamic_variables"]["user_name"],
        ""
    );
}
