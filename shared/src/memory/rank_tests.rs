//! Tests of [`super`] (rank.rs).

use serde_json::Map;

use super::*;

pub(super) const DAY: i64 = 86_400;
pub(super) const NOW: i64 = 1_750_000_000;

pub(super) fn memory(id: usize, kind: MemoryKind, content: &str, call_time: i64) -> Memory {
    Memory {
        id: format!("m{id}"),
        content: content.into(),
        kind,
        conversation_id: Some(format!("c{call_time}")),
        call_time: Some(call_time),
        turn: None,
        field: None,
        metadata: Map::new(),
        created_at_ms: call_time * 1_000 + i64::try_from(id).unwrap(),
    }
}

pub(super) fn fact(id: usize, field: &str, value: &str, call_time: i64) -> Memory {
    let mut m = memory(
        id,
        MemoryKind::Fact,
        &format!("{field}: {value}."),
        call_time,
    );
    m.field = Some(field.into());
    m
}

pub(super) fn corpus() -> Vec<Memory> {
    vec![
        memory(
            0,
            MemoryKind::Utterance,
            "I need to book a cleaning for Tuesday.",
            NOW - 40 * DAY,
        ),
        memory(
            1,
            MemoryKind::Utterance,
            "My dog is called Biscuit.",
            NOW - 30 * DAY,
        ),
        memory(
            2,
            MemoryKind::Summary,
            "Call on 2025-05-01: The caller asked about opening hours.",
            NOW - 20 * DAY,
        ),
        memory(
            3,
            MemoryKind::Utterance,
            "I live in Paris with my wife.",
            NOW - 10 * DAY,
        ),
        memory(
            4,
            MemoryKind::Snapshot,
            "Caller profile: dog Biscuit.",
            NOW - DAY,
        ),
        memory(
            5,
            MemoryKind::Utterance,
            "The cat knocked over the phone.",
            NOW - 5 * DAY,
        ),
    ]
}

pub(super) fn ids(memories: &[Memory], ranked: &[(usize, f64)]) -> Vec<String> {
    ranked
        .iter()
        .map(|(i, _)| memories[*i].id.clone())
        .collect()
}

#[test]
fn finds_the_dog_by_its_possessive_and_plural() {
    let memories = corpus();
    let ranked = rank("What's my dog's name?", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m1"]);
    // "dogs" only matches "dog" through the stemmer.
    let ranked = rank("dogs", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m1"]);
    let ranked = rank("cleanings", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m0"]);
}

#[test]
fn the_subject_outweighs_the_attribute_asked_for() {
    let mut memories = corpus();
    memories.push(fact(6, "name", "Angelo Rossi", NOW - DAY));
    memories.push(memory(
        7,
        MemoryKind::Summary,
        "Call on 2025-05-02: Angelo asked about whitening.",
        NOW - DAY,
    ));
    for query in ["what is the dog's name", "what is my dog called?"] {
        let ranked = rank(query, &memories, NOW);
        assert_eq!(ids(&memories, &ranked)[0], "m1", "{query}");
        // A summary's date prefix is not its content.
        assert!(
            !ids(&memories, &ranked).contains(&"m7".to_owned()),
            "{query}"
        );
    }
    assert_eq!(
        ids(&memories, &rank("what's my name?", &memories, NOW)),
        vec!["m6"]
    );
}

#[test]
fn prefers_the_newer_of_two_contradicting_facts() {
    let memories = vec![
        fact(0, "dog_name", "Rex", NOW - 100 * DAY),
        fact(1, "dog_name", "Biscuit", NOW - 99 * DAY),
        memory(
            2,
            MemoryKind::Utterance,
            "I walk the dog daily.",
            NOW - 3 * DAY,
        ),
    ];
    let ranked = rank("dog name", &memories, NOW);
    assert_eq!(ids(&memories, &ranked)[..2], ["m1", "m0"]);
    // Listed in the other order, the newer one still wins.
    let reversed: Vec<Memory> = memories.iter().rev().cloned().collect();
    let ranked = rank("dog name", &reversed, NOW);
    assert_eq!(ids(&reversed, &ranked)[..2], ["m1", "m0"]);
    // Exactly equal texts and times: the later stored wins the tie.
    let twins = vec![
        memory(0, MemoryKind::Utterance, "My dog is Rex.", NOW),
        memory(1, MemoryKind::Utterance, "My dog is Rex.", NOW),
    ];
    assert_eq!(ids(&twins, &rank("dog", &twins, NOW)), vec!["m1", "m0"]);
}

#[test]
fn empty_and_stop_word_queries_are_safe() {
    let memories = corpus();
    assert!(rank("", &memories, NOW).is_empty());
    assert!(rank("   ?! ", &memories, NOW).is_empty());
    assert!(rank("what is the", &memories, NOW).is_empty());
    assert!(rank("dog", &[], NOW).is_empty());
    let only_snapshot = vec![memory(0, MemoryKind::Snapshot, "dog", NOW)];
    assert!(rank("dog", &only_snapshot, NOW).is_empty());
    let empty_content = vec![memory(0, MemoryKind::Utterance, "", NOW)];
    assert!(rank("dog", &empty_content, NOW).is_empty());
}

#[test]
fn snapshots_are_never_ranked() {
    let memories = corpus();
    let ranked = rank("biscuit caller profile", &memories, NOW);
    assert!(!ranked.is_empty());
    assert!(ranked
        .iter()
        .all(|(i, _)| memories[*i].kind != MemoryKind::Snapshot));
}

#[test]
fn scores_are_sorted_and_rarer_terms_weigh_more() {
    let memories = vec![
        memory(
            0,
            MemoryKind::Utterance,
            "The appointment is on Tuesday.",
            NOW,
        ),
        memory(1, MemoryKind::Utterance, "The appointment was moved.", NOW),
        memory(
            2,
            MemoryKind::Utterance,
            "The appointment for the dentist.",
            NOW,
        ),
        memory(
            3,
            MemoryKind::Utterance,
            "I prefer Tuesday mornings for dentist visits.",
            NOW,
        ),
    ];
    let ranked = rank("dentist appointment tuesday", &memories, NOW);
    assert_eq!(ranked.len(), 4);
    assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
    // Two rare terms beat one rare and one common.
    assert_eq!(memories[ranked[0].0].id, "m3");
}

#[test]
fn facts_and_recency_tip_otherwise_equal_matches() {
    let memories = vec![
        memory(0, MemoryKind::Utterance, "allergy penicillin.", NOW),
        fact(1, "allergy", "penicillin", NOW),
    ];
    let ranked = rank("penicillin allergy", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
    let memories = vec![
        memory(
            0,
            MemoryKind::Utterance,
            "Booked a cleaning.",
            NOW - 2 * DAY,
        ),
        memory(
            1,
            MemoryKind::Utterance,
            "Booked a cleaning.",
            NOW - 400 * DAY,
        ),
    ];
    let ranked = rank("cleaning", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
    assert!(ranked[0].1 > ranked[1].1);
}

#[test]
fn stems_keep_the_first_letter() {
    // The candidate filter skips words whose first letter no query stem
    // has; that is only sound while stems keep the first letter, the
    // stemmer's exceptional forms included.
    let stemmer = Stemmer::create(Algorithm::English);
    for word in [
        "dying",
        "lying",
        "tying",
        "skies",
        "skis",
        "early",
        "only",
        "ugly",
        "idly",
        "gently",
        "singly",
        "yelling",
        "youth",
        "relational",
        "hoping",
        "agreed",
        "cries",
        "generously",
        "communication",
        "arsenal",
        "news",
        "ñandú",
        "état",
    ] {
        let stem = stemmer.stem(word);
        assert_eq!(stem.chars().next(), word.chars().next(), "{word} → {stem}");
    }
}

/// A memory of a call `days` before NOW, said at `turn`.
pub(super) fn said(id: usize, content: &str, days: i64, turn: u32) -> Memory {
    let mut m = memory(id, MemoryKind::Utterance, content, NOW - days * DAY);
    m.conversation_id = Some(format!("call{days}"));
    m.turn = Some(turn);
    m
}

#[test]
fn synonyms_find_what_was_said_in_other_words() {
    let memories = vec![
        said(0, "We adopted a beagle puppy named Luna.", 30, 1),
        said(1, "I usually see Dr. Patel for everything.", 60, 1),
        said(2, "The weather has been awful.", 5, 1),
    ];
    assert_eq!(
        ids(&memories, &rank("what's my pup called", &memories, NOW)),
        vec!["m0"]
    );
    assert_eq!(
        ids(&memories, &rank("who's my physician?", &memories, NOW)),
        vec!["m1"]
    );
    // The word itself counts more than its synonym.
    let memories = vec![
        said(0, "My puppy is Luna.", 10, 1),
        said(1, "My dog is Rex.", 10, 3),
    ];
    let ranked = rank("dog", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
    assert!(ranked[0].1 > ranked[1].1);
}

#[test]
fn a_time_in_the_query_selects_that_call() {
    // NOW is 2025-06-15: "last month" is May 2025, 31 days back is
    // May 15th and 95 days back March 12th.
    let memories = vec![
        said(0, "I need a refill of my lisinopril.", 31, 3),
        said(1, "I called about my knee.", 95, 3),
        said(2, "Thanks, bye now, have a good one.", 2, 5),
    ];
    let ranked = rank("what did I call about last month?", &memories, NOW);
    // May's call first, though it shares no word with the question;
    // the call in March matches "call" but comes after.
    assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
    // The time's words are not terms: "March" finds March's call even
    // though "march" is said nowhere.
    let march = rank("what did I call about in March", &memories, NOW);
    assert_eq!(ids(&memories, &march)[0], "m1");
}

#[test]
fn last_and_first_time_mean_the_newest_and_oldest_call() {
    let memories = vec![
        said(0, "I'm a new patient.", 300, 1),
        said(1, "My knee hurts.", 40, 1),
        said(2, "Can I get a flu shot?", 3, 1),
        said(3, "Also my knee is better.", 3, 5),
    ];
    let last = rank("what did we talk about last time", &memories, NOW);
    // The newest call, in the order it was said.
    assert_eq!(ids(&memories, &last)[..2], ["m2", "m3"]);
    let first = rank("what was my very first call about", &memories, NOW);
    assert_eq!(ids(&memories, &first)[0], "m0");
    // With a subject, the subject still decides within the time.
    let knee = rank("what did I say about my knee last time", &memories, NOW);
    assert_eq!(ids(&memories, &knee)[0], "m3");
}

#[test]
fn back_in_a_month_is_a_time_not_a_body_part() {
    let memories = vec![
        said(0, "My back pain is worse.", 100, 1),
        said(1, "My back pain is better now.", 20, 1),
    ];
    let ranked = rank("what did I say about my back back in March", &memories, NOW);
    assert_eq!(ids(&memories, &ranked)[0], "m0");
    assert!(names_a_time("back in March", NOW));
    assert!(!names_a_time("my back pain", NOW));
}

#[test]
fn a_newer_statement_leads_however_it_is_worded() {
    let memories = vec![
        said(0, "My address is 12 Oak Street, that's my address.", 200, 5),
        said(1, "We moved, it's 88 Birch Lane now.", 20, 3),
        said(2, "I love the weather.", 2, 1),
    ];
    let ranked = rank("what's my address", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
    // The old one matched better: it was placed right behind.
    assert!((ranked[1].1 - SUPERSEDED * ranked[0].1).abs() < 1e-9);
}

#[test]
fn a_passing_mention_does_not_push_back_a_statement() {
    let memories = vec![
        said(
            0,
            "My doctor is Dr. Patel. Dr. Patel has been my doctor for years.",
            200,
            5,
        ),
        said(
            1,
            "Oh and the mole turned out to be nothing, the skin doctor at the other place said it \
             was fine, so that was a relief, anyway we are all good here and the kids are well.",
            10,
            3,
        ),
    ];
    let ranked = rank("who is my doctor", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
}
