//! Typed errors for the whole crate. [`crate::edge`] maps them to status
//! codes in one place.

use crate::config::ConfigError;
use crate::memory::MemoryError;
use crate::signature::SignatureError;
use crate::storage::StorageError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; the message is safe to show the caller
    /// (and, for search-data, the LLM).
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is larger than the {limit} bytes allowed")]
    PayloadTooLarge { limit: usize },
    /// A shared-secret header was missing or wrong.
    #[error("missing or invalid webhook secret")]
    Unauthorized,
    #[error("no such route")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Memory(#[from] MemoryError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("timed out after {0} ms")]
    Timeout(u64),
}

impl Error {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::BadRequest(msg.into())
    }
}
