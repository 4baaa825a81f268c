//! What a function answers, and the one place errors become status codes,
//! public messages and outcome labels.

use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::Error;

/// A function's answer (always `200`) and how its request ended.
pub struct Reply<A> {
    pub answer: A,
    /// The log line's and the metrics' `outcome`, e.g. `returning_caller`.
    pub outcome: &'static str,
    pub trace: Trace,
}

impl<A> Reply<A> {
    pub fn new(answer: A, outcome: &'static str) -> Self {
        Self {
            answer,
            outcome,
            trace: Trace::default(),
        }
    }

    /// Names the (masked) caller in the log line.
    pub fn caller(mut self, masked: Option<String>) -> Self {
        self.trace.caller = masked;
        self
    }

    pub fn with(mut self, trace: Trace) -> Self {
        self.trace = trace;
        self
    }
}

/// A request that failed, with what the log line may say about it.
pub struct Failure {
    pub error: Error,
    pub trace: Trace,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self {
            error,
            trace: Trace::default(),
        }
    }
}

/// `?` on any of the crate's error types inside a function.
macro_rules! failure_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Failure {
            fn from(err: $ty) -> Self {
                Error::from(err).into()
            }
        }
    )*};
}
failure_from!(
    crate::memory::MemoryError,
    crate::storage::StorageError,
    crate::signature::SignatureError,
    crate::config::ConfigError
);

impl Failure {
    pub fn caller(mut self, masked: Option<String>) -> Self {
        self.trace.caller = masked;
        self
    }
}

/// What the log line says about whom and what a request concerned. Phone
/// numbers only masked; never text from a payload.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    /// The caller's masked number.
    pub caller: Option<String>,
    pub conversation_id: Option<String>,
    /// A post-call webhook's `type`.
    pub event_type: Option<&'static str>,
}

/// The status code of an error: the single mapping for every function.
pub fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Unauthorized | Error::Signature(_) => StatusCode::UNAUTHORIZED,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Error::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Memory(_) | Error::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
    }
}

/// The outcome label of a failed request, for logs and metrics.
pub fn outcome_of(err: &Error) -> &'static str {
    match err {
        Error::BadRequest(_) => "bad_request",
        Error::PayloadTooLarge { .. } => "too_large",
        Error::Unauthorized => "unauthorized",
        Error::Signature(_) => "bad_signature",
        Error::NotFound | Error::MethodNotAllowed => "no_route",
        Error::Config(_) => "config_error",
        Error::Memory(_) => "memory_error",
        Error::Storage(_) => "storage_error",
        Error::Timeout(_) => "memory_timeout",
    }
}

/// What an error tells the client. Server-side details stay in the logs.
pub fn public_message(err: &Error) -> String {
    match err {
        Error::Memory(_) | Error::Timeout(_) => {
            "caller memory is temporarily unavailable; continue without it".into()
        }
        Error::Storage(_) => "the payload could not be stored; please retry".into(),
        Error::Config(_) => "the service is misconfigured".into(),
        Error::Signature(_) => "invalid or missing ElevenLabs-Signature".into(),
        other => other.to_string(),
    }
}

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Binary(bytes))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// `{"error": "…"}` with the error's status.
pub fn error_response(err: &Error) -> Response<Body> {
    json(
        status_of(err),
        &serde_json::json!({ "error": public_message(err) }),
    )
}

/// `GET /health`.
pub fn health(function: &str) -> Response<Body> {
    json(
        StatusCode::OK,
        &serde_json::json!({ "ok": true, "function": function }),
    )
}
