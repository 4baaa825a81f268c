//! Public real-dialogue sets (`eval/data/<set>/`), read into a [`Dataset`]
//! so they run through the same ingestion and search path as the
//! generated set.
//!
//! Each set has a `dev` and a `test` split of whole callers:
//! `<split>_calls.jsonl` (webhook bodies in delivery order) and
//! `<split>_questions.jsonl` (`id`, `caller`, `question`, `answers`). Ranking
//! work may look at `dev`; `test` is reported, never tuned on. How a set is
//! built, and its licence, is in its folder's `ATTRIBUTION.md`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::dataset::{Answer, CallerInfo, Category, Dataset, Meta, Question};

/// The public sets, by folder name.
pub const SETS: [&str; 2] = ["chitchat", "taskmaster"];
/// Their splits.
pub const SPLITS: [&str; 2] = ["dev", "test"];

#[derive(Deserialize)]
struct RawQuestion {
    id: String,
    caller: String,
    question: String,
    answers: Vec<Answer>,
}

/// Reads one split of one set.
pub fn load(set: &str, split: &str) -> Result<Dataset, String> {
    let dir = crate::data_dir().join(set);
    let read = |name: &str| -> Result<String, String> {
        let path = dir.join(format!("{split}_{name}.jsonl"));
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let calls: Vec<String> = read("calls")?.lines().map(str::to_owned).collect();
    let mut conversations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut now = 0;
    for body in &calls {
        let v: Value =
            serde_json::from_str(body).map_err(|e| format!("{set}/{split}: a call: {e}"))?;
        let data = &v["data"];
        let number = data["metadata"]["phone_call"]["external_number"]
            .as_str()
            .unwrap_or_default();
        let conv = data["conversation_id"].as_str().unwrap_or_default();
        conversations
            .entry(number.to_owned())
            .or_default()
            .push(conv.to_owned());
        now = now.max(
            data["metadata"]["start_time_unix_secs"]
                .as_i64()
                .unwrap_or(0),
        );
    }
    let questions = read("questions")?
        .lines()
        .map(|line| {
            let q: RawQuestion = serde_json::from_str(line)
                .map_err(|e| format!("{set}/{split}: a question: {e}"))?;
            Ok(Question {
                id: q.id,
                caller: q.caller,
                question: q.question,
                category: Category::Single,
                changed: false,
                answers: q.answers,
                newest: None,
                topic: set.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Dataset {
        meta: Meta {
            seed: 0,
            // A day after the last call: questions are asked on a later call.
            now: now + 86_400,
            now_utc: String::new(),
            calls: calls.len(),
            questions: questions.len(),
            callers: conversations
                .into_iter()
                .map(|(number, conversations)| CallerInfo {
                    number,
                    name: String::new(),
                    conversations,
                })
                .collect(),
        },
        calls,
        questions,
    })
}

/// Whether a set's files are present (they are vendored; a checkout
/// without them skips the set rather than failing).
pub fn present(set: &str) -> bool {
    Path::new(&crate::data_dir().join(set).join("dev_calls.jsonl")).exists()
}

/// Product and baseline numbers of one split.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub label: String,
    pub questions: usize,
    pub product: crate::metrics::Summary,
    /// BM25's hit@1, hit@5, hit@10 and recall@10.
    pub baseline: (f64, f64, f64, f64),
}

/// Ingests one split through post-call and asks every question through the
/// search path (as search-data runs it, limit 10), beside BM25. With
/// `max_questions`, only the first ones (the crate's tests).
pub async fn evaluate(
    set: &str,
    split: &str,
    max_questions: Option<usize>,
) -> Result<Scores, String> {
    use crate::run::{self, Backend, Ranking, Stack};
    let mut dataset = load(set, split)?;
    if let Some(n) = max_questions {
        dataset.questions.truncate(n);
        let askers: std::collections::HashSet<String> =
            dataset.questions.iter().map(|q| q.caller.clone()).collect();
        dataset
            .calls
            .retain(|body| askers.iter().any(|c| body.contains(c.as_str())));
    }
    let stack = Stack::start(Backend::Embedded).await?;
    run::ingest(&stack, &dataset).await?;
    let (outcomes, _) = run::ask(&stack, &dataset, Ranking::Fused, false).await?;
    let product = crate::metrics::summarize(&outcomes);
    let hits = crate::baseline::first_hits(&dataset, run::LIMIT);
    let questions = hits.len().max(1) as f64;
    let at = |k: usize| {
        hits.iter()
            .filter(|h| h.first.is_some_and(|r| r < k))
            .count() as f64
            / questions
    };
    let recall = hits.iter().map(|h| h.recall).sum::<f64>() / questions;
    Ok(Scores {
        label: format!("{set} {split}"),
        questions: dataset.questions.len(),
        product,
        baseline: (at(1), at(5), at(10), recall),
    })
}

/// The table of every public set and split, product beside baseline.
pub fn table(scores: &[Scores]) -> String {
    let mut out = String::from(
        "| set | questions | product hit@1 / @5 / @10, recall@10 | BM25 hit@1 / @5 / @10, recall@10 | product search p50 / p99 |\n|---|---|---|---|---|\n",
    );
    for s in scores {
        out.push_str(&format!(
            "| {} | {} | {:.3} / {:.3} / {:.3}, {:.3} | {:.3} / {:.3} / {:.3}, {:.3} | {} / {} |\n",
            s.label,
            s.questions,
            s.product.hit1,
            s.product.hit5,
            s.product.hit10,
            s.product.recall10,
            s.baseline.0,
            s.baseline.1,
            s.baseline.2,
            s.baseline.3,
            crate::metrics::ms(s.product.p50),
            crate::metrics::ms(s.product.p99),
        ));
    }
    out
}
