//! Section 1: what each handler costs in process, over zero-latency stores.
//!
//! Each iteration builds its request first (the runtime's work, not the
//! handler's) and times only `handle(&app, req)`: routing, the secret or
//! signature check, parsing, the store calls' own code, the domain logic,
//! the JSON answer and the request's log line (written as JSON, as in
//! Lambda, to a sink).

use std::sync::Arc;
use std::time::{Duration, Instant};

use lambda_http::http::StatusCode;
use shared::config::{ClientDataConfig, PostCallConfig, SearchDataConfig};
use shared::memory::DynMemoryStore;
use shared::storage::DynPayloadStore;

use crate::fixtures::{self, bearer, caller, request};
use crate::stats::{ms, Row, Samples, Verdict};
use crate::stores::{MemPayloads, MemStore};

const SECTION: &str = "1 · in process";
const WARMUP: usize = 200;
/// Batches a row's samples are cut into for its p99 (see `batch_p99`).
const BATCHES: usize = 5;

/// The three handler rows.
pub async fn run() -> Vec<Row> {
    let store = Arc::new(MemStore::for_bench());
    let payloads = Arc::new(MemPayloads::default());
    let memory: DynMemoryStore = store.clone();
    let payload_store: DynPayloadStore = payloads.clone();
    let env = fixtures::env(&[]);

    let cd_caller = caller(1);
    let sd_caller = caller(2);
    let pc_caller = caller(3);
    fixtures::seed_calls(memory.as_ref(), &cd_caller, 4, 3, "cd").await;
    // 20 calls of 25 memories: the 500-memory caller.
    fixtures::seed_calls(memory.as_ref(), &sd_caller, 20, 5, "sd").await;
    let sd_memories = store.count(&fixtures::memory_user(&sd_caller));
    fixtures::seed_calls(memory.as_ref(), &pc_caller, 4, 3, "pc").await;
    let pc_history = store.count(&fixtures::memory_user(&pc_caller));

    let mut rows = Vec::new();

    let cd = client_data::App {
        config: ClientDataConfig::from_env(&env).expect("client-data config"),
        store: memory.clone(),
    };
    let body = fixtures::client_data_body(&cd_caller);
    let auth = bearer(fixtures::CLIENT_DATA_KEY);
    let app = &cd;
    let samples = time(
        20_000,
        move |_| {
            let req = request(
                "/webhook/client-data",
                body.clone().into_bytes(),
                &[("authorization", auth.as_str())],
            );
            async move { client_data::handle(app, req).await }
        },
        |text| text.contains("Welcome back, Angelo Rossi"),
    )
    .await;
    rows.push(row(
        "client-data, returning caller (one list of 25)",
        &samples,
        Duration::from_millis(1),
    ));

    let sd = search_data::App::new(
        SearchDataConfig::from_env(&env).expect("search-data config"),
        memory.clone(),
    );
    let body = fixtures::search_body(&sd_caller);
    let auth = bearer(fixtures::SEARCH_DATA_KEY);
    let app = &sd;
    let samples = time(
        5_000,
        move |_| {
            let req = request(
                "/webhook/search-data",
                body.clone().into_bytes(),
                &[("authorization", auth.as_str())],
            );
            async move { search_data::handle(app, req).await }
        },
        |text| text.contains("\"known_caller\":true") && text.contains("\"content\""),
    )
    .await;
    rows.push(row(
        &format!("search-data, caller with {sd_memories} memories: profile list of 25, candidate list of 500 and query, rank, fuse"),
        &samples,
        Duration::from_millis(1),
    ));
    rows.push(search_parts(&store, &sd_caller).await);

    let pc = post_call::App::new(
        PostCallConfig::from_env(&env).expect("post-call config"),
        memory.clone(),
        payload_store,
    );
    let baseline = store.snapshot();
    let body = fixtures::transcription(
        "conv_bench_inproc",
        &pc_caller,
        shared::dates::now_unix_secs() - 600,
        3,
        42,
    );
    let planned = {
        let call = fixtures::call_of(&body);
        let plan = shared::memory::ingest::plan(&call, None);
        plan.memories.len() + 1
    };
    let app = &pc;
    let (store_ref, payloads_ref, baseline_ref, body_ref) = (&store, &payloads, &baseline, &body);
    let samples = time(
        5_000,
        move |_| {
            // Every iteration ingests the same call afresh: the caller's
            // history and the payloads are put back as they were.
            store_ref.restore(baseline_ref);
            payloads_ref.clear();
            let sig = fixtures::signature(body_ref.as_bytes());
            let req = request(
                "/webhook/post-call",
                body_ref.clone().into_bytes(),
                &[(post_call::SIGNATURE_HEADER, sig.as_str())],
            );
            async move { post_call::handle(app, req).await }
        },
        |text| text.contains("\"memories\":\"ingested\""),
    )
    .await;
    rows.push(row(
        &format!(
            "post-call, signed {}-turn transcript ({} B): verify, parse, store, plan, {planned} adds; caller has {pc_history} memories",
            fixtures::TURNS,
            body.len()
        ),
        &samples,
        Duration::from_millis(2),
    ));
    rows
}

fn row(what: &str, samples: &Samples, goal: Duration) -> Row {
    let (p99, worst) = samples.batch_p99(BATCHES);
    Row::new(
        SECTION,
        what,
        format!(
            "p50 {} · p99 {} (median of {BATCHES} batches; worst batch {}; n={})",
            ms(samples.p50()),
            ms(p99),
            ms(worst),
            samples.len()
        ),
        format!("p99 ≤ {}", ms(goal)),
        Verdict::of(p99 <= goal),
    )
}

/// Where search-data's time goes: ranking the 500 memories, and this
/// store's own listing of them (clones, standing in for a client's parse).
async fn search_parts(store: &MemStore, customer: &str) -> Row {
    use shared::memory::MemoryStore;
    let user = fixtures::memory_user(customer);
    let now = shared::dates::now_unix_secs();
    let mut rank = Samples::default();
    let mut list = Samples::default();
    for i in 0..WARMUP + 2_000 {
        let start = Instant::now();
        let memories = store.recent(&user, 2_000).await.expect("list");
        let listed = start.elapsed();
        let start = Instant::now();
        let ranked = shared::memory::rank::rank(fixtures::SEARCH_QUERY, &memories, now);
        let ranked_in = start.elapsed();
        assert!(!ranked.is_empty());
        if i >= WARMUP {
            list.push(listed);
            rank.push(ranked_in);
        }
    }
    Row::info(
        SECTION,
        "of which: `rank` of the 500 memories; the zero-latency store's list of them (clones)",
        format!(
            "rank p50 {} · p99 {}; list p50 {} · p99 {}",
            ms(rank.p50()),
            ms(rank.p99()),
            ms(list.p50()),
            ms(list.p99())
        ),
    )
}

/// Times `iterations` calls of the handler `call` builds (after a warm-up),
/// checking the first answer is a `200` that `expected` accepts.
async fn time<F, Fut>(iterations: usize, mut call: F, expected: impl Fn(&str) -> bool) -> Samples
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = lambda_http::Response<lambda_http::Body>>,
{
    let mut samples = Samples::default();
    for i in 0..WARMUP + iterations {
        let fut = call(i);
        let start = Instant::now();
        let resp = fut.await;
        let took = start.elapsed();
        if i == 0 {
            let text = fixtures::body_text(resp.body());
            assert!(
                resp.status() == StatusCode::OK && expected(&text),
                "unexpected answer {}: {text}",
                resp.status()
            );
        }
        drop(resp);
        if i >= WARMUP {
            samples.push(took);
        }
    }
    samples
}
