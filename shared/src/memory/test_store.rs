//! A memory store over a vector, for the tests of ingestion, profile and
//! search: pure logic, no I/O. Ids count up; `created_at` is the insertion
//! order, so the last added is the newest.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::caller::{CallerId, Region};
use crate::memory::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

pub(crate) fn user() -> MemoryUser {
    MemoryUser::caller(&CallerId::normalise("+15550002000", Region::default()).unwrap())
}

pub(crate) fn other_user() -> MemoryUser {
    MemoryUser::caller(&CallerId::normalise("+15550003000", Region::default()).unwrap())
}

/// A store's answer to `query`.
pub(crate) type QueryAnswer = Result<Vec<Match>, MemoryError>;
/// Which adds fail.
pub(crate) type AddFailure = fn(&NewMemory) -> bool;

#[derive(Default)]
pub(crate) struct MemStore {
    pub memories: Mutex<Vec<(String, Memory)>>,
    pub recent_calls: AtomicUsize,
    pub query_calls: AtomicUsize,
    pub add_calls: AtomicUsize,
    /// Adds whose new memory matches fail.
    pub fail_add: Mutex<Option<AddFailure>>,
    /// The answer of `query`; by default nothing.
    pub query_answer: Mutex<Option<QueryAnswer>>,
}

impl MemStore {
    pub fn all(&self, user: &MemoryUser) -> Vec<Memory> {
        self.memories
            .lock()
            .unwrap()
            .iter()
            .filter(|(u, _)| u == user.as_str())
            .map(|(_, m)| m.clone())
            .collect()
    }
}

#[async_trait]
impl MemoryStore for MemStore {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        self.add_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(fail) = *self.fail_add.lock().unwrap() {
            if fail(memory) {
                return Err(MemoryError::Unavailable("injected".into()));
            }
        }
        // Yield so concurrent adds interleave as they would over I/O.
        tokio::task::yield_now().await;
        let mut all = self.memories.lock().unwrap();
        let id = format!("m{}", all.len() + 1);
        let created = i64::try_from(all.len()).unwrap() + 1_000;
        let stored = Memory::from_parts(
            id.clone(),
            memory.content.clone(),
            &memory.tags(),
            memory.metadata(),
            created,
        );
        all.push((user.as_str().to_owned(), stored));
        Ok(id)
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        self.recent_calls.fetch_add(1, Ordering::SeqCst);
        let mut mine = self.all(user);
        mine.sort_by_key(|m| std::cmp::Reverse(m.created_at_ms));
        mine.truncate(limit);
        Ok(mine)
    }

    async fn query(
        &self,
        _user: &MemoryUser,
        _query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError> {
        self.query_calls.fetch_add(1, Ordering::SeqCst);
        let answer = self.query_answer.lock().unwrap().clone();
        answer.unwrap_or_else(|| Ok(Vec::new())).map(|mut m| {
            m.truncate(k);
            m
        })
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        let mut all = self.memories.lock().unwrap();
        let before = all.len();
        all.retain(|(u, _)| u != user.as_str());
        Ok((before - all.len()) as u64)
    }
}
