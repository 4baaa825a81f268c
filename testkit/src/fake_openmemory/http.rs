//! Serving: replies, request reading with the server's limits, and the
//! failure knobs applied before routing.

use super::*;

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: Option<&'static str>,
    pub(super) body: Bytes,
}

pub(super) fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        content_type: Some("application/json"),
        body: Bytes::from(body.to_string()),
    }
}

pub(super) fn text(status: u16, body: &'static str) -> Reply {
    Reply {
        status,
        content_type: Some("text/plain"),
        body: Bytes::from_static(body.as_bytes()),
    }
}

pub(super) fn not_found() -> Reply {
    // The router's own 404: plain text, no content type.
    Reply {
        status: 404,
        content_type: None,
        body: Bytes::from_static(b"404: Not Found"),
    }
}

pub(super) async fn serve(
    shared: &Shared,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let r = handle(shared, req).await;
    let mut builder = hyper::Response::builder().status(r.status);
    if let Some(ct) = r.content_type {
        builder = builder.header("content-type", ct);
    }
    builder
        .body(Full::new(r.body))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

/// A parsed request, as the route handlers see it.
pub(super) struct Req {
    pub(super) method: hyper::Method,
    /// Path segments, percent-decoded one by one (so `%2F` stays inside).
    pub(super) segments: Vec<String>,
    /// Query pairs, form-decoded (a raw `+` is a space, as in Node).
    pub(super) query: Vec<(String, String)>,
    /// The JSON body, or `Null` when absent, not JSON, or not sent as JSON.
    pub(super) body: Value,
}

impl Req {
    pub(super) fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn body_str(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    /// Every `user_id` the request supplies, for the tenant check.
    pub(super) fn user_ids(&self) -> Vec<&str> {
        let mut ids = Vec::new();
        if self.segments.first().map(String::as_str) == Some("users") {
            if let Some(u) = self.segments.get(1) {
                ids.push(u.as_str());
            }
        }
        ids.extend(self.query("user_id"));
        ids.extend(self.body_str("user_id"));
        ids.extend(
            self.body
                .get("filters")
                .and_then(|f| f.get("user_id"))
                .and_then(Value::as_str),
        );
        ids.retain(|u| !u.is_empty());
        ids
    }
}

pub(super) async fn handle(shared: &Shared, req: hyper::Request<Incoming>) -> Reply {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    lock(&shared.log).push(format!("{} {}", parts.method, parts.uri));
    let bytes = match Limited::new(body, MAX_PAYLOAD).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return text(413, "Payload Too Large"),
    };
    let (latency, query_delay, mode, tenant_mode, query_fails) = {
        let k = lock(&shared.knobs);
        (
            k.latency,
            k.query_delay,
            k.mode,
            k.tenant_mode,
            k.query_fails,
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !query_delay.is_zero()
        && parts.method == hyper::Method::POST
        && parts.uri.path() == "/memory/query"
    {
        tokio::time::sleep(query_delay).await;
    }
    if mode == Mode::Garbage {
        return Reply {
            status: 200,
            content_type: Some("text/html"),
            body: Bytes::from_static(b"<html><body>502 Bad Gateway</body></html>"),
        };
    }

    let path = parts.uri.path();
    // The real auth middleware lets anything starting with /health through.
    if !path.starts_with("/health") {
        if let Some(expected) = &shared.api_key {
            let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
            let provided = header("x-api-key").filter(|k| !k.is_empty()).or_else(|| {
                header("authorization").and_then(|a| {
                    a.strip_prefix("Bearer ")
                        .or_else(|| a.strip_prefix("ApiKey "))
                })
            });
            match provided {
                None => {
                    return reply(
                        401,
                        json!({"error": "authentication_required", "message": "API key required"}),
                    )
                }
                Some(k) if k != expected => return reply(403, json!({"error": "invalid_api_key"})),
                Some(_) => {}
            }
        }
    }

    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        match percent_encoding::percent_decode_str(raw).decode_utf8() {
            Ok(s) => segments.push(s.into_owned()),
            Err(_) => return text(400, "Bad Request"),
        }
    }
    let is_json = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("application/json"));
    let req = Req {
        method: parts.method,
        segments,
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
        body: if is_json {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            Value::Null
        },
    };

    if tenant_mode && !req.user_ids().is_empty() {
        return reply(
            403,
            json!({
                "error": "tenant_mismatch",
                "message": "user_id does not match authenticated tenant; user_id is derived from the API key and must not be supplied or must equal the tenant",
            }),
        );
    }
    route(shared, &req, query_fails)
}
