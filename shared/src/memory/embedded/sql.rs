//! The SQL behind the embedded store: schema and migrations, inserts,
//! listings and full-text queries, and error mapping that never quotes values.

use rusqlite::{params, Connection};
use serde_json::{Map, Value};

use super::fts::terms;
use super::{new_id, BUSY_TIMEOUT};
use crate::memory::{Match, Memory, MemoryError, NewMemory};

/// The schema this code writes, kept in `PRAGMA user_version`. Bump it and
/// add a step to [`migrate`] when the schema changes.
pub(super) const SCHEMA_VERSION: i64 = 1;

// `seq` is the insertion order (and the full-text rowid); it breaks ties
// between memories created in the same millisecond. The full-text table is
// contentless: it holds only the index of [`terms`], the text lives in
// `memories`. Marks and symbols are token characters so that FTS5 never
// splits a word that `terms` kept whole (which would strip its prefix).
pub(super) const SCHEMA_V1: &str = r#"
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
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

pub(super) fn configure(conn: &Connection) -> rusqlite::Result<()> {
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
pub(super) fn migrate(conn: &Connection) -> Result<(), MemoryError> {
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
pub(super) fn insert(
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

pub(super) fn recent(
    conn: &Connection,
    user: &str,
    limit: usize,
) -> Result<Vec<Memory>, MemoryError> {
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

pub(super) fn search(
    conn: &Connection,
    user: &str,
    expr: &str,
    k: usize,
) -> Result<Vec<Match>, MemoryError> {
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

/// Maps a SQLite error to `Unavailable`, keeping only its code: SQLite's
/// messages can quote the statement's values (numbers, memory text).
pub(super) fn sqlite_error(op: &str, e: &rusqlite::Error) -> MemoryError {
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

pub(super) fn sql_limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
