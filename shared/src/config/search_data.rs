//! search-data's settings: deadline, answer bounds, the store query's
//! budget, the listing cache's lifetimes.

use std::time::Duration;

use super::{Common, ConfigError, Env, MemoryBackend, SharedSecret};
use crate::memory::listing_cache::CacheLifetimes;

/// search-data's settings.
#[derive(Debug, Clone)]
pub struct SearchDataConfig {
    pub common: Common,
    pub secret: Option<SharedSecret>,
    pub deadline: Duration,
    pub default_limit: usize,
    pub max_limit: usize,
    /// Bound on the total characters of returned memories.
    pub max_chars: usize,
    /// Budget of the store's own query beside the listing; `None` = off.
    pub store_query: Option<Duration>,
    /// How long a caller's listing serves later searches (see
    /// [`crate::memory::listing_cache`]).
    pub cache: CacheLifetimes,
}

impl SearchDataConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let common = Common::from_env(env)?;
        // Off for OpenMemory: v1.3.0's query scans every caller's vectors
        // (0.5–2.5 s at 6,000 memories) and reinforces what it returns, and
        // it did not change retrieval on the real-dialogue set. The
        // embedded store's full-text query is local and takes milliseconds.
        let default_query_ms = match common.memory {
            MemoryBackend::OpenMemory { .. } => 0u64,
            MemoryBackend::Embedded { .. } => 50,
        };
        let query_ms = env.parsed(
            "SEARCH_STORE_QUERY_MS",
            default_query_ms,
            "how long search-data lets the memory store's own query run beside the caller's listing, in milliseconds (0 = never query)",
        )?;
        let seconds =
            |var, default, purpose| env.parsed(var, default, purpose).map(Duration::from_secs);
        let cache = CacheLifetimes {
            same_call: seconds(
                "SEARCH_CACHE_SECONDS",
                300u64,
                "how long search-data reuses a caller's listing for later searches of the same call (conversation_id), in seconds (0 = no cache)",
            )?,
            unkeyed: seconds(
                "SEARCH_CACHE_UNKEYED_SECONDS",
                0u64,
                "how long search-data reuses a caller's listing for searches that send no conversation_id, in seconds (0 = never)",
            )?,
        };
        Ok(Self {
            store_query: (query_ms > 0).then(|| Duration::from_millis(query_ms)),
            cache,
            common,
            secret: SharedSecret::required(env, "ELEVENLABS_SEARCH_DATA_KEY")?,
            deadline: Duration::from_millis(env.parsed(
                "SEARCH_DATA_DEADLINE_MS",
                3_000u64,
                "how long search-data waits for memory before answering a tool error, in milliseconds",
            )?),
            default_limit: env.parsed("SEARCH_DEFAULT_LIMIT", 5usize, "memories returned when the tool sends no limit")?,
            max_limit: env.parsed("SEARCH_MAX_LIMIT", 20usize, "the most memories one search returns")?,
            max_chars: env.parsed("SEARCH_MAX_CHARS", 2_000usize, "the most characters of memories one search returns")?,
        })
    }
}
