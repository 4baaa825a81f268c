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

// ---------------------------------------------------------------------------
// client-data

#[test]
fn client_data_survives_any_bytes_and_headers() {
    let h = Harness::new();
    check(
        256,
        (any_body(), content_type(), auth()),
        |(body, ct, auth)| {
            let mut headers = Vec::new();
            match &auth {
                Auth::Right => headers.push(("authorization", bearer(CLIENT_DATA_KEY))),
                Auth::Missing => {}
                Auth::Wrong(v) => headers.push(("authorization", v.clone())),
            }
            if let Some(ct) = ct {
                headers.push(("content-type", ct));
            }
            let a = h.send(
                Function::ClientData,
                request("POST", Function::ClientData.path(), headers, body),
            );
            assert_documented(Function::ClientData, &a)?;
            match auth {
                Auth::Right => prop_assert!([200, 400].contains(&a.status), "{:?}", a),
                _ => prop_assert_eq!(a.status, 401),
            }
            if a.status == 200 {
                assert_client_data_answer(&a.body)?;
            }
            Ok(())
        },
    );
}

#[test]
fn client_data_answers_any_json_value() {
    let h = Harness::new();
    check(256, json_value(), |v| {
        let a = h.post(Function::ClientData, v.to_string().into_bytes());
        assert_documented(Function::ClientData, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{:?}", a);
        // An object whose known fields are strings or null is a valid
        // request, and a valid request always gets its answer.
        let well_formed = v.as_object().is_some_and(|o| {
            ["caller_id", "agent_id", "called_number", "call_sid"]
                .iter()
                .all(|k| o.get(*k).is_none_or(|x| x.is_null() || x.is_string()))
        });
        if well_formed {
            prop_assert_eq!(a.status, 200, "{}", v);
        }
        if a.status == 200 {
            assert_client_data_answer(&a.body)?;
        }
        Ok(())
    });
}

#[test]
fn client_data_answers_any_caller_id() {
    let h = Harness::new();
    check(256, phone(), |number| {
        let body = json!({ "caller_id": number, "agent_id": "agent_h", "called_number": AGENT_NUMBER, "call_sid": "CA1" });
        let a = h.post(Function::ClientData, body.to_string().into_bytes());
        prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
        assert_client_data_answer(&a.body)?;
        // Nobody has called yet: everyone, known or not, is new.
        for var in ["user_name", "user_profile_summary", "last_call_summary"] {
            prop_assert_eq!(&a.body["dynamic_variables"][var], "");
        }
        prop_assert!(a.body.get("conversation_config_override").is_none());
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// search-data

#[test]
fn search_data_survives_any_bytes_and_headers() {
    let h = Harness::new();
    check(
        256,
        (any_body(), content_type(), auth()),
        |(body, ct, auth)| {
            let mut headers = Vec::new();
            match &auth {
                Auth::Right => headers.push(("authorization", bearer(SEARCH_DATA_KEY))),
                Auth::Missing => {}
                Auth::Wrong(v) => headers.push(("authorization", v.clone())),
            }
            if let Some(ct) = ct {
                headers.push(("content-type", ct));
            }
            let a = h.send(
                Function::SearchData,
                request("POST", Function::SearchData.path(), headers, body),
            );
            assert_documented(Function::SearchData, &a)?;
            match auth {
                Auth::Right => prop_assert!([200, 400].contains(&a.status), "{:?}", a),
                _ => prop_assert_eq!(a.status, 401),
            }
            Ok(())
        },
    );
}

/// A search body: each field absent, a plausible value, or any JSON.
fn search_body() -> impl Strategy<Value = Value> {
    let field = |plausible: BoxedStrategy<Value>| {
        prop_oneof![
            1 => Just(None),
            4 => plausible.prop_map(Some),
            1 => json_value().prop_map(Some)
        ]
    };
    (
        field("\\PC{0,40}".prop_map(Value::String).boxed()),
        field(phone().prop_map(Value::String).boxed()),
        field(phone().prop_map(Value::String).boxed()),
        field(
            prop_oneof![
                (0u64..20).prop_map(|n| json!(n)),
                "[0-9 ]{0,3}".prop_map(Value::String)
            ]
            .boxed(),
        ),
        field("[a-z_0-9]{0,12}".prop_map(Value::String).boxed()),
    )
        .prop_map(|(query, caller_id, user_id, limit, agent_id)| {
            let mut o = serde_json::Map::new();
            for (k, v) in [
                ("query", query),
                ("caller_id", caller_id),
                ("user_id", user_id),
                ("limit", limit),
                ("agent_id", agent_id),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), v);
                }
            }
            Value::Object(o)
        })
}

#[test]
fn search_data_answers_any_search_body() {
    let h = Harness::new();
    check(256, search_body(), |body| {
        let a = h.post(Function::SearchData, body.to_string().into_bytes());
        assert_documented(Function::SearchData, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{}: {:?}", body, a);
        if a.status == 200 {
            let answer: SearchResponse = serde_json::from_value(a.body.clone())
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", a.body)))?;
            // The store is empty: nobody is known, nothing is found.
            prop_assert!(!answer.known_caller);
            prop_assert!(answer.memories.is_empty());
        }
        // A plain query for a caller id is always answered.
        let nonblank = |k: &str| body[k].as_str().is_some_and(|s| !s.trim().is_empty());
        let plain = nonblank("query")
            && body["query"].as_str().unwrap().chars().count() <= 1_000
            && nonblank("caller_id")
            && body.get("limit").is_none();
        if plain {
            prop_assert_eq!(a.status, 200, "{}", body);
        }
        Ok(())
    });
}

#[test]
fn search_data_answers_any_caller_id() {
    let h = Harness::new();
    check(
        256,
        phone().prop_filter("blank caller ids are a 400", |s| !s.trim().is_empty()),
        |number| {
            let body = json!({ "query": "dog's name", "caller_id": number });
            let a = h.post(Function::SearchData, body.to_string().into_bytes());
            prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
            let expected = if is_known(&number) {
                search_data::HINT_NEW
            } else {
                search_data::HINT_UNKNOWN
            };
            prop_assert_eq!(&a.body["hint"], expected, "{:?}", number);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// post-call

#[test]
fn post_call_survives_any_signed_bytes() {
    let h = Harness::new();
    check(256, (any_body(), content_type()), |(body, ct)| {
        let before = h.stored();
        let a = h.send(Function::PostCall, authorised(Function::PostCall, body, ct));
        assert_documented(Function::PostCall, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{:?}", a);
        if a.status != 200 {
            prop_assert_eq!(h.stored(), before, "a rejected webhook stored something");
        }
        Ok(())
    });
}

#[test]
fn post_call_refuses_any_signature_header() {
    let h = Harness::new();
    let now = shared::dates::now_unix_secs();
    let header = prop_oneof![
        header_value().prop_map(Some),
        Just(None),
        // Well-formed, timely, and wrong.
        "[0-9a-f]{64}".prop_map(move |hex| Some(
            HeaderValue::from_str(&format!("t={now},v0={hex}")).unwrap()
        )),
        // Right for another body.
        any_body().prop_map(|other| Some(signature(&other))),
    ];
    check(256, header, |header| {
        let body = call("conv_forged");
        if let Some(v) = &header {
            prop_assume!(v.as_bytes() != signature(&body).as_bytes());
        }
        let mut headers = vec![("content-type", json_type())];
        if let Some(v) = header {
            headers.push(("elevenlabs-signature", v));
        }
        let a = h.send(
            Function::PostCall,
            request("POST", Function::PostCall.path(), headers, body),
        );
        assert_documented(Function::PostCall, &a)?;
        prop_assert_eq!(a.status, 401, "{}", a.body);
        prop_assert!(h.stored().is_empty());
        prop_assert_eq!(h.memories_of(CALLER), 0);
        Ok(())
    });
}

/// A post-call envelope: known or arbitrary type, and `data` that is any
/// JSON or an object with a valid or invalid conversation id.
fn envelope() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("post_call_transcription".to_owned()),
        Just("post_call_audio".to_owned()),
        Just("call_initiation_failure".to_owned()),
        "\\PC{0,16}",
    ];
    let conversation_id = prop_oneof![
        "[A-Za-z0-9_-]{1,24}",
        "\\PC{0,24}",
        Just("../../etc/passwd".to_owned()),
        "[a-z]{129,140}",
    ];
    let full_audio = prop_oneof![
        Just("SUQzBAAAAAAA".to_owned()),
        Just("SUQz\nBAAA".to_owned()),
        "[A-Za-z0-9+/=\\s.!-]{0,24}",
    ];
    let data = prop_oneof![
        json_value(),
        (conversation_id, full_audio, json_value(), json_value()).prop_map(
            |(id, full_audio, transcript, extra)| json!({
                "conversation_id": id, "full_audio": full_audio, "agent_id": "agent_h",
                "transcript": transcript, "failure_reason": "busy", "extra": extra
            })
        ),
    ];
    (kind, data, json_value())
        .prop_map(|(kind, data, ts)| json!({ "type": kind, "event_timestamp": ts, "data": data }))
}

#[test]
fn post_call_answers_any_envelope_and_stores_only_what_it_accepts() {
    let h = Harness::new();
    check(256, envelope(), |envelope| {
        let before = h.stored();
        let a = h.post(Function::PostCall, envelope.to_string().into_bytes());
        assert_documented(Function::PostCall, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{}: {:?}", envelope, a);
        let after = h.stored();
        if a.status == 200 {
            let key = a.body["key"].as_str().unwrap_or_default();
            prop_assert!(after.iter().any(|k| k == key), "{} not stored", key);
            let id = envelope["data"]["conversation_id"]
                .as_str()
                .unwrap_or_default();
            prop_assert!(ConversationId::parse(id).is_some(), "accepted id {:?}", id);
            prop_assert!(key.starts_with(&format!("{id}/")), "{}", key);
        } else {
            prop_assert_eq!(after, before, "a rejected webhook stored something");
        }
        Ok(())
    });
}

#[test]
fn post_call_stores_and_remembers_any_caller() {
    let h = Harness::new();
    let n = AtomicUsize::new(0);
    let direction = prop_oneof![
        Just("inbound"),
        Just("outbound"),
        Just(""),
        Just("sideways")
    ];
    check(96, (phone(), direction), |(number, direction)| {
        let conv = format!("conv_phone_{}", n.fetch_add(1, Ordering::Relaxed));
        let body = e2e::transcription(
            &conv,
            direction,
            &number,
            AGENT_NUMBER,
            shared::dates::now_unix_secs() - 600,
            None,
            &["I'd like to book a cleaning."],
            "A cleaning was booked.",
        );
        let a = h.post(Function::PostCall, body.clone().into_bytes());
        prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
        let expected = if is_known(&number) {
            "ingested"
        } else {
            "no_customer"
        };
        prop_assert_eq!(&a.body["memories"], expected, "{:?} {}", number, direction);
        let id = ConversationId::parse(&conv).unwrap();
        let stored =
            h.rt.block_on(h.payloads.get(&keys::transcription(&id)))
                .unwrap();
        prop_assert_eq!(stored.as_deref(), Some(body.as_bytes()));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Routing

#[test]
fn any_method_and_path_is_routed_or_refused() {
    let h = Harness::new();
    let method = prop_oneof![
        Just("GET"),
        Just("HEAD"),
        Just("POST"),
        Just("PUT"),
        Just("DELETE"),
        Just("PATCH"),
        Just("OPTIONS")
    ];
    let path = prop_oneof![
        "(/[A-Za-z0-9._~-]{1,10}){0,4}",
        Just("/health".to_owned()),
        Just("/prod/health/".to_owned()),
        Just("/webhook/post-call".to_owned()),
        Just("/prod/webhook/client-data".to_owned()),
        Just("/webhook/search-data/".to_owned()),
    ];
    check(
        256,
        (prop::sample::select(ALL.to_vec()), method, path),
        |(f, method, path)| {
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            let a = h.send(f, request(method, &path, vec![], Vec::new()));
            assert_documented(f, &a)?;
            // Nothing here is authorised: only health checks succeed.
            if a.status == 200 {
                prop_assert_eq!(&a.body["ok"], true, "{} {}", method, path);
            }
            prop_assert!(h.stored().is_empty());
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Explicit cases.

/// `len` bytes of a valid request: `body` padded with spaces.
fn padded(body: Vec<u8>, len: usize) -> Vec<u8> {
    assert!(body.len() <= len);
    let mut out = body;
    out.resize(len, b' ');
    out
}

#[test]
fn bodies_over_the_limit_are_413() {
    let h = Harness::new();
    for f in [Function::ClientData, Function::SearchData] {
        let at = h.post(f, padded(f.valid_body(), WEBHOOK_LIMIT));
        assert_eq!(at.status, 200, "{f:?} at the limit: {}", at.body);
        let over = h.post(f, padded(f.valid_body(), WEBHOOK_LIMIT + 1));
        assert_eq!(over.status, 413, "{f:?}: {}", over.body);
        assert!(over.body["error"].as_str().unwrap().contains("65536"));
        // Whatever the body is.
        let junk = h.post(f, vec![0xff; 3 * WEBHOOK_LIMIT]);
        assert_eq!(junk.status, 413, "{f:?}");
    }

    // post-call's default limit, signed or not: refused before any hashing.
    let huge = padded(call("conv_huge"), POST_CALL_LIMIT + 1);
    assert_eq!(h.post(Function::PostCall, huge.clone()).status, 413);
    let unsigned = request(
        "POST",
        Function::PostCall.path(),
        vec![("content-type", json_type())],
        huge,
    );
    assert_eq!(h.send(Function::PostCall, unsigned).status, 413);
    assert!(h.stored().is_empty());

    // A configured limit is the limit.
    let small = Harness::with(&[("MAX_BODY_BYTES", "4096")]);
    let over = small.post(Function::PostCall, padded(call("conv_over"), 4097));
    assert_eq!(over.status, 413, "{}", over.body);
    assert!(small.stored().is_empty(), "nothing stored after a 413");
    let at = small.post(Function::PostCall, padded(call("conv_at"), 4096));
    assert_eq!(at.status, 200, "{}", at.body);
}

#[test]
fn invalid_utf8_is_400() {
    let h = Harness::new();
    let broken: [&[u8]; 4] = [b"\xff\xfe", b"\xc0\xaf", b"\xe2\x82", b"\xed\xa0\x80"];
    for bad in broken {
        let wrap = |prefix: &str, suffix: &str| {
            let mut b = prefix.as_bytes().to_vec();
            b.extend_from_slice(bad);
            b.extend_from_slice(suffix.as_bytes());
            b
        };
        for (f, body) in [
            (
                Function::ClientData,
                wrap(r#"{"caller_id":"+1555"#, r#"0002000"}"#),
            ),
            (
                Function::SearchData,
                wrap(r#"{"caller_id":"+15550002000","query":""#, r#""}"#),
            ),
            (
                Function::PostCall,
                wrap(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","transcript":[{"role":"user","message":""#,
                    r#""}]}}"#,
                ),
            ),
        ] {
            let a = h.post(f, body);
            assert_eq!(a.status, 400, "{f:?} {bad:?}: {}", a.body);
            assert!(
                a.body["error"].as_str().unwrap().contains("UTF-8"),
                "{}",
                a.body
            );
        }
    }
    assert!(h.stored().is_empty());
}

#[test]
fn wrong_content_types_are_400() {
    let h = Harness::new();
    for f in ALL {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "text/json",
        ] {
            let req = authorised(f, f.valid_body(), Some(HeaderValue::from_static(ct)));
            let a = h.send(f, req);
            assert_eq!(a.status, 400, "{f:?} {ct}: {}", a.body);
            assert!(
                a.body["error"].as_str().unwrap().contains("JSON"),
                "{}",
                a.body
            );
        }
        // A content type that is not text at all.
        let unreadable = HeaderValue::from_bytes(b"application/\xffjson").unwrap();
        assert_eq!(
            h.send(f, authorised(f, f.valid_body(), Some(unreadable)))
                .status,
            400
        );
        assert!(h.stored().is_empty(), "{f:?}: stored after a 400");
        // The same bodies, declared as JSON (or not declared), are fine.
        for ct in [
            Some(json_type()),
            Some(HeaderValue::from_static("application/json; charset=utf-8")),
            Some(HeaderValue::from_static("application/vnd.elevenlabs+json")),
            None,
        ] {
            let a = h.send(f, authorised(f, f.valid_body(), ct.clone()));
            assert_eq!(a.status, 200, "{f:?} {ct:?}: {}", a.body);
        }
    }
}

#[test]
fn deep_nesting_is_400_without_overflowing_the_stack() {
    let h = Harness::new();
    let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    for deep in [arrays(10_000), objects(10_000), arrays(200)] {
        let hidden = |template: &str| template.replace("DEEP", &deep).into_bytes();
        for (f, body) in [
            (Function::ClientData, deep.clone().into_bytes()),
            (
                Function::ClientData,
                hidden(r#"{"caller_id":"+15550002000","x":DEEP}"#),
            ),
            (Function::SearchData, deep.clone().into_bytes()),
            (
                Function::SearchData,
                hidden(r#"{"query":DEEP,"caller_id":"+15550002000"}"#),
            ),
            (
                Function::SearchData,
                hidden(r#"{"query":"dog","caller_id":"+15550002000","x":DEEP}"#),
            ),
            (Function::PostCall, deep.clone().into_bytes()),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","x":DEEP}}"#,
                ),
            ),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","transcript":[{"tool_calls":[DEEP]}]}}"#,
                ),
            ),
            (
                Function::PostCall,
                hidden(r#"{"type":"a_new_type","data":{"conversation_id":"c1","x":DEEP}}"#),
            ),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_audio","x":DEEP,"data":{"conversation_id":"c1","full_audio":"SUQz"}}"#,
                ),
            ),
        ] {
            let a = h.post(f, body);
            assert_eq!(a.status, 400, "{f:?}: {}", a.body);
        }
    }
    assert!(h.stored().is_empty(), "{:?}", h.stored());
    assert_eq!(h.memories_of(CALLER), 0);
    // Nesting within the limit is still fine.
    let a = h.post(
        Function::ClientData,
        format!(r#"{{"caller_id":"+15550002000","x":{}}}"#, arrays(100)).into_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn invalid_base64_audio_is_400_and_not_stored() {
    let h = Harness::new();
    for bad in [
        // ElevenLabs' documentation example: a placeholder, not base64.
        "SUQzBAAAAAAA...base64_encoded_mp3_data...AAAAAAAAAA==",
        "!!!!",
        "",
        "   ",
        "SUQ",
        "SUQzB===",
        "data:audio/mpeg;base64,SUQzBA==",
        "SUQz\u{0}BAAA",
        "SUQzBAAAAAAA\u{1F600}",
    ] {
        let a = h.post(Function::PostCall, audio("conv_bad_audio", bad));
        assert_eq!(a.status, 400, "{bad:?}: {}", a.body);
        assert!(
            a.body["error"].as_str().unwrap().contains("full_audio"),
            "{}",
            a.body
        );
        assert!(h.stored().is_empty(), "{bad:?}: stored");
    }
    let docs = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/tests/fixtures/elevenlabs/post_call_audio.docs_example.json"
    ))
    .unwrap();
    assert_eq!(h.post(Function::PostCall, docs).status, 400);
    assert!(h.stored().is_empty());

    // Valid base64, with or without line breaks, is decoded and stored.
    for (conv, good) in [
        ("conv_audio_1", "SUQzBAAAAAAA"),
        ("conv_audio_2", "SUQz\r\nBAAA\nAAAA"),
    ] {
        let a = h.post(Function::PostCall, audio(conv, good));
        assert_eq!(a.status, 200, "{good:?}: {}", a.body);
        let id = ConversationId::parse(conv).unwrap();
        let mp3 =
            h.rt.block_on(h.payloads.get(&keys::audio(&id)))
                .unwrap()
                .unwrap();
        assert!(mp3.starts_with(b"ID3"), "decoded");
    }
}

#[test]
fn every_rejected_webhook_leaves_no_trace() {
    let h = Harness::new();
    let now = shared::dates::now_unix_secs();
    let body = call("conv_rejected");
    let signed_at = |t: i64| {
        HeaderValue::from_str(&shared::signature::header_value(
            POST_CALL_KEY.as_bytes(),
            t,
            &body,
        ))
        .unwrap()
    };
    let wrong_secret = HeaderValue::from_str(&shared::signature::header_value(
        b"not-the-secret",
        now,
        &body,
    ))
    .unwrap();
    let ct = ("content-type", json_type());
    let mut rejected: Vec<(u16, Request)> = vec![
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone()],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![
                    ct.clone(),
                    ("elevenlabs-signature", signed_at(now - 31 * 60)),
                ],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![
                    ct.clone(),
                    ("elevenlabs-signature", signed_at(now + 6 * 60)),
                ],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone(), ("elevenlabs-signature", wrong_secret)],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone(), ("elevenlabs-signature", signature(&body))],
                {
                    let mut tampered = body.clone();
                    tampered.push(b' ');
                    tampered
                },
            ),
        ),
        (
            405,
            request("GET", Function::PostCall.path(), vec![], Vec::new()),
        ),
        (
            404,
            request("POST", "/webhook/elsewhere", vec![], body.clone()),
        ),
    ];
    for bad_id in [
        "",
        "../../etc/passwd",
        "a/b",
        "conv 1",
        "conv_é",
        &"x".repeat(129),
    ] {
        let bad =
            json!({ "type": "post_call_transcription", "data": { "conversation_id": bad_id } });
        rejected.push((
            400,
            authorised(
                Function::PostCall,
                bad.to_string().into_bytes(),
                Some(json_type()),
            ),
        ));
    }
    for bad in [
        json!({ "type": "post_call_transcription", "data": {} }),
        json!({ "type": "post_call_transcription", "data": { "conversation_id": 42 } }),
        json!({ "type": "post_call_transcription" }),
        json!({ "data": { "conversation_id": "c1" } }),
        json!({ "type": "post_call_transcription", "data": ["agent", "conv_positional"] }),
        json!({ "type": "post_call_audio", "data": { "conversation_id": "c1" } }),
        json!({ "type": "something_new", "data": { "no_conversation": true } }),
        json!(["post_call_transcription", 0, { "conversation_id": "c1" }]),
        json!(null),
    ] {
        rejected.push((
            400,
            authorised(
                Function::PostCall,
                bad.to_string().into_bytes(),
                Some(json_type()),
            ),
        ));
    }
    for (expected, req) in rejected {
        let a = h.send(Function::PostCall, req);
        assert_eq!(a.status, expected, "{}", a.body);
        assert!(h.stored().is_empty(), "stored after a {expected}");
    }
    assert_eq!(h.memories_of(CALLER), 0, "remembered after a rejection");
    // The same call, properly signed, is stored and remembered.
    let a = h.post(Function::PostCall, body);
    assert_eq!(
        (a.status, a.body["memories"].as_str()),
        (200, Some("ingested"))
    );
    assert!(h.memories_of(CALLER) > 0);
}
