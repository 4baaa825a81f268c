//! The ElevenLabs REST API, for what a webhook cannot carry: a long call's
//! audio exceeds Lambda's 6 MB request limit, so post-call fetches it and
//! streams it into storage without holding it whole.

use std::time::Duration;

use futures::TryStreamExt;

use crate::storage::{ByteStream, ConversationId};

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("ElevenLabs API unreachable: {0}")]
    Unavailable(String),
    #[error("ElevenLabs API refused the key (check ELEVENLABS_API_KEY): HTTP {0}")]
    Auth(u16),
    #[error("ElevenLabs has no audio for this conversation")]
    NotFound,
    #[error("ElevenLabs API answered HTTP {0}")]
    Status(u16),
}

/// A client for the conversation endpoints.
#[derive(Clone)]
pub struct ElevenLabsApi {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl ElevenLabsApi {
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            // The audio endpoint answers directly; a redirect would carry
            // the API key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(Duration::from_secs(5))
            // Only between reads: a 30-minute recording may take a while in total.
            .read_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
        })
    }

    /// `GET /v1/convai/conversations/{id}/audio` as a stream of chunks.
    pub async fn audio(&self, conv: &ConversationId) -> Result<ByteStream, ApiError> {
        let url = format!("{}/v1/convai/conversations/{conv}/audio", self.base_url);
        let resp = self
            .http
            .get(url)
            .header("xi-api-key", &self.api_key)
            .send()
            .await
            .map_err(|e| ApiError::Unavailable(e.without_url().to_string()))?;
        match resp.status().as_u16() {
            200 => Ok(Box::pin(resp.bytes_stream().map_err(std::io::Error::other))),
            401 | 403 => Err(ApiError::Auth(resp.status().as_u16())),
            404 => Err(ApiError::NotFound),
            s => Err(ApiError::Status(s)),
        }
    }
}
