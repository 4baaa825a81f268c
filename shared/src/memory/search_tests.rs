//! Tests of [`super`]: fusion, bounds, the store query's budget.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::memory::test_store::{other_user, user, MemStore};
use crate::memory::{Match, NewMemory};

pub(super) const NOW: i64 = 1_750_000_000;

pub(super) async fn store_with<S: AsRef<str>>(contents: &[(MemoryKind, S)]) -> MemStore {
    let store = MemStore::default();
    let u = user();
    for (i, (kind, content)) in contents.iter().enumerate() {
        let mut m = NewMemory::new(*kind, content.as_ref());
        m.conversation_id = Some("c1".into());
        m.call_time = Some(NOW - 86_400);
        m.turn = u32::try_from(i).ok();
        if *kind == MemoryKind::Snapshot {
            m.extra.insert("snapshot".into(), json!({"calls": 1}));
        }
        store.add(&u, &m).await.unwrap();
    }
    store
}

/// The default options with the store query on, as the embedded store runs.
pub(super) fn queried() -> SearchOptions {
    SearchOptions {
        store_query: Some(Duration::from_secs(5)),
        ..SearchOptions::default()
    }
}

pub(super) fn contents(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.memory.content.as_str()).collect()
}

pub(super) fn dogs() -> Vec<(MemoryKind, String)> {
    (0..12)
        .map(|i| {
            let text = format!("The dog number {i} barked loudly at the mailman.");
            (MemoryKind::Utterance, text)
        })
        .collect()
}

#[tokio::test]
async fn search_respects_the_limit_and_runs_both_store_calls() {
    let store = store_with(&dogs()).await;
    let options = SearchOptions {
        limit: 3,
        ..queried()
    };
    let hits = search(&store, &user(), "dog", options, NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 3);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    assert_eq!(store.query_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn fusion_ignores_foreign_ids_and_snapshots() {
    let store = store_with(&[
        (MemoryKind::Utterance, "My dog is called Biscuit."),
        (MemoryKind::Snapshot, "Caller profile: dog Biscuit."),
        (MemoryKind::Utterance, "I have a cat too."),
    ])
    .await;
    // Another caller's memory, which the store's own query may return.
    store
        .add(
            &other_user(),
            &NewMemory::new(MemoryKind::Utterance, "My dog is Rex."),
        )
        .await
        .unwrap();
    let ids: Vec<String> = store.all(&user()).iter().map(|m| m.id.clone()).collect();
    let foreign = store.all(&other_user())[0].id.clone();
    *store.query_answer.lock().unwrap() = Some(Ok(vec![
        Match {
            id: foreign.clone(),
            score: 1.0,
        },
        Match {
            id: "unknown".into(),
            score: 0.9,
        },
        Match {
            id: ids[1].clone(),
            score: 0.8,
        },
        Match {
            id: ids[2].clone(),
            score: 0.7,
        },
    ]));
    let hits = search(&store, &user(), "dog", queried(), NOW)
        .await
        .unwrap()
        .hits;
    // The local match leads; the store's own find fills in; nothing else.
    assert_eq!(
        contents(&hits),
        vec!["My dog is called Biscuit.", "I have a cat too."]
    );
    assert!(hits.iter().all(|h| h.memory.id != foreign));
}

#[tokio::test]
async fn store_agreement_breaks_near_ties_only() {
    // Two equally good local matches: the store's agreement decides.
    let store = store_with(&[
        (MemoryKind::Utterance, "The dog barked."),
        (MemoryKind::Utterance, "The dog howled."),
    ])
    .await;
    let local = search(&store, &user(), "dog", queried(), NOW)
        .await
        .unwrap()
        .hits;
    let second = local[1].memory.id.clone();
    *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
        id: second.clone(),
        score: 1.0,
    }]));
    let fused = search(&store, &user(), "dog", queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(fused[0].memory.id, second);
    assert_eq!(fused.len(), 2);

    // A clearly better local match keeps its place.
    let store = store_with(&[
        (MemoryKind::Utterance, "My dog Biscuit is a beagle."),
        (
            MemoryKind::Utterance,
            "I walked past a dog park and a cat cafe and a bakery today.",
        ),
    ])
    .await;
    let local = search(&store, &user(), "dog beagle", queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert!(local[0].memory.content.contains("beagle"));
    let weaker = local[1].memory.id.clone();
    *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
        id: weaker,
        score: 1.0,
    }]));
    let fused = search(&store, &user(), "dog beagle", queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert!(fused[0].memory.content.contains("beagle"));
}

#[tokio::test]
async fn a_query_naming_a_time_keeps_the_local_order() {
    // Both memories are from yesterday's call and tie on time alone;
    // within the call they come in the order said. The store cannot
    // read "yesterday", so its preference does not reorder them.
    let store = store_with(&[
        (MemoryKind::Utterance, "I need a refill, please."),
        (MemoryKind::Utterance, "And the weather is awful."),
    ])
    .await;
    let query = "what did I call about yesterday";
    let local = search(&store, &user(), query, queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(
        contents(&local),
        vec!["I need a refill, please.", "And the weather is awful."]
    );
    *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
        id: local[1].memory.id.clone(),
        score: 1.0,
    }]));
    let fused = search(&store, &user(), query, queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(contents(&fused), contents(&local));
}

#[tokio::test]
async fn what_a_better_hit_already_said_is_not_repeated() {
    let store = store_with(&[
        (MemoryKind::Fact, "name: Angelo Rossi."),
        (MemoryKind::Fact, "name: Angelo  Rossi"),
        (MemoryKind::Utterance, "My name is Angelo, with an O."),
    ])
    .await;
    let hits = search(&store, &user(), "name", queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 2, "{:?}", contents(&hits));
    assert_eq!(
        hits.iter()
            .filter(|h| h.memory.kind == MemoryKind::Fact)
            .count(),
        1
    );
    assert_eq!(words_of("Name:  ANGELO rossi!"), "name angelo rossi");
}

#[tokio::test]
async fn a_memory_only_the_store_found_follows_strong_local_matches() {
    let store = store_with(&[
        (MemoryKind::Utterance, "My dog Biscuit is a beagle."),
        (MemoryKind::Utterance, "We got a new kitten last week."),
    ])
    .await;
    let ids: Vec<String> = store.all(&user()).iter().map(|m| m.id.clone()).collect();
    *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
        id: ids[1].clone(),
        score: 1.0,
    }]));
    let hits = search(&store, &user(), "dog", queried(), NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(
        contents(&hits),
        vec![
            "My dog Biscuit is a beagle.",
            "We got a new kitten last week."
        ]
    );
    assert!(hits[1].score < hits[0].score * 0.5);
}

#[tokio::test]
async fn a_failed_or_empty_store_query_gives_the_local_ranking() {
    let store = store_with(&dogs()).await;
    let options = SearchOptions {
        limit: 4,
        ..queried()
    };
    let memories = store.all(&user());
    let local: Vec<String> = rank("dog mailman", &memories, NOW)
        .into_iter()
        .take(4)
        .map(|(i, _)| memories[i].id.clone())
        .collect();
    for answer in [Err(MemoryError::Unavailable("down".into())), Ok(Vec::new())] {
        *store.query_answer.lock().unwrap() = Some(answer);
        let hits = search(&store, &user(), "dog mailman", options, NOW)
            .await
            .unwrap()
            .hits;
        let ids: Vec<String> = hits.iter().map(|h| h.memory.id.clone()).collect();
        assert_eq!(ids, local);
    }
}

#[tokio::test]
async fn a_failed_listing_fails_and_blank_queries_find_nothing() {
    struct Down;
    #[async_trait::async_trait]
    impl MemoryStore for Down {
        async fn add(&self, _: &MemoryUser, _: &NewMemory) -> Result<String, MemoryError> {
            Err(MemoryError::Unavailable("down".into()))
        }
        async fn recent(&self, _: &MemoryUser, _: usize) -> Result<Vec<Memory>, MemoryError> {
            Err(MemoryError::Unavailable("down".into()))
        }
        async fn query(
            &self,
            _: &MemoryUser,
            _: &str,
            _: usize,
        ) -> Result<Vec<Match>, MemoryError> {
            Ok(Vec::new())
        }
        async fn delete_all(&self, _: &MemoryUser) -> Result<u64, MemoryError> {
            Ok(0)
        }
    }
    let err = search(&Down, &user(), "dog", queried(), NOW).await;
    assert_eq!(err, Err(MemoryError::Unavailable("down".into())));
    let store = store_with(&dogs()).await;
    assert!(search(&store, &user(), "  ", queried(), NOW)
        .await
        .unwrap()
        .hits
        .is_empty());
    assert_eq!(store.query_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn without_a_budget_the_store_is_never_queried() {
    let store = store_with(&dogs()).await;
    let found = search(&store, &user(), "dog", SearchOptions::default(), NOW)
        .await
        .unwrap();
    assert!(!found.hits.is_empty());
    assert_eq!(found.listing.len(), 12);
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    assert_eq!(store.query_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_store_query_over_its_budget_is_abandoned_for_the_local_ranking() {
    /// The caller's memories list at once; the store's own query never ends.
    struct Stalled(MemStore);
    #[async_trait::async_trait]
    impl MemoryStore for Stalled {
        async fn add(&self, u: &MemoryUser, m: &NewMemory) -> Result<String, MemoryError> {
            self.0.add(u, m).await
        }
        async fn recent(&self, u: &MemoryUser, n: usize) -> Result<Vec<Memory>, MemoryError> {
            self.0.recent(u, n).await
        }
        async fn query(
            &self,
            _: &MemoryUser,
            _: &str,
            _: usize,
        ) -> Result<Vec<Match>, MemoryError> {
            std::future::pending().await
        }
        async fn delete_all(&self, u: &MemoryUser) -> Result<u64, MemoryError> {
            self.0.delete_all(u).await
        }
    }
    let store = Stalled(store_with(&dogs()).await);
    let local = search(
        &store.0,
        &user(),
        "dog mailman",
        SearchOptions::default(),
        NOW,
    )
    .await
    .unwrap();
    let options = SearchOptions {
        store_query: Some(Duration::from_millis(20)),
        ..SearchOptions::default()
    };
    let budgeted = tokio::time::timeout(
        Duration::from_secs(10),
        search(&store, &user(), "dog mailman", options, NOW),
    )
    .await
    .expect("the search ends at the query's budget, not the query's end")
    .unwrap();
    assert_eq!(budgeted, local);
}

#[test]
fn the_memory_futures_are_send() {
    // The Lambda runtime runs handlers on a multi-threaded executor.
    fn is_send<T: Send>(_: T) {}
    let store = MemStore::default();
    let u = user();
    let call = crate::models::TranscriptionData::default();
    is_send(search(&store, &u, "dog", queried(), NOW));
    is_send(crate::memory::ingest::ingest(&store, &u, &call, 2));
    is_send(crate::memory::profile::load(&store, &u));
}
