//! A fake of the one ElevenLabs REST endpoint post-call uses:
//! `GET /v1/convai/conversations/{id}/audio` with `xi-api-key`, answering a
//! deterministic MP3-like body streamed in chunks, as the real API streams.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const CHUNK: usize = 64 * 1024;

/// The deterministic audio of `len` bytes the fake serves (starts with `ID3`).
pub fn audio_bytes(len: usize) -> Vec<u8> {
    b"ID3\x04\x00"
        .iter()
        .copied()
        .chain((0u64..).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8))
        .take(len)
        .collect()
}

struct State {
    api_key: String,
    audio: Mutex<HashMap<String, usize>>,
    requests: AtomicUsize,
}

/// A running fake; stops when dropped.
pub struct FakeElevenLabs {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for FakeElevenLabs {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeElevenLabs {
    pub async fn start(api_key: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(State {
            api_key: api_key.to_owned(),
            audio: Mutex::default(),
            requests: AtomicUsize::new(0),
        });
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        let st = st.clone();
                        async move { Ok::<_, Infallible>(answer(&st, req)) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes `conversation_id` have `len` bytes of audio.
    pub fn add_audio(&self, conversation_id: &str, len: usize) {
        self.state
            .audio
            .lock()
            .expect("lock")
            .insert(conversation_id.to_owned(), len);
    }

    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

fn answer(
    st: &State,
    req: hyper::Request<Incoming>,
) -> hyper::Response<BoxBody<Bytes, Infallible>> {
    st.requests.fetch_add(1, Ordering::SeqCst);
    let status = |code: u16, msg: &str| {
        hyper::Response::builder()
            .status(code)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(format!("{{\"detail\":\"{msg}\"}}"))).boxed())
            .expect("static response")
    };
    if req
        .headers()
        .get("xi-api-key")
        .and_then(|v| v.to_str().ok())
        != Some(st.api_key.as_str())
    {
        return status(401, "invalid_api_key");
    }
    let path = req.uri().path();
    let Some(id) = path
        .strip_prefix("/v1/convai/conversations/")
        .and_then(|p| p.strip_suffix("/audio"))
    else {
        return status(404, "not found");
    };
    let Some(len) = st.audio.lock().expect("lock").get(id).copied() else {
        return status(404, "conversation not found");
    };
    let audio = audio_bytes(len);
    let chunks: Vec<Result<Frame<Bytes>, Infallible>> = audio
        .chunks(CHUNK)
        .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    hyper::Response::builder()
        .status(200)
        .header("content-type", "audio/mpeg")
        .body(ChunkList::from(chunks).boxed())
        .expect("static response")
}

/// Chunks served one frame at a time.
pub struct ChunkList(std::collections::VecDeque<Result<Frame<Bytes>, Infallible>>);

impl From<Vec<Result<Frame<Bytes>, Infallible>>> for ChunkList {
    fn from(v: Vec<Result<Frame<Bytes>, Infallible>>) -> Self {
        Self(v.into())
    }
}

impl hyper::body::Body for ChunkList {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.pop_front())
    }
}
