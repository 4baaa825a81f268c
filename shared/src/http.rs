//! The HTTP edge shared by the three handlers: routing, body limits, the
//! shared-secret check, and the one place errors become status codes.

use std::time::Instant;

use lambda_http::http::{header, HeaderMap, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::config::SharedSecret;
use crate::Error;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `POST /webhook/<name>`, or `POST /` when mounted at the root.
    Webhook,
    /// `GET /health`.
    Health,
}

/// Routes a request for the function called `name`. Paths are matched by
/// their end so an API Gateway stage prefix (`/prod/webhook/…`) works too.
pub fn route(req: &Request, name: &str) -> Result<Route, Error> {
    let path = req.uri().path().trim_end_matches('/');
    let webhook = path.is_empty() || path.ends_with(&format!("/webhook/{name}"));
    let health = path.ends_with("/health");
    match (req.method(), webhook, health) {
        (&Method::POST, true, _) => Ok(Route::Webhook),
        (&Method::GET | &Method::HEAD, _, true) => Ok(Route::Health),
        (_, true, _) | (_, _, true) => Err(Error::MethodNotAllowed),
        _ => Err(Error::NotFound),
    }
}

/// The status code of an error: the single mapping for every handler.
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

/// Checks the optional shared secret in constant time. With the
/// `authorization` header, `Bearer <secret>` is accepted as well.
pub fn check_secret(headers: &HeaderMap, expected: Option<&SharedSecret>) -> Result<(), Error> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let got = headers
        .get(expected.header.as_str())
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    let got = if expected.header == "authorization" {
        got.strip_prefix("Bearer ")
            .or_else(|| got.strip_prefix("bearer "))
            .unwrap_or(got)
            .trim()
    } else {
        got
    };
    if constant_time_eq(got.as_bytes(), expected.secret.as_bytes()) {
        Ok(())
    } else {
        Err(Error::Unauthorized)
    }
}

/// Constant-time equality; the length is not secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The raw body bytes, refusing bodies over `limit`.
pub fn body_bytes(req: &Request, limit: usize) -> Result<&[u8], Error> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    if bytes.len() > limit {
        return Err(Error::PayloadTooLarge { limit });
    }
    Ok(bytes)
}

/// Checks that a body declared as something is declared as JSON. A missing
/// content type is accepted: not every webhook sender sets one.
pub fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => Ok(()),
        Some(Ok(ct)) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if mime == "application/json" || mime.ends_with("+json") || mime.is_empty() {
                Ok(())
            } else {
                Err(Error::bad_request(format!(
                    "the body must be JSON (Content-Type: application/json), not {mime}"
                )))
            }
        }
        Some(Err(_)) => Err(Error::bad_request(
            "the Content-Type header is not readable",
        )),
    }
}

/// Parses a JSON body into `T`, with messages a person (or an LLM) can act on.
pub fn parse_json<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Error> {
    if bytes.is_empty() {
        return Err(Error::bad_request(
            "the request body is empty; send a JSON object",
        ));
    }
    if std::str::from_utf8(bytes).is_err() {
        return Err(Error::bad_request("the request body is not valid UTF-8"));
    }
    // serde_json limits depth only for what it builds; fields a type
    // ignores are skipped at any depth. Refuse such bodies whole.
    if !crate::models::nesting_within(bytes, crate::models::MAX_JSON_DEPTH) {
        return Err(Error::bad_request(format!(
            "the request body nests JSON deeper than {} levels",
            crate::models::MAX_JSON_DEPTH
        )));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| Error::bad_request(format!("the request body is not the expected JSON: {e}")))
}

/// Times one request and writes its single log line.
pub struct RequestLog {
    function: &'static str,
    start: Instant,
}

impl RequestLog {
    pub fn start(function: &'static str) -> Self {
        Self {
            function,
            start: Instant::now(),
        }
    }

    pub fn elapsed_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Logs the outcome. `caller` must already be masked.
    pub fn finish(self, status: StatusCode, outcome: &str, caller: Option<&str>) {
        let latency_ms = (self.elapsed_ms() * 1000.0).round() / 1000.0;
        let status = status.as_u16();
        if status >= 500 {
            tracing::error!(
                function = self.function,
                status,
                outcome,
                caller,
                latency_ms,
                "request"
            );
        } else if status >= 400 {
            tracing::warn!(
                function = self.function,
                status,
                outcome,
                caller,
                latency_ms,
                "request"
            );
        } else {
            tracing::info!(
                function = self.function,
                status,
                outcome,
                caller,
                latency_ms,
                "request"
            );
        }
    }
}

/// Hands a handler to the Lambda runtime. `app` is built once per cold
/// start and shared by every invocation.
pub async fn run<A, F, Fut>(app: std::sync::Arc<A>, handler: F) -> Result<(), lambda_http::Error>
where
    A: Send + Sync + 'static,
    F: Fn(std::sync::Arc<A>, Request) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = Response<Body>> + Send,
{
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, std::convert::Infallible>(handler(app, req).await) }
    }))
    .await
}
