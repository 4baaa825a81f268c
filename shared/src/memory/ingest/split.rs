//! Cutting text into sentence-terminated parts a store keeps as sent.

use crate::text::collapse_whitespace;

/// Splits `text` (whitespace collapsed) into parts of at most `max_chars`
/// characters, each ending in `.`, `!` or `?` (a `.` is appended where
/// needed). Whole sentences are packed together while they fit; a longer
/// sentence is cut between words, and only a single word longer than a part
/// is cut inside. Empty text gives no parts.
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    // Below this a part could not hold a word and its full stop.
    let max_chars = max_chars.max(2);
    let text = collapse_whitespace(text);
    let whole = terminate(&text);
    if whole.is_empty() || whole.chars().count() <= max_chars {
        return if whole.is_empty() {
            Vec::new()
        } else {
            vec![whole]
        };
    }
    let mut units = Vec::new();
    for sentence in sentences(&text) {
        let unit = terminate(sentence);
        if unit.chars().count() <= max_chars {
            if !unit.is_empty() {
                units.push(unit);
            }
        } else {
            split_words(sentence, max_chars, &mut units);
        }
    }
    pack(units, max_chars)
}

/// `text` trimmed, without trailing separators, ending in `.`, `!` or `?`.
fn terminate(text: &str) -> String {
    let body = text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '\u{2013}' | '\u{2014}')
    });
    let mut out = body.to_owned();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Sentences of single-spaced text: a run of `.`, `!`, `?` (with closing
/// quotes or brackets) followed by a space ends one.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut after_end = false;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            after_end = true;
        } else if after_end && c == ' ' {
            out.push(text[start..i].trim());
            start = i + 1;
            after_end = false;
        } else if !(after_end && matches!(c, '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}')) {
            after_end = false;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// Cuts one over-long sentence between words into terminated pieces.
fn split_words(sentence: &str, max_chars: usize, out: &mut Vec<String>) {
    // Room for the full stop each piece may need.
    let budget = max_chars - 1;
    let mut piece = String::new();
    let mut piece_len = 0;
    fn flush(piece: &mut String, piece_len: &mut usize, out: &mut Vec<String>) {
        let unit = terminate(piece);
        if !unit.is_empty() {
            out.push(unit);
        }
        piece.clear();
        *piece_len = 0;
    }
    for word in sentence.split(' ') {
        let len = word.chars().count();
        if len > budget {
            flush(&mut piece, &mut piece_len, out);
            let chars: Vec<char> = word.chars().collect();
            for chunk in chars.chunks(budget) {
                let mut unit: String = chunk.iter().collect();
                unit = terminate(&unit);
                if !unit.is_empty() {
                    out.push(unit);
                }
            }
        } else if piece_len == 0 {
            piece.push_str(word);
            piece_len = len;
        } else if piece_len + 1 + len <= budget {
            piece.push(' ');
            piece.push_str(word);
            piece_len += 1 + len;
        } else {
            flush(&mut piece, &mut piece_len, out);
            piece.push_str(word);
            piece_len = len;
        }
    }
    flush(&mut piece, &mut piece_len, out);
}

/// Packs terminated units (each within `max_chars`) greedily into parts.
fn pack(units: Vec<String>, max_chars: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut part_len = 0;
    for unit in units {
        let len = unit.chars().count();
        if part_len == 0 {
            part = unit;
            part_len = len;
        } else if part_len + 1 + len <= max_chars {
            part.push(' ');
            part.push_str(&unit);
            part_len += 1 + len;
        } else {
            parts.push(std::mem::replace(&mut part, unit));
            part_len = len;
        }
    }
    if part_len > 0 {
        parts.push(part);
    }
    parts
}
