use std::sync::atomic::Ordering;

use serde_json::json;

use super::plan_tests::{call, transcription, DOCS};
use super::*;
use crate::memory::test_store::{other_user, user, MemStore};

#[tokio::test]
async fn ingest_writes_every_memory_then_the_snapshot() {
    let store = MemStore::default();
    let u = user();
    let c = transcription(DOCS);
    let planned = plan(&c, None);
    let report = ingest(&store, &u, &c, 4).await.unwrap();
    assert_eq!(report.added, planned.memories.len() + 1);
    assert_eq!(report.skipped, 0);
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    let all = store.all(&u);
    assert_eq!(all.len(), planned.memories.len() + 1);
    assert_eq!(all.last().unwrap().kind, MemoryKind::Snapshot);
    assert!(store.all(&other_user()).is_empty());
}

#[tokio::test]
async fn ingest_twice_adds_nothing_new() {
    let store = MemStore::default();
    let u = user();
    let c = transcription(DOCS);
    let first = ingest(&store, &u, &c, 3).await.unwrap();
    let second = ingest(&store, &u, &c, 3).await.unwrap();
    assert_eq!(
        second,
        Report {
            added: 0,
            skipped: first.added
        }
    );
    assert_eq!(store.all(&u).len(), first.added);
}

#[tokio::test]
async fn ingest_after_a_partial_failure_adds_only_what_is_missing() {
    let store = MemStore::default();
    let u = user();
    let c = call(
        "c1",
        100,
        &[("name", json!("Angelo"))],
        Some("Asked about a cleaning."),
        &[
            "My dog is called Biscuit.",
            "I live in Paris.",
            "I prefer mornings.",
        ],
    );
    *store.fail_add.lock().unwrap() = Some(|m| m.content.contains("Paris"));
    let err = ingest(&store, &u, &c, 1).await.unwrap_err();
    assert_eq!(err, MemoryError::Unavailable("injected".into()));
    let stored = store.all(&u);
    // Concurrency 1: everything before the failure, nothing after, no snapshot.
    assert_eq!(stored.len(), 3, "{stored:#?}");
    assert!(stored.iter().all(|m| m.kind != MemoryKind::Snapshot));
    assert!(!stored.iter().any(|m| m.content.contains("mornings")));

    *store.fail_add.lock().unwrap() = None;
    let report = ingest(&store, &u, &c, 2).await.unwrap();
    assert_eq!(
        report,
        Report {
            added: 3,
            skipped: 3
        }
    );
    let stored = store.all(&u);
    assert_eq!(stored.len(), 6);
    let mut keys: Vec<Identity> = stored.iter().map(identity_of_stored).collect();
    keys.sort_by_key(|k| format!("{k:?}"));
    keys.dedup();
    assert_eq!(keys.len(), 6);
    assert_eq!(stored.last().unwrap().kind, MemoryKind::Snapshot);
}

#[tokio::test]
async fn ingest_stops_starting_adds_after_a_failure() {
    let store = MemStore::default();
    let u = user();
    let said: Vec<String> = (0..20)
        .map(|i| format!("Sentence number {i} here."))
        .collect();
    let said: Vec<&str> = said.iter().map(String::as_str).collect();
    let c = call("c1", 100, &[], None, &said);
    *store.fail_add.lock().unwrap() = Some(|m| m.turn == Some(1));
    assert!(ingest(&store, &u, &c, 4).await.is_err());
    // The failing add is among the first four started; at most the
    // other three in flight, and then none, may follow it.
    assert!(store.add_calls.load(Ordering::SeqCst) <= 4);
}

#[tokio::test]
async fn ingest_merges_into_the_previous_snapshot() {
    let store = MemStore::default();
    let u = user();
    let first = call(
        "c1",
        100,
        &[("name", json!("Angelo")), ("city", json!("Paris"))],
        Some("First."),
        &[],
    );
    let second = call("c2", 200, &[("city", json!("Rome"))], Some("Second."), &[]);
    ingest(&store, &u, &first, 2).await.unwrap();
    ingest(&store, &u, &second, 2).await.unwrap();
    // Replaying the first call must neither count it again nor undo Rome.
    let replay = ingest(&store, &u, &first, 2).await.unwrap();
    assert_eq!(replay.added, 0);
    let all = store.all(&u);
    let (_, snapshot) = profile::newest_snapshot(&all).unwrap();
    assert_eq!(snapshot.calls, 2);
    assert_eq!(snapshot.facts["city"].value, json!("Rome"));
    assert_eq!(snapshot.facts["name"].value, json!("Angelo"));
    assert_eq!(snapshot.last_summary.as_deref(), Some("Second."));
}
