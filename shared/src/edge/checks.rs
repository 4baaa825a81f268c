//! The checks a request passes before a function sees it: its route, the
//! shared secret, the body's size and content type, and parsing the body.

use lambda_http::http::{header, HeaderMap, Method};
use lambda_http::{Body, Request};
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

/// How a function reads its body: JSON into its request type, or a reader
/// of its own (post-call reads only the head before storing).
pub trait FromBody<'a>: Sized {
    fn from_body(body: &'a [u8]) -> Result<Self, Error>;
}

impl<'a> FromBody<'a> for crate::models::ClientDataRequest {
    fn from_body(body: &'a [u8]) -> Result<Self, Error> {
        parse_json(body)
    }
}

impl<'a> FromBody<'a> for crate::models::SearchRequest {
    fn from_body(body: &'a [u8]) -> Result<Self, Error> {
        parse_json(body)
    }
}

impl<'a> FromBody<'a> for crate::models::Head {
    /// Fixed words only: the reason never quotes the body.
    fn from_body(body: &'a [u8]) -> Result<Self, Error> {
        if std::str::from_utf8(body).is_err() {
            return Err(Error::bad_request("the body is not valid UTF-8"));
        }
        Self::parse(body)
            .map_err(|why| Error::bad_request(format!("not a post-call webhook: {why}")))
    }
}
