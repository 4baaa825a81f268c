//! Zero-latency stores, so the handler-overhead rows time the handlers and
//! nothing else: a memory store and a payload store over `Mutex`ed maps.
//!
//! Only for measuring. The memory store still builds each memory's tags and
//! metadata and reads them back with [`Memory::from_parts`], as a real
//! client's (de)serialisation would, but it ranks nothing: its `query`
//! answers the newest `k` ids, because a store's own ranking runs on the
//! store's time, not the handler's.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use shared::memory::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};
use shared::storage::{ByteStream, PayloadStore, StorageError};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicked bench is over anyway; do not hide its cause.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Everything the memory store holds; cloned to reset between iterations.
#[derive(Debug, Clone, Default)]
pub struct MemState {
    /// Per user, oldest first.
    users: HashMap<String, Vec<Memory>>,
    next_id: u64,
    last_ms: i64,
}

/// A [`MemoryStore`] over a map, answering at once.
#[derive(Debug, Default)]
pub struct MemStore {
    state: Mutex<MemState>,
}

impl MemStore {
    pub fn snapshot(&self) -> MemState {
        lock(&self.state).clone()
    }

    pub fn restore(&self, state: &MemState) {
        *lock(&self.state) = state.clone();
    }

    pub fn count(&self, user: &MemoryUser) -> usize {
        lock(&self.state)
            .users
            .get(user.as_str())
            .map_or(0, Vec::len)
    }
}

#[async_trait]
impl MemoryStore for MemStore {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        let tags = memory.tags();
        let metadata = memory.metadata();
        let mut s = lock(&self.state);
        s.next_id += 1;
        let id = format!("mem-{:08}", s.next_id);
        // Strictly increasing, so "newest" is the insertion order.
        let now = (shared::dates::now_unix_secs() * 1_000).max(s.last_ms + 1);
        s.last_ms = now;
        let stored = Memory::from_parts(id.clone(), memory.content.clone(), &tags, metadata, now);
        s.users
            .entry(user.as_str().to_owned())
            .or_default()
            .push(stored);
        Ok(id)
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
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

/// A [`PayloadStore`] over a map, answering at once.
#[derive(Debug, Default)]
pub struct MemPayloads {
    objects: Mutex<BTreeMap<String, Bytes>>,
}

impl MemPayloads {
    pub fn clear(&self) {
        lock(&self.objects).clear();
    }
}

#[async_trait]
impl PayloadStore for MemPayloads {
    async fn put(&self, key: &str, body: Bytes, _content_type: &str) -> Result<(), StorageError> {
        lock(&self.objects).insert(key.to_owned(), body);
        Ok(())
    }

    async fn put_if_absent(
        &self,
        key: &str,
        body: Bytes,
        _content_type: &str,
    ) -> Result<bool, StorageError> {
        let mut objects = lock(&self.objects);
        if objects.contains_key(key) {
            return Ok(false);
        }
        objects.insert(key.to_owned(), body);
        Ok(true)
    }

    async fn put_stream(
        &self,
        key: &str,
        mut body: ByteStream,
        _content_type: &str,
    ) -> Result<u64, StorageError> {
        let mut all = BytesMut::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| StorageError::Other(e.to_string()))?;
            all.extend_from_slice(&chunk);
        }
        let n = all.len() as u64;
        lock(&self.objects).insert(key.to_owned(), all.freeze());
        Ok(n)
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        Ok(lock(&self.objects).get(key).cloned())
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        Ok(lock(&self.objects).contains_key(key))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        Ok(lock(&self.objects)
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        lock(&self.objects).remove(key);
        Ok(())
    }
}
