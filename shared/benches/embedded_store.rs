//! How fast the embedded store is: adds per second at several concurrencies,
//! and one caller's `recent` and `query` latency as the store grows from 10k
//! to 100k memories across 1,000 callers (OpenMemory's query time grows
//! linearly with the total; this store's should barely move).
//!
//! `cargo bench -p shared --bench embedded_store`

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::future::try_join_all;
use shared::caller::{CallerId, Region};
use shared::memory::embedded::EmbeddedStore;
use shared::memory::{MemoryKind, MemoryStore, MemoryUser, NewMemory};

const CALLERS: usize = 1_000;

fn caller(n: usize) -> MemoryUser {
    let id = CallerId::normalise(&format!("+1555{n:07}"), Region::default())
        .expect("a valid bench number");
    MemoryUser::caller(&id)
}

/// A deterministic stream of call-like sentences, so the full-text index
/// sees a realistic spread of common and rare words.
struct Sentences(u64);

impl Sentences {
    const SUBJECTS: [&'static str; 8] = [
        "my daughter",
        "the parcel",
        "my husband",
        "the invoice",
        "our dog",
        "the wedding venue",
        "my account",
        "the new fence",
    ];
    const VERBS: [&'static str; 6] = [
        "needs",
        "was moved to",
        "is waiting for",
        "called about",
        "is due on",
        "asked about",
    ];
    const OBJECTS: [&'static str; 10] = [
        "a refund",
        "Tuesday morning",
        "the delivery address",
        "an appointment in June",
        "the annual subscription",
        "a table for two",
        "the broken heater",
        "Lisbon",
        "a new password",
        "the school trip",
    ];

    fn next_index(&mut self, n: usize) -> usize {
        // LCG: fine for spreading words, and the same run after run.
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    fn next(&mut self, i: usize) -> NewMemory {
        let s = Self::SUBJECTS[self.next_index(Self::SUBJECTS.len())];
        let v = Self::VERBS[self.next_index(Self::VERBS.len())];
        let o = Self::OBJECTS[self.next_index(Self::OBJECTS.len())];
        let mut m = NewMemory::new(
            MemoryKind::Utterance,
            format!("I said {s} {v} {o}, reference {i}"),
        );
        m.conversation_id = Some(format!("conv_{}", i / 10));
        m.call_time = Some(1_700_000_000 + i as i64);
        m.turn = Some((i % 10) as u32);
        m
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("tokio runtime")
}

fn adds(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(dir.path().join("memory.db")).expect("open");
    let users: Vec<MemoryUser> = (0..CALLERS).map(caller).collect();
    let mut sentences = Sentences(1);
    let memories: Vec<NewMemory> = (0..4_096).map(|i| sentences.next(i)).collect();

    let mut group = c.benchmark_group("add");
    for concurrency in [1usize, 8, 32] {
        group.throughput(Throughput::Elements(concurrency as u64));
        group.bench_with_input(
            BenchmarkId::new("concurrent", concurrency),
            &concurrency,
            |b, &n| {
                let mut next = 0usize;
                b.iter(|| {
                    let batch = (0..n).map(|_| {
                        next += 1;
                        store.add(&users[next % CALLERS], &memories[next % memories.len()])
                    });
                    rt.block_on(try_join_all(batch)).expect("add")
                });
            },
        );
    }
    group.finish();
}

fn reads(c: &mut Criterion) {
    let rt = runtime();
    let users: Vec<MemoryUser> = (0..CALLERS).map(caller).collect();
    for total in [10_000usize, 100_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = EmbeddedStore::open(dir.path().join("memory.db")).expect("open");
        let started = Instant::now();
        let mut sentences = Sentences(7);
        let rows: Vec<(&MemoryUser, NewMemory)> = (0..total)
            .map(|i| (&users[i % CALLERS], sentences.next(i)))
            .collect();
        let n = store
            .bulk_insert_for_bench(rows.iter().map(|(u, m)| (*u, m)))
            .expect("bulk insert");
        eprintln!(
            "built {n} memories across {CALLERS} callers in {:.1?}",
            started.elapsed()
        );

        let mut group = c.benchmark_group(format!("read_{}k", total / 1_000));
        let mut next = 0usize;
        group.bench_function("recent_20", |b| {
            b.iter(|| {
                next += 1;
                let memories = rt
                    .block_on(store.recent(&users[next % CALLERS], 20))
                    .expect("recent");
                assert_eq!(memories.len(), 20.min(total / CALLERS));
                memories
            })
        });
        group.bench_function("query_10", |b| {
            b.iter(|| {
                next += 1;
                let hits = rt
                    .block_on(store.query(
                        &users[next % CALLERS],
                        "when is my daughter's appointment in June?",
                        10,
                    ))
                    .expect("query");
                assert!(!hits.is_empty());
                hits
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = adds, reads
}
criterion_main!(benches);
