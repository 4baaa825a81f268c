//! One caller with a thousand memories, in the same store as the others:
//! how many memories, its quality, and where the time of a search goes.

use std::time::Instant;

use shared::memory::search::{self, SearchOptions};

use super::report;
use crate::metrics::{self, ms, Summary};
use crate::run::{self, Ranking, Stack};

/// Calls of the long-history caller: a little over 1,000 memories.
const HEAVY_CALLS: usize = 134;
/// Timed searches for the long-history caller.
const HEAVY_SAMPLES: usize = 1_000;

/// One caller with a thousand memories, in the same store as the others:
/// how many memories, its quality, and the latency of many searches.
pub(super) async fn long_history(
    stack: &Stack,
    show_misses: bool,
) -> Result<(usize, Summary), String> {
    let heavy = crate::gen::heavy(HEAVY_CALLS);
    run::ingest(stack, &heavy).await?;
    let caller = &heavy.meta.callers[0].number;
    let user = stack
        .user(caller)
        .ok_or("the long-history caller is not a known caller")?;
    let stored = stack
        .store
        .recent(&user, 100_000)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let (outcomes, _) = run::ask(stack, &heavy, Ranking::Fused, false).await?;
    if show_misses {
        println!("Long-history caller:");
        report::misses(&heavy, &outcomes, true);
    }
    let mut samples = Vec::with_capacity(HEAVY_SAMPLES);
    for i in 0..HEAVY_SAMPLES {
        let q = &heavy.questions[i % heavy.questions.len()];
        let (_, took) = stack
            .search(&user, &q.question, Ranking::Fused, heavy.meta.now)
            .await
            .map_err(|e| e.to_string())?;
        samples.push(took);
    }
    let mut summary = metrics::summarize(&outcomes);
    summary.p50 = metrics::quantile(&samples, 0.50);
    summary.p99 = metrics::quantile(&samples, 0.99);
    let mut handler = Vec::with_capacity(HEAVY_SAMPLES / 2);
    for i in 0..HEAVY_SAMPLES / 2 {
        let q = &heavy.questions[i % heavy.questions.len()];
        let (status, _, took) = stack.ask_handler(caller, &q.question).await;
        if status != 200 {
            return Err(format!(
                "search-data answered {status} for the long-history caller"
            ));
        }
        handler.push(took);
    }
    summary.handler = Some((
        metrics::quantile(&handler, 0.50),
        metrics::quantile(&handler, 0.99),
    ));
    // Where the time goes: the listing, the local ranking, the store's query.
    let (mut listing, mut ranking, mut querying) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..HEAVY_SAMPLES / 4 {
        let q = &heavy.questions[i % heavy.questions.len()];
        let t = Instant::now();
        let memories = stack
            .store
            .recent(&user, SearchOptions::default().candidates)
            .await
            .map_err(|e| e.to_string())?;
        listing.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(shared::memory::rank::rank(
            &q.question,
            &memories,
            heavy.meta.now,
        ));
        ranking.push(t.elapsed());
        let t = Instant::now();
        let _ = stack
            .store
            .query(&user, &q.question, search::store_k(run::LIMIT))
            .await;
        querying.push(t.elapsed());
    }
    println!(
        "1 caller with {stored} memories, p50 / p99: listing {} / {}, local ranking {} / {}, store query {} / {} (the listing and the query run concurrently)",
        ms(metrics::quantile(&listing, 0.5)),
        ms(metrics::quantile(&listing, 0.99)),
        ms(metrics::quantile(&ranking, 0.5)),
        ms(metrics::quantile(&ranking, 0.99)),
        ms(metrics::quantile(&querying, 0.5)),
        ms(metrics::quantile(&querying, 0.99)),
    );
    Ok((stored, summary))
}
