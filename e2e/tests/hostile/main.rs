//! Hostile input (issue 5, item 6): whatever arrives, no handler panics, the
//! status is one the function documents (never a 5xx for bad input), and a
//! rejected post-call webhook stores nothing.
//!
//! The three handlers run in process: requests are built with
//! `http::Request::builder()` over a `lambda_http::Body::Binary`, and
//! answered on a current-thread tokio runtime, with the embedded memory
//! store and a local payload directory in a temporary folder. Properties
//! (proptest, a few hundred cases each) feed arbitrary bytes, JSON values,
//! headers, signatures, search bodies, envelopes and phone strings; explicit
//! tests cover body limits, invalid UTF-8, wrong content types, deep
//! nesting and invalid base64 audio.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use e2e::{CLIENT_DATA_KEY, POST_CALL_KEY, SEARCH_DATA_KEY};
use lambda_http::http::{self, HeaderValue};
use lambda_http::{Body, Request, Response};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use shared::caller::{Caller, Region};
use shared::config::{ClientDataConfig, PostCallConfig, SearchDataConfig};
use shared::memory::embedded::EmbeddedStore;
use shared::memory::{DynMemoryStore, MemoryUser};
use shared::models::SearchResponse;
use shared::storage::local::LocalStore;
use shared::storage::{keys, ConversationId, DynPayloadStore};

mod client_data_input;
mod explicit;
mod post_call_input;
mod routing;
mod search_data_input;

/// client-data's and search-data's body limit.
const WEBHOOK_LIMIT: usize = 64 * 1024;
/// post-call's default `MAX_BODY_BYTES`.
const POST_CALL_LIMIT: usize = 6 * 1024 * 1024;

const CALLER: &str = "+15550002000";
const AGENT_NUMBER: &str = "+15550001000";

/// Every status a function may answer bad input with (and `200`).
const DOCUMENTED: &[u16] = &[200, 400, 401, 404, 405, 413];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    ClientData,
    SearchData,
    PostCall,
}

const ALL: [Function; 3] = [
    Function::ClientData,
    Function::SearchData,
    Function::PostCall,
];

impl Function {
    fn path(self) -> &'static str {
        match self {
            Self::ClientData => "/webhook/client-data",
            Self::SearchData => "/webhook/search-data",
            Self::PostCall => "/webhook/post-call",
        }
    }

    /// A request this function answers `200`.
    fn valid_body(self) -> Vec<u8> {
        match self {
            Self::ClientData => json!({ "caller_id": CALLER, "agent_id": "agent_h" }),
            Self::SearchData => json!({ "query": "dog", "caller_id": CALLER }),
            Self::PostCall => return call("conv_valid"),
        }
        .to_string()
        .into_bytes()
    }
}

/// A response, read back.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

/// The three apps over one embedded memory store and one local payload
/// directory, and a runtime to answer on.
struct Harness {
    rt: tokio::runtime::Runtime,
    client_data: client_data::App,
    search_data: search_data::App,
    post_call: post_call::App,
    memory: DynMemoryStore,
    payloads: DynPayloadStore,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        Self::with(&[])
    }

    fn with(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let env = e2e::env(dir.path(), extra);
        let memory: DynMemoryStore =
            Arc::new(EmbeddedStore::open(dir.path().join("memory.sqlite3")).unwrap());
        let payloads: DynPayloadStore = Arc::new(LocalStore::new(dir.path().join("payloads")));
        Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client_data: client_data::App {
                config: ClientDataConfig::from_env(&env).unwrap(),
                store: memory.clone(),
            },
            search_data: search_data::App::new(
                SearchDataConfig::from_env(&env).unwrap(),
                memory.clone(),
            ),
            post_call: post_call::App::new(
                PostCallConfig::from_env(&env).unwrap(),
                memory.clone(),
                payloads.clone(),
            ),
            memory,
            payloads,
            _dir: dir,
        }
    }

    /// Hands `req` to `f`'s handler and reads the answer, which must be JSON.
    fn send(&self, f: Function, req: Request) -> Answer {
        let resp = self.rt.block_on(async {
            match f {
                Function::ClientData => client_data::handle(&self.client_data, req).await,
                Function::SearchData => search_data::handle(&self.search_data, req).await,
                Function::PostCall => post_call::handle(&self.post_call, req).await,
            }
        });
        read(resp)
    }

    /// A POST to `f`'s webhook with the right secret (post-call: signed
    /// now) and `Content-Type: application/json`.
    fn post(&self, f: Function, body: Vec<u8>) -> Answer {
        self.send(f, authorised(f, body, Some(json_type())))
    }

    /// Every key in the payload store.
    fn stored(&self) -> Vec<String> {
        self.rt.block_on(self.payloads.list("")).unwrap()
    }

    fn memories_of(&self, number: &str) -> usize {
        let id = shared::caller::CallerId::normalise(number, Region::default()).unwrap();
        self.rt
            .block_on(self.memory.recent(&MemoryUser::caller(&id), 100))
            .unwrap()
            .len()
    }
}

fn read(resp: Response<Body>) -> Answer {
    let status = resp.status().as_u16();
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "status {status}"
    );
    let bytes: &[u8] = match resp.body() {
        Body::Binary(b) => b,
        Body::Text(t) => t.as_bytes(),
        _ => b"",
    };
    let body = serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("status {status}: the answer is not JSON ({e})"));
    Answer { status, body }
}

fn json_type() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

fn request(
    method: &str,
    path: &str,
    headers: Vec<(&'static str, HeaderValue)>,
    body: Vec<u8>,
) -> Request {
    let mut builder = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(Body::Binary(body)).unwrap()
}

/// A POST carrying what `f` needs to get past authentication: the bearer
/// secret, or (post-call) a signature over exactly these bytes.
fn authorised(f: Function, body: Vec<u8>, content_type: Option<HeaderValue>) -> Request {
    let mut headers = Vec::new();
    match f {
        Function::ClientData => headers.push(("authorization", bearer(CLIENT_DATA_KEY))),
        Function::SearchData => headers.push(("authorization", bearer(SEARCH_DATA_KEY))),
        Function::PostCall => headers.push(("elevenlabs-signature", signature(&body))),
    }
    if let Some(ct) = content_type {
        headers.push(("content-type", ct));
    }
    request("POST", f.path(), headers, body)
}

fn bearer(secret: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {secret}")).unwrap()
}

fn signature(body: &[u8]) -> HeaderValue {
    let value = shared::signature::header_value(
        POST_CALL_KEY.as_bytes(),
        shared::dates::now_unix_secs(),
        body,
    );
    HeaderValue::from_str(&value).unwrap()
}

/// A transcription of an inbound call from [`CALLER`].
fn call(conversation_id: &str) -> Vec<u8> {
    e2e::transcription(
        conversation_id,
        "inbound",
        CALLER,
        AGENT_NUMBER,
        shared::dates::now_unix_secs() - 600,
        Some("Maria"),
        &["My dog Biscuit hates the vacuum cleaner."],
        "Maria talked about her dog.",
    )
    .into_bytes()
}

fn audio(conversation_id: &str, full_audio: &str) -> Vec<u8> {
    json!({ "type": "post_call_audio", "event_timestamp": 1, "data": { "agent_id": "agent_h", "conversation_id": conversation_id, "full_audio": full_audio } })
        .to_string()
        .into_bytes()
}

/// Checks what every answer must be: a documented status, and an error
/// message whenever it is not `200`.
fn assert_documented(f: Function, answer: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(
        DOCUMENTED.contains(&answer.status),
        "{:?} answered {}: {}",
        f,
        answer.status,
        answer.body
    );
    if answer.status != 200 {
        prop_assert!(
            answer.body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}",
            answer.body
        );
    }
    Ok(())
}

/// A `200` from client-data: the type, every variable as a string.
fn assert_client_data_answer(body: &Value) -> Result<(), TestCaseError> {
    prop_assert_eq!(&body["type"], "conversation_initiation_client_data");
    for var in ["user_name", "user_profile_summary", "last_call_summary"] {
        prop_assert!(body["dynamic_variables"][var].is_string(), "{}", body);
    }
    Ok(())
}

/// Runs a property over `cases` inputs, panicking with the smallest failing one.
fn check<S>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------
// Strategies.

/// Arbitrary JSON, biased towards the field names the functions read.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
        "[+0-9 ()-]{0,16}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("caller_id".to_owned()),
        Just("query".to_owned()),
        Just("limit".to_owned()),
        Just("type".to_owned()),
        Just("data".to_owned()),
        Just("conversation_id".to_owned()),
        Just("full_audio".to_owned()),
        "[a-z_]{0,8}",
    ];
    leaf.prop_recursive(5, 40, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Any bytes at all, JSON text, or text that is almost JSON.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        "[\\[\\]{}\",:0-9a-z\\\\ ]{0,64}".prop_map(String::into_bytes),
    ]
}

/// A value `http` accepts in a header: visible ASCII, tabs and any byte
/// from 0x80 (not UTF-8, so `to_str()` fails on some).
fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..96)
        .prop_map(|b| HeaderValue::from_bytes(&b).unwrap())
}

fn content_type() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        Just(None),
        Just(Some(json_type())),
        Just(Some(HeaderValue::from_static(
            "application/json; charset=utf-8"
        ))),
        Just(Some(HeaderValue::from_static("text/plain"))),
        Just(Some(HeaderValue::from_static(
            "application/x-www-form-urlencoded"
        ))),
        header_value().prop_map(Some),
    ]
}

/// Who the request says it is.
#[derive(Debug, Clone)]
enum Auth {
    Right,
    Missing,
    Wrong(HeaderValue),
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        2 => Just(Auth::Right),
        1 => Just(Auth::Missing),
        1 => header_value().prop_map(Auth::Wrong),
    ]
}

/// A phone-number field: digits in any format, withheld words, anything.
fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        "[+]?[0-9 ()-]{0,20}",
        "\\+[0-9]{1,18}",
        Just("anonymous".to_owned()),
        Just("".to_owned()),
        "\\PC{0,24}",
        "(?s).{0,80}",
    ]
}

fn is_known(number: &str) -> bool {
    Caller::from_raw(Some(number), Region::default()) != Caller::Unknown
}
