//! Reading a query: its words, stems, synonym targets and time phrase.

use std::collections::HashMap;

use rust_stemmers::Stemmer;

use super::irregular;
use super::synonyms::{self, SYNONYM_WEIGHT};
use super::when::{self, When};
use super::{is_stop_word, push_lower, query_weight, tokens, MAX_QUERY_TERMS};

/// The query, analysed: its concepts (a word of the query with its
/// synonyms) by weight, the stems that match them, its time.
pub(super) struct Query {
    pub(super) weights: Vec<f64>,
    /// Each stem a document word may have, with the concepts it counts
    /// for and how much.
    pub(super) targets: HashMap<String, Vec<(usize, f64)>>,
    pub(super) when: Option<When>,
    /// Its words, lower-cased (a time is read again from them).
    pub(super) words: Vec<String>,
    /// Whether it asks for the current value ("now", "currently", "still").
    pub(super) current: bool,
}

/// Words that ask for the value as it is now.
fn asks_current(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        matches!(
            w.as_str(),
            "now"
                | "current"
                | "currently"
                | "still"
                | "anymore"
                | "latest"
                | "newest"
                | "nowadays"
        ) || (w == "these" && words.get(i + 1).is_some_and(|n| n == "days"))
    })
}

/// The query's words, lower-cased.
pub(super) fn words_of(query: &str) -> Vec<String> {
    tokens(query)
        .map(|t| {
            let mut w = String::new();
            push_lower(&mut w, t);
            w
        })
        .collect()
}

pub(super) fn analyse(query: &str, stemmer: &Stemmer, now_unix_secs: i64) -> Query {
    let words = words_of(query);
    let found = when::find(&words, now_unix_secs);
    let timed: &[usize] = found.as_ref().map_or(&[], |f| f.words.as_slice());
    let mut stems: Vec<String> = Vec::new();
    // Each concept's word as said, for its other verb forms.
    let mut said: Vec<&str> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let one_letter =
            word.chars().nth(1).is_none() && !word.starts_with(|c: char| c.is_numeric());
        if one_letter || is_stop_word(word) || timed.contains(&i) {
            continue;
        }
        let stem = stemmer.stem(word);
        if !stems.iter().any(|t| *t == stem.as_ref()) {
            stems.push(stem.into_owned());
            said.push(word);
        }
        if stems.len() == MAX_QUERY_TERMS {
            break;
        }
    }
    let mut targets: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
    for (q, stem) in stems.iter().enumerate() {
        targets.entry(stem.clone()).or_default().push((q, 1.0));
    }
    // An irregular verb's other forms are the word itself ("buy" finds
    // "bought").
    for (q, word) in said.iter().enumerate() {
        for form in irregular::other_forms(word) {
            add_target(&mut targets, stemmer.stem(form).into_owned(), q, 1.0);
        }
    }
    // Synonyms only where the query did not say the word itself.
    for (q, stem) in stems.iter().enumerate() {
        for synonym in synonyms::expansions(stem) {
            if stems.contains(synonym) {
                continue;
            }
            add_target(&mut targets, synonym.clone(), q, SYNONYM_WEIGHT);
        }
    }
    Query {
        weights: stems.iter().map(|s| query_weight(s)).collect(),
        targets,
        when: found.map(|f| f.when),
        current: asks_current(&words),
        words,
    }
}

/// `stem` also counts for concept `q`, at `weight`, unless it already does.
fn add_target(
    targets: &mut HashMap<String, Vec<(usize, f64)>>,
    stem: String,
    q: usize,
    weight: f64,
) {
    let entry = targets.entry(stem).or_default();
    if !entry.iter().any(|(c, _)| *c == q) {
        entry.push((q, weight));
    }
}
