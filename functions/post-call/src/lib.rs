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
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use shared::config::{Env, IngestMode, PostCallConfig};
use shared::edge::{self, Auth, Edge, Failure, Reply, Trace};
use shared::ingestion::Ingestor;
use shared::models::{Envelope, Head, PostCallEvent};
use shared::storage::{keys, ConversationId, DynPayloadStore};
use shared::Error;

pub mod ingest;

pub const NAME: &str = "post-call";

/// The signature header, lower-cased as `http` stores names.
pub use shared::edge::SIGNATURE_HEADER;

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

/// The handler: the edge's pipeline (size limit, then the signature over
/// the raw body, then the head) around [`store`].
pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let edge = Edge {
        name: NAME,
        max_body: app.config.max_body_bytes,
        auth: Auth::Signature {
            secret: app.config.hmac_secret.as_bytes(),
            tolerance: app.config.tolerance,
        },
    };
    edge::serve(&edge, &req, |head, body| store(app, head, body)).await
}

/// Stores one signed webhook durably, then (transcriptions) hands it to
/// ingestion; answers what became of it.
pub async fn store(app: &App, head: Head, body: &[u8]) -> Result<Reply<Value>, Failure> {
    let event_type = known_type(&head.kind);
    let raw_id = head
        .conversation_id
        .as_deref()
        .ok_or_else(|| Error::bad_request("data.conversation_id is missing or not a string"))?;
    let conv = ConversationId::parse(raw_id).ok_or_else(|| {
        Error::bad_request("data.conversation_id must be 1 to 128 letters, digits, '_' or '-'")
    })?;
    let trace = Trace {
        conversation_id: Some(conv.as_str().to_owned()),
        event_type: Some(event_type),
        ..Trace::default()
    };
    // An erased conversation stays erased, whatever ElevenLabs redelivers.
    if app.payloads.exists(&keys::erased(&conv)).await? {
        let answer =
            json!({ "status": "erased", "type": head.kind, "conversation_id": conv.as_str() });
        return Ok(Reply::new(answer, "erased").with(trace));
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
    let mut answer = json!({ "status": "stored", "type": head.kind, "conversation_id": conv.as_str(), "key": key });
    if let Some(m) = memories {
        answer["memories"] = m.into();
    }
    if let Some(a) = audio {
        answer["audio"] = a.into();
    }
    Ok(Reply::new(answer, memories.unwrap_or("stored")).with(trace))
}

/// A webhook type as the log line names it: one of ElevenLabs' own, or
/// `other` (the type is the sender's text).
fn known_type(kind: &str) -> &'static str {
    match kind {
        "post_call_transcription" => "post_call_transcription",
        "post_call_audio" => "post_call_audio",
        "call_initiation_failure" => "call_initiation_failure",
        _ => "other",
    }
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
