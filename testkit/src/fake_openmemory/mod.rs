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

mod api;
mod http;
mod text;

pub use self::text::{simhash, stored_content};
use self::{api::*, http::*, text::*};
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

#[cfg(test)]
mod tests;
