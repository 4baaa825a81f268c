//! What one question got: a ranked list of memories scored against the
//! question's known answers (first answering rank, answers found, newest
//! first for a changed fact, results from another caller).

use std::collections::HashSet;
use std::time::Duration;

use shared::memory::Memory;

use crate::dataset::{Answer, Dataset, Question};

/// What one question got.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Index into the dataset's questions.
    pub question: usize,
    /// 0-based rank of the first memory that answers, if any did.
    pub first_hit: Option<usize>,
    /// Distinct answers among the results, and how many there are.
    pub found: usize,
    pub answers: usize,
    /// For a changed fact: whether the newest answer came back ranked
    /// above every older one.
    pub newest_first: Option<bool>,
    /// Results from another caller's conversations (or from none).
    pub foreign: usize,
    pub latency: Duration,
    /// What came back, for reports: (conversation, turn, content).
    pub results: Vec<(Option<String>, Option<u32>, String)>,
}

/// Scores one answer list against a question.
pub fn score(dataset: &Dataset, index: usize, memories: &[Memory], latency: Duration) -> Outcome {
    let q: &Question = &dataset.questions[index];
    // The answering turns a memory stands for: its own turn, and for a
    // short answer kept with its question, the agent turn too.
    let answers_in = |m: &Memory| -> Vec<Answer> {
        let Some(conversation) = m.conversation_id.as_deref() else {
            return Vec::new();
        };
        m.turns()
            .map(|turn| Answer {
                conversation_id: conversation.to_owned(),
                turn,
            })
            .filter(|a| q.answers.contains(a))
            .collect()
    };
    let mut first_hit = None;
    let mut found: HashSet<Answer> = HashSet::new();
    let mut position_of: Vec<(Answer, usize)> = Vec::new();
    let mut foreign = 0;
    for (rank, m) in memories.iter().enumerate() {
        let owner = m
            .conversation_id
            .as_deref()
            .and_then(|c| dataset.owner_of(c));
        if owner != Some(q.caller.as_str()) {
            foreign += 1;
        }
        for a in answers_in(m) {
            first_hit.get_or_insert(rank);
            if found.insert(a.clone()) {
                position_of.push((a, rank));
            }
        }
    }
    let newest_first = q.newest.as_ref().map(|newest| {
        let Some(&(_, at)) = position_of.iter().find(|(a, _)| a == newest) else {
            return false;
        };
        // Answers are listed in call order: the older ones come before the
        // newest answer's conversation.
        let older: Vec<&Answer> = q
            .answers
            .iter()
            .take_while(|a| a.conversation_id != newest.conversation_id)
            .collect();
        position_of
            .iter()
            .filter(|(a, _)| older.contains(&a))
            .all(|(_, rank)| *rank > at)
    });
    Outcome {
        question: index,
        first_hit,
        found: found.len(),
        answers: q.answers.len(),
        newest_first,
        foreign,
        latency,
        results: memories
            .iter()
            .map(|m| (m.conversation_id.clone(), m.turn, m.content.clone()))
            .collect(),
    }
}
