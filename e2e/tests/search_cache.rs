//! search-data reads a caller's listing once per call: over real HTTP,
//! against the fake OpenMemory server, which logs every request.

use std::sync::Arc;
use std::time::Duration;

use e2e::{transcription, Stack, SEARCH_DATA_KEY};
use serde_json::{json, Value};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::DynMemoryStore;
use shared::storage::local::LocalStore;
use shared::storage::DynPayloadStore;
use testkit::fake_openmemory::FakeOpenMemory;

const CALLER: &str = "+15550002300";
const AGENT_NUMBER: &str = "+15550001000";

/// One search as the tool sends it, with `system__conversation_id` when
/// given; the answer and how many listings the fake saw for it.
async fn search(
    stack: &Stack,
    fake: &FakeOpenMemory,
    conversation: Option<&str>,
    query: &str,
) -> (Value, usize) {
    let mut body = json!({ "query": query, "caller_id": CALLER });
    if let Some(c) = conversation {
        body["conversation_id"] = json!(c);
    }
    let before = fake.requests().len();
    let (status, answer) = stack
        .post(
            &format!("{}/webhook/search-data", stack.search_data.url()),
            &body.to_string(),
            &[("authorization", &format!("Bearer {SEARCH_DATA_KEY}"))],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let listings = fake.requests()[before..]
        .iter()
        .filter(|r| r.contains("/memories"))
        .count();
    (answer, listings)
}

async fn ingest(stack: &Stack, conversation: &str, said: &str, summary: &str) {
    let call = transcription(
        conversation,
        "inbound",
        CALLER,
        AGENT_NUMBER,
        e2e::now() - 600,
        Some("Angelo"),
        &[said],
        summary,
    );
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["memories"], "ingested", "{body}");
}

#[tokio::test]
async fn a_call_lists_once_and_the_next_call_sees_what_the_last_one_left() {
    let fake = FakeOpenMemory::start(None).await;
    let dir = tempfile::tempdir().unwrap();
    let memory: DynMemoryStore =
        Arc::new(OpenMemoryStore::new(&fake.url(), None, Duration::from_secs(10)).unwrap());
    let payloads: DynPayloadStore = Arc::new(LocalStore::new(dir.path().join("payloads")));
    let url = fake.url();
    let stack = Stack::with(dir, memory, payloads, &[("OPENMEMORY_URL", url.as_str())]).await;
    ingest(
        &stack,
        "conv_cache_1",
        "My dog Biscuit needs walking in the afternoon.",
        "Angelo asked about dog walking.",
    )
    .await;

    // Two searches in one call: one listing.
    let (first, listings) = search(&stack, &fake, Some("conv_cache_2"), "my dog").await;
    assert_eq!(listings, 1);
    assert!(first["memories"].to_string().contains("Biscuit"), "{first}");
    let (second, listings) = search(&stack, &fake, Some("conv_cache_2"), "my dog").await;
    assert_eq!(listings, 0, "the second search of the call reads nothing");
    assert_eq!(first, second);

    // That call ends and is ingested; the caller calls back.
    ingest(
        &stack,
        "conv_cache_2",
        "We also adopted a cat called Pepper last week.",
        "Angelo mentioned the new cat.",
    )
    .await;
    let (next, listings) = search(&stack, &fake, Some("conv_cache_3"), "cat").await;
    assert_eq!(listings, 1, "a new call lists again");
    assert!(next["memories"].to_string().contains("Pepper"), "{next}");
    assert_eq!(next["profile"]["previous_calls"], 2, "{next}");

    // Without a conversation id nothing is reused (by default).
    for _ in 0..2 {
        let (answer, listings) = search(&stack, &fake, None, "cat").await;
        assert_eq!(listings, 1);
        assert!(
            answer["memories"].to_string().contains("Pepper"),
            "{answer}"
        );
    }
    // A malformed id is no id.
    let (_, listings) = search(&stack, &fake, Some("not an id!"), "cat").await;
    assert_eq!(listings, 1);
    let (_, listings) = search(&stack, &fake, Some("not an id!"), "cat").await;
    assert_eq!(listings, 1);
}
