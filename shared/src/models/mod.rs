//! Serde types for every payload that crosses the ElevenLabs boundary.
//!
//! Parsing is lenient where ElevenLabs is loose (unknown fields are ignored,
//! nullable fields are `Option`, values of data-collection results are any
//! JSON), and strict only where our own behaviour depends on a field.

pub mod client_data;
pub mod post_call;
pub mod search;

pub use client_data::{ClientDataRequest, ClientDataResponse, DynamicVariables};
pub use post_call::{
    AudioData, CallInitiationFailureData, Envelope, Head, PhoneCall, PostCallEvent, TranscriptTurn,
    TranscriptionData,
};
pub use search::{SearchHit, SearchProfile, SearchRequest, SearchResponse};

/// The deepest JSON nesting accepted anywhere: what serde_json's recursion
/// limit allows when it builds values (128 levels, less one).
///
/// serde_json counts depth only for what it builds. What it skips, a
/// [`serde_json::value::RawValue`] or a field a type ignores, it reads with
/// no limit (without recursing, so without overflowing the stack either).
/// Every parse of a request body checks [`nesting_within`] first, so a body
/// too deep for a `Value` is refused whole instead of being stored and
/// later failing whoever reads it back.
pub const MAX_JSON_DEPTH: usize = 127;

/// Whether the JSON text `json` nests arrays and objects at most
/// `max_depth` levels deep. Exact for valid JSON (brackets inside strings do
/// not count); for invalid JSON the answer does not matter, as the parse
/// that follows refuses it. One pass, no allocation.
pub fn nesting_within(json: &[u8], max_depth: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while i < json.len() {
                    match json[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    true
}

/// Deserialises `null` as the type's default: ElevenLabs sends `null` for
/// many lists and maps that are usually present.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    }

    #[test]
    fn max_depth_is_serde_json_s() {
        let at = nested("[", "]", MAX_JSON_DEPTH);
        let over = nested("[", "]", MAX_JSON_DEPTH + 1);
        assert!(serde_json::from_str::<serde_json::Value>(&at).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&over).is_err());
        assert!(nesting_within(at.as_bytes(), MAX_JSON_DEPTH));
        assert!(!nesting_within(over.as_bytes(), MAX_JSON_DEPTH));
    }

    #[test]
    fn counts_arrays_and_objects_but_not_strings() {
        assert!(nesting_within(b"", 0));
        assert!(nesting_within(b"1", 0));
        assert!(!nesting_within(b"[]", 0));
        assert!(nesting_within(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(!nesting_within(br#"{"a":[1,{"b":2}]}"#, 2));
        assert!(nesting_within(br#"["[[[{{{", "\"[[", "\\", 1]"#, 1));
        assert!(!nesting_within(br#"["\\", [1]]"#, 1));
        assert!(nesting_within(nested("[", "]", 10_000).as_bytes(), 10_000));
        assert!(!nesting_within(nested("{\"a\":", "}", 200).as_bytes(), 199));
    }
}
