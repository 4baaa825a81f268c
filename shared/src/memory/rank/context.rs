//! Context: what the turns around a turn in its call scored.

use crate::memory::{Memory, MemoryKind};

/// For each utterance, what the turns around it in its call scored: the
/// mean of the previous and next remembered turn's BM25 (a turn often
/// answers, or is answered by, words it does not repeat).
pub(super) fn neighbour_scores(memories: &[Memory], bm25: &[f64]) -> Vec<f64> {
    let mut out = vec![0f64; memories.len()];
    let mut turns: Vec<(&str, u32, usize)> = memories
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == MemoryKind::Utterance)
        .filter_map(|(i, m)| Some((m.conversation_id.as_deref()?, m.turn?, i)))
        .collect();
    turns.sort_unstable();
    for (k, &(conversation, _, i)) in turns.iter().enumerate() {
        let around = [k.checked_sub(1), Some(k + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| turns.get(j))
            .filter(|(c, _, _)| *c == conversation)
            .map(|&(_, _, j)| bm25[j]);
        let (sum, count) = around.fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
        if count > 0.0 {
            out[i] = sum / count;
        }
    }
    out
}
