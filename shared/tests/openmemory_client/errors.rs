//! Addressing and errors: percent-encoded ids, unsupported servers, keys, timeouts, garbage answers.

use super::*;

#[tokio::test]
async fn plus_user_ids_round_trip_percent_encoded() {
    let (fake, store) = fake_and_store().await;
    let id = CallerId::normalise("+15550001234", Region::default()).expect("number");
    for user in [
        MemoryUser::caller(&id),
        MemoryUser::caller_at_agent(&id, "agent_7"),
    ] {
        let added = store
            .add(&user, &utterance("Please ship it to the office."))
            .await
            .expect("add");
        // The server saw the raw id, not one with `+` read as a space.
        let stored = fake.memories_of(user.as_str());
        assert_eq!(stored.len(), 1, "{user:?}");
        assert_eq!(stored[0].id, added);
        let recent = store.recent(&user, 10).await.expect("recent");
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].id, added);
        let hits = store.query(&user, "ship office", 3).await.expect("query");
        assert_eq!(hits.first().map(|m| m.id.as_str()), Some(added.as_str()));
        assert_eq!(store.delete_all(&user).await.expect("delete"), 1);
        assert!(fake.memories_of(user.as_str()).is_empty());
    }
    let requests = fake.requests();
    assert!(requests
        .iter()
        .any(|r| r.contains("/users/%2B15550001234/")));
    assert!(requests
        .iter()
        .any(|r| r.contains("%2B15550001234%40agent_7")));
    assert!(
        requests.iter().all(|r| !r.contains('+')),
        "a raw + on the wire: {requests:?}"
    );
}

#[tokio::test]
async fn a_single_tenant_server_is_reported_as_unsupported_naming_v1_3_0() {
    let (fake, store) = fake_and_store().await;
    fake.set_tenant_mode(true);
    let user = caller(1);
    let errors = [
        store.add(&user, &utterance("Hello there.")).await.err(),
        store.recent(&user, 5).await.err(),
        store.query(&user, "hello", 5).await.err(),
        store.delete_all(&user).await.err(),
        store.health().await.err(),
    ];
    for err in errors {
        let err = err.expect("a single-tenant server must fail the call");
        match &err {
            MemoryError::UnsupportedServer(msg) => {
                assert!(msg.contains("v1.3.0"), "{msg}");
                assert!(msg.contains("single-tenant"), "{msg}");
            }
            other => panic!("expected UnsupportedServer, got {other:?}"),
        }
        assert_clean(&err, &user);
    }
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_an_auth_error_naming_the_variable() {
    let fake = FakeOpenMemory::start(Some(KEY)).await;
    let user = caller(2);
    for key in [None, Some("not-the-key")] {
        let store = store_for(&fake, key, Duration::from_secs(5));
        let err = store
            .add(&user, &utterance("Hi."))
            .await
            .expect_err("refused");
        match &err {
            MemoryError::Auth(msg) => assert!(msg.contains("OPENMEMORY_KEY"), "{msg}"),
            other => panic!("expected Auth for key {key:?}, got {other:?}"),
        }
        assert!(!err.to_string().contains("not-the-key"));
        assert_clean(&err, &user);
        assert!(matches!(
            store.recent(&user, 5).await,
            Err(MemoryError::Auth(_))
        ));
        assert!(matches!(store.health().await, Err(MemoryError::Auth(_))));
    }
    assert_eq!(fake.count(), 0);
}

#[tokio::test]
async fn a_closed_port_is_unavailable_within_the_timeout() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let timeout = Duration::from_millis(500);
    let store = OpenMemoryStore::new(&format!("http://127.0.0.1:{port}"), Some(KEY), timeout)
        .expect("client");
    let user = caller(3);
    let started = Instant::now();
    let err = store.recent(&user, 5).await.expect_err("nothing listens");
    assert!(matches!(err, MemoryError::Unavailable(_)), "{err:?}");
    assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());
    assert_clean(&err, &user);
    assert!(matches!(
        store.add(&user, &utterance("Hi.")).await,
        Err(MemoryError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_hanging_server_is_unavailable_within_the_timeout() {
    let fake = FakeOpenMemory::start(Some(KEY)).await;
    fake.set_latency(Duration::from_secs(10));
    let timeout = Duration::from_millis(300);
    let store = store_for(&fake, Some(KEY), timeout);
    let user = caller(4);
    for call in 0..2 {
        let started = Instant::now();
        let err = match call {
            0 => store.recent(&user, 5).await.expect_err("hangs"),
            _ => store
                .add(&user, &utterance("Hello."))
                .await
                .expect_err("hangs"),
        };
        match &err {
            MemoryError::Unavailable(msg) => assert!(msg.contains("300 ms"), "{msg}"),
            other => panic!("expected Unavailable, got {other:?}"),
        }
        assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());
        assert_clean(&err, &user);
    }
}

#[tokio::test]
async fn a_garbage_answer_is_a_protocol_error() {
    let (fake, store) = fake_and_store().await;
    fake.set_mode(Mode::Garbage);
    let user = caller(5);
    assert!(matches!(
        store.recent(&user, 5).await,
        Err(MemoryError::Protocol(_))
    ));
    assert!(matches!(
        store.add(&user, &utterance("Hello.")).await,
        Err(MemoryError::Protocol(_))
    ));
    assert!(matches!(
        store.query(&user, "hello", 3).await,
        Err(MemoryError::Protocol(_))
    ));
    assert!(matches!(
        store.delete_all(&user).await,
        Err(MemoryError::Protocol(_))
    ));
    assert!(matches!(
        store.health().await,
        Err(MemoryError::Protocol(_))
    ));
}

#[tokio::test]
async fn other_client_errors_are_rejections() {
    let fake = FakeOpenMemory::start(Some(KEY)).await;
    // Every route under this prefix is unknown: the router's plain-text 404.
    let store = OpenMemoryStore::new(
        &format!("{}/v9/", fake.url()),
        Some(KEY),
        Duration::from_secs(5),
    )
    .expect("client");
    let user = caller(6);
    let err = store.recent(&user, 5).await.expect_err("404");
    match &err {
        MemoryError::Rejected(msg) => assert!(msg.contains("404"), "{msg}"),
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_clean(&err, &user);
    // Empty content never reaches the server (it would answer 400).
    let (fake, store) = fake_and_store().await;
    assert!(matches!(
        store.add(&user, &utterance("  ")).await,
        Err(MemoryError::Rejected(_))
    ));
    assert_eq!(fake.request_count(), 0);
}
