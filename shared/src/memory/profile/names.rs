//! Which fact is the caller's name, and what is a placeholder rather than a name.

#[allow(unused_imports)]
use super::*;

/// Name-like data-collection keys, best first, compared without case or
/// separators (`First Name`, `firstName` and `first_name` are one key).
pub(super) const NAME_KEYS: [&str; 11] = [
    "preferredname",
    "firstname",
    "givenname",
    "name",
    "username",
    "callername",
    "customername",
    "clientname",
    "patientname",
    "contactname",
    "fullname",
];

/// The position of a key in [`NAME_KEYS`], if it is name-like.
pub(super) fn name_rank(key: &str) -> Option<usize> {
    let mut folded = String::with_capacity(key.len());
    folded.extend(
        key.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase),
    );
    NAME_KEYS.iter().position(|k| *k == folded)
}

/// What a data-collection LLM writes when it found no name; never a greeting.
pub(super) fn is_placeholder_name(name: &str) -> bool {
    const LONGEST_NAME: usize = 60;
    if name.is_empty() || name.chars().count() > LONGEST_NAME {
        return true;
    }
    let folded: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        folded.as_str(),
        "" | "unknown"
            | "none"
            | "null"
            | "na"
            | "nil"
            | "notprovided"
            | "notgiven"
            | "notmentioned"
            | "notspecified"
            | "anonymous"
            | "caller"
            | "customer"
            | "user"
    )
}
