//! Serves an async handler of `lambda_http::Request` on a loopback port, so
//! tests drive handlers over real HTTP exactly as a webhook sender would.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::{Body, Request, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running server; dropping it stops accepting connections.
pub struct Server {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Largest body the adapter reads (bigger than any function's own limit, so
/// the functions' limits are what tests observe).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Serves `handler` on `127.0.0.1:0` until the returned [`Server`] drops.
pub async fn serve<H, F>(handler: H) -> Server
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let handler = Arc::new(handler);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: hyper::Request<Incoming>| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(call(&*handler, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server { addr, task }
}

async fn call<H, F>(handler: &H, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>>
where
    H: Fn(Request) -> F,
    F: Future<Output = Response<Body>>,
{
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return hyper::Response::builder()
                .status(413)
                .body(Full::new(Bytes::new()))
                .expect("static response");
        }
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Binary(bytes.to_vec())
    };
    let resp = handler(Request::from_parts(parts, body)).await;
    let (parts, body) = resp.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}
