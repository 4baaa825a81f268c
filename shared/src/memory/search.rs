//! Finding a caller's most relevant memories: the caller's own memories
//! ranked locally, fused with the store's own answer.
//!
//! The local ranking leads. The store's answer (OpenMemory's vector search)
//! can add what shares no word with the query, but it is noisy: scores are
//! normalised per answer, other callers' vectors crowd it, internal errors
//! answer as "no match", and it knows nothing of time or of which statement
//! is newer. So it only nudges: a memory both rankings found is lifted by a
//! few percent (enough to break a near-tie, never enough to put an old
//! statement above the newer one the local ranking placed first), except
//! for a query naming a time, which the store cannot read; a memory only
//! the store found enters well below the best local matches. Only
//! memories the caller's own listing contains count, and when the store
//! fails, finds nothing or misses its budget the answer is exactly the
//! local ranking.
//!
//! The listing (`recent`, indexed per caller) is the answer's only
//! required read; the store query runs beside it under a budget of its
//! own ([`SearchOptions::store_query`]) and is abandoned when late. On a
//! real OpenMemory v1.3.0 the query scans every caller's vectors (0.5 s
//! at k = 10 and 6,000 memories, growing with the whole store) and
//! reinforces what it returns, while it changed hit@10 by 0.002 on the
//! held-out real-dialogue set: it is off there by default.
//!
//! `make eval` measures this against the local ranking alone: reciprocal-
//! rank fusion at half weight (the previous design) lost a quarter of the
//! newest-first answers to the store's opinion; this fusion is never worse
//! on any of its numbers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::rank::rank;
use super::{Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser};
use crate::text::truncate_at_word;

/// Bounds on a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Most memories returned.
    pub limit: usize,
    /// Most characters of content returned, in total.
    pub max_chars: usize,
    /// How many of the caller's newest memories are ranked locally.
    pub candidates: usize,
    /// How long the store's own query may take; `None` skips it.
    pub store_query: Option<Duration>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 5,
            max_chars: 2_000,
            candidates: 2_000,
            store_query: None,
        }
    }
}

/// A found memory with its fused score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub memory: Memory,
    pub score: f64,
}

/// How much a memory the store also found is lifted, at most (for the
/// store's first match; less further down its list). Below 5 %, so that a
/// statement placed behind a newer one by the local ranking (at 95 % of
/// its score) stays behind it.
const AGREEMENT: f64 = 0.04;
/// A memory only the store found scores this share of the best local
/// match (for the store's first match; less further down): it fills a
/// short answer and passes weak local matches, never strong ones.
const STORE_ONLY: f64 = 0.15;
/// Store rank at which the store's say is halved.
const STORE_RANK_HALF: f64 = 3.0;

/// A hit cut to share the character budget keeps at least this many
/// characters (about a sentence); below that, fewer hits are answered.
const MIN_CUT_CHARS: usize = 80;

/// How many matches to ask the store for: twice the limit (other callers'
/// memories crowd its candidates and foreign ids are dropped), never more
/// than the fusion can use: past a few ranks the store's say is a rounding
/// error, and the real server's time grows with k.
pub fn store_k(limit: usize) -> usize {
    limit.saturating_mul(2).clamp(10, 40)
}

/// What one search read and found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The caller's newest memories, newest first (at most
    /// [`SearchOptions::candidates`]): search-data builds the caller's
    /// profile from the same listing, so one read serves both.
    pub listing: Arc<[Memory]>,
    /// The best memories for the query, best first.
    pub hits: Vec<Hit>,
    /// Whether the listing came from the cache of `listing_cache::search_cached`.
    pub from_cache: bool,
}

/// The caller's newest memories and the most relevant of them for `query`.
///
/// Fails only when the caller's memories cannot be listed; a failed, empty
/// or late store query leaves the local ranking as it is. A blank query,
/// a zero limit or a zero budget finds nothing (the listing is still read).
pub async fn search(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    query: &str,
    options: SearchOptions,
    now_unix_secs: i64,
) -> Result<Found, MemoryError> {
    search_listed(store, user, None, query, options, now_unix_secs).await
}

/// [`search`] over `listed` when given (see `listing_cache::search_cached`), else over
/// a new listing.
pub(super) async fn search_listed(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    listed: Option<Arc<[Memory]>>,
    query: &str,
    options: SearchOptions,
    now_unix_secs: i64,
) -> Result<Found, MemoryError> {
    let wanted = !query.trim().is_empty() && options.limit > 0 && options.max_chars > 0;
    let from_cache = listed.is_some();
    let listing = async {
        match listed {
            Some(listing) => Ok(listing),
            None => store.recent(user, options.candidates).await.map(Arc::from),
        }
    };
    let store_ids = async {
        match options.store_query.filter(|_| wanted) {
            Some(budget) => store_query(store, user, query, options.limit, budget).await,
            None => Vec::new(),
        }
    };
    let (listed, store_ids) = tokio::join!(listing, store_ids);
    let listing = listed?;
    if !wanted {
        return Ok(Found {
            listing,
            hits: Vec::new(),
            from_cache,
        });
    }
    let local = rank(query, &listing, now_unix_secs);
    // The store cannot read "last month": for a query that names a time
    // its order says nothing, and the local ranking's is kept as is.
    let agreement = !super::rank::names_a_time(query, now_unix_secs);
    let fused = fuse(&listing, &local, &store_ids, agreement);
    let hits = bound(&listing, &fused, options);
    Ok(Found {
        listing,
        hits,
        from_cache,
    })
}

/// The ids of the store's own matches, or none when it fails, finds
/// nothing or takes longer than `budget` (the request is then dropped).
async fn store_query(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    query: &str,
    limit: usize,
    budget: Duration,
) -> Vec<String> {
    match tokio::time::timeout(budget, store.query(user, query, store_k(limit))).await {
        Ok(Ok(matches)) => matches.into_iter().map(|m| m.id).collect(),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "store query failed; local ranking only");
            Vec::new()
        }
        Err(_) => {
            tracing::debug!("store query over its budget; local ranking only");
            Vec::new()
        }
    }
}

/// The local ranking, nudged by the store's ids, best first (see the
/// module comment); without `agreement` the store only adds what the local
/// ranking did not find. Store ids that are not among `memories` (another
/// caller's, a deleted one still cached, one beyond the listing), or that
/// are snapshots, are ignored. Ties go to the better local rank.
pub fn fuse(
    memories: &[Memory],
    local: &[(usize, f64)],
    store_ids: &[String],
    agreement: bool,
) -> Vec<(usize, f64)> {
    let lift = if agreement { AGREEMENT } else { 0.0 };
    // index → (fused score, local rank or usize::MAX)
    let mut scores: HashMap<usize, (f64, usize)> = HashMap::with_capacity(local.len());
    for (rank, &(index, score)) in local.iter().enumerate() {
        scores.insert(index, (score, rank));
    }
    if !store_ids.is_empty() {
        let best = local.first().map_or(1.0, |&(_, score)| score);
        let by_id: HashMap<&str, usize> = memories
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind != MemoryKind::Snapshot)
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        let mut store_rank = 0usize;
        let mut seen = Vec::with_capacity(store_ids.len());
        for id in store_ids {
            let Some(&index) = by_id.get(id.as_str()) else {
                continue;
            };
            if seen.contains(&index) {
                continue;
            }
            seen.push(index);
            let say = 1.0 / (1.0 + store_rank as f64 / STORE_RANK_HALF);
            store_rank += 1;
            scores
                .entry(index)
                .and_modify(|(score, _)| *score *= 1.0 + lift * say)
                .or_insert((best * STORE_ONLY * say, usize::MAX));
        }
        keep_newer_ahead(memories, local, &seen, &mut scores);
    }
    let mut fused: Vec<(usize, f64, usize)> = scores
        .into_iter()
        .map(|(index, (score, local_rank))| (index, score, local_rank))
        .collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    fused.into_iter().map(|(i, score, _)| (i, score)).collect()
}

/// A lift never takes a memory past one of a newer call that the local
/// ranking placed above it: the local ranking's newer-first is the
/// decision, and a near-tie with a newer statement that the local ranking
/// did not cap against (the store found only the old wording) must not
/// flip. Lifted memories are taken in local order, so the scores they are
/// held below are final.
fn keep_newer_ahead(
    memories: &[Memory],
    local: &[(usize, f64)],
    lifted: &[usize],
    scores: &mut HashMap<usize, (f64, usize)>,
) {
    // The call time the local ranking orders by.
    let call_time = |i: usize| super::rank::recency_key(&memories[i]).0;
    let mut lifted: Vec<(usize, usize)> = lifted
        .iter()
        .filter_map(|&i| scores.get(&i).map(|&(_, rank)| (rank, i)))
        .filter(|&(rank, _)| rank != usize::MAX)
        .collect();
    lifted.sort_unstable();
    for (rank, index) in lifted {
        let time = call_time(index);
        let ceiling = local[..rank]
            .iter()
            .filter(|&&(above, _)| call_time(above) > time)
            .filter_map(|&(above, _)| scores.get(&above).map(|&(score, _)| score))
            .fold(f64::INFINITY, f64::min);
        if let Some((score, _)) = scores.get_mut(&index) {
            *score = score.min(ceiling);
        }
    }
}

/// The best hits within `limit` and `max_chars` of content in total.
/// The best `limit` memories are taken, and when together they are too
/// long each gets a fair share of the room: memories shorter than the
/// share are whole, longer ones are cut at a word (ending in `…`) to the
/// share, so ten long turns still answer as ten hits. When the share would
/// fall below a useful part, the weakest hits are left out instead.
/// A memory saying word for word what a better one already said (the same
/// `name: …` fact collected on every call) is skipped: it would only take
/// the place of something new.
fn bound(memories: &[Memory], ranked: &[(usize, f64)], options: SearchOptions) -> Vec<Hit> {
    let mut chosen: Vec<(usize, f64, usize)> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    for &(index, score) in ranked {
        if chosen.len() == options.limit {
            break;
        }
        let memory = &memories[index];
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        let words = words_of(&memory.content);
        if said.contains(&words) {
            continue;
        }
        said.push(words);
        chosen.push((index, score, memory.content.chars().count()));
    }
    let min_cut = MIN_CUT_CHARS.min(options.max_chars);
    let share = loop {
        let lengths: Vec<usize> = chosen.iter().map(|c| c.2).collect();
        let share = fair_share(&lengths, options.max_chars);
        if share >= min_cut || chosen.len() <= 1 {
            break share;
        }
        chosen.pop();
    };
    chosen
        .into_iter()
        .filter(|_| share >= min_cut)
        .map(|(index, score, length)| {
            let mut memory = memories[index].clone();
            if length > share {
                memory.content = truncate_at_word(&memory.content, share);
            }
            Hit { memory, score }
        })
        .collect()
}

/// The largest share such that `lengths`, each capped at it, fit in
/// `room`; `usize::MAX` when they fit whole.
fn fair_share(lengths: &[usize], room: usize) -> usize {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    let mut left = room;
    for (k, &length) in sorted.iter().enumerate() {
        let share = left / (sorted.len() - k);
        if length > share {
            return share;
        }
        left -= length;
    }
    usize::MAX
}

/// The words of `text`, lower-cased and single-spaced: what counts as
/// saying the same thing again.
fn words_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
#[path = "search_bound_tests.rs"]
mod bound_tests;
#[cfg(test)]
#[path = "search_fuse_tests.rs"]
mod fuse_tests;
#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
