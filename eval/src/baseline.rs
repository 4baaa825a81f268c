//! The plain baseline every table prints beside the product: BM25 over the
//! caller's own turns (both speakers'), whole, with the same kind of tokens (lower-cased
//! letters and digits, English Snowball stems) and nothing else: no
//! synonyms, no time logic, no newer-first, no store.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use serde_json::Value;

use crate::dataset::{Answer, Dataset};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One caller's indexed turns.
struct Index {
    turns: Vec<(Answer, Vec<String>)>,
    df: HashMap<String, usize>,
    avg_len: f64,
}

fn tokens(stemmer: &Stemmer, text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
        .collect()
}

/// What BM25's top `k` held for one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The 0-based rank of the first answering turn, if any.
    pub first: Option<usize>,
    /// The share of the question's answering turns found.
    pub recall: f64,
}

/// For each question of `dataset`, what BM25's top `k` found.
pub fn first_hits(dataset: &Dataset, k: usize) -> Vec<Found> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut by_caller: HashMap<String, Vec<(Answer, Vec<String>)>> = HashMap::new();
    for body in &dataset.calls {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        let data = &v["data"];
        let caller = data["metadata"]["phone_call"]["external_number"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let conv = data["conversation_id"].as_str().unwrap_or_default();
        for (i, turn) in data["transcript"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if turn["role"] != "user" && turn["role"] != "agent" {
                continue;
            }
            let text = turn["message"].as_str().unwrap_or_default();
            let answer = Answer {
                conversation_id: conv.to_owned(),
                turn: i as u32,
            };
            by_caller
                .entry(caller.clone())
                .or_default()
                .push((answer, tokens(&stemmer, text)));
        }
    }
    let indexes: HashMap<String, Index> = by_caller
        .into_iter()
        .map(|(caller, turns)| {
            let mut df = HashMap::new();
            for (_, toks) in &turns {
                let mut seen: Vec<&String> = toks.iter().collect();
                seen.sort();
                seen.dedup();
                for t in seen {
                    *df.entry(t.clone()).or_insert(0) += 1;
                }
            }
            let avg_len = turns.iter().map(|(_, t)| t.len()).sum::<usize>() as f64
                / turns.len().max(1) as f64;
            (caller, Index { turns, df, avg_len })
        })
        .collect();
    dataset
        .questions
        .iter()
        .map(|q| {
            let none = Found {
                first: None,
                recall: 0.0,
            };
            let Some(index) = indexes.get(&q.caller) else {
                return none;
            };
            let mut query = tokens(&stemmer, &q.question);
            query.sort();
            query.dedup();
            let n = index.turns.len() as f64;
            let mut scored: Vec<(f64, usize)> = index
                .turns
                .iter()
                .enumerate()
                .map(|(i, (_, toks))| {
                    let len = toks.len() as f64;
                    let score: f64 = query
                        .iter()
                        .map(|term| {
                            let tf = toks.iter().filter(|t| *t == term).count() as f64;
                            if tf == 0.0 {
                                return 0.0;
                            }
                            let df = index.df.get(term).copied().unwrap_or(0) as f64;
                            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                            idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / index.avg_len))
                        })
                        .sum();
                    (score, i)
                })
                .filter(|(s, _)| *s > 0.0)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let top: Vec<&Answer> = scored
                .iter()
                .take(k)
                .map(|&(_, i)| &index.turns[i].0)
                .collect();
            let found = q.answers.iter().filter(|a| top.contains(a)).count();
            Found {
                first: top.iter().position(|a| q.answers.contains(a)),
                recall: found as f64 / q.answers.len().max(1) as f64,
            }
        })
        .collect()
}
