//! Zero-latency stores, so the handler-overhead rows time the handlers and
//! nothing else: the shared crate's in-memory memory store
//! ([`MemStore::for_bench`]) and a payload store over a `Mutex`ed map.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use shared::storage::{ByteStream, PayloadStore, StorageError};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicked bench is over anyway; do not hide its cause.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub use shared::memory::test_store::MemStore;

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
