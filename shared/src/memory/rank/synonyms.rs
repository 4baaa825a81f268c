//! A small, hand-written table of the words callers and agents use for the
//! same thing, so that "who's my physician" finds "I see Dr. Patel" and
//! "what's my pup called" finds "we adopted a puppy named Luna".
//!
//! Kept deliberately short and generic (pets, home, phone, appointments,
//! doctors, medication, insurance, family, work, travel, billing): every
//! entry is a word a caller says on the phone, and every added word can
//! also add noise ("work" also matches "that works for me"), so an entry
//! earns its place when `make eval` shows it helps. Expansions count less
//! than the word itself ([`SYNONYM_WEIGHT`]).
//!
//! No model, no download: the table is the whole mechanism.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// How much a synonym counts against the word the query used.
pub const SYNONYM_WEIGHT: f64 = 0.8;

/// Groups of interchangeable words: each one finds the others.
const SAME: &[&[&str]] = &[
    &[
        "dog", "doggo", "doggy", "doggie", "pup", "puppy", "pooch", "canine",
    ],
    &["cat", "kitty", "kitten", "feline"],
    &["doctor", "dr", "doc", "physician", "gp", "pcp"],
    &["address", "move", "moved", "relocate", "relocated", "live"],
    &["phone", "cell", "cellphone", "mobile", "telephone"],
    &[
        "appointment",
        "appt",
        "visit",
        "checkup",
        "book",
        "schedule",
        "reschedule",
    ],
    &["insurance", "insurer", "coverage"],
    &["pharmacy", "drugstore", "chemist"],
    &[
        "medication",
        "medicine",
        "meds",
        "prescription",
        "pill",
        "drug",
    ],
    &[
        "job",
        "work",
        "occupation",
        "profession",
        "career",
        "employed",
    ],
    &["kid", "child", "children", "son", "daughter"],
    &["spouse", "husband", "wife", "partner"],
    &["vacation", "trip", "holiday", "travel", "traveling"],
    &["birthday", "birth", "born", "dob"],
    &["allergy", "allergic"],
    &["headache", "migraine"],
    &["heartburn", "reflux"],
    &["available", "availability", "prefer", "preference"],
    &["bill", "invoice", "charge", "billing"],
];

/// Words that cover others, one way: a query for a pet looks for dogs and
/// cats, but a query for a dog does not look for cats.
const BROADER: &[(&str, &[&str])] = &[
    ("pet", &["dog", "puppy", "cat", "kitten"]),
    ("backache", &["back"]),
    ("insomnia", &["sleep"]),
    ("surname", &["name"]),
    ("wedding", &["married"]),
    // What a call was about: the caller's own "I'm calling about…".
    ("talk", &["call"]),
    ("ask", &["call"]),
    ("discuss", &["call"]),
    ("speak", &["call"]),
];

/// The stems a query stem also looks for.
pub fn expansions(stem: &str) -> &'static [String] {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let stemmer = Stemmer::create(Algorithm::English);
        let stem = |w: &str| stemmer.stem(w).into_owned();
        let mut table: HashMap<String, Vec<String>> = HashMap::new();
        for group in SAME {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            for s in &stems {
                let entry = table.entry(s.clone()).or_default();
                for other in &stems {
                    if other != s && !entry.contains(other) {
                        entry.push(other.clone());
                    }
                }
            }
        }
        for (word, covered) in BROADER {
            let entry = table.entry(stem(word)).or_default();
            for c in covered.iter().map(|w| stem(w)) {
                if !entry.contains(&c) {
                    entry.push(c);
                }
            }
        }
        table
    });
    table.get(stem).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_find_each_other_through_their_stems() {
        let stemmer = Stemmer::create(Algorithm::English);
        let stem = |w: &str| stemmer.stem(w).into_owned();
        assert!(expansions(&stem("puppies")).contains(&stem("dog")));
        assert!(expansions(&stem("dogs")).contains(&stem("puppy")));
        assert!(expansions(&stem("physician")).contains(&stem("dr")));
        assert!(expansions(&stem("relocated")).contains(&stem("address")));
        assert!(expansions(&stem("meds")).contains(&stem("prescriptions")));
        // One way only.
        assert!(expansions(&stem("pet")).contains(&stem("cat")));
        assert!(!expansions(&stem("dog")).contains(&stem("cat")));
        assert!(!expansions(&stem("dog")).contains(&stem("pet")));
        // A word is never its own synonym, and unknown words have none.
        assert!(!expansions(&stem("dog")).contains(&stem("dog")));
        assert!(expansions("zebra").is_empty());
    }

    #[test]
    fn table_words_stem_to_distinct_useful_keys() {
        // Every group must still hold two different stems, or it does nothing.
        let stemmer = Stemmer::create(Algorithm::English);
        for group in SAME {
            let mut stems: Vec<String> =
                group.iter().map(|w| stemmer.stem(w).into_owned()).collect();
            stems.sort();
            stems.dedup();
            assert!(stems.len() >= 2, "{group:?}");
        }
    }
}
