//! The questions of one caller being collected, and the answering turns
//! of the statements a question is about.

use crate::dataset::{Answer, Category, Question};
use crate::gen::facts::Stated;
use crate::gen::history::History;

/// One caller's questions so far.
pub(super) struct Asked<'a> {
    caller: &'a str,
    pub questions: Vec<Question>,
}

impl<'a> Asked<'a> {
    pub fn new(caller: &'a str) -> Self {
        Self {
            caller,
            questions: Vec::new(),
        }
    }

    /// Adds a question (none when nothing answers it).
    pub fn ask(
        &mut self,
        text: String,
        category: Category,
        changed: bool,
        answers: Vec<Answer>,
        newest: Option<Answer>,
        topic: &str,
    ) {
        if answers.is_empty() {
            return;
        }
        self.questions.push(Question {
            id: String::new(),
            caller: self.caller.to_owned(),
            question: text,
            category,
            changed,
            answers,
            newest,
            topic: topic.to_owned(),
        });
    }
}

pub(super) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub(super) fn answer(h: &History, s: &Stated) -> Answer {
    Answer {
        conversation_id: h.calls[s.call].conversation.clone(),
        turn: s.turn,
    }
}

/// The distinct answers of `stated`, in call order.
pub(super) fn answers_of(h: &History, stated: &[&Stated]) -> Vec<Answer> {
    let mut v: Vec<(usize, u32)> = stated.iter().map(|s| (s.call, s.turn)).collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter()
        .map(|(call, turn)| Answer {
            conversation_id: h.calls[call].conversation.clone(),
            turn,
        })
        .collect()
}
