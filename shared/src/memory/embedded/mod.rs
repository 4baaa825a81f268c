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

mod fts;
mod sql;

use self::fts::match_expression;
use self::sql::{configure, insert, is_busy, migrate, recent, search, sqlite_error};
use super::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

/// How long a write waits for another connection's write to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

fn now_ms() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// A unique id: time, process and a per-process counter, so ids from the
/// several processes sharing a file never collide.
pub(super) fn new_id() -> String {
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
mod concurrency_tests;
#[cfg(test)]
mod tests;
