//! Outages: the memory store or S3 down, hanging or answering garbage; long calls audio.

use super::*;

#[tokio::test]
async fn memory_store_outages_degrade_within_deadlines_and_lose_nothing() {
    let fake = FakeOpenMemory::start(Some("om-key")).await;
    let memory = openmemory(&fake, Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let payloads: DynPayloadStore = Arc::new(shared::storage::local::LocalStore::new(
        dir.path().join("payloads"),
    ));
    let stack = Stack::with(
        dir,
        memory.clone(),
        payloads.clone(),
        &[
            ("CLIENT_DATA_DEADLINE_MS", "300"),
            ("SEARCH_DATA_DEADLINE_MS", "500"),
        ],
    )
    .await;
    // A returning caller, while the store is healthy.
    assert_eq!(
        stack.deliver(&a_call("conv_ok", CALLER)).await.1["memories"],
        "ingested"
    );
    assert_eq!(
        stack.ring(CALLER).await.1["dynamic_variables"]["user_name"],
        "Rita"
    );

    for (fault, apply) in [
        (
            "hanging",
            Box::new(|f: &FakeOpenMemory| f.set_latency(Duration::from_secs(5)))
                as Box<dyn Fn(&FakeOpenMemory)>,
        ),
        (
            "garbage",
            Box::new(|f: &FakeOpenMemory| {
                f.set_latency(Duration::ZERO);
                f.set_mode(Mode::Garbage)
            }),
        ),
    ] {
        apply(&fake);
        let start = Instant::now();
        let (status, body) = stack.ring(CALLER).await;
        assert_eq!(status, 200, "{fault}: {body}");
        assert_eq!(body["type"], "conversation_initiation_client_data");
        assert_eq!(
            body["dynamic_variables"]["user_name"], "",
            "{fault}: new-caller defaults"
        );
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{fault}: client-data kept its deadline"
        );

        let start = Instant::now();
        let (status, body) = stack.search(CALLER, "cat").await;
        assert!(status == 503 || status == 504, "{fault}: {status} {body}");
        assert!(
            body["error"].as_str().unwrap().contains("continue without"),
            "{body}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{fault}: search-data kept its deadline"
        );
    }

    // Down: post-call still stores, answers 200, and leaves ingestion pending.
    fake.set_mode(Mode::Normal);
    let down = e2e::closed_port_url();
    let dead_memory: DynMemoryStore =
        Arc::new(OpenMemoryStore::new(&down, Some("om-key"), Duration::from_millis(500)).unwrap());
    let pc = post_call::App::new(e2e::post_call_config(), dead_memory, payloads.clone());
    let call = a_call("conv_pending", "+15550004000");
    let sig =
        shared::signature::header_value(e2e::POST_CALL_KEY.as_bytes(), now(), call.as_bytes());
    let req = http_request(
        "/webhook/post-call",
        &call,
        &[("elevenlabs-signature", &sig)],
    );
    let resp = post_call::handle(&pc, req).await;
    assert_eq!(resp.status(), 200);
    let c = ConversationId::parse("conv_pending").unwrap();
    assert!(
        payloads
            .get(&keys::transcription(&c))
            .await
            .unwrap()
            .is_some(),
        "payload kept"
    );
    assert!(
        payloads
            .get(&keys::ingested_marker(&c))
            .await
            .unwrap()
            .is_none(),
        "still pending"
    );

    // Replay against the healthy store finishes it, and a second replay changes nothing.
    let admin = e2e::admin(memory.clone(), payloads.clone());
    let first = admin.replay().await.unwrap();
    assert_eq!(first.ingested, 1, "{first:?}");
    let count = memory
        .recent(&user("+15550004000"), 1000)
        .await
        .unwrap()
        .len();
    assert!(count > 0);
    let second = admin.replay().await.unwrap();
    assert_eq!(second.ingested, 0, "{second:?}");
    assert_eq!(
        memory
            .recent(&user("+15550004000"), 1000)
            .await
            .unwrap()
            .len(),
        count
    );
}

#[tokio::test]
async fn s3_down_means_5xx_and_nothing_acknowledged() {
    let stack = Stack::with(
        tempfile::tempdir().unwrap(),
        Arc::new(
            shared::memory::embedded::EmbeddedStore::open(
                tempfile::tempdir().unwrap().keep().join("m.db"),
            )
            .unwrap(),
        ),
        dead_s3(),
        &[],
    )
    .await;
    for body in [a_call("conv_s3down", CALLER), r#"{"type":"post_call_audio","data":{"conversation_id":"conv_s3down","full_audio":"SUQz"}}"#.to_owned()] {
        let (status, answer) = stack.deliver(&body).await;
        assert_eq!(status, 503, "{answer}");
        assert!(answer["error"].is_string());
    }
    // No memory was written for a payload that was not stored.
    assert!(stack
        .memory
        .recent(&user(CALLER), 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn long_call_audio_is_fetched_and_streamed_into_s3() {
    let api = testkit::fake_elevenlabs::FakeElevenLabs::start("xi-test").await;
    const LEN: usize = 20 * 1024 * 1024;
    api.add_audio("conv_long_1", LEN);
    let payloads = s3_payloads("audio").await;
    let dir = tempfile::tempdir().unwrap();
    let memory: DynMemoryStore =
        Arc::new(shared::memory::embedded::EmbeddedStore::open(dir.path().join("m.db")).unwrap());
    let url = api.url();
    let stack = Stack::with(
        dir,
        memory,
        payloads.clone(),
        &[
            ("FETCH_AUDIO", "true"),
            ("ELEVENLABS_API_KEY", "xi-test"),
            ("ELEVENLABS_API_URL", &url),
        ],
    )
    .await;
    let call = a_call("conv_long_1", CALLER).replace(
        "\"status\":\"done\"",
        "\"status\":\"done\",\"has_audio\":true",
    );
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["audio"], "fetched", "{body}");
    let c = ConversationId::parse("conv_long_1").unwrap();
    let stored = payloads.get(&keys::audio(&c)).await.unwrap().unwrap();
    assert_eq!(stored.len(), LEN);
    assert!(
        stored.as_ref() == testkit::fake_elevenlabs::audio_bytes(LEN).as_slice(),
        "audio byte for byte"
    );
    // A second delivery does not fetch again.
    let before = api.requests();
    let _ = stack.deliver(&call).await;
    assert_eq!(api.requests(), before);
}
