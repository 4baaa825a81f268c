//! post-call: receives ElevenLabs' signed post-call webhooks, stores each
//! payload keyed by conversation, and turns transcriptions into memories.
//!
//! Order of work, each step only if the one before succeeded: size limit →
//! signature over the raw body → parse → validate the conversation id →
//! store durably → (transcriptions) ingest into memory. `200` means stored.
//! A memory-store failure after storing still answers `200`: the payload is
//! safe, the conversation stays pending, and `replay` finishes it; a `5xx`
//! would only invite retries that ElevenLabs does not send by default and
//! count towards disabling the webhook.

use base64::Engine;
use bytes::Bytes;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::config::{Env, PostCallConfig};
use shared::elevenlabs::ElevenLabsApi;
use shared::http::{self as edge, RequestLog, Route};
use shared::ingestion::{Ingestor, Outcome};
use shared::models::{Envelope, PostCallEvent};
use shared::signature;
use shared::storage::{keys, ConversationId, DynPayloadStore};
use shared::Error;

pub const NAME: &str = "post-call";

/// The signature header, lower-cased as `http` stores names.
pub const SIGNATURE_HEADER: &str = "elevenlabs-signature";

/// Everything built once per cold start.
pub struct App {
    pub config: PostCallConfig,
    pub payloads: DynPayloadStore,
    pub ingestor: Ingestor,
    /// Set when `FETCH_AUDIO=true`: fetches audio too large for a webhook.
    pub api: Option<ElevenLabsApi>,
}

impl App {
    pub async fn from_env(env: &Env) -> Result<Self, Error> {
        let config = PostCallConfig::from_env(env)?;
        let memory = shared::backends::memory_store(&config.common.memory).await?;
        let payloads = shared::backends::payload_store(&config.payloads).await;
        Ok(Self::new(config, memory, payloads))
    }

    pub fn new(
        config: PostCallConfig,
        memory: shared::memory::DynMemoryStore,
        payloads: DynPayloadStore,
    ) -> Self {
        let api = match (&config.elevenlabs_api_key, config.fetch_audio) {
            (Some(key), true) => ElevenLabsApi::new(&config.elevenlabs_api_url, key)
                .inspect_err(|e| tracing::error!(error = %e, "audio fetching disabled"))
                .ok(),
            _ => None,
        };
        let ingestor = Ingestor::new(&config, memory.clone(), payloads.clone());
        Self {
            config,
            payloads,
            ingestor,
            api,
        }
    }
}

/// What one webhook did, for the answer and the log line.
#[derive(Debug)]
pub struct Stored {
    pub event_type: String,
    pub conversation_id: ConversationId,
    pub key: String,
    pub memories: Option<Outcome>,
    /// For transcriptions with `FETCH_AUDIO=true`: what happened to the audio.
    pub audio: Option<&'static str>,
}

/// The handler: one request in, one response out, one log line.
pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let log = RequestLog::start(NAME);
    let result = match edge::route(&req, NAME) {
        Ok(Route::Health) => {
            log.finish(StatusCode::OK, "health", None);
            return edge::health(NAME);
        }
        Ok(Route::Webhook) => webhook(app, &req).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(stored) => {
            let memories = stored.memories.as_ref().map(Outcome::label);
            tracing::info!(
                conversation_id = stored.conversation_id.as_str(),
                event_type = stored.event_type.as_str(),
                memories,
                "payload stored"
            );
            if let Some(Outcome::Failed(err)) = &stored.memories {
                tracing::warn!(conversation_id = stored.conversation_id.as_str(), error = %err, "memory ingestion failed; pending for replay");
            }
            log.finish(StatusCode::OK, memories.unwrap_or("stored"), None);
            let mut answer = json!({ "status": "stored", "type": stored.event_type, "conversation_id": stored.conversation_id.as_str(), "key": stored.key });
            if let Some(m) = memories {
                answer["memories"] = m.into();
            }
            if let Some(a) = stored.audio {
                answer["audio"] = a.into();
            }
            edge::json(StatusCode::OK, &answer)
        }
        Err(err) => {
            if edge::status_of(&err).is_server_error() {
                tracing::error!(error = %err, "post-call failed");
            } else {
                tracing::warn!(error = %err, "post-call rejected");
            }
            log.finish(edge::status_of(&err), "rejected", None);
            edge::error_response(&err)
        }
    }
}

async fn webhook(app: &App, req: &Request) -> Result<Stored, Error> {
    let body = edge::body_bytes(req, app.config.max_body_bytes)?;
    let header = req
        .headers()
        .get(SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or(""));
    signature::verify(
        header,
        body,
        app.config.hmac_secret.as_bytes(),
        shared::dates::now_unix_secs(),
        app.config.tolerance,
    )?;
    edge::require_json(req.headers())?;
    if std::str::from_utf8(body).is_err() {
        return Err(Error::bad_request("the body is not valid UTF-8"));
    }
    let envelope = Envelope::parse(body)
        .map_err(|e| Error::bad_request(format!("not a post-call webhook: {e}")))?;
    let raw_id = envelope
        .event
        .conversation_id()
        .ok_or_else(|| Error::bad_request("data.conversation_id is missing"))?;
    let conv = ConversationId::parse(raw_id).ok_or_else(|| {
        Error::bad_request("data.conversation_id must be 1 to 128 letters, digits, '_' or '-'")
    })?;
    let event_type = envelope.kind.clone();
    let mut audio = None;
    let (key, memories) = match envelope.event {
        PostCallEvent::Transcription(call) => {
            let key = keys::transcription(&conv);
            app.payloads
                .put(&key, Bytes::copy_from_slice(body), "application/json")
                .await?;
            let (outcome, fetched) = tokio::join!(
                app.ingestor.ingest(&conv, &call),
                fetch_audio(app, &conv, &call)
            );
            audio = fetched;
            (key, Some(outcome?))
        }
        PostCallEvent::Audio(audio) => {
            let mp3 = decode_audio(&audio.full_audio)?;
            drop(audio);
            let key = keys::audio(&conv);
            app.payloads
                .put(&key, Bytes::from(mp3), "audio/mpeg")
                .await?;
            (key, None)
        }
        PostCallEvent::CallInitiationFailure(_) => {
            let key = keys::failure(&conv);
            app.payloads
                .put(&key, Bytes::copy_from_slice(body), "application/json")
                .await?;
            (key, None)
        }
        PostCallEvent::Unknown { .. } => {
            let key = keys::other(&conv, &event_type);
            app.payloads
                .put(&key, Bytes::copy_from_slice(body), "application/json")
                .await?;
            (key, None)
        }
    };
    Ok(Stored {
        event_type,
        conversation_id: conv,
        key,
        memories,
        audio,
    })
}

/// Streams a call's audio from the ElevenLabs API into storage when the
/// transcription says there is some and no webhook delivered it yet.
/// Failures are logged, not fatal: the transcription is already safe.
async fn fetch_audio(
    app: &App,
    conv: &ConversationId,
    call: &shared::models::TranscriptionData,
) -> Option<&'static str> {
    let api = app.api.as_ref()?;
    if call.has_audio != Some(true) {
        return Some("none");
    }
    let key = keys::audio(conv);
    match app.payloads.get(&key).await {
        Ok(Some(_)) => return Some("already_stored"),
        Ok(None) => {}
        Err(err) => {
            tracing::warn!(error = %err, "could not check for stored audio");
            return Some("failed");
        }
    }
    let stream = match api.audio(conv).await {
        Ok(stream) => stream,
        Err(err) => {
            tracing::warn!(conversation_id = conv.as_str(), error = %err, "audio fetch failed");
            return Some("failed");
        }
    };
    match app.payloads.put_stream(&key, stream, "audio/mpeg").await {
        Ok(bytes) => {
            tracing::info!(conversation_id = conv.as_str(), bytes, "audio fetched");
            Some("fetched")
        }
        Err(err) => {
            tracing::warn!(conversation_id = conv.as_str(), error = %err, "audio store failed");
            Some("failed")
        }
    }
}

/// Decodes the base64 MP3. Line breaks some encoders insert are tolerated.
pub fn decode_audio(b64: &str) -> Result<Vec<u8>, Error> {
    let engine = base64::engine::general_purpose::STANDARD;
    let decoded = match engine.decode(b64) {
        Ok(bytes) => bytes,
        Err(_) if b64.bytes().any(|b| b.is_ascii_whitespace()) => {
            let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            engine
                .decode(compact)
                .map_err(|_| Error::bad_request("data.full_audio is not valid base64"))?
        }
        Err(_) => return Err(Error::bad_request("data.full_audio is not valid base64")),
    };
    if decoded.is_empty() {
        return Err(Error::bad_request("data.full_audio is empty"));
    }
    Ok(decoded)
}
