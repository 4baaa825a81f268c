//! The wire: what the server's answers and errors mean, read without
//! quoting what a caller said.

use std::error::Error as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::StatusCode;
use serde_json::Value;

use super::*;

/// Everything but RFC 3986 unreserved characters is encoded, so an E.164
/// `+` goes as `%2B` (a raw `+` in a query string reads as a space).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment or query value.
pub(super) fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Parses a JSON answer. The parser's own message is left out: it can quote
/// the body, and the body can hold content.
pub(super) fn parse<T: serde::de::DeserializeOwned>(
    what: &str,
    body: &[u8],
) -> Result<T, MemoryError> {
    serde_json::from_slice(body).map_err(|e| {
        MemoryError::Protocol(format!(
            "{what}: the answer is not the expected JSON ({:?} error at line {}, column {}, {} bytes)",
            e.classify(),
            e.line(),
            e.column(),
            body.len()
        ))
    })
}

/// The deepest cause of a transport error: `connection refused` and the like.
pub(super) fn cause(e: &reqwest::Error) -> String {
    let mut source = e.source();
    let mut last = None;
    while let Some(s) = source {
        last = Some(s);
        source = s.source();
    }
    // Without a source the error's own text would include the URL.
    last.map_or_else(|| "no further detail".to_owned(), ToString::to_string)
}

/// The `error` or `err` code of an error body (endpoints use either), if it
/// looks like a code rather than free text that could echo request data.
pub(super) fn error_code(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let code = v
        .get("error")
        .and_then(Value::as_str)
        .or_else(|| v.get("err").and_then(Value::as_str))?;
    let is_code = code.len() <= 40
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' '));
    is_code.then(|| code.to_owned())
}

pub(super) fn status_error(what: &str, status: StatusCode, body: &[u8]) -> MemoryError {
    let code = error_code(body);
    let detail = code
        .as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    match (status.as_u16(), code.as_deref()) {
        (_, Some("tenant_mismatch")) => MemoryError::UnsupportedServer(TENANT_MISMATCH.into()),
        (401, _) => MemoryError::Auth(
            "the OpenMemory server requires an API key: set OPENMEMORY_KEY to its OM_API_KEY"
                .into(),
        ),
        (403, Some("invalid_api_key")) => MemoryError::Auth(
            "the OpenMemory server rejected the key in OPENMEMORY_KEY: set it to the server's OM_API_KEY"
                .into(),
        ),
        // Rate limiting is transient, unlike the other 4xx.
        (429, _) => MemoryError::Unavailable(format!("{what}: rate limited by OpenMemory")),
        (500..=599, _) => MemoryError::Unavailable(format!("{what}: HTTP {status}{detail}")),
        (400..=499, _) => MemoryError::Rejected(format!("{what}: HTTP {status}{detail}")),
        _ => MemoryError::Protocol(format!("{what}: unexpected HTTP {status}")),
    }
}

/// Rebuilds a memory from a listing item.
pub(super) fn memory_from_item(item: &Value) -> Result<Memory, MemoryError> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| MemoryError::Protocol("list: an item has no id".into()))?;
    let content = item
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tags: Vec<String> = item
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let metadata = item
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let created_at = item
        .get("created_at")
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
        .unwrap_or(0);
    Ok(Memory::from_parts(
        id.to_owned(),
        content.to_owned(),
        &tags,
        metadata,
        created_at,
    ))
}

/// A failed request as an error, never quoting its URL.
pub(super) fn transport(timeout: Duration, what: &'static str, e: &reqwest::Error) -> MemoryError {
    // Never `e.to_string()`: it carries the URL, and with it the user id.
    if e.is_timeout() {
        MemoryError::Unavailable(format!(
            "{what}: no answer from OpenMemory within {} ms",
            timeout.as_millis()
        ))
    } else if e.is_connect() {
        MemoryError::Unavailable(format!(
            "{what}: could not connect to OpenMemory ({})",
            cause(e)
        ))
    } else {
        MemoryError::Unavailable(format!(
            "{what}: request to OpenMemory failed ({})",
            cause(e)
        ))
    }
}
