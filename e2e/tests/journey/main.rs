//! One caller's journey through the three functions over real HTTP:
//! greeted as new, call ingested, greeted by name, memories found.

use e2e::{transcription, Stack};
use serde_json::Value;
use shared::storage::{keys, ConversationId};

mod failures;
mod greeting;

const CALLER: &str = "+15550002000";
const AGENT_NUMBER: &str = "+15550001000";

fn now() -> i64 {
    shared::dates::now_unix_secs()
}

async fn journey(stack: &Stack) {
    // 1. A new caller gets every variable, empty, and no override.
    let (status, body) = stack.ring(CALLER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], "conversation_initiation_client_data");
    for var in ["user_name", "user_profile_summary", "last_call_summary"] {
        assert_eq!(body["dynamic_variables"][var], "", "{var}");
    }
    assert!(body.get("conversation_config_override").is_none(), "{body}");

    // 2. The call's transcription arrives, signed; stored as received, then remembered.
    let conv = "conv_journey_1";
    let call = transcription(
        conv,
        "inbound",
        CALLER,
        AGENT_NUMBER,
        now() - 3_600,
        Some("Angelo"),
        &[
            "Hi, I'd like to book a cleaning for next Tuesday.",
            "My dog Biscuit needs walking in the afternoon, so mornings are better.",
        ],
        "Angelo booked a cleaning for Tuesday morning.",
    );
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["memories"], "ingested", "{body}");
    let c = ConversationId::parse(conv).unwrap();
    let stored = stack
        .payloads
        .get(&keys::transcription(&c))
        .await
        .unwrap()
        .expect("transcription stored");
    assert_eq!(
        stored.as_ref(),
        call.as_bytes(),
        "stored exactly as received"
    );

    // 3. The same number calls again: greeted by name, with last call's summary.
    let (status, body) = stack.ring("(555) 000-2000").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dynamic_variables"]["user_name"], "Angelo", "{body}");
    assert!(
        body["dynamic_variables"]["last_call_summary"]
            .as_str()
            .unwrap()
            .contains("cleaning"),
        "{body}"
    );
    assert!(
        body["dynamic_variables"]["user_profile_summary"]
            .as_str()
            .unwrap()
            .contains("Angelo"),
        "{body}"
    );
    let first = body["conversation_config_override"]["agent"]["first_message"]
        .as_str()
        .unwrap();
    assert!(first.starts_with("Welcome back, Angelo!"), "{first}");
    assert_eq!(
        body["conversation_config_override"]["agent"]
            .as_object()
            .unwrap()
            .len(),
        1,
        "only first_message is overridden"
    );

    // 4. Search finds what they said.
    let (status, body) = stack.search(CALLER, "what is my dog called?").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["known_caller"], true);
    assert_eq!(body["profile"]["name"], "Angelo");
    let memories = body["memories"].as_array().unwrap();
    assert!(!memories.is_empty(), "{body}");
    assert!(
        memories[0]["content"].as_str().unwrap().contains("Biscuit"),
        "{body}"
    );
    assert!(memories.iter().all(|m| m["kind"].is_string()), "{body}");
}

async fn outbound_call_lands_on_the_customer(stack: &Stack) {
    let customer = "+15550003000";
    let call = transcription(
        "conv_outbound_1",
        "outbound",
        customer,
        AGENT_NUMBER,
        now() - 600,
        Some("Maria"),
        &["Yes, please move my appointment to Friday at ten."],
        "Maria moved her appointment to Friday.",
    );
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = stack.ring(customer).await;
    assert_eq!(body["dynamic_variables"]["user_name"], "Maria", "{body}");
    // The agent's own number (system__caller_id of an outbound call) learned nothing.
    let (_, body) = stack.ring(AGENT_NUMBER).await;
    assert_eq!(body["dynamic_variables"]["user_name"], "", "{body}");
}

#[tokio::test]
async fn journey_on_local_payloads() {
    let stack = Stack::local(&[]).await;
    journey(&stack).await;
    outbound_call_lands_on_the_customer(&stack).await;
}

#[tokio::test]
async fn a_redelivered_transcription_adds_no_duplicates() {
    let stack = Stack::local(&[]).await;
    let call = transcription(
        "conv_dupe",
        "inbound",
        CALLER,
        AGENT_NUMBER,
        now() - 60,
        Some("Ann"),
        &["I need a new filling on the left side."],
        "Ann needs a filling.",
    );
    assert_eq!(stack.deliver(&call).await.1["memories"], "ingested");
    let user = shared::memory::MemoryUser::caller(
        &shared::caller::CallerId::normalise(CALLER, Default::default()).unwrap(),
    );
    let before = stack.memory.recent(&user, 1000).await.unwrap().len();
    let (status, body) = stack.deliver(&call).await;
    assert_eq!(status, 200);
    assert_eq!(body["memories"], "already_ingested");
    let (a, b) = tokio::join!(stack.deliver(&call), stack.deliver(&call));
    assert_eq!((a.0, b.0), (200, 200));
    assert_eq!(
        stack.memory.recent(&user, 1000).await.unwrap().len(),
        before
    );
}
