//! What one finished call leaves behind in a caller's memory.
//!
//! [`plan`] is pure (see [`plan`'s module](self::plan)); [`ingest`]
//! writes it: memories concurrently, the snapshot started last (so it is
//! among the newest [`profile::SNAPSHOT_WINDOW`] the greeting reads), and
//! on a retry only what an earlier attempt did not store.
//!
//! Memories are at most [`MAX_TEXT_CHARS`] characters and end a sentence.
//! OpenMemory keeps only whole sentences of long content (and can store
//! unpunctuated text as an empty string), so its client sends a shortened
//! content and keeps the full text in metadata.

mod filler;
mod plan;
mod split;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, StreamExt};
use serde_json::Value;

pub use self::filler::is_filler;
pub use self::plan::{plan, turns, Plan, Turn, SHORT_ANSWER_WORDS};
pub use self::split::split_text;
use super::profile;
use super::{Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser, NewMemory, Speaker};
use crate::models::TranscriptionData;

/// Longest text memory, in characters: a turn is kept whole up to here (a
/// minute of speech); only a monologue is split.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Longest snapshot description: safely under OpenMemory's ~200, so the
/// server stores it as sent.
pub const SNAPSHOT_TEXT_CHARS: usize = 180;

pub use super::profile::LANGUAGE_FIELD;

/// Most adds in flight at once: fewer than [`profile::SNAPSHOT_WINDOW`], so
/// the snapshot, started last, is always among the newest memories.
pub const MAX_CONCURRENCY: usize = profile::SNAPSHOT_WINDOW - 8;

/// Most memories one call writes (besides its snapshot): a two-hour call
/// has a few hundred turns, while a 6 MB transcript could make 30,000,
/// each an add on the store. Facts and the summary come first in a plan,
/// so what is cut is the call's latest turns.
pub const MAX_MEMORIES_PER_CALL: usize = 1_500;

/// How many of the caller's newest memories [`ingest`] reads to find the
/// previous snapshot and what an earlier attempt already stored.
pub const RECENT_WINDOW: usize = 2_000;

/// Adds one memory, unless an earlier add failed: checked when the add
/// would start, so after a failure no further adds are sent. `None` when
/// not sent.
async fn add_unless_failed(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    memory: &NewMemory,
    failed: &AtomicBool,
) -> Option<Result<String, MemoryError>> {
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    let result = store.add(user, memory).await;
    if result.is_err() {
        failed.store(true, Ordering::Relaxed);
    }
    Some(result)
}

/// What ingestion did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Memories added, the snapshot included.
    pub added: usize,
    /// Planned memories already stored by an earlier attempt, the snapshot
    /// included.
    pub skipped: usize,
}

/// What identifies a planned memory within its conversation.
type PlannedId = (MemoryKind, Option<u32>, u64, Option<String>);

fn identity_of_new(memory: &NewMemory) -> PlannedId {
    let part = memory
        .extra
        .get("part")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    (memory.kind, memory.turn, part, memory.field.clone())
}

fn identity_of_stored(memory: &Memory) -> PlannedId {
    (
        memory.kind,
        memory.turn,
        profile::part_of(memory),
        memory.field.clone(),
    )
}

/// Writes a call's memories for `user`: at most `concurrency` adds at once
/// (clamped to [`MAX_CONCURRENCY`]), the snapshot started last.
///
/// One list call finds the previous snapshot and what an earlier attempt at
/// this conversation stored, so running ingestion again (a webhook retry,
/// or after a partial failure) adds only what is missing. The snapshot
/// joins the last wave of adds instead of waiting for it: the greeting
/// finds the newest snapshot by its call's time, and at most
/// `concurrency - 1` adds can land after it, so it stays within the
/// [`profile::SNAPSHOT_WINDOW`] newest memories. A retry that adds
/// anything re-adds the snapshot after them, for the same reason. On a
/// failed add no further adds start; those in flight finish, then the
/// first error is returned.
pub async fn ingest(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    call: &TranscriptionData,
    concurrency: usize,
) -> Result<Report, MemoryError> {
    let recent = store.recent(user, RECENT_WINDOW).await?;
    let previous = profile::newest_snapshot(&recent).map(|(_, snapshot)| snapshot);
    let conversation = call.conversation_id.as_str();
    let ours: Vec<&Memory> = recent
        .iter()
        .filter(|m| m.conversation_id.as_deref() == Some(conversation))
        .collect();
    let stored: HashSet<PlannedId> = ours
        .iter()
        .filter(|m| m.kind != MemoryKind::Snapshot)
        .map(|m| identity_of_stored(m))
        .collect();
    let snapshot_stored = ours.iter().any(|m| m.kind == MemoryKind::Snapshot);
    // What the agent says on every call ("Is there anything else?") tells
    // nothing new the second time, and on OpenMemory each copy meets the
    // server's dedupe: an agent line an earlier call holds word for word
    // is not written again. The caller's own words always are.
    let said_before: HashSet<&str> = recent
        .iter()
        .filter(|m| {
            m.kind == MemoryKind::Utterance
                && m.speaker() == Speaker::Agent
                && m.conversation_id.as_deref() != Some(conversation)
        })
        .map(|m| m.content.as_str())
        .collect();

    let plan = plan(call, previous.as_ref());
    let missing: Vec<&NewMemory> = plan
        .memories
        .iter()
        .filter(|m| !stored.contains(&identity_of_new(m)))
        .filter(|m| {
            !(m.kind == MemoryKind::Utterance
                && m.speaker() == Speaker::Agent
                && said_before.contains(m.content.as_str()))
        })
        .collect();
    let mut report = Report {
        added: 0,
        skipped: plan.memories.len() - missing.len(),
    };
    // First attempt: the snapshot is the last add to start. A retry that
    // found the snapshot stored re-adds it only after what was missing.
    let resend_snapshot_after = snapshot_stored && !missing.is_empty();
    let mut writes = missing;
    if !snapshot_stored {
        writes.push(&plan.snapshot);
    }

    let failed = AtomicBool::new(false);
    // The futures are made up front (they start only when polled) by a
    // named async fn: a closure here makes the whole future not `Send`
    // (rustc cannot see it is general over the borrowed memory's lifetime).
    let adds: Vec<_> = writes
        .into_iter()
        .map(|memory| add_unless_failed(store, user, memory, &failed))
        .collect();
    let in_flight = concurrency.clamp(1, MAX_CONCURRENCY);
    let mut adds = stream::iter(adds).buffer_unordered(in_flight);
    let mut first_error = None;
    while let Some(outcome) = adds.next().await {
        match outcome {
            Some(Ok(_)) => report.added += 1,
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    if let Some(e) = first_error {
        tracing::warn!(
            added = report.added,
            error = %e,
            "ingestion stopped at a failed add; a retry adds only what is missing"
        );
        return Err(e);
    }
    if resend_snapshot_after {
        store.add(user, &plan.snapshot).await?;
        report.added += 1;
    } else if snapshot_stored {
        report.skipped += 1;
    }
    tracing::debug!(
        added = report.added,
        skipped = report.skipped,
        "call ingested"
    );
    Ok(report)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod plan_tests;
#[cfg(test)]
#[path = "split_tests.rs"]
mod split_tests;
#[cfg(test)]
#[path = "turn_tests.rs"]
mod turn_tests;
#[cfg(test)]
#[path = "write_tests.rs"]
mod write_tests;
