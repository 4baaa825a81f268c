//! The caller's profile as the greeting and the search tool see it, read
//! from the newest profile snapshot with a single list call.
//!
//! A snapshot is the merge of every call's data-collection facts (newest
//! call wins per field), the newest summary and a call count; ingestion
//! writes one after each call. When the newest memories hold no snapshot
//! (its write failed, or a call left more memories than the window) the
//! profile is derived from the memories themselves, so a returning caller
//! is never greeted as a stranger because one write failed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser};
use crate::text::{collapse_whitespace, strip_date_prefix, truncate_at_word};
mod names;
#[allow(unused_imports)]
pub use names::*;
mod fold;
#[allow(unused_imports)]
use fold::*;
mod text;
#[allow(unused_imports)]
pub use text::*;

/// The profile field holding the language of the caller's newest call.
pub const LANGUAGE_FIELD: &str = "language";

/// One profile fact with where it came from. Newest call wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub value: Value,
    #[serde(default)]
    pub call_time: Option<i64>,
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// The merged profile as of a call, stored in a snapshot memory's metadata
/// under `snapshot`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
    #[serde(default)]
    pub last_summary: Option<String>,
    #[serde(default)]
    pub last_call_time: Option<i64>,
    #[serde(default)]
    pub last_conversation_id: Option<String>,
    /// Calls ingested so far, this one included.
    #[serde(default)]
    pub calls: u32,
}

/// Whether a call (`call_time`, `conversation`) is strictly newer than the
/// one something was recorded from. Calls order by start time; a call of
/// unknown time is older than any call of known time (it cannot prove it is
/// newer); equal times are ordered by conversation id. The order is total,
/// so merging the same calls in any order gives the same snapshot.
pub fn is_newer(
    call_time: Option<i64>,
    conversation: &str,
    than_time: Option<i64>,
    than_conversation: Option<&str>,
) -> bool {
    (call_time, Some(conversation)) > (than_time, than_conversation)
}

impl Snapshot {
    /// Records a fact from a call, unless the field already holds a value
    /// from a newer call (so replaying an old call never undoes a newer
    /// answer). The same conversation may overwrite its own value. Returns
    /// whether the fact was taken.
    pub fn merge_fact(
        &mut self,
        field: &str,
        value: Value,
        call_time: Option<i64>,
        conversation: &str,
    ) -> bool {
        if let Some(old) = self.facts.get(field) {
            let same = old.conversation_id.as_deref() == Some(conversation);
            if !same
                && !is_newer(
                    call_time,
                    conversation,
                    old.call_time,
                    old.conversation_id.as_deref(),
                )
            {
                return false;
            }
        }
        self.facts.insert(
            field.to_owned(),
            Fact {
                value,
                call_time,
                conversation_id: Some(conversation.to_owned()),
            },
        );
        true
    }

    /// Counts a call and, if it is the newest seen, makes it the last call.
    /// A call without a summary keeps the previous summary: an older summary
    /// is a better greeting than none.
    pub fn record_call(
        &mut self,
        conversation: &str,
        call_time: Option<i64>,
        summary: Option<String>,
    ) {
        let same = self.last_conversation_id.as_deref() == Some(conversation);
        if !same {
            self.calls = self.calls.saturating_add(1);
        }
        if same
            || is_newer(
                call_time,
                conversation,
                self.last_call_time,
                self.last_conversation_id.as_deref(),
            )
        {
            self.last_call_time = call_time;
            self.last_conversation_id = Some(conversation.to_owned());
            if summary.is_some() {
                self.last_summary = summary;
            }
        }
    }

    /// The name to greet the caller with, from a name-like fact.
    ///
    /// Explicit short forms (`preferred_name`, `first_name`, `given_name`)
    /// win, then the generic `name` and the role-specific names, and a
    /// `full_name` last. A value is used as given, never split into words:
    /// splitting "Dr. Ana María López" or family-name-first names guesses
    /// wrong, and a full name is still a correct greeting.
    pub fn user_name(&self) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        for (key, fact) in &self.facts {
            let Some(rank) = name_rank(key) else {
                continue;
            };
            if best.as_ref().is_some_and(|(r, _)| *r <= rank) {
                continue;
            }
            let Some(name) = fact.value.as_str().map(collapse_whitespace) else {
                continue;
            };
            // Only what looks like a name is ever greeted with.
            let Some(name) = crate::untrusted::person_name(&name) else {
                continue;
            };
            if is_placeholder_name(&name) {
                continue;
            }
            best = Some((rank, name));
        }
        best.map(|(_, name)| name)
    }

    /// Compact, deterministic text of the facts: `key: value` items joined
    /// by `; `, name-like keys first (in [`Snapshot::user_name`]'s order),
    /// then the rest by key, cut at an item boundary to at most `max_chars`.
    pub fn profile_summary(&self, max_chars: usize) -> String {
        let items = self
            .sorted_facts()
            .into_iter()
            .filter_map(|(key, fact)| render_value(&fact.value).map(|v| format!("{key}: {v}")));
        join_bounded(items, "; ", max_chars)
    }

    /// Facts in display order: name-like keys first, then by key.
    fn sorted_facts(&self) -> Vec<(&str, &Fact)> {
        let mut facts: Vec<(&str, &Fact)> =
            self.facts.iter().map(|(k, f)| (k.as_str(), f)).collect();
        facts.sort_by_cached_key(|(k, _)| (name_rank(k).unwrap_or(usize::MAX), *k));
        facts
    }

    /// The one-line text of a snapshot memory, at most `max_chars` and
    /// ending a sentence, so a store that truncates cannot empty it:
    /// `Caller profile as of 2025-02-14 (2 calls): name Angelo; city Paris.`
    pub fn describe(&self, max_chars: usize) -> String {
        let mut head = String::from("Caller profile");
        if let Some(date) = self.last_call_time.and_then(date_of) {
            head.push_str(" as of ");
            head.push_str(&date);
        }
        let calls = if self.calls == 1 { "call" } else { "calls" };
        head.push_str(&format!(" ({} {calls})", self.calls));
        let items = self
            .sorted_facts()
            .into_iter()
            .filter_map(|(key, fact)| render_value(&fact.value).map(|v| format!("{key} {v}")));
        // Room for ": " and the final full stop.
        let room = max_chars.saturating_sub(head.chars().count() + 3);
        let body = if room >= 8 {
            join_bounded(items, "; ", room)
        } else {
            String::new()
        };
        let mut line = head;
        if !body.is_empty() {
            line.push_str(": ");
            line.push_str(body.trim_end_matches(['.', '!', '?', '…']));
        }
        line.push('.');
        line
    }
}

/// What client-data and search-data need to know about a returning caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallerProfile {
    pub user_name: Option<String>,
    /// Compact, deterministic text from the facts, bounded in length.
    pub profile_summary: String,
    pub last_call_summary: Option<String>,
    pub previous_calls: u32,
    pub last_call_time: Option<i64>,
    /// The language of the newest call that reported one (`es`, `pt-br`).
    pub language: Option<String>,
    pub snapshot: Snapshot,
}

impl CallerProfile {
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        Self {
            user_name: snapshot.user_name(),
            profile_summary: snapshot.profile_summary(PROFILE_SUMMARY_MAX_CHARS),
            last_call_summary: snapshot.last_summary.clone(),
            previous_calls: snapshot.calls,
            last_call_time: snapshot.last_call_time,
            language: snapshot
                .facts
                .get(LANGUAGE_FIELD)
                .and_then(|f| f.value.as_str())
                .and_then(crate::untrusted::language_code),
            snapshot,
        }
    }
}

/// How many of the newest memories are read to find the newest snapshot:
/// more than ingestion ever has in flight (its `MAX_CONCURRENCY`),
/// since the snapshot is the last of a call's adds to start, not to land.
pub const SNAPSHOT_WINDOW: usize = 40;

/// Longest [`CallerProfile::profile_summary`], in characters.
pub const PROFILE_SUMMARY_MAX_CHARS: usize = 300;

/// Loads the caller's profile; `None` for a caller with no memories.
///
/// One list call: the newest snapshot in the window is the profile, updated
/// with any memories of newer calls in the window (whose snapshot is
/// missing). Without a snapshot, the profile is derived from the window.
pub async fn load(
    store: &dyn MemoryStore,
    user: &MemoryUser,
) -> Result<Option<CallerProfile>, MemoryError> {
    let memories = store.recent(user, SNAPSHOT_WINDOW).await?;
    Ok(from_listing(&memories))
}

/// The caller's profile from a listing of their memories, newest first (as
/// [`MemoryStore::recent`] answers; only the first [`SNAPSHOT_WINDOW`] are
/// read, so a longer listing gives what [`load`] gives); `None` for a
/// caller without memories.
pub fn from_listing(newest_first: &[Memory]) -> Option<CallerProfile> {
    let memories = &newest_first[..newest_first.len().min(SNAPSHOT_WINDOW)];
    if memories.is_empty() {
        return None;
    }
    let base = newest_snapshot(memories)
        .map(|(_, snapshot)| snapshot)
        .unwrap_or_default();
    let snapshot = fold_newer_memories(base, memories);
    Some(CallerProfile::from_snapshot(snapshot))
}

/// The merged profile a snapshot memory carries, if it is one and parses.
pub fn snapshot_of(memory: &Memory) -> Option<Snapshot> {
    if memory.kind != MemoryKind::Snapshot {
        return None;
    }
    let value = memory.metadata.get("snapshot")?;
    serde_json::from_value(value.clone()).ok()
}

/// The newest snapshot among `memories`: the greatest `last_call_time`
/// (what it covers, not when its own call was: replaying an old call writes
/// a snapshot that still covers the newest call), then the latest
/// `created_at`; on a full tie the first listed (stores list newest first).
pub fn newest_snapshot(memories: &[Memory]) -> Option<(&Memory, Snapshot)> {
    let mut best: Option<(&Memory, Snapshot)> = None;
    for memory in memories {
        let Some(snapshot) = snapshot_of(memory) else {
            continue;
        };
        let key = (
            snapshot.last_call_time.or(memory.call_time),
            memory.created_at_ms,
        );
        let better = best
            .as_ref()
            .is_none_or(|(m, s)| key > (s.last_call_time.or(m.call_time), m.created_at_ms));
        if better {
            best = Some((memory, snapshot));
        }
    }
    best
}

/// The part number a split memory carries (0 when not split).
pub fn part_of(memory: &Memory) -> u64 {
    memory
        .metadata
        .get("part")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
