//! What is sent as a memory's server-side content: shortened and
//! terminated so v1.3.0 stores it as sent, and the clause that moves its
//! simhash off another caller's copy.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::CONTENT_BUDGET;
use crate::memory::MemoryUser;

/// Length as JavaScript measures it, which is what the server compares.
pub(super) fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub(super) fn is_terminated(s: &str) -> bool {
    s.ends_with(['.', '!', '?'])
}

/// The content to send: `text` made short and sentence-terminated so the
/// server stores it as sent, followed by `clause` (empty, or a clause that
/// changes its simhash). At most [`CONTENT_BUDGET`] in all.
pub(crate) fn server_content(text: &str, clause: &str) -> String {
    let budget = CONTENT_BUDGET.saturating_sub(js_len(clause)).max(2);
    let mut out = shorten(text.trim(), budget);
    out.push_str(clause);
    out
}

/// `text` cut at a word boundary and terminated with `.` so it fits in
/// `budget` (≥ 2) UTF-16 units.
pub(super) fn shorten(text: &str, budget: usize) -> String {
    let len = js_len(text);
    if len <= budget && is_terminated(text) {
        return text.to_owned();
    }
    if len < budget {
        return format!("{text}.");
    }
    // Keep room for the terminator.
    let limit = budget - 1;
    let mut units = 0;
    let mut end = 0;
    let mut last_space = None;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > limit {
            break;
        }
        if c.is_whitespace() {
            last_space = Some(i);
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    let at_word_end = text[end..].chars().next().is_none_or(char::is_whitespace);
    let cut = match last_space {
        Some(i) if !at_word_end && i > 0 => &text[..i],
        // One word longer than the budget: cut inside it.
        _ => &text[..end],
    };
    let trimmed = cut.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—' | '(' | '[' | '{')
    });
    let mut out = if trimmed.is_empty() { cut } else { trimmed }.to_owned();
    if !is_terminated(&out) {
        out.push('.');
    }
    out
}

/// Symbols of clause tokens: no vowels, so no token is an English word
/// the server's tokenizer would map to a synonym, and no `s`, so none is
/// stemmed (its only stemming rule without a vowel strips a final `s`).
pub(super) const CLAUSE_SYMBOLS: &[u8] = b"bcdfghjkmnpqrtvwxz23456789";

/// Characters per clause token. The server hashes tokens with JavaScript's
/// 31-multiplier string hash: 3-character tokens all share their top 15
/// bits, so many of them pulled every re-add towards one simhash and, on a
/// real v1.3.0 server with many callers saying the same words, re-adds
/// collided with each other until the add failed. Five characters spread
/// the hash over its low 27 bits, where the text's own tokens vote.
pub(super) const CLAUSE_TOKEN_LEN: usize = 5;

/// Nothing on the first attempt; then ` (ref k7q2b ….)` with 4, 8, 16, 24,
/// 28, 28, 28 tokens ([`clause_tokens`]). The simhash is a majority vote over the text's tokens, so a
/// token or two rarely change it (simulated with the server's hash: a
/// 1-token clause freed ~7% of collisions between callers saying the same
/// words); four or more usually do. At 16 tokens the text keeps ~77 of the
/// [`CONTENT_BUDGET`] characters, at 28 a word or two (the full text stays
/// in metadata, which is what is read back). Derived from the user, the memory's metadata (its full text
/// included) and the attempt, so a replay of the same memory produces the
/// same content (and is recognised as this caller's copy) while two
/// memories with the same words (`Yes.` at two turns) get different clauses.
pub(super) fn clause(user: &MemoryUser, metadata: &Map<String, Value>, attempt: u32) -> String {
    if attempt == 0 {
        return String::new();
    }
    let mut hasher = Sha256::new();
    hasher.update(user.as_str().as_bytes());
    hasher.update([0]);
    // serde_json's map is ordered, so this is stable.
    hasher.update(Value::Object(metadata.clone()).to_string().as_bytes());
    hasher.update(attempt.to_be_bytes());
    let digest = hasher.finalize();
    let mut seed = u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]));
    // splitmix64 stretches the digest to as many symbols as needed.
    let mut next = move || {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let count = clause_tokens(attempt);
    let mut words: Vec<String> = Vec::with_capacity(count);
    while words.len() < count {
        let word: String = (0..CLAUSE_TOKEN_LEN)
            .map(|_| char::from(CLAUSE_SYMBOLS[(next() % CLAUSE_SYMBOLS.len() as u64) as usize]))
            .collect();
        // The server counts distinct tokens only.
        if !words.contains(&word) {
            words.push(word);
        }
    }
    format!(" (ref {}.)", words.join(" "))
}

/// Tokens in the clause of re-add `attempt` (≥ 1): 4, 8, 16, then 24 and
/// 28. A long text's own tokens outvote a 16-token clause on most of the
/// hash's bits, so among many stored texts alike (a generated or scripted
/// phrase, a template) 16 tokens still collided about one time in ten;
/// from 24 on the clause leaves the text only a few words of the budget
/// and the hash is close to random.
pub(super) fn clause_tokens(attempt: u32) -> usize {
    match attempt {
        0 => 0,
        1 => 4,
        2 => 8,
        3 => 16,
        4 => 24,
        _ => 28,
    }
}
