use std::sync::atomic::Ordering;

use serde_json::json;

use super::plan_tests::{call, transcription, DOCS};
use super::*;
use crate::memory::test_store::{other_user, user, MemStore};
use crate::models::post_call::{Role, TranscriptTurn};

#[tokio::test]
async fn ingest_writes_every_memory_with_the_snapshot_in_the_last_wave() {
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
    // Started last: at most `concurrency - 1` adds land after it.
    let newest: Vec<_> = all.iter().rev().take(4).map(|m| m.kind).collect();
    assert!(newest.contains(&MemoryKind::Snapshot), "{newest:?}");
    assert!(store.all(&other_user()).is_empty());
}

#[tokio::test]
async fn the_greeting_finds_the_snapshot_of_a_call_longer_than_any_wave() {
    let store = MemStore::default();
    let u = user();
    let said: Vec<String> = (0..120)
        .map(|i| format!("This is my remark number {i} about the garden."))
        .collect();
    let said: Vec<&str> = said.iter().map(String::as_str).collect();
    let c = call(
        "c1",
        100,
        &[("name", json!("Angelo"))],
        Some("Talked a lot."),
        &said,
    );
    // More in flight than allowed is clamped, so the window still holds it.
    ingest(&store, &u, &c, 1_000).await.unwrap();
    assert!(store.count(&u) > 100);
    let profile = crate::memory::profile::load(&store, &u)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.user_name.as_deref(), Some("Angelo"));
    assert_eq!(profile.previous_calls, 1);
    let window = store.recent(&u, profile::SNAPSHOT_WINDOW).await.unwrap();
    assert!(window.iter().any(|m| m.kind == MemoryKind::Snapshot));
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
    let mut keys: Vec<PlannedId> = stored.iter().map(identity_of_stored).collect();
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

#[tokio::test]
async fn a_retry_that_adds_anything_re_adds_the_snapshot_after_it() {
    let store = MemStore::default();
    let u = user();
    let c = call(
        "c1",
        100,
        &[],
        None,
        &["I live in Paris.", "I prefer mornings."],
    );
    // As a crash would leave it: the snapshot landed, one turn did not.
    let planned = plan(&c, None);
    store.add(&u, &planned.memories[0]).await.unwrap();
    store.add(&u, &planned.snapshot).await.unwrap();

    let report = ingest(&store, &u, &c, 8).await.unwrap();
    assert_eq!(report.added, 2, "the missing turn, then the snapshot again");
    let newest = store.all(&u).pop().unwrap();
    assert_eq!(newest.kind, MemoryKind::Snapshot);
    // A third run finds everything and adds nothing.
    let again = ingest(&store, &u, &c, 8).await.unwrap();
    assert_eq!(again.added, 0);
}

#[tokio::test]
async fn an_agent_line_an_earlier_call_holds_is_not_written_again() {
    let store = MemStore::default();
    let u = user();
    let with_agent = |conversation: &str, time: i64, agent: &str, caller: &str| {
        let mut c = call(conversation, time, &[], None, &[]);
        for (role, text) in [(Role::Agent, agent), (Role::User, caller)] {
            c.transcript.push(TranscriptTurn {
                role,
                message: Some(text.into()),
                ..Default::default()
            });
        }
        c
    };
    let line = "Let me check the calendar for you, it will take a moment.";
    let said = "My knee has been hurting since the hike last weekend.";
    ingest(&store, &u, &with_agent("c1", 100, line, said), 4)
        .await
        .unwrap();
    let second = ingest(&store, &u, &with_agent("c2", 200, line, said), 4)
        .await
        .unwrap();
    let copies = |text: &str| {
        store
            .all(&u)
            .iter()
            .filter(|m| m.content == text)
            .map(|m| m.conversation_id.clone())
            .collect::<Vec<_>>()
    };
    // The agent's line once, from the first call; the caller's words from both.
    assert_eq!(copies(line), [Some("c1".to_string())]);
    assert_eq!(copies(said).len(), 2);
    assert!(second.skipped >= 1, "{second:?}");
    // Another caller's first call still keeps the line.
    ingest(&store, &other_user(), &with_agent("c3", 300, line, said), 4)
        .await
        .unwrap();
    assert!(store.all(&other_user()).iter().any(|m| m.content == line));
}

#[tokio::test]
async fn an_agent_line_said_before_only_in_other_words_is_written() {
    // The near miss of the test above: a line that differs from the
    // earlier call's by one word is new, and so is the same line said
    // twice within one call (two turns, two memories).
    let store = MemStore::default();
    let u = user();
    let agent_call = |conversation: &str, time: i64, lines: &[&str]| {
        let mut c = call(conversation, time, &[], None, &[]);
        for line in lines {
            for (role, text) in [
                (Role::Agent, *line),
                (
                    Role::User,
                    "My knee has been hurting since the hike last weekend.",
                ),
            ] {
                c.transcript.push(TranscriptTurn {
                    role,
                    message: Some(text.into()),
                    ..Default::default()
                });
            }
        }
        c
    };
    let first = "Let me check the calendar for you, it will take a moment.";
    let changed = "Let me check the calendar for you, it will take a minute.";
    ingest(&store, &u, &agent_call("c1", 100, &[first, first]), 4)
        .await
        .unwrap();
    ingest(&store, &u, &agent_call("c2", 200, &[changed]), 4)
        .await
        .unwrap();
    let count = |text: &str| store.all(&u).iter().filter(|m| m.content == text).count();
    assert_eq!(count(first), 2);
    assert_eq!(count(changed), 1);
}
