//! One caller's journey through the three functions over real HTTP:
//! greeted as new, call ingested, greeted by name, memories found.

use e2e::{transcription, Stack};
use serde_json::Value;
use shared::storage::{keys, ConversationId};

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

/// ElevenLabs groups a caller's conversations by the answer's `user_id`:
/// the E.164 number by default, a keyed hash or nothing when configured,
/// never anything for a withheld caller.
#[tokio::test]
async fn client_data_names_the_caller_to_elevenlabs_as_configured() {
    let stack = Stack::local(&[]).await;
    let (_, body) = stack.ring("(555) 000-2000").await;
    assert_eq!(body["user_id"], "+15550002000", "{body}");
    let (_, body) = stack.ring("anonymous").await;
    assert!(body.get("user_id").is_none(), "{body}");
    let hashed = Stack::local(&[("ELEVENLABS_USER_ID", "hashed"), ("CALLER_INDEX_KEY", "k")]).await;
    let (_, body) = hashed.ring(CALLER).await;
    let id = body["user_id"].as_str().unwrap();
    assert_eq!(id.len(), 64, "{body}");
    assert!(!id.contains("5550002000"));
    // The near miss: a number one digit away is another user.
    let (_, other) = hashed.ring("+15550002001").await;
    assert_ne!(other["user_id"], body["user_id"], "{other}");
    assert_eq!(
        hashed.ring(CALLER).await.1["user_id"],
        body["user_id"],
        "stable"
    );
    let off = Stack::local(&[("ELEVENLABS_USER_ID", "off")]).await;
    assert!(off.ring(CALLER).await.1.get("user_id").is_none());
}

/// The language of the caller's last call comes back as `caller_language`,
/// and, when configured, as the agent's language with a first message in it.
#[tokio::test]
async fn a_caller_who_spoke_spanish_is_greeted_in_spanish_when_configured() {
    let caller = "+15550002003";
    let mut call: Value = serde_json::from_str(&transcription(
        "conv_es_1",
        "inbound",
        caller,
        AGENT_NUMBER,
        now() - 3_600,
        Some("Lucia"),
        &["Quisiera una cita para el martes."],
        "Lucia asked for an appointment on Tuesday.",
    ))
    .unwrap();
    call["data"]["metadata"]["main_language"] = "es".into();
    let call = call.to_string();

    let plain = Stack::local(&[]).await;
    assert_eq!(plain.deliver(&call).await.0, 200);
    let (_, body) = plain.ring(caller).await;
    assert_eq!(body["dynamic_variables"]["caller_language"], "es", "{body}");
    assert!(
        body["conversation_config_override"]["agent"]
            .get("language")
            .is_none(),
        "{body}"
    );
    let (_, new) = plain.ring("+15550002004").await;
    assert_eq!(
        new["dynamic_variables"]["caller_language"], "",
        "always answered"
    );

    let greeting = Stack::local(&[
        ("GREET_IN_CALLER_LANGUAGE", "true"),
        ("FIRST_MESSAGE_TEMPLATE_ES", "¡Hola de nuevo, {user_name}!"),
    ])
    .await;
    assert_eq!(greeting.deliver(&call).await.0, 200);
    let (_, body) = greeting.ring(caller).await;
    let agent = &body["conversation_config_override"]["agent"];
    assert_eq!(agent["language"], "es", "{body}");
    assert_eq!(agent["first_message"], "¡Hola de nuevo, Lucia!", "{body}");
}
