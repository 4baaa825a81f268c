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

mod erasure;
mod outages;

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
