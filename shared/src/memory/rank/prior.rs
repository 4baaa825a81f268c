//! Priors: how much a memory counts before its words do (its kind, its
//! speaker, its age, and whether a newer call answered the same field).

use std::collections::HashMap;

use super::{
    recency_key, AGENT_PRIOR, FACT_BOOST, RECENCY_HALF_DAYS, RECENCY_WEIGHT, SUMMARY_BOOST,
    SUPERSEDED_FACT,
};
use crate::memory::{Memory, MemoryKind, Speaker};

/// For each fact field, the newest (call time, conversation) that answered it.
pub(super) fn newest_fact_per_field(
    memories: &[Memory],
) -> HashMap<&str, (Option<i64>, Option<&str>)> {
    let mut newest: HashMap<&str, (Option<i64>, Option<&str>)> = HashMap::new();
    for memory in memories {
        if memory.kind != MemoryKind::Fact {
            continue;
        }
        let Some(field) = memory.field.as_deref() else {
            continue;
        };
        let key = (memory.call_time, memory.conversation_id.as_deref());
        newest
            .entry(field)
            .and_modify(|k| *k = (*k).max(key))
            .or_insert(key);
    }
    newest
}

/// The multiplier for a memory's kind, age, and (for a fact) whether a
/// newer call answered the same field.
pub(super) fn prior(
    memory: &Memory,
    newest_fact: &HashMap<&str, (Option<i64>, Option<&str>)>,
    now_unix_secs: i64,
) -> f64 {
    let kind = match memory.kind {
        MemoryKind::Fact => FACT_BOOST,
        MemoryKind::Summary => SUMMARY_BOOST,
        MemoryKind::Utterance | MemoryKind::Snapshot => match memory.speaker() {
            Speaker::Agent => AGENT_PRIOR,
            Speaker::Caller | Speaker::Both => 1.0,
        },
    };
    let superseded = memory.kind == MemoryKind::Fact
        && memory.field.as_deref().is_some_and(|field| {
            newest_fact.get(field).is_some_and(|&newest| {
                newest > (memory.call_time, memory.conversation_id.as_deref())
            })
        });
    // Saturating: a call time comes from stored metadata.
    let age_days = now_unix_secs.saturating_sub(recency_key(memory).0).max(0) as f64 / 86_400.0;
    let recency = 1.0 + RECENCY_WEIGHT / (1.0 + age_days / RECENCY_HALF_DAYS);
    kind * recency * if superseded { SUPERSEDED_FACT } else { 1.0 }
}
