//! The OpenMemory v1.3.0 HTTP client, hardened against the server's quirks.
//!
//! What the server does and how this client copes (see the reference notes
//! on the OpenMemory API for the observations behind each point):
//!
//! - **Truncation on add.** Content over ~200 characters is cut to whole
//!   sentences, and text without sentence punctuation can be stored empty.
//!   We send at most [`CONTENT_BUDGET`] characters, sentence-terminated; the
//!   full text travels in metadata `text`, which [`Memory::from_parts`]
//!   prefers on read.
//! - **Cross-user dedupe on a weak simhash.** An add can answer another
//!   memory's id (possibly another caller's, possibly unrelated text) and
//!   store nothing. Every `deduplicated: true` answer is checked; unless it
//!   is this caller's own copy of this exact memory, we add again with a
//!   short distinguishing clause so the hash differs.
//! - **Delete-all is capped** at 10,000 memories per call: we repeat it.
//! - **Single-tenant builds** (after v1.3.0) refuse per-caller `user_id`s
//!   with `tenant_mismatch`; we report that as [`MemoryError::UnsupportedServer`]
//!   naming the version to deploy.
//!
//! Error messages never contain user ids, content or the API key: they
//! end up in logs.

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

/// Most characters (UTF-16 units, as the server measures) of content we
/// send: safely under the server's 200-character summary threshold.
pub const CONTENT_BUDGET: usize = 180;

/// Re-adds tried after a dedupe answer that is not this caller's copy.
const MAX_READDS: u32 = 5;

/// The server keeps the top `k×3` memories of *all* users before keeping
/// this user's, so a caller's best memory can be crowded out at small `k`.
/// We ask for more than we return: `k×2`, at least 10, at most 40. Not
/// more: v1.3.0's query time grows with `k` (0.48 s at k = 10, 1.74 s at
/// k = 40 with 6,000 memories), and search lets it run only briefly.
const QUERY_OVERFETCH: usize = 2;
const QUERY_MIN_K: usize = 10;
const QUERY_MAX_K: usize = 40;

/// Largest `l` sent to the listing endpoint.
const MAX_LIST_LIMIT: usize = 1_000_000;

/// The server deletes at most 10,000 memories per call; this many calls
/// (a million memories for one caller) means something is wrong.
const MAX_DELETE_ROUNDS: u32 = 100;

/// Idle connections are dropped before Node's default 5 s keep-alive
/// timeout closes them server-side, so a reused connection is never one the
/// server has already closed (a frozen Lambda cannot notice the close).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// Everything but RFC 3986 unreserved characters is encoded, so an E.164
/// `+` goes as `%2B` (a raw `+` in a query string reads as a space).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const TENANT_MISMATCH: &str = "this OpenMemory server is single-tenant (a build newer than v1.3.0, from 2026-04-27 on); caller memory needs the multi-user API of OpenMemory v1.3.0 or earlier: deploy the v1.3.0 tag";

/// A [`MemoryStore`] backed by an OpenMemory v1.3.0 server.
#[derive(Clone)]
pub struct OpenMemoryStore {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
}

impl fmt::Debug for OpenMemoryStore {
    // By hand: the client's default headers hold the API key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the origin: a URL may carry credentials.
        let origin = url::Url::parse(&self.base).map(|u| u.origin().ascii_serialization());
        f.debug_struct("OpenMemoryStore")
            .field("origin", &origin.as_deref().unwrap_or("?"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OpenMemoryStore {
    /// A client for the server at `base_url` (`http://` or `https://`, any
    /// trailing `/` ignored). `api_key` is sent as `x-api-key`; `timeout`
    /// bounds each request, connecting included. The one HTTP client built
    /// here is reused for every call, keeping connections pooled.
    pub fn new(
        base_url: &str,
        api_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, MemoryError> {
        let base = base_url.trim().trim_end_matches('/');
        match url::Url::parse(base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(MemoryError::Unavailable(
                    "the OpenMemory URL (OPENMEMORY_URL) is not an http:// or https:// URL".into(),
                ))
            }
        }
        let mut headers = HeaderMap::new();
        if let Some(key) = api_key.map(str::trim).filter(|k| !k.is_empty()) {
            let mut value = HeaderValue::from_str(key).map_err(|_| {
                MemoryError::Auth(
                    "OPENMEMORY_KEY contains characters that cannot be sent in an HTTP header"
                        .into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .default_headers(headers)
            .user_agent(concat!("caller-memory/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the API key (a default header) and a
            // Referer naming the caller's number to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_max_idle_per_host(16)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| {
                MemoryError::Unavailable(format!("could not build the HTTP client ({})", cause(&e)))
            })?;
        Ok(Self {
            http,
            base: base.to_owned(),
            timeout,
        })
    }

    /// Checks that the server is up, accepts our key and serves the
    /// multi-user API: `GET /health` (which needs no key), then an empty
    /// listing for a probe user (which needs both).
    pub async fn health(&self) -> Result<(), MemoryError> {
        let answer: Value = self
            .call("health", self.http.get(format!("{}/health", self.base)))
            .await?;
        if answer.get("ok").and_then(Value::as_bool) != Some(true) {
            return Err(MemoryError::Protocol(
                "health: the server did not answer ok: true".into(),
            ));
        }
        let probe = format!(
            "{}/users/{}/memories?l=0&u=0",
            self.base,
            enc("caller-memory-health-probe")
        );
        let _: Value = self.call("health", self.http.get(probe)).await?;
        Ok(())
    }

    fn user_memories_url(&self, user: &MemoryUser) -> String {
        format!("{}/users/{}/memories", self.base, enc(user.as_str()))
    }

    /// Sends a request and reads the whole answer.
    async fn send(
        &self,
        what: &'static str,
        req: RequestBuilder,
    ) -> Result<(StatusCode, bytes::Bytes), MemoryError> {
        let resp = req.send().await.map_err(|e| self.transport(what, &e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.transport(what, &e))?;
        Ok((status, body))
    }

    /// Sends a request and parses a 2xx JSON answer; anything else is an error.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        req: RequestBuilder,
    ) -> Result<T, MemoryError> {
        let (status, body) = self.send(what, req).await?;
        if !status.is_success() {
            return Err(status_error(what, status, &body));
        }
        parse(what, &body)
    }

    fn transport(&self, what: &'static str, e: &reqwest::Error) -> MemoryError {
        // Never `e.to_string()`: it carries the URL, and with it the user id.
        if e.is_timeout() {
            MemoryError::Unavailable(format!(
                "{what}: no answer from OpenMemory within {} ms",
                self.timeout.as_millis()
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

    /// Whether `id` is `user`'s memory holding exactly `content` and
    /// `metadata`: an add that was deduplicated into it lost nothing.
    /// A memory of another user, or one that is gone, is not.
    async fn is_own_copy(
        &self,
        user: &MemoryUser,
        id: &str,
        content: &str,
        metadata: &Map<String, Value>,
    ) -> Result<bool, MemoryError> {
        let url = format!(
            "{}/memory/{}?user_id={}",
            self.base,
            enc(id),
            enc(user.as_str())
        );
        let (status, body) = self.send("add", self.http.get(url)).await?;
        if !status.is_success() {
            return match (status.as_u16(), error_code(&body).as_deref()) {
                // Another caller's memory, or deleted since the add.
                (403, Some("forbidden")) | (404, Some("nf")) => Ok(false),
                _ => Err(status_error("add", status, &body)),
            };
        }
        let stored: Value = parse("add", &body)?;
        let owner_matches = match stored.get("user_id") {
            Some(Value::String(owner)) => owner == user.as_str(),
            // The server checked the user_id we passed.
            _ => true,
        };
        // Metadata too, so a replay of the same memory is accepted but a
        // new memory with the same words (another turn, a newer snapshot) is
        // stored in its own right.
        Ok(owner_matches
            && stored.get("content").and_then(Value::as_str) == Some(content)
            && stored.get("metadata").and_then(Value::as_object) == Some(metadata))
    }
}

#[async_trait]
impl MemoryStore for OpenMemoryStore {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        if memory.content.trim().is_empty() {
            return Err(MemoryError::Rejected(
                "add: the memory's content is empty".into(),
            ));
        }
        let tags = memory.tags();
        // Holds the full, clean text whatever content we send.
        let metadata = memory.metadata();
        for attempt in 0..=MAX_READDS {
            let content = server_content(&memory.content, &clause(user, &metadata, attempt));
            let body = json!({
                "content": content,
                "tags": tags,
                "metadata": metadata,
                "user_id": user.as_str(),
            });
            let answer: Value = self
                .call(
                    "add",
                    self.http
                        .post(format!("{}/memory/add", self.base))
                        .json(&body),
                )
                .await?;
            let id = answer
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .ok_or_else(|| MemoryError::Protocol("add: the answer has no id".into()))?;
            if answer.get("deduplicated").and_then(Value::as_bool) != Some(true) {
                return Ok(id.to_owned());
            }
            if self.is_own_copy(user, id, &content, &metadata).await? {
                return Ok(id.to_owned());
            }
            tracing::debug!(
                attempt,
                "OpenMemory deduplicated an add into a different memory; adding again with a distinguishing clause"
            );
        }
        Err(MemoryError::Protocol(format!(
            "add: OpenMemory deduplicated the memory into a different one {} times in a row",
            MAX_READDS + 1
        )))
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The server's JavaScript would turn a larger limit into a float
        // its database refuses.
        let l = limit.min(MAX_LIST_LIMIT);
        let url = format!("{}?l={l}&u=0", self.user_memories_url(user));
        let answer: Value = self.call("list", self.http.get(url)).await?;
        let items = answer
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| MemoryError::Protocol("list: the answer has no items".into()))?;
        let mut memories = items
            .iter()
            .map(memory_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        // The server sorts newest first; a stable sort keeps its tie order
        // and guarantees the contract whatever it did.
        memories.sort_by_key(|m| std::cmp::Reverse(m.created_at_ms));
        memories.truncate(limit);
        Ok(memories)
    }

    /// The server's ranking of the user's memories, its best `k`.
    ///
    /// More than `k` are asked for, to soften the server's crowding (see
    /// [`QUERY_OVERFETCH`]); it cannot be removed, since other callers'
    /// memories can still fill the server's shortlist.
    ///
    /// OpenMemory answers `200` with `matches: []` both when nothing matches
    /// and when the query failed inside the server, and the two cannot be
    /// told apart: an empty list is returned either way, without error.
    /// Callers must not read an empty answer as "no relevant memory" (the
    /// search layer falls back to its own ranking of the user's memories).
    async fn query(
        &self,
        user: &MemoryUser,
        query: &str,
        k: usize,
    ) -> Result<Vec<Match>, MemoryError> {
        // The server reads k = 0 as "use the default" (8).
        if k == 0 {
            return Ok(Vec::new());
        }
        let server_k = (k.saturating_mul(QUERY_OVERFETCH))
            .clamp(QUERY_MIN_K, QUERY_MAX_K)
            .max(k);
        let body = json!({
            "query": query,
            "k": server_k,
            "filters": { "user_id": user.as_str() },
        });
        let answer: Value = self
            .call(
                "query",
                self.http
                    .post(format!("{}/memory/query", self.base))
                    .json(&body),
            )
            .await?;
        let matches = answer
            .get("matches")
            .and_then(Value::as_array)
            .ok_or_else(|| MemoryError::Protocol("query: the answer has no matches".into()))?;
        let mut out = matches
            .iter()
            .map(|m| {
                let id = m
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| MemoryError::Protocol("query: a match has no id".into()))?;
                Ok(Match {
                    id: id.to_owned(),
                    // JSON has no NaN: the server sends null for one.
                    score: m.get("score").and_then(Value::as_f64).unwrap_or(0.0),
                })
            })
            .collect::<Result<Vec<_>, MemoryError>>()?;
        out.truncate(k);
        Ok(out)
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        let url = self.user_memories_url(user);
        let mut total = 0u64;
        // Each call deletes at most 10,000: repeat until one deletes nothing.
        for _ in 0..MAX_DELETE_ROUNDS {
            let answer: Value = self
                .call("delete", self.http.request(Method::DELETE, &url))
                .await?;
            let deleted = answer
                .get("deleted")
                .and_then(Value::as_u64)
                .ok_or_else(|| MemoryError::Protocol("delete: the answer has no count".into()))?;
            if deleted == 0 {
                return Ok(total);
            }
            total += deleted;
        }
        Err(MemoryError::Protocol(format!(
            "delete: memories were still being deleted after {MAX_DELETE_ROUNDS} calls ({total} so far)"
        )))
    }
}

/// Percent-encodes one path segment or query value.
fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Parses a JSON answer. The parser's own message is left out: it can quote
/// the body, and the body can hold content.
fn parse<T: serde::de::DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, MemoryError> {
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
fn cause(e: &reqwest::Error) -> String {
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
fn error_code(body: &[u8]) -> Option<String> {
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

fn status_error(what: &str, status: StatusCode, body: &[u8]) -> MemoryError {
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
fn memory_from_item(item: &Value) -> Result<Memory, MemoryError> {
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

/// Length as JavaScript measures it, which is what the server compares.
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn is_terminated(s: &str) -> bool {
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
fn shorten(text: &str, budget: usize) -> String {
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
const CLAUSE_SYMBOLS: &[u8] = b"bcdfghjkmnpqrtvwxz23456789";

/// Characters per clause token. The server hashes tokens with JavaScript's
/// 31-multiplier string hash: 3-character tokens all share their top 15
/// bits, so many of them pulled every re-add towards one simhash and, on a
/// real v1.3.0 server with many callers saying the same words, re-adds
/// collided with each other until the add failed. Five characters spread
/// the hash over its low 27 bits, where the text's own tokens vote.
const CLAUSE_TOKEN_LEN: usize = 5;

/// Nothing on the first attempt; then ` (ref k7q2b ….)` with 4, 8, 16, 16,
/// 16 tokens. The simhash is a majority vote over the text's tokens, so a
/// token or two rarely change it (simulated with the server's hash: a
/// 1-token clause freed ~7% of collisions between callers saying the same
/// words); four or more usually do. At 16 tokens the text keeps ~77 of the
/// [`CONTENT_BUDGET`] characters (the full text stays in metadata). Derived from the user, the memory's metadata (its full text
/// included) and the attempt, so a replay of the same memory produces the
/// same content (and is recognised as this caller's copy) while two
/// memories with the same words (`Yes.` at two turns) get different clauses.
fn clause(user: &MemoryUser, metadata: &Map<String, Value>, attempt: u32) -> String {
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

/// Tokens in the clause of re-add `attempt` (≥ 1): 4, 8, then 16.
fn clause_tokens(attempt: u32) -> usize {
    4usize << (attempt - 1).min(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_terminated_text_is_sent_as_is() {
        assert_eq!(server_content("  Hello there.  ", ""), "Hello there.");
        assert_eq!(server_content("Is it?", ""), "Is it?");
        assert_eq!(server_content("no punctuation", ""), "no punctuation.");
    }

    #[test]
    fn long_text_is_cut_at_a_word_and_terminated() {
        let text = "word ".repeat(120);
        let sent = server_content(&text, "");
        assert!(js_len(&sent) <= CONTENT_BUDGET, "{}", sent.len());
        assert!(sent.ends_with("word."), "{sent}");
        assert!(!sent.contains("wo."), "{sent}");
        let one_word = "x".repeat(500);
        let sent = server_content(&one_word, "");
        assert_eq!(js_len(&sent), CONTENT_BUDGET);
        assert!(sent.ends_with("x."));
    }

    #[test]
    fn astral_characters_count_twice() {
        let text = "😀".repeat(150);
        let sent = server_content(&text, "");
        assert!(js_len(&sent) <= CONTENT_BUDGET);
        assert!(sent.ends_with('.'));
    }

    #[test]
    fn clauses_fit_the_budget_and_differ_per_attempt() {
        let id = crate::caller::CallerId::normalise("+15551234567", Default::default()).unwrap();
        let user = MemoryUser::caller(&id);
        let meta = NewMemory::new(super::super::MemoryKind::Utterance, "x").metadata();
        let text = "a ".repeat(200);
        let mut seen = std::collections::HashSet::new();
        for attempt in 1..=MAX_READDS {
            let c = clause(&user, &meta, attempt);
            assert!(c.starts_with(" (ref ") && c.ends_with(".)"), "{c}");
            assert_eq!(c.split(' ').count() - 2, clause_tokens(attempt), "{c}");
            assert!(seen.insert(c.clone()));
            assert!(js_len(&server_content(&text, &c)) <= CONTENT_BUDGET);
        }
        assert_eq!(clause(&user, &meta, 2), clause(&user, &meta, 2));
    }

    #[test]
    fn error_codes_are_read_from_err_or_error() {
        assert_eq!(error_code(br#"{"err":"nf"}"#).as_deref(), Some("nf"));
        assert_eq!(
            error_code(br#"{"error":"invalid_api_key"}"#).as_deref(),
            Some("invalid_api_key")
        );
        assert_eq!(error_code(br#"{"err":"Cannot read 'x' of +1555"}"#), None);
        assert_eq!(error_code(b"<html>"), None);
    }

    #[test]
    fn statuses_map_to_error_kinds() {
        let err = |status: u16, body: &str| {
            status_error("t", StatusCode::from_u16(status).unwrap(), body.as_bytes())
        };
        assert!(matches!(
            err(403, r#"{"error":"tenant_mismatch","message":"x"}"#),
            MemoryError::UnsupportedServer(m) if m.contains("v1.3.0")
        ));
        assert!(matches!(err(401, "{}"), MemoryError::Auth(m) if m.contains("OPENMEMORY_KEY")));
        assert!(matches!(
            err(403, r#"{"error":"invalid_api_key"}"#),
            MemoryError::Auth(m) if m.contains("OPENMEMORY_KEY")
        ));
        assert!(matches!(err(429, "{}"), MemoryError::Unavailable(_)));
        assert!(matches!(
            err(503, "bad gateway"),
            MemoryError::Unavailable(_)
        ));
        assert!(matches!(
            err(400, r#"{"err":"content"}"#),
            MemoryError::Rejected(m) if m.contains("(content)")
        ));
        assert!(matches!(err(302, ""), MemoryError::Protocol(_)));
    }

    #[test]
    fn debug_shows_neither_the_key_nor_url_credentials() {
        let store = OpenMemoryStore::new(
            "https://user:pw@om.example.com/base/",
            Some("sekrit"),
            Duration::from_secs(1),
        )
        .unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("https://om.example.com"), "{shown}");
        assert!(
            !shown.contains("sekrit") && !shown.contains("pw@"),
            "{shown}"
        );
        assert!(OpenMemoryStore::new("ftp://x", None, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn user_ids_are_fully_percent_encoded() {
        assert_eq!(enc("+15551234567@agent_1"), "%2B15551234567%40agent_1");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
    }
}
