//! Payload storage: where post-call webhooks are kept, keyed by conversation.
//!
//! - [`s3`]: an S3 bucket (or any S3-compatible server), for AWS.
//! - [`local`]: a directory, for local runs without a bucket.
//!
//! Keys are built only from a validated [`ConversationId`], so a request can
//! never choose where it is written.

pub mod local;
pub mod s3;

use std::fmt;
use std::io;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;

/// Why a storage call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("payload storage unavailable: {0}")]
    Unavailable(String),
    #[error("payload storage refused access: {0}")]
    Denied(String),
    #[error("payload storage failed: {0}")]
    Other(String),
}

/// A stream of body chunks, for objects too large to hold in memory.
pub type ByteStream = BoxStream<'static, io::Result<Bytes>>;

/// What the functions need from payload storage.
#[async_trait]
pub trait PayloadStore: Send + Sync {
    /// Stores an object durably; returns once it is.
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StorageError>;

    /// Stores an object only if none exists under `key`. Returns `false`
    /// (and writes nothing) when one already did.
    async fn put_if_absent(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> Result<bool, StorageError>;

    /// Stores a stream without holding it whole (S3: multipart upload).
    /// Returns the number of bytes stored.
    async fn put_stream(
        &self,
        key: &str,
        body: ByteStream,
        content_type: &str,
    ) -> Result<u64, StorageError>;

    /// Reads an object, or `None` when there is none.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError>;

    /// Every key under `prefix`, in lexicographic order.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;

    /// Deletes an object; deleting a missing one is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
}

pub type DynPayloadStore = Arc<dyn PayloadStore>;

/// A conversation id that is safe to use in a storage key: 1 to 128 ASCII
/// letters, digits, `_` or `-`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(String);

impl ConversationId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConversationId({})", self.0)
    }
}

/// The storage layout. One folder per conversation.
pub mod keys {
    use super::ConversationId;

    pub fn transcription(c: &ConversationId) -> String {
        format!("{c}/{c}_transcription.json")
    }

    pub fn audio(c: &ConversationId) -> String {
        format!("{c}/{c}_audio.mp3")
    }

    pub fn failure(c: &ConversationId) -> String {
        format!("{c}/{c}_failure.json")
    }

    /// An event type this version does not know. The type is reduced to
    /// key-safe characters so it cannot escape the conversation's folder.
    pub fn other(c: &ConversationId, event_type: &str) -> String {
        let safe: String = event_type
            .chars()
            .take(64)
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        let safe = if safe.is_empty() {
            "unknown".to_owned()
        } else {
            safe
        };
        format!("{c}/{c}_{safe}.json")
    }

    /// Written once a transcription's memories are stored: makes ingestion
    /// idempotent and tells `replay` what is still pending.
    pub fn ingested_marker(c: &ConversationId) -> String {
        format!("{c}/{c}_ingested.json")
    }

    /// Held while one delivery ingests the conversation (a conditional put).
    pub fn ingest_claim(c: &ConversationId) -> String {
        format!("{c}/{c}_ingest_claim.json")
    }

    /// The conversation a key belongs to.
    pub fn conversation_of(key: &str) -> Option<ConversationId> {
        key.split('/').next().and_then(ConversationId::parse)
    }

    pub const TRANSCRIPTION_SUFFIX: &str = "_transcription.json";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_are_validated() {
        assert!(ConversationId::parse("conv_1301kam4jyjeeqs8gwzmt62k2e3e").is_some());
        assert!(ConversationId::parse("abc-DEF_123").is_some());
        for bad in ["", "../etc", "a/b", "a b", "a.b", "ä", &"x".repeat(129)] {
            assert!(ConversationId::parse(bad).is_none(), "{bad:?}");
        }
        assert!(ConversationId::parse(&"x".repeat(128)).is_some());
    }

    #[test]
    fn keys_stay_in_the_conversation_folder() {
        let c = ConversationId::parse("abc").unwrap();
        assert_eq!(keys::transcription(&c), "abc/abc_transcription.json");
        assert_eq!(keys::audio(&c), "abc/abc_audio.mp3");
        assert_eq!(keys::failure(&c), "abc/abc_failure.json");
        assert_eq!(keys::other(&c, "new_type"), "abc/abc_new_type.json");
        assert_eq!(keys::other(&c, "../../x"), "abc/abc_______x.json");
        assert_eq!(keys::other(&c, ""), "abc/abc_unknown.json");
        assert_eq!(keys::conversation_of("abc/abc_audio.mp3"), Some(c));
    }
}
