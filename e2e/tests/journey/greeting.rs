//! How client-data greets: the caller name to ElevenLabs, the language they spoke.

use super::*;

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
