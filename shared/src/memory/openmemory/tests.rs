//! Tests of the OpenMemory client's pure parts.
use super::content::{clause_tokens, js_len};
use super::*;

#[test]
fn short_terminated_text_is_sent_as_is() {
    assert_eq!(server_content("  Hello there.  ", ""), "Hello there.");
    assert_eq!(server_content("Is it?", ""), "Is it?");
    assert_eq!(server_content("no punctuation", ""), "no punctuation.");
}

#[test]
fn long_text_is_cut_at_a_word_and_terminated() {
    let text = "word ".repeat(120);
    let sent = server_content(&text, "");
    assert!(js_len(&sent) <= CONTENT_BUDGET, "{}", sent.len());
    assert!(sent.ends_with("word."), "{sent}");
    assert!(!sent.contains("wo."), "{sent}");
    let one_word = "x".repeat(500);
    let sent = server_content(&one_word, "");
    assert_eq!(js_len(&sent), CONTENT_BUDGET);
    assert!(sent.ends_with("x."));
}

#[test]
fn astral_characters_count_twice() {
    let text = "😀".repeat(150);
    let sent = server_content(&text, "");
    assert!(js_len(&sent) <= CONTENT_BUDGET);
    assert!(sent.ends_with('.'));
}

#[test]
fn clauses_fit_the_budget_and_differ_per_attempt() {
    let id = crate::caller::CallerId::normalise("+15551234567", Default::default()).unwrap();
    let user = MemoryUser::caller(&id);
    let meta = NewMemory::new(super::super::MemoryKind::Utterance, "x").metadata();
    let text = "a ".repeat(200);
    let mut seen = std::collections::HashSet::new();
    for attempt in 1..=MAX_READDS {
        let c = clause(&user, &meta, attempt);
        assert!(c.starts_with(" (ref ") && c.ends_with(".)"), "{c}");
        assert_eq!(c.split(' ').count() - 2, clause_tokens(attempt), "{c}");
        assert!(seen.insert(c.clone()));
        assert!(js_len(&server_content(&text, &c)) <= CONTENT_BUDGET);
    }
    assert_eq!(clause(&user, &meta, 2), clause(&user, &meta, 2));
}

#[test]
fn error_codes_are_read_from_err_or_error() {
    assert_eq!(error_code(br#"{"err":"nf"}"#).as_deref(), Some("nf"));
    assert_eq!(
        error_code(br#"{"error":"invalid_api_key"}"#).as_deref(),
        Some("invalid_api_key")
    );
    assert_eq!(error_code(br#"{"err":"Cannot read 'x' of +1555"}"#), None);
    assert_eq!(error_code(b"<html>"), None);
}

#[test]
fn statuses_map_to_error_kinds() {
    let err = |status: u16, body: &str| {
        status_error("t", StatusCode::from_u16(status).unwrap(), body.as_bytes())
    };
    assert!(matches!(
        err(403, r#"{"error":"tenant_mismatch","message":"x"}"#),
        MemoryError::UnsupportedServer(m) if m.contains("v1.3.0")
    ));
    assert!(matches!(err(401, "{}"), MemoryError::Auth(m) if m.contains("OPENMEMORY_KEY")));
    assert!(matches!(
        err(403, r#"{"error":"invalid_api_key"}"#),
        MemoryError::Auth(m) if m.contains("OPENMEMORY_KEY")
    ));
    assert!(matches!(err(429, "{}"), MemoryError::Unavailable(_)));
    assert!(matches!(
        err(503, "bad gateway"),
        MemoryError::Unavailable(_)
    ));
    assert!(matches!(
        err(400, r#"{"err":"content"}"#),
        MemoryError::Rejected(m) if m.contains("(content)")
    ));
    assert!(matches!(err(302, ""), MemoryError::Protocol(_)));
}

#[test]
fn debug_shows_neither_the_key_nor_url_credentials() {
    let store = OpenMemoryStore::new(
        "https://user:pw@om.example.com/base/",
        Some("sekrit"),
        Duration::from_secs(1),
    )
    .unwrap();
    let shown = format!("{store:?}");
    assert!(shown.contains("https://om.example.com"), "{shown}");
    assert!(
        !shown.contains("sekrit") && !shown.contains("pw@"),
        "{shown}"
    );
    assert!(OpenMemoryStore::new("ftp://x", None, Duration::from_secs(1)).is_err());
}

#[test]
fn user_ids_are_fully_percent_encoded() {
    assert_eq!(enc("+15551234567@agent_1"), "%2B15551234567%40agent_1");
    assert_eq!(enc("a b/c"), "a%20b%2Fc");
}
