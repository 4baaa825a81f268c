//! Section 2's ingestion rows: post-call ingesting a 50-turn call over
//! loopback HTTP, through the real OpenMemory client to the fake at
//! +20 ms, at several `INGEST_CONCURRENCY`, against one add.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use shared::config::PostCallConfig;
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::{DynMemoryStore, MemoryKind, MemoryStore, NewMemory};
use shared::storage::DynPayloadStore;
use testkit::fake_openmemory::FakeOpenMemory;
use testkit::serve::{serve, Server};

use crate::fixtures;
use crate::loopback::{Call, SECTION};
use crate::stats::{ms, Row, Samples, Verdict};
use crate::stores::MemPayloads;

const DELIVERIES: usize = 20;

/// Post-call ingestion of one 50-turn call at several `INGEST_CONCURRENCY`
/// values, against the latency of one add.
///
/// Two kinds of call: one whose every memory is new to the server (the
/// structure alone: list, waves of adds, snapshot), and a returning
/// caller's usual call (the caller's fifth and later: round 0 warms up),
/// whose facts (name, city, dog) repeat earlier calls word for word.
/// Ingestion does not write a fact again whose value an earlier call
/// stored; what OpenMemory still dedupes (a turn said word for word
/// before) the client checks (one GET) and adds again with a
/// distinguishing clause.
pub async fn rows(
    fake: &FakeOpenMemory,
    om: &Arc<OpenMemoryStore>,
    memory: &DynMemoryStore,
    http: &reqwest::Client,
    customer: &str,
    users: &[String],
) -> Vec<Row> {
    let user = fixtures::memory_user(customer);
    let mut rng = fixtures::Rng(0x5eed);
    // One add's latency: texts new to the server, one request each.
    let mut adds = Samples::default();
    while adds.len() < 10 {
        let m = NewMemory::new(MemoryKind::Utterance, fixtures::utterance(&mut rng));
        let before = fake.request_count();
        let start = Instant::now();
        om.add(&user, &m).await.expect("add");
        let took = start.elapsed();
        if fake.request_count() - before == 1 {
            adds.push(took);
        }
    }
    let one_add = adds.p50();
    let mut rows = vec![Row::info(
        SECTION,
        "one OpenMemory add through the client (n=10)",
        format!("p50 {} · p99 {}", ms(one_add), ms(adds.p99())),
    )];
    let payloads: DynPayloadStore = Arc::new(MemPayloads::default());
    let configs = [
        (true, 8usize),
        (true, 16),
        (true, 32),
        (false, 8),
        (false, 32),
    ];
    let mut servers = Vec::new();
    for (_, concurrency) in configs {
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
        servers.push(server);
    }
    let mut totals = vec![Samples::default(); configs.len()];
    let mut requests = vec![Vec::new(); configs.len()];
    let mut planned = vec![0; configs.len()];
    let mut seq = 0u64;
    // Round-robin over the configurations, so noise from the rest of the
    // machine falls on all of them alike. Round 0 warms the connections.
    for round in 0..=DELIVERIES {
        for (k, &(fresh, _)) in configs.iter().enumerate() {
            seq += 1;
            let body = if fresh {
                unseen_call(fake, om, users, customer, seq, &mut rng).await
            } else {
                fixtures::transcription(
                    &format!("conv_loop_{seq:04}"),
                    customer,
                    shared::dates::now_unix_secs() - 600,
                    3,
                    1_000 + seq,
                )
            };
            planned[k] = shared::memory::ingest::plan(&fixtures::call_of(&body), None)
                .memories
                .len();
            let call = Call {
                http: http.clone(),
                url: format!("{}/webhook/post-call", servers[k].url()),
                headers: vec![("elevenlabs-signature", fixtures::signature(body.as_bytes()))],
                body,
                expect: "\"memories\":\"ingested\"",
            };
            let before = fake.request_count();
            let took = call.send().await;
            if round > 0 {
                totals[k].push(took);
                requests[k].push(fake.request_count() - before);
            }
        }
    }
    for (k, &(fresh, concurrency)) in configs.iter().enumerate() {
        let requests = &mut requests[k];
        requests.sort_unstable();
        let totals = &totals[k];
        let ratio = totals.p50().as_secs_f64() / one_add.as_secs_f64();
        let waves = planned[k].div_ceil(concurrency);
        let what = format!(
            "post-call ingest, {}-turn call, {}, INGEST_CONCURRENCY={concurrency} (n={DELIVERIES}): 1 list + {} adds ({waves} wave{}) + snapshot; the fake saw {}–{} requests per call",
            fixtures::TURNS,
            if fresh { "every memory new to the server" } else { "returning caller repeating name, city, dog (5th call on)" },
            planned[k],
            if waves == 1 { "" } else { "s" },
            requests.first().copied().unwrap_or(0),
            requests.last().copied().unwrap_or(0),
        );
        let result = format!(
            "total p50 {} · max {} = {ratio:.1}× one add",
            ms(totals.p50()),
            ms(totals.pct(100.0))
        );
        rows.push(Row::new(
            SECTION,
            what,
            result,
            "≤ 3× one add",
            Verdict::of(ratio <= 3.0),
        ));
    }
    rows
}

/// A call of `customer` none of whose memories the fake would dedupe:
/// each caller turn, the fresh facts, the summary and the snapshot the
/// call will write hash (with the fake's simhash, as weak as OpenMemory's)
/// unlike any stored memory of `users` and unlike each other.
async fn unseen_call(
    fake: &FakeOpenMemory,
    om: &OpenMemoryStore,
    users: &[String],
    customer: &str,
    seq: u64,
    rng: &mut fixtures::Rng,
) -> String {
    use shared::memory::profile::newest_snapshot;
    use testkit::fake_openmemory::simhash;
    let stored: HashSet<u64> = users
        .iter()
        .flat_map(|u| fake.memories_of(fixtures::memory_user(u).as_str()))
        .map(|m| m.simhash)
        .collect();
    // The snapshot merges into the previous one, as ingestion will.
    let recent = om
        .recent(
            &fixtures::memory_user(customer),
            shared::memory::ingest::RECENT_WINDOW,
        )
        .await
        .expect("list");
    let previous = newest_snapshot(&recent).map(|(_, s)| s);
    for attempt in 0..1_000u64 {
        let facts = fixtures::Facts::fresh(rng);
        let mut taken = stored.clone();
        let body = fixtures::transcription_with(
            &format!("conv_loop_{seq:04}"),
            customer,
            shared::dates::now_unix_secs() - 600,
            3,
            50_000 + seq * 100 + attempt,
            Some(&facts),
            &mut |text| taken.insert(simhash(text)),
        );
        let plan = shared::memory::ingest::plan(&fixtures::call_of(&body), previous.as_ref());
        let mut seen = stored.clone();
        if plan
            .memories
            .iter()
            .chain(std::iter::once(&plan.snapshot))
            .all(|m| seen.insert(simhash(&m.content)))
        {
            return body;
        }
    }
    panic!("no call without simhash collisions in 1,000 tries");
}
