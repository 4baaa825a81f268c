//! The server dedupe on a weak simhash: every caller keeps their own copy of every memory.

use super::*;

#[tokio::test]
async fn another_callers_identical_text_leaves_both_their_own_copy() {
    let (fake, store) = fake_and_store().await;
    let (a, b) = (caller(10), caller(11));
    let text = "I'd like to book a table for two at 7pm on Friday.";
    let a_id = store.add(&a, &utterance(text)).await.expect("add a");
    let b_id = store.add(&b, &utterance(text)).await.expect("add b");
    assert_ne!(a_id, b_id);
    for (user, id) in [(&a, &a_id), (&b, &b_id)] {
        let stored = fake.memories_of(user.as_str());
        assert_eq!(stored.len(), 1, "{user:?}");
        assert_eq!(&stored[0].id, id);
        let recent = store.recent(user, 10).await.expect("recent");
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].content, text, "no suffix is visible on read");
        let hits = store.query(user, "book a table", 5).await.expect("query");
        assert_eq!(hits.len(), 1);
        assert_eq!(&hits[0].id, id);
    }
    // A's memory is untouched; B's differs on the server only.
    assert_eq!(fake.memories_of(a.as_str())[0].content, text);
    assert!(fake.memories_of(b.as_str())[0].content.contains("(ref "));
    assert_eq!(fake.count(), 2);
}

#[tokio::test]
async fn replaying_the_same_memory_is_accepted_but_the_same_words_again_are_kept() {
    let (fake, store) = fake_and_store().await;
    let user = caller(12);
    let mut yes = utterance("Yes.");
    yes.turn = Some(3);
    let first = store.add(&user, &yes).await.expect("add");
    // A webhook retry: the dedupe answer is this caller's own identical copy.
    assert_eq!(store.add(&user, &yes).await.expect("replay"), first);
    assert_eq!(fake.count(), 1);
    // The same words at another turn are a memory of their own.
    yes.turn = Some(9);
    let second = store.add(&user, &yes).await.expect("add");
    assert_ne!(second, first);
    let turns: Vec<Option<u32>> = store
        .recent(&user, 10)
        .await
        .expect("recent")
        .iter()
        .map(|m| m.turn)
        .collect();
    assert_eq!(turns, [Some(9), Some(3)]);
}

#[tokio::test]
async fn a_snapshot_like_the_last_one_is_one_request_and_a_replay_is_recognised() {
    let (fake, store) = fake_and_store().await;
    let user = caller(13);
    let snapshot = |conversation: &str, calls: u32| {
        let mut m = NewMemory::new(
            MemoryKind::Snapshot,
            format!(
                "Caller profile as of 2026-12-0{calls} ({calls} calls): name Angelo; city Paris."
            ),
        );
        m.conversation_id = Some(conversation.into());
        m
    };
    let first = store.add(&user, &snapshot("c1", 1)).await.expect("add");
    let before = fake.request_count();
    // Nearly the same words: the server would call it a duplicate of the
    // first, but it goes out with its clause already.
    let second = store.add(&user, &snapshot("c2", 2)).await.expect("add");
    assert_ne!(second, first);
    assert_eq!(fake.request_count() - before, 1, "{:?}", fake.requests());
    // A retry of the same snapshot is this caller's own copy.
    assert_eq!(
        store.add(&user, &snapshot("c2", 2)).await.expect("replay"),
        second
    );
    assert_eq!(fake.memories_of(user.as_str()).len(), 2);
}

/// A pronounceable word for `n`, distinct for every `n`.
fn word(mut n: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze", "bo", "da", "fi", "gu", "he",
        "jo",
    ];
    let mut w = String::new();
    loop {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        if n == 0 {
            return w;
        }
    }
}

/// Two sentences with no word in common whose simhash collides in the fake,
/// found by a deterministic search.
fn colliding_pair() -> (String, String) {
    let mut seen: HashMap<u64, String> = HashMap::new();
    for i in 0..2_000_000 {
        let text = format!("{} {} {}.", word(3 * i), word(3 * i + 1), word(3 * i + 2));
        let hash = fake_openmemory::simhash(&text);
        if let Some(other) = seen.insert(hash, text.clone()) {
            return (other, text);
        }
    }
    panic!("no simhash collision found");
}

#[tokio::test]
async fn unrelated_texts_with_colliding_simhashes_are_both_kept() {
    let (first, second) = colliding_pair();
    assert_eq!(
        fake_openmemory::simhash(&first),
        fake_openmemory::simhash(&second)
    );
    let (fake, store) = fake_and_store().await;
    let (a, b) = (caller(20), caller(21));
    // Across callers: B's add is deduplicated into A's memory.
    store.add(&a, &utterance(&first)).await.expect("add a");
    store.add(&b, &utterance(&second)).await.expect("add b");
    // Within one caller: A's second text collides with A's own first.
    store
        .add(&a, &utterance(&second))
        .await
        .expect("add a again");
    let read = |user: &MemoryUser| {
        let store = &store;
        let user = user.clone();
        async move {
            let mut texts: Vec<String> = store
                .recent(&user, 10)
                .await
                .expect("recent")
                .into_iter()
                .map(|m| m.content)
                .collect();
            texts.sort();
            texts
        }
    };
    assert_eq!(read(&b).await, [second.as_str()]);
    let mut both = vec![first, second];
    both.sort();
    assert_eq!(read(&a).await, both);
    assert_eq!(fake.count(), 3);
    // The quirk fired twice: three adds were not enough.
    let adds = fake
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /memory/add"))
        .count();
    assert!(adds >= 5, "{adds} adds");
}

/// Found against the real v1.3.0 server: re-add clauses of short tokens
/// pulled every re-add towards one simhash (the server's token hash is
/// small for short tokens), so with many callers saying the same words
/// the re-adds collided with each other until the client gave up.
#[tokio::test]
async fn many_callers_saying_the_same_words_each_keep_their_own_copy() {
    const CALLERS: u32 = 40;
    const TEXTS: u32 = 25;
    let (fake, store) = fake_and_store().await;
    let text = |i: u32| format!("Is my daughter's order {i} shipped yet?");
    for i in 0..TEXTS {
        for c in 0..CALLERS {
            store
                .add(&caller(100 + c), &utterance(&text(i)))
                .await
                .unwrap_or_else(|e| panic!("caller {c}, text {i}: {e}"));
        }
    }
    for c in 0..CALLERS {
        let mut got: Vec<String> = store
            .recent(&caller(100 + c), 100)
            .await
            .expect("recent")
            .into_iter()
            .map(|m| m.content)
            .collect();
        got.sort();
        let mut want: Vec<String> = (0..TEXTS).map(text).collect();
        want.sort();
        assert_eq!(got, want, "caller {c}");
    }
    assert_eq!(fake.count(), (CALLERS * TEXTS) as usize);
}

/// An agent line said on every call ("Is there anything else …") is kept
/// on every call. Its own words outvote a short clause in the server's
/// simhash, so with hundreds of stored copies (each with its clause) the
/// short clauses kept colliding with one of them and the add failed, which
/// left the whole call pending on every retry.
#[tokio::test]
async fn a_long_line_said_on_every_call_is_stored_every_time() {
    const CALLERS: u32 = 20;
    const CALLS: u32 = 30;
    let (fake, store) = fake_and_store().await;
    let line = "Is there anything else I can help you with today, maybe a question \
                about your order, your delivery, your invoice or your account?";
    for call in 0..CALLS {
        for c in 0..CALLERS {
            let mut memory = utterance(line);
            memory.conversation_id = Some(format!("conv_{c}_{call}"));
            memory.turn = Some(4);
            store
                .add(&caller(200 + c), &memory)
                .await
                .unwrap_or_else(|e| panic!("caller {c}, call {call}: {e}"));
        }
    }
    assert_eq!(fake.count(), (CALLERS * CALLS) as usize);
}

/// A short line the agent says many times a call, call after call ("Of
/// course, let me look that up for you."): its few words outvote a short
/// clause on most of the hash's bits, so with a few thousand stored copies
/// (each with its clause) the re-adds of up to 16 tokens kept colliding
/// with one of them, and one add in a few thousand failed after every
/// re-add, leaving its call pending on every retry (clauses are
/// deterministic, so a retry collides the same way).
#[tokio::test]
async fn a_short_line_said_thousands_of_times_is_stored_every_time() {
    let (fake, store) = fake_and_store().await;
    let user = caller(300);
    let lines = [
        "Of course, let me look that up for you.",
        "I can see that here. Anything else?",
    ];
    let mut added = 0;
    for call in 0..120u32 {
        for turn in 0..24u32 {
            let mut memory = utterance(lines[(turn % 2) as usize]);
            memory.conversation_id = Some(format!("conv_{call}"));
            memory.turn = Some(turn);
            store
                .add(&user, &memory)
                .await
                .unwrap_or_else(|e| panic!("call {call}, turn {turn}: {e}"));
            added += 1;
        }
    }
    assert_eq!(fake.count(), added);
}
