//! What one finished call leaves behind, as memories: pure.
//!
//! Facts from data collection, the summary with the call's date, the turns
//! of both speakers, and a profile snapshot that merges this call's facts
//! into the previous snapshot.
//!
//! Turns are kept whole (only a monologue over [`MAX_TEXT_CHARS`] is
//! split), so a turn's words rank together and the search answer quotes
//! what was said. A short answer is kept with the agent turn it answers,
//! as one exchange ("Agent: So that's 12 Elm Street now? Caller: Yes."):
//! alone, "Yes." says nothing, and the agent's confirmation of a fact is
//! often the only place the fact was said in full.

use serde_json::Value;

use super::filler::{is_filler, says_yes_or_no, word_count};
use super::split::split_text;
use super::{LANGUAGE_FIELD, MAX_MEMORIES_PER_CALL, MAX_TEXT_CHARS, SNAPSHOT_TEXT_CHARS};
use crate::memory::profile::{date_of, render_value, Snapshot};
use crate::memory::speaker::SPEAKER_KEY;
use crate::memory::{exchange_text, MemoryKind, NewMemory, Speaker};
use crate::models::post_call::Role;
use crate::models::TranscriptionData;
use crate::text::collapse_whitespace;

/// A caller turn of at most this many words right after an agent turn is
/// an answer to it, kept together with it.
pub const SHORT_ANSWER_WORDS: usize = 8;

/// An agent question of at most this many words ("What's the new
/// address?") is kept with the caller's answer, however long: the answer
/// often does not repeat what was asked.
pub const SHORT_QUESTION_WORDS: usize = 15;

/// The memories one call produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub memories: Vec<NewMemory>,
    pub snapshot: NewMemory,
}

/// Turns a call into memories, given the caller's previous snapshot.
///
/// Facts come in data-collection key order, then the summary, then the
/// turns in transcript order. A summary that is split keeps its
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
        // A value the caller's memory already holds from an earlier call is
        // not written again: it would only be a duplicate to rank (and, on
        // OpenMemory, a dedupe collision costing extra round trips). Its
        // provenance stays the call that first said it, so a re-run of this
        // call decides the same.
        let unchanged = snapshot.facts.get(field).is_some_and(|old| {
            old.value == value && old.conversation_id.as_deref() != Some(conversation)
        });
        if unchanged {
            continue;
        }
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

    for turn in turns(call) {
        let mut memory = template(MemoryKind::Utterance);
        memory.turn = u32::try_from(turn.index).ok();
        if turn.speaker != Speaker::Caller {
            memory
                .extra
                .insert(SPEAKER_KEY.into(), turn.speaker.as_str().into());
        }
        if let Some(context) = turn.context_turn.and_then(|t| u32::try_from(t).ok()) {
            memory.extra.insert("context_turn".into(), context.into());
        }
        push_parts(&mut memories, &memory, &turn.text);
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
    snapshot_memory.content = snapshot.describe(SNAPSHOT_TEXT_CHARS);
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

/// A turn worth remembering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The transcript index it is stored under (the caller's, for an exchange).
    pub index: usize,
    pub speaker: Speaker,
    pub text: String,
    /// For an exchange, the index of the agent turn it answers.
    pub context_turn: Option<usize>,
}

/// The turns of both speakers worth remembering, in transcript order.
///
/// Fillers are dropped ("Okay, thanks!"), except a yes or no that answers
/// the agent's question. A short caller answer directly after an agent
/// turn becomes one exchange with it, and that agent turn is not kept on
/// its own. Tool calls and other roles are not turns.
pub fn turns(call: &TranscriptionData) -> Vec<Turn> {
    let mut out = Vec::new();
    // The agent's latest turn, held back until we know whether the next
    // turn answers it.
    let mut pending: Option<(usize, String)> = None;
    let flush = |pending: &mut Option<(usize, String)>, out: &mut Vec<Turn>| {
        if let Some((index, text)) = pending.take() {
            if !is_filler(&text) {
                out.push(Turn {
                    index,
                    speaker: Speaker::Agent,
                    text,
                    context_turn: None,
                });
            }
        }
    };
    for (index, turn) in call.transcript.iter().enumerate() {
        let Some(text) = turn
            .message
            .as_deref()
            .map(collapse_whitespace)
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        match turn.role {
            Role::Agent => {
                flush(&mut pending, &mut out);
                pending = Some((index, text));
            }
            Role::User => {
                let answers = pending.as_ref().is_some_and(|(_, question)| {
                    let asked = question.ends_with('?');
                    let short_question = asked && word_count(question) <= SHORT_QUESTION_WORDS;
                    !is_filler(question)
                        && if is_filler(&text) {
                            asked && says_yes_or_no(&text)
                        } else {
                            short_question || word_count(&text) <= SHORT_ANSWER_WORDS
                        }
                });
                if answers {
                    if let Some((asked, question)) = pending.take() {
                        out.push(Turn {
                            index,
                            speaker: Speaker::Both,
                            text: exchange_text(&question, &text),
                            context_turn: Some(asked),
                        });
                    }
                    continue;
                }
                flush(&mut pending, &mut out);
                if !is_filler(&text) {
                    out.push(Turn {
                        index,
                        speaker: Speaker::Caller,
                        text,
                        context_turn: None,
                    });
                }
            }
            Role::Other => {}
        }
    }
    flush(&mut pending, &mut out);
    out
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
