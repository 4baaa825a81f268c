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

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Map, Value};

mod content;
mod wire;

use self::content::clause;
pub(crate) use self::content::server_content;
use self::wire::{cause, enc, error_code, memory_from_item, parse, status_error, transport};
use super::{Match, Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser, NewMemory};

/// Most characters (UTF-16 units, as the server measures) of content we
/// send: safely under the server's 200-character summary threshold.
pub const CONTENT_BUDGET: usize = 180;

/// Re-adds tried after a dedupe answer that is not this caller's copy.
const MAX_READDS: u32 = 7;

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
        let resp = req
            .send()
            .await
            .map_err(|e| transport(self.timeout, what, &e))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport(self.timeout, what, &e))?;
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
        // A snapshot reads much like the caller's previous one, which the
        // server's simhash would call a duplicate: it starts with its
        // clause, saving the dedupe answer, the check and the re-add.
        let first = u32::from(memory.kind == MemoryKind::Snapshot);
        for attempt in first..=MAX_READDS {
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
                kind = memory.kind.as_str(),
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

#[cfg(test)]
mod tests;
