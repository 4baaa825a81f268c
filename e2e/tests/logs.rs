//! No phone number in clear, transcript text, audio or secret material in
//! any log line: the logs of a whole journey (happy and failing paths) are
//! captured, in the JSON format Lambda uses, and searched.

use std::io::Write;
use std::sync::{Arc, Mutex};

use e2e::{transcription, Stack};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CALLER: &str = "+15550002000";
const SAID: &str = "My dog Biscuit hates the vacuum cleaner";
const AUDIO_B64: &str = "SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA";

#[tokio::test]
async fn a_whole_journey_logs_no_number_text_audio_or_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    shared::telemetry::init_with(move || writer.clone(), true);

    let stack = Stack::local(&[]).await;
    let now = shared::dates::now_unix_secs();
    let call = transcription(
        "conv_logs",
        "inbound",
        CALLER,
        "+15550001000",
        now - 60,
        Some("Zed"),
        &[SAID],
        "Zed talked about his dog Biscuit.",
    );
    let sig = shared::signature::header_value(e2e::POST_CALL_KEY.as_bytes(), now, call.as_bytes());
    assert_eq!(stack.ring(CALLER).await.0, 200);
    assert_eq!(stack.deliver(&call).await.0, 200);
    let audio = format!(
        r#"{{"type":"post_call_audio","data":{{"conversation_id":"conv_logs","full_audio":"{AUDIO_B64}"}}}}"#
    );
    assert_eq!(stack.deliver(&audio).await.0, 200);
    assert_eq!(stack.ring("(555) 000-2000").await.0, 200);
    assert_eq!(stack.search(CALLER, "dog vacuum").await.0, 200);
    // Failing paths log too: a bad signature, a wrong secret, a bad body.
    let pc = format!("{}/webhook/post-call", stack.post_call.url());
    assert_eq!(
        stack
            .post(
                &pc,
                &call,
                &[("elevenlabs-signature", &sig.replace("v0=", "v0=0"))]
            )
            .await
            .0,
        401
    );
    let cd = format!("{}/webhook/client-data", stack.client_data.url());
    assert_eq!(
        stack
            .post(
                &cd,
                &format!(r#"{{"caller_id":"{CALLER}"}}"#),
                &[("authorization", "Bearer wrong-secret")]
            )
            .await
            .0,
        401
    );
    assert_eq!(
        stack
            .post(
                &cd,
                &format!(r#"{{"caller_id":{CALLER}}}"#),
                &[("authorization", &format!("Bearer {}", e2e::CLIENT_DATA_KEY))]
            )
            .await
            .0,
        400
    );

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let requests = logs
        .lines()
        .filter(|l| l.contains("\"message\":\"request\""))
        .count();
    assert!(
        requests >= 8,
        "one line per request, got {requests}:\n{logs}"
    );
    // Each request line is one JSON object carrying its CloudWatch metrics.
    let mut outcomes = Vec::new();
    for l in logs
        .lines()
        .filter(|l| l.contains("\"message\":\"request\""))
    {
        let v: serde_json::Value = serde_json::from_str(l).expect("a request line is JSON");
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Namespace"], "CallerMemory",
            "{l}"
        );
        assert_eq!(v["Requests"], 1, "{l}");
        assert!(v["Latency"].is_number(), "{l}");
        outcomes.push((
            v["function"].as_str().unwrap_or("").to_owned(),
            v["outcome"].as_str().unwrap_or("").to_owned(),
            v["AuthRejections"].as_u64(),
        ));
    }
    for (function, outcome) in [
        ("post-call", "bad_signature"),
        ("client-data", "unauthorized"),
    ] {
        assert!(
            outcomes
                .iter()
                .any(|(f, o, rejected)| f == function && o == outcome && *rejected == Some(1)),
            "{function} {outcome}: {outcomes:?}"
        );
    }
    assert!(
        logs.contains("latency_ms") && logs.contains("outcome"),
        "{logs}"
    );
    assert!(
        logs.contains("+1********00"),
        "callers appear masked:\n{logs}"
    );
    for secret in [
        "5550002000",
        "555) 000", // the number, in any format
        "Biscuit",
        "vacuum",
        "dog", // what was said and summarised
        AUDIO_B64,
        &AUDIO_B64[..16],
        e2e::POST_CALL_KEY,
        e2e::CLIENT_DATA_KEY,
        e2e::SEARCH_DATA_KEY,
        "wrong-secret",
        &sig[sig.find("v0=").unwrap() + 3..][..16], // signature material
    ] {
        assert!(!logs.contains(secret), "logs contain {secret:?}:\n{logs}");
    }
}
