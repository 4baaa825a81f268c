//! Local ranking of one caller's memories for a query: BM25 over stemmed
//! terms and a small synonym table, the time the query names, and priors
//! for kind, recency and newer statements. Pure and allocation-light: it
//! runs on every search.
//!
//! How a score is made:
//!
//! 1. **Terms.** Tokens are runs of letters and digits, lower-cased (so
//!    `dog's` is `dog` and `s`, and `dog_name` is `dog` and `name`). Stop
//!    words are dropped from the query only: a document's stop words can
//!    never match a query term, and counting every token keeps a
//!    document's length cheap. Each remaining query word is a *concept*:
//!    its stem, plus the stems [`synonyms`] lists for it at a lower weight
//!    ("pup" also finds "puppy" and "dog"). BM25 scores the concepts.
//!    A turn also gains [`NEIGHBOURS`] of what the turns around it in its
//!    call scored: an answer rarely repeats the words of what it answers.
//! 2. **Time.** A time the query names ("last month", "in May", "two weeks
//!    ago", "yesterday", "last time", "the first time I called", see
//!    [`when`]) is read against the search's `now`; its words stop being
//!    terms. Memories from calls in that time are boosted several-fold, and
//!    are returned even when they share no word with the query ("what did I
//!    call about in May?" is answered by May's call, whatever was said);
//!    when the query also names a subject ("my trip last time"), such
//!    memories only follow every match. A time none of the caller's calls
//!    falls in is read against their newest call instead ([`timed`]).
//! 3. **Priors.** A profile fact or a summary is a denser answer than a
//!    turn; the agent's turn counts a little less than the caller's; a
//!    newer call wins a near-tie (a mild recency prior). In an exchange
//!    (a short answer kept with the agent's question) the question's words
//!    count half: they name the subject, the answer says it.
//! 4. **Newer statements first**, only for a lookup: a short query (one to
//!    three concepts, "my address", "who's my doctor") or one asking for
//!    the current value ("now", "currently", "still"). A memory is then
//!    placed just behind what a later call said again about the same query
//!    concepts: when a caller has moved, the new address outranks the old
//!    one, whichever was worded closer to the question. The older one stays
//!    in the answer, right behind. A passing mention in a later call does
//!    not count ([`place_behind_newer`]). A longer query recalls an episode,
//!    where topics come back call after call and the older mention may be
//!    the one asked about.
//!
//! Stemming is the costly step, so documents are never stemmed wholesale:
//! English Snowball stems keep a word's first letter, so only tokens that
//! start like some query stem (or synonym) are stemmed, once per distinct
//! word.

mod context;
mod irregular;
mod newer;
mod prior;
mod query;
mod stop_words;
mod synonyms;
mod timed;
mod when;

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use self::context::neighbour_scores;
use self::newer::place_behind_newer;
use self::prior::{newest_fact_per_field, prior};
use self::query::{analyse, words_of};
use self::stop_words::is_stop_word;
use self::timed::Timed;
use super::{Memory, MemoryKind};
use crate::text::strip_date_prefix;

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;

/// Query terms beyond this are ignored: a spoken question is short, and it
/// bounds the per-memory term counts (and fits a concept set in a `u64`).
const MAX_QUERY_TERMS: usize = 32;

/// The weight of a query word that asks for an attribute ([`query_weight`]).
const ATTRIBUTE_WEIGHT: f64 = 0.5;

/// Kind priors: a profile fact or a summary is a denser answer than a turn.
const FACT_BOOST: f64 = 1.10;
const SUMMARY_BOOST: f64 = 1.05;
/// What the agent said counts a little less than what the caller said:
/// the caller is the authority on their own life, and the agent's turn
/// often only echoes it (on the public dev sets: +0.01 to +0.02 hit@10).
const AGENT_PRIOR: f64 = 0.9;

/// A fact whose field a newer call answered again is kept (it may still be
/// what the caller asks about) but placed behind the newer answer.
const SUPERSEDED_FACT: f64 = 0.70;

/// Recency prior: up to +10 % for a call today, halved after 30 days and
/// shrinking from there, so newer memories win near-ties without a
/// recent, weak match beating an old, strong one.
const RECENCY_WEIGHT: f64 = 0.10;
const RECENCY_HALF_DAYS: f64 = 30.0;

/// How much a word of an exchange's agent question counts against the
/// caller's answer: the question names the subject ("your address?"), the
/// answer says it, and a question repeating the query word must not make
/// an old answer outscore a newer one.
const CONTEXT_WEIGHT: f64 = 0.5;

/// How much the turns around an utterance add to its score (their mean
/// BM25): a turn often answers, or is answered by, words it does not
/// repeat. On the public dev sets 0.3 to 0.45 gave +0.02 to +0.04 hit@10.
const NEIGHBOURS: f64 = 0.4;

/// A memory a newer call said again is placed this far below that newer
/// memory…
const SUPERSEDED: f64 = 0.95;
/// Most concepts of a short lookup ("my address", "who's my doctor"),
/// the only queries that get newer-first.
const SHORT_QUERY_CONCEPTS: usize = 3;
/// …where "said again" means a newer memory matches the concepts that make
/// up at least this share of the older memory's score…
const RESTATED: f64 = 0.6;
/// A question asking for the current value ("my address now", "which
/// pharmacy do I use currently") is a lookup whatever its length, and a
/// newer call's memory counts as saying it again on less.
const RESTATED_CURRENT: f64 = 0.34;
/// …and its strongest such memory scores at least this share.
const RESTATED_CURRENT_STRENGTH: f64 = 0.25;
/// …and the newer call's strongest such memory scores at least this share
/// of the older memory's score.
const RESTATED_STRENGTH: f64 = 0.5;

/// Whether `query` names a time ("last month", "in May", "last time").
pub fn names_a_time(query: &str, now_unix_secs: i64) -> bool {
    when::find(&words_of(query), now_unix_secs).is_some()
}

/// Ranks `memories` for `query`, best first: indices into `memories` with scores.
///
/// Returned: memories that share at least one query concept, and when the
/// query names a time, memories from that time; never snapshots. An empty
/// query (or one of stop words only) returns nothing. Equal scores are
/// ordered newest call first, and within a call in the order said.
pub fn rank(query: &str, memories: &[Memory], now_unix_secs: i64) -> Vec<(usize, f64)> {
    let stemmer = Stemmer::create(Algorithm::English);
    let q = analyse(query, &stemmer, now_unix_secs);
    if memories.is_empty() || (q.weights.is_empty() && q.when.is_none()) {
        return Vec::new();
    }
    let nq = q.weights.len();
    let first_letters: Vec<char> = {
        let mut v: Vec<char> = q.targets.keys().filter_map(|t| t.chars().next()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };

    // Concept counts per memory, row-major; a distinct word's stem is
    // looked up once (None: matches no target).
    let mut tf = vec![0f64; memories.len() * nq];
    let mut lengths = vec![0f64; memories.len()];
    let mut seen: HashMap<String, Option<&Vec<(usize, f64)>>> = HashMap::new();
    let mut word = String::new();
    let mut total_length = 0f64;
    let mut documents = 0u32;
    for (i, memory) in memories.iter().enumerate() {
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        documents += 1;
        let row = &mut tf[i * nq..(i + 1) * nq];
        let mut length = 0f64;
        let (own, context) = ranked_text(memory);
        let weighted = tokens(own)
            .map(|t| (t, 1.0))
            .chain(tokens(context).map(|t| (t, CONTEXT_WEIGHT)));
        for (token, token_weight) in weighted {
            length += token_weight;
            if nq == 0 {
                continue;
            }
            let first = token.chars().next().map(lower);
            if first.is_none_or(|c| first_letters.binary_search(&c).is_err()) {
                continue;
            }
            word.clear();
            push_lower(&mut word, token);
            let hits = match seen.get(word.as_str()) {
                Some(hits) => *hits,
                None => {
                    let stem = stemmer.stem(&word);
                    let hits = q.targets.get(stem.as_ref());
                    seen.insert(word.clone(), hits);
                    hits
                }
            };
            for &(concept, weight) in hits.into_iter().flatten() {
                row[concept] += weight * token_weight;
            }
        }
        lengths[i] = length;
        total_length += length;
    }
    if documents == 0 {
        return Vec::new();
    }

    let n = f64::from(documents);
    let average_length = (total_length / n).max(1.0);
    // Each concept's idf, times its weight in the query.
    let idf: Vec<f64> = q
        .weights
        .iter()
        .enumerate()
        .map(|(c, weight)| {
            let df = tf.chunks_exact(nq).filter(|row| row[c] > 0.0).count() as f64;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln() * weight
        })
        .collect();

    let timed = q.when.map(|when| Timed::resolve(when, &q.words, memories));
    // Whether the query names a subject, not only a time and what it asks.
    let subject = q.weights.iter().any(|&w| w >= 1.0);
    let newest_fact = newest_fact_per_field(memories);
    // What each concept adds to each memory's BM25 score.
    let mut own = vec![0f64; memories.len() * nq];
    let mut bm25 = vec![0f64; memories.len()];
    for (i, memory) in memories.iter().enumerate() {
        if memory.kind == MemoryKind::Snapshot || nq == 0 {
            continue;
        }
        let norm = K1 * (1.0 - B + B * lengths[i] / average_length);
        for c in 0..nq {
            let count = tf[i * nq + c];
            if count > 0.0 {
                own[i * nq + c] = idf[c] * count * (K1 + 1.0) / (count + norm);
            }
        }
        bm25[i] = own[i * nq..(i + 1) * nq].iter().sum();
    }
    let context = neighbour_scores(memories, &bm25);
    let mut ranked: Vec<(usize, f64)> = Vec::new();
    // Per ranked memory, what each concept added to its BM25 score.
    let mut parts: Vec<f64> = Vec::new();
    for (i, memory) in memories.iter().enumerate() {
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        let start = parts.len();
        parts.extend_from_slice(&own[i * nq..(i + 1) * nq]);
        let bm25 = bm25[i] + NEIGHBOURS * context[i];
        let affinity = timed.as_ref().map_or(0.0, |t| t.affinity(memory));
        let score = timed::score(bm25, affinity, subject);
        if score <= 0.0 {
            parts.truncate(start);
            continue;
        }
        ranked.push((i, score * prior(memory, &newest_fact, now_unix_secs)));
    }
    // Newer-first is for asking after a value ("my address", "who's my
    // doctor"): short queries of one to three concepts. A longer query
    // recalls an episode, where topics come back call after call and the
    // older mention may be the one asked about.
    if q.when.is_none() && nq > 0 {
        if q.current {
            place_behind_newer(
                memories,
                &mut ranked,
                &parts,
                nq,
                RESTATED_CURRENT,
                RESTATED_CURRENT_STRENGTH,
            );
        } else if nq <= SHORT_QUERY_CONCEPTS {
            place_behind_newer(
                memories,
                &mut ranked,
                &parts,
                nq,
                RESTATED,
                RESTATED_STRENGTH,
            );
        }
    }
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| tie_break(memories, a.0, b.0))
    });
    ranked
}

/// Equal scores: the newer call first; within a call, what was said first
/// (a call opens with why the caller called); then the later stored.
fn tie_break(memories: &[Memory], a: usize, b: usize) -> std::cmp::Ordering {
    let (x, y) = (&memories[a], &memories[b]);
    let (x_call, x_stored) = recency_key(x);
    let (y_call, y_stored) = recency_key(y);
    y_call
        .cmp(&x_call)
        .then(x.turn.cmp(&y.turn))
        .then(y_stored.cmp(&x_stored))
        .then(a.cmp(&b))
}

/// What of a memory is ranked: a summary without ingestion's
/// `Call on <date>: ` (otherwise every summary would match "called").
fn ranked_text(memory: &Memory) -> (&str, &str) {
    match memory.kind {
        MemoryKind::Summary => (strip_date_prefix(&memory.content), ""),
        _ => match super::exchange_parts(&memory.content) {
            Some((agent, caller)) => (caller, agent),
            None => (&memory.content, ""),
        },
    }
}

/// How much a query term counts. Words that ask for an attribute rather
/// than name a subject ("name", "called", "talk about") count half: in
/// "what's my dog's name" the dog is what the memory must be about, and
/// nearly every caller has a `name: …` fact that would otherwise answer
/// first. Alone ("what's my name?") such a word still finds its memories.
fn query_weight(stem: &str) -> f64 {
    match stem {
        "name" | "call" | "talk" | "ask" | "discuss" | "speak" => ATTRIBUTE_WEIGHT,
        _ => 1.0,
    }
}

/// Runs of letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// A character lower-cased; ASCII without the Unicode tables.
fn lower(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

fn push_lower(out: &mut String, token: &str) {
    if token.is_ascii() {
        out.extend(token.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.extend(token.chars().flat_map(char::to_lowercase));
    }
}

/// The call time (seconds) a memory speaks for, then when it was stored.
pub(crate) fn recency_key(memory: &Memory) -> (i64, i64) {
    (
        memory
            .call_time
            .unwrap_or(memory.created_at_ms.div_euclid(1_000)),
        memory.created_at_ms,
    )
}

#[cfg(test)]
#[path = "rank_lookup_tests.rs"]
mod lookup_tests;
#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
