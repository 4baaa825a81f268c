//! The whole set: every caller's year simulated, their calls merged in
//! delivery order, their questions asked and numbered, and the set's
//! meta.

use super::ask;
use super::bank;
use super::history::{simulate, History};
use super::rng::Rng;
use super::world::{CALLERS, NOW, SEED};
use crate::dataset::{CallerInfo, Dataset, Meta};

/// The full set: every caller of the roster.
pub fn generate() -> Dataset {
    generate_callers(CALLERS)
}

/// The set restricted to the first `callers` callers of the roster.
pub fn generate_callers(callers: usize) -> Dataset {
    let histories: Vec<History> = bank::ROSTER
        .iter()
        .take(callers)
        .enumerate()
        .map(|(i, persona)| simulate(persona, i, None))
        .collect();
    assemble(&histories)
}

/// One caller with `calls` calls: a long history, for latency at a
/// thousand memories. Not part of the quality set.
pub fn heavy(calls: usize) -> Dataset {
    assemble(&[simulate(&bank::HEAVY, 99, Some(calls))])
}

fn assemble(histories: &[History]) -> Dataset {
    let mut calls: Vec<(i64, &str, &str)> = Vec::new();
    let mut questions = Vec::new();
    let mut callers = Vec::new();
    for h in histories {
        for c in &h.calls {
            calls.push((c.start, c.conversation.as_str(), c.body.as_str()));
        }
        callers.push(CallerInfo {
            number: h.life.number.clone(),
            name: h.life.full_name(),
            conversations: h.calls.iter().map(|c| c.conversation.clone()).collect(),
        });
        let mut rng = Rng::new(SEED ^ 0xa5a5_0000 ^ h.index as u64);
        questions.extend(ask::questions(h, &mut rng));
    }
    calls.sort();
    for (i, q) in questions.iter_mut().enumerate() {
        q.id = format!("q{:03}", i + 1);
    }
    Dataset {
        meta: Meta {
            seed: SEED,
            now: NOW,
            now_utc: "2025-06-18T16:00:00Z".into(),
            calls: calls.len(),
            questions: questions.len(),
            callers,
        },
        calls: calls.into_iter().map(|(_, _, b)| b.to_owned()).collect(),
        questions,
    }
}
