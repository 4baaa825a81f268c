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
//! 2. **Time.** A time the query names ("last month", "in May", "two weeks
//!    ago", "yesterday", "last time", "the first time I called", see
//!    [`when`]) is read against the search's `now`; its words stop being
//!    terms. Memories from calls in that time are boosted several-fold, and
//!    are returned even when they share no word with the query ("what did I
//!    call about in May?" is answered by May's call, whatever was said).
//! 3. **Priors.** A profile fact or a summary is a denser answer than a
//!    turn; a newer call wins a near-tie (a mild recency prior).
//! 4. **Newer statements first.** Without a time in the query, a memory is
//!    placed just behind what a later call said again about the same query
//!    concepts: when a caller has moved, the new address outranks the old
//!    one, whichever was worded closer to the question. The older one stays
//!    in the answer, right behind. A passing mention in a later call does
//!    not count ([`place_behind_newer`]).
//!
//! Stemming is the costly step, so documents are never stemmed wholesale:
//! English Snowball stems keep a word's first letter, so only tokens that
//! start like some query stem (or synonym) are stemmed, once per distinct
//! word.

mod synonyms;
mod when;

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use self::synonyms::SYNONYM_WEIGHT;
use self::when::When;
use super::profile::strip_date_prefix;
use super::{Memory, MemoryKind};

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

/// A fact whose field a newer call answered again is kept (it may still be
/// what the caller asks about) but placed behind the newer answer.
const SUPERSEDED_FACT: f64 = 0.70;

/// Recency prior: up to +10 % for a call today, halved after 30 days and
/// shrinking from there, so newer memories win near-ties without a
/// recent, weak match beating an old, strong one.
const RECENCY_WEIGHT: f64 = 0.10;
const RECENCY_HALF_DAYS: f64 = 30.0;

/// A memory from the time the query names scores up to this many times
/// more (fully inside the time; less at its fuzzy edges)…
const TIME_BOOST: f64 = 3.0;
/// …and counts as a weak match even without a query term: roughly a
/// tenth of what one rare shared word scores.
const TIME_FLOOR: f64 = 0.5;

/// A memory a newer call said again is placed this far below that newer
/// memory…
const SUPERSEDED: f64 = 0.95;
/// Most concepts of a short lookup ("my address", "who's my doctor"),
/// the only queries that get newer-first.
const SHORT_QUERY_CONCEPTS: usize = 3;
/// …where "said again" means a newer memory matches the concepts that make
/// up at least this share of the older memory's score…
const RESTATED: f64 = 0.6;
/// …and the newer call's strongest such memory scores at least this share
/// of the older memory's score.
const RESTATED_STRENGTH: f64 = 0.5;

/// The query, analysed: its concepts (a word of the query with its
/// synonyms) by weight, the stems that match them, its time.
struct Query {
    weights: Vec<f64>,
    /// Each stem a document word may have, with the concepts it counts
    /// for and how much.
    targets: HashMap<String, Vec<(usize, f64)>>,
    when: Option<When>,
}

/// The query's words, lower-cased.
fn words_of(query: &str) -> Vec<String> {
    tokens(query)
        .map(|t| {
            let mut w = String::new();
            push_lower(&mut w, t);
            w
        })
        .collect()
}

fn analyse(query: &str, stemmer: &Stemmer, now_unix_secs: i64) -> Query {
    let words = words_of(query);
    let found = when::find(&words, now_unix_secs);
    let timed: &[usize] = found.as_ref().map_or(&[], |f| f.words.as_slice());
    let mut stems: Vec<String> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let one_letter =
            word.chars().nth(1).is_none() && !word.starts_with(|c: char| c.is_numeric());
        if one_letter || is_stop_word(word) || timed.contains(&i) {
            continue;
        }
        let stem = stemmer.stem(word);
        if !stems.iter().any(|t| *t == stem.as_ref()) {
            stems.push(stem.into_owned());
        }
        if stems.len() == MAX_QUERY_TERMS {
            break;
        }
    }
    let mut targets: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
    for (q, stem) in stems.iter().enumerate() {
        targets.entry(stem.clone()).or_default().push((q, 1.0));
    }
    // Synonyms only where the query did not say the word itself.
    for (q, stem) in stems.iter().enumerate() {
        for synonym in synonyms::expansions(stem) {
            if stems.contains(synonym) {
                continue;
            }
            let entry = targets.entry(synonym.clone()).or_default();
            if !entry.iter().any(|(c, _)| *c == q) {
                entry.push((q, SYNONYM_WEIGHT));
            }
        }
    }
    Query {
        weights: stems.iter().map(|s| query_weight(s)).collect(),
        targets,
        when: found.map(|f| f.when),
    }
}

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
    let mut lengths = vec![0u32; memories.len()];
    let mut seen: HashMap<String, Option<&Vec<(usize, f64)>>> = HashMap::new();
    let mut word = String::new();
    let mut total_length = 0u64;
    let mut documents = 0u32;
    for (i, memory) in memories.iter().enumerate() {
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        documents += 1;
        let row = &mut tf[i * nq..(i + 1) * nq];
        let mut length = 0u32;
        for token in tokens(ranked_text(memory)) {
            length += 1;
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
                row[concept] += weight;
            }
        }
        lengths[i] = length;
        total_length += u64::from(length);
    }
    if documents == 0 {
        return Vec::new();
    }

    let n = f64::from(documents);
    let average_length = (total_length as f64 / n).max(1.0);
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

    let call = q.when.and_then(|w| call_of(w, memories));
    let newest_fact = newest_fact_per_field(memories);
    let mut ranked: Vec<(usize, f64)> = Vec::new();
    // Per ranked memory, what each concept added to its BM25 score.
    let mut parts: Vec<f64> = Vec::new();
    for (i, memory) in memories.iter().enumerate() {
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        let row = if nq == 0 {
            &[][..]
        } else {
            &tf[i * nq..(i + 1) * nq]
        };
        let norm = K1 * (1.0 - B + B * f64::from(lengths[i]) / average_length);
        let start = parts.len();
        parts.extend(row.iter().zip(&idf).map(|(&count, idf)| {
            if count > 0.0 {
                idf * count * (K1 + 1.0) / (count + norm)
            } else {
                0.0
            }
        }));
        let bm25: f64 = parts[start..].iter().sum();
        let affinity = match (q.when, call) {
            (Some(When::LastCall | When::FirstCall), Some(key)) => {
                if same_call(memory, key) {
                    1.0
                } else {
                    0.0
                }
            }
            (Some(when), _) => when.affinity(recency_key(memory).0),
            (None, _) => 0.0,
        };
        let score = if affinity > 0.0 {
            (bm25 + TIME_FLOOR) * (1.0 + TIME_BOOST * affinity)
        } else {
            bm25
        };
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
    if q.when.is_none() && (1..=SHORT_QUERY_CONCEPTS).contains(&nq) {
        place_behind_newer(memories, &mut ranked, &parts, nq);
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

/// The call a "last time" or "first time" query means: the conversation
/// (and call time) of the caller's newest or oldest memory.
fn call_of(when: When, memories: &[Memory]) -> Option<(i64, Option<&str>)> {
    let calls = memories
        .iter()
        .filter(|m| m.kind != MemoryKind::Snapshot)
        .map(|m| (recency_key(m).0, m.conversation_id.as_deref()));
    match when {
        When::LastCall => calls.max_by_key(|(time, _)| *time),
        When::FirstCall => calls.min_by_key(|(time, _)| *time),
        When::Between { .. } => None,
    }
}

fn same_call(memory: &Memory, (time, conversation): (i64, Option<&str>)) -> bool {
    match (memory.conversation_id.as_deref(), conversation) {
        (Some(a), Some(b)) => a == b,
        _ => recency_key(memory).0 == time,
    }
}

/// Places each memory just behind what a newer call said again. A newer
/// call *says again* what a memory said when it holds a memory matching
/// the query concepts that make up at least [`RESTATED`] of the older
/// memory's score, and one of those matches is comparably strong (at least
/// [`RESTATED_STRENGTH`] of the older memory's score): a passing mention of
/// "the doctor" in a later call does not push back the caller's statement
/// of who their doctor is. The older memory is then capped below every
/// restating memory of that call (a call's summary often outscores its own
/// turns; the old statement must end up behind the new statement, not just
/// behind the summary). Newest calls first, so chains of restatements stay
/// in order. Shares of the score rather than exact concept sets, so that a
/// word matched in passing ("Hometown *Drugs*" for a question about
/// prescriptions) does not exempt an old statement.
fn place_behind_newer(memories: &[Memory], ranked: &mut [(usize, f64)], parts: &[f64], nq: usize) {
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
                    .filter(|(mask, _, _)| covered(*mask) >= RESTATED)
                    .fold(
                        (f64::INFINITY, f64::NEG_INFINITY),
                        |(lo, hi), (_, min, max)| (lo.min(*min), hi.max(*max)),
                    );
                if highest >= score * RESTATED_STRENGTH {
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

/// What of a memory is ranked: a summary without ingestion's
/// `Call on <date>: ` (otherwise every summary would match "called").
fn ranked_text(memory: &Memory) -> &str {
    match memory.kind {
        MemoryKind::Summary => strip_date_prefix(&memory.content),
        _ => &memory.content,
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
fn recency_key(memory: &Memory) -> (i64, i64) {
    (
        memory
            .call_time
            .unwrap_or(memory.created_at_ms.div_euclid(1_000)),
        memory.created_at_ms,
    )
}

/// For each fact field, the newest (call time, conversation) that answered it.
fn newest_fact_per_field(memories: &[Memory]) -> HashMap<&str, (Option<i64>, Option<&str>)> {
    let mut newest: HashMap<&str, (Option<i64>, Option<&str>)> = HashMap::new();
    for memory in memories {
        if memory.kind != MemoryKind::Fact {
            continue;
        }
        let Some(field) = memory.field.as_deref() else {
            continue;
        };
        let key = (memory.call_time, memory.conversation_id.as_deref());
        newest
            .entry(field)
            .and_modify(|k| *k = (*k).max(key))
            .or_insert(key);
    }
    newest
}

/// The multiplier for a memory's kind, age, and (for a fact) whether a
/// newer call answered the same field.
fn prior(
    memory: &Memory,
    newest_fact: &HashMap<&str, (Option<i64>, Option<&str>)>,
    now_unix_secs: i64,
) -> f64 {
    let kind = match memory.kind {
        MemoryKind::Fact => FACT_BOOST,
        MemoryKind::Summary => SUMMARY_BOOST,
        MemoryKind::Utterance | MemoryKind::Snapshot => 1.0,
    };
    let superseded = memory.kind == MemoryKind::Fact
        && memory.field.as_deref().is_some_and(|field| {
            newest_fact.get(field).is_some_and(|&newest| {
                newest > (memory.call_time, memory.conversation_id.as_deref())
            })
        });
    // Saturating: a call time comes from stored metadata.
    let age_days = now_unix_secs.saturating_sub(recency_key(memory).0).max(0) as f64 / 86_400.0;
    let recency = 1.0 + RECENCY_WEIGHT / (1.0 + age_days / RECENCY_HALF_DAYS);
    kind * recency * if superseded { SUPERSEDED_FACT } else { 1.0 }
}

/// English function words that carry nothing for retrieval, plus the
/// question words and verbs a spoken query wraps its subject in ("what is
/// my …", "do you remember …").
fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "about"
            | "after"
            | "again"
            | "all"
            | "am"
            | "an"
            | "and"
            | "any"
            | "are"
            | "as"
            | "at"
            | "be"
            | "been"
            | "before"
            | "being"
            | "both"
            | "but"
            | "by"
            | "can"
            | "could"
            | "current"
            | "currently"
            | "did"
            | "do"
            | "does"
            | "doing"
            | "don"
            | "for"
            | "from"
            | "had"
            | "has"
            | "have"
            | "having"
            | "he"
            | "her"
            | "here"
            | "hers"
            | "him"
            | "his"
            | "how"
            | "i"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "just"
            | "lately"
            | "know"
            | "last"
            | "me"
            | "mine"
            | "more"
            | "most"
            | "my"
            | "myself"
            | "no"
            | "nor"
            | "not"
            | "now"
            | "of"
            | "off"
            | "on"
            | "once"
            | "only"
            | "or"
            | "other"
            | "our"
            | "ours"
            | "out"
            | "over"
            | "please"
            | "recent"
            | "recently"
            | "remember"
            | "said"
            | "say"
            | "she"
            | "should"
            | "so"
            | "some"
            | "tell"
            | "than"
            | "that"
            | "the"
            | "their"
            | "them"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "those"
            | "time"
            | "to"
            | "too"
            | "up"
            | "us"
            | "very"
            | "was"
            | "we"
            | "were"
            | "what"
            | "when"
            | "where"
            | "which"
            | "while"
            | "who"
            | "whom"
            | "why"
            | "will"
            | "with"
            | "would"
            | "you"
            | "your"
            | "yours"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_750_000_000;

    fn memory(id: usize, kind: MemoryKind, content: &str, call_time: i64) -> Memory {
        Memory {
            id: format!("m{id}"),
            content: content.into(),
            kind,
            conversation_id: Some(format!("c{call_time}")),
            call_time: Some(call_time),
            turn: None,
            field: None,
            metadata: Map::new(),
            created_at_ms: call_time * 1_000 + i64::try_from(id).unwrap(),
        }
    }

    fn fact(id: usize, field: &str, value: &str, call_time: i64) -> Memory {
        let mut m = memory(
            id,
            MemoryKind::Fact,
            &format!("{field}: {value}."),
            call_time,
        );
        m.field = Some(field.into());
        m
    }

    fn corpus() -> Vec<Memory> {
        vec![
            memory(
                0,
                MemoryKind::Utterance,
                "I need to book a cleaning for Tuesday.",
                NOW - 40 * DAY,
            ),
            memory(
                1,
                MemoryKind::Utterance,
                "My dog is called Biscuit.",
                NOW - 30 * DAY,
            ),
            memory(
                2,
                MemoryKind::Summary,
                "Call on 2025-05-01: The caller asked about opening hours.",
                NOW - 20 * DAY,
            ),
            memory(
                3,
                MemoryKind::Utterance,
                "I live in Paris with my wife.",
                NOW - 10 * DAY,
            ),
            memory(
                4,
                MemoryKind::Snapshot,
                "Caller profile: dog Biscuit.",
                NOW - DAY,
            ),
            memory(
                5,
                MemoryKind::Utterance,
                "The cat knocked over the phone.",
                NOW - 5 * DAY,
            ),
        ]
    }

    fn ids(memories: &[Memory], ranked: &[(usize, f64)]) -> Vec<String> {
        ranked
            .iter()
            .map(|(i, _)| memories[*i].id.clone())
            .collect()
    }

    #[test]
    fn finds_the_dog_by_its_possessive_and_plural() {
        let memories = corpus();
        let ranked = rank("What's my dog's name?", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m1"]);
        // "dogs" only matches "dog" through the stemmer.
        let ranked = rank("dogs", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m1"]);
        let ranked = rank("cleanings", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m0"]);
    }

    #[test]
    fn the_subject_outweighs_the_attribute_asked_for() {
        let mut memories = corpus();
        memories.push(fact(6, "name", "Angelo Rossi", NOW - DAY));
        memories.push(memory(
            7,
            MemoryKind::Summary,
            "Call on 2025-05-02: Angelo asked about whitening.",
            NOW - DAY,
        ));
        for query in ["what is the dog's name", "what is my dog called?"] {
            let ranked = rank(query, &memories, NOW);
            assert_eq!(ids(&memories, &ranked)[0], "m1", "{query}");
            // A summary's date prefix is not its content.
            assert!(
                !ids(&memories, &ranked).contains(&"m7".to_owned()),
                "{query}"
            );
        }
        assert_eq!(
            ids(&memories, &rank("what's my name?", &memories, NOW)),
            vec!["m6"]
        );
    }

    #[test]
    fn prefers_the_newer_of_two_contradicting_facts() {
        let memories = vec![
            fact(0, "dog_name", "Rex", NOW - 100 * DAY),
            fact(1, "dog_name", "Biscuit", NOW - 99 * DAY),
            memory(
                2,
                MemoryKind::Utterance,
                "I walk the dog daily.",
                NOW - 3 * DAY,
            ),
        ];
        let ranked = rank("dog name", &memories, NOW);
        assert_eq!(ids(&memories, &ranked)[..2], ["m1", "m0"]);
        // Listed in the other order, the newer one still wins.
        let reversed: Vec<Memory> = memories.iter().rev().cloned().collect();
        let ranked = rank("dog name", &reversed, NOW);
        assert_eq!(ids(&reversed, &ranked)[..2], ["m1", "m0"]);
        // Exactly equal texts and times: the later stored wins the tie.
        let twins = vec![
            memory(0, MemoryKind::Utterance, "My dog is Rex.", NOW),
            memory(1, MemoryKind::Utterance, "My dog is Rex.", NOW),
        ];
        assert_eq!(ids(&twins, &rank("dog", &twins, NOW)), vec!["m1", "m0"]);
    }

    #[test]
    fn empty_and_stop_word_queries_are_safe() {
        let memories = corpus();
        assert!(rank("", &memories, NOW).is_empty());
        assert!(rank("   ?! ", &memories, NOW).is_empty());
        assert!(rank("what is the", &memories, NOW).is_empty());
        assert!(rank("dog", &[], NOW).is_empty());
        let only_snapshot = vec![memory(0, MemoryKind::Snapshot, "dog", NOW)];
        assert!(rank("dog", &only_snapshot, NOW).is_empty());
        let empty_content = vec![memory(0, MemoryKind::Utterance, "", NOW)];
        assert!(rank("dog", &empty_content, NOW).is_empty());
    }

    #[test]
    fn snapshots_are_never_ranked() {
        let memories = corpus();
        let ranked = rank("biscuit caller profile", &memories, NOW);
        assert!(!ranked.is_empty());
        assert!(ranked
            .iter()
            .all(|(i, _)| memories[*i].kind != MemoryKind::Snapshot));
    }

    #[test]
    fn scores_are_sorted_and_rarer_terms_weigh_more() {
        let memories = vec![
            memory(
                0,
                MemoryKind::Utterance,
                "The appointment is on Tuesday.",
                NOW,
            ),
            memory(1, MemoryKind::Utterance, "The appointment was moved.", NOW),
            memory(
                2,
                MemoryKind::Utterance,
                "The appointment for the dentist.",
                NOW,
            ),
            memory(
                3,
                MemoryKind::Utterance,
                "I prefer Tuesday mornings for dentist visits.",
                NOW,
            ),
        ];
        let ranked = rank("dentist appointment tuesday", &memories, NOW);
        assert_eq!(ranked.len(), 4);
        assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
        // Two rare terms beat one rare and one common.
        assert_eq!(memories[ranked[0].0].id, "m3");
    }

    #[test]
    fn facts_and_recency_tip_otherwise_equal_matches() {
        let memories = vec![
            memory(0, MemoryKind::Utterance, "allergy penicillin.", NOW),
            fact(1, "allergy", "penicillin", NOW),
        ];
        let ranked = rank("penicillin allergy", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
        let memories = vec![
            memory(
                0,
                MemoryKind::Utterance,
                "Booked a cleaning.",
                NOW - 2 * DAY,
            ),
            memory(
                1,
                MemoryKind::Utterance,
                "Booked a cleaning.",
                NOW - 400 * DAY,
            ),
        ];
        let ranked = rank("cleaning", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
        assert!(ranked[0].1 > ranked[1].1);
    }

    #[test]
    fn stems_keep_the_first_letter() {
        // The candidate filter skips words whose first letter no query stem
        // has; that is only sound while stems keep the first letter, the
        // stemmer's exceptional forms included.
        let stemmer = Stemmer::create(Algorithm::English);
        for word in [
            "dying",
            "lying",
            "tying",
            "skies",
            "skis",
            "early",
            "only",
            "ugly",
            "idly",
            "gently",
            "singly",
            "yelling",
            "youth",
            "relational",
            "hoping",
            "agreed",
            "cries",
            "generously",
            "communication",
            "arsenal",
            "news",
            "ñandú",
            "état",
        ] {
            let stem = stemmer.stem(word);
            assert_eq!(stem.chars().next(), word.chars().next(), "{word} → {stem}");
        }
    }

    /// A memory of a call `days` before NOW, said at `turn`.
    fn said(id: usize, content: &str, days: i64, turn: u32) -> Memory {
        let mut m = memory(id, MemoryKind::Utterance, content, NOW - days * DAY);
        m.conversation_id = Some(format!("call{days}"));
        m.turn = Some(turn);
        m
    }

    #[test]
    fn synonyms_find_what_was_said_in_other_words() {
        let memories = vec![
            said(0, "We adopted a beagle puppy named Luna.", 30, 1),
            said(1, "I usually see Dr. Patel for everything.", 60, 1),
            said(2, "The weather has been awful.", 5, 1),
        ];
        assert_eq!(
            ids(&memories, &rank("what's my pup called", &memories, NOW)),
            vec!["m0"]
        );
        assert_eq!(
            ids(&memories, &rank("who's my physician?", &memories, NOW)),
            vec!["m1"]
        );
        // The word itself counts more than its synonym.
        let memories = vec![
            said(0, "My puppy is Luna.", 10, 1),
            said(1, "My dog is Rex.", 10, 3),
        ];
        let ranked = rank("dog", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
        assert!(ranked[0].1 > ranked[1].1);
    }

    #[test]
    fn a_time_in_the_query_selects_that_call() {
        // NOW is 2025-06-15: "last month" is May 2025, 31 days back is
        // May 15th and 95 days back March 12th.
        let memories = vec![
            said(0, "I need a refill of my lisinopril.", 31, 3),
            said(1, "I called about my knee.", 95, 3),
            said(2, "Thanks, bye now, have a good one.", 2, 5),
        ];
        let ranked = rank("what did I call about last month?", &memories, NOW);
        // May's call first, though it shares no word with the question;
        // the call in March matches "call" but comes after.
        assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
        // The time's words are not terms: "March" finds March's call even
        // though "march" is said nowhere.
        let march = rank("what did I call about in March", &memories, NOW);
        assert_eq!(ids(&memories, &march)[0], "m1");
    }

    #[test]
    fn last_and_first_time_mean_the_newest_and_oldest_call() {
        let memories = vec![
            said(0, "I'm a new patient.", 300, 1),
            said(1, "My knee hurts.", 40, 1),
            said(2, "Can I get a flu shot?", 3, 1),
            said(3, "Also my knee is better.", 3, 5),
        ];
        let last = rank("what did we talk about last time", &memories, NOW);
        // The newest call, in the order it was said.
        assert_eq!(ids(&memories, &last)[..2], ["m2", "m3"]);
        let first = rank("what was my very first call about", &memories, NOW);
        assert_eq!(ids(&memories, &first)[0], "m0");
        // With a subject, the subject still decides within the time.
        let knee = rank("what did I say about my knee last time", &memories, NOW);
        assert_eq!(ids(&memories, &knee)[0], "m3");
    }

    #[test]
    fn back_in_a_month_is_a_time_not_a_body_part() {
        let memories = vec![
            said(0, "My back pain is worse.", 100, 1),
            said(1, "My back pain is better now.", 20, 1),
        ];
        let ranked = rank("what did I say about my back back in March", &memories, NOW);
        assert_eq!(ids(&memories, &ranked)[0], "m0");
        assert!(names_a_time("back in March", NOW));
        assert!(!names_a_time("my back pain", NOW));
    }

    #[test]
    fn a_newer_statement_leads_however_it_is_worded() {
        let memories = vec![
            said(0, "My address is 12 Oak Street, that's my address.", 200, 5),
            said(1, "We moved, it's 88 Birch Lane now.", 20, 3),
            said(2, "I love the weather.", 2, 1),
        ];
        let ranked = rank("what's my address", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m1", "m0"]);
        // The old one matched better: it was placed right behind.
        assert!((ranked[1].1 - SUPERSEDED * ranked[0].1).abs() < 1e-9);
    }

    #[test]
    fn a_passing_mention_does_not_push_back_a_statement() {
        let memories = vec![
            said(
                0,
                "My doctor is Dr. Patel. Dr. Patel has been my doctor for years.",
                200,
                5,
            ),
            said(
                1,
                "Oh and the mole turned out to be nothing, the skin doctor at the other place said it \
                 was fine, so that was a relief, anyway we are all good here and the kids are well.",
                10,
                3,
            ),
        ];
        let ranked = rank("who is my doctor", &memories, NOW);
        assert_eq!(ids(&memories, &ranked), vec!["m0", "m1"]);
    }

    #[test]
    fn an_old_statement_stays_behind_every_restatement_of_a_newer_call() {
        // The newer call's summary outscores its own turn; the old
        // statement must still end up behind the turn.
        let mut summary = memory(
            1,
            MemoryKind::Summary,
            "Call on 2023-06-01: Changed pharmacy to the pharmacy on Main, the pharmacy.",
            NOW - 12 * DAY,
        );
        summary.conversation_id = Some("call12".into());
        let memories = vec![
            said(0, "My pharmacy is the pharmacy on Oak.", 200, 3),
            summary,
            said(
                2,
                "Please use the Main Street pharmacy from now on, I switched.",
                12,
                3,
            ),
        ];
        let ranked = rank("which pharmacy do I use", &memories, NOW);
        let order = ids(&memories, &ranked);
        let position = |id: &str| order.iter().position(|x| x == id).unwrap();
        assert!(position("m2") < position("m0"), "{order:?}");
        assert!(position("m1") < position("m0"), "{order:?}");
    }

    #[test]
    fn extreme_call_times_are_safe() {
        let memories = vec![
            memory(0, MemoryKind::Utterance, "My dog is Rex.", i64::MIN / 1_000),
            memory(1, MemoryKind::Utterance, "My dog is Max.", i64::MAX / 1_000),
            said(2, "My dog is Ziggy.", 1, 1),
        ];
        for query in ["dog", "what did I say about my dog yesterday", "dog in May"] {
            let ranked = rank(query, &memories, NOW);
            assert_eq!(ranked.len(), 3, "{query}");
            assert!(ranked.iter().all(|(_, s)| s.is_finite()), "{query}");
        }
        // The far-future memory is the newest call.
        assert_eq!(
            ids(&memories, &rank("last time", &memories, NOW)),
            vec!["m1"]
        );
    }

    #[test]
    fn non_ascii_text_is_matched_case_insensitively() {
        let memories = vec![
            memory(0, MemoryKind::Utterance, "Ich wohne in MÜNCHEN.", NOW),
            memory(1, MemoryKind::Utterance, "I live in Paris.", NOW),
        ];
        assert_eq!(ids(&memories, &rank("münchen", &memories, NOW)), vec!["m0"]);
    }
}
