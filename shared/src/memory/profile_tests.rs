//! Tests of [`super`] (profile.rs).

use std::sync::atomic::Ordering;

use serde_json::json;

use super::*;
use crate::memory::test_store::{user, MemStore};
use crate::memory::NewMemory;

fn snapshot_with(facts: &[(&str, Value)]) -> Snapshot {
    let mut s = Snapshot::default();
    for (k, v) in facts {
        s.merge_fact(k, v.clone(), Some(100), "c1");
    }
    s
}

fn snapshot_memory(snapshot: &Snapshot, conversation: &str, call_time: i64) -> NewMemory {
    let mut m = NewMemory::new(MemoryKind::Snapshot, snapshot.describe(180));
    m.conversation_id = Some(conversation.into());
    m.call_time = Some(call_time);
    m.extra
        .insert("snapshot".into(), serde_json::to_value(snapshot).unwrap());
    m
}

fn memory(kind: MemoryKind, content: &str, conversation: &str, call_time: i64) -> NewMemory {
    let mut m = NewMemory::new(kind, content);
    m.conversation_id = Some(conversation.into());
    m.call_time = Some(call_time);
    m
}

#[test]
fn newer_call_wins_a_field_and_older_does_not() {
    let mut s = Snapshot::default();
    assert!(s.merge_fact("city", json!("Paris"), Some(200), "b"));
    assert!(!s.merge_fact("city", json!("Lyon"), Some(100), "a"));
    assert_eq!(s.facts["city"].value, json!("Paris"));
    assert!(s.merge_fact("city", json!("Rome"), Some(300), "c"));
    assert_eq!(s.facts["city"].value, json!("Rome"));
    // Unknown time never beats a known one.
    assert!(!s.merge_fact("city", json!("Oslo"), None, "d"));
    // The same conversation may correct itself.
    assert!(s.merge_fact("city", json!("Roma"), Some(300), "c"));
    assert_eq!(s.facts["city"].value, json!("Roma"));
}

#[test]
fn record_call_counts_each_conversation_once_and_moves_forward_only() {
    let mut s = Snapshot::default();
    s.record_call("b", Some(200), Some("second".into()));
    s.record_call("b", Some(200), Some("second".into()));
    assert_eq!(s.calls, 1);
    s.record_call("a", Some(100), Some("first".into()));
    assert_eq!(s.calls, 2);
    assert_eq!(s.last_summary.as_deref(), Some("second"));
    assert_eq!(s.last_conversation_id.as_deref(), Some("b"));
    s.record_call("c", Some(300), None);
    assert_eq!(s.last_conversation_id.as_deref(), Some("c"));
    assert_eq!(s.last_summary.as_deref(), Some("second"));
    assert_eq!(s.calls, 3);
}

#[test]
fn user_name_prefers_short_forms_and_skips_placeholders() {
    let s = snapshot_with(&[
        ("full_name", json!("Angelo Rossi")),
        ("First Name", json!(" Angelo ")),
        ("city", json!("Paris")),
    ]);
    assert_eq!(s.user_name().as_deref(), Some("Angelo"));
    let s = snapshot_with(&[("patient_name", json!("Ana María López"))]);
    assert_eq!(s.user_name().as_deref(), Some("Ana María López"));
    let s = snapshot_with(&[("name", json!("Unknown")), ("full_name", json!("Bo Li"))]);
    assert_eq!(s.user_name().as_deref(), Some("Bo Li"));
    let s = snapshot_with(&[("name", json!(42)), ("city", json!("Paris"))]);
    assert_eq!(s.user_name(), None);
}

#[test]
fn profile_summary_is_sorted_name_first_and_deterministic() {
    let a = snapshot_with(&[
        ("zip", json!(75001)),
        ("city", json!("  Paris \n")),
        ("name", json!("Angelo")),
        ("vip", json!(true)),
        ("pets", json!(["dog", null, "cat"])),
        ("notes", json!({"a": 1})),
    ]);
    let expected =
        "name: Angelo; city: Paris; notes: {\"a\":1}; pets: dog, cat; vip: yes; zip: 75001";
    assert_eq!(a.profile_summary(300), expected);
    let mut b = Snapshot::default();
    for (k, v) in a.facts.iter().rev() {
        b.merge_fact(k, v.value.clone(), Some(100), "c1");
    }
    assert_eq!(b.profile_summary(300), expected);
}

#[test]
fn profile_summary_is_bounded_at_an_item_boundary() {
    let facts: Vec<(String, Value)> = (0..40)
        .map(|i| (format!("field_{i:02}"), json!(format!("value number {i}"))))
        .collect();
    let refs: Vec<(&str, Value)> = facts.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let s = snapshot_with(&refs);
    let summary = s.profile_summary(300);
    assert!(summary.chars().count() <= 300, "{summary}");
    assert!(summary.ends_with(|c: char| c.is_ascii_digit()), "{summary}");
    assert!(summary.split("; ").all(|item| item.starts_with("field_")));
    // One over-long item is cut at a word, not dropped.
    let s = snapshot_with(&[("note", json!("word ".repeat(100)))]);
    let summary = s.profile_summary(300);
    assert!(
        summary.chars().count() <= 300 && summary.ends_with('…'),
        "{summary}"
    );
}

#[test]
fn describe_is_short_dated_and_terminated() {
    let facts: Vec<(String, Value)> = (0..30)
        .map(|i| (format!("k{i}"), json!("some longer value here")))
        .collect();
    let refs: Vec<(&str, Value)> = facts.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut s = snapshot_with(&refs);
    s.record_call("c1", Some(1_739_537_297), None);
    let line = s.describe(180);
    assert!(
        line.starts_with("Caller profile as of 2025-02-14 (1 call): k0 some"),
        "{line}"
    );
    assert!(line.chars().count() <= 180 && line.ends_with('.'), "{line}");
    assert_eq!(
        Snapshot::default().describe(180),
        "Caller profile (0 calls)."
    );
}

#[tokio::test]
async fn load_is_none_without_memories() {
    let store = MemStore::default();
    assert_eq!(load(&store, &user()).await.unwrap(), None);
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn load_reads_the_newest_snapshot_with_one_list_call() {
    let store = MemStore::default();
    let u = user();
    let mut old = snapshot_with(&[("name", json!("Angelo"))]);
    old.record_call("c1", Some(100), Some("First call.".into()));
    let mut new = old.clone();
    new.merge_fact("city", json!("Paris"), Some(200), "c2");
    new.record_call("c2", Some(200), Some("Second call.".into()));
    // Replaying the old call later writes a newer snapshot that still
    // covers call 2; it must win over call 2's own.
    let mut replay = new.clone();
    replay.record_call("c0", Some(50), Some("Ancient.".into()));
    store
        .add(&u, &snapshot_memory(&old, "c1", 100))
        .await
        .unwrap();
    store
        .add(&u, &snapshot_memory(&new, "c2", 200))
        .await
        .unwrap();
    store
        .add(&u, &snapshot_memory(&replay, "c0", 50))
        .await
        .unwrap();

    let profile = load(&store, &u).await.unwrap().unwrap();
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    assert_eq!(profile.user_name.as_deref(), Some("Angelo"));
    assert_eq!(profile.profile_summary, "name: Angelo; city: Paris");
    assert_eq!(profile.last_call_summary.as_deref(), Some("Second call."));
    assert_eq!(profile.previous_calls, 3);
    assert_eq!(profile.last_call_time, Some(200));
}

#[tokio::test]
async fn load_without_a_snapshot_derives_what_it_can() {
    let store = MemStore::default();
    let u = user();
    let mut name = memory(MemoryKind::Fact, "name: Angelo.", "c1", 100);
    name.field = Some("name".into());
    name.extra.insert("value".into(), json!("Angelo"));
    let mut city = memory(MemoryKind::Fact, "city: Paris.", "c2", 200);
    city.field = Some("city".into());
    let mut s0 = memory(
        MemoryKind::Summary,
        "Call on 1970-01-01: Booked a",
        "c2",
        200,
    );
    s0.extra.insert("part".into(), json!(0));
    let mut s1 = memory(MemoryKind::Summary, "cleaning.", "c2", 200);
    s1.extra.insert("part".into(), json!(1));
    for m in [
        name,
        memory(MemoryKind::Summary, "Call on 1970-01-01: Asked.", "c1", 100),
        city,
        memory(MemoryKind::Utterance, "I want a cleaning.", "c2", 200),
        s1,
        s0,
    ] {
        store.add(&u, &m).await.unwrap();
    }
    let profile = load(&store, &u).await.unwrap().unwrap();
    assert_eq!(profile.previous_calls, 2);
    assert_eq!(profile.user_name.as_deref(), Some("Angelo"));
    assert_eq!(profile.profile_summary, "name: Angelo; city: Paris");
    assert_eq!(
        profile.last_call_summary.as_deref(),
        Some("Booked a cleaning.")
    );
    assert_eq!(profile.last_call_time, Some(200));
}

#[tokio::test]
async fn load_adds_calls_newer_than_the_snapshot() {
    let store = MemStore::default();
    let u = user();
    let mut snap = snapshot_with(&[("city", json!("Paris"))]);
    snap.record_call("c1", Some(100), Some("First.".into()));
    store
        .add(&u, &snapshot_memory(&snap, "c1", 100))
        .await
        .unwrap();
    // Call 2's snapshot write failed: its memories are all there is.
    let mut city = memory(MemoryKind::Fact, "city: Rome.", "c2", 200);
    city.field = Some("city".into());
    city.extra.insert("value".into(), json!("Rome"));
    store.add(&u, &city).await.unwrap();
    store
        .add(
            &u,
            &memory(MemoryKind::Summary, "Call on 1970-01-01: Moved.", "c2", 200),
        )
        .await
        .unwrap();
    let profile = load(&store, &u).await.unwrap().unwrap();
    assert_eq!(profile.previous_calls, 2);
    assert_eq!(profile.profile_summary, "city: Rome");
    assert_eq!(profile.last_call_summary.as_deref(), Some("Moved."));
}

#[test]
fn render_value_covers_every_json_type() {
    assert_eq!(render_value(&json!(null)), None);
    assert_eq!(render_value(&json!("  ")), None);
    assert_eq!(render_value(&json!(" a\n b ")).as_deref(), Some("a b"));
    assert_eq!(render_value(&json!(3.5)).as_deref(), Some("3.5"));
    assert_eq!(render_value(&json!(false)).as_deref(), Some("no"));
    assert_eq!(
        render_value(&json!([1, "x", true])).as_deref(),
        Some("1, x, yes")
    );
    assert_eq!(render_value(&json!([null, ""])), None);
    assert_eq!(render_value(&json!({})), None);
    assert_eq!(
        render_value(&json!({"b": [1, 2]})).as_deref(),
        Some("{\"b\":[1,2]}")
    );
}

#[test]
fn date_of_is_utc() {
    assert_eq!(date_of(1_739_537_297).as_deref(), Some("2025-02-14"));
    assert_eq!(date_of(0).as_deref(), Some("1970-01-01"));
    assert_eq!(date_of(i64::MAX), None);
}
