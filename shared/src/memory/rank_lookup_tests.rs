//! Tests of [`super`] (rank.rs) for what both speakers' turns brought:
//! exchanges, the agent's prior, and newer-first for current values.

use serde_json::{json, Map};

use super::tests::{ids, memory, said};
use super::*;
use crate::memory::exchange_text;

const DAY: i64 = 86_400;
const NOW: i64 = 1_750_000_000;

fn turn(id: usize, content: &str, call_time: i64, speaker: Option<&str>) -> Memory {
    let mut metadata = Map::new();
    if let Some(s) = speaker {
        metadata.insert("speaker".into(), json!(s));
    }
    Memory {
        id: format!("m{id}"),
        content: content.into(),
        kind: MemoryKind::Utterance,
        conversation_id: Some(format!("c{call_time}")),
        call_time: Some(call_time),
        turn: Some(u32::try_from(id).unwrap()),
        field: None,
        metadata,
        created_at_ms: call_time * 1_000 + i64::try_from(id).unwrap(),
    }
}

fn order(query: &str, memories: &[Memory]) -> Vec<usize> {
    rank(query, memories, NOW)
        .into_iter()
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn an_exchange_is_found_by_its_question_and_its_answer() {
    let memories = [
        turn(
            0,
            &exchange_text("So that's 12 Elm Street now?", "Yes."),
            NOW - DAY,
            Some("both"),
        ),
        turn(1, "I walked past Elm Park yesterday.", NOW - 2 * DAY, None),
    ];
    // "Street" is only in the agent's part: the exchange is still found.
    assert_eq!(order("which street", &memories), vec![0]);
    // The labels are not words of the memory.
    assert!(order("agent", &memories).is_empty());
    assert!(order("caller", &memories).is_empty());
}

#[test]
fn the_agent_counts_a_little_less_than_the_caller() {
    let memories = [
        turn(
            0,
            "The cabin by the lake was lovely.",
            NOW - DAY,
            Some("agent"),
        ),
        turn(1, "The cabin by the lake was lovely.", NOW - DAY, None),
    ];
    assert_eq!(order("lake cabin", &memories), vec![1, 0]);
}

#[test]
fn asking_for_the_current_value_puts_the_newer_statement_first() {
    // Among other turns, as in a caller's real memory (so that no word is
    // rare only because the memory is tiny).
    let mut memories: Vec<Memory> = (2..40)
        .map(|i| {
            turn(
                i,
                &format!("We talked about the weather {i}."),
                NOW - 50 * DAY,
                None,
            )
        })
        .collect();
    memories.splice(
        0..0,
        [
            turn(
                0,
                "My prescriptions go to the pharmacy downtown, the one by the library.",
                NOW - 90 * DAY,
                None,
            ),
            turn(
                1,
                "Send my prescriptions to the Walgreens pharmacy instead.",
                NOW - 5 * DAY,
                None,
            ),
            turn(
                40,
                "The library downtown has a new reading room.",
                NOW - 60 * DAY,
                None,
            ),
            turn(
                41,
                "My pharmacy sent a text about prescriptions.",
                NOW - 70 * DAY,
                None,
            ),
        ],
    );
    let place = |query: &str, i: usize| order(query, &memories).iter().position(|&k| k == i);
    // A long episodic question: the better-worded older turn leads…
    let episodic = "which pharmacy downtown by the library did my prescriptions go to";
    assert_eq!(order(episodic, &memories)[0], 0);
    assert!(place(episodic, 0) < place(episodic, 1));
    // …asked for the value as it is now, the newer statement comes first.
    let current = "which pharmacy downtown by the library do my prescriptions go to currently";
    assert!(place(current, 1) < place(current, 0));
}

#[test]
fn a_turn_is_found_by_the_words_of_the_turn_it_answers() {
    let mut memories: Vec<Memory> = (0..30)
        .map(|i| turn(i, &format!("Small talk number {i}."), NOW - 30 * DAY, None))
        .collect();
    let call = NOW - 3 * DAY;
    memories.push(turn(
        40,
        "Where did you go for the long weekend?",
        call,
        Some("agent"),
    ));
    memories.push(turn(
        41,
        "We drove up to Lake Tahoe with the kids.",
        call,
        None,
    ));
    memories.push(turn(42, "Unrelated: my back hurts.", call, None));
    let found = order("long weekend trip", &memories);
    let place = |id: &str| found.iter().position(|&i| memories[i].id == id);
    // The answer shares no word with the query, but the turn before it does.
    assert!(place("m41").is_some(), "{found:?}");
    assert!(place("m40") < place("m41"));
    // A turn of another call, or two turns away, gains nothing.
    assert_eq!(place("m42"), None);
    assert!(found.iter().all(|&i| memories[i].call_time == Some(call)));
}

#[test]
fn an_old_statement_stays_behind_every_restatement_of_a_newer_call() {
    // The newer call's summary outscores its own turn; the old
    // statement must still end up behind the turn.
    let mut summary = memory(
        1,
        MemoryKind::Summary,
        "Call on 2023-06-01: Changed pharmacy to the pharmacy on Main, the pharmacy.",
        NOW - 12 * DAY,
    );
    summary.conversation_id = Some("call12".into());
    let memories = vec![
        said(0, "My pharmacy is the pharmacy on Oak.", 200, 3),
        summary,
        said(
            2,
            "Please use the Main Street pharmacy from now on, I switched.",
            12,
            3,
        ),
    ];
    let ranked = rank("which pharmacy do I use", &memories, NOW);
    let order = ids(&memories, &ranked);
    let position = |id: &str| order.iter().position(|x| x == id).unwrap();
    assert!(position("m2") < position("m0"), "{order:?}");
    assert!(position("m1") < position("m0"), "{order:?}");
}

#[test]
fn extreme_call_times_are_safe() {
    let memories = vec![
        memory(0, MemoryKind::Utterance, "My dog is Rex.", i64::MIN / 1_000),
        memory(1, MemoryKind::Utterance, "My dog is Max.", i64::MAX / 1_000),
        said(2, "My dog is Ziggy.", 1, 1),
    ];
    for query in ["dog", "what did I say about my dog yesterday", "dog in May"] {
        let ranked = rank(query, &memories, NOW);
        assert_eq!(ranked.len(), 3, "{query}");
        assert!(ranked.iter().all(|(_, s)| s.is_finite()), "{query}");
    }
    // The far-future memory is the newest call.
    assert_eq!(
        ids(&memories, &rank("last time", &memories, NOW)),
        vec!["m1"]
    );
}

#[test]
fn non_ascii_text_is_matched_case_insensitively() {
    let memories = vec![
        memory(0, MemoryKind::Utterance, "Ich wohne in MÜNCHEN.", NOW),
        memory(1, MemoryKind::Utterance, "I live in Paris.", NOW),
    ];
    assert_eq!(ids(&memories, &rank("münchen", &memories, NOW)), vec!["m0"]);
}
