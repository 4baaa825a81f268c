//! Payload storage: where post-call webhooks are kept, keyed by conversation.
//!
//! - `s3`: an S3 bucket (or any S3-compatible server), for AWS. Only with
//!   the `s3` feature, which brings in the AWS SDK; the functions that never
//!   touch payloads (client-data, search-data) build without it.
//! - [`local`]: a directory, for local runs without a bucket.
//!
//! Keys are built only from a validated [`ConversationId`], so a request can
//! never choose where it is written.

pub mod local;
#[cfg(feature = "s3")]
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

    /// Whether an object exists, without reading it (S3: `HeadObject`).
    async fn exists(&self, key: &str) -> Result<bool, StorageError>;

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

    /// An event type this version does not know, in a folder of its own so
    /// that no type name (`ingested`, say) can land on a bookkeeping key.
    /// The type is reduced to key-safe characters so it cannot escape.
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
        format!("{c}/other/{safe}.json")
    }

    /// Written once a transcription's memories are stored: makes ingestion
    /// idempotent and tells `replay` what is still pending.
    pub fn ingested_marker(c: &ConversationId) -> String {
        format!("{c}/{c}_ingested.json")
    }

    /// Where the conversation's ingestion claims live (see
    /// `ingestion::claim`); post-call may delete only here and in
    /// [`PENDING_PREFIX`].
    pub fn claims(c: &ConversationId) -> String {
        format!("{c}/claims/")
    }

    /// Generation `generation` of the conversation's ingestion claim; the
    /// fixed width keeps listing order numeric.
    pub fn claim(c: &ConversationId, generation: u32) -> String {
        format!("{c}/claims/{generation:010}.json")
    }

    /// Folder of the pending list: one empty object per stored transcription
    /// not yet ingested. The dot keeps it apart from conversation folders.
    pub const PENDING_PREFIX: &str = "pending.calls/";

    /// Folder of tombstones: one per erased conversation, so that a
    /// redelivered webhook or a replay cannot bring it back.
    pub const ERASED_PREFIX: &str = "erased.calls/";

    /// The conversation's tombstone.
    pub fn erased(c: &ConversationId) -> String {
        format!("{ERASED_PREFIX}{c}")
    }

    /// The conversation's entry in the pending list.
    pub fn pending(c: &ConversationId) -> String {
        format!("{PENDING_PREFIX}{c}")
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
        assert_eq!(keys::other(&c, "new_type"), "abc/other/new_type.json");
        assert_eq!(keys::other(&c, "../../x"), "abc/other/______x.json");
        assert_eq!(keys::other(&c, ""), "abc/other/unknown.json");
        assert_eq!(keys::claim(&c, 7), "abc/claims/0000000007.json");
        assert_eq!(keys::pending(&c), "pending.calls/abc");
        assert_eq!(keys::conversation_of(&keys::pending(&c)), None);
        assert_eq!(keys::conversation_of("abc/abc_audio.mp3"), Some(c));
    }

    #[test]
    fn an_unknown_event_type_never_lands_on_a_bookkeeping_key() {
        let c = ConversationId::parse("abc").unwrap();
        let bookkeeping = [
            keys::transcription(&c),
            keys::audio(&c),
            keys::failure(&c),
            keys::ingested_marker(&c),
            keys::claim(&c, 1),
        ];
        for hostile in [
            "ingested",
            "transcription",
            "failure",
            "audio",
            "claims/0000000001",
            "ingest_claim",
        ] {
            assert!(
                !bookkeeping.contains(&keys::other(&c, hostile)),
                "{hostile}"
            );
        }
    }
}
