//! Section 4: a large audio webhook through `post_call::handle` into a
//! local payload directory: time, and peak heap against the payload size.
//!
//! The payload is the request body (the JSON with the base64 MP3). The
//! peak counts everything live while the handler runs, the body the
//! request already holds included, so 1× is the floor; verifying, parsing
//! (the base64 is borrowed, not copied) and decoding (0.75×) should stay
//! under 2×.

use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use lambda_http::http::StatusCode;
use shared::config::PostCallConfig;
use shared::storage::local::LocalStore;
use shared::storage::DynPayloadStore;

use crate::alloc;
use crate::fixtures::{self, request};
use crate::stats::{mib, ms, Row, Samples, Verdict};
use crate::stores::MemStore;

const SECTION: &str = "4 · audio";
const RUNS: usize = 3;
const MIB: usize = 1024 * 1024;

/// The audio rows.
pub async fn run() -> Vec<Row> {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = fixtures::env(&[("MAX_BODY_BYTES", &(64 * MIB).to_string())]);
    let payloads: DynPayloadStore = Arc::new(LocalStore::new(dir.path().join("payloads")));
    let app = post_call::App::new(
        PostCallConfig::from_env(&env).expect("post-call config"),
        Arc::new(MemStore::for_bench()),
        payloads,
    );
    let mut rows = Vec::new();
    for size in [10 * MIB, 30 * MIB] {
        let mut times = Samples::default();
        let mut worst_ratio = 0.0f64;
        let mut body_len = 0;
        for run in 0..RUNS {
            let body = audio_webhook(&format!("conv_audio_{}_{run}", size / MIB), size);
            body_len = body.len();
            let sig = fixtures::signature(&body);
            let req = request(
                "/webhook/post-call",
                body,
                &[(post_call::SIGNATURE_HEADER, sig.as_str())],
            );
            // Everything but the request is counted out: the ratio is what
            // the handler holds on top of nothing, the body included.
            let base = alloc::current() - body_len;
            alloc::reset_peak();
            let start = Instant::now();
            let resp = post_call::handle(&app, req).await;
            let took = start.elapsed();
            let peak = alloc::peak() - base;
            let text = fixtures::body_text(resp.body());
            assert!(
                resp.status() == StatusCode::OK && text.contains("\"status\":\"stored\""),
                "unexpected answer {}: {text}",
                resp.status()
            );
            drop(resp);
            times.push(took);
            worst_ratio = worst_ratio.max(peak as f64 / body_len as f64);
        }
        if size == 10 * MIB {
            rows.push(lambda_http_conversion(size));
        }
        rows.push(Row::new(
            SECTION,
            format!(
                "post-call audio, {} body (base64 MP3): verify, parse, decode, store to a local dir (n={RUNS})",
                mib(body_len as u64)
            ),
            format!(
                "time p50 {}; peak heap {:.2}× the payload",
                ms(times.p50()),
                worst_ratio
            ),
            "peak ≤ 3× payload",
            Verdict::of(worst_ratio <= 3.0),
        ));
    }
    rows
}

/// What `lambda_http` itself holds turning the API Gateway event into a
/// request, before our handler runs: the event text and the body string
/// unescaped from it. Outside our code; shown for the whole picture (and
/// Lambda refuses invocations over 6 MB anyway).
fn lambda_http_conversion(size: usize) -> Row {
    let body = audio_webhook("conv_audio_event", size);
    let body_len = body.len();
    let text = String::from_utf8(body).expect("ASCII body");
    let sig = fixtures::signature(text.as_bytes());
    let event = fixtures::apigw_event(
        "POST",
        "/webhook/post-call",
        Some(&text),
        &[(post_call::SIGNATURE_HEADER, &sig)],
    );
    drop(text);
    let base = alloc::current() - event.len();
    alloc::reset_peak();
    let start = Instant::now();
    let req = lambda_http::request::from_str(&event).expect("an API Gateway event");
    let took = start.elapsed();
    let peak = alloc::peak() - base;
    drop(req);
    Row::info(
        SECTION,
        format!(
            "for comparison, outside our code: `lambda_http` turning the API Gateway event of a {} body into a request",
            mib(body_len as u64)
        ),
        format!(
            "time {}; peak heap {:.2}× the payload (event text + body string)",
            ms(took),
            peak as f64 / body_len as f64
        ),
    )
}

/// A `post_call_audio` webhook whose body is about `size` bytes: random
/// bytes (an MP3 does not compress either) in base64.
fn audio_webhook(conversation_id: &str, size: usize) -> Vec<u8> {
    let raw_len = size / 4 * 3;
    let mut rng = fixtures::Rng(0xa0d1_0bad_cafe_f00d);
    let mut mp3 = Vec::with_capacity(raw_len);
    while mp3.len() < raw_len {
        mp3.extend_from_slice(&rng.next().to_le_bytes());
    }
    mp3.truncate(raw_len);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&mp3);
    drop(mp3);
    let head = format!(
        "{{\"type\":\"post_call_audio\",\"event_timestamp\":{},\"data\":{{\"agent_id\":\"{}\",\"conversation_id\":\"{conversation_id}\",\"full_audio\":\"",
        shared::dates::now_unix_secs(),
        fixtures::AGENT_ID
    );
    let tail = "\"}}";
    let mut body = Vec::with_capacity(head.len() + b64.len() + tail.len());
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(b64.as_bytes());
    body.extend_from_slice(tail.as_bytes());
    body
}
