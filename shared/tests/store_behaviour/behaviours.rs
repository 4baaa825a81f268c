//! The behaviours every memory store keeps, each a function of the store
//! under test, and their helpers.

use super::*;

/// How many adds are in flight at once when a test adds many.
pub(super) const CONCURRENCY: usize = 8;

/// Caller `n`'s memory user: `+1555000nnnn` in E.164.
pub(super) fn caller(n: u32) -> MemoryUser {
    let id = CallerId::normalise(&format!("+1555000{n:04}"), Region::default())
        .expect("a valid test number");
    MemoryUser::caller(&id)
}

/// A memory marked with its owner, so a leak shows whose it was.
pub(super) fn marked(owner: u32, kind: MemoryKind, content: impl Into<String>) -> NewMemory {
    let mut m = NewMemory::new(kind, content);
    m.conversation_id = Some(format!("conv-{owner}"));
    m.extra.insert("owner".into(), owner.into());
    m
}

/// Adds many memories concurrently; returns each id with its owner.
pub(super) async fn add_all<S: MemoryStore>(
    store: &S,
    memories: Vec<(u32, NewMemory)>,
) -> HashMap<String, u32> {
    stream::iter(memories)
        .map(|(owner, memory)| async move {
            let id = store.add(&caller(owner), &memory).await?;
            Ok::<_, shared::memory::MemoryError>((id, owner))
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await
        .expect("every add succeeds")
}

pub(super) fn ids(matches: &[Match]) -> Vec<&str> {
    matches.iter().map(|m| m.id.as_str()).collect()
}

pub(super) fn assert_best_first(matches: &[Match]) {
    assert!(
        matches.windows(2).all(|w| w[0].score >= w[1].score),
        "not best first: {matches:?}"
    );
}

pub(super) async fn round_trip_keeps_every_field<S: MemoryStore>(store: &S) {
    let user = caller(1);
    let long = "we talked about the garden and the new fence and the neighbours dog ".repeat(6);
    let mut added = Vec::new();
    for (i, kind) in MemoryKind::ALL.into_iter().enumerate() {
        let mut m = NewMemory::new(
            kind,
            format!("{} memory: prefers email, ünïcode ✓", kind.as_str()),
        );
        m.conversation_id = Some(format!("conv_rt_{i}"));
        m.call_time = Some(1_700_000_000 + i as i64);
        m.turn = Some(i as u32 + 3);
        m.field = Some("contact_preference".into());
        m.extra
            .insert("snapshot".into(), json!({"name": "Angelo", "calls": 2}));
        m.extra.insert("note".into(), Value::from("kept"));
        let id = store.add(&user, &m).await.expect("add");
        added.push((id, m));
    }
    // Long text without sentence punctuation must come back whole.
    let plain = NewMemory::new(MemoryKind::Utterance, long.trim());
    added.push((store.add(&user, &plain).await.expect("add"), plain));

    let back = store.recent(&user, 20).await.expect("recent");
    assert_eq!(back.len(), added.len());
    for (id, m) in &added {
        let got = back
            .iter()
            .find(|b| &b.id == id)
            .unwrap_or_else(|| panic!("memory {id} is missing"));
        assert_eq!(got.content, m.content);
        assert_eq!(got.kind, m.kind);
        assert_eq!(got.conversation_id, m.conversation_id);
        assert_eq!(got.call_time, m.call_time);
        assert_eq!(got.turn, m.turn);
        assert_eq!(got.field, m.field);
        for (k, v) in &m.extra {
            assert_eq!(got.metadata.get(k), Some(v), "metadata {k}");
        }
    }
}

pub(super) async fn recent_is_newest_first<S: MemoryStore>(store: &S) {
    let user = caller(2);
    let mut added = Vec::new();
    for i in 0..6 {
        let m = NewMemory::new(MemoryKind::Utterance, format!("step {i} of the booking"));
        added.push(store.add(&user, &m).await.expect("add"));
    }
    added.reverse();
    let back: Vec<String> = store
        .recent(&user, 10)
        .await
        .expect("recent")
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(back, added);
}

pub(super) async fn recent_respects_the_limit<S: MemoryStore>(store: &S) {
    let user = caller(3);
    let mut added = Vec::new();
    for i in 0..7 {
        let m = NewMemory::new(MemoryKind::Summary, format!("call number {i} went well"));
        added.push(store.add(&user, &m).await.expect("add"));
    }
    added.reverse();
    let three: Vec<String> = store
        .recent(&user, 3)
        .await
        .expect("recent")
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(three, added[..3]);
    assert!(store.recent(&user, 0).await.expect("recent").is_empty());
    assert_eq!(store.recent(&user, 100).await.expect("recent").len(), 7);
}

pub(super) async fn fifty_callers_only_ever_see_their_own<S: MemoryStore>(store: &S) {
    const NAMES: [&str; 5] = ["Sam", "Alex", "Maria", "Chen", "Priya"];
    let callers = 0..50u32;
    let mut memories = Vec::new();
    for c in callers.clone() {
        let name = NAMES[c as usize % NAMES.len()];
        memories.push((
            c,
            marked(
                c,
                MemoryKind::Utterance,
                format!("I'd like to check on my order, my name is {name}"),
            ),
        ));
        // Word for word the same for every caller.
        memories.push((
            c,
            marked(
                c,
                MemoryKind::Utterance,
                "Please call me back tomorrow about the delivery",
            ),
        ));
        memories.push((
            c,
            marked(
                c,
                MemoryKind::Fact,
                format!("account: ends in {:04}", c * 7),
            ),
        ));
    }
    let owners = add_all(store, memories).await;
    assert_eq!(owners.len(), 150, "every add has its own id");

    for c in callers {
        let user = caller(c);
        let own: HashSet<&str> = owners
            .iter()
            .filter(|(_, o)| **o == c)
            .map(|(id, _)| id.as_str())
            .collect();
        let recent = store.recent(&user, 10).await.expect("recent");
        assert_eq!(recent.len(), 3, "caller {c}");
        for m in &recent {
            assert!(own.contains(m.id.as_str()), "caller {c} got {m:?}");
            assert_eq!(m.metadata.get("owner"), Some(&Value::from(c)), "caller {c}");
            assert_eq!(
                m.conversation_id.as_deref(),
                Some(format!("conv-{c}").as_str())
            );
        }
        for q in ["my order and the delivery, my name", "account number"] {
            let hits = store.query(&user, q, 10).await.expect("query");
            assert!(!hits.is_empty(), "caller {c} found nothing for {q:?}");
            for id in ids(&hits) {
                assert!(
                    own.contains(id),
                    "caller {c} got {id} (caller {:?})",
                    owners.get(id)
                );
            }
        }
    }
}

pub(super) async fn same_text_from_two_callers_keeps_two_copies<S: MemoryStore>(store: &S) {
    let text = "I'd like to book a table for two at 7pm on Friday";
    let (a, b) = (caller(10), caller(11));
    let a_id = store
        .add(&a, &marked(10, MemoryKind::Utterance, text))
        .await
        .expect("add");
    let b_id = store
        .add(&b, &marked(11, MemoryKind::Utterance, text))
        .await
        .expect("add");
    assert_ne!(a_id, b_id);
    for (user, owner, id) in [(&a, 10u32, &a_id), (&b, 11, &b_id)] {
        let recent = store.recent(user, 10).await.expect("recent");
        assert_eq!(recent.len(), 1, "caller {owner}");
        assert_eq!(&recent[0].id, id);
        assert_eq!(recent[0].content, text);
        assert_eq!(recent[0].metadata.get("owner"), Some(&Value::from(owner)));
        let hits = store
            .query(user, "book a table Friday", 5)
            .await
            .expect("query");
        assert_eq!(ids(&hits), [id.as_str()], "caller {owner}");
    }
}

pub(super) async fn query_finds_a_fact_among_crowding_callers<S: MemoryStore>(store: &S) {
    const OTHERS: u32 = 40;
    const EACH: u32 = 50;
    const TARGET: u32 = 999;
    let mut memories = Vec::new();
    for c in 0..OTHERS {
        for i in 0..EACH {
            let text = match i % 4 {
                0 => format!("My daughter's wedding photos from June {i} are ready"),
                1 => format!("The wedding venue in Porto called about deposit {i}"),
                2 => format!("My son's birthday party is in June, order {i}"),
                _ => format!("Is my daughter's order {i} shipped yet?"),
            };
            memories.push((c, marked(c, MemoryKind::Utterance, text)));
        }
    }
    for i in 0..20 {
        let text = format!("My daughter's parcel {i} arrived in June");
        memories.push((TARGET, marked(TARGET, MemoryKind::Utterance, text)));
    }
    let owners = add_all(store, memories).await;
    assert_eq!(owners.len(), (OTHERS * EACH + 20) as usize);
    let fact = store
        .add(
            &caller(TARGET),
            &marked(
                TARGET,
                MemoryKind::Fact,
                "My daughter's wedding is in Lisbon in June",
            ),
        )
        .await
        .expect("add");

    let hits = store
        .query(&caller(TARGET), "my daughter's wedding in Lisbon", 4)
        .await
        .expect("query");
    assert!(hits.len() <= 4, "{hits:?}");
    assert!(
        ids(&hits).contains(&fact.as_str()),
        "the fact is crowded out: {hits:?}"
    );
    assert_best_first(&hits);
    for id in ids(&hits) {
        assert!(
            id == fact || owners.get(id) == Some(&TARGET),
            "another caller's memory {id} (caller {:?})",
            owners.get(id)
        );
    }
}

pub(super) async fn query_respects_k_and_any_text<S: MemoryStore>(store: &S) {
    let user = caller(20);
    let mut own = HashSet::new();
    for i in 0..5 {
        let m = NewMemory::new(MemoryKind::Utterance, format!("question about invoice {i}"));
        own.insert(store.add(&user, &m).await.expect("add"));
    }
    let hits = store.query(&user, "invoice", 2).await.expect("query");
    assert!((1..=2).contains(&hits.len()), "{hits:?}");
    assert_best_first(&hits);
    for q in [
        "",
        "   ",
        "\"invoice\" OR *:( NEAR/2 --",
        "^invoice* -{x}: 🧾",
    ] {
        let hits = store
            .query(&user, q, 5)
            .await
            .unwrap_or_else(|e| panic!("query {q:?}: {e}"));
        assert!(hits.iter().all(|h| own.contains(&h.id)), "{q:?}: {hits:?}");
    }
}

pub(super) async fn delete_all_removes_only_that_caller<S: MemoryStore>(store: &S) {
    let (a, b) = (caller(30), caller(31));
    for i in 0..3 {
        let m = marked(
            30,
            MemoryKind::Utterance,
            format!("forget my address number {i}"),
        );
        store.add(&a, &m).await.expect("add");
    }
    for i in 0..2 {
        let m = marked(
            31,
            MemoryKind::Utterance,
            format!("keep my address number {i}"),
        );
        store.add(&b, &m).await.expect("add");
    }
    assert_eq!(store.delete_all(&a).await.expect("delete"), 3);
    assert!(store.recent(&a, 10).await.expect("recent").is_empty());
    assert!(store
        .query(&a, "address number", 10)
        .await
        .expect("query")
        .is_empty());
    assert_eq!(store.delete_all(&a).await.expect("delete"), 0);

    let kept = store.recent(&b, 10).await.expect("recent");
    assert_eq!(kept.len(), 2);
    assert!(kept
        .iter()
        .all(|m| m.metadata.get("owner") == Some(&Value::from(31))));
    assert_eq!(
        store
            .query(&b, "address number", 10)
            .await
            .expect("query")
            .len(),
        2
    );
}

pub(super) async fn an_unknown_caller_has_nothing<S: MemoryStore>(store: &S) {
    store
        .add(&caller(40), &NewMemory::new(MemoryKind::Fact, "name: Dana"))
        .await
        .expect("add");
    let stranger = caller(41);
    assert!(store
        .recent(&stranger, 10)
        .await
        .expect("recent")
        .is_empty());
    assert!(store
        .query(&stranger, "name Dana", 10)
        .await
        .expect("query")
        .is_empty());
    assert_eq!(store.delete_all(&stranger).await.expect("delete"), 0);
}
