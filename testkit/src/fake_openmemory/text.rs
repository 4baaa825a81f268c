//! The server's text model: JavaScript lengths, tokens, simhash, truncation
//! on add, and its lenient parameter parsing.

use super::*;

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// JavaScript's string length (UTF-16 units), which the server compares.
pub(super) fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The first `max` UTF-16 units of `s` (never splitting a character).
pub(super) fn js_prefix(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// Lower-cased ASCII alphanumeric runs of two or more characters, as a set
/// (order and repetition do not count, as in the real tokenizer).
pub(super) fn tokens(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() > 1)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The server's token hash: `h = (h << 5) - h + charCode` over UTF-16
/// units in 32-bit arithmetic (JavaScript's classic string hash). Tokens of
/// up to 5 characters stay below 2^27, so the hash is far from uniform; a
/// fake with a well-mixed hash hid how often re-adds collide.
pub(super) fn js_hash32(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

/// The fake's simhash: 64 counters voted on by 32-bit token hashes, with
/// bit `i` read as bit `i mod 32` (JavaScript's `1 << i` wraps at 32), so
/// the upper half always repeats the lower half. A text with no tokens
/// hashes to 0.
pub fn simhash(text: &str) -> u64 {
    let mut votes = [0i64; 64];
    for token in tokens(text) {
        let h = js_hash32(&token);
        for (i, v) in votes.iter_mut().enumerate() {
            if h & (1u32 << (i % 32)) != 0 {
                *v += 1;
            } else {
                *v -= 1;
            }
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .fold(0u64, |acc, (i, _)| acc | (1u64 << i))
}

/// What the server stores for `raw`: unchanged up to 200 characters; beyond,
/// whole sentences (split after `.`, `!` or `?` followed by whitespace;
/// fragments of 10 characters or fewer dropped) while they fit in 200, the
/// first one only if shorter than 200. A long text without sentence
/// punctuation is one over-long sentence, so nothing is kept: `""`.
pub fn stored_content(raw: &str) -> String {
    if js_len(raw) <= SUMMARY_MAX_LENGTH {
        return raw.to_owned();
    }
    let sentences: Vec<&str> = split_sentences(raw)
        .into_iter()
        .map(str::trim)
        .filter(|s| js_len(s) > 10)
        .collect();
    if sentences.is_empty() {
        return js_prefix(raw, SUMMARY_MAX_LENGTH).to_owned();
    }
    let mut kept = Vec::new();
    let mut len = 0;
    if js_len(sentences[0]) < SUMMARY_MAX_LENGTH {
        kept.push(sentences[0]);
        len += js_len(sentences[0]);
    }
    for s in &sentences[1..] {
        if len + js_len(s) + 2 <= SUMMARY_MAX_LENGTH {
            kept.push(s);
            len += js_len(s) + 2;
        }
    }
    kept.join(" ")
}

/// Splits at runs of whitespace that follow `.`, `!` or `?`.
pub(super) fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c.is_whitespace() && matches!(prev, Some('.' | '!' | '?')) {
            out.push(&text[start..i]);
            let mut end = i + c.len_utf8();
            while let Some(&(j, w)) = iter.peek() {
                if !w.is_whitespace() {
                    break;
                }
                end = j + w.len_utf8();
                iter.next();
            }
            start = end;
            prev = None;
            continue;
        }
        prev = Some(c);
    }
    out.push(&text[start..]);
    out
}

/// JavaScript truthiness of a JSON value.
pub(super) fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// `parseInt` of a query parameter, `default` when absent or empty.
/// Anything unparseable also falls back to `default`.
pub(super) fn parse_int(v: Option<&str>, default: i64) -> i64 {
    let Some(s) = v.filter(|s| !s.is_empty()) else {
        return default;
    };
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<i64>() {
        Ok(n) if neg => -n,
        Ok(n) => n,
        Err(_) => default,
    }
}

/// SQLite's `LIMIT l OFFSET u`: a negative limit means none, a negative
/// offset counts as 0.
pub(super) fn page<T>(items: Vec<T>, limit: i64, offset: i64) -> Vec<T> {
    let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    items.into_iter().skip(skip).take(take).collect()
}
