//! Failure modes answer clearly and store nothing; search-data never waits on OpenMemory query.

use super::*;

#[tokio::test]
async fn failure_modes_answer_clearly_and_store_nothing() {
    let stack = Stack::local(&[]).await;
    let pc = format!("{}/webhook/post-call", stack.post_call.url());
    let call = transcription(
        "conv_bad",
        "inbound",
        CALLER,
        AGENT_NUMBER,
        now(),
        None,
        &["hello there friend"],
        "s",
    );
    // No signature, a wrong one, a stale one.
    let (status, body) = stack.post(&pc, &call, &[]).await;
    assert_eq!(status, 401, "{body}");
    let wrong = shared::signature::header_value(b"wrong", now(), call.as_bytes());
    assert_eq!(
        stack
            .post(&pc, &call, &[("elevenlabs-signature", &wrong)])
            .await
            .0,
        401
    );
    let stale = shared::signature::header_value(
        e2e::POST_CALL_KEY.as_bytes(),
        now() - 3_600,
        call.as_bytes(),
    );
    assert_eq!(
        stack
            .post(&pc, &call, &[("elevenlabs-signature", &stale)])
            .await
            .0,
        401
    );
    // Unsafe conversation id, broken JSON, bad base64: 400.
    let evil = call.replace("conv_bad", "../../etc");
    assert_eq!(stack.deliver(&evil).await.0, 400);
    assert_eq!(stack.deliver("{not json").await.0, 400);
    let audio = r#"{"type":"post_call_audio","data":{"conversation_id":"conv_bad","full_audio":"@@not base64@@"}}"#;
    assert_eq!(stack.deliver(audio).await.0, 400);
    assert!(
        stack.payloads.list("").await.unwrap().is_empty(),
        "nothing stored"
    );
    // Unsigned webhooks without their secret.
    let cd = format!("{}/webhook/client-data", stack.client_data.url());
    let (status, body) = stack
        .post(
            &cd,
            r#"{"caller_id":"+15550002000"}"#,
            &[("authorization", "Bearer nope")],
        )
        .await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
    // Search without a query or caller: 400 with a message the LLM can act on.
    let sd = format!("{}/webhook/search-data", stack.search_data.url());
    let auth = format!("Bearer {}", e2e::SEARCH_DATA_KEY);
    let (status, body) = stack
        .post(
            &sd,
            r#"{"caller_id":"+15550002000"}"#,
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("query"), "{body}");
    let (status, body) = stack
        .post(&sd, r#"{"query":"dog"}"#, &[("authorization", &auth)])
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("system__caller_id"),
        "{body}"
    );
    // Withheld numbers: new-caller answer, and an empty search with a hint.
    let (status, body) = stack.ring("anonymous").await;
    assert_eq!(
        (status, body["dynamic_variables"]["user_name"].clone()),
        (200, Value::from(""))
    );
    let (status, body) = stack.search("anonymous", "dog").await;
    assert_eq!(status, 200);
    assert_eq!(body["known_caller"], false);
    assert!(body["hint"].is_string());
    // Routing.
    assert_eq!(
        stack
            .http
            .get(format!("{}/health", stack.post_call.url()))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        stack
            .http
            .get(format!("{}/nope", stack.post_call.url()))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// On OpenMemory, search-data answers from the caller's own listing: the
/// server's query scans every caller's vectors (seconds on a real v1.3.0),
/// so by default it is never sent, and when enabled it is abandoned at its
/// budget.
#[tokio::test]
async fn search_data_on_openmemory_never_waits_on_the_servers_query() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use testkit::fake_openmemory::FakeOpenMemory;

    let fake = FakeOpenMemory::start(None).await;
    fake.set_query_delay(Duration::from_secs(5));
    let url = fake.url();
    for (budget, query_sent) in [(None, false), (Some("50"), true)] {
        let dir = tempfile::tempdir().unwrap();
        let memory: shared::memory::DynMemoryStore = Arc::new(
            shared::memory::openmemory::OpenMemoryStore::new(&url, None, Duration::from_secs(10))
                .unwrap(),
        );
        let payloads: shared::storage::DynPayloadStore = Arc::new(
            shared::storage::local::LocalStore::new(dir.path().join("payloads")),
        );
        let mut extra = vec![("OPENMEMORY_URL", url.as_str())];
        extra.extend(budget.map(|ms| ("SEARCH_STORE_QUERY_MS", ms)));
        let stack = Stack::with(dir, memory, payloads, &extra).await;
        let caller = if query_sent {
            "+15550002001"
        } else {
            "+15550002002"
        };
        let call = transcription(
            &format!("conv_om_{}", query_sent),
            "inbound",
            caller,
            AGENT_NUMBER,
            now() - 3_600,
            Some("Angelo"),
            &["My dog Biscuit needs walking in the afternoon."],
            "Angelo asked about dog walking.",
        );
        assert_eq!(stack.deliver(&call).await.0, 200);
        let before = fake.requests().len();
        let start = Instant::now();
        let (status, body) = stack.search(caller, "what is my dog called").await;
        let took = start.elapsed();
        assert_eq!(status, 200, "{body}");
        assert!(body["memories"].to_string().contains("Biscuit"), "{body}");
        assert_eq!(body["profile"]["name"], "Angelo", "{body}");
        // Well inside the 3 s deadline and nowhere near the 5 s query.
        assert!(
            took < Duration::from_secs(2),
            "budget {budget:?}: took {took:?}"
        );
        let sent: Vec<String> = fake.requests()[before..].to_vec();
        let queries = sent.iter().filter(|r| r.contains("/memory/query")).count();
        assert_eq!(queries, usize::from(query_sent), "{sent:?}");
        // One listing serves both the profile and the ranking.
        let listings = sent.iter().filter(|r| r.contains("/memories")).count();
        assert_eq!(listings, 1, "{sent:?}");
    }
}
