use serde_json::json;

use super::*;
use crate::memory::profile::Snapshot;
use crate::models::post_call::Role;
use crate::models::post_call::{DataCollectionResult, TranscriptTurn};
use crate::models::{Envelope, PostCallEvent};

const REAL: &str = include_str!(
    "../../../tests/fixtures/elevenlabs/post_call_transcription.real_inbound_twilio.anonymized.json"
);
pub(super) const DOCS: &str =
    include_str!("../../../tests/fixtures/elevenlabs/post_call_transcription.docs_example.json");

pub(super) fn transcription(body: &str) -> TranscriptionData {
    match Envelope::parse(body.as_bytes()).unwrap().event {
        PostCallEvent::Transcription(t) => *t,
        other => panic!("not a transcription: {other:?}"),
    }
}

/// A call with the given facts, summary and caller turns, each after an
/// agent acknowledgement (a filler, so not remembered).
pub(super) fn call(
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
            message: Some("Okay.".into()),
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

pub(super) fn snapshot_of_plan(plan: &Plan) -> Snapshot {
    serde_json::from_value(plan.snapshot.extra["snapshot"].clone()).unwrap()
}

pub(super) fn words(text: &str) -> Vec<String> {
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
    // Every data-collection value is null; the only turn is the agent's
    // greeting, kept as the agent's.
    assert_eq!(plan.memories.len(), 2, "{:#?}", plan.memories);
    assert_eq!(plan.memories[1].extra["speaker"], json!("agent"));
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
    let facts: Vec<(&String, &Value)> = snapshot.facts.iter().map(|(k, f)| (k, &f.value)).collect();
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
fn plan_of_the_docs_example_keeps_the_summary_whole_and_both_speakers() {
    let c = transcription(DOCS);
    let plan = plan(&c, None);
    assert_well_formed(&plan.memories);
    let summaries: Vec<&NewMemory> = plan
        .memories
        .iter()
        .filter(|m| m.kind == MemoryKind::Summary)
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:#?}");
    let expected = format!(
        "Call on 2025-02-14: {}",
        c.analysis.transcript_summary.as_deref().unwrap()
    );
    assert_eq!(summaries[0].content, expected);
    assert!(!summaries[0].extra.contains_key("part"));

    let turns: Vec<(Option<u32>, Option<&str>, &str)> = plan
        .memories
        .iter()
        .filter(|m| m.kind == MemoryKind::Utterance)
        .map(|m| {
            (
                m.turn,
                m.extra.get("speaker").and_then(Value::as_str),
                m.content.as_str(),
            )
        })
        .collect();
    // The greeting is a short question: the caller's first turn answers it.
    assert_eq!(turns.len(), 2, "{turns:#?}");
    assert_eq!(
        turns[0],
        (
            Some(1),
            Some("both"),
            "Agent: Hey there angelo. How are you? Caller: Hey, can you tell me, like, a fun fact about 11 Labs?"
        )
    );
    assert_eq!((turns[1].0, turns[1].1), (Some(2), Some("agent")));
    assert!(turns[1].2.starts_with("I do not have access to fun facts"));
    let caller = plan.memories.iter().find(|m| m.turn == Some(1)).unwrap();
    assert_eq!(
        caller.tags(),
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
    assert!(plan.memories.iter().all(|m| m.content.len() < 60));
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

#[test]
fn a_value_already_remembered_is_not_written_again_and_a_rerun_agrees() {
    let facts = |p: &Plan| -> Vec<String> {
        p.memories
            .iter()
            .filter(|m| m.kind == MemoryKind::Fact)
            .map(|m| m.content.clone())
            .collect()
    };
    let first = call(
        "c1",
        100,
        &[("name", json!("Angelo")), ("city", json!("Paris"))],
        None,
        &[],
    );
    let s1 = snapshot_of_plan(&plan(&first, None));
    // The caller repeats their name and gives a new city.
    let second = call(
        "c2",
        200,
        &[("name", json!("Angelo")), ("city", json!("Rome"))],
        None,
        &[],
    );
    let p2 = plan(&second, Some(&s1));
    assert_eq!(facts(&p2), vec!["city: Rome.".to_owned()]);
    let s2 = snapshot_of_plan(&p2);
    assert_eq!(s2.facts["name"].conversation_id.as_deref(), Some("c1"));
    assert_eq!(s2.facts["city"].value, json!("Rome"));
    // A retry of the second call, after its snapshot landed, plans the same.
    assert_eq!(facts(&plan(&second, Some(&s2))), facts(&p2));
    // A changed value is always written, even back to an old one.
    let third = call("c3", 300, &[("city", json!("Paris"))], None, &[]);
    assert_eq!(
        facts(&plan(&third, Some(&s2))),
        vec!["city: Paris.".to_owned()]
    );
}
