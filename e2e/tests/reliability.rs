//! The promises made to the business that deploys this (issue "never lose a
//! call, never leak a caller"), each with a test that would catch its breaking:
//! payloads in a real S3-compatible server, outages of the memory store and of
//! S3, replay, large audio fetched and streamed, erasure and access, scoping.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use e2e::{now, s3_payloads, transcription, user, Stack};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::DynMemoryStore;
use shared::storage::s3::S3Store;
use shared::storage::{keys, ConversationId, DynPayloadStore};
use testkit::fake_openmemory::{FakeOpenMemory, Mode};

const CALLER: &str = "+15550002000";
const AGENT_NUMBER: &str = "+15550001000";

fn dead_s3() -> DynPayloadStore {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (key, secret) = testkit::s3::credentials();
    let conf = testkit::s3::config_builder(&format!("http://127.0.0.1:{port}"), &key, &secret)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(300))
                .operation_timeout(Duration::from_secs(2))
                .build(),
        )
        .build();
    Arc::new(S3Store::new(
        aws_sdk_s3::Client::from_conf(conf),
        "payloads",
    ))
}

fn openmemory(fake: &FakeOpenMemory, timeout: Duration) -> DynMemoryStore {
    Arc::new(OpenMemoryStore::new(&fake.url(), Some("om-key"), timeout).unwrap())
}

fn a_call(conv: &str, number: &str) -> String {
    transcription(
        conv,
        "inbound",
        number,
        AGENT_NUMBER,
        now() - 600,
        Some("Rita"),
        &[
            "I'm calling about my crown, it came loose yesterday.",
            "My cat Pickles knocked my phone off the table.",
        ],
        "Rita's crown came loose; she wants an appointment.",
    )
}

#[tokio::test]
async fn journey_with_payloads_in_s3() {
    let payloads = s3_payloads("journey").await;
    let dir = tempfile::tempdir().unwrap();
    let memory: DynMemoryStore =
        Arc::new(shared::memory::embedded::EmbeddedStore::open(dir.path().join("m.db")).unwrap());
    let stack = Stack::with(dir, memory, payloads.clone(), &[]).await;
    let call = a_call("conv_s3_1", CALLER);
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200, "{body}");
    let c = ConversationId::parse("conv_s3_1").unwrap();
    assert_eq!(
        payloads
            .get(&keys::transcription(&c))
            .await
            .unwrap()
            .unwrap()
            .as_ref(),
        call.as_bytes()
    );
    assert!(
        payloads
            .get(&keys::ingested_marker(&c))
            .await
            .unwrap()
            .is_some(),
        "marker written"
    );
    let (_, body) = stack.ring(CALLER).await;
    assert_eq!(body["dynamic_variables"]["user_name"], "Rita");
    let (_, body) = stack.search(CALLER, "what is my cat called").await;
    assert!(
        body["memories"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Pickles"),
        "{body}"
    );
}

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

fn http_request(path: &str, body: &str, headers: &[(&str, &str)]) -> lambda_http::Request {
    let mut b = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(lambda_http::Body::Binary(body.as_bytes().to_vec()))
        .unwrap()
}
