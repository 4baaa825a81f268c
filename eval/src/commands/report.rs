//! What `eval run` prints: the table of runs, the table by category,
//! fusion against the local ranking, the handler's answers, the misses,
//! and what the set holds.

use crate::dataset::{Category, Dataset};
use crate::metrics::{self, ms, Summary};
use crate::outcome::Outcome;
use crate::run::{self, HandlerCheck};

/// The table of runs, one row each.
pub(super) fn runs(rows: &[(String, Summary)]) {
    println!();
    println!("{}", metrics::HEADER);
    for (label, s) in rows {
        println!("{}", metrics::row(label, s));
    }
    println!();
}

/// The table by category of `detail` (the fused ranking, or with
/// `local_only` the local one).
pub(super) fn categories(dataset: &Dataset, detail: &[Outcome], local_only: bool) {
    println!(
        "By category (embedded, {}):",
        if local_only { "local only" } else { "fused" }
    );
    println!("| category | questions | hit@1 | hit@5 | hit@10 | recall@10 | newest first |");
    println!("|---|---|---|---|---|---|---|");
    for (category, s) in metrics::by_category(dataset, detail) {
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
            category.as_str(),
            s.questions,
            s.hit1,
            s.hit5,
            s.hit10,
            s.recall10,
            if s.newest_first.1 == 0 {
                "–".to_owned()
            } else {
                format!("{}/{}", s.newest_first.0, s.newest_first.1)
            }
        );
    }
}

/// Fusion against the local ranking alone, per store: the questions
/// each does better on (with `misses`, every one listed).
pub(super) fn comparisons(
    dataset: &Dataset,
    comparisons: &[(&str, Vec<Outcome>, Vec<Outcome>)],
    misses: bool,
) {
    println!();
    for (name, fused, local) in comparisons {
        let worse = metrics::worse(fused, local);
        let better = metrics::worse(local, fused);
        println!(
            "fusion vs local only, {name}: better on {} questions, worse on {}{}",
            better.len(),
            worse.len(),
            ids(dataset, &worse)
        );
        if misses {
            for &i in &worse {
                let rank =
                    |o: &Outcome| o.first_hit.map_or("–".to_owned(), |r| (r + 1).to_string());
                println!(
                    "    {} {:?}: first answer at {} (local {}), newest first {:?} (local {:?})",
                    dataset.questions[i].id,
                    dataset.questions[i].question,
                    rank(&fused[i]),
                    rank(&local[i]),
                    fused[i].newest_first,
                    local[i].newest_first,
                );
            }
        }
    }
}

/// What asking through the search-data handler found, per store.
pub(super) fn handlers(handlers: &[(&str, HandlerCheck)]) {
    for (name, check) in handlers {
        println!(
            "search-data handler, {name}: {}/{} answered 200 for a known caller; in-process p50 {}, p99 {}",
            check.ok,
            check.asked,
            ms(metrics::quantile(&check.latencies, 0.5)),
            ms(metrics::quantile(&check.latencies, 0.99)),
        );
        for failure in check.failures.iter().take(5) {
            println!("  {failure}");
        }
    }
}

/// The questions without an answer in the top 10 and those whose newest
/// answer did not lead (with `all`, every one with its top results).
pub(super) fn misses(dataset: &Dataset, outcomes: &[Outcome], all: bool) {
    let misses: Vec<&Outcome> = outcomes.iter().filter(|o| o.first_hit.is_none()).collect();
    let lost: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.newest_first == Some(false))
        .collect();
    println!();
    println!(
        "Misses (no answer in the top {}): {}; newest not first: {}",
        run::LIMIT,
        misses.len(),
        lost.len()
    );
    let listed: Vec<&Outcome> = misses
        .iter()
        .chain(&lost)
        .take(if all { usize::MAX } else { 12 })
        .copied()
        .collect();
    for o in listed {
        let q = &dataset.questions[o.question];
        println!(
            "  {} [{}{}] {:?}",
            q.id,
            q.category.as_str(),
            if q.changed { ", changed" } else { "" },
            q.question
        );
        if all {
            for (c, t, text) in o.results.iter().take(4) {
                let answer = match (c, t) {
                    (Some(c), Some(t)) => q
                        .answers
                        .iter()
                        .any(|a| &a.conversation_id == c && a.turn == *t),
                    _ => false,
                };
                let newest = q.newest.as_ref().is_some_and(|n| {
                    c.as_deref() == Some(n.conversation_id.as_str()) && *t == Some(n.turn)
                });
                let mark = if newest {
                    "N"
                } else if answer {
                    "*"
                } else {
                    " "
                };
                println!("      {mark} {text}");
            }
        }
    }
}

/// A goal met or not.
pub(super) fn tick(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

/// The ids of `questions` (the first ten), in parentheses.
fn ids(dataset: &Dataset, questions: &[usize]) -> String {
    if questions.is_empty() {
        return String::new();
    }
    let list: Vec<&str> = questions
        .iter()
        .take(10)
        .map(|&i| dataset.questions[i].id.as_str())
        .collect();
    format!(
        " ({}{})",
        list.join(", "),
        if questions.len() > 10 { ", …" } else { "" }
    )
}

/// What the set holds.
pub(super) fn describe(dataset: &Dataset) {
    let count = |c: Category| dataset.questions.iter().filter(|q| q.category == c).count();
    let changed = dataset.questions.iter().filter(|q| q.changed).count();
    println!(
        "set: {} callers, {} calls, {} questions ({}), {} about changed facts; asked at {}",
        dataset.meta.callers.len(),
        dataset.calls.len(),
        dataset.questions.len(),
        Category::ALL
            .iter()
            .map(|c| format!("{} {}", count(*c), c.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        changed,
        dataset.meta.now_utc
    );
}
