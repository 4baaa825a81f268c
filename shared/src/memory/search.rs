//! Finding a caller's most relevant memories: the caller's own memories
//! ranked locally, fused with the store's own answer.

use super::{Memory, MemoryError, MemoryStore, MemoryUser};

/// Bounds on a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Most memories returned.
    pub limit: usize,
    /// Most characters of content returned, in total.
    pub max_chars: usize,
    /// How many of the caller's newest memories are ranked locally.
    pub candidates: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 5,
            max_chars: 2_000,
            candidates: 2_000,
        }
    }
}

/// A found memory with its fused score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub memory: Memory,
    pub score: f64,
}

/// The caller's most relevant memories for `query`, best first.
pub async fn search(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    query: &str,
    options: SearchOptions,
    now_unix_secs: i64,
) -> Result<Vec<Hit>, MemoryError> {
    let _ = (store, user, query, options, now_unix_secs);
    todo!("memory::search::search")
}
