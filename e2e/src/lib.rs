//! Harness for end-to-end tests: builds the three functions' apps over one
//! memory store and one payload store, serves each on a loopback port, and
//! talks to them as ElevenLabs would.

use std::sync::Arc;

use serde_json::{json, Value};
use shared::config::{ClientDataConfig, Env, PostCallConfig, SearchDataConfig};
use shared::memory::embedded::EmbeddedStore;
use shared::memory::DynMemoryStore;
use shared::storage::local::LocalStore;
use shared::storage::DynPayloadStore;
use testkit::serve::{serve, Server};

pub const POST_CALL_KEY: &str = "e2e-post-call-secret";
pub const CLIENT_DATA_KEY: &str = "e2e-client-data-secret";
pub const SEARCH_DATA_KEY: &str = "e2e-search-data-secret";

/// The three functions, running.
pub struct Stack {
    pub client_data: Server,
    pub search_data: Server,
    pub post_call: Server,
    pub memory: DynMemoryStore,
    pub payloads: DynPayloadStore,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The settings every function of the stack reads, plus `extra`.
pub fn env(dir: &std::path::Path, extra: &[(&str, &str)]) -> Env {
    let mut env = Env::from_pairs([
        ("ELEVENLABS_POST_CALL_KEY", POST_CALL_KEY),
        ("ELEVENLABS_CLIENT_DATA_KEY", CLIENT_DATA_KEY),
        ("ELEVENLABS_SEARCH_DATA_KEY", SEARCH_DATA_KEY),
        // As `make dev` runs: memories exist once post-call has answered,
        // whatever the payload store. Tests of the deployed flow set `event`.
        ("INGEST_MODE", "inline"),
    ]);
    env.set(
        "OPENMEMORY_DB_PATH",
        &dir.join("memory.sqlite3").to_string_lossy(),
    );
    env.set(
        "PAYLOAD_STORAGE_PATH",
        &dir.join("payloads").to_string_lossy(),
    );
    for (k, v) in extra {
        env.set(k, v);
    }
    env
}

impl Stack {
    /// A stack on the embedded store and a local payload directory.
    pub async fn local(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let memory: DynMemoryStore = Arc::new(
            EmbeddedStore::open(dir.path().join("memory.sqlite3")).expect("embedded store"),
        );
        let payloads: DynPayloadStore = Arc::new(LocalStore::new(dir.path().join("payloads")));
        Self::with(dir, memory, payloads, extra).await
    }

    /// A stack over the given stores.
    pub async fn with(
        dir: tempfile::TempDir,
        memory: DynMemoryStore,
        payloads: DynPayloadStore,
        extra: &[(&str, &str)],
    ) -> Self {
        let env = env(dir.path(), extra);
        let cd = Arc::new(client_data::App {
            config: ClientDataConfig::from_env(&env).expect("client-data config"),
            store: memory.clone(),
        });
        let sd = Arc::new(search_data::App::new(
            SearchDataConfig::from_env(&env).expect("search-data config"),
            memory.clone(),
        ));
        let pc = Arc::new(post_call::App::new(
            PostCallConfig::from_env(&env).expect("post-call config"),
            memory.clone(),
            payloads.clone(),
        ));
        Self {
            client_data: serve(move |req| {
                let a = cd.clone();
                async move { client_data::handle(&a, req).await }
            })
            .await,
            search_data: serve(move |req| {
                let a = sd.clone();
                async move { search_data::handle(&a, req).await }
            })
            .await,
            post_call: serve(move |req| {
                let a = pc.clone();
                async move { post_call::handle(&a, req).await }
            })
            .await,
            memory,
            payloads,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Rings: the conversation-initiation webhook for `caller_id`.
    pub async fn ring(&self, caller_id: &str) -> (u16, Value) {
        let body = json!({ "caller_id": caller_id, "agent_id": "agent_e2e", "called_number": "+15550001000", "call_sid": "CAe2e" });
        self.post(
            &format!("{}/webhook/client-data", self.client_data.url()),
            &body.to_string(),
            &[("authorization", &format!("Bearer {CLIENT_DATA_KEY}"))],
        )
        .await
    }

    /// The agent's search tool.
    pub async fn search(&self, caller_id: &str, query: &str) -> (u16, Value) {
        let body = json!({ "query": query, "caller_id": caller_id });
        self.post(
            &format!("{}/webhook/search-data", self.search_data.url()),
            &body.to_string(),
            &[("authorization", &format!("Bearer {SEARCH_DATA_KEY}"))],
        )
        .await
    }

    /// A post-call webhook, signed as ElevenLabs signs it.
    pub async fn deliver(&self, body: &str) -> (u16, Value) {
        let sig = shared::signature::header_value(
            POST_CALL_KEY.as_bytes(),
            shared::dates::now_unix_secs(),
            body.as_bytes(),
        );
        self.post(
            &format!("{}/webhook/post-call", self.post_call.url()),
            body,
            &[("elevenlabs-signature", &sig)],
        )
        .await
    }

    pub async fn post(&self, url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut req = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// A transcription webhook body for a phone call.
// Each argument is one field of the call; a builder would only add ceremony to tests.
#[allow(clippy::too_many_arguments)]
pub fn transcription(
    conversation_id: &str,
    direction: &str,
    customer: &str,
    agent_number: &str,
    start: i64,
    name: Option<&str>,
    said: &[&str],
    summary: &str,
) -> String {
    let system_caller = if direction == "outbound" {
        agent_number
    } else {
        customer
    };
    let mut transcript = vec![
        json!({ "role": "agent", "message": "Hello, how can I help?", "time_in_call_secs": 0 }),
    ];
    for (i, s) in said.iter().enumerate() {
        transcript.push(json!({ "role": "user", "message": s, "time_in_call_secs": 5 + i * 5 }));
    }
    let mut dc = serde_json::Map::new();
    if let Some(n) = name {
        dc.insert(
            "name".into(),
            json!({ "data_collection_id": "name", "value": n }),
        );
    }
    json!({
        "type": "post_call_transcription",
        "event_timestamp": start + 60,
        "data": {
            "agent_id": "agent_e2e", "conversation_id": conversation_id, "status": "done", "user_id": null,
            "transcript": transcript,
            "metadata": { "start_time_unix_secs": start, "call_duration_secs": 60,
                "phone_call": { "direction": direction, "type": "twilio", "agent_number": agent_number, "external_number": customer, "call_sid": "CA1" } },
            "analysis": { "call_successful": "success", "transcript_summary": summary, "data_collection_results": dc },
            "conversation_initiation_client_data": { "dynamic_variables": { "system__caller_id": system_caller, "system__called_number": if direction == "outbound" { customer } else { agent_number } } }
        }
    })
    .to_string()
}

/// A URL on loopback where nothing listens.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    format!("http://127.0.0.1:{port}")
}

/// post-call's settings for the stack's secrets (paths unused: stores are given).
pub fn post_call_config() -> PostCallConfig {
    PostCallConfig::from_env(&env(std::path::Path::new("/nonexistent"), &[]))
        .expect("post-call config")
}

/// The operator commands over the given stores.
pub fn admin(memory: DynMemoryStore, payloads: DynPayloadStore) -> admin::Admin {
    admin::Admin::new(post_call_config(), memory, payloads)
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    shared::dates::now_unix_secs()
}

/// The memory user of a caller's number (per-caller scope).
pub fn user(number: &str) -> shared::memory::MemoryUser {
    let id =
        shared::caller::CallerId::normalise(number, Default::default()).expect("a valid number");
    shared::memory::MemoryUser::caller(&id)
}

/// A fresh bucket in the real S3-compatible test server.
pub async fn s3_payloads(label: &str) -> DynPayloadStore {
    let client = testkit::s3::client();
    let bucket = testkit::s3::fresh_bucket(&client, label).await;
    Arc::new(shared::storage::s3::S3Store::new(client, bucket))
}
