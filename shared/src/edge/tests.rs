//! The pipeline's order and the log line's metric format.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request};
use serde_json::Value;

use super::*;
use crate::models::ClientDataRequest;

fn secret() -> SharedSecret {
    SharedSecret {
        header: "authorization".into(),
        secret: "s".repeat(32),
    }
}

fn request(method: Method, path: &str, auth: Option<&str>, body: &str) -> Request {
    let mut b = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://x.example{path}"));
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::Text(body.to_owned())).unwrap()
}

async fn status_of_run(req: Request, max_body: usize) -> (StatusCode, bool) {
    let secret = secret();
    let edge = Edge {
        name: "client-data",
        max_body,
        auth: Auth::Secret(Some(&secret)),
    };
    let ran = std::cell::Cell::new(false);
    let res = serve(&edge, &req, |_: ClientDataRequest, _| async {
        ran.set(true);
        Ok(Reply::new(serde_json::json!({"ok": 1}), "done"))
    })
    .await;
    (res.status(), ran.get())
}

#[tokio::test]
async fn each_check_stops_the_request_before_the_function_runs() {
    let good = format!("Bearer {}", "s".repeat(32));
    let cases = [
        // (method, path, auth, body, limit, status, function ran)
        (
            Method::GET,
            "/webhook/client-data/health",
            None,
            "",
            64,
            200,
            false,
        ),
        (
            Method::GET,
            "/webhook/client-data",
            Some(&*good),
            "{}",
            64,
            405,
            false,
        ),
        (
            Method::POST,
            "/webhook/other",
            Some(&*good),
            "{}",
            64,
            404,
            false,
        ),
        // The secret is checked before the body is even measured.
        (
            Method::POST,
            "/webhook/client-data",
            None,
            &"x".repeat(100),
            64,
            401,
            false,
        ),
        (
            Method::POST,
            "/webhook/client-data",
            Some(&*good),
            &"x".repeat(100),
            64,
            413,
            false,
        ),
        (
            Method::POST,
            "/webhook/client-data",
            Some(&*good),
            "{",
            64,
            400,
            false,
        ),
        (
            Method::POST,
            "/prod/webhook/client-data",
            Some(&*good),
            "{}",
            64,
            200,
            true,
        ),
    ];
    for (method, path, auth, body, limit, want, ran) in cases {
        let got = status_of_run(request(method, path, auth, body), limit).await;
        assert_eq!(
            got,
            (StatusCode::from_u16(want).unwrap(), ran),
            "{path} {auth:?} {body:.10}"
        );
    }
}

#[tokio::test]
async fn a_signed_endpoint_checks_the_signature_over_the_raw_body() {
    let key = b"k".repeat(32);
    let edge = Edge {
        name: "post-call",
        max_body: 1024,
        auth: Auth::Signature {
            secret: &key,
            tolerance: Tolerance::default(),
        },
    };
    let body = r#"{"type":"post_call_audio","data":{"conversation_id":"c1"}}"#;
    let sig = crate::signature::header_value(&key, crate::dates::now_unix_secs(), body.as_bytes());
    let run = |sig: Option<String>| {
        let mut b = lambda_http::http::Request::builder()
            .method(Method::POST)
            .uri("https://x.example/webhook/post-call");
        if let Some(s) = sig {
            b = b.header(SIGNATURE_HEADER, s);
        }
        b.body(Body::Text(body.to_owned())).unwrap()
    };
    for (sig, want) in [
        (Some(sig.clone()), 200),
        (Some(sig.replace("v0=", "v0=0")), 401),
        (None, 401),
    ] {
        let req = run(sig);
        let res = serve(&edge, &req, |head: crate::models::Head, raw| async move {
            assert_eq!(raw, body.as_bytes());
            Ok(Reply::new(head.kind, "stored"))
        })
        .await;
        assert_eq!(res.status().as_u16(), want);
    }
}

fn line<'a>(status: u16, outcome: &'a str, trace: &'a Trace) -> log::Line<'a> {
    log::Line {
        function: "search-data",
        status,
        outcome,
        latency_ms: 12.5,
        error: None,
        trace,
        request_id: Some("req-1"),
    }
}

/// The embedded metric format as CloudWatch documents it: `_aws` with a
/// millisecond `Timestamp` and `CloudWatchMetrics` directives whose
/// dimensions and metrics all name numbers or strings at the top level.
fn assert_emf(v: &Value) {
    let aws = &v["_aws"];
    assert!(aws["Timestamp"]
        .as_i64()
        .is_some_and(|t| t > 1_000_000_000_000));
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert_eq!(directives.len(), 1);
    let d = &directives[0];
    assert_eq!(d["Namespace"], log::NAMESPACE);
    for set in d["Dimensions"].as_array().unwrap() {
        for dim in set.as_array().unwrap() {
            assert!(v[dim.as_str().unwrap()].is_string(), "dimension {dim}");
        }
    }
    for m in d["Metrics"].as_array().unwrap() {
        let name = m["Name"].as_str().unwrap();
        assert!(v[name].is_number(), "metric {name}");
        assert!(["Count", "Milliseconds"].contains(&m["Unit"].as_str().unwrap()));
    }
}

#[test]
fn the_request_line_carries_its_metrics_in_embedded_metric_format() {
    let trace = Trace {
        caller: Some("+1555***00".into()),
        ..Trace::default()
    };
    let ok = log::request_line(&line(200, "found", &trace), 1_764_800_000);
    assert_emf(&ok);
    assert_eq!(ok["_aws"]["Timestamp"], 1_764_800_000_000_i64);
    assert_eq!(
        (ok["Function"].as_str(), ok["Requests"].as_u64()),
        (Some("search-data"), Some(1))
    );
    assert_eq!(ok["Latency"], 12.5);
    assert_eq!(ok["level"], "INFO");
    assert_eq!(ok["caller"], "+1555***00");
    assert_eq!(ok["requestId"], "req-1");
    assert_eq!(
        [
            &ok["ServerErrors"],
            &ok["MemoryErrors"],
            &ok["AuthRejections"]
        ],
        [0, 0, 0]
    );

    let late = log::request_line(&line(504, "memory_timeout", &trace), 1_764_800_000);
    assert_emf(&late);
    assert_eq!(
        (late["ServerErrors"].as_u64(), late["MemoryErrors"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(late["level"], "ERROR");
    // client-data degrades a store failure to a 200: still a memory error.
    let degraded = log::request_line(&line(200, "memory_error", &trace), 1_764_800_000);
    assert_eq!(
        (
            degraded["ServerErrors"].as_u64(),
            degraded["MemoryErrors"].as_u64()
        ),
        (Some(0), Some(1))
    );
    for outcome in ["bad_signature", "unauthorized"] {
        let refused = log::request_line(&line(401, outcome, &Trace::default()), 1_764_800_000);
        assert_eq!(refused["AuthRejections"], 1);
        assert_eq!(refused["level"], "WARN");
        assert!(refused.get("caller").is_none());
    }
}

#[test]
fn every_error_has_one_status_and_one_outcome() {
    let cases = [
        (Error::bad_request("x"), 400, "bad_request"),
        (Error::PayloadTooLarge { limit: 1 }, 413, "too_large"),
        (Error::Unauthorized, 401, "unauthorized"),
        (Error::NotFound, 404, "no_route"),
        (Error::Timeout(5), 504, "memory_timeout"),
    ];
    for (err, status, outcome) in cases {
        assert_eq!(
            (status_of(&err).as_u16(), outcome_of(&err)),
            (status, outcome)
        );
    }
}

/// Every alarm on a `CallerMemory` metric watches one that is emitted: by
/// the request line (here) or the ingestion sweep (`PendingCalls`).
#[test]
fn the_templates_alarms_watch_metrics_the_functions_emit() {
    let template = include_str!("../../../template.yaml");
    let line = log::request_line(&line(200, "found", &Trace::default()), 1_764_800_000);
    let emitted: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["Name"].as_str())
        .collect();
    let lines: Vec<&str> = template.lines().collect();
    let mut watched = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.contains("Namespace: CallerMemory") {
            continue;
        }
        let near = lines[i..(i + 2).min(lines.len())].join(" ");
        let name = near
            .split("MetricName: ")
            .nth(1)
            .and_then(|rest| rest.split([',', ' ', '}']).next())
            .unwrap();
        watched.push(name.to_owned());
    }
    for name in [
        "ServerErrors",
        "AuthRejections",
        "MemoryErrors",
        "PendingCalls",
    ] {
        assert!(watched.iter().any(|w| w == name), "no alarm on {name}");
    }
    for name in &watched {
        assert!(
            emitted.contains(&name.as_str()) || name == "PendingCalls",
            "an alarm watches {name}, which nothing emits"
        );
    }
    for function in ["post-call", "client-data", "search-data"] {
        assert!(
            template.contains(&format!("Value: {function} }}"))
                || template.contains(&format!("Value: {function}\n"))
        );
    }
}
