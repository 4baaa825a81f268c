//! What the bench sends: callers, realistic 50-turn phone calls, signed
//! webhooks, in-process requests and API Gateway events. Deterministic, so
//! every run measures the same work.

use lambda_http::{Body, Request};
use serde_json::{json, Value};
use shared::caller::{CallerId, Region};
use shared::config::Env;
use shared::memory::{MemoryStore, MemoryUser};
use shared::models::{Envelope, PostCallEvent, TranscriptionData};

pub const POST_CALL_KEY: &str = "bench-post-call-secret";
pub const CLIENT_DATA_KEY: &str = "bench-client-data-secret";
pub const SEARCH_DATA_KEY: &str = "bench-search-data-secret";
pub const AGENT_ID: &str = "agent_bench";
pub const AGENT_NUMBER: &str = "+15550001000";

/// Turns in the bench's phone call (agent and caller alternating).
pub const TURNS: usize = 50;

/// The search tool's query: a caller asking about something said before.
pub const SEARCH_QUERY: &str = "when is my cleaning appointment and what about the invoice";

/// Bench caller number `n`, in E.164.
pub fn caller(n: usize) -> String {
    format!("+1555{:07}", 2_000_000 + n)
}

pub fn memory_user(number: &str) -> MemoryUser {
    let id = CallerId::normalise(number, Region::default()).expect("a valid bench number");
    MemoryUser::caller(&id)
}

/// The settings every function reads in process, plus `extra`.
pub fn env(extra: &[(&str, &str)]) -> Env {
    let mut env = Env::from_pairs([
        ("ELEVENLABS_POST_CALL_KEY", POST_CALL_KEY),
        ("ELEVENLABS_CLIENT_DATA_KEY", CLIENT_DATA_KEY),
        ("ELEVENLABS_SEARCH_DATA_KEY", SEARCH_DATA_KEY),
    ]);
    for (k, v) in extra {
        env.set(k, v);
    }
    env
}

pub use testkit::words::{Rng, ENDINGS, OPENERS, SUBJECTS};

/// A detail with a number, as callers give them (and so two utterances
/// rarely share every word, as real ones rarely do).
const DETAILS: [&str; 8] = [
    "My file number is {n}.",
    "It came to about {n} euros.",
    "The letter was dated the {d}th.",
    "I can come after {h} pm on most days.",
    "The reference on the form says {n}.",
    "We live at number {d} on the high street.",
    "My old policy number was {n}.",
    "It started about {d} days ago.",
];
const AGENT_LINES: [&str; 6] = [
    "Of course, let me look that up for you.",
    "Thanks, I have your file open now.",
    "I can see that here. Anything else?",
    "Let me check the calendar for you.",
    "Sure, I'll make a note of that.",
    "Understood. I'll pass that on to the team.",
];
const FILLERS: [&str; 5] = [
    "Okay.",
    "Yes, thanks.",
    "Mm-hmm.",
    "Okay, great, thank you.",
    "Bye!",
];
const CITIES: [&str; 3] = ["Paris", "Lyon", "Rome"];

/// A caller's turn: an opener, a subject, an ending and a detail.
pub fn utterance(rng: &mut Rng) -> String {
    let detail = rng
        .pick(&DETAILS)
        .replace("{n}", &(1_000 + rng.below(9_000)).to_string())
        .replace("{d}", &(2 + rng.below(27)).to_string())
        .replace("{h}", &(1 + rng.below(6)).to_string());
    format!(
        "{} {} {} {detail}",
        rng.pick(&OPENERS),
        rng.pick(&SUBJECTS),
        rng.pick(&ENDINGS)
    )
}

/// One finished phone call's transcription webhook body: [`TURNS`] turns,
/// the caller's turns every other one, `fillers` of them
/// acknowledgements ingestion skips; three data-collection facts and a
/// summary. With 25 caller turns a call leaves `30 - fillers` memories
/// (facts, summary, utterances and the snapshot).
pub fn transcription(
    conversation_id: &str,
    customer: &str,
    start: i64,
    fillers: usize,
    seed: u64,
) -> String {
    transcription_with(
        conversation_id,
        customer,
        start,
        fillers,
        seed,
        None,
        &mut |_| true,
    )
}

/// The three data-collection answers of a call.
pub struct Facts {
    pub name: String,
    pub city: String,
    pub dog_name: String,
}

impl Facts {
    /// Answers no call gave before: made-up words from `rng`.
    pub fn fresh(rng: &mut Rng) -> Self {
        let mut word = || {
            const SYLLABLES: [&str; 16] = [
                "ka", "lo", "mi", "ter", "van", "du", "sel", "ri", "po", "zan", "bel", "ko", "ma",
                "nu", "tis", "gor",
            ];
            let mut w: String = (0..3).map(|_| rng.pick(&SYLLABLES)).collect();
            w[..1].make_ascii_uppercase();
            w
        };
        Self {
            name: format!("{} {}", word(), word()),
            city: format!("{} {}", word(), word()),
            dog_name: format!("{} {}", word(), word()),
        }
    }
}

/// [`transcription`] with the given data-collection answers instead of
/// the bench caller's usual ones (Angelo Rossi, with his dog Biscuit), and
/// only caller turns `accept` takes (others are drawn again).
pub fn transcription_with(
    conversation_id: &str,
    customer: &str,
    start: i64,
    fillers: usize,
    seed: u64,
    facts: Option<&Facts>,
    accept: &mut dyn FnMut(&str) -> bool,
) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let user_turns = TURNS / 2;
    let mut transcript = Vec::with_capacity(TURNS);
    let mut user_turn = 0;
    for i in 0..TURNS {
        let at = i * 6;
        if i % 2 == 0 {
            let mut line = if i == 0 {
                "Thanks for calling Example Dental. How can I help?".to_owned()
            } else {
                rng.pick(&AGENT_LINES).to_owned()
            };
            // Ingestion keeps the agent's turns too: where `accept` wants
            // text new to the store, a line said before gets a new tail.
            for _ in 0..1_000 {
                if accept(&line) {
                    break;
                }
                line = format!("{} {}", rng.pick(&AGENT_LINES), utterance(&mut rng));
            }
            transcript.push(json!({ "role": "agent", "message": line, "time_in_call_secs": at }));
        } else {
            // Fillers spread evenly through the call.
            let every = user_turns / fillers.max(1);
            let filler =
                fillers > 0 && (user_turn + 1) % every == 0 && (user_turn + 1) / every <= fillers;
            let message = if filler {
                rng.pick(&FILLERS).to_owned()
            } else {
                let mut text = utterance(&mut rng);
                for _ in 0..1_000 {
                    if accept(&text) {
                        break;
                    }
                    text = utterance(&mut rng);
                }
                text
            };
            transcript.push(json!({ "role": "user", "message": message, "time_in_call_secs": at }));
            user_turn += 1;
        }
    }
    let city = rng.pick(&CITIES);
    let (name, city, dog_name) = match facts {
        Some(f) => (f.name.as_str(), f.city.as_str(), f.dog_name.as_str()),
        None => ("Angelo Rossi", city, "Biscuit"),
    };
    let first_name = name.split(' ').next().unwrap_or(name);
    let summary_of = |rng: &mut Rng| {
        format!(
            "{first_name} called about {} and {}; the agent booked a follow-up for the {}th.",
            rng.pick(&SUBJECTS),
            rng.pick(&SUBJECTS),
            2 + rng.below(27)
        )
    };
    // As ingestion will store it: dated.
    let dated = |summary: &str| format!("Call on {}: {summary}", shared::dates::date_of(start));
    let mut summary = summary_of(&mut rng);
    for _ in 0..1_000 {
        if accept(&dated(&summary)) {
            break;
        }
        summary = summary_of(&mut rng);
    }
    json!({
        "type": "post_call_transcription",
        "event_timestamp": start + 300,
        "data": {
            "agent_id": AGENT_ID, "conversation_id": conversation_id, "status": "done", "user_id": null,
            "transcript": transcript,
            "metadata": { "start_time_unix_secs": start, "call_duration_secs": 300,
                "phone_call": { "direction": "inbound", "type": "twilio", "agent_number": AGENT_NUMBER,
                    "external_number": customer, "call_sid": format!("CA{conversation_id}") } },
            "analysis": { "call_successful": "success", "transcript_summary": summary,
                "data_collection_results": {
                    "name": { "data_collection_id": "name", "value": name, "rationale": "stated" },
                    "city": { "data_collection_id": "city", "value": city, "rationale": "stated" },
                    "dog_name": { "data_collection_id": "dog_name", "value": dog_name, "rationale": "stated" }
                } },
            "conversation_initiation_client_data": { "dynamic_variables": {
                "system__caller_id": customer, "system__called_number": AGENT_NUMBER,
                "system__conversation_id": conversation_id, "system__agent_id": AGENT_ID } },
            "has_audio": false
        }
    })
    .to_string()
}

/// The `data` of a transcription body, as ingestion reads it.
pub fn call_of(body: &str) -> TranscriptionData {
    match Envelope::parse(body.as_bytes())
        .expect("a bench transcription")
        .event
    {
        PostCallEvent::Transcription(call) => *call,
        _ => unreachable!("the bench builds transcriptions"),
    }
}

/// Stores `calls` past calls of `customer`, one week apart, the newest a
/// week ago, as post-call ingestion would.
pub async fn seed_calls(
    store: &dyn MemoryStore,
    customer: &str,
    calls: usize,
    fillers: usize,
    tag: &str,
) {
    let user = memory_user(customer);
    let now = shared::dates::now_unix_secs();
    for i in 0..calls {
        let start = now - ((calls - i) as i64) * 7 * 86_400;
        let body = transcription(
            &format!("conv_{tag}_{i:04}"),
            customer,
            start,
            fillers,
            (i as u64 + 1) * 7_919 + tag.len() as u64,
        );
        shared::memory::ingest::ingest(store, &user, &call_of(&body), 8)
            .await
            .expect("seeding ingest");
    }
}

/// The signature header for `body`, signed now.
pub fn signature(body: &[u8]) -> String {
    shared::signature::header_value(
        POST_CALL_KEY.as_bytes(),
        shared::dates::now_unix_secs(),
        body,
    )
}

/// An in-process POST request, as `lambda_http` hands it to a handler.
pub fn request(path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method("POST")
        .uri(format!(
            "https://abc123.execute-api.us-east-1.amazonaws.com{path}"
        ))
        .header("content-type", "application/json");
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(Body::Binary(body)).expect("a valid request")
}

pub fn client_data_body(customer: &str) -> String {
    json!({ "caller_id": customer, "agent_id": AGENT_ID, "called_number": AGENT_NUMBER, "call_sid": "CAbench" })
        .to_string()
}

pub fn search_body(customer: &str) -> String {
    json!({ "query": SEARCH_QUERY, "caller_id": customer, "limit": 5 }).to_string()
}

pub fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// An API Gateway HTTP API (payload v2) event, as the Lambda service
/// delivers a webhook.
pub fn apigw_event(
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> String {
    let mut h = serde_json::Map::new();
    h.insert("content-type".into(), "application/json".into());
    h.insert(
        "host".into(),
        "abc123.execute-api.us-east-1.amazonaws.com".into(),
    );
    h.insert("user-agent".into(), "ElevenLabs/1.0".into());
    for (k, v) in headers {
        h.insert((*k).into(), Value::String((*v).to_owned()));
    }
    let now_ms = shared::dates::now_unix_secs() * 1_000;
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": h,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com", "domainPrefix": "abc123",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1",
                "sourceIp": "34.67.146.145", "userAgent": "ElevenLabs/1.0" },
            "requestId": "bench-request", "routeKey": format!("{method} {path}"), "stage": "$default",
            "time": "18/Nov/2026:11:06:40 +0000", "timeEpoch": now_ms
        },
        "body": body,
        "isBase64Encoded": false
    })
    .to_string()
}

/// The body of a response, as text.
pub fn body_text(body: &Body) -> String {
    match body {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}
