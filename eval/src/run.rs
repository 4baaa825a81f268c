//! Running the evaluation: the real post-call and search-data handlers,
//! in process, over one memory store (embedded SQLite, or the OpenMemory
//! client against the fake OpenMemory server).
//!
//! Calls go in through `post_call::handle`, signed as ElevenLabs signs
//! them. Questions are asked twice: once through `search_data::handle`
//! (which must answer 200 for a known caller), and once through
//! `shared::memory::search::search` with the handler's own options, whose
//! hits carry the conversation and turn a memory came from. The public
//! search answer carries no ids, by design, so the measurement reads the
//! library call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lambda_http::{Body, Request};
use serde_json::{json, Value};
use shared::caller::Caller;
use shared::config::{Env, PostCallConfig, SearchDataConfig};
use shared::memory::embedded::EmbeddedStore;
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::search::{self, SearchOptions};
use shared::memory::{
    DynMemoryStore, Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory,
};
use shared::storage::local::LocalStore;
use shared::storage::DynPayloadStore;
use testkit::fake_openmemory::FakeOpenMemory;

use crate::dataset::Dataset;
use crate::metrics;
use crate::outcome::{score, Outcome};

const POST_CALL_KEY: &str = "eval-post-call-secret";
const SEARCH_DATA_KEY: &str = "eval-search-data-secret";

/// How many memories a question asks for (the tool allows up to 20).
pub const LIMIT: usize = 10;

/// Which memory store the functions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    /// The OpenMemory HTTP client against [`FakeOpenMemory`].
    OpenMemory,
}

/// How the library search is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// As the handler runs it: the local ranking fused with the store's.
    Fused,
    /// The local ranking alone (the store's query answers nothing).
    LocalOnly,
}

/// The two functions over one store.
pub struct Stack {
    pub backend: Backend,
    pub store: DynMemoryStore,
    post_call: post_call::App,
    search_data: search_data::App,
    _fake: Option<FakeOpenMemory>,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(backend: Backend) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let mut env = Env::from_pairs([
            ("ELEVENLABS_POST_CALL_KEY", POST_CALL_KEY),
            ("ELEVENLABS_SEARCH_DATA_KEY", SEARCH_DATA_KEY),
            // One add at a time: memories of a call are then stored in
            // plan order, so ties between them break the same way on every
            // run and the numbers are reproducible.
            ("INGEST_CONCURRENCY", "1"),
        ]);
        env.set(
            "PAYLOAD_STORAGE_PATH",
            &dir.path().join("payloads").to_string_lossy(),
        );
        let (store, fake): (DynMemoryStore, Option<FakeOpenMemory>) = match backend {
            Backend::Embedded => {
                let path = dir.path().join("memory.sqlite3");
                env.set("OPENMEMORY_DB_PATH", &path.to_string_lossy());
                let store = EmbeddedStore::open(&path).map_err(|e| e.to_string())?;
                (Arc::new(store), None)
            }
            Backend::OpenMemory => {
                let fake = FakeOpenMemory::start(None).await;
                env.set("OPENMEMORY_URL", &fake.url());
                let store = OpenMemoryStore::new(&fake.url(), None, Duration::from_secs(10))
                    .map_err(|e| e.to_string())?;
                (Arc::new(store), Some(fake))
            }
        };
        let payloads: DynPayloadStore = Arc::new(LocalStore::new(dir.path().join("payloads")));
        let post_call = post_call::App::new(
            PostCallConfig::from_env(&env).map_err(|e| e.to_string())?,
            store.clone(),
            payloads,
        );
        let search_data = search_data::App::new(
            SearchDataConfig::from_env(&env).map_err(|e| e.to_string())?,
            store.clone(),
        );
        Ok(Self {
            backend,
            store,
            post_call,
            search_data,
            _fake: fake,
            _dir: dir,
        })
    }

    /// Delivers one webhook body, signed now, through the post-call
    /// handler; fails unless it was stored and its memories ingested.
    pub async fn deliver(&self, body: &str) -> Result<(), String> {
        let signature = shared::signature::header_value(
            POST_CALL_KEY.as_bytes(),
            shared::dates::now_unix_secs(),
            body.as_bytes(),
        );
        let req = request(
            "/webhook/post-call",
            body.to_owned(),
            &[("elevenlabs-signature", signature)],
        )?;
        let resp = post_call::handle(&self.post_call, req).await;
        let status = resp.status().as_u16();
        let answer = body_json(resp.body());
        if status != 200 || answer["memories"] != "ingested" {
            return Err(format!("post-call answered {status}: {answer}"));
        }
        Ok(())
    }

    /// Asks the search tool through the handler: status, answer, time.
    pub async fn ask_handler(&self, caller: &str, query: &str) -> (u16, Value, Duration) {
        let body = json!({ "query": query, "caller_id": caller, "limit": LIMIT }).to_string();
        let Ok(req) = request(
            "/webhook/search-data",
            body,
            &[("authorization", format!("Bearer {SEARCH_DATA_KEY}"))],
        ) else {
            return (0, Value::Null, Duration::ZERO);
        };
        let started = Instant::now();
        let resp = search_data::handle(&self.search_data, req).await;
        let took = started.elapsed();
        (resp.status().as_u16(), body_json(resp.body()), took)
    }

    /// The memory user the handler resolves `caller` to.
    pub fn user(&self, caller: &str) -> Option<MemoryUser> {
        let common = &self.search_data.config.common;
        let caller = Caller::from_raw(Some(caller), common.identity.region);
        MemoryUser::scoped(caller.known()?, common.identity.scope, None)
    }

    /// The options the handler searches with for a `LIMIT` request.
    pub fn options(&self) -> SearchOptions {
        SearchOptions {
            limit: LIMIT,
            max_chars: self.search_data.config.max_chars,
            store_query: self.search_data.config.store_query,
            ..SearchOptions::default()
        }
    }

    /// The library search, as the handler runs it or local-only.
    pub async fn search(
        &self,
        user: &MemoryUser,
        query: &str,
        ranking: Ranking,
        now: i64,
    ) -> Result<(Vec<Memory>, Duration), MemoryError> {
        let started = Instant::now();
        let hits = match ranking {
            Ranking::Fused => {
                search::search(self.store.as_ref(), user, query, self.options(), now).await?
            }
            Ranking::LocalOnly => {
                let local = LocalOnly(self.store.as_ref());
                search::search(&local, user, query, self.options(), now).await?
            }
        };
        let took = started.elapsed();
        Ok((hits.hits.into_iter().map(|h| h.memory).collect(), took))
    }
}

/// A store whose own query finds nothing, so a search is the local
/// ranking alone.
struct LocalOnly<'a>(&'a dyn MemoryStore);

#[async_trait]
impl MemoryStore for LocalOnly<'_> {
    async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
        self.0.add(user, memory).await
    }

    async fn recent(&self, user: &MemoryUser, limit: usize) -> Result<Vec<Memory>, MemoryError> {
        self.0.recent(user, limit).await
    }

    async fn query(&self, _: &MemoryUser, _: &str, _: usize) -> Result<Vec<Match>, MemoryError> {
        Ok(Vec::new())
    }

    async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
        self.0.delete_all(user).await
    }
}

fn request(path: &str, body: String, headers: &[(&str, String)]) -> Result<Request, String> {
    let mut builder = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder
        .body(Body::from(body))
        .map_err(|e| format!("request: {e}"))
}

fn body_json(body: &Body) -> Value {
    let bytes: &[u8] = match body {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// Delivers every call of `dataset`, in order.
pub async fn ingest(stack: &Stack, dataset: &Dataset) -> Result<Duration, String> {
    let started = Instant::now();
    for (i, body) in dataset.calls.iter().enumerate() {
        stack
            .deliver(body)
            .await
            .map_err(|e| format!("call {}: {e}", i + 1))?;
    }
    Ok(started.elapsed())
}

/// What asking every question through the handler found.
#[derive(Debug, Clone, Default)]
pub struct HandlerCheck {
    pub asked: usize,
    /// Answered 200 for a known caller.
    pub ok: usize,
    pub latencies: Vec<Duration>,
    pub failures: Vec<String>,
}

impl HandlerCheck {
    /// Median and 99th percentile of the handler's time.
    pub fn quantiles(&self) -> (Duration, Duration) {
        (
            metrics::quantile(&self.latencies, 0.50),
            metrics::quantile(&self.latencies, 0.99),
        )
    }
}

/// Asks every question of `dataset` through the library search, at the
/// set's fixed "now"; and, when `handler` is set, once through the
/// search-data handler too.
pub async fn ask(
    stack: &Stack,
    dataset: &Dataset,
    ranking: Ranking,
    handler: bool,
) -> Result<(Vec<Outcome>, HandlerCheck), String> {
    let mut outcomes = Vec::with_capacity(dataset.questions.len());
    let mut check = HandlerCheck::default();
    for (i, q) in dataset.questions.iter().enumerate() {
        let user = stack
            .user(&q.caller)
            .ok_or_else(|| format!("{}: {} is not a known caller", q.id, q.caller))?;
        let (memories, took) = stack
            .search(&user, &q.question, ranking, dataset.meta.now)
            .await
            .map_err(|e| format!("{}: {e}", q.id))?;
        outcomes.push(score(dataset, i, &memories, took));
        if handler {
            let (status, answer, took) = stack.ask_handler(&q.caller, &q.question).await;
            check.asked += 1;
            check.latencies.push(took);
            if status == 200 && answer["known_caller"] == true {
                check.ok += 1;
            } else {
                check.failures.push(format!("{}: {status} {answer}", q.id));
            }
        }
    }
    Ok((outcomes, check))
}
