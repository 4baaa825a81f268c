//! A fake of the OpenMemory v1.3.0 HTTP server, quirks included, on a
//! loopback port with in-memory state.
//!
//! It answers the documented endpoints with the documented status codes and
//! body shapes (`err` on some endpoints, `error` on others), and reproduces
//! the behaviours a client must survive:
//!
//! - **Dedupe across users on a weak simhash.** An add whose simhash equals
//!   any stored memory's (of any user) answers that memory's id with
//!   `deduplicated: true` and stores nothing. The simhash is 64 bits built
//!   from JavaScript's 31-multiplier string hash of each token (as the real
//!   one: small, biased values for short tokens) with the bit index wrapping
//!   at 32, so it holds at most 32 bits of information; [`simhash`] is public
//!   so tests can search for colliding texts. (The real tokenizer also stems
//!   and maps synonyms; the fake does not.)
//! - **Truncation on add**: content over 200 characters keeps whole
//!   sentences up to 200; with no sentence punctuation it is stored as `""`
//!   ([`stored_content`]).
//! - **Crowding**: a query ranks every user's memories, keeps the top `k×3`,
//!   then filters by user; scores are normalised within the answer.
//! - Delete-all removes at most 10,000 memories per call.
//!
//! Knobs on the handle switch on the failure modes: a single-tenant server
//! ([`FakeOpenMemory::set_tenant_mode`]), a query that fails inside the
//! server and answers `200` with no matches, injected latency, and garbage
//! bodies. Not reproduced: embeddings and sectors (everything is
//! `semantic`), the 60 s query cache, the user summary's content, and the
//! real sentence scoring in truncation (sentences are kept in order).

use std::collections::{BTreeSet, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The server's summary threshold (`OM_SUMMARY_MAX_LENGTH`, default 200).
pub const SUMMARY_MAX_LENGTH: usize = 200;

/// Most memories one `DELETE /users/{id}/memories` removes.
pub const DELETE_BATCH: usize = 10_000;

/// The JSON body parser's limit (`max_payload_size`).
const MAX_PAYLOAD: usize = 1_000_000;

const SECTOR: &str = "semantic";
const DECAY_LAMBDA: f64 = 0.005;
const INITIAL_SALIENCE: f64 = 0.4;

/// How the fake answers, beyond its knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The v1.3.0 API.
    #[default]
    Normal,
    /// Every request answers `200` with an HTML body (a misrouted proxy).
    Garbage,
}

/// A stored memory, as the fake keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeMemory {
    pub id: String,
    pub user_id: String,
    /// What the server stored (possibly truncated).
    pub content: String,
    pub simhash: u64,
    pub tags: Value,
    pub metadata: Value,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub last_seen_at: i64,
    pub salience: f64,
    pub version: u64,
    /// Insertion order, to break `created_at` ties.
    seq: u64,
}

#[derive(Default)]
struct State {
    /// In insertion order.
    memories: Vec<FakeMemory>,
    /// Users that ever added a memory (the summary endpoint knows them).
    users: BTreeSet<String>,
    next_seq: u64,
}

impl State {
    fn insert(
        &mut self,
        user_id: &str,
        content: String,
        simhash: u64,
        tags: Value,
        metadata: Value,
    ) -> String {
        self.next_seq += 1;
        let seq = self.next_seq;
        // UUID-shaped like the real ids, deterministic for tests.
        let id = format!("00000000-0000-4000-8000-{seq:012x}");
        let now = now_ms();
        self.users.insert(user_id.to_owned());
        self.memories.push(FakeMemory {
            id: id.clone(),
            user_id: user_id.to_owned(),
            content,
            simhash,
            tags,
            metadata,
            created_at: now,
            updated_at: now,
            last_seen_at: now,
            salience: INITIAL_SALIENCE,
            version: 1,
            seq,
        });
        id
    }

    fn get(&self, id: &str) -> Option<&FakeMemory> {
        self.memories.iter().find(|m| m.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut FakeMemory> {
        self.memories.iter_mut().find(|m| m.id == id)
    }

    /// Memories passing `keep`, newest first (created_at, then insertion).
    fn newest_first(&self, keep: impl Fn(&FakeMemory) -> bool) -> Vec<&FakeMemory> {
        let mut v: Vec<&FakeMemory> = self.memories.iter().filter(|m| keep(m)).collect();
        v.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.seq)));
        v
    }
}

struct Knobs {
    tenant_mode: bool,
    query_fails: bool,
    latency: Duration,
    query_delay: Duration,
    mode: Mode,
}

struct Shared {
    api_key: Option<String>,
    state: Mutex<State>,
    knobs: Mutex<Knobs>,
    requests: AtomicU64,
    log: Mutex<Vec<String>>,
}

/// Locks, shrugging off poisoning: a panicking test must not hide its cause
/// behind a second panic here.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running fake; dropping it stops the server and closes its connections.
pub struct FakeOpenMemory {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FakeOpenMemory {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every
        // connection task, pooled keep-alive ones included.
        self.task.abort();
    }
}

impl FakeOpenMemory {
    /// Starts a fake on `127.0.0.1:0`. With `Some(key)` every non-public
    /// endpoint requires that key; with `None` the server is open, as the
    /// real one is without `OM_API_KEY`.
    pub async fn start(api_key: Option<&str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            api_key: api_key.filter(|k| !k.is_empty()).map(str::to_owned),
            state: Mutex::new(State::default()),
            knobs: Mutex::new(Knobs {
                tenant_mode: false,
                query_fails: false,
                latency: Duration::ZERO,
                query_delay: Duration::ZERO,
                mode: Mode::Normal,
            }),
            requests: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        let server = shared.clone();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                while connections.try_join_next().is_some() {}
                let shared = server.clone();
                connections.spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<Incoming>| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(serve(&shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { addr, shared, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers every request that carries a `user_id` (path, query or body)
    /// with `403 {"error":"tenant_mismatch"}`, as builds after v1.3.0 do.
    pub fn set_tenant_mode(&self, on: bool) {
        lock(&self.shared.knobs).tenant_mode = on;
    }

    /// Makes queries fail inside the server, which still answers
    /// `200 {"query", "matches": []}`.
    pub fn set_query_fails(&self, on: bool) {
        lock(&self.shared.knobs).query_fails = on;
    }

    /// Delays every answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// Delays `POST /memory/query` only, as the real server's scan over
    /// every caller's vectors does (0.5–2.5 s at 6,000 memories).
    pub fn set_query_delay(&self, delay: Duration) {
        lock(&self.shared.knobs).query_delay = delay;
    }

    pub fn set_mode(&self, mode: Mode) {
        lock(&self.shared.knobs).mode = mode;
    }

    /// The user's stored memories, newest first.
    pub fn memories_of(&self, user_id: &str) -> Vec<FakeMemory> {
        lock(&self.shared.state)
            .newest_first(|m| m.user_id == user_id)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Every stored memory, of every user.
    pub fn count(&self) -> usize {
        lock(&self.shared.state).memories.len()
    }

    /// Requests received so far, of any kind.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Every request received so far as `METHOD /raw/path?raw=query`, exactly
    /// as sent on the wire (percent-encoding intact).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.log).clone()
    }

    /// Stores a memory directly, skipping dedupe and truncation.
    pub fn insert(&self, user_id: &str, content: &str, tags: Value, metadata: Value) -> String {
        lock(&self.shared.state).insert(
            user_id,
            content.to_owned(),
            simhash(content),
            tags,
            metadata,
        )
    }

    /// Stores `n` distinct memories for `user_id` directly (fast set-up for
    /// volume tests); returns their ids in insertion order.
    pub fn seed(&self, user_id: &str, n: usize) -> Vec<String> {
        let mut state = lock(&self.shared.state);
        (0..n)
            .map(|i| {
                let content = format!("Seeded memory number {i}.");
                let hash = simhash(&content);
                state.insert(user_id, content, hash, json!([]), json!({}))
            })
            .collect()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// JavaScript's string length (UTF-16 units), which the server compares.
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The first `max` UTF-16 units of `s` (never splitting a character).
fn js_prefix(s: &str, max: usize) -> &str {
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
fn tokens(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() > 1)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The server's token hash: `h = (h << 5) - h + charCode` over UTF-16
/// units in 32-bit arithmetic (JavaScript's classic string hash). Tokens of
/// up to 5 characters stay below 2^27, so the hash is far from uniform; a
/// fake with a well-mixed hash hid how often re-adds collide.
fn js_hash32(s: &str) -> u32 {
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
fn split_sentences(text: &str) -> Vec<&str> {
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
fn truthy(v: Option<&Value>) -> bool {
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
fn parse_int(v: Option<&str>, default: i64) -> i64 {
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
fn page<T>(items: Vec<T>, limit: i64, offset: i64) -> Vec<T> {
    let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    items.into_iter().skip(skip).take(take).collect()
}

struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Bytes,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        content_type: Some("application/json"),
        body: Bytes::from(body.to_string()),
    }
}

fn text(status: u16, body: &'static str) -> Reply {
    Reply {
        status,
        content_type: Some("text/plain"),
        body: Bytes::from_static(body.as_bytes()),
    }
}

fn not_found() -> Reply {
    // The router's own 404: plain text, no content type.
    Reply {
        status: 404,
        content_type: None,
        body: Bytes::from_static(b"404: Not Found"),
    }
}

async fn serve(shared: &Shared, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let r = handle(shared, req).await;
    let mut builder = hyper::Response::builder().status(r.status);
    if let Some(ct) = r.content_type {
        builder = builder.header("content-type", ct);
    }
    builder
        .body(Full::new(r.body))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

/// A parsed request, as the route handlers see it.
struct Req {
    method: hyper::Method,
    /// Path segments, percent-decoded one by one (so `%2F` stays inside).
    segments: Vec<String>,
    /// Query pairs, form-decoded (a raw `+` is a space, as in Node).
    query: Vec<(String, String)>,
    /// The JSON body, or `Null` when absent, not JSON, or not sent as JSON.
    body: Value,
}

impl Req {
    fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn body_str(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    /// Every `user_id` the request supplies, for the tenant check.
    fn user_ids(&self) -> Vec<&str> {
        let mut ids = Vec::new();
        if self.segments.first().map(String::as_str) == Some("users") {
            if let Some(u) = self.segments.get(1) {
                ids.push(u.as_str());
            }
        }
        ids.extend(self.query("user_id"));
        ids.extend(self.body_str("user_id"));
        ids.extend(
            self.body
                .get("filters")
                .and_then(|f| f.get("user_id"))
                .and_then(Value::as_str),
        );
        ids.retain(|u| !u.is_empty());
        ids
    }
}

async fn handle(shared: &Shared, req: hyper::Request<Incoming>) -> Reply {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    lock(&shared.log).push(format!("{} {}", parts.method, parts.uri));
    let bytes = match Limited::new(body, MAX_PAYLOAD).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return text(413, "Payload Too Large"),
    };
    let (latency, query_delay, mode, tenant_mode, query_fails) = {
        let k = lock(&shared.knobs);
        (
            k.latency,
            k.query_delay,
            k.mode,
            k.tenant_mode,
            k.query_fails,
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !query_delay.is_zero()
        && parts.method == hyper::Method::POST
        && parts.uri.path() == "/memory/query"
    {
        tokio::time::sleep(query_delay).await;
    }
    if mode == Mode::Garbage {
        return Reply {
            status: 200,
            content_type: Some("text/html"),
            body: Bytes::from_static(b"<html><body>502 Bad Gateway</body></html>"),
        };
    }

    let path = parts.uri.path();
    // The real auth middleware lets anything starting with /health through.
    if !path.starts_with("/health") {
        if let Some(expected) = &shared.api_key {
            let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
            let provided = header("x-api-key").filter(|k| !k.is_empty()).or_else(|| {
                header("authorization").and_then(|a| {
                    a.strip_prefix("Bearer ")
                        .or_else(|| a.strip_prefix("ApiKey "))
                })
            });
            match provided {
                None => {
                    return reply(
                        401,
                        json!({"error": "authentication_required", "message": "API key required"}),
                    )
                }
                Some(k) if k != expected => return reply(403, json!({"error": "invalid_api_key"})),
                Some(_) => {}
            }
        }
    }

    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        match percent_encoding::percent_decode_str(raw).decode_utf8() {
            Ok(s) => segments.push(s.into_owned()),
            Err(_) => return text(400, "Bad Request"),
        }
    }
    let is_json = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("application/json"));
    let req = Req {
        method: parts.method,
        segments,
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
        body: if is_json {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            Value::Null
        },
    };

    if tenant_mode && !req.user_ids().is_empty() {
        return reply(
            403,
            json!({
                "error": "tenant_mismatch",
                "message": "user_id does not match authenticated tenant; user_id is derived from the API key and must not be supplied or must equal the tenant",
            }),
        );
    }
    route(shared, &req, query_fails)
}

fn route(shared: &Shared, req: &Req, query_fails: bool) -> Reply {
    use hyper::Method;
    let seg: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let mut state = lock(&shared.state);
    match (&req.method, seg.as_slice()) {
        (&Method::GET, ["health"]) => reply(
            200,
            json!({
                "ok": true,
                "version": "2.0-hsg-tiered",
                "embedding": {"provider": "synthetic", "dimensions": 1536},
                "tier": "hybrid",
                "dim": 1536,
                "cache": 3,
                "expected": {"recall": 98},
            }),
        ),
        (&Method::POST, ["memory", "add"]) => add(&mut state, req),
        (&Method::POST, ["memory", "query"]) => query(&mut state, req, query_fails),
        (&Method::POST, ["memory", "reinforce"]) => {
            if !truthy(req.body.get("id")) {
                return reply(400, json!({"err": "id"}));
            }
            let boost = req.body.get("boost").and_then(Value::as_f64).unwrap_or(0.1);
            match req.body_str("id").and_then(|id| state.get_mut(id)) {
                Some(m) => {
                    m.salience = (m.salience + boost).min(1.0);
                    m.last_seen_at = now_ms();
                    reply(200, json!({"ok": true}))
                }
                None => reply(404, json!({"err": "nf"})),
            }
        }
        (&Method::GET, ["memory", "all"]) => {
            let limit = parse_int(req.query("l"), 100);
            let offset = parse_int(req.query("u"), 0);
            let user = req.query("user_id").filter(|u| !u.is_empty());
            let sector = req.query("sector").filter(|s| !s.is_empty());
            let items = state.newest_first(|m| {
                user.is_none_or(|u| m.user_id == u) && sector.is_none_or(|s| s == SECTOR)
            });
            let items: Vec<Value> = page(items, limit, offset)
                .into_iter()
                .map(|m| {
                    let mut v = item(m);
                    v["user_id"] = json!(m.user_id);
                    v
                })
                .collect();
            reply(200, json!({"items": items}))
        }
        (method @ (&Method::GET | &Method::PATCH | &Method::DELETE), ["memory", id]) => {
            // GET reads the owner check from the query, PATCH from the body,
            // DELETE from either.
            let user = match *method {
                Method::GET => req.query("user_id"),
                Method::PATCH => req.body_str("user_id"),
                _ => req.query("user_id").or_else(|| req.body_str("user_id")),
            }
            .filter(|u| !u.is_empty());
            let Some(m) = state.get(id) else {
                return reply(404, json!({"err": "nf"}));
            };
            if user.is_some_and(|u| u != m.user_id) {
                return reply(403, json!({"err": "forbidden"}));
            }
            let id = id.to_string();
            match *method {
                Method::GET => {
                    let mut v = item(m);
                    v["sectors"] = json!([SECTOR]);
                    v["user_id"] = json!(m.user_id);
                    reply(200, v)
                }
                Method::DELETE => {
                    state.memories.retain(|m| m.id != id);
                    reply(200, json!({"ok": true}))
                }
                _ => {
                    let now = now_ms();
                    if let Some(m) = state.get_mut(&id) {
                        // Stored as given: no truncation, simhash unchanged.
                        if let Some(c) = req.body_str("content") {
                            m.content = c.to_owned();
                        }
                        if let Some(t) = req.body.get("tags") {
                            m.tags = t.clone();
                        }
                        if let Some(md) = req.body.get("metadata") {
                            m.metadata = md.clone();
                        }
                        m.updated_at = now;
                        m.version += 1;
                    }
                    reply(200, json!({"id": id, "updated": true}))
                }
            }
        }
        (&Method::GET, ["users", user, "summary"]) => {
            if state.users.contains(*user) {
                reply(
                    200,
                    json!({
                        "user_id": user,
                        "summary": "User profile initializing...",
                        "reflection_count": 0,
                        "updated_at": now_ms(),
                    }),
                )
            } else {
                reply(404, json!({"error": "user not found"}))
            }
        }
        (&Method::GET, ["users", user, "memories"]) => {
            let limit = parse_int(req.query("l"), 100);
            let offset = parse_int(req.query("u"), 0);
            let items: Vec<Value> = page(state.newest_first(|m| m.user_id == *user), limit, offset)
                .into_iter()
                .map(item)
                .collect();
            reply(200, json!({"user_id": user, "items": items}))
        }
        (&Method::DELETE, ["users", user, "memories"]) => {
            // The newest 10,000, as the real one selects them.
            let doomed: HashSet<String> = state
                .newest_first(|m| m.user_id == *user)
                .into_iter()
                .take(DELETE_BATCH)
                .map(|m| m.id.clone())
                .collect();
            state.memories.retain(|m| !doomed.contains(&m.id));
            reply(200, json!({"ok": true, "deleted": doomed.len()}))
        }
        _ => not_found(),
    }
}

/// A memory as the listing endpoints show it (without `user_id`).
fn item(m: &FakeMemory) -> Value {
    json!({
        "id": m.id,
        "content": m.content,
        "tags": m.tags,
        "metadata": m.metadata,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "last_seen_at": m.last_seen_at,
        "salience": m.salience,
        "decay_lambda": DECAY_LAMBDA,
        "primary_sector": SECTOR,
        "version": m.version,
    })
}

fn add(state: &mut State, req: &Req) -> Reply {
    let content = match req.body.get("content") {
        c if !truthy(c) => return reply(400, json!({"err": "content"})),
        Some(Value::String(s)) => s.clone(),
        // The real server fails deep inside on a non-string.
        _ => return reply(500, json!({"err": "text.split is not a function"})),
    };
    let hash = simhash(&content);
    // Any user's memory with the same simhash, the most salient first.
    let existing = state
        .memories
        .iter_mut()
        .filter(|m| m.simhash == hash)
        .reduce(|best, m| if m.salience > best.salience { m } else { best });
    if let Some(m) = existing {
        m.salience = (m.salience + 0.15).min(1.0);
        m.last_seen_at = now_ms();
        return reply(
            200,
            json!({"id": m.id, "primary_sector": SECTOR, "sectors": [SECTOR], "deduplicated": true}),
        );
    }
    let user = req
        .body_str("user_id")
        .filter(|u| !u.is_empty())
        .unwrap_or("anonymous");
    let tags = match req.body.get("tags") {
        t if truthy(t) => t.cloned().unwrap_or(Value::Null),
        _ => json!([]),
    };
    let metadata = match req.body.get("metadata") {
        m if truthy(m) => m.cloned().unwrap_or(Value::Null),
        _ => json!({}),
    };
    let id = state.insert(user, stored_content(&content), hash, tags, metadata);
    reply(
        200,
        json!({"id": id, "primary_sector": SECTOR, "sectors": [SECTOR], "chunks": 1}),
    )
}

fn query(state: &mut State, req: &Req, fails: bool) -> Reply {
    let q = req.body.get("query").cloned();
    // Internal errors (and a missing query) answer 200 with no matches.
    let Some(Value::String(text)) = q.clone().filter(|_| !fails) else {
        let mut v = json!({"matches": []});
        if let Some(q) = q {
            v["query"] = q;
        }
        return reply(200, v);
    };
    let k = req
        .body
        .get("k")
        .and_then(Value::as_f64)
        .filter(|k| *k >= 1.0)
        .map_or(8, |k| k as usize);
    let user = req
        .body
        .get("filters")
        .and_then(|f| f.get("user_id"))
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .or_else(|| req.body_str("user_id").filter(|u| !u.is_empty()));
    let q_tokens = tokens(&text);
    let score = |m: &FakeMemory| {
        if q_tokens.is_empty() {
            return 0.0;
        }
        let m_tokens = tokens(&m.content);
        q_tokens.intersection(&m_tokens).count() as f64 / q_tokens.len() as f64
    };
    // Crowding: the top k×3 across every user, then the user filter.
    let mut ranked: Vec<(f64, u64, usize)> = state
        .memories
        .iter()
        .enumerate()
        .map(|(i, m)| (score(m), m.seq, i))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let top: Vec<(f64, usize)> = ranked
        .into_iter()
        .take(k.saturating_mul(3))
        .filter(|(_, _, i)| user.is_none_or(|u| state.memories[*i].user_id == u))
        .take(k)
        .map(|(s, _, i)| (s, i))
        .collect();
    let max = top.iter().map(|(s, _)| *s).fold(0.0f64, f64::max);
    let now = now_ms();
    let matches: Vec<Value> = top
        .into_iter()
        .map(|(s, i)| {
            let m = &mut state.memories[i];
            // Every query reinforces what it returns.
            m.salience = (m.salience + 0.1).min(1.0);
            m.last_seen_at = now;
            json!({
                "id": m.id,
                "content": m.content,
                "score": if max > 0.0 { s / max } else { 0.0 },
                "sectors": [SECTOR],
                "primary_sector": SECTOR,
                "path": [m.id],
                "salience": m.salience,
                "last_seen_at": m.last_seen_at,
            })
        })
        .collect();
    reply(200, json!({"query": text, "matches": matches}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> reqwest::Client {
        reqwest::Client::new()
    }

    #[test]
    fn simhash_upper_half_repeats_the_lower_half() {
        for text in ["hello world", "the quick brown fox", "a", ""] {
            let h = simhash(text);
            assert_eq!(h >> 32, h & 0xffff_ffff, "{text}");
        }
        assert_eq!(simhash("!!! ?"), 0);
        assert_eq!(simhash("Hello, WORLD"), simhash("world hello hello"));
        assert_ne!(simhash("hello world"), simhash("goodbye moon"));
    }

    #[test]
    fn simhash_matches_the_real_server() {
        // The server's hex form: nibble k holds bits 4k..4k+3, bit 4k highest.
        let hex = |h: u64| -> String {
            (0..16)
                .map(|k| {
                    let n = (0..4).fold(0u32, |n, j| (n << 1) | ((h >> (4 * k + j)) & 1) as u32);
                    char::from_digit(n, 16).unwrap_or('?')
                })
                .collect()
        };
        // Observed on OpenMemory v1.3.0 (texts the real tokenizer neither
        // stems nor maps to synonyms).
        assert_eq!(hex(simhash("hello world")), "4918832049188320");
        assert_eq!(hex(simhash("goodbye moon")), "8094480080944800");
        assert_eq!(hex(simhash("the quick brown fox")), "a6018000a6018000");
    }

    #[test]
    fn long_text_keeps_whole_sentences_or_nothing() {
        assert_eq!(stored_content("short"), "short");
        let unpunctuated = "word ".repeat(120);
        assert_eq!(stored_content(&unpunctuated), "");
        let first = "This is the first sentence of a long note.";
        let text = format!(
            "{first} {}",
            "Then another sentence follows here. ".repeat(10)
        );
        let stored = stored_content(&text);
        assert!(stored.starts_with(first), "{stored}");
        assert!(js_len(&stored) <= SUMMARY_MAX_LENGTH, "{}", stored.len());
        assert!(stored.ends_with('.'));
        // Only fragments of 10 characters or fewer: a plain prefix.
        let tiny = "Ok. ".repeat(100);
        assert_eq!(js_len(&stored_content(&tiny)), SUMMARY_MAX_LENGTH);
    }

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int(None, 100), 100);
        assert_eq!(parse_int(Some(""), 100), 100);
        assert_eq!(parse_int(Some("12abc"), 100), 12);
        assert_eq!(parse_int(Some("-1"), 100), -1);
        assert_eq!(parse_int(Some("x"), 100), 100);
        assert_eq!(page(vec![1, 2, 3], -1, -5), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn auth_accepts_either_header_and_health_is_public() {
        let fake = FakeOpenMemory::start(Some("k1")).await;
        let url = format!("{}/users/u/memories", fake.url());
        let r = client().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "authentication_required");
        let r = client()
            .get(&url)
            .header("x-api-key", "nope")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_api_key");
        let r = client().get(&url).bearer_auth("k1").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = client()
            .get(&url)
            .header("x-api-key", "k1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = client()
            .get(format!("{}/health", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["ok"], true);
        assert_eq!(fake.request_count(), 5);
    }

    #[tokio::test]
    async fn add_validates_content_and_dedupes_across_users() {
        let fake = FakeOpenMemory::start(None).await;
        let add = |body: Value| {
            let url = format!("{}/memory/add", fake.url());
            async move { client().post(url).json(&body).send().await.unwrap() }
        };
        let r = add(json!({"content": "", "user_id": "a"})).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"err": "content"}));
        assert_eq!(
            add(json!({"content": 5, "user_id": "a"})).await.status(),
            500
        );
        let first: Value = add(json!({"content": "I like tea.", "user_id": "a"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(first["chunks"], 1);
        assert!(first.get("deduplicated").is_none());
        let second: Value = add(json!({"content": "tea, I like!", "user_id": "b", "tags": ["x"]}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(second["deduplicated"], true);
        assert_eq!(second["id"], first["id"]);
        assert_eq!(fake.count(), 1);
        assert!(fake.memories_of("b").is_empty());
        // Get-by-id checks the owner.
        let id = first["id"].as_str().unwrap();
        let get = |user: &str| {
            let url = format!("{}/memory/{id}?user_id={user}", fake.url());
            async move { client().get(url).send().await.unwrap() }
        };
        assert_eq!(
            get("a").await.json::<Value>().await.unwrap()["user_id"],
            "a"
        );
        let r = get("b").await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"err": "forbidden"})
        );
        let r = client()
            .get(format!("{}/memory/nope", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"err": "nf"}));
    }

    #[tokio::test]
    async fn queries_are_crowded_out_by_other_users() {
        let fake = FakeOpenMemory::start(None).await;
        fake.insert("mine", "my dog is called rex", json!([]), json!({}));
        for i in 0..10 {
            fake.insert("other", &format!("dog rex dog {i}"), json!([]), json!({}));
        }
        let query = |k: usize| {
            let url = format!("{}/memory/query", fake.url());
            async move {
                client()
                    .post(url)
                    .json(&json!({"query": "dog rex", "k": k, "filters": {"user_id": "mine"}}))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(query(1).await["matches"], json!([]));
        let found = query(4).await;
        assert_eq!(found["matches"].as_array().unwrap().len(), 1);
        assert_eq!(found["matches"][0]["score"], 1.0);
        assert!(found["matches"][0].get("user_id").is_none());
        fake.set_query_fails(true);
        assert_eq!(query(4).await, json!({"query": "dog rex", "matches": []}));
    }

    #[tokio::test]
    async fn tenant_mode_refuses_user_scoped_requests_only() {
        let fake = FakeOpenMemory::start(None).await;
        fake.set_tenant_mode(true);
        let r = client()
            .get(format!("{}/users/%2B1555/memories", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "tenant_mismatch");
        let r = client()
            .get(format!("{}/memory/all", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }

    #[tokio::test]
    async fn delete_all_is_capped_and_listing_is_newest_first() {
        let fake = FakeOpenMemory::start(None).await;
        let ids = fake.seed("u", DELETE_BATCH + 5);
        let listed: Value = client()
            .get(format!("{}/users/u/memories?l=3", fake.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let listed: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        let newest: Vec<&str> = ids.iter().rev().take(3).map(String::as_str).collect();
        assert_eq!(listed, newest);
        let delete = || {
            let url = format!("{}/users/u/memories", fake.url());
            async move {
                client()
                    .delete(url)
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(delete().await["deleted"], DELETE_BATCH);
        // The newest went first: the oldest five remain.
        let left: Vec<String> = fake.memories_of("u").into_iter().map(|m| m.id).collect();
        let oldest: Vec<String> = ids.iter().take(5).rev().cloned().collect();
        assert_eq!(left, oldest);
        assert_eq!(delete().await, json!({"ok": true, "deleted": 5}));
        assert_eq!(delete().await["deleted"], 0);
    }

    #[tokio::test]
    async fn garbage_mode_answers_non_json_and_drop_stops_the_server() {
        let fake = FakeOpenMemory::start(None).await;
        fake.set_mode(Mode::Garbage);
        let client = client();
        let r = client
            .get(format!("{}/health", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
        let url = fake.url();
        drop(fake);
        // Let the aborted tasks wind down, then nothing answers.
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The same client: its pooled connection must be gone too.
        assert!(client.get(format!("{url}/health")).send().await.is_err());
    }
}
