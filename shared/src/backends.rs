//! Builds the configured memory store and (with the `s3` feature) payload
//! store, once per cold start.

use std::sync::Arc;

use crate::config::MemoryBackend;
use crate::memory::embedded::EmbeddedStore;
use crate::memory::openmemory::OpenMemoryStore;
use crate::memory::{DynMemoryStore, MemoryError};

/// The memory store the configuration names.
pub async fn memory_store(backend: &MemoryBackend) -> Result<DynMemoryStore, MemoryError> {
    Ok(match backend {
        MemoryBackend::OpenMemory {
            url,
            api_key,
            timeout,
        } => Arc::new(OpenMemoryStore::new(url, api_key.as_deref(), *timeout)?),
        MemoryBackend::Embedded { path } => Arc::new(EmbeddedStore::open(path)?),
    })
}

/// The payload store the configuration names. Only with the `s3` feature:
/// the configuration may name a bucket, and only post-call and the operator
/// commands store payloads.
#[cfg(feature = "s3")]
pub async fn payload_store(
    backend: &crate::config::PayloadBackend,
) -> crate::storage::DynPayloadStore {
    use crate::config::PayloadBackend;
    use crate::storage::local::LocalStore;
    use crate::storage::s3::S3Store;

    match backend {
        PayloadBackend::S3 {
            bucket,
            endpoint,
            force_path_style,
        } => Arc::new(
            S3Store::from_config(bucket.clone(), endpoint.clone(), *force_path_style).await,
        ),
        PayloadBackend::Local { path } => Arc::new(LocalStore::new(path.clone())),
    }
}
