//! The evaluation set as files: webhook bodies, questions, and a small
//! index, written byte-identically on every run.
//!
//! `calls.jsonl` holds one ElevenLabs `post_call_transcription` webhook body
//! per line, in delivery order (call start time). `questions.jsonl` holds one
//! question per line with the transcript turns that answer it.
//! `meta.json` names the seed, the fixed "now" the questions are asked at,
//! and each caller's conversations.
//!
//! JSON is written with object keys sorted ([`canonical`]), whatever
//! serde_json's map type is in a given build, so the files never differ
//! between a `cargo test` and a `cargo run` build of the generator.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of memory lookup a question exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A fact the caller stated once, asked in similar words.
    Single,
    /// A fact that changed over time; the newest statement must lead.
    Changed,
    /// A question about a time ("last month", "in March", "last time").
    Time,
    /// A fact spread over several calls.
    Spread,
    /// Worded differently from the answer ("pup" for dog, "physician" for doctor).
    Paraphrase,
}

impl Category {
    pub const ALL: [Self; 5] = [
        Self::Single,
        Self::Changed,
        Self::Time,
        Self::Spread,
        Self::Paraphrase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Changed => "changed",
            Self::Time => "time",
            Self::Spread => "spread",
            Self::Paraphrase => "paraphrase",
        }
    }
}

/// A transcript turn of one conversation: what a memory must come from to
/// answer a question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Answer {
    pub conversation_id: String,
    pub turn: u32,
}

/// One question, asked as the caller it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    /// The caller's E.164 number: the search tool's `caller_id`.
    pub caller: String,
    pub question: String,
    pub category: Category,
    /// The answer changed over time (also set on paraphrased questions about
    /// a changed fact).
    pub changed: bool,
    /// Every turn that answers the question.
    pub answers: Vec<Answer>,
    /// For a changed fact: the turn with the newest value, which must rank
    /// above the older ones.
    pub newest: Option<Answer>,
    /// What the question is about (`address`, `pet`, `time:last_month`, …).
    pub topic: String,
}

/// One simulated caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallerInfo {
    pub number: String,
    pub name: String,
    /// Their conversations, oldest first.
    pub conversations: Vec<String>,
}

/// What the set is and when its questions are asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub seed: u64,
    /// The fixed "now" (unix seconds) relative questions are asked at.
    pub now: i64,
    pub now_utc: String,
    pub calls: usize,
    pub questions: usize,
    pub callers: Vec<CallerInfo>,
}

/// The whole evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub meta: Meta,
    /// Webhook bodies, in delivery order, exactly as sent.
    pub calls: Vec<String>,
    pub questions: Vec<Question>,
}

pub const META_FILE: &str = "meta.json";
pub const CALLS_FILE: &str = "calls.jsonl";
pub const QUESTIONS_FILE: &str = "questions.jsonl";

impl Dataset {
    /// The files of the set: name and content.
    pub fn files(&self) -> Result<Vec<(&'static str, String)>, serde_json::Error> {
        let mut meta = canonical(&serde_json::to_value(&self.meta)?);
        meta.push('\n');
        let mut calls = String::new();
        for body in &self.calls {
            calls.push_str(body);
            calls.push('\n');
        }
        let mut questions = String::new();
        for q in &self.questions {
            questions.push_str(&canonical(&serde_json::to_value(q)?));
            questions.push('\n');
        }
        Ok(vec![
            (META_FILE, meta),
            (CALLS_FILE, calls),
            (QUESTIONS_FILE, questions),
        ])
    }

    /// Writes the files into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, content) in self.files().map_err(|e| e.to_string())? {
            let path = dir.join(name);
            std::fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }

    /// Reads a set written by [`Dataset::write`].
    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let meta: Meta =
            serde_json::from_str(&read(META_FILE)?).map_err(|e| format!("{META_FILE}: {e}"))?;
        let calls: Vec<String> = read(CALLS_FILE)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let questions = read(QUESTIONS_FILE)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| format!("{QUESTIONS_FILE} line {}: {e}", i + 1))
            })
            .collect::<Result<Vec<Question>, String>>()?;
        Ok(Self {
            meta,
            calls,
            questions,
        })
    }

    /// The caller (E.164) a conversation belongs to.
    pub fn owner_of(&self, conversation_id: &str) -> Option<&str> {
        self.meta
            .callers
            .iter()
            .find(|c| c.conversations.iter().any(|id| id == conversation_id))
            .map(|c| c.number.as_str())
    }
}

/// `value` as compact JSON with every object's keys sorted.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn canonical_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"z": [ {"y": true, "x": null} ], "c": "é\"q"}});
        assert_eq!(
            canonical(&v),
            r#"{"a":{"c":"é\"q","z":[{"x":null,"y":true}]},"b":1}"#
        );
        let back: Value = serde_json::from_str(&canonical(&v)).unwrap();
        assert_eq!(back, v);
    }
}
