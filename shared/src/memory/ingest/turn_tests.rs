//! Tests of which turns a plan keeps: both speakers, exchanges, fillers.

use serde_json::{json, Value};

use super::plan_tests::call;
use super::*;
use crate::models::post_call::{Role, TranscriptTurn};
use crate::models::TranscriptionData;

/// A call of the given (speaker, message) turns.
fn dialogue(turns: &[(Role, &str)]) -> TranscriptionData {
    let mut c = call("c1", 100, &[], None, &[]);
    for (role, message) in turns {
        c.transcript.push(TranscriptTurn {
            role: role.clone(),
            message: Some((*message).into()),
            ..Default::default()
        });
    }
    c
}

fn texts(plan: &Plan) -> Vec<(Option<u32>, Option<u64>, &str)> {
    plan.memories
        .iter()
        .map(|m| {
            (
                m.turn,
                m.extra.get("context_turn").and_then(Value::as_u64),
                m.content.as_str(),
            )
        })
        .collect()
}

#[test]
fn a_short_answer_is_kept_with_the_question_it_answers() {
    use Role::{Agent, User};
    let plan = plan(
        &dialogue(&[
            (Agent, "Hi, how can I help?"),
            (User, "I moved, I need to update my address."),
            (Agent, "Sure. What's the new address?"),
            (User, "12 Elm Street."),
            (Agent, "So that's 12 Elm Street now?"),
            (User, "Yes."),
            (Agent, "Anything else?"),
            (User, "Okay, thanks, bye!"),
        ]),
        None,
    );
    assert_eq!(
        texts(&plan),
        vec![
            (
                Some(1),
                Some(0),
                "Agent: Hi, how can I help? Caller: I moved, I need to update my address."
            ),
            (
                Some(3),
                Some(2),
                "Agent: Sure. What's the new address? Caller: 12 Elm Street."
            ),
            (
                Some(5),
                Some(4),
                "Agent: So that's 12 Elm Street now? Caller: Yes."
            ),
            // A goodbye answers nothing: the agent's question stays alone.
            (Some(6), None, "Anything else?"),
        ]
    );
    let exchange = &plan.memories[2];
    assert_eq!(exchange.extra["speaker"], json!("both"));
    assert_eq!(plan.memories[3].extra["speaker"], json!("agent"));
    // A short question keeps even a long answer; a long statement ending
    // in a question, a filler, or no agent turn at all keep the caller's
    // turn on its own (the near misses).
    let long_statement = "Thanks for waiting, I checked the schedule and there are two \
        openings this week with the nurse practitioner. Which one works?";
    let plan = plan_of(&[
        (Agent, "What's the new address?"),
        (
            User,
            "It is 12 Elm Street, the blue house at the corner by the school.",
        ),
        (Agent, long_statement),
        (
            User,
            "The Thursday one in the afternoon would be best for me, after work.",
        ),
        (Agent, "Okay."),
        (User, "And my dog Rex."),
        (User, "Yes."),
    ]);
    assert_eq!(
        texts(&plan),
        vec![
            (
                Some(1),
                Some(0),
                "Agent: What's the new address? Caller: It is 12 Elm Street, the blue house at the corner by the school."
            ),
            (Some(2), None, long_statement),
            (
                Some(3),
                None,
                "The Thursday one in the afternoon would be best for me, after work."
            ),
            (Some(5), None, "And my dog Rex."),
        ]
    );
    assert_eq!(plan.memories[1].extra["speaker"], json!("agent"));
    assert!(!plan.memories[2].extra.contains_key("speaker"));
}

fn plan_of(turns: &[(Role, &str)]) -> Plan {
    plan(&dialogue(turns), None)
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
