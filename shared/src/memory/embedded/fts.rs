//! Full-text terms: every indexed word carries its caller's prefix, so a
//! query only ever matches the asking caller's rows.

/// Most query terms used; the rest of a very long query adds little.
pub(super) const MAX_QUERY_TERMS: usize = 32;

/// The words of `text`: runs of letters and digits.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What the full-text index holds for `content` of `user`: each word with
/// the user's prefix.
pub(super) fn terms(user: &str, content: &str) -> String {
    let prefix = user_prefix(user);
    let mut out = String::with_capacity(content.len() * 2);
    for word in words(content) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&prefix);
        out.push_str(word);
    }
    out
}

/// The FTS5 expression for `query` over `user`'s rows, or `None` when the
/// query has no word. Every term is a double-quoted string of letters and
/// digits, so no input can produce an FTS5 syntax error.
pub(super) fn match_expression(user: &str, query: &str) -> Option<String> {
    let mut unique: Vec<String> = Vec::new();
    for word in words(query).map(str::to_lowercase) {
        if unique.len() == MAX_QUERY_TERMS {
            break;
        }
        if !unique.contains(&word) {
            unique.push(word);
        }
    }
    if unique.is_empty() {
        return None;
    }
    let prefix = user_prefix(user);
    Some(
        unique
            .iter()
            .map(|w| format!("\"{prefix}{w}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// The prefix of a user's terms: a 64-bit FNV-1a hash of the user id as 20
/// decimal digits. Fixed width, so prefix and word cannot be confused;
/// digits only, so the porter stemmer reads them as leading consonants and
/// still stems the word's suffix, the same way in the index and in queries
/// (it skips tokens over 64 bytes: words up to 44 bytes are stemmed).
/// Stored in the index: changing it needs a migration.
pub(super) fn user_prefix(user: &str) -> String {
    let hash = user.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:020}")
}
