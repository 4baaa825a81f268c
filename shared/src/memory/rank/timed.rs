//! How the time a query names ([`When`]) scores a memory: how well the
//! memory's call fits it, read against the caller's own calls when the
//! wall clock finds none of them.

use super::recency_key;
use super::when::{self, When, DAY};
use crate::memory::{Memory, MemoryKind};

/// A memory from the time the query names scores up to this many times
/// more (fully inside the time; less at its fuzzy edges)…
const TIME_BOOST: f64 = 3.0;
/// …and counts as a weak match even without a query term: roughly a
/// tenth of what one rare shared word scores…
const TIME_FLOOR: f64 = 0.5;
/// …unless the query also names a subject ("what did I say about my trip
/// last time"): then a memory of that time that shares no word with it
/// only fills what is left after every match, instead of a whole call's
/// turns crowding out the subject's.
const UNMATCHED_IN_TIME: f64 = 0.02;

/// The time a query names, resolved against one caller's memories.
pub(super) struct Timed<'a> {
    when: When,
    /// For "last time" / "first time": the call meant.
    call: Option<(i64, Option<&'a str>)>,
}

impl<'a> Timed<'a> {
    /// `when` as read against `now`; if it spans a week or more and no
    /// memory of the caller falls in it, read again against the caller's
    /// newest call ("last month" from
    /// a caller whose calls stopped in March means the month before
    /// March's call, and a month without a year the one before that call).
    pub(super) fn resolve(when: When, words: &[String], memories: &'a [Memory]) -> Self {
        let call = call_of(when, memories);
        let timed = Self { when, call };
        let ranked = || memories.iter().filter(|m| m.kind != MemoryKind::Snapshot);
        // Only a span of a week or more: "today", "tonight", "yesterday"
        // in what a caller says are mostly about that day, not a call.
        let wide = matches!(when, When::Between { from, to, .. } if to - from >= 7 * DAY);
        if !wide || ranked().any(|m| timed.affinity(m) > 0.0) {
            return timed;
        }
        let Some(newest) = ranked().map(|m| recency_key(m).0).max() else {
            return timed;
        };
        // The newest call's day counts as "today" for what the query says.
        match when::find(words, newest.saturating_add(DAY / 2)) {
            Some(found) => Self {
                when: found.when,
                call: None,
            },
            None => timed,
        }
    }

    /// How well `memory`'s call fits the time, from 0 to 1.
    pub(super) fn affinity(&self, memory: &Memory) -> f64 {
        match (self.when, self.call) {
            (When::LastCall | When::FirstCall, Some(key)) => {
                if same_call(memory, key) {
                    1.0
                } else {
                    0.0
                }
            }
            (when, _) => when.affinity(recency_key(memory).0),
        }
    }
}

/// A memory's score once the time is applied: `bm25` its text's score,
/// `affinity` its fit to the time, `subject` whether the query names
/// anything besides the time and what it asks for.
pub(super) fn score(bm25: f64, affinity: f64, subject: bool) -> f64 {
    if affinity <= 0.0 {
        bm25
    } else if bm25 > 0.0 || !subject {
        (bm25 + TIME_FLOOR) * (1.0 + TIME_BOOST * affinity)
    } else {
        UNMATCHED_IN_TIME * affinity
    }
}

/// The call a "last time" or "first time" query means: the conversation
/// (and call time) of the caller's newest or oldest memory.
fn call_of(when: When, memories: &[Memory]) -> Option<(i64, Option<&str>)> {
    let calls = memories
        .iter()
        .filter(|m| m.kind != MemoryKind::Snapshot)
        .map(|m| (recency_key(m).0, m.conversation_id.as_deref()));
    match when {
        When::LastCall => calls.max_by_key(|(time, _)| *time),
        When::FirstCall => calls.min_by_key(|(time, _)| *time),
        When::Between { .. } => None,
    }
}

fn same_call(memory: &Memory, (time, conversation): (i64, Option<&str>)) -> bool {
    match (memory.conversation_id.as_deref(), conversation) {
        (Some(a), Some(b)) => a == b,
        _ => recency_key(memory).0 == time,
    }
}

#[cfg(test)]
#[path = "timed_tests.rs"]
mod tests;
