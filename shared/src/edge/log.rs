//! The one log line of a request, with its CloudWatch metrics.
//!
//! Inside Lambda the line is JSON in CloudWatch's embedded metric format
//! (EMF): CloudWatch Logs turns its `_aws` block into metrics in the
//! `CallerMemory` namespace, by `Function` only (each dimension value is a
//! billed metric; the outcome stays a searchable field):
//! `Requests`, `Latency` (ms), `ServerErrors` (status ≥ 500),
//! `MemoryErrors` (the memory store failed or was late) and
//! `AuthRejections` (a wrong secret or signature). The template's alarms
//! watch these. Locally the same facts are one readable line.

use std::time::Instant;

use lambda_http::http::StatusCode;
use serde_json::{json, Map, Value};

use super::reply::{outcome_of, Trace};
use crate::Error;

/// The metrics' namespace, as `template.yaml`'s alarms name it.
pub const NAMESPACE: &str = "CallerMemory";

/// Times one request and writes its single log line.
pub struct RequestLog {
    function: &'static str,
    request_id: Option<String>,
    start: Instant,
}

impl RequestLog {
    pub fn start(function: &'static str, request_id: Option<String>) -> Self {
        Self {
            function,
            request_id,
            start: Instant::now(),
        }
    }

    pub fn elapsed_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Logs a request that got an answer.
    pub fn finish(self, status: StatusCode, outcome: &str, trace: &Trace) {
        self.write(status, outcome, None, trace);
    }

    /// Logs a failed request. Only errors whose text is ours are quoted: a
    /// bad request's reason can quote the body (serde's messages do).
    pub fn failed(self, status: StatusCode, err: &Error, trace: &Trace) {
        let detail = match err {
            Error::BadRequest(_) | Error::PayloadTooLarge { .. } => None,
            Error::NotFound | Error::MethodNotAllowed | Error::Unauthorized => None,
            other => Some(other.to_string()),
        };
        self.write(status, outcome_of(err), detail.as_deref(), trace);
    }

    fn write(self, status: StatusCode, outcome: &str, error: Option<&str>, trace: &Trace) {
        let latency_ms = (self.elapsed_ms() * 1000.0).round() / 1000.0;
        let line = Line {
            function: self.function,
            status: status.as_u16(),
            outcome,
            latency_ms,
            error,
            trace,
            request_id: self.request_id.as_deref(),
        };
        if crate::telemetry::write_json_line(&request_line(&line, crate::dates::now_unix_secs())) {
            return;
        }
        let text = line.text();
        match line.status {
            500.. => tracing::error!("{text}"),
            400..=499 => tracing::warn!("{text}"),
            _ => tracing::info!("{text}"),
        }
    }
}

/// The facts of one request's line.
pub struct Line<'a> {
    pub function: &'static str,
    pub status: u16,
    pub outcome: &'a str,
    pub latency_ms: f64,
    pub error: Option<&'a str>,
    pub trace: &'a Trace,
    pub request_id: Option<&'a str>,
}

impl Line<'_> {
    fn level(&self) -> &'static str {
        match self.status {
            500.. => "ERROR",
            400..=499 => "WARN",
            _ => "INFO",
        }
    }

    /// The local, readable form: `request function=… status=… …`.
    fn text(&self) -> String {
        let mut text = format!(
            "request function={} status={} outcome={} latency_ms={}",
            self.function, self.status, self.outcome, self.latency_ms
        );
        for (key, value) in self.optional() {
            text.push_str(&format!(" {key}={value}"));
        }
        text
    }

    /// The fields a line carries only when they are known.
    fn optional(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let t = self.trace;
        [
            ("caller", t.caller.as_deref()),
            ("conversation_id", t.conversation_id.as_deref()),
            ("event_type", t.event_type),
            ("error", self.error),
            ("requestId", self.request_id),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
    }
}

/// The JSON log line with its EMF block, at `now_unix_secs`.
pub fn request_line(line: &Line<'_>, now_unix_secs: i64) -> Value {
    let flag = |on: bool| u8::from(on);
    let outcome = line.outcome;
    let mut out = Map::new();
    out.insert("level".into(), line.level().into());
    out.insert("message".into(), "request".into());
    out.insert("function".into(), line.function.into());
    out.insert("status".into(), line.status.into());
    out.insert("outcome".into(), outcome.into());
    out.insert("latency_ms".into(), line.latency_ms.into());
    for (key, value) in line.optional() {
        out.insert(key.into(), value.into());
    }
    out.insert(
        "_aws".into(),
        json!({
            "Timestamp": now_unix_secs.saturating_mul(1000),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": [
                    { "Name": "Requests", "Unit": "Count" },
                    { "Name": "Latency", "Unit": "Milliseconds" },
                    { "Name": "ServerErrors", "Unit": "Count" },
                    { "Name": "MemoryErrors", "Unit": "Count" },
                    { "Name": "AuthRejections", "Unit": "Count" },
                ],
            }],
        }),
    );
    out.insert("Function".into(), line.function.into());
    out.insert("Requests".into(), 1.into());
    out.insert("Latency".into(), line.latency_ms.into());
    out.insert("ServerErrors".into(), flag(line.status >= 500).into());
    out.insert(
        "MemoryErrors".into(),
        flag(matches!(outcome, "memory_error" | "memory_timeout")).into(),
    );
    out.insert(
        "AuthRejections".into(),
        flag(matches!(outcome, "unauthorized" | "bad_signature")).into(),
    );
    Value::Object(out)
}
