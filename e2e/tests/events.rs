//! Every file in events/ goes through the real `lambda_http` request
//! conversion (as under `cargo lambda invoke` or `sam local invoke`) into the
//! handlers, and gets the answer its name promises.

use std::sync::Arc;

use lambda_http::{Body, Request};
use serde_json::Value;
use shared::config::{ClientDataConfig, Env, PostCallConfig, SearchDataConfig};
use shared::memory::embedded::EmbeddedStore;
use shared::storage::local::LocalStore;
use shared::storage::{keys, ConversationId, PayloadStore};

fn event(name: &str) -> Request {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    lambda_http::request::from_str(&text)
        .unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"))
}

fn json(resp: lambda_http::Response<Body>) -> (u16, Value) {
    let status = resp.status().as_u16();
    let body = match resp.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        Body::Binary(b) => serde_json::from_slice(b).unwrap(),
        Body::Empty => Value::Null,
        _ => Value::Null,
    };
    (status, body)
}

#[tokio::test]
async fn every_sample_event_gets_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    // The events are signed with `make dev`'s secrets at a fixed time, so accept any age.
    let env = Env::from_pairs([
        ("ELEVENLABS_POST_CALL_KEY", "dev-post-call-secret"),
        ("ELEVENLABS_CLIENT_DATA_KEY", "dev-client-data-secret"),
        ("ELEVENLABS_SEARCH_DATA_KEY", "dev-search-data-secret"),
        ("SIGNATURE_MAX_AGE_SECS", "999999999999"),
        ("SIGNATURE_MAX_FUTURE_SECS", "999999999999"),
        // As deployed: post-call stores, the bucket's event ingests.
        ("INGEST_MODE", "event"),
    ]);
    let memory: shared::memory::DynMemoryStore =
        Arc::new(EmbeddedStore::open(dir.path().join("m.sqlite3")).unwrap());
    let payloads = Arc::new(LocalStore::new(dir.path().join("payloads")));
    let cd = client_data::App {
        config: ClientDataConfig::from_env(&env).unwrap(),
        store: memory.clone(),
    };
    let sd = search_data::App::new(SearchDataConfig::from_env(&env).unwrap(), memory.clone());
    let pc = post_call::App::new(
        PostCallConfig::from_env(&env).unwrap(),
        memory.clone(),
        payloads.clone(),
    );

    let (status, body) = json(client_data::handle(&cd, event("client-data-new-caller.json")).await);
    assert_eq!(status, 200);
    assert_eq!(body["dynamic_variables"]["user_name"], "");
    assert!(body.get("conversation_config_override").is_none());

    let (status, body) = json(client_data::handle(&cd, event("client-data-withheld.json")).await);
    assert_eq!(
        (status, body["type"].as_str()),
        (200, Some("conversation_initiation_client_data"))
    );

    let (status, body) = json(post_call::handle(&pc, event("post-call-bad-signature.json")).await);
    assert_eq!(status, 401, "{body}");
    assert!(payloads.list("").await.unwrap().is_empty());

    let (status, body) = json(post_call::handle(&pc, event("post-call-transcription.json")).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["memories"], "queued");
    let ingest = |name: &str| {
        let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let done = post_call::ingest::handle(&pc.ingestor, &ingest("ingest-s3-notification.json"))
        .await
        .unwrap();
    assert_eq!(done["ingested"][0]["memories"], "ingested", "{done}");
    let again = post_call::ingest::handle(
        &pc.ingestor,
        &ingest("ingest-eventbridge-object-created.json"),
    )
    .await
    .unwrap();
    assert_eq!(
        again["ingested"][0]["memories"], "already_ingested",
        "{again}"
    );
    let sweep = post_call::ingest::handle(&pc.ingestor, &ingest("ingest-sweep.json"))
        .await
        .unwrap();
    assert_eq!(sweep["still_pending"], 0, "{sweep}");
    let (status, body) = json(post_call::handle(&pc, event("post-call-audio.json")).await);
    assert_eq!(status, 200, "{body}");
    let (status, body) = json(post_call::handle(&pc, event("post-call-failure.json")).await);
    assert_eq!(status, 200, "{body}");
    let demo = ConversationId::parse("conv_demo_0001").unwrap();
    let audio = payloads
        .get(&keys::audio(&demo))
        .await
        .unwrap()
        .expect("audio stored");
    assert!(audio.starts_with(b"ID3"), "decoded MP3");
    let failed = ConversationId::parse("conv_demo_0002").unwrap();
    assert!(payloads
        .get(&keys::failure(&failed))
        .await
        .unwrap()
        .is_some());

    let (status, body) =
        json(client_data::handle(&cd, event("client-data-returning-caller.json")).await);
    assert_eq!(status, 200);
    assert_eq!(
        body["dynamic_variables"]["user_name"], "Angelo Rossi",
        "{body}"
    );
    assert!(
        body["conversation_config_override"]["agent"]["first_message"]
            .as_str()
            .unwrap()
            .contains("Angelo Rossi")
    );

    let (status, body) = json(search_data::handle(&sd, event("search-data.json")).await);
    assert_eq!(status, 200, "{body}");
    assert!(
        body["memories"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Biscuit"),
        "{body}"
    );

    let (status, body) = json(client_data::handle(&cd, event("health.json")).await);
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)));
}
