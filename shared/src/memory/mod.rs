//! A caller's memory: the store interface, its two implementations, and the
//! domain logic that turns calls into memories and memories into answers.
//!
//! - [`openmemory`]: the OpenMemory v1.3.0 HTTP client, hardened against its quirks.
//! - [`embedded`]: a SQLite store with the same behaviour, for zero-setup runs.
//! - [`ingest`]: what one finished call leaves behind (pure).
//! - [`profile`]: the caller's profile for the greeting (one list call).
//! - [`rank`] and [`search`]: finding the caller's most relevant memories.
//! - [`listing_cache`]: search-data's per-instance cache of a caller's listing.
//! - `user`: whose memory a request touches ([`Identity`], [`Who`]).

pub mod embedded;
pub mod ingest;
pub mod listing_cache;
pub mod openmemory;
pub mod profile;
pub mod rank;
pub mod search;
mod speaker;
#[cfg(any(test, feature = "test-store"))]
pub mod test_store;
mod user;

pub use speaker::{exchange_parts, exchange_text, Speaker};
pub use user::{Identity, MemoryScope, MemoryUser, NoMemory, Who};

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kind of a memory, stored as a tag (`kind:<name>`) and in metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKind {
    /// One profile fact from the call's data collection (`name: Angelo`).
    Fact,
    /// The call's summary.
    Summary,
    /// A turn of the call (the caller's, the agent's, or an exchange; see
    /// [`Speaker`]).
    Utterance,
    /// The merged profile as of a call; the newest one is the current profile.
    Snapshot,
}

impl MemoryKind {
    pub const ALL: [Self; 4] = [Self::Fact, Self::Summary, Self::Utterance, Self::Snapshot];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fact => "fact",
            Self::Summary => "summary",
            Self::Utterance => "utterance",
            Self::Snapshot => "snapshot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The tag that marks this kind.
    pub fn tag(self) -> String {
        format!("kind:{}", self.as_str())
    }
}

/// A memory to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMemory {
    /// The text as it should be read back.
    pub content: String,
    pub kind: MemoryKind,
    pub conversation_id: Option<String>,
    /// When the call started, unix seconds.
    pub call_time: Option<i64>,
    /// The transcript turn an utterance came from.
    pub turn: Option<u32>,
    /// The data-collection field of a fact.
    pub field: Option<String>,
    /// Anything else worth keeping (a snapshot's merged profile).
    pub extra: Map<String, Value>,
}

impl NewMemory {
    pub fn new(kind: MemoryKind, content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            kind,
            conversation_id: None,
            call_time: None,
            turn: None,
            field: None,
            extra: Map::new(),
        }
    }

    /// Tags that let kinds be told apart and memories traced to their call.
    pub fn tags(&self) -> Vec<String> {
        let mut tags = vec![self.kind.tag()];
        if let Some(c) = &self.conversation_id {
            tags.push(format!("conversation:{c}"));
        }
        if let Some(f) = &self.field {
            tags.push(format!("field:{f}"));
        }
        tags
    }

    /// Metadata stored with the memory; [`Memory::from_parts`] reads it back.
    pub fn metadata(&self) -> Map<String, Value> {
        let mut m = self.extra.clone();
        m.insert("kind".into(), self.kind.as_str().into());
        m.insert("text".into(), self.content.clone().into());
        if let Some(c) = &self.conversation_id {
            m.insert("conversation_id".into(), c.clone().into());
        }
        if let Some(t) = self.call_time {
            m.insert("call_time".into(), t.into());
        }
        if let Some(t) = self.turn {
            m.insert("turn".into(), t.into());
        }
        if let Some(f) = &self.field {
            m.insert("field".into(), f.clone().into());
        }
        m
    }
}

/// A stored memory, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Memory {
    pub id: String,
    pub content: String,
    pub kind: MemoryKind,
    pub conversation_id: Option<String>,
    pub call_time: Option<i64>,
    pub turn: Option<u32>,
    pub field: Option<String>,
    pub metadata: Map<String, Value>,
    /// When the store created it, unix milliseconds.
    pub created_at_ms: i64,
}

impl Memory {
    /// Rebuilds a memory from what a store keeps: its own content, tags and
    /// metadata. The metadata's `text` wins over `content` because a store
    /// may have altered the content (OpenMemory truncates, and we may have
    /// made it unique to dodge its dedupe).
    pub fn from_parts(
        id: String,
        content: String,
        tags: &[String],
        metadata: Map<String, Value>,
        created_at_ms: i64,
    ) -> Self {
        let kind = metadata
            .get("kind")
            .and_then(Value::as_str)
            .and_then(MemoryKind::parse)
            .or_else(|| {
                tags.iter()
                    .find_map(|t| t.strip_prefix("kind:").and_then(MemoryKind::parse))
            })
            .unwrap_or(MemoryKind::Utterance);
        let text = metadata
            .get("text")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or(content);
        Self {
            id,
            content: text,
            kind,
            conversation_id: metadata
                .get("conversation_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            call_time: metadata.get("call_time").and_then(Value::as_i64),
            turn: metadata
                .get("turn")
                .and_then(Value::as_u64)
                .and_then(|t| u32::try_from(t).ok()),
            field: metadata
                .get("field")
                .and_then(Value::as_str)
                .map(str::to_owned),
            metadata,
            created_at_ms,
        }
    }
}

/// A store's own ranking: memory ids, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    pub score: f64,
}

/// Why a memory-store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    /// The store could not be reached, timed out or answered 5xx.
    #[error("memory store unavailable: {0}")]
    Unavailable(String),
    /// The store refused our credentials.
    #[error("memory store refused the API key: {0}")]
    Auth(String),
    /// The server is a version we cannot work with.
    #[error("unsupported OpenMemory server: {0}")]
    UnsupportedServer(String),
    /// The store answered something we could not understand.
    #[error("memory store answered unexpectedly: {0}")]
    Protocol(String),
    /// A request we built was refused (a bug on our side, or bad content).
    #[error("memory store rejected the request: {0}")]
    Rejected(String),
}

/// What the functions need from a memory store. Implementations must keep
/// callers apart: nothing read for one user may belong to another.
#[async_trait]
pub trait MemoryStore: Send + Sync {
    /// Adds one memory; returns its id.
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError>;

    /// The user's newest memories, newest first.
    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError>;

    /// The store's own ranking of the user's memories for `query`.
    async fn query(
        &self,
        user: &MemoryUser,
        query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError>;

    /// Deletes every memory of the user; returns how many.
    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError>;
}

/// A shared, type-erased store, as the functions hold it.
pub type DynMemoryStore = Arc<dyn MemoryStore>;
