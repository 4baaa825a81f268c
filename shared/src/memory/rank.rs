//! Local ranking of one caller's memories for a query (BM25 with stemming,
//! stop words, and priors for recency and kind). Pure and allocation-light:
//! it runs on every search.

use super::Memory;

/// Ranks `memories` for `query`, best first: indices into `memories` with scores.
pub fn rank(query: &str, memories: &[Memory], now_unix_secs: i64) -> Vec<(usize, f64)> {
    let _ = (query, memories, now_unix_secs);
    todo!("memory::rank::rank")
}
