//! Turning per-question outcomes into the numbers the eval reports.

use std::time::Duration;

use crate::dataset::{Category, Dataset};
use crate::outcome::Outcome;

/// The headline numbers of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub questions: usize,
    pub hit1: f64,
    pub hit5: f64,
    pub hit10: f64,
    pub recall10: f64,
    /// Changed-fact questions whose newest answer led, and how many there are.
    pub newest_first: (usize, usize),
    pub foreign: usize,
    /// The library search, in process.
    pub p50: Duration,
    pub p99: Duration,
    /// The search-data handler in process (profile and search), when run.
    pub handler: Option<(Duration, Duration)>,
}

impl Summary {
    pub fn newest_first_share(&self) -> f64 {
        share(self.newest_first.0, self.newest_first.1)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn hit_at(outcomes: &[&Outcome], k: usize) -> f64 {
    share(
        outcomes
            .iter()
            .filter(|o| o.first_hit.is_some_and(|r| r < k))
            .count(),
        outcomes.len(),
    )
}

/// The `q`-quantile (0–1) of `samples`, nearest rank.
pub fn quantile(samples: &[Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn summarize(outcomes: &[Outcome]) -> Summary {
    let all: Vec<&Outcome> = outcomes.iter().collect();
    summarize_refs(&all)
}

fn summarize_refs(outcomes: &[&Outcome]) -> Summary {
    let recall: f64 = outcomes
        .iter()
        .map(|o| share(o.found, o.answers))
        .sum::<f64>();
    let changed: Vec<bool> = outcomes.iter().filter_map(|o| o.newest_first).collect();
    let latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    Summary {
        questions: outcomes.len(),
        hit1: hit_at(outcomes, 1),
        hit5: hit_at(outcomes, 5),
        hit10: hit_at(outcomes, 10),
        recall10: if outcomes.is_empty() {
            0.0
        } else {
            recall / outcomes.len() as f64
        },
        newest_first: (changed.iter().filter(|b| **b).count(), changed.len()),
        foreign: outcomes.iter().map(|o| o.foreign).sum(),
        p50: quantile(&latencies, 0.50),
        p99: quantile(&latencies, 0.99),
        handler: None,
    }
}

/// The summary of each category's questions.
pub fn by_category(dataset: &Dataset, outcomes: &[Outcome]) -> Vec<(Category, Summary)> {
    Category::ALL
        .iter()
        .map(|c| {
            let subset: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| dataset.questions[o.question].category == *c)
                .collect();
            (*c, summarize_refs(&subset))
        })
        .collect()
}

/// Questions where `a` is worse than `b`: it found nothing where `b` did,
/// ranked its first answer lower, or lost the newest-first order.
pub fn worse(a: &[Outcome], b: &[Outcome]) -> Vec<usize> {
    a.iter()
        .zip(b)
        .filter(|(x, y)| {
            let rank = |o: &Outcome| o.first_hit.unwrap_or(usize::MAX);
            rank(x) > rank(y) || (y.newest_first == Some(true) && x.newest_first == Some(false))
        })
        .map(|(x, _)| x.question)
        .collect()
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}

pub const HEADER: &str = "| run | questions | hit@1 | hit@5 | hit@10 | recall@10 | newest first | foreign | search p50 / p99 | handler p50 / p99 |\n|---|---|---|---|---|---|---|---|---|---|";

/// One Markdown table row.
pub fn row(label: &str, s: &Summary) -> String {
    format!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} % ({}/{}) | {} | {} / {} | {} |",
        s.questions,
        s.hit1,
        s.hit5,
        s.hit10,
        s.recall10,
        s.newest_first_share() * 100.0,
        s.newest_first.0,
        s.newest_first.1,
        s.foreign,
        ms(s.p50),
        ms(s.p99),
        s.handler.map_or("–".to_owned(), |(p50, p99)| format!(
            "{} / {}",
            ms(p50),
            ms(p99)
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        question: usize,
        first_hit: Option<usize>,
        found: usize,
        newest: Option<bool>,
    ) -> Outcome {
        Outcome {
            question,
            first_hit,
            found,
            answers: 2,
            newest_first: newest,
            foreign: 0,
            latency: Duration::from_millis(question as u64 + 1),
            results: Vec::new(),
        }
    }

    #[test]
    fn hits_recall_and_newest_first_are_counted_per_question() {
        let outcomes = vec![
            outcome(0, Some(0), 2, Some(true)),
            outcome(1, Some(4), 1, Some(false)),
            outcome(2, Some(9), 1, None),
            outcome(3, None, 0, None),
        ];
        let s = summarize(&outcomes);
        assert_eq!(s.hit1, 0.25);
        assert_eq!(s.hit5, 0.5);
        assert_eq!(s.hit10, 0.75);
        assert_eq!(s.recall10, (1.0 + 0.5 + 0.5) / 4.0);
        assert_eq!(s.newest_first, (1, 2));
        assert_eq!(s.p50, Duration::from_millis(2));
        assert_eq!(s.p99, Duration::from_millis(4));
        let better = vec![
            outcome(0, Some(0), 2, Some(true)),
            outcome(1, Some(1), 1, Some(true)),
            outcome(2, Some(9), 1, None),
            outcome(3, Some(3), 1, None),
        ];
        assert_eq!(worse(&outcomes, &better), vec![1, 3]);
        assert!(worse(&better, &outcomes).is_empty());
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&samples, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }
}
