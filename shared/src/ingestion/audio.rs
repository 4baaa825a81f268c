//! Fetching a call's audio through the ElevenLabs API, for recordings too
//! large to arrive by webhook. Best effort: the transcription is safe
//! already, so a failure is logged and reported, never fatal.

use crate::elevenlabs::ElevenLabsApi;
use crate::models::TranscriptionData;
use crate::storage::{keys, ConversationId, PayloadStore};

/// Streams the call's audio into storage when the transcription says there
/// is some and none is stored yet (checked with a `HeadObject`, never a
/// download). Answers what happened, for the log line.
pub async fn fetch(
    api: &ElevenLabsApi,
    payloads: &dyn PayloadStore,
    conv: &ConversationId,
    call: &TranscriptionData,
) -> &'static str {
    if call.has_audio != Some(true) {
        return "none";
    }
    let key = keys::audio(conv);
    match payloads.exists(&key).await {
        Ok(true) => return "already_stored",
        Ok(false) => {}
        Err(err) => {
            tracing::warn!(error = %err, "could not check for stored audio");
            return "failed";
        }
    }
    let stream = match api.audio(conv).await {
        Ok(stream) => stream,
        Err(err) => {
            tracing::warn!(conversation_id = conv.as_str(), error = %err, "audio fetch failed");
            return "failed";
        }
    };
    match payloads.put_stream(&key, stream, "audio/mpeg").await {
        Ok(bytes) => {
            tracing::info!(conversation_id = conv.as_str(), bytes, "audio fetched");
            "fetched"
        }
        Err(err) => {
            tracing::warn!(conversation_id = conv.as_str(), error = %err, "audio store failed");
            "failed"
        }
    }
}
