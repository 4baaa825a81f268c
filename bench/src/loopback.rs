//! Section 2: the handlers served over loopback HTTP, with the real
//! OpenMemory client talking to the fake OpenMemory server, which holds
//! every answer for an injected latency.
//!
//! "Above 20 ms" is a request's total minus the injected latency: what our
//! code, both HTTP hops and the fake cost. The floor row (a bare request to
//! the fake) shows the part any request pays, the fake's timer rounding
//! its sleep up included. Load generator, handler server and fake share
//! this process and its two cores, so 50 requests at once also measure
//! queueing that 50 Lambda instances would not have; the one-at-a-time
//! rows show a single request's own cost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use shared::config::{ClientDataConfig, SearchDataConfig};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::{DynMemoryStore, MemoryStore};
use testkit::fake_openmemory::FakeOpenMemory;
use testkit::serve::serve;

use crate::fixtures::{self, bearer, caller};
use crate::stats::{above, ms, Row, Samples, Verdict};

pub(crate) const SECTION: &str = "2 · loopback, OpenMemory +20 ms";
const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENT: usize = 50;
const ROUNDS: usize = 10;
const SERIAL: usize = 100;
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
    // Enough calls for 500 memories and more (an agent line said on an
    // earlier call is not stored again).
    fixtures::seed_calls(memory.as_ref(), &sd_caller, 30, 5, "lsd").await;
    fixtures::seed_calls(memory.as_ref(), &pc_caller, 2, 3, "lpc").await;
    let sd_memories = fake
        .memories_of(fixtures::memory_user(&sd_caller).as_str())
        .len();
    let bare_http = reqwest::Client::new();
    let mut rows = vec![
        fake_own_time(&fake, &bare_http, &cd_caller, &sd_caller).await,
        client_time(&om, &cd_caller, &sd_caller).await,
    ];
    fake.set_latency(LATENCY);
    let bare = bare_round_trips(&fake, &bare_http).await;
    rows.push(Row::info(
        SECTION,
        "floor: a bare `GET /health` to the fake at +20 ms, one at a time (n=100); tokio's 1 ms timer rounds its sleep up",
        format!("p50 {} · p99 {}", ms(bare.p50()), ms(bare.p99())),
    ));

    // Deadlines far out: this measures latency, which a deadline would
    // only cut short (and turn into a different answer).
    // OPENMEMORY_URL: the functions configure themselves as deployed
    // against OpenMemory (search-data then skips the store's own query).
    let url = fake.url();
    let env = fixtures::env(&[
        ("CLIENT_DATA_DEADLINE_MS", "30000"),
        ("SEARCH_DATA_DEADLINE_MS", "30000"),
        ("OPENMEMORY_URL", &url),
    ]);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(2 * CONCURRENT)
        .build()
        .expect("HTTP client");

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
            &bare,
            "client-data",
            &format!("store round trips per call: {one_call} (must be 1)"),
            one_call == 1,
        )
        .await,
    );
    drop(server);

    // search-data
    let sd = Arc::new(search_data::App::new(
        SearchDataConfig::from_env(&env).expect("search-data config"),
        memory.clone(),
    ));
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
            &bare,
            &format!("search-data ({sd_memories} memories)"),
            &format!("store requests per call: {one_call} (the caller's listing; no conversation_id, so not cached)"),
            true,
        )
        .await,
    );
    drop(server);
    let cached = crate::search_cache::rows(
        SECTION,
        &fake,
        &memory,
        &env,
        &http,
        &sd_caller,
        sd_memories,
    );
    rows.extend(cached.await);

    let users = [cd_caller.clone(), sd_caller.clone(), pc_caller.clone()];
    rows.extend(crate::ingestion::rows(&fake, &om, &memory, &http, &pc_caller, &users).await);
    rows
}

/// One webhook, ready to send.
pub(crate) struct Call {
    pub(crate) http: reqwest::Client,
    pub(crate) url: String,
    pub(crate) body: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Text the answer must contain.
    pub(crate) expect: &'static str,
}

impl Call {
    /// Sends it; returns how long the whole exchange took.
    pub(crate) async fn send(&self) -> Duration {
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

/// 50 at once for a few rounds, then one at a time; two rows. `bare` is
/// a bare round trip to the fake at the same latency: what is above it
/// is our code and the hops, without the fake's timer rounding.
async fn measure(
    call: &Call,
    fake: &FakeOpenMemory,
    bare: &Samples,
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
    for _ in 0..SERIAL {
        serial.push(call.send().await);
    }
    let over = above(concurrent.p99(), LATENCY);
    vec![
        Row::new(
            SECTION,
            format!("{name}, {CONCURRENT} concurrent × {ROUNDS} rounds; {round_trips}; {per_call:.2} per call under load"),
            format!(
                "total p50 {} · p99 {}; above 20 ms p50 {} · p99 {}",
                ms(concurrent.p50()),
                ms(concurrent.p99()),
                ms(above(concurrent.p50(), LATENCY)),
                ms(over)
            ),
            format!("p99 above 20 ms ≤ {}; round trips as stated", ms(GOAL_ABOVE)),
            Verdict::of(over <= GOAL_ABOVE && round_trips_ok),
        ),
        Row::new(
            SECTION,
            format!("{name}, one at a time (n={SERIAL}): one request's own overhead, as one Lambda instance sees it"),
            format!(
                "total p50 {} · p99 {}; above 20 ms p50 {} · p99 {}; above the bare round trip p50 {} · p99 {}",
                ms(serial.p50()),
                ms(serial.p99()),
                ms(above(serial.p50(), LATENCY)),
                ms(above(serial.p99(), LATENCY)),
                ms(above(serial.p50(), bare.p50())),
                ms(above(serial.p99(), bare.p50())),
            ),
            format!("p99 above 20 ms ≤ {}", ms(GOAL_ABOVE)),
            Verdict::of(above(serial.p99(), LATENCY) <= GOAL_ABOVE),
        ),
    ]
}

/// Bare round trips to the fake (`GET /health`), one at a time.
async fn bare_round_trips(fake: &FakeOpenMemory, http: &reqwest::Client) -> Samples {
    let url = format!("{}/health", fake.url());
    let mut samples = Samples::default();
    for i in 0..=100 {
        let start = Instant::now();
        let resp = http.get(&url).send().await.expect("health");
        let _ = resp.bytes().await.expect("health body");
        if i > 0 {
            samples.push(start.elapsed());
        }
    }
    samples
}

/// The same requests through our OpenMemory client, answers parsed into
/// memories (no injected latency): the client's share is this minus the
/// fake's own time.
async fn client_time(om: &OpenMemoryStore, cd_caller: &str, sd_caller: &str) -> Row {
    let cd = fixtures::memory_user(cd_caller);
    let sd = fixtures::memory_user(sd_caller);
    let (mut list25, mut list500, mut query) =
        (Samples::default(), Samples::default(), Samples::default());
    for i in 0..=50 {
        let start = Instant::now();
        om.recent(&cd, 25).await.expect("list");
        let a = start.elapsed();
        let start = Instant::now();
        let n = om.recent(&sd, 2_000).await.expect("list").len();
        let b = start.elapsed();
        let start = Instant::now();
        om.query(&sd, fixtures::SEARCH_QUERY, 20)
            .await
            .expect("query");
        let c = start.elapsed();
        assert!(n >= 500);
        if i > 0 {
            list25.push(a);
            list500.push(b);
            query.push(c);
        }
    }
    Row::info(
        SECTION,
        "the same through our OpenMemory client, answers parsed into memories (n=50)",
        format!(
            "list 25 p50 {} · list of 500 p50 {} · query p50 {}",
            ms(list25.p50()),
            ms(list500.p50()),
            ms(query.p50())
        ),
    )
}

/// How long the fake itself takes to answer the requests the handlers
/// make (bare HTTP, answers not parsed, no injected latency): its share of
/// "above latency". The real server's share is part of its own latency.
async fn fake_own_time(
    fake: &FakeOpenMemory,
    http: &reqwest::Client,
    cd_caller: &str,
    sd_caller: &str,
) -> Row {
    let enc = |n: &str| n.replace('+', "%2B");
    let requests = [
        (
            "list 25",
            http.get(format!(
                "{}/users/{}/memories?l=25&u=0",
                fake.url(),
                enc(cd_caller)
            )),
        ),
        (
            "list of 500",
            http.get(format!(
                "{}/users/{}/memories?l=2000&u=0",
                fake.url(),
                enc(sd_caller)
            )),
        ),
        (
            "query",
            http.post(format!("{}/memory/query", fake.url()))
                .json(&serde_json::json!({
                    "query": fixtures::SEARCH_QUERY, "k": 80, "filters": { "user_id": sd_caller }
                })),
        ),
    ];
    let mut parts = Vec::new();
    for (name, req) in requests {
        let mut samples = Samples::default();
        for i in 0..=50 {
            let req = req.try_clone().expect("a cloneable request");
            let start = Instant::now();
            let resp = req.send().await.expect("fake request");
            let bytes = resp.bytes().await.expect("fake answer");
            if i > 0 {
                samples.push(start.elapsed());
            }
            if i == 0 && name == "list of 500" {
                parts.push(format!("(answer {} kB)", bytes.len() / 1_000));
            }
        }
        parts.push(format!("{name} p50 {}", ms(samples.p50())));
    }
    Row::info(
        SECTION,
        format!(
            "the fake's own answer time, bare HTTP, no injected latency (n=50, {} memories stored)",
            fake.count()
        ),
        parts.join(" · "),
    )
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
