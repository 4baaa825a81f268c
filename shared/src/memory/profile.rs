//! The caller's profile as the greeting and the search tool see it, read
//! from the newest profile snapshot with a single list call.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MemoryError, MemoryStore, MemoryUser};

/// One profile fact with where it came from. Newest call wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub value: Value,
    #[serde(default)]
    pub call_time: Option<i64>,
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// The merged profile as of a call, stored in a snapshot memory's metadata
/// under `snapshot`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
    #[serde(default)]
    pub last_summary: Option<String>,
    #[serde(default)]
    pub last_call_time: Option<i64>,
    #[serde(default)]
    pub last_conversation_id: Option<String>,
    /// Calls ingested so far, this one included.
    #[serde(default)]
    pub calls: u32,
}

/// What client-data and search-data need to know about a returning caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallerProfile {
    pub user_name: Option<String>,
    /// Compact, deterministic text from the facts, bounded in length.
    pub profile_summary: String,
    pub last_call_summary: Option<String>,
    pub previous_calls: u32,
    pub last_call_time: Option<i64>,
    pub snapshot: Snapshot,
}

/// How many of the newest memories are read to find the newest snapshot.
pub const SNAPSHOT_WINDOW: usize = 25;

/// Loads the caller's profile; `None` for a caller with no memories.
pub async fn load(
    store: &dyn MemoryStore,
    user: &MemoryUser,
) -> Result<Option<CallerProfile>, MemoryError> {
    let _ = (store, user);
    todo!("memory::profile::load")
}
