//! A per-instance cache of callers' listings, so a search in a call the
//! instance has already listed for costs no store round trip.
//!
//! A caller's memories change only when post-call ingests a finished call,
//! in another Lambda: this instance is never told. So an entry is keyed by
//! the call that listed it (the tool's `conversation_id`, ElevenLabs'
//! `system__conversation_id`) and reused only:
//!
//! - for a search of the same conversation, while younger than
//!   [`CacheLifetimes::same_call`]: the caller's own call is ingested only
//!   after it ends, so nothing newer can be missed except a previous call
//!   whose ingestion lands during this one (a quick redial); the lifetime
//!   bounds how long that stays unseen;
//! - for a search without a conversation id, while younger than
//!   [`CacheLifetimes::unkeyed`] (off by default: such a search may be a
//!   caller's next call, which must see the last one).
//!
//! A new conversation id always re-lists, so a caller who calls back sees
//! everything ingested before the new call's first search. Entries are
//! whole listings, shared (never copied) with the searches they serve, and
//! at most [`MAX_CACHED_MEMORIES`] memories are held in total: the least
//! recently used entries go first. Pure logic; time is passed in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::search::{search_listed, Found, SearchOptions};
use super::{Memory, MemoryError, MemoryStore, MemoryUser};

/// Most memories held across all entries: 20,000 memories are about 20 MB
/// of a 256 MB function, and a hundred callers at the 200-memory median
/// (one instance serves calls one at a time, so far fewer are live).
/// An empty listing counts as one, so the entry count is bounded too.
pub const MAX_CACHED_MEMORIES: usize = 20_000;

/// How long an entry serves searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLifetimes {
    /// Searches of the call that listed it; zero turns the cache off.
    pub same_call: Duration,
    /// Searches without a conversation id (at most `same_call`).
    pub unkeyed: Duration,
}

impl CacheLifetimes {
    /// Nothing cached.
    pub const OFF: Self = Self {
        same_call: Duration::ZERO,
        unkeyed: Duration::ZERO,
    };

    fn of(&self, conversation: Option<&str>) -> Duration {
        match conversation {
            _ if self.same_call.is_zero() => Duration::ZERO,
            Some(_) => self.same_call,
            None => self.unkeyed.min(self.same_call),
        }
    }
}

/// Callers' listings, per memory user.
pub struct ListingCache {
    lifetimes: CacheLifetimes,
    max_memories: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<MemoryUser, Entry>,
    /// Memories held, each entry counted as at least one.
    held: usize,
    /// Use counter: the entry with the smallest `used` is the least recent.
    clock: u64,
}

struct Entry {
    listing: Arc<[Memory]>,
    /// The `limit` it was listed with.
    candidates: usize,
    listed_at: Instant,
    conversation: Option<String>,
    used: u64,
}

impl Entry {
    fn weight(&self) -> usize {
        self.listing.len().max(1)
    }

    /// Whether it answers a listing of `candidates`: listed with the same
    /// limit, or short of its own limit (the caller's whole memory) and
    /// within the new one.
    fn serves(&self, candidates: usize) -> bool {
        let len = self.listing.len();
        self.candidates == candidates || (len < self.candidates && len <= candidates)
    }
}

impl ListingCache {
    pub fn new(lifetimes: CacheLifetimes, max_memories: usize) -> Self {
        Self {
            lifetimes,
            max_memories,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// A cache that holds nothing.
    pub fn off() -> Self {
        Self::new(CacheLifetimes::OFF, 0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The listing of `user` a search of `conversation` may reuse at `now`,
    /// if any. An entry of another conversation, or past its lifetime, is
    /// dropped.
    pub fn get(
        &self,
        user: &MemoryUser,
        conversation: Option<&str>,
        candidates: usize,
        now: Instant,
    ) -> Option<Arc<[Memory]>> {
        let mut inner = self.lock();
        let entry = inner.entries.get(user)?;
        let age = now.saturating_duration_since(entry.listed_at);
        if age >= self.lifetimes.of(entry.conversation.as_deref()) {
            inner.remove(user);
            return None;
        }
        let reusable = match conversation {
            Some(c) => entry.conversation.as_deref() == Some(c),
            None => age < self.lifetimes.of(None),
        };
        if !reusable {
            if conversation.is_some() {
                // Another call: the next listing replaces it.
                inner.remove(user);
            }
            return None;
        }
        if !entry.serves(candidates) {
            return None;
        }
        inner.clock += 1;
        let clock = inner.clock;
        let entry = inner.entries.get_mut(user)?;
        entry.used = clock;
        Some(entry.listing.clone())
    }

    /// Keeps `listing`, read with `limit = candidates` at `listed_at` (when
    /// the read was sent), for later searches of `conversation`. Nothing is
    /// kept when such searches could not reuse it, or when it alone is over
    /// the bound; least recently used entries make room.
    pub fn put(
        &self,
        user: &MemoryUser,
        conversation: Option<&str>,
        candidates: usize,
        listing: Arc<[Memory]>,
        listed_at: Instant,
    ) {
        let mut inner = self.lock();
        inner.remove(user);
        let entry = Entry {
            listing,
            candidates,
            listed_at,
            conversation: conversation.map(str::to_owned),
            used: 0,
        };
        if self.lifetimes.of(conversation).is_zero() || entry.weight() > self.max_memories {
            return;
        }
        inner.clock += 1;
        let entry = Entry {
            used: inner.clock,
            ..entry
        };
        inner.held += entry.weight();
        inner.entries.insert(user.clone(), entry);
        while inner.held > self.max_memories {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(u, _)| u.clone());
            match oldest {
                Some(u) => inner.remove(&u),
                None => break,
            }
        }
    }

    /// How many callers' listings are held, and how many memories.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.lock();
        let memories = inner.entries.values().map(|e| e.listing.len()).sum();
        (inner.entries.len(), memories)
    }
}

/// [`super::search::search`], reusing the caller's listing from `cache`
/// when the rules above allow it for a search of `conversation`, and
/// keeping a new listing there. The ranking is the same either way.
pub async fn search_cached(
    store: &dyn MemoryStore,
    cache: &ListingCache,
    user: &MemoryUser,
    conversation: Option<&str>,
    query: &str,
    options: SearchOptions,
    now_unix_secs: i64,
) -> Result<Found, MemoryError> {
    let asked = Instant::now();
    let cached = cache.get(user, conversation, options.candidates, asked);
    let found = search_listed(store, user, cached, query, options, now_unix_secs).await?;
    if !found.from_cache {
        let listing = found.listing.clone();
        cache.put(user, conversation, options.candidates, listing, asked);
    }
    Ok(found)
}

impl Inner {
    fn remove(&mut self, user: &MemoryUser) {
        if let Some(old) = self.entries.remove(user) {
            self.held -= old.weight();
        }
    }
}

#[cfg(test)]
#[path = "listing_cache_tests.rs"]
mod tests;
