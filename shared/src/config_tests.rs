//! Tests of [`super`] (config.rs).

use super::*;

#[test]
fn post_call_names_the_missing_secret() {
    let err = PostCallConfig::from_env(&Env::default()).unwrap_err();
    assert_eq!(err.var, "ELEVENLABS_POST_CALL_KEY");
    assert!(err.to_string().contains("HMAC secret"), "{err}");
}

#[test]
fn openmemory_port_is_a_port_or_a_url() {
    let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_PORT", "8080")])).unwrap();
    assert!(
        matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "http://127.0.0.1:8080")
    );
    let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_PORT", "http://om:9/")])).unwrap();
    assert!(matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "http://om:9"));
    let c = Common::from_env(&Env::from_pairs([
        ("OPENMEMORY_URL", "https://a"),
        ("OPENMEMORY_PORT", "1"),
    ]))
    .unwrap();
    assert!(matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "https://a"));
    let err = Common::from_env(&Env::from_pairs([("OPENMEMORY_URL", "ftp://x")])).unwrap_err();
    assert_eq!(err.var, "OPENMEMORY_URL");
}

#[test]
fn openmemory_in_lambda_takes_https_unless_plain_http_is_allowed() {
    let lambda = |extra: &[(&'static str, &'static str)]| {
        let mut pairs = vec![
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
            ("OPENMEMORY_URL", "http://10.0.0.5:8080"),
        ];
        pairs.extend_from_slice(extra);
        Common::from_env(&Env::from_pairs(pairs))
    };
    assert_eq!(lambda(&[]).unwrap_err().var, "OPENMEMORY_URL");
    assert!(lambda(&[("OPENMEMORY_ALLOW_HTTP", "true")]).is_ok());
    assert!(lambda(&[("OPENMEMORY_URL", "https://memory.example.com")]).is_ok());
    // Locally (make dev, tests) a loopback server over http is normal.
    assert!(Common::from_env(&Env::from_pairs([("OPENMEMORY_URL", "http://127.0.0.1:1")])).is_ok());
}

#[test]
fn the_store_query_is_off_for_openmemory_and_budgeted_for_the_embedded_store() {
    let om =
        SearchDataConfig::from_env(&Env::from_pairs([("OPENMEMORY_URL", "http://127.0.0.1:1")]))
            .unwrap();
    assert_eq!(om.store_query, None);
    let embedded = SearchDataConfig::from_env(&Env::default()).unwrap();
    assert_eq!(embedded.store_query, Some(Duration::from_millis(50)));
    let set = SearchDataConfig::from_env(&Env::from_pairs([
        ("OPENMEMORY_URL", "http://127.0.0.1:1"),
        ("SEARCH_STORE_QUERY_MS", "30"),
    ]))
    .unwrap();
    assert_eq!(set.store_query, Some(Duration::from_millis(30)));
    let off =
        SearchDataConfig::from_env(&Env::from_pairs([("SEARCH_STORE_QUERY_MS", "0")])).unwrap();
    assert_eq!(off.store_query, None);
}

#[test]
fn ingestion_is_inline_locally_and_event_driven_with_s3() {
    let key = ("ELEVENLABS_POST_CALL_KEY", "k");
    let local = PostCallConfig::from_env(&Env::from_pairs([key])).unwrap();
    assert_eq!(local.ingest_mode, IngestMode::Inline);
    let s3 = PostCallConfig::from_env(&Env::from_pairs([key, ("PAYLOAD_BUCKET", "b")])).unwrap();
    assert_eq!(s3.ingest_mode, IngestMode::Event);
    let set =
        PostCallConfig::from_env(&Env::from_pairs([key, ("INGEST_MODE", "background")])).unwrap();
    assert_eq!(set.ingest_mode, IngestMode::Background);
    let err = PostCallConfig::from_env(&Env::from_pairs([
        key,
        ("INGEST_MODE", "background"),
        ("PAYLOAD_BUCKET", "b"),
        ("OPENMEMORY_URL", "https://m"),
        ("AWS_LAMBDA_FUNCTION_NAME", "f"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
    ]))
    .unwrap_err();
    assert_eq!(err.var, "INGEST_MODE");
    let err =
        PostCallConfig::from_env(&Env::from_pairs([key, ("INGEST_MODE", "later")])).unwrap_err();
    assert_eq!(err.var, "INGEST_MODE");
}

#[test]
fn embedded_store_is_the_default_but_not_in_lambda() {
    let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_DB_PATH", "/tmp/x.db")])).unwrap();
    assert_eq!(
        c.memory,
        MemoryBackend::Embedded {
            path: "/tmp/x.db".into()
        }
    );
    let err = Common::from_env(&Env::from_pairs([
        ("AWS_LAMBDA_FUNCTION_NAME", "f"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
    ]))
    .unwrap_err();
    assert_eq!(err.var, "OPENMEMORY_URL");
    let err = PayloadBackend::from_env(&Env::from_pairs([
        ("AWS_LAMBDA_FUNCTION_NAME", "f"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
    ]))
    .unwrap_err();
    assert_eq!(err.var, "PAYLOAD_BUCKET");
}

#[test]
fn payloads_go_to_s3_when_a_bucket_is_set() {
    let p = PayloadBackend::from_env(&Env::from_pairs([
        ("PAYLOAD_BUCKET", "b"),
        ("S3_ENDPOINT_URL", "http://127.0.0.1:8333"),
    ]))
    .unwrap();
    assert_eq!(
        p,
        PayloadBackend::S3 {
            bucket: "b".into(),
            endpoint: Some("http://127.0.0.1:8333".into()),
            force_path_style: true
        }
    );
    let p =
        PayloadBackend::from_env(&Env::from_pairs([("PAYLOAD_STORAGE_PATH", "/tmp/p")])).unwrap();
    assert_eq!(
        p,
        PayloadBackend::Local {
            path: "/tmp/p".into()
        }
    );
}

#[test]
fn invalid_values_name_their_variable() {
    for (var, value) in [
        ("DEFAULT_PHONE_REGION", "Narnia"),
        ("MEMORY_SCOPE", "everyone"),
        ("CLIENT_DATA_DEADLINE_MS", "soon"),
        ("WEBHOOK_SECRET_HEADER", "bad header"),
    ] {
        let env = Env::from_pairs([(var, value), ("ELEVENLABS_CLIENT_DATA_KEY", "s")]);
        let err = ClientDataConfig::from_env(&env).unwrap_err();
        assert_eq!(err.var, var);
    }
}

#[test]
fn secrets_are_optional_for_the_unsigned_webhooks() {
    let c = ClientDataConfig::from_env(&Env::default()).unwrap();
    assert!(c.secret.is_none());
    assert_eq!(c.deadline, Duration::from_secs(1));
    let c = SearchDataConfig::from_env(&Env::from_pairs([("ELEVENLABS_SEARCH_DATA_KEY", "k")]))
        .unwrap();
    assert_eq!(
        c.secret,
        Some(SharedSecret {
            header: "authorization".into(),
            secret: "k".into()
        })
    );
}

#[test]
fn unsigned_webhooks_fail_closed_in_lambda() {
    let lambda = |extra: &[(&str, &str)]| {
        let mut env = Env::from_pairs([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
            ("OPENMEMORY_URL", "https://memory.example.com"),
        ]);
        for (k, v) in extra {
            env.set(k, v);
        }
        env
    };
    let err = ClientDataConfig::from_env(&lambda(&[])).unwrap_err();
    assert_eq!(err.var, "ELEVENLABS_CLIENT_DATA_KEY");
    let err = SearchDataConfig::from_env(&lambda(&[])).unwrap_err();
    assert_eq!(err.var, "ELEVENLABS_SEARCH_DATA_KEY");
    let short = [("ELEVENLABS_SEARCH_DATA_KEY", "too-short")];
    assert!(SearchDataConfig::from_env(&lambda(&short)).is_err());
    let long = "k".repeat(MIN_SECRET_CHARS);
    let c = SearchDataConfig::from_env(&lambda(&[("ELEVENLABS_SEARCH_DATA_KEY", &long)]));
    assert!(c.unwrap().secret.is_some());
    let open = [("ALLOW_UNAUTHENTICATED", "true")];
    assert!(ClientDataConfig::from_env(&lambda(&open))
        .unwrap()
        .secret
        .is_none());
    let bad = [("ALLOW_UNAUTHENTICATED", "maybe")];
    assert_eq!(
        ClientDataConfig::from_env(&lambda(&bad)).unwrap_err().var,
        "ALLOW_UNAUTHENTICATED"
    );
}

#[test]
fn an_empty_first_message_template_disables_the_override() {
    let c = ClientDataConfig::from_env(&Env::from_pairs([("FIRST_MESSAGE_TEMPLATE", "")])).unwrap();
    assert_eq!(c.first_message_template, "");
    let c = ClientDataConfig::from_env(&Env::default()).unwrap();
    assert!(c.first_message_template.contains("{user_name}"));
}

#[test]
fn fetching_audio_needs_the_api_key() {
    let env = Env::from_pairs([("ELEVENLABS_POST_CALL_KEY", "k"), ("FETCH_AUDIO", "true")]);
    assert_eq!(
        PostCallConfig::from_env(&env).unwrap_err().var,
        "ELEVENLABS_API_KEY"
    );
}

#[test]
fn ingest_concurrency_stays_within_the_greetings_window() {
    let with = |n: &str| {
        PostCallConfig::from_env(&Env::from_pairs([
            ("ELEVENLABS_POST_CALL_KEY", "k"),
            ("INGEST_CONCURRENCY", n),
        ]))
    };
    assert_eq!(with("8").unwrap().ingest_concurrency, 8);
    let most = crate::memory::ingest::MAX_CONCURRENCY;
    assert_eq!(with(&most.to_string()).unwrap().ingest_concurrency, most);
    for bad in ["0", &(most + 1).to_string(), "many"] {
        assert_eq!(with(bad).unwrap_err().var, "INGEST_CONCURRENCY", "{bad}");
    }
}
