//! Text helpers with no domain in them: whitespace, cutting at a word,
//! and the date prefix a call summary is stored with. Used by ingestion,
//! the profile, ranking, search and the prompt-safety rules alike.

/// `text` with every run of whitespace (newlines included) made one space,
/// and trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `text` cut to at most `max_chars` characters at a word boundary, with
/// `…` appended when cut (counted in `max_chars`). A first word longer than
/// the room is cut inside.
pub fn truncate_at_word(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Byte offset of the character after the last one that fits with `…`.
    let keep = max_chars - 1;
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    // Cut at the last space when the text continues mid-word.
    let mid_word = !text[end..].starts_with(char::is_whitespace);
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if mid_word && space > 0 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{head}…")
}

/// A summary memory's text without ingestion's `Call on YYYY-MM-DD: `.
pub fn strip_date_prefix(text: &str) -> &str {
    text.strip_prefix("Call on ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(date, _)| date.len() == 10 && date.bytes().filter(|b| *b == b'-').count() == 2)
        .map_or(text, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_at_word_cuts_between_words() {
        assert_eq!(truncate_at_word("short", 10), "short");
        assert_eq!(truncate_at_word("hello big world", 12), "hello big…");
        assert_eq!(truncate_at_word("hello big world", 10), "hello big…");
        assert_eq!(truncate_at_word("hello, world", 8), "hello…");
        assert_eq!(truncate_at_word("abcdefghij", 5), "abcd…");
        assert_eq!(truncate_at_word("àéîõü àéîõü", 7), "àéîõü…");
        assert_eq!(truncate_at_word("abc", 0), "");
    }
}
