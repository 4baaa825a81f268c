//! post-call: receives ElevenLabs' signed post-call webhooks and stores
//! each payload keyed by conversation; transcriptions are then turned into
//! memories by [`shared::ingestion`].
//!
//! Order of work, each step only if the one before succeeded: size limit →
//! signature over the raw body → the head (`type`, `data.conversation_id`)
//! → store durably → answer. `200` means stored: nothing else is parsed
//! before the body is safe, so a field that drifts in type cannot lose a
//! call. Ingestion runs from the stored payload (`INGEST_MODE`): in AWS on
//! the bucket's object-created event, with Lambda's retries and a
//! dead-letter queue (the `post-call-ingest` binary), so ElevenLabs never
//! waits on the memory store; locally before or after the answer.

use base64::Engine;
use bytes::Bytes;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::config::{Env, IngestMode, PostCallConfig};
use shared::http::{self as edge, RequestLog, Route};
use shared::ingestion::Ingestor;
use shared::models::{Envelope, Head, PostCallEvent};
use shared::signature;
use shared::storage::{keys, ConversationId, DynPayloadStore};
use shared::Error;

pub mod ingest;

pub const NAME: &str = "post-call";

/// The signature header, lower-cased as `http` stores names.
pub const SIGNATURE_HEADER: &str = "elevenlabs-signature";

/// Everything built once per cold start.
pub struct App {
    pub config: PostCallConfig,
    pub payloads: DynPayloadStore,
    pub ingestor: Ingestor,
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
        let ingestor = Ingestor::new(&config, memory, payloads.clone());
        Self {
            config,
            payloads,
            ingestor,
        }
    }
}

/// What one webhook did, for the answer and the log line.
#[derive(Debug)]
pub struct Stored {
    pub event_type: String,
    pub conversation_id: ConversationId,
    pub key: String,
    /// For transcriptions: what became of the memories (`queued` when the
    /// bucket's event or a background task ingests them).
    pub memories: Option<&'static str>,
    /// With `FETCH_AUDIO=true` and inline ingestion: what became of the audio.
    pub audio: Option<&'static str>,
    /// The conversation was erased (`forget`): nothing was stored.
    pub erased: bool,
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
            let memories = stored.memories;
            tracing::info!(
                conversation_id = stored.conversation_id.as_str(),
                event_type = stored.event_type.as_str(),
                memories,
                "payload stored"
            );
            if stored.erased {
                log.finish(StatusCode::OK, "erased", None);
                return edge::json(
                    StatusCode::OK,
                    &json!({ "status": "erased", "type": stored.event_type, "conversation_id": stored.conversation_id.as_str() }),
                );
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
    let head = Head::parse(body)
        .map_err(|why| Error::bad_request(format!("not a post-call webhook: {why}")))?;
    let raw_id = head
        .conversation_id
        .as_deref()
        .ok_or_else(|| Error::bad_request("data.conversation_id is missing or not a string"))?;
    let conv = ConversationId::parse(raw_id).ok_or_else(|| {
        Error::bad_request("data.conversation_id must be 1 to 128 letters, digits, '_' or '-'")
    })?;
    // An erased conversation stays erased, whatever ElevenLabs redelivers.
    if app.payloads.exists(&keys::erased(&conv)).await? {
        return Ok(Stored {
            event_type: head.kind,
            conversation_id: conv,
            key: String::new(),
            memories: None,
            audio: None,
            erased: true,
        });
    }
    let json_body = || Bytes::copy_from_slice(body);
    let (key, memories, audio) = match head.kind.as_str() {
        "post_call_transcription" => {
            let key = keys::transcription(&conv);
            app.payloads
                .put(&key, json_body(), "application/json")
                .await?;
            app.ingestor.mark_pending(&conv).await?;
            let (memories, audio) = ingest_after_storing(app, &conv).await?;
            (key, Some(memories), audio)
        }
        // Audio is stored decoded; a body that does not decode is refused
        // (400), as there is no recording in it to keep.
        "post_call_audio" => {
            let mp3 = audio_of(body)?;
            let key = keys::audio(&conv);
            app.payloads
                .put(&key, Bytes::from(mp3), "audio/mpeg")
                .await?;
            (key, None, None)
        }
        "call_initiation_failure" => {
            let key = keys::failure(&conv);
            app.payloads
                .put(&key, json_body(), "application/json")
                .await?;
            // Stored already: an index failure is logged, not a 5xx.
            if let Err(err) = app.ingestor.index_failure(&conv, body).await {
                tracing::warn!(conversation_id = conv.as_str(), error = %err, "could not index the failed call by caller");
            }
            (key, None, None)
        }
        _ => {
            let key = keys::other(&conv, &head.kind);
            app.payloads
                .put(&key, json_body(), "application/json")
                .await?;
            (key, None, None)
        }
    };
    Ok(Stored {
        event_type: head.kind,
        conversation_id: conv,
        key,
        memories,
        audio,
        erased: false,
    })
}

/// Runs or hands off ingestion of a just-stored transcription, as
/// `INGEST_MODE` says; answers the label for the response.
async fn ingest_after_storing(
    app: &App,
    conv: &ConversationId,
) -> Result<(&'static str, Option<&'static str>), Error> {
    match app.config.ingest_mode {
        IngestMode::Event => Ok(("queued", None)),
        IngestMode::Background => {
            let ingestor = app.ingestor.clone();
            let conv = conv.clone();
            tokio::spawn(
                async move { ingest::log_done(&conv, ingestor.ingest_stored(&conv).await) },
            );
            Ok(("queued", None))
        }
        IngestMode::Inline => match app.ingestor.ingest_stored(conv).await {
            Ok(done) => {
                ingest::log_outcome(conv, &done);
                Ok((done.outcome.label(), done.audio))
            }
            // The payload is stored and on the pending list: still a 200.
            Err(err) => {
                tracing::warn!(conversation_id = conv.as_str(), error = %err, "ingestion could not run; pending");
                Ok(("pending", None))
            }
        },
    }
}

/// The decoded MP3 of a `post_call_audio` webhook.
fn audio_of(body: &[u8]) -> Result<Vec<u8>, Error> {
    match Envelope::parse(body) {
        Ok(Envelope {
            event: PostCallEvent::Audio(audio),
            ..
        }) => decode_audio(&audio.full_audio),
        _ => Err(Error::bad_request(
            "data.full_audio is missing or not a string",
        )),
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
