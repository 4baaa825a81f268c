//! Section 2's rows for search-data's listing cache: the caller with 500
//! memories searched one at a time over loopback HTTP, through the real
//! OpenMemory client to the fake at +20 ms, each search's store requests
//! counted on the fake.
//!
//! Cold: every search on a new call (a new `conversation_id`), so the
//! caller is listed each time. Warm: the searches of one call after its
//! first. "Above the store's own" is a search's total minus what the store
//! itself takes for the requests the search made: the fake's answer to a
//! bare `GET` of the same listing at the same latency (its p50), or nothing
//! for a search that made no request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::config::{Env, SearchDataConfig};
use shared::memory::DynMemoryStore;
use testkit::fake_openmemory::FakeOpenMemory;
use testkit::serve::serve;

use crate::fixtures::{self, bearer};
use crate::stats::{above, ms, Row, Samples, Verdict};

const SEARCHES: usize = 100;
const GOAL_ABOVE: Duration = Duration::from_millis(2);

/// The store's own listing time, then the cold and the warm row.
pub async fn rows(
    section: &'static str,
    fake: &FakeOpenMemory,
    memory: &DynMemoryStore,
    env: &Env,
    http: &reqwest::Client,
    customer: &str,
    memories: usize,
) -> Vec<Row> {
    let config = SearchDataConfig::from_env(env).expect("search-data config");
    let app = Arc::new(search_data::App::new(config, memory.clone()));
    let server = serve(move |req| {
        let app = app.clone();
        async move { search_data::handle(&app, req).await }
    })
    .await;
    let url = format!("{}/webhook/search-data", server.url());
    let listing = store_own(fake, http, customer).await;
    let mut rows = vec![Row::info(
        section,
        format!("the store's own: a bare `GET` of the caller's listing ({memories} memories) at +20 ms, answer read, not parsed (n={SEARCHES})"),
        format!("p50 {} · p99 {}", ms(listing.p50()), ms(listing.p99())),
    )];
    for warm in [false, true] {
        let mut totals = Samples::default();
        let mut trips = Vec::new();
        // Search 0 warms the connections (cold) or lists for the call (warm).
        for i in 0..=SEARCHES {
            let conversation = if warm {
                "conv_bench_warm".to_owned()
            } else {
                format!("conv_bench_cold_{i:04}")
            };
            let before = fake.request_count();
            let took = search(http, &url, customer, &conversation).await;
            if i > 0 {
                totals.push(took);
                trips.push(fake.request_count() - before);
            }
        }
        let most = trips.iter().copied().max().unwrap_or(0);
        let mean = trips.iter().sum::<u64>() as f64 / trips.len().max(1) as f64;
        let own = if most == 0 {
            Duration::ZERO
        } else {
            listing.p50()
        };
        let (kind, how, goal_trips) = if warm {
            (
                "warm",
                "searches 2…101 of one call (one conversation_id)",
                1,
            )
        } else {
            (
                "cold",
                "every search on a new call (a new conversation_id)",
                2,
            )
        };
        let over = above(totals.p99(), own);
        rows.push(Row::new(
            section,
            format!("search-data ({memories} memories), {kind} cache: {how}, one at a time (n={SEARCHES}); store round trips per search: at most {most}, {mean:.2} on average"),
            format!(
                "total p50 {} · p99 {}; above the store's own ({}) p50 {} · p99 {}",
                ms(totals.p50()),
                ms(totals.p99()),
                if most == 0 { "no request".to_owned() } else { ms(own) },
                ms(above(totals.p50(), own)),
                ms(over),
            ),
            format!(
                "≤ {goal_trips} round trip{} per search; p99 above the store's own ≤ {}",
                if goal_trips == 1 { "" } else { "s" },
                ms(GOAL_ABOVE)
            ),
            Verdict::of(most <= goal_trips && over <= GOAL_ABOVE),
        ));
    }
    rows
}

/// One search of the call `conversation`; how long the whole exchange took.
async fn search(http: &reqwest::Client, url: &str, customer: &str, conversation: &str) -> Duration {
    let body = json!({
        "query": fixtures::SEARCH_QUERY, "caller_id": customer, "limit": 5,
        "conversation_id": conversation,
    });
    let start = Instant::now();
    let resp = http
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", bearer(fixtures::SEARCH_DATA_KEY))
        .body(body.to_string())
        .send()
        .await
        .expect("search request");
    let status = resp.status();
    let text = resp.text().await.expect("search answer");
    let took = start.elapsed();
    assert!(
        status == 200 && text.contains("\"known_caller\":true"),
        "unexpected answer {status}: {text}"
    );
    took
}

/// The fake's answer to the listing a cold search makes, one at a time.
async fn store_own(fake: &FakeOpenMemory, http: &reqwest::Client, customer: &str) -> Samples {
    let url = format!(
        "{}/users/{}/memories?l=2000&u=0",
        fake.url(),
        customer.replace('+', "%2B")
    );
    let mut samples = Samples::default();
    for i in 0..=SEARCHES {
        let start = Instant::now();
        let resp = http.get(&url).send().await.expect("listing");
        let _ = resp.bytes().await.expect("listing body");
        if i > 0 {
            samples.push(start.elapsed());
        }
    }
    samples
}
