//! How fast local ranking is: one query over a caller with 500 realistic
//! memories (facts, split summaries, caller turns and snapshots of 25
//! calls). The goal is at most 1 ms per query in release: it runs on every
//! search-data call, inside the voice agent's turn.
//!
//! `cargo bench -p shared --bench rank`

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::Map;
use shared::memory::rank::rank;
use shared::memory::{Memory, MemoryKind};
use testkit::words::{Rng, ENDINGS, OPENERS, SUBJECTS};

const NOW: i64 = 1_750_000_000;
const CALLS: i64 = 25;

const FIELDS: [(&str, &[&str]); 8] = [
    ("name", &["Angelo", "Angelo Rossi"]),
    ("city", &["Paris", "Lyon", "Rome"]),
    ("dog_name", &["Biscuit", "Rex"]),
    ("preferred_time", &["mornings", "after 5 pm", "Tuesdays"]),
    ("insurance", &["Allianz", "AXA", "none"]),
    ("reason", &["booking", "rescheduling", "billing question"]),
    ("allergies", &["penicillin", "latex", "none"]),
    ("dentist", &["Dr. Martin", "Dr. Chen"]),
];

fn memory(id: usize, kind: MemoryKind, content: String, call: i64) -> Memory {
    let call_time = NOW - (CALLS - call) * 7 * 86_400;
    Memory {
        id: format!("m{id}"),
        content,
        kind,
        conversation_id: Some(format!("conv_{call}")),
        call_time: Some(call_time),
        turn: None,
        field: None,
        metadata: Map::new(),
        created_at_ms: call_time * 1_000 + id as i64,
    }
}

/// 500 memories: per call 3 facts, a summary in 2 parts, a snapshot and
/// 14 caller turns.
fn caller_memories() -> Vec<Memory> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(500);
    for call in 0..CALLS {
        for _ in 0..3 {
            let (field, values) = FIELDS[out.len() % FIELDS.len()];
            let mut m = memory(
                out.len(),
                MemoryKind::Fact,
                format!("{field}: {}.", rng.pick(values)),
                call,
            );
            m.field = Some(field.to_owned());
            out.push(m);
        }
        out.push(memory(
            out.len(),
            MemoryKind::Summary,
            format!(
                "Call on 2025-03-{:02}: The caller asked about {} and {}, and the agent explained the options.",
                call + 1,
                rng.pick(&SUBJECTS),
                rng.pick(&SUBJECTS)
            ),
            call,
        ));
        out.push(memory(
            out.len(),
            MemoryKind::Summary,
            format!(
                "They agreed to follow up about {} {}",
                rng.pick(&SUBJECTS),
                rng.pick(&ENDINGS)
            ),
            call,
        ));
        out.push(memory(
            out.len(),
            MemoryKind::Snapshot,
            "Caller profile as of 2025-03-01 (3 calls): name Angelo; city Paris.".to_owned(),
            call,
        ));
        for _ in 0..14 {
            let text = format!(
                "{} {} {}",
                rng.pick(&OPENERS),
                rng.pick(&SUBJECTS),
                rng.pick(&ENDINGS)
            );
            out.push(memory(out.len(), MemoryKind::Utterance, text, call));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let memories = caller_memories();
    assert_eq!(memories.len(), 500);
    let mut group = c.benchmark_group("rank_500_memories");
    for (name, query) in [
        ("short", "what's my dog's name"),
        (
            "long",
            "when is my next cleaning appointment and did you get the invoice from my insurance",
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| rank(std::hint::black_box(query), &memories, NOW))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
