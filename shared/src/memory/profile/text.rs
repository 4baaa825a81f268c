//! Rendering fact values and bounded text for the profile.

#[allow(unused_imports)]
use super::*;

/// A data-collection value as text: strings trimmed (whitespace collapsed),
/// numbers as written, booleans as yes/no, arrays as their rendered items
/// joined by `, `, objects as compact JSON. `None` for null and for values
/// that render empty.
pub fn render_value(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => collapse_whitespace(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Array(items) => items
            .iter()
            .filter_map(render_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) if map.is_empty() => return None,
        Value::Object(_) => serde_json::to_string(value).ok()?,
    };
    (!text.is_empty()).then_some(text)
}

/// `YYYY-MM-DD` (UTC) of a unix time, if it is a representable date.
pub(crate) fn date_of(unix_secs: i64) -> Option<String> {
    Some(crate::dates::date_of(unix_secs)).filter(|d| !d.is_empty())
}

/// Joins whole items while the result stays within `max_chars`. If even the
/// first item is too long it is cut at a word boundary (with `…`), so the
/// answer is never empty when there is something to say.
pub(super) fn join_bounded(
    items: impl IntoIterator<Item = String>,
    sep: &str,
    max_chars: usize,
) -> String {
    let sep_chars = sep.chars().count();
    let mut out = String::new();
    let mut used = 0;
    for item in items {
        let len = item.chars().count();
        if out.is_empty() {
            if len <= max_chars {
                out = item;
                used = len;
                continue;
            }
            return truncate_at_word(&item, max_chars);
        }
        if used + sep_chars + len > max_chars {
            break;
        }
        out.push_str(sep);
        out.push_str(&item);
        used += sep_chars + len;
    }
    out
}
