//! Section 5: search over the embedded store as it grows, 10k to 100k
//! memories across 1,000 callers: `shared::memory::search::search` for one
//! caller (list + full-text query + local ranking), callers taken in turn.
//!
//! The embedded store serves local runs (it is refused inside Lambda). A
//! third store, 100k memories over 10,000 callers, has as many memories
//! per caller as the 10k one: the two separate growth with the store from
//! growth with the caller.

use std::time::Instant;

use shared::memory::embedded::EmbeddedStore;
use shared::memory::search::{search, SearchOptions};
use shared::memory::{MemoryKind, MemoryUser, NewMemory};

use crate::fixtures::{self, caller};
use crate::stats::{ms, Row, Samples, Verdict};

const SECTION: &str = "5 · scale (embedded)";
/// (memories, callers) of each store.
const STORES: [(usize, usize); 3] = [(10_000, 1_000), (100_000, 1_000), (100_000, 10_000)];
const SEARCHES: usize = 500;

/// The scale rows.
pub async fn run() -> Vec<Row> {
    let users: Vec<MemoryUser> = (0..10_000)
        .map(|n| fixtures::memory_user(&caller(100 + n)))
        .collect();
    let mut rows = Vec::new();
    let mut p50s = Vec::new();
    for (total, callers) in STORES {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = EmbeddedStore::open(dir.path().join("memory.sqlite3")).expect("embedded store");
        let built = Instant::now();
        let mut rng = fixtures::Rng(7);
        let now = shared::dates::now_unix_secs();
        let memories: Vec<(usize, NewMemory)> = (0..total)
            .map(|i| {
                let mut m = NewMemory::new(MemoryKind::Utterance, fixtures::utterance(&mut rng));
                m.conversation_id = Some(format!("conv_{}", i / 25));
                m.call_time = Some(now - (total - i) as i64 * 60);
                m.turn = Some((i % 25) as u32);
                (i % callers, m)
            })
            .collect();
        store
            .bulk_insert_for_bench(memories.iter().map(|(u, m)| (&users[*u], m)))
            .expect("bulk insert");
        let build = built.elapsed();
        // As search-data runs on the embedded store.
        let options = SearchOptions {
            store_query: Some(std::time::Duration::from_millis(50)),
            ..SearchOptions::default()
        };
        let mut samples = Samples::default();
        let mut found = 0;
        for i in 0..SEARCHES {
            let user = &users[(i * 7) % callers];
            let start = Instant::now();
            let hits = search(&store, user, fixtures::SEARCH_QUERY, options, now)
                .await
                .expect("search")
                .hits;
            samples.push(start.elapsed());
            found += hits.len();
        }
        p50s.push(samples.p50());
        rows.push(Row::new(
            SECTION,
            format!(
                "search one caller ({} memories each) in a store of {}k memories, {callers} callers (n={SEARCHES}; built in {:.1} s)",
                total / callers,
                total / 1_000,
                build.as_secs_f64()
            ),
            format!(
                "p50 {} · p99 {} ({:.1} hits per search)",
                ms(samples.p50()),
                ms(samples.p99()),
                found as f64 / SEARCHES as f64
            ),
            "",
            Verdict::Info,
        ));
    }
    if let [small, per_caller, store_only] = p50s[..] {
        rows.push(Row::info(
            SECTION,
            "p50 growth: 10× the store at the same memories per caller; 10× each caller's memories",
            format!(
                "{:.1}× ; {:.1}×",
                store_only.as_secs_f64() / small.as_secs_f64(),
                per_caller.as_secs_f64() / small.as_secs_f64()
            ),
        ));
    }
    rows
}
