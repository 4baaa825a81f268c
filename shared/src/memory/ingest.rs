//! What one finished call leaves behind in a caller's memory.
//!
//! [`plan`] is pure: facts from data collection, the summary with the
//! call's date, what the caller said, and a profile snapshot that merges
//! this call's facts into the previous snapshot. [`ingest`] writes the plan:
//! memories concurrently, the snapshot last so it is the newest.
//!
//! Every text memory is at most [`MAX_TEXT_CHARS`] characters and ends a
//! sentence: OpenMemory keeps only whole sentences of longer content, and
//! can store unpunctuated text as an empty string.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::profile::{self, collapse_whitespace, date_of, render_value, Snapshot};
use super::{Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser, NewMemory};
use crate::models::post_call::Role;
use crate::models::TranscriptionData;

/// Longest text memory, in characters: safely under OpenMemory's ~200.
pub const MAX_TEXT_CHARS: usize = 180;

/// The profile field holding the language of the caller's newest call.
pub const LANGUAGE_FIELD: &str = "language";

/// Most memories one call writes (besides its snapshot): a two-hour call
/// has a few hundred caller turns, while a 6 MB transcript could make
/// 30,000, each an add on the store. Facts and the summary come first in a
/// plan, so what is cut is the call's latest turns.
pub const MAX_MEMORIES_PER_CALL: usize = 1_500;

/// How many of the caller's newest memories [`ingest`] reads to find the
/// previous snapshot and what an earlier attempt already stored.
pub const RECENT_WINDOW: usize = 1_000;

/// The memories one call produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub memories: Vec<NewMemory>,
    pub snapshot: NewMemory,
}

/// Turns a call into memories, given the caller's previous snapshot.
///
/// Facts come in data-collection key order, then the summary, then the
/// caller's turns in transcript order. A summary that is split keeps its
/// `Call on <date>: ` prefix on the first part only: every part carries
/// the call's time in metadata (search answers show it per hit), the parts
/// concatenate back to exactly the dated summary, and no part loses room.
pub fn plan(call: &TranscriptionData, previous: Option<&Snapshot>) -> Plan {
    let conversation = call.conversation_id.as_str();
    let call_time = call.start_time();
    let template = |kind| {
        let mut m = NewMemory::new(kind, String::new());
        m.conversation_id = Some(conversation.to_owned());
        m.call_time = call_time;
        m
    };
    let mut memories = Vec::new();
    let mut snapshot = previous.cloned().unwrap_or_default();

    for (field, result) in &call.analysis.data_collection_results {
        let Some(value) = result.value.as_ref() else {
            continue;
        };
        let Some(text) = render_value(value) else {
            continue;
        };
        // Strings are kept as rendered (trimmed); other types as sent.
        let value = match value {
            Value::String(_) => Value::String(text.clone()),
            other => other.clone(),
        };
        let mut fact = template(MemoryKind::Fact);
        fact.field = Some(field.clone());
        fact.extra.insert("value".into(), value.clone());
        push_parts(&mut memories, &fact, &format!("{field}: {text}"));
        snapshot.merge_fact(field, value, call_time, conversation);
    }

    let summary = call
        .analysis
        .transcript_summary
        .as_deref()
        .map(collapse_whitespace)
        .filter(|s| !s.is_empty());
    if let Some(summary) = &summary {
        let text = match call_time.and_then(date_of) {
            Some(date) => format!("Call on {date}: {summary}"),
            None => summary.clone(),
        };
        push_parts(&mut memories, &template(MemoryKind::Summary), &text);
    }

    for (index, turn) in call.transcript.iter().enumerate() {
        if turn.role != Role::User {
            continue;
        }
        let Some(message) = turn.message.as_deref() else {
            continue;
        };
        if is_filler(message) {
            continue;
        }
        let mut utterance = template(MemoryKind::Utterance);
        utterance.turn = u32::try_from(index).ok();
        push_parts(&mut memories, &utterance, message);
    }

    if memories.len() > MAX_MEMORIES_PER_CALL {
        tracing::warn!(
            planned = memories.len(),
            kept = MAX_MEMORIES_PER_CALL,
            "a very long call: its latest turns are not remembered"
        );
        memories.truncate(MAX_MEMORIES_PER_CALL);
    }

    // The language the caller spoke: kept in the profile (newest call
    // wins), not as a memory of its own.
    if let Some(language) = call
        .metadata
        .main_language
        .as_deref()
        .and_then(crate::untrusted::language_code)
    {
        snapshot.merge_fact(
            LANGUAGE_FIELD,
            Value::String(language),
            call_time,
            conversation,
        );
    }
    snapshot.record_call(conversation, call_time, summary);
    let mut snapshot_memory = template(MemoryKind::Snapshot);
    snapshot_memory.content = snapshot.describe(MAX_TEXT_CHARS);
    // A map of strings and plain values cannot fail to serialise.
    snapshot_memory.extra.insert(
        "snapshot".into(),
        serde_json::to_value(&snapshot).unwrap_or_default(),
    );
    Plan {
        memories,
        snapshot: snapshot_memory,
    }
}

/// Adds `text` as one memory per part, numbering the parts when split.
fn push_parts(out: &mut Vec<NewMemory>, template: &NewMemory, text: &str) {
    let parts = split_text(text, MAX_TEXT_CHARS);
    let count = parts.len();
    for (index, content) in parts.into_iter().enumerate() {
        let mut memory = template.clone();
        memory.content = content;
        if count > 1 {
            memory.extra.insert("part".into(), index.into());
            memory.extra.insert("parts".into(), count.into());
        }
        out.push(memory);
    }
}

/// Whether a caller's turn says nothing worth remembering: under three
/// letters or digits, or only acknowledgements and fillers ("Okay, thanks,
/// bye!", "mm-hmm"), whatever the case and punctuation.
pub fn is_filler(message: &str) -> bool {
    let mut meaningful = 0;
    let mut word = String::new();
    let mut only_fillers = true;
    // Apostrophes join ("that's" is one word); anything else separates.
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            meaningful += 1;
            word.extend(c.to_lowercase());
        } else if c != '\'' && c != '\u{2019}' && !word.is_empty() {
            only_fillers &= is_filler_word(&word);
            word.clear();
        }
    }
    meaningful < 3 || only_fillers
}

fn is_filler_word(word: &str) -> bool {
    matches!(
        word,
        "ok" | "okay"
            | "okey"
            | "k"
            | "kay"
            | "yes"
            | "yeah"
            | "yea"
            | "ya"
            | "yep"
            | "yup"
            | "no"
            | "nope"
            | "nah"
            | "uh"
            | "huh"
            | "um"
            | "umm"
            | "uhm"
            | "er"
            | "erm"
            | "ah"
            | "oh"
            | "eh"
            | "hm"
            | "hmm"
            | "mm"
            | "mmm"
            | "mhm"
            | "mmhmm"
            | "uhhuh"
            | "thanks"
            | "thank"
            | "thx"
            | "you"
            | "cheers"
            | "bye"
            | "goodbye"
            | "hello"
            | "hi"
            | "hey"
            | "sure"
            | "right"
            | "alright"
            | "allright"
            | "cool"
            | "great"
            | "good"
            | "fine"
            | "perfect"
            | "gotcha"
            | "got"
            | "it"
            | "so"
            | "well"
            | "please"
            | "sorry"
            | "very"
            | "much"
    )
}

/// Splits `text` (whitespace collapsed) into parts of at most `max_chars`
/// characters, each ending in `.`, `!` or `?` (a `.` is appended where
/// needed). Whole sentences are packed together while they fit; a longer
/// sentence is cut between words, and only a single word longer than a part
/// is cut inside. Empty text gives no parts.
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    // Below this a part could not hold a word and its full stop.
    let max_chars = max_chars.max(2);
    let text = collapse_whitespace(text);
    let whole = terminate(&text);
    if whole.is_empty() || whole.chars().count() <= max_chars {
        return if whole.is_empty() {
            Vec::new()
        } else {
            vec![whole]
        };
    }
    let mut units = Vec::new();
    for sentence in sentences(&text) {
        let unit = terminate(sentence);
        if unit.chars().count() <= max_chars {
            if !unit.is_empty() {
                units.push(unit);
            }
        } else {
            split_words(sentence, max_chars, &mut units);
        }
    }
    pack(units, max_chars)
}

/// `text` trimmed, without trailing separators, ending in `.`, `!` or `?`.
fn terminate(text: &str) -> String {
    let body = text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '\u{2013}' | '\u{2014}')
    });
    let mut out = body.to_owned();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Sentences of single-spaced text: a run of `.`, `!`, `?` (with closing
/// quotes or brackets) followed by a space ends one.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut after_end = false;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            after_end = true;
        } else if after_end && c == ' ' {
            out.push(text[start..i].trim());
            start = i + 1;
            after_end = false;
        } else if !(after_end && matches!(c, '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}')) {
            after_end = false;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// Cuts one over-long sentence between words into terminated pieces.
fn split_words(sentence: &str, max_chars: usize, out: &mut Vec<String>) {
    // Room for the full stop each piece may need.
    let budget = max_chars - 1;
    let mut piece = String::new();
    let mut piece_len = 0;
    fn flush(piece: &mut String, piece_len: &mut usize, out: &mut Vec<String>) {
        let unit = terminate(piece);
        if !unit.is_empty() {
            out.push(unit);
        }
        piece.clear();
        *piece_len = 0;
    }
    for word in sentence.split(' ') {
        let len = word.chars().count();
        if len > budget {
            flush(&mut piece, &mut piece_len, out);
            let chars: Vec<char> = word.chars().collect();
            for chunk in chars.chunks(budget) {
                let mut unit: String = chunk.iter().collect();
                unit = terminate(&unit);
                if !unit.is_empty() {
                    out.push(unit);
                }
            }
        } else if piece_len == 0 {
            piece.push_str(word);
            piece_len = len;
        } else if piece_len + 1 + len <= budget {
            piece.push(' ');
            piece.push_str(word);
            piece_len += 1 + len;
        } else {
            flush(&mut piece, &mut piece_len, out);
            piece.push_str(word);
            piece_len = len;
        }
    }
    flush(&mut piece, &mut piece_len, out);
}

/// Packs terminated units (each within `max_chars`) greedily into parts.
fn pack(units: Vec<String>, max_chars: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut part_len = 0;
    for unit in units {
        let len = unit.chars().count();
        if part_len == 0 {
            part = unit;
            part_len = len;
        } else if part_len + 1 + len <= max_chars {
            part.push(' ');
            part.push_str(&unit);
            part_len += 1 + len;
        } else {
            parts.push(std::mem::replace(&mut part, unit));
            part_len = len;
        }
    }
    if part_len > 0 {
        parts.push(part);
    }
    parts
}

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
type Identity = (MemoryKind, Option<u32>, u64, Option<String>);

fn identity_of_new(memory: &NewMemory) -> Identity {
    let part = memory
        .extra
        .get("part")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    (memory.kind, memory.turn, part, memory.field.clone())
}

fn identity_of_stored(memory: &Memory) -> Identity {
    (
        memory.kind,
        memory.turn,
        profile::part_of(memory),
        memory.field.clone(),
    )
}

/// Writes a call's memories for `user`: at most `concurrency` adds at once,
/// then the snapshot.
///
/// One list call finds the previous snapshot and what an earlier attempt at
/// this conversation stored, so running ingestion again (a webhook retry,
/// or after a partial failure) adds only what is missing. On a failed add
/// no further adds start; those in flight finish, then the first error is
/// returned and no snapshot is written (the retry writes it).
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
    let stored: HashSet<Identity> = ours
        .iter()
        .filter(|m| m.kind != MemoryKind::Snapshot)
        .map(|m| identity_of_stored(m))
        .collect();
    let snapshot_stored = ours.iter().any(|m| m.kind == MemoryKind::Snapshot);

    let plan = plan(call, previous.as_ref());
    let missing: Vec<&NewMemory> = plan
        .memories
        .iter()
        .filter(|m| !stored.contains(&identity_of_new(m)))
        .collect();
    let mut report = Report {
        added: 0,
        skipped: plan.memories.len() - missing.len(),
    };

    let failed = AtomicBool::new(false);
    // The futures are made up front (they start only when polled) by a
    // named async fn: a closure here makes the whole future not `Send`
    // (rustc cannot see it is general over the borrowed memory's lifetime).
    let adds: Vec<_> = missing
        .into_iter()
        .map(|memory| add_unless_failed(store, user, memory, &failed))
        .collect();
    let mut adds = stream::iter(adds).buffer_unordered(concurrency.max(1));
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

    if snapshot_stored {
        report.skipped += 1;
    } else {
        store.add(user, &plan.snapshot).await?;
        report.added += 1;
    }
    tracing::debug!(
        added = report.added,
        skipped = report.skipped,
        "call ingested"
    );
    Ok(report)
}

/// A memory store over a vector, for the tests of ingestion, profile and
/// search: pure logic, no I/O. Ids count up; `created_at` is the insertion
/// order, so the last added is the newest.
#[cfg(test)]
pub(crate) mod test_store {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use async_trait::async_trait;

    use crate::caller::{CallerId, Region};
    use crate::memory::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

    pub(crate) fn user() -> MemoryUser {
        MemoryUser::caller(&CallerId::normalise("+15550002000", Region::default()).unwrap())
    }

    pub(crate) fn other_user() -> MemoryUser {
        MemoryUser::caller(&CallerId::normalise("+15550003000", Region::default()).unwrap())
    }

    /// A store's answer to `query`.
    pub(crate) type QueryAnswer = Result<Vec<Match>, MemoryError>;
    /// Which adds fail.
    pub(crate) type AddFailure = fn(&NewMemory) -> bool;

    #[derive(Default)]
    pub(crate) struct MemStore {
        pub memories: Mutex<Vec<(String, Memory)>>,
        pub recent_calls: AtomicUsize,
        pub query_calls: AtomicUsize,
        pub add_calls: AtomicUsize,
        /// Adds whose new memory matches fail.
        pub fail_add: Mutex<Option<AddFailure>>,
        /// The answer of `query`; by default nothing.
        pub query_answer: Mutex<Option<QueryAnswer>>,
    }

    impl MemStore {
        pub fn all(&self, user: &MemoryUser) -> Vec<Memory> {
            self.memories
                .lock()
                .unwrap()
                .iter()
                .filter(|(u, _)| u == user.as_str())
                .map(|(_, m)| m.clone())
                .collect()
        }
    }

    #[async_trait]
    impl MemoryStore for MemStore {
        async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
            self.add_calls.fetch_add(1, Ordering::SeqCst);
            if let Some(fail) = *self.fail_add.lock().unwrap() {
                if fail(memory) {
                    return Err(MemoryError::Unavailable("injected".into()));
                }
            }
            // Yield so concurrent adds interleave as they would over I/O.
            tokio::task::yield_now().await;
            let mut all = self.memories.lock().unwrap();
            let id = format!("m{}", all.len() + 1);
            let created = i64::try_from(all.len()).unwrap() + 1_000;
            let stored = Memory::from_parts(
                id.clone(),
                memory.content.clone(),
                &memory.tags(),
                memory.metadata(),
                created,
            );
            all.push((user.as_str().to_owned(), stored));
            Ok(id)
        }

        async fn recent(
            &self,
            user: &MemoryUser,
            limit: usize,
        ) -> Result<Vec<Memory>, MemoryError> {
            self.recent_calls.fetch_add(1, Ordering::SeqCst);
            let mut mine = self.all(user);
            mine.sort_by_key(|m| std::cmp::Reverse(m.created_at_ms));
            mine.truncate(limit);
            Ok(mine)
        }

        async fn query(
            &self,
            _user: &MemoryUser,
            _query: &str,
            k: usize,
        ) -> Result<Vec<Match>, MemoryError> {
            self.query_calls.fetch_add(1, Ordering::SeqCst);
            let answer = self.query_answer.lock().unwrap().clone();
            answer.unwrap_or_else(|| Ok(Vec::new())).map(|mut m| {
                m.truncate(k);
                m
            })
        }

        async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
            let mut all = self.memories.lock().unwrap();
            let before = all.len();
            all.retain(|(u, _)| u != user.as_str());
            Ok((before - all.len()) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use proptest::prelude::*;
    use serde_json::json;

    use super::test_store::{other_user, user, MemStore};
    use super::*;
    use crate::models::post_call::{DataCollectionResult, TranscriptTurn};
    use crate::models::{Envelope, PostCallEvent};

    const REAL: &str = include_str!(
        "../../tests/fixtures/elevenlabs/post_call_transcription.real_inbound_twilio.anonymized.json"
    );
    const DOCS: &str =
        include_str!("../../tests/fixtures/elevenlabs/post_call_transcription.docs_example.json");

    fn transcription(body: &str) -> TranscriptionData {
        match Envelope::parse(body.as_bytes()).unwrap().event {
            PostCallEvent::Transcription(t) => *t,
            other => panic!("not a transcription: {other:?}"),
        }
    }

    /// A call with the given facts, summary and caller turns.
    fn call(
        conversation: &str,
        time: i64,
        facts: &[(&str, Value)],
        summary: Option<&str>,
        said: &[&str],
    ) -> TranscriptionData {
        let mut c = TranscriptionData {
            conversation_id: conversation.into(),
            ..Default::default()
        };
        c.metadata.start_time_unix_secs = Some(time);
        for (k, v) in facts {
            c.analysis.data_collection_results.insert(
                (*k).into(),
                DataCollectionResult {
                    value: Some(v.clone()),
                    ..Default::default()
                },
            );
        }
        c.analysis.transcript_summary = summary.map(str::to_owned);
        for line in said {
            c.transcript.push(TranscriptTurn {
                role: Role::Agent,
                message: Some("How can I help?".into()),
                ..Default::default()
            });
            c.transcript.push(TranscriptTurn {
                role: Role::User,
                message: Some((*line).into()),
                ..Default::default()
            });
        }
        c
    }

    fn snapshot_of_plan(plan: &Plan) -> Snapshot {
        serde_json::from_value(plan.snapshot.extra["snapshot"].clone()).unwrap()
    }

    fn words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn assert_well_formed(memories: &[NewMemory]) {
        for m in memories {
            assert!(
                m.content.chars().count() <= MAX_TEXT_CHARS,
                "{:?}",
                m.content
            );
            assert!(m.content.ends_with(['.', '!', '?']), "{:?}", m.content);
            assert!(m.conversation_id.is_some());
        }
    }

    #[test]
    fn plan_of_the_real_inbound_call_keeps_only_the_summary() {
        let c = transcription(REAL);
        let plan = plan(&c, None);
        // Every data-collection value is null; the only turn is the agent's.
        assert_eq!(plan.memories.len(), 1, "{:#?}", plan.memories);
        let summary = &plan.memories[0];
        assert_eq!(summary.kind, MemoryKind::Summary);
        assert_eq!(
            summary.content,
            "Call on 2025-11-21: Alexis, representing Example Dental Clinic, greeted the caller and offered assistance."
        );
        assert_eq!(summary.call_time, Some(1_763_759_979));
        assert_eq!(
            summary.conversation_id.as_deref(),
            Some(c.conversation_id.as_str())
        );
        let snapshot = snapshot_of_plan(&plan);
        // The only fact is the call's language (`metadata.main_language`).
        let facts: Vec<(&String, &Value)> =
            snapshot.facts.iter().map(|(k, f)| (k, &f.value)).collect();
        assert_eq!(facts, vec![(&LANGUAGE_FIELD.to_owned(), &json!("en"))]);
        assert_eq!(snapshot.calls, 1);
        assert_eq!(plan.snapshot.kind, MemoryKind::Snapshot);
        assert_eq!(
            plan.snapshot.content,
            "Caller profile as of 2025-11-21 (1 call): language en."
        );
        assert_well_formed(&plan.memories);
        assert_well_formed(std::slice::from_ref(&plan.snapshot));
    }

    #[test]
    fn plan_of_the_docs_example_splits_the_summary_and_keeps_the_question() {
        let c = transcription(DOCS);
        let plan = plan(&c, None);
        assert_well_formed(&plan.memories);
        let summaries: Vec<&NewMemory> = plan
            .memories
            .iter()
            .filter(|m| m.kind == MemoryKind::Summary)
            .collect();
        assert!(summaries.len() >= 3, "{summaries:#?}");
        assert!(summaries[0]
            .content
            .starts_with("Call on 2025-02-14: The conversation begins"));
        assert!(summaries[1..]
            .iter()
            .all(|m| !m.content.contains("Call on")));
        for (i, m) in summaries.iter().enumerate() {
            assert_eq!(m.extra["part"], json!(i));
            assert_eq!(m.extra["parts"], json!(summaries.len()));
        }
        let joined: Vec<&str> = summaries.iter().map(|m| m.content.as_str()).collect();
        let expected = format!(
            "Call on 2025-02-14: {}",
            c.analysis.transcript_summary.as_deref().unwrap()
        );
        assert_eq!(words(&joined.join(" ")), words(&expected));

        let utterances: Vec<&NewMemory> = plan
            .memories
            .iter()
            .filter(|m| m.kind == MemoryKind::Utterance)
            .collect();
        assert_eq!(utterances.len(), 1);
        assert_eq!(
            utterances[0].content,
            "Hey, can you tell me, like, a fun fact about 11 Labs?"
        );
        assert_eq!(utterances[0].turn, Some(1));
        assert_eq!(
            utterances[0].tags(),
            vec!["kind:utterance".to_owned(), "conversation:abc".to_owned()]
        );
    }

    #[test]
    fn plan_renders_facts_and_skips_null_and_empty_values() {
        let c = call(
            "c1",
            1_739_537_297,
            &[
                ("name", json!(" Angelo ")),
                ("age", json!(42)),
                ("vip", json!(true)),
                ("pets", json!(["dog", "cat"])),
                ("address", json!({"city": "Paris"})),
                ("phone", Value::Null),
                ("email", json!("")),
            ],
            None,
            &[],
        );
        let plan = plan(&c, None);
        let facts: Vec<(&str, &str)> = plan
            .memories
            .iter()
            .map(|m| (m.field.as_deref().unwrap(), m.content.as_str()))
            .collect();
        assert_eq!(
            facts,
            vec![
                ("address", "address: {\"city\":\"Paris\"}."),
                ("age", "age: 42."),
                ("name", "name: Angelo."),
                ("pets", "pets: dog, cat."),
                ("vip", "vip: yes."),
            ]
        );
        assert!(plan.memories.iter().all(|m| m.kind == MemoryKind::Fact));
        assert_eq!(plan.memories[2].tags()[2], "field:name");
        let snapshot = snapshot_of_plan(&plan);
        assert_eq!(snapshot.facts["name"].value, json!("Angelo"));
        assert_eq!(snapshot.facts["age"].value, json!(42));
        assert!(!snapshot.facts.contains_key("phone") && !snapshot.facts.contains_key("email"));
        assert_eq!(snapshot.facts["vip"].call_time, Some(1_739_537_297));
        assert!(
            plan.snapshot.content.contains("name Angelo"),
            "{}",
            plan.snapshot.content
        );
    }

    #[test]
    fn a_huge_call_writes_at_most_the_cap_and_keeps_facts_and_summary() {
        let said: Vec<String> = (0..MAX_MEMORIES_PER_CALL + 500)
            .map(|i| format!("Turn number {i} talks about the garden fence."))
            .collect();
        let said: Vec<&str> = said.iter().map(String::as_str).collect();
        let huge = call(
            "conv_huge",
            1_700_000_000,
            &[("name", json!("Ada"))],
            Some("Ada talked for a long time."),
            &said,
        );
        let plan = plan(&huge, None);
        assert_eq!(plan.memories.len(), MAX_MEMORIES_PER_CALL);
        assert_eq!(plan.memories[0].kind, MemoryKind::Fact);
        assert_eq!(plan.memories[1].kind, MemoryKind::Summary);
        assert!(plan.memories[2].content.starts_with("Turn number 0 "));
    }

    #[test]
    fn acknowledgements_and_fillers_are_skipped() {
        for filler in [
            "ok",
            "Okay.",
            "YES!",
            "yeah",
            "No.",
            "uh huh",
            "Uh-huh.",
            "mm-hmm",
            "Mhm",
            "Thanks!",
            "thank you",
            "Thank you very much.",
            "Bye.",
            "Okay, thanks, bye!",
            "hello?",
            "Hi",
            "hmm...",
            "a",
            "…",
            "",
            "   ",
            "Yes, please.",
            "Got it.",
        ] {
            assert!(is_filler(filler), "{filler:?} should be skipped");
        }
        for said in [
            "My dog is called Biscuit.",
            "No, I moved to Paris.",
            "Yes, book me for Tuesday.",
            "I'm allergic to penicillin.",
            "Rex",
            "42 Main St",
        ] {
            assert!(!is_filler(said), "{said:?} should be kept");
        }
        let c = call(
            "c1",
            100,
            &[],
            None,
            &["Okay.", "My dog is called Biscuit.", "Thanks, bye!"],
        );
        let plan = plan(&c, None);
        let said: Vec<(Option<u32>, &str)> = plan
            .memories
            .iter()
            .map(|m| (m.turn, m.content.as_str()))
            .collect();
        assert_eq!(said, vec![(Some(3), "My dog is called Biscuit.")]);
    }

    #[test]
    fn splitting_bounds_terminates_and_preserves_words() {
        let text = "First sentence is here. ".repeat(6)
            + &"averyveryverylongwordthatgoesonandon ".repeat(12)
            + "and an unpunctuated tail";
        let parts = split_text(&text, MAX_TEXT_CHARS);
        assert!(parts.len() > 2);
        for p in &parts {
            assert!(p.chars().count() <= MAX_TEXT_CHARS, "{p}");
            assert!(p.ends_with(['.', '!', '?']), "{p}");
        }
        assert_eq!(words(&parts.join(" ")), words(&text));
        // Whole sentences stay together when they fit.
        assert!(parts[0].starts_with("First sentence is here. First"));
        assert!(parts[0].ends_with("here."));
        // A short text is one terminated part; nothing gives nothing.
        assert_eq!(split_text("  hello\n world ", 180), vec!["hello world."]);
        assert_eq!(split_text("Done!", 180), vec!["Done!"]);
        assert!(split_text(" \n ", 180).is_empty());
        // One word longer than a part is cut inside.
        let long = "x".repeat(400);
        let parts = split_text(&long, 180);
        assert_eq!(parts.len(), 3);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= 180 && p.ends_with('.')));
        assert_eq!(parts.concat().replace('.', ""), long);
    }

    proptest! {
        #[test]
        fn split_text_holds_for_any_text(
            pieces in prop::collection::vec(
                prop_oneof!["[a-zà-ü]{1,12}", "[a-z]{1,250}", Just(".".to_owned()),
                            Just("?!".to_owned()), Just(",".to_owned()), Just("\n".to_owned())],
                0..120,
            ),
            max in 20usize..200,
        ) {
            let text = pieces.join(" ");
            let parts = split_text(&text, max);
            for p in &parts {
                prop_assert!(p.chars().count() <= max, "{:?}", p);
                prop_assert!(p.ends_with(['.', '!', '?']), "{:?}", p);
            }
            // Words survive, except that an over-long word is cut inside.
            let joined = parts.concat();
            let letters = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
            prop_assert_eq!(letters(&joined), letters(&text));
            if pieces.iter().all(|p| p.chars().count() < max - 1) {
                prop_assert_eq!(words(&parts.join(" ")), words(&text));
            }
        }
    }

    #[test]
    fn the_newest_call_wins_each_field() {
        let first = call(
            "c1",
            100,
            &[("name", json!("Angelo")), ("city", json!("Paris"))],
            Some("First."),
            &[],
        );
        let second = call("c2", 200, &[("city", json!("Rome"))], Some("Second."), &[]);
        let s1 = snapshot_of_plan(&plan(&first, None));
        let p2 = plan(&second, Some(&s1));
        let s2 = snapshot_of_plan(&p2);
        assert_eq!(s2.facts["city"].value, json!("Rome"));
        assert_eq!(s2.facts["city"].conversation_id.as_deref(), Some("c2"));
        assert_eq!(s2.facts["name"].value, json!("Angelo"));
        assert_eq!(s2.last_summary.as_deref(), Some("Second."));
        assert_eq!(s2.last_call_time, Some(200));
        assert_eq!(s2.calls, 2);
    }

    #[test]
    fn replaying_an_older_call_never_overwrites_newer_values() {
        let old = call(
            "c1",
            100,
            &[("city", json!("Paris")), ("dog", json!("Rex"))],
            Some("Old."),
            &[],
        );
        let new = call("c2", 200, &[("city", json!("Rome"))], Some("New."), &[]);
        let s_new = snapshot_of_plan(&plan(&new, None));
        let replay = snapshot_of_plan(&plan(&old, Some(&s_new)));
        assert_eq!(replay.facts["city"].value, json!("Rome"));
        // What only the old call knew is still learnt.
        assert_eq!(replay.facts["dog"].value, json!("Rex"));
        assert_eq!(replay.last_summary.as_deref(), Some("New."));
        assert_eq!(replay.last_call_time, Some(200));
        assert_eq!(replay.last_conversation_id.as_deref(), Some("c2"));
        assert_eq!(replay.calls, 2);
        // Either order gives the same facts.
        let s_old = snapshot_of_plan(&plan(&old, None));
        let forward = snapshot_of_plan(&plan(&new, Some(&s_old)));
        assert_eq!(forward.facts, replay.facts);
    }

    #[test]
    fn snapshot_counts_a_conversation_once() {
        let c = call("c1", 100, &[], Some("One."), &[]);
        let s1 = snapshot_of_plan(&plan(&c, None));
        assert_eq!(s1.calls, 1);
        let again = snapshot_of_plan(&plan(&c, Some(&s1)));
        assert_eq!(again.calls, 1);
        let other = snapshot_of_plan(&plan(&call("c2", 50, &[], None, &[]), Some(&s1)));
        assert_eq!(other.calls, 2);
    }

    #[tokio::test]
    async fn ingest_writes_every_memory_then_the_snapshot() {
        let store = MemStore::default();
        let u = user();
        let c = transcription(DOCS);
        let planned = plan(&c, None);
        let report = ingest(&store, &u, &c, 4).await.unwrap();
        assert_eq!(report.added, planned.memories.len() + 1);
        assert_eq!(report.skipped, 0);
        assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
        let all = store.all(&u);
        assert_eq!(all.len(), planned.memories.len() + 1);
        assert_eq!(all.last().unwrap().kind, MemoryKind::Snapshot);
        assert!(store.all(&other_user()).is_empty());
    }

    #[tokio::test]
    async fn ingest_twice_adds_nothing_new() {
        let store = MemStore::default();
        let u = user();
        let c = transcription(DOCS);
        let first = ingest(&store, &u, &c, 3).await.unwrap();
        let second = ingest(&store, &u, &c, 3).await.unwrap();
        assert_eq!(
            second,
            Report {
                added: 0,
                skipped: first.added
            }
        );
        assert_eq!(store.all(&u).len(), first.added);
    }

    #[tokio::test]
    async fn ingest_after_a_partial_failure_adds_only_what_is_missing() {
        let store = MemStore::default();
        let u = user();
        let c = call(
            "c1",
            100,
            &[("name", json!("Angelo"))],
            Some("Asked about a cleaning."),
            &[
                "My dog is called Biscuit.",
                "I live in Paris.",
                "I prefer mornings.",
            ],
        );
        *store.fail_add.lock().unwrap() = Some(|m| m.content.contains("Paris"));
        let err = ingest(&store, &u, &c, 1).await.unwrap_err();
        assert_eq!(err, MemoryError::Unavailable("injected".into()));
        let stored = store.all(&u);
        // Concurrency 1: everything before the failure, nothing after, no snapshot.
        assert_eq!(stored.len(), 3, "{stored:#?}");
        assert!(stored.iter().all(|m| m.kind != MemoryKind::Snapshot));
        assert!(!stored.iter().any(|m| m.content.contains("mornings")));

        *store.fail_add.lock().unwrap() = None;
        let report = ingest(&store, &u, &c, 2).await.unwrap();
        assert_eq!(
            report,
            Report {
                added: 3,
                skipped: 3
            }
        );
        let stored = store.all(&u);
        assert_eq!(stored.len(), 6);
        let mut keys: Vec<Identity> = stored.iter().map(identity_of_stored).collect();
        keys.sort_by_key(|k| format!("{k:?}"));
        keys.dedup();
        assert_eq!(keys.len(), 6);
        assert_eq!(stored.last().unwrap().kind, MemoryKind::Snapshot);
    }

    #[tokio::test]
    async fn ingest_stops_starting_adds_after_a_failure() {
        let store = MemStore::default();
        let u = user();
        let said: Vec<String> = (0..20)
            .map(|i| format!("Sentence number {i} here."))
            .collect();
        let said: Vec<&str> = said.iter().map(String::as_str).collect();
        let c = call("c1", 100, &[], None, &said);
        *store.fail_add.lock().unwrap() = Some(|m| m.turn == Some(1));
        assert!(ingest(&store, &u, &c, 4).await.is_err());
        // The failing add is among the first four started; at most the
        // other three in flight, and then none, may follow it.
        assert!(store.add_calls.load(Ordering::SeqCst) <= 4);
    }

    #[tokio::test]
    async fn ingest_merges_into_the_previous_snapshot() {
        let store = MemStore::default();
        let u = user();
        let first = call(
            "c1",
            100,
            &[("name", json!("Angelo")), ("city", json!("Paris"))],
            Some("First."),
            &[],
        );
        let second = call("c2", 200, &[("city", json!("Rome"))], Some("Second."), &[]);
        ingest(&store, &u, &first, 2).await.unwrap();
        ingest(&store, &u, &second, 2).await.unwrap();
        // Replaying the first call must neither count it again nor undo Rome.
        let replay = ingest(&store, &u, &first, 2).await.unwrap();
        assert_eq!(replay.added, 0);
        let all = store.all(&u);
        let (_, snapshot) = profile::newest_snapshot(&all).unwrap();
        assert_eq!(snapshot.calls, 2);
        assert_eq!(snapshot.facts["city"].value, json!("Rome"));
        assert_eq!(snapshot.facts["name"].value, json!("Angelo"));
        assert_eq!(snapshot.last_summary.as_deref(), Some("Second."));
    }
}
