//! A minimal Lambda Runtime API emulator for section 3: `GET
//! …/invocation/next` hands out one API Gateway v2 event, `POST
//! …/invocation/{id}/response` takes the answer; every later `next` is
//! left hanging until the process is killed, as Lambda leaves a frozen
//! instance.

use std::convert::Infallible;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the emulator saw.
enum Seen {
    /// The runtime asked for its first event.
    Next(Instant),
    /// The answer arrived (with its body).
    Response(Instant, Bytes),
    /// The runtime reported an error.
    Error(String),
}

/// A Runtime API emulator serving one event, on a loopback port.
struct Emulator {
    port: u16,
    seen: mpsc::UnboundedReceiver<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Emulator {
    async fn start(event: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let (tx, seen) = mpsc::unbounded_channel();
        let event = Bytes::from(event);
        let served = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let (tx, event, served) = (tx.clone(), event.clone(), served.clone());
                connections.spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<Incoming>| {
                        let (tx, event, served) = (tx.clone(), event.clone(), served.clone());
                        async move { Ok::<_, Infallible>(answer(req, &tx, event, &served).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { port, seen, task }
    }
}

async fn answer(
    req: hyper::Request<Incoming>,
    tx: &mpsc::UnboundedSender<Seen>,
    event: Bytes,
    served: &AtomicBool,
) -> hyper::Response<Full<Bytes>> {
    let at = Instant::now();
    let path = req.uri().path().to_owned();
    let next = req.method() == hyper::Method::GET && path == "/2018-06-01/runtime/invocation/next";
    if next {
        if served.swap(true, Ordering::SeqCst) {
            // One invocation per instance: later polls wait for the kill.
            std::future::pending::<()>().await;
        }
        let _ = tx.send(Seen::Next(at));
        let deadline = (shared::dates::now_unix_secs() + 30) * 1_000;
        return hyper::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .header("lambda-runtime-aws-request-id", "bench-request-1")
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0",
            )
            .body(Full::new(event))
            .expect("static response");
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if path.ends_with("/response") {
        let _ = tx.send(Seen::Response(at, body));
    } else {
        let _ = tx.send(Seen::Error(format!(
            "{path}: {}",
            String::from_utf8_lossy(&body)
        )));
    }
    hyper::Response::builder()
        .status(202)
        .body(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}")))
        .expect("static response")
}

/// One way of starting a function.
pub(crate) struct Start {
    pub(crate) function: &'static str,
    pub(crate) label: &'static str,
    pub(crate) env: Vec<(String, String)>,
    /// A fresh event per start (post-call events carry a fresh signature).
    pub(crate) event: Box<dyn Fn(usize) -> String + Send + Sync>,
    /// Text the answer (API Gateway response JSON) must contain.
    pub(crate) expect: &'static str,
}

/// Times from spawn to the first `next` and to the answer, once.
pub(crate) async fn once(
    bin: &Path,
    start: &Start,
    i: usize,
    dir: &Path,
) -> Result<(Duration, Duration), String> {
    let mut emulator = Emulator::start((start.event)(i)).await;
    let stderr_path = dir.join(format!("{}-{i}.stderr", start.function));
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(bin);
    // Lambda's environment is small and fixed; the bench's own must not
    // leak in (a `.env`, `RUST_LOG`, a `CALLER_MEMORY_ENV_FILE`).
    cmd.env_clear()
        .current_dir(dir)
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("127.0.0.1:{}", emulator.port),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", start.function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", start.function),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .envs(start.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let spawned = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
    let mut init = None;
    let outcome = loop {
        match tokio::time::timeout(Duration::from_secs(10), emulator.seen.recv()).await {
            Ok(Some(Seen::Next(at))) => init = Some(at - spawned),
            Ok(Some(Seen::Response(at, body))) => {
                let (status, text) = decode_answer(&body);
                break if status == 200 && text.contains(start.expect) {
                    Ok((init.unwrap_or_default(), at - spawned))
                } else {
                    Err(format!("unexpected answer {status}: {text}"))
                };
            }
            Ok(Some(Seen::Error(e))) => break Err(format!("runtime error: {e}")),
            Ok(None) | Err(_) => break Err("no answer within 10 s".into()),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    outcome.map_err(|e| {
        let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let tail: String = log.lines().rev().take(5).collect::<Vec<_>>().join(" / ");
        format!("{e} (stderr: {tail})")
    })
}

/// The status and body of an API Gateway v2 response. `lambda_http`
/// sends a `Body::Binary` answer base64-encoded (`isBase64Encoded`), which
/// API Gateway decodes; so does this.
fn decode_answer(raw: &[u8]) -> (i64, String) {
    use base64::Engine;
    let v: serde_json::Value = serde_json::from_slice(raw).unwrap_or_default();
    let status = v["statusCode"].as_i64().unwrap_or(0);
    let body = v["body"].as_str().unwrap_or("");
    let text = if v["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    } else {
        body.to_owned()
    };
    (status, text)
}
