//! Tests of the embedded store.
use std::collections::HashSet;

use proptest::prelude::*;

use serde_json::Value;

use super::fts::user_prefix;
use super::sql::SCHEMA_VERSION;
use super::*;
use crate::caller::{CallerId, Region};
use crate::memory::MemoryKind;

pub(super) fn caller(n: u32) -> MemoryUser {
    let id = CallerId::normalise(&format!("+1555000{n:04}"), Region::default())
        .expect("a valid test number");
    MemoryUser::caller(&id)
}

pub(super) fn open(dir: &tempfile::TempDir) -> EmbeddedStore {
    EmbeddedStore::open(dir.path().join("memory.db")).expect("open")
}

pub(super) fn utterance(text: &str) -> NewMemory {
    NewMemory::new(MemoryKind::Utterance, text)
}

pub(super) async fn ids_of(store: &EmbeddedStore, user: &MemoryUser) -> Vec<String> {
    let recent = store.recent(user, 10_000).await.expect("recent");
    recent.into_iter().map(|m| m.id).collect()
}

#[tokio::test]
pub(super) async fn same_millisecond_memories_come_back_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let user = caller(1);
    // Fixed timestamps make the tie certain; the last two are inserted
    // later but carry an older time, so time wins over insertion order.
    let mut expected = Vec::new();
    {
        let conn = store.conn.lock().unwrap();
        for i in 0..5 {
            let id = insert(&conn, user.as_str(), &utterance(&format!("tie {i}")), 1_000).unwrap();
            expected.push(id);
        }
        for i in 0..2 {
            let id = insert(&conn, user.as_str(), &utterance(&format!("old {i}")), 999).unwrap();
            expected.insert(5, id);
        }
    }
    expected[..5].reverse();
    assert_eq!(ids_of(&store, &user).await, expected);

    // Real adds in a tight loop mostly share milliseconds too.
    let other = caller(2);
    let mut added = Vec::new();
    for i in 0..30 {
        added.push(
            store
                .add(&other, &utterance(&format!("quick {i}")))
                .await
                .unwrap(),
        );
    }
    added.reverse();
    assert_eq!(ids_of(&store, &other).await, added);
}

#[tokio::test]
pub(super) async fn recent_respects_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let user = caller(1);
    for i in 0..5 {
        store
            .add(&user, &utterance(&format!("line {i}")))
            .await
            .unwrap();
    }
    let two = store.recent(&user, 2).await.unwrap();
    assert_eq!(
        two.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(),
        ["line 4", "line 3"]
    );
    assert!(store.recent(&user, 0).await.unwrap().is_empty());
    assert_eq!(store.recent(&user, usize::MAX).await.unwrap().len(), 5);
}

#[tokio::test]
pub(super) async fn callers_never_see_each_others_memories() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (a, b) = (caller(1), caller(2));
    let a_id = store
        .add(&a, &utterance("my dog is called Biscuit"))
        .await
        .unwrap();
    let b_id = store
        .add(&b, &utterance("my dog is called Biscuit"))
        .await
        .unwrap();
    assert_ne!(a_id, b_id);
    assert_eq!(ids_of(&store, &a).await, std::slice::from_ref(&a_id));
    assert_eq!(ids_of(&store, &b).await, std::slice::from_ref(&b_id));
    let hits = store.query(&a, "dog Biscuit", 10).await.unwrap();
    assert_eq!(hits.iter().map(|m| &m.id).collect::<Vec<_>>(), [&a_id]);
    assert!(store.recent(&caller(3), 10).await.unwrap().is_empty());
    assert!(store.query(&caller(3), "dog", 10).await.unwrap().is_empty());
}

#[tokio::test]
pub(super) async fn query_ranks_the_callers_rows_and_survives_any_punctuation() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (a, b) = (caller(1), caller(2));
    let dog = store
        .add(&a, &utterance("My dog Biscuit is allergic to chicken"))
        .await
        .unwrap();
    let street = store
        .add(&a, &utterance("I moved to Main Street last spring"))
        .await
        .unwrap();
    store
        .add(
            &b,
            &utterance("Biscuit biscuit biscuit: B's dog, allergic to everything"),
        )
        .await
        .unwrap();
    let own: HashSet<String> = [dog.clone(), street.clone()].into();

    let hits = store.query(&a, "is the dog allergic?", 10).await.unwrap();
    assert_eq!(hits[0].id, dog);
    assert!(
        hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{hits:?}"
    );
    // Stemming: "moving" finds "moved".
    assert_eq!(store.query(&a, "moving", 10).await.unwrap()[0].id, street);
    assert_eq!(store.query(&a, "dog street", 1).await.unwrap().len(), 1);

    for q in [
        "\"dog\" OR *",
        "dog:(",
        "NEAR(dog biscuit, 2)",
        "-- '; DROP TABLE memories; --",
        "^dog* + -street",
        "owner : 043 AND OR NOT",
        "{owner content}: biscuit",
        "Bïscuit 🐶 dög",
        "\"unterminated",
        "a\u{0301}\u{200d}b",
    ] {
        let hits = store
            .query(&a, q, 10)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(hits.iter().all(|h| own.contains(&h.id)), "{q:?}: {hits:?}");
    }
    for q in ["", "   ", "?!...", "\"\"\"", "🐶", "--"] {
        assert!(store.query(&a, q, 10).await.unwrap().is_empty(), "{q:?}");
    }
    assert!(store.query(&a, "dog", 0).await.unwrap().is_empty());
    // Spelling out another caller's prefix reaches nothing either.
    let spoofed = format!("{}Biscuit", user_prefix(b.as_str()));
    assert!(store.query(&a, &spoofed, 10).await.unwrap().is_empty());
}

#[tokio::test]
pub(super) async fn query_folds_accents_and_keeps_words_of_any_script() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let user = caller(1);
    let cafe = store
        .add(&user, &utterance("Meet at the Café Crème"))
        .await
        .unwrap();
    let decomposed = store
        .add(&user, &utterance("a cafe\u{301} au lait"))
        .await
        .unwrap();
    let hindi = store.add(&user, &utterance("मेरा नाम राम है")).await.unwrap();
    let found = |hits: Vec<Match>| hits.into_iter().map(|m| m.id).collect::<HashSet<_>>();
    assert_eq!(
        found(store.query(&user, "CAFE", 10).await.unwrap()),
        [cafe.clone(), decomposed].into()
    );
    assert_eq!(
        found(store.query(&user, "crème", 10).await.unwrap()),
        [cafe].into()
    );
    assert_eq!(
        found(store.query(&user, "नाम?", 10).await.unwrap()),
        [hindi].into()
    );
}

proptest! {
    #[test]
    fn no_query_text_is_an_fts_error(q in any::<String>(), p in "[\"'*:(){}^+\\-. a-zé0-9]{0,30}") {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        insert(&conn, "+15550000001", &utterance("a dog called Biscuit"), 1).unwrap();
        for text in [q.as_str(), p.as_str()] {
            if let Some(expr) = match_expression("+15550000001", text) {
                prop_assert!(search(&conn, "+15550000001", &expr, 5).is_ok(), "{:?}", expr);
            }
        }
    }
}

#[tokio::test]
pub(super) async fn delete_all_counts_and_removes_only_that_callers_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (a, b) = (caller(1), caller(2));
    for i in 0..3 {
        store
            .add(&a, &utterance(&format!("parcel {i}")))
            .await
            .unwrap();
    }
    for i in 0..2 {
        store
            .add(&b, &utterance(&format!("parcel {i}")))
            .await
            .unwrap();
    }
    assert_eq!(store.delete_all(&a).await.unwrap(), 3);
    assert!(store.recent(&a, 10).await.unwrap().is_empty());
    assert!(store.query(&a, "parcel", 10).await.unwrap().is_empty());
    assert_eq!(store.delete_all(&a).await.unwrap(), 0);
    assert_eq!(store.recent(&b, 10).await.unwrap().len(), 2);
    assert_eq!(store.query(&b, "parcel", 10).await.unwrap().len(), 2);
    let fts_rows: i64 = store
        .conn
        .lock()
        .unwrap()
        .query_row("SELECT count(*) FROM memories_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fts_rows, 2, "the deleted rows' full-text entries are gone");
}

#[tokio::test]
pub(super) async fn reopening_keeps_memories_and_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dirs/memory.db");
    let user = caller(1);
    let mut memory = NewMemory::new(MemoryKind::Fact, "name: Angelo");
    memory.field = Some("name".into());
    memory.extra.insert("source".into(), "test".into());
    let id = {
        let store = EmbeddedStore::open(&path).unwrap();
        store.add(&user, &memory).await.unwrap()
    };
    let store = EmbeddedStore::open(&path).unwrap();
    let back = store.recent(&user, 10).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, id);
    assert_eq!(back[0].content, "name: Angelo");
    assert_eq!(back[0].kind, MemoryKind::Fact);
    assert_eq!(back[0].field.as_deref(), Some("name"));
    assert_eq!(back[0].metadata.get("source"), Some(&Value::from("test")));
    assert_eq!(store.query(&user, "Angelo", 5).await.unwrap()[0].id, id);
    let conn = store.conn.lock().unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!((version, mode.as_str()), (SCHEMA_VERSION, "wal"));
}

#[test]
pub(super) fn a_file_from_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memory.db");
    drop(EmbeddedStore::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = EmbeddedStore::open(&path).unwrap_err();
    assert!(
        matches!(&err, MemoryError::Unavailable(m) if m.contains("newer")),
        "{err}"
    );
}

#[test]
pub(super) fn recent_reads_the_index_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let conn = store.conn.lock().unwrap();
    let mut stmt = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id, content, tags, metadata, created_at_ms \
             FROM memories WHERE user_id = ?1 ORDER BY created_at_ms DESC, seq DESC LIMIT ?2",
        )
        .unwrap();
    let plan: Vec<String> = stmt
        .query_map(params!["+15550000001", 10], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("memories_by_user_newest"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[tokio::test]
pub(super) async fn a_poisoned_connection_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let poisoner = store.clone();
    let joined = std::thread::spawn(move || {
        let _guard = poisoner.conn.lock().unwrap();
        panic!("poisoning the connection on purpose");
    })
    .join();
    assert!(joined.is_err());
    let err = store.recent(&caller(1), 5).await.unwrap_err();
    assert!(
        matches!(&err, MemoryError::Unavailable(m) if m.contains("poisoned")),
        "{err}"
    );
    assert!(store.add(&caller(1), &utterance("x")).await.is_err());
}

#[test]
pub(super) fn sqlite_errors_never_repeat_numbers_or_text() {
    let conn = Connection::open_in_memory().unwrap();
    migrate(&conn).unwrap();
    // A raw (unsanitised) expression makes FTS5 quote it back.
    let err = search(&conn, "+15550001234", "5550001234 Biscuit AND (", 5).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, MemoryError::Unavailable(_)), "{msg}");
    assert!(
        !msg.contains("5550001234") && !msg.contains("Biscuit"),
        "{msg}"
    );

    let e = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
        Some("UNIQUE constraint failed: +15550001234 my dog Biscuit".into()),
    );
    let msg = sqlite_error("add", &e).to_string();
    assert!(msg.contains("ConstraintViolation"), "{msg}");
    assert!(
        !msg.contains("5550001234") && !msg.contains("Biscuit"),
        "{msg}"
    );
}

pub(super) const WRITER_DB: &str = "EMBEDDED_STORE_TEST_DB";
pub(super) const WRITER_TAG: &str = "EMBEDDED_STORE_TEST_WRITER";
pub(super) const WRITER_ADDS: usize = 60;

/// Opens its own store on `path` and adds `n` memories for caller 1.
pub(super) fn write_many(path: &Path, tag: &str, n: usize) -> HashSet<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = EmbeddedStore::open(path).unwrap_or_else(|e| panic!("{tag} open: {e}"));
        let mut ids = HashSet::new();
        for i in 0..n {
            let id = store
                .add(&caller(1), &utterance(&format!("writer {tag} line {i}")))
                .await
                .unwrap_or_else(|e| panic!("{tag} add {i}: {e}"));
            ids.insert(id);
        }
        ids
    })
}
