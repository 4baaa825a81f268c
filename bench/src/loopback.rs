//! Section 2: the handlers served over loopback HTTP, with the real
//! OpenMemory client talking to the fake OpenMemory server, which holds
//! every answer for an injected latency.
//!
//! "Above latency" is a request's total minus the injected latency: what
//! our code, both HTTP hops and the fake cost. Load generator, handler
//! server and fake share this process and its two cores, so 50 requests
//! at once also measure queueing that 50 Lambda instances would not have;
//! the one-at-a-time row shows a single request's own cost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use shared::config::{ClientDataConfig, PostCallConfig, SearchDataConfig};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::{DynMemoryStore, MemoryKind, MemoryStore, NewMemory};
use shared::storage::DynPayloadStore;
use testkit::fake_openmemory::FakeOpenMemory;
use testkit::serve::{serve, Server};

use crate::fixtures::{self, bearer, caller};
use crate::stats::{above, ms, Row, Samples, Verdict};
use crate::stores::MemPayloads;

const SECTION: &str = "2 · loopback, OpenMemory +20 ms";
const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENT: usize = 50;
const ROUNDS: usize = 4;
const GOAL_ABOVE: Duration = Duration::from_millis(2);

/// The loopback rows.
pub async fn run() -> Vec<Row> {
    let fake = FakeOpenMemory::start(None).await;
    let om = Arc::new(
        OpenMemoryStore::new(&fake.url(), None, Duration::from_secs(5)).expect("OpenMemory client"),
    );
    let memory: DynMemoryStore = om.clone();
    let cd_caller = caller(11);
    let sd_caller = caller(12);
    let pc_caller = caller(13);
    // Seeded without latency: set-up, not measurement.
    fixtures::seed_calls(memory.as_ref(), &cd_caller, 4, 3, "lcd").await;
    fixtures::seed_calls(memory.as_ref(), &sd_caller, 20, 5, "lsd").await;
    fixtures::seed_calls(memory.as_ref(), &pc_caller, 2, 3, "lpc").await;
    let sd_memories = fake
        .memories_of(fixtures::memory_user(&sd_caller).as_str())
        .len();
    fake.set_latency(LATENCY);

    let env = fixtures::env(&[]);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(2 * CONCURRENT)
        .build()
        .expect("HTTP client");
    let mut rows = Vec::new();

    // client-data
    let cd = Arc::new(client_data::App {
        config: ClientDataConfig::from_env(&env).expect("client-data config"),
        store: memory.clone(),
    });
    let server = serve(move |req| {
        let app = cd.clone();
        async move { client_data::handle(&app, req).await }
    })
    .await;
    let call = Call {
        http: http.clone(),
        url: format!("{}/webhook/client-data", server.url()),
        body: fixtures::client_data_body(&cd_caller),
        headers: vec![("authorization", bearer(fixtures::CLIENT_DATA_KEY))],
        expect: "Welcome back, Angelo Rossi",
    };
    let before = fake.request_count();
    call.send().await;
    let one_call = fake.request_count() - before;
    rows.extend(
        measure(
            &call,
            &fake,
            "client-data",
            &format!("store round trips per call: {one_call} (must be 1)"),
            one_call == 1,
        )
        .await,
    );
    drop(server);

    // search-data
    let sd = Arc::new(search_data::App {
        config: SearchDataConfig::from_env(&env).expect("search-data config"),
        store: memory.clone(),
    });
    let server = serve(move |req| {
        let app = sd.clone();
        async move { search_data::handle(&app, req).await }
    })
    .await;
    let call = Call {
        http: http.clone(),
        url: format!("{}/webhook/search-data", server.url()),
        body: fixtures::search_body(&sd_caller),
        headers: vec![("authorization", bearer(fixtures::SEARCH_DATA_KEY))],
        expect: "\"known_caller\":true",
    };
    let before = fake.request_count();
    call.send().await;
    let one_call = fake.request_count() - before;
    rows.extend(
        measure(
            &call,
            &fake,
            &format!("search-data ({sd_memories} memories)"),
            &format!("store requests per call: {one_call} (list + query, concurrent)"),
            one_call == 2,
        )
        .await,
    );
    drop(server);

    rows.extend(post_call(&fake, &om, &memory, &http, &pc_caller).await);
    rows
}

/// One webhook, ready to send.
struct Call {
    http: reqwest::Client,
    url: String,
    body: String,
    headers: Vec<(&'static str, String)>,
    /// Text the answer must contain.
    expect: &'static str,
}

impl Call {
    /// Sends it; returns how long the whole exchange took.
    async fn send(&self) -> Duration {
        let mut req = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(self.body.clone());
        for (k, v) in &self.headers {
            req = req.header(*k, v);
        }
        let start = Instant::now();
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("answer");
        let took = start.elapsed();
        assert!(
            status == 200 && text.contains(self.expect),
            "unexpected answer {status}: {text}"
        );
        took
    }
}

/// 50 at once for a few rounds, then one at a time; two rows.
async fn measure(
    call: &Call,
    fake: &FakeOpenMemory,
    name: &str,
    round_trips: &str,
    round_trips_ok: bool,
) -> Vec<Row> {
    // Warm-up round: connections to the handler and to the fake.
    burst(call).await;
    let mut concurrent = Samples::default();
    let before = fake.request_count();
    for _ in 0..ROUNDS {
        concurrent.extend(burst(call).await);
    }
    let per_call = (fake.request_count() - before) as f64 / (ROUNDS * CONCURRENT) as f64;
    let mut serial = Samples::default();
    for _ in 0..CONCURRENT {
        serial.push(call.send().await);
    }
    let over = above(concurrent.p99(), LATENCY);
    vec![
        Row::new(
            SECTION,
            format!("{name}, {CONCURRENT} concurrent × {ROUNDS} rounds; {round_trips}; {per_call:.2} per call under load"),
            format!(
                "total p50 {} · p99 {}; above latency p50 {} · p99 {}",
                ms(concurrent.p50()),
                ms(concurrent.p99()),
                ms(above(concurrent.p50(), LATENCY)),
                ms(over)
            ),
            format!("p99 above latency ≤ {}; round trips as stated", ms(GOAL_ABOVE)),
            Verdict::of(over <= GOAL_ABOVE && round_trips_ok),
        ),
        Row::info(
            SECTION,
            format!("{name}, one at a time (n={CONCURRENT}): a request's own overhead"),
            format!(
                "total p50 {} · p99 {}; above latency p50 {} · p99 {}",
                ms(serial.p50()),
                ms(serial.p99()),
                ms(above(serial.p50(), LATENCY)),
                ms(above(serial.p99(), LATENCY))
            ),
        ),
    ]
}

/// `CONCURRENT` requests at once, each on its own task.
async fn burst(call: &Call) -> Vec<Duration> {
    let tasks = (0..CONCURRENT).map(|_| {
        let (http, url, body, headers, expect) = (
            call.http.clone(),
            call.url.clone(),
            call.body.clone(),
            call.headers.clone(),
            call.expect,
        );
        tokio::spawn(async move {
            Call {
                http,
                url,
                body,
                headers,
                expect,
            }
            .send()
            .await
        })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("request task"))
        .collect()
}

const DELIVERIES: usize = 6;

/// Post-call ingestion of one 50-turn call at several `INGEST_CONCURRENCY`
/// values, against the latency of one add.
async fn post_call(
    fake: &FakeOpenMemory,
    om: &Arc<OpenMemoryStore>,
    memory: &DynMemoryStore,
    http: &reqwest::Client,
    customer: &str,
) -> Vec<Row> {
    let user = fixtures::memory_user(customer);
    // One add's latency: fresh texts, so no dedupe round trips.
    let mut adds = Samples::default();
    let mut rng = fixtures::Rng(0x5eed);
    for _ in 0..10 {
        let m = NewMemory::new(MemoryKind::Utterance, fixtures::utterance(&mut rng));
        let start = Instant::now();
        om.add(&user, &m).await.expect("add");
        adds.push(start.elapsed());
    }
    let one_add = adds.p50();
    let mut rows = vec![Row::info(
        SECTION,
        "one OpenMemory add through the client (n=10)",
        format!("p50 {} · p99 {}", ms(one_add), ms(adds.p99())),
    )];
    let payloads: DynPayloadStore = Arc::new(MemPayloads::default());
    let mut seq = 0u64;
    for concurrency in [8usize, 16, 32] {
        let env = fixtures::env(&[("INGEST_CONCURRENCY", &concurrency.to_string())]);
        let app = Arc::new(post_call::App::new(
            PostCallConfig::from_env(&env).expect("post-call config"),
            memory.clone(),
            payloads.clone(),
        ));
        let server: Server = serve(move |req| {
            let app = app.clone();
            async move { post_call::handle(&app, req).await }
        })
        .await;
        let url = format!("{}/webhook/post-call", server.url());
        let mut totals = Samples::default();
        let mut requests = Vec::new();
        let mut adds_planned = 0;
        // The first delivery warms the connections.
        for i in 0..=DELIVERIES {
            seq += 1;
            let body = fixtures::transcription(
                &format!("conv_loop_{seq:04}"),
                customer,
                shared::dates::now_unix_secs() - 600,
                3,
                1_000 + seq,
            );
            adds_planned = shared::memory::ingest::plan(&fixtures::call_of(&body), None)
                .memories
                .len();
            let call = Call {
                http: http.clone(),
                url: url.clone(),
                headers: vec![("elevenlabs-signature", fixtures::signature(body.as_bytes()))],
                body,
                expect: "\"memories\":\"ingested\"",
            };
            let before = fake.request_count();
            let took = call.send().await;
            if i > 0 {
                totals.push(took);
                requests.push(fake.request_count() - before);
            }
        }
        requests.sort_unstable();
        let ratio = totals.p50().as_secs_f64() / one_add.as_secs_f64();
        rows.push(Row::new(
            SECTION,
            format!(
                "post-call ingest, {}-turn call of a returning caller, INGEST_CONCURRENCY={concurrency} (n={DELIVERIES}); 1 list + {adds_planned} adds + snapshot; fake saw {}–{} requests",
                fixtures::TURNS,
                requests.first().copied().unwrap_or(0),
                requests.last().copied().unwrap_or(0),
            ),
            format!(
                "total p50 {} · max {} = {ratio:.1}× one add",
                ms(totals.p50()),
                ms(totals.pct(100.0))
            ),
            "≤ 3× one add",
            Verdict::of(ratio <= 3.0),
        ));
    }
    rows
}
