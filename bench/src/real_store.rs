//! Section 6: the deployed path against a real OpenMemory v1.3.0 server,
//! when one is configured (`BENCH_OPENMEMORY_URL`, optional
//! `BENCH_OPENMEMORY_KEY`). Not built or started here: point it at your
//! own server (it writes bench callers `+1555300…` and `+1555400…`).
//!
//! (a) 10 callers × 24 calls of 25 caller turns (600 turns each) go
//! through post-call (inline ingestion), timing each call; then
//! search-data and client-data are timed in process against the server,
//! one at a time and 10 at once, with the store calls each request made.
//! (b) 500 more callers with 20 memories each are added through the
//! store's own API, 16 at once, and the same requests are timed again:
//! a caller's answer should not grow with the whole store.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use shared::config::{ClientDataConfig, PostCallConfig, SearchDataConfig};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::{
    DynMemoryStore, Match, Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser, NewMemory,
};

use crate::fixtures::{self, bearer, request};
use crate::stats::{ms, Row, Samples, Verdict};

const SECTION: &str = "6 · real OpenMemory";
const CALLERS: usize = 10;
const CALLS_PER_CALLER: usize = 24;
const MANY_CALLERS: usize = 500;
const MEMORIES_EACH: usize = 20;
const SEQUENTIAL: usize = 100;
const CONCURRENT: usize = 10;
const ROUNDS: usize = 10;

/// Bench caller `n` of this section (apart from the other sections').
fn caller(n: usize) -> String {
    format!("+1555{:07}", 3_000_000 + n)
}

fn crowd(n: usize) -> String {
    format!("+1555{:07}", 4_000_000 + n)
}

/// The section's rows, or one row saying how to run it.
pub async fn run() -> Vec<Row> {
    let Ok(url) = std::env::var("BENCH_OPENMEMORY_URL") else {
        return vec![Row::info(
            SECTION,
            "skipped: set BENCH_OPENMEMORY_URL (and BENCH_OPENMEMORY_KEY) to an OpenMemory v1.3.0 server",
            "–",
        )];
    };
    let key = std::env::var("BENCH_OPENMEMORY_KEY").ok();
    let client = OpenMemoryStore::new(&url, key.as_deref(), Duration::from_secs(30))
        .expect("an OpenMemory client");
    let counted = Arc::new(Counted::new(client));
    let memory: DynMemoryStore = counted.clone();
    let mut rows = Vec::new();

    // Start clean: the bench's callers only.
    for n in 0..CALLERS {
        let _ = memory.delete_all(&fixtures::memory_user(&caller(n))).await;
    }
    rows.push(seed_through_post_call(&memory).await);
    let total = |label| format!("{label}: {} callers", CALLERS);
    rows.extend(time_requests(&memory, &counted, &total("10 callers × 600 turns")).await);
    rows.push(raw_query(&url, key.as_deref()).await);

    let seeded = Instant::now();
    let added = seed_crowd(&memory).await;
    rows.push(Row::info(
        SECTION,
        format!("seeding {MANY_CALLERS} more callers through the store's API, 16 adds at once"),
        format!(
            "{added} memories in {:.0} s",
            seeded.elapsed().as_secs_f64()
        ),
    ));
    rows.extend(time_requests(&memory, &counted, "with 510 callers in the store").await);
    rows
}

/// (a): every call through post-call, ingested before it answers.
async fn seed_through_post_call(memory: &DynMemoryStore) -> Row {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("payloads");
    let env = fixtures::env(&[
        ("PAYLOAD_STORAGE_PATH", path.to_str().unwrap_or(".")),
        ("INGEST_MODE", "inline"),
    ]);
    let payloads = Arc::new(shared::storage::local::LocalStore::new(path.clone()));
    let app = post_call::App::new(
        PostCallConfig::from_env(&env).expect("post-call config"),
        memory.clone(),
        payloads,
    );
    let now = shared::dates::now_unix_secs();
    let mut samples = Samples::default();
    for i in 0..CALLS_PER_CALLER {
        for n in 0..CALLERS {
            let start = now - ((CALLS_PER_CALLER - i) as i64) * 86_400;
            let conv = format!("conv_real_{n:02}_{i:03}");
            let body = fixtures::transcription(&conv, &caller(n), start, 0, (n * 1_000 + i) as u64);
            let sig = fixtures::signature(body.as_bytes());
            let req = request(
                "/webhook/post-call",
                body.into_bytes(),
                &[("elevenlabs-signature", sig.as_str())],
            );
            let t = Instant::now();
            let resp = post_call::handle(&app, req).await;
            samples.push(t.elapsed());
            assert_eq!(resp.status(), 200, "post-call against the real server");
        }
    }
    let stored = memory
        .recent(&fixtures::memory_user(&caller(0)), 2_000)
        .await
        .map_or(0, |m| m.len());
    Row::info(
        SECTION,
        format!(
            "post-call, inline ingestion of a 50-turn call ({} calls; caller 0 then holds {stored} memories)",
            samples.len()
        ),
        format!("p50 {} · p99 {}", ms(samples.p50()), ms(samples.p99())),
    )
}

/// (b): the crowd, straight through the store's add.
async fn seed_crowd(memory: &DynMemoryStore) -> usize {
    let adds = (0..MANY_CALLERS).flat_map(|n| {
        (0..MEMORIES_EACH).map(move |i| {
            let memory = memory.clone();
            async move {
                let user = fixtures::memory_user(&crowd(n));
                let text = format!(
                    "Caller {n} mentioned item {i}: a cleaning, an invoice or a dog walk on day {}.",
                    (n + i) % 28 + 1
                );
                memory
                    .add(&user, &NewMemory::new(MemoryKind::Utterance, text))
                    .await
                    .is_ok()
            }
        })
    });
    futures::stream::iter(adds)
        .buffer_unordered(16)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

/// search-data and client-data, one at a time and 10 at once.
async fn time_requests(memory: &DynMemoryStore, counted: &Counted, label: &str) -> Vec<Row> {
    let env = fixtures::env(&[("OPENMEMORY_URL", "http://127.0.0.1:1")]);
    let sd = search_data::App::new(
        SearchDataConfig::from_env(&env).expect("search-data config"),
        memory.clone(),
    );
    let cd = client_data::App {
        config: ClientDataConfig::from_env(&env).expect("client-data config"),
        store: memory.clone(),
    };
    let sd_auth = bearer(fixtures::SEARCH_DATA_KEY);
    let cd_auth = bearer(fixtures::CLIENT_DATA_KEY);
    let search = |n: usize| {
        let req = request(
            "/webhook/search-data",
            fixtures::search_body(&caller(n % CALLERS)).into_bytes(),
            &[("authorization", sd_auth.as_str())],
        );
        let sd = &sd;
        async move {
            let t = Instant::now();
            let resp = search_data::handle(sd, req).await;
            assert_eq!(resp.status(), 200, "search-data against the real server");
            t.elapsed()
        }
    };
    let ring = |n: usize| {
        let req = request(
            "/webhook/client-data",
            fixtures::client_data_body(&caller(n % CALLERS)).into_bytes(),
            &[("authorization", cd_auth.as_str())],
        );
        let cd = &cd;
        async move {
            let t = Instant::now();
            let resp = client_data::handle(cd, req).await;
            assert_eq!(resp.status(), 200, "client-data against the real server");
            t.elapsed()
        }
    };
    let mut rows = Vec::new();
    for (name, goal) in [("search-data", true), ("client-data", false)] {
        let before = counted.requests();
        let mut one = Samples::default();
        for i in 0..SEQUENTIAL {
            one.push(match name {
                "search-data" => search(i).await,
                _ => ring(i).await,
            });
        }
        let per_call = (counted.requests() - before) as f64 / SEQUENTIAL as f64;
        let mut many = Samples::default();
        for round in 0..ROUNDS {
            let batch = (0..CONCURRENT).map(|i| {
                let n = round * CONCURRENT + i;
                async move {
                    match name {
                        "search-data" => search(n).await,
                        _ => ring(n).await,
                    }
                }
            });
            many.extend(futures::future::join_all(batch).await);
        }
        let p99 = one.p99();
        rows.push(Row::new(
            SECTION,
            format!("{name}, {label}; one at a time (n={SEQUENTIAL}), store calls per request {per_call:.2}"),
            format!("p50 {} · p99 {}", ms(one.p50()), ms(p99)),
            if goal { "p99 ≤ 100 ms" } else { "" },
            if goal { Verdict::of(p99 <= Duration::from_millis(100)) } else { Verdict::Info },
        ));
        rows.push(Row::info(
            SECTION,
            format!("{name}, {label}; {CONCURRENT} at once × {ROUNDS}"),
            format!("p50 {} · p99 {}", ms(many.p50()), ms(many.p99())),
        ));
    }
    rows
}

/// What the server's own query costs (search-data no longer waits for it).
async fn raw_query(url: &str, key: Option<&str>) -> Row {
    let http = reqwest::Client::new();
    let mut parts = Vec::new();
    for k in [10, 40] {
        let mut samples = Samples::default();
        for i in 0..5 {
            // A different text each time: the server caches identical bodies for 60 s.
            let text = format!("{} {k} {i}", fixtures::SEARCH_QUERY);
            let mut req = http
                .post(format!("{url}/memory/query"))
                .json(&serde_json::json!({
                    "query": text, "k": k,
                    "filters": { "user_id": fixtures::memory_user(&caller(0)).as_str() }
                }));
            if let Some(key) = key {
                req = req.header("x-api-key", key);
            }
            let t = Instant::now();
            let ok = req.send().await.map(|r| r.status().is_success());
            samples.push(t.elapsed());
            if !matches!(ok, Ok(true)) {
                return Row::info(SECTION, "the server's /memory/query", "failed");
            }
        }
        parts.push(format!("k={k} p50 {}", ms(samples.p50())));
    }
    Row::info(
        SECTION,
        "for comparison: the server's own /memory/query over every caller's vectors (n=5 each; off in search-data by default)",
        parts.join(" · "),
    )
}

/// A store that counts the calls made through it.
struct Counted {
    inner: OpenMemoryStore,
    calls: AtomicU64,
}

impl Counted {
    fn new(inner: OpenMemoryStore) -> Self {
        Self {
            inner,
            calls: AtomicU64::new(0),
        }
    }

    fn requests(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl MemoryStore for Counted {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        self.count();
        self.inner.add(user, memory).await
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        self.count();
        self.inner.recent(user, limit).await
    }

    async fn query(
        &self,
        user: &MemoryUser,
        query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError> {
        self.count();
        self.inner.query(user, query, k).await
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        self.count();
        self.inner.delete_all(user).await
    }
}
