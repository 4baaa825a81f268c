//! Newer-first: an older statement placed behind a newer call's restatement.

use super::{recency_key, SUPERSEDED};
use crate::memory::Memory;

/// Places each memory just behind what a newer call said again. A newer
/// call *says again* what a memory said when it holds a memory matching
/// the query concepts that make up at least `restated` of the older
/// memory's score, and one of those matches is comparably strong (at least
/// `strength` of the older memory's score): a passing mention of
/// "the doctor" in a later call does not push back the caller's statement
/// of who their doctor is. The older memory is then capped below every
/// restating memory of that call (a call's summary often outscores its own
/// turns; the old statement must end up behind the new statement, not just
/// behind the summary). Newest calls first, so chains of restatements stay
/// in order. Shares of the score rather than exact concept sets, so that a
/// word matched in passing ("Hometown *Drugs*" for a question about
/// prescriptions) does not exempt an old statement.
pub(super) fn place_behind_newer(
    memories: &[Memory],
    ranked: &mut [(usize, f64)],
    parts: &[f64],
    nq: usize,
    restated: f64,
    strength: f64,
) {
    let mask_of = |k: usize| -> u64 {
        parts[k * nq..(k + 1) * nq]
            .iter()
            .enumerate()
            .filter(|(_, p)| **p > 0.0)
            .fold(0, |m, (c, _)| m | 1 << c)
    };
    let mut order: Vec<usize> = (0..ranked.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(recency_key(&memories[ranked[k].0]).0));
    // Per concept set of each newer call: the lowest and the highest score
    // of its memories; a call's entries are `newer[calls[i]..calls[i + 1]]`.
    let mut newer: Vec<(u64, f64, f64)> = Vec::new();
    let mut calls: Vec<usize> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let time = recency_key(&memories[ranked[order[start]].0]).0;
        let end = order[start..]
            .iter()
            .position(|&k| recency_key(&memories[ranked[k].0]).0 != time)
            .map_or(order.len(), |p| start + p);
        for &k in &order[start..end] {
            let own = &parts[k * nq..(k + 1) * nq];
            let total: f64 = own.iter().sum();
            if total <= 0.0 || newer.is_empty() {
                continue;
            }
            let covered = |mask: u64| -> f64 {
                own.iter()
                    .enumerate()
                    .filter(|(c, _)| mask & (1 << c) != 0)
                    .map(|(_, p)| p)
                    .sum::<f64>()
                    / total
            };
            let score = ranked[k].1;
            let mut cap = f64::INFINITY;
            for (i, &from) in calls.iter().enumerate() {
                let to = calls.get(i + 1).copied().unwrap_or(newer.len());
                let (lowest, highest) = newer[from..to]
                    .iter()
                    .filter(|(mask, _, _)| covered(*mask) >= restated)
                    .fold(
                        (f64::INFINITY, f64::NEG_INFINITY),
                        |(lo, hi), (_, min, max)| (lo.min(*min), hi.max(*max)),
                    );
                if highest >= score * strength {
                    cap = cap.min(lowest);
                }
            }
            if cap.is_finite() && score > cap * SUPERSEDED {
                ranked[k].1 = cap * SUPERSEDED;
            }
        }
        let first = newer.len();
        calls.push(first);
        for &k in &order[start..end] {
            let (mask, score) = (mask_of(k), ranked[k].1);
            match newer[first..].iter_mut().find(|(m, _, _)| *m == mask) {
                Some(entry) => {
                    entry.1 = entry.1.min(score);
                    entry.2 = entry.2.max(score);
                }
                None => newer.push((mask, score, score)),
            }
        }
        start = end;
    }
}
