//! The one in-memory [`MemoryStore`]: for this crate's unit tests of
//! ingestion, profile and search, and (feature `test-store`, re-exported by
//! `testkit`) for benchmarks and other crates' tests. No I/O; answers at
//! once.
//!
//! It lives here, not in `testkit`, because a crate's own unit tests cannot
//! use a type from a crate that depends on it (that would be a second copy
//! of this crate, with its own `MemoryStore` trait).
//!
//! Each memory goes through [`Memory::from_parts`], as a real client's
//! (de)serialisation would. Ids and times count up, so the last added is
//! the newest. `query` answers what a test sets, or nothing.
//! [`MemStore::for_bench`] stamps real times instead (recency is read
//! against now) and answers `query` with the newest `k` (a store's own
//! ranking runs on the store's time, not the handler's).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::caller::{CallerId, Region};
use crate::memory::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

/// A caller for tests: `+15550002000`.
pub fn user() -> MemoryUser {
    MemoryUser::caller(&CallerId::normalise("+15550002000", Region::default()).expect("valid"))
}

/// Another caller: `+15550003000`.
pub fn other_user() -> MemoryUser {
    MemoryUser::caller(&CallerId::normalise("+15550003000", Region::default()).expect("valid"))
}

/// A store's answer to `query`.
pub type QueryAnswer = Result<Vec<Match>, MemoryError>;
/// Which adds fail.
pub type AddFailure = fn(&NewMemory) -> bool;

/// Everything the store holds; cloned to reset between bench iterations.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Per user, oldest first.
    users: HashMap<String, Vec<Memory>>,
    added: u64,
    last_ms: i64,
}

#[derive(Default)]
pub struct MemStore {
    state: Mutex<State>,
    for_bench: bool,
    pub recent_calls: AtomicUsize,
    pub query_calls: AtomicUsize,
    pub add_calls: AtomicUsize,
    /// Adds whose new memory matches fail.
    pub fail_add: Mutex<Option<AddFailure>>,
    /// The answer of `query`; by default nothing (newest `k` for benches).
    pub query_answer: Mutex<Option<QueryAnswer>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicked test is over anyway; do not hide its cause.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemStore {
    /// A store stamping memories with the real time (strictly increasing)
    /// whose `query` answers the newest `k`.
    pub fn for_bench() -> Self {
        Self {
            for_bench: true,
            ..Self::default()
        }
    }

    /// The user's memories, oldest first.
    pub fn all(&self, user: &MemoryUser) -> Vec<Memory> {
        lock(&self.state)
            .users
            .get(user.as_str())
            .cloned()
            .unwrap_or_default()
    }

    pub fn count(&self, user: &MemoryUser) -> usize {
        lock(&self.state)
            .users
            .get(user.as_str())
            .map_or(0, Vec::len)
    }

    /// Every memory of every user.
    pub fn len(&self) -> usize {
        lock(&self.state).users.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn snapshot(&self) -> State {
        lock(&self.state).clone()
    }

    pub fn restore(&self, state: &State) {
        *lock(&self.state) = state.clone();
    }
}

#[async_trait]
impl MemoryStore for MemStore {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        self.add_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(fail) = *lock(&self.fail_add) {
            if fail(memory) {
                return Err(MemoryError::Unavailable("injected".into()));
            }
        }
        // Yield so concurrent adds interleave as they would over I/O.
        tokio::task::yield_now().await;
        let (tags, metadata) = (memory.tags(), memory.metadata());
        let mut s = lock(&self.state);
        s.added += 1;
        let id = format!("m{}", s.added);
        let now = if self.for_bench {
            (crate::dates::now_unix_secs() * 1_000).max(s.last_ms + 1)
        } else {
            999 + i64::try_from(s.added).unwrap_or(i64::MAX - 1_000)
        };
        s.last_ms = now;
        let stored = Memory::from_parts(id.clone(), memory.content.clone(), &tags, metadata, now);
        s.users
            .entry(user.as_str().to_owned())
            .or_default()
            .push(stored);
        Ok(id)
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        self.recent_calls.fetch_add(1, Ordering::SeqCst);
        let s = lock(&self.state);
        Ok(s.users
            .get(user.as_str())
            .map_or_else(Vec::new, |v| v.iter().rev().take(limit).cloned().collect()))
    }

    async fn query(
        &self,
        user: &MemoryUser,
        _query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError> {
        self.query_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(answer) = lock(&self.query_answer).clone() {
            return answer.map(|mut m| {
                m.truncate(k);
                m
            });
        }
        if !self.for_bench {
            return Ok(Vec::new());
        }
        let s = lock(&self.state);
        Ok(s.users.get(user.as_str()).map_or_else(Vec::new, |v| {
            v.iter()
                .rev()
                .take(k)
                .enumerate()
                .map(|(i, m)| Match {
                    id: m.id.clone(),
                    score: 1.0 / (i as f64 + 1.0),
                })
                .collect()
        }))
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        let removed = lock(&self.state).users.remove(user.as_str());
        Ok(removed.map_or(0, |v| v.len() as u64))
    }
}
