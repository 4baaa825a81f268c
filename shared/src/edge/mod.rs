//! The HTTP edge: the one request pipeline of the three functions.
//!
//! [`serve`] runs, in this order and once for every function: route →
//! health → shared-secret check → body limit → signature over the raw body
//! → content type → parse → the function's own `async fn` → status mapping
//! → one log line (with CloudWatch metrics inside Lambda). A function then
//! holds only its domain call and the shape of its answer.
//!
//! - [`checks`]: routing, secrets, body limits, JSON parsing.
//! - [`reply`]: what a function answers, and errors → status and message.
//! - [`log`]: the request's log line and its embedded metrics.

mod checks;
pub mod log;
mod reply;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::Arc;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

pub use checks::{
    body_bytes, check_secret, constant_time_eq, parse_json, require_json, route, FromBody, Route,
};
pub use log::{request_line, RequestLog};
pub use reply::{
    error_response, health, json, outcome_of, public_message, status_of, Failure, Reply, Trace,
};

use crate::config::SharedSecret;
use crate::signature::{self, Tolerance};
use crate::Error;

/// The signature header, lower-cased as `http` stores names.
pub const SIGNATURE_HEADER: &str = "elevenlabs-signature";

/// What a function's edge checks before its own code runs.
pub struct Edge<'a> {
    /// The function's name, in routes (`/webhook/<name>`) and logs.
    pub name: &'static str,
    /// Largest body accepted, in bytes.
    pub max_body: usize,
    pub auth: Auth<'a>,
}

/// How a request proves it comes from ElevenLabs.
pub enum Auth<'a> {
    /// A shared secret in a header (`None`: no check, as configured).
    Secret(Option<&'a SharedSecret>),
    /// An `ElevenLabs-Signature` HMAC over the raw body.
    Signature {
        secret: &'a [u8],
        tolerance: Tolerance,
    },
}

/// Runs one request through the pipeline. `handler` gets the parsed body
/// and the raw bytes it was parsed from (post-call stores those).
pub async fn serve<'r, T, A, F, Fut>(
    edge: &Edge<'_>,
    req: &'r Request,
    handler: F,
) -> Response<Body>
where
    T: FromBody<'r>,
    A: Serialize,
    F: FnOnce(T, &'r [u8]) -> Fut,
    Fut: Future<Output = Result<Reply<A>, Failure>>,
{
    let log = RequestLog::start(edge.name, request_id(req));
    let result = match route(req, edge.name) {
        Ok(Route::Health) => {
            log.finish(StatusCode::OK, "health", &Trace::default());
            return health(edge.name);
        }
        Ok(Route::Webhook) => match admit::<T>(edge, req) {
            Ok((parsed, body)) => handler(parsed, body).await,
            Err(err) => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(reply) => {
            log.finish(StatusCode::OK, reply.outcome, &reply.trace);
            json(StatusCode::OK, &reply.answer)
        }
        Err(Failure { error, trace }) => {
            let status = status_of(&error);
            log.failed(status, &error, &trace);
            error_response(&error)
        }
    }
}

/// Everything between routing and the function: auth, limits, parsing.
fn admit<'r, T: FromBody<'r>>(edge: &Edge<'_>, req: &'r Request) -> Result<(T, &'r [u8]), Error> {
    // A wrong secret is refused before the body is even looked at.
    if let Auth::Secret(expected) = &edge.auth {
        check_secret(req.headers(), *expected)?;
    }
    let body = body_bytes(req, edge.max_body)?;
    if let Auth::Signature { secret, tolerance } = &edge.auth {
        let header = req
            .headers()
            .get(SIGNATURE_HEADER)
            .map(|v| v.to_str().unwrap_or(""));
        signature::verify(
            header,
            body,
            secret,
            crate::dates::now_unix_secs(),
            *tolerance,
        )?;
    }
    require_json(req.headers())?;
    Ok((T::from_body(body)?, body))
}

/// Lambda's request id, when the request came through the runtime.
fn request_id(req: &Request) -> Option<String> {
    req.lambda_context_ref().map(|c| c.request_id.clone())
}

/// Hands a function to the Lambda runtime. `app` is built once per cold
/// start and shared by every invocation.
pub async fn run<A, F, Fut>(app: Arc<A>, handler: F) -> Result<(), lambda_http::Error>
where
    A: Send + Sync + 'static,
    F: Fn(Arc<A>, Request) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, std::convert::Infallible>(handler(app, req).await) }
    }))
    .await
}
