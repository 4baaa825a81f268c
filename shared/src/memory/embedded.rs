//! The embedded SQLite memory store: the same observable behaviour as the
//! OpenMemory store, in one local file, for zero-setup runs.
//!
//! One file may be shared by several processes (the three functions under
//! `cargo lambda watch`): the database runs in WAL mode, every write takes
//! the write lock up front (`BEGIN IMMEDIATE`) and waits for it up to
//! [`BUSY_TIMEOUT`]. Inside a process the connection sits behind a mutex and
//! every SQLite call runs on tokio's blocking pool.
//!
//! The store's own ranking is SQLite FTS5 with bm25 over the caller's own
//! rows. Every indexed word carries a prefix derived from its caller
//! (`user_prefix`), so a caller's terms are their own: a query can only
//! match the asking caller's rows, no other caller can crowd a caller's best
//! memory out (OpenMemory quirk 4), term statistics are the caller's, and a
//! query costs what the caller's memories cost, not the whole store's.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use rusqlite::{params, Connection, TransactionBehavior};
use serde_json::{Map, Value};

use super::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

/// How long a write waits for another connection's write to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema this code writes, kept in `PRAGMA user_version`. Bump it and
/// add a step to [`migrate`] when the schema changes.
const SCHEMA_VERSION: i64 = 1;

/// Most query terms used; the rest of a very long query adds little.
const MAX_QUERY_TERMS: usize = 32;

// `seq` is the insertion order (and the full-text rowid); it breaks ties
// between memories created in the same millisecond. The full-text table is
// contentless: it holds only the index of [`terms`], the text lives in
// `memories`. Marks and symbols are token characters so that FTS5 never
// splits a word that `terms` kept whole (which would strip its prefix).
const SCHEMA_V1: &str = r#"
CREATE TABLE IF NOT EXISTS memories (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    content TEXT NOT NULL,
    tags TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_by_user_newest
    ON memories (user_id, created_at_ms DESC, seq DESC);
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5 (
    terms,
    content = '', contentless_delete = 1,
    tokenize = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M* So'"
);
"#;

/// A memory store in one SQLite file. Cheap to clone: clones share the
/// connection.
#[derive(Clone)]
pub struct EmbeddedStore {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

impl fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    /// Opens (creating if needed) the store at `path`, and its parent
    /// directories. Safe to call from several processes at once.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, MemoryError> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                MemoryError::Unavailable(format!(
                    "cannot create the embedded store's directory {}: {}",
                    parent.display(),
                    e.kind()
                ))
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite_error("open", &e))?;
        // Switching a brand-new file to WAL can answer BUSY without waiting
        // when another process switches it at the same moment (three local
        // functions starting together): retry, bounded.
        let mut attempt: u64 = 0;
        loop {
            match configure(&conn) {
                Ok(()) => break,
                Err(e) if is_busy(&e) && attempt < 100 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(10 + 2 * attempt));
                }
                Err(e) => return Err(sqlite_error("configure", &e)),
            }
        }
        migrate(&conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: Arc::new(path.to_owned()),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Inserts many memories in one transaction, all created now. For
    /// benchmarks that need a large store quickly; not part of the store's
    /// behaviour.
    #[doc(hidden)]
    pub fn bulk_insert_for_bench<'a>(
        &self,
        rows: impl IntoIterator<Item = (&'a MemoryUser, &'a NewMemory)>,
    ) -> Result<usize, MemoryError> {
        let mut conn = lock(&self.conn, "bulk insert")?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite_error("bulk insert", &e))?;
        let created_at_ms = now_ms();
        let mut n = 0;
        for (user, memory) in rows {
            insert(&tx, user.as_str(), memory, created_at_ms)?;
            n += 1;
        }
        tx.commit().map_err(|e| sqlite_error("bulk insert", &e))?;
        Ok(n)
    }

    /// Runs `f` with the connection on tokio's blocking pool.
    async fn with_conn<T, F>(&self, op: &'static str, f: F) -> Result<T, MemoryError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, MemoryError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&conn, op)?;
            f(&mut guard)
        })
        .await
        .map_err(|e| {
            let why = if e.is_cancelled() {
                "was cancelled"
            } else {
                "panicked"
            };
            MemoryError::Unavailable(format!("embedded store {op} {why}"))
        })?
    }
}

#[async_trait]
impl MemoryStore for EmbeddedStore {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        let user = user.as_str().to_owned();
        let memory = memory.clone();
        self.with_conn("add", move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| sqlite_error("add", &e))?;
            let id = insert(&tx, &user, &memory, now_ms())?;
            tx.commit().map_err(|e| sqlite_error("add", &e))?;
            Ok(id)
        })
        .await
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let user = user.as_str().to_owned();
        self.with_conn("recent", move |conn| recent(conn, &user, limit))
            .await
    }

    async fn query(
        &self,
        user: &MemoryUser,
        query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError> {
        let Some(expr) = match_expression(user.as_str(), query) else {
            return Ok(Vec::new());
        };
        if k == 0 {
            return Ok(Vec::new());
        }
        let user = user.as_str().to_owned();
        self.with_conn("query", move |conn| search(conn, &user, &expr, k))
            .await
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        let user = user.as_str().to_owned();
        self.with_conn("delete", move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| sqlite_error("delete", &e))?;
            tx.execute(
                "DELETE FROM memories_fts WHERE rowid IN \
                 (SELECT seq FROM memories WHERE user_id = ?1)",
                params![user],
            )
            .map_err(|e| sqlite_error("delete", &e))?;
            let n = tx
                .execute("DELETE FROM memories WHERE user_id = ?1", params![user])
                .map_err(|e| sqlite_error("delete", &e))?;
            tx.commit().map_err(|e| sqlite_error("delete", &e))?;
            Ok(n as u64)
        })
        .await
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // First, so that even switching to WAL waits for other processes.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Some file systems (network mounts) cannot do WAL; SQLite then keeps
        // its rollback journal, which still works, with more waiting.
        tracing::warn!(
            journal_mode = %mode,
            "embedded memory store could not use WAL; concurrent writers will wait longer"
        );
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// Brings the schema to [`SCHEMA_VERSION`]; a no-op when it is there.
fn migrate(conn: &Connection) -> Result<(), MemoryError> {
    let err = |e: rusqlite::Error| sqlite_error("schema setup", &e);
    // Immediate: of several processes opening a new file at once, one
    // creates the schema and the others then see its version.
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    let result = (|| {
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version > SCHEMA_VERSION {
            return Err(MemoryError::Unavailable(format!(
                "the embedded store's file has schema version {version}, newer than this \
                 program's {SCHEMA_VERSION}; upgrade the program or use another OPENMEMORY_DB_PATH"
            )));
        }
        if version < 1 {
            conn.execute_batch(SCHEMA_V1).map_err(err)?;
        }
        if version < SCHEMA_VERSION {
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(err)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(err),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Inserts one memory (and its full-text entry); returns its id.
fn insert(
    conn: &Connection,
    user: &str,
    memory: &NewMemory,
    created_at_ms: i64,
) -> Result<String, MemoryError> {
    let id = new_id();
    let tags = serde_json::to_string(&memory.tags())
        .map_err(|_| MemoryError::Rejected("a memory's tags cannot be encoded".into()))?;
    let metadata = serde_json::to_string(&memory.metadata())
        .map_err(|_| MemoryError::Rejected("a memory's metadata cannot be encoded".into()))?;
    conn.prepare_cached(
        "INSERT INTO memories (id, user_id, content, tags, metadata, created_at_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            user,
            memory.content,
            tags,
            metadata,
            created_at_ms
        ])
    })
    .map_err(|e| sqlite_error("add", &e))?;
    let seq = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO memories_fts (rowid, terms) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![seq, terms(user, &memory.content)]))
        .map_err(|e| sqlite_error("add", &e))?;
    Ok(id)
}

fn recent(conn: &Connection, user: &str, limit: usize) -> Result<Vec<Memory>, MemoryError> {
    let err = |e: rusqlite::Error| sqlite_error("recent", &e);
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, content, tags, metadata, created_at_ms FROM memories \
             WHERE user_id = ?1 ORDER BY created_at_ms DESC, seq DESC LIMIT ?2",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(params![user, sql_limit(limit)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .map_err(err)?;
    let mut out = Vec::new();
    for row in rows {
        let (id, content, tags, metadata, created_at_ms) = row.map_err(err)?;
        let tags: Vec<String> = serde_json::from_str(&tags)
            .map_err(|_| MemoryError::Protocol("a stored memory's tags are not JSON".into()))?;
        let metadata: Map<String, Value> = serde_json::from_str(&metadata).map_err(|_| {
            MemoryError::Protocol("a stored memory's metadata is not a JSON object".into())
        })?;
        out.push(Memory::from_parts(
            id,
            content,
            &tags,
            metadata,
            created_at_ms,
        ));
    }
    Ok(out)
}

fn search(conn: &Connection, user: &str, expr: &str, k: usize) -> Result<Vec<Match>, MemoryError> {
    let err = |e: rusqlite::Error| sqlite_error("query", &e);
    // The prefixed terms already limit the match to the user; the join's
    // user_id test keeps that true even for two users whose prefixes
    // collide. bm25 is lower-is-better.
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.id, bm25(memories_fts) AS score \
             FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid \
             WHERE memories_fts MATCH ?1 AND m.user_id = ?2 \
             ORDER BY score, m.seq DESC LIMIT ?3",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(params![expr, user, sql_limit(k)], |r| {
            Ok(Match {
                id: r.get(0)?,
                score: -r.get::<_, f64>(1)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// The words of `text`: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What the full-text index holds for `content` of `user`: each word with
/// the user's prefix.
fn terms(user: &str, content: &str) -> String {
    let prefix = user_prefix(user);
    let mut out = String::with_capacity(content.len() * 2);
    for word in words(content) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&prefix);
        out.push_str(word);
    }
    out
}

/// The FTS5 expression for `query` over `user`'s rows, or `None` when the
/// query has no word. Every term is a double-quoted string of letters and
/// digits, so no input can produce an FTS5 syntax error.
fn match_expression(user: &str, query: &str) -> Option<String> {
    let mut unique: Vec<String> = Vec::new();
    for word in words(query).map(str::to_lowercase) {
        if unique.len() == MAX_QUERY_TERMS {
            break;
        }
        if !unique.contains(&word) {
            unique.push(word);
        }
    }
    if unique.is_empty() {
        return None;
    }
    let prefix = user_prefix(user);
    Some(
        unique
            .iter()
            .map(|w| format!("\"{prefix}{w}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// The prefix of a user's terms: a 64-bit FNV-1a hash of the user id as 20
/// decimal digits. Fixed width, so prefix and word cannot be confused;
/// digits only, so the porter stemmer reads them as leading consonants and
/// still stems the word's suffix, the same way in the index and in queries
/// (it skips tokens over 64 bytes: words up to 44 bytes are stemmed).
/// Stored in the index: changing it needs a migration.
fn user_prefix(user: &str) -> String {
    let hash = user.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:020}")
}

fn lock<'a>(
    conn: &'a Mutex<Connection>,
    op: &str,
) -> Result<std::sync::MutexGuard<'a, Connection>, MemoryError> {
    conn.lock().map_err(|_| {
        MemoryError::Unavailable(format!(
            "embedded store {op}: the connection was poisoned by an earlier panic"
        ))
    })
}

/// Maps a SQLite error to `Unavailable`, keeping only its code: SQLite's
/// messages can quote the statement's values (numbers, memory text).
fn sqlite_error(op: &str, e: &rusqlite::Error) -> MemoryError {
    let detail = match e {
        rusqlite::Error::SqliteFailure(f, _) => {
            format!("{:?} (SQLite code {})", f.code, f.extended_code)
        }
        rusqlite::Error::SqliteSingleThreadedMode => "SQLite is in single-threaded mode".into(),
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            "a stored value has an unexpected type".into()
        }
        _ => "unexpected SQLite driver error".into(),
    };
    MemoryError::Unavailable(format!("embedded store {op} failed: {detail}"))
}

fn sql_limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// A unique id: time, process and a per-process counter, so ids from the
/// several processes sharing a file never collide.
fn new_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{:016x}{:08x}{:08x}",
        nanos as u64,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::process::{Command, Stdio};

    use proptest::prelude::*;

    use super::*;
    use crate::caller::{CallerId, Region};
    use crate::memory::MemoryKind;

    fn caller(n: u32) -> MemoryUser {
        let id = CallerId::normalise(&format!("+1555000{n:04}"), Region::default())
            .expect("a valid test number");
        MemoryUser::caller(&id)
    }

    fn open(dir: &tempfile::TempDir) -> EmbeddedStore {
        EmbeddedStore::open(dir.path().join("memory.db")).expect("open")
    }

    fn utterance(text: &str) -> NewMemory {
        NewMemory::new(MemoryKind::Utterance, text)
    }

    async fn ids_of(store: &EmbeddedStore, user: &MemoryUser) -> Vec<String> {
        let recent = store.recent(user, 10_000).await.expect("recent");
        recent.into_iter().map(|m| m.id).collect()
    }

    #[tokio::test]
    async fn same_millisecond_memories_come_back_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let user = caller(1);
        // Fixed timestamps make the tie certain; the last two are inserted
        // later but carry an older time, so time wins over insertion order.
        let mut expected = Vec::new();
        {
            let conn = store.conn.lock().unwrap();
            for i in 0..5 {
                let id =
                    insert(&conn, user.as_str(), &utterance(&format!("tie {i}")), 1_000).unwrap();
                expected.push(id);
            }
            for i in 0..2 {
                let id =
                    insert(&conn, user.as_str(), &utterance(&format!("old {i}")), 999).unwrap();
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
    async fn recent_respects_the_limit() {
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
    async fn callers_never_see_each_others_memories() {
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
    async fn query_ranks_the_callers_rows_and_survives_any_punctuation() {
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
    async fn query_folds_accents_and_keeps_words_of_any_script() {
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
    async fn delete_all_counts_and_removes_only_that_callers_rows() {
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
    async fn reopening_keeps_memories_and_the_schema_version() {
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
    fn a_file_from_a_newer_schema_is_refused() {
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
    fn recent_reads_the_index_in_order() {
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
    async fn a_poisoned_connection_is_an_error_not_a_panic() {
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
    fn sqlite_errors_never_repeat_numbers_or_text() {
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

    const WRITER_DB: &str = "EMBEDDED_STORE_TEST_DB";
    const WRITER_TAG: &str = "EMBEDDED_STORE_TEST_WRITER";
    const WRITER_ADDS: usize = 60;

    /// Opens its own store on `path` and adds `n` memories for caller 1.
    fn write_many(path: &Path, tag: &str, n: usize) -> HashSet<String> {
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

    #[test]
    fn concurrent_writer_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memory.db");
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || write_many(&path, &format!("t{t}"), WRITER_ADDS))
            })
            .collect();
        let mut all = HashSet::new();
        for w in writers {
            all.extend(w.join().expect("a writer failed"));
        }
        assert_eq!(all.len(), 4 * WRITER_ADDS, "ids are unique");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let stored: HashSet<String> = rt
            .block_on(ids_of(&EmbeddedStore::open(&path).unwrap(), &caller(1)))
            .into_iter()
            .collect();
        assert_eq!(stored, all);
    }

    /// One writer process of `concurrent_writer_processes_lose_nothing`; run
    /// alone it writes to a temp file.
    #[test]
    #[ignore = "a writer process started by concurrent_writer_processes_lose_nothing"]
    fn writer_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var_os(WRITER_DB)
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.path().join("memory.db"));
        let tag = std::env::var(WRITER_TAG).unwrap_or_else(|_| "solo".into());
        assert_eq!(write_many(&path, &tag, WRITER_ADDS).len(), WRITER_ADDS);
    }

    /// Three processes, as under `cargo lambda watch`, create and write one
    /// new file at the same time.
    #[test]
    fn concurrent_writer_processes_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memory.db");
        let exe = std::env::current_exe().unwrap();
        let children: Vec<_> = (0..3)
            .map(|p| {
                Command::new(&exe)
                    .args([
                        "memory::embedded::tests::writer_process",
                        "--exact",
                        "--ignored",
                        "--test-threads=1",
                    ])
                    .env(WRITER_DB, &path)
                    .env(WRITER_TAG, format!("p{p}"))
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let memories = rt
            .block_on(
                EmbeddedStore::open(&path)
                    .unwrap()
                    .recent(&caller(1), 10_000),
            )
            .unwrap();
        assert_eq!(memories.len(), 3 * WRITER_ADDS);
        for p in 0..3 {
            for i in 0..WRITER_ADDS {
                let line = format!("writer p{p} line {i}");
                assert!(
                    memories.iter().any(|m| m.content == line),
                    "{line} is missing"
                );
            }
        }
    }
}
