//! post-call's (and the ingestion function's) settings: signature window, payload store, audio, ingestion mode.

use crate::memory::ingest::MAX_CONCURRENCY;
use crate::signature::Tolerance;

use super::{Common, ConfigError, Env, PayloadBackend};

/// post-call's settings.
#[derive(Debug, Clone)]
pub struct PostCallConfig {
    pub common: Common,
    pub payloads: PayloadBackend,
    /// The HMAC secret post-call webhooks are signed with.
    pub hmac_secret: String,
    pub tolerance: Tolerance,
    /// Largest accepted body, in bytes.
    pub max_body_bytes: usize,
    /// The ElevenLabs API key, for fetching audio too large for a webhook.
    pub elevenlabs_api_key: Option<String>,
    pub elevenlabs_api_url: String,
    /// Fetch audio through the REST API when a transcription says there is some.
    pub fetch_audio: bool,
    /// Memory adds in flight at once while ingesting one call.
    pub ingest_concurrency: usize,
    /// Key for the hashed caller index (defaults to the HMAC secret).
    pub index_key: String,
    /// Who ingests a stored transcription (`INGEST_MODE`).
    pub ingest_mode: IngestMode,
}

/// Who turns a stored transcription into memories (`INGEST_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    /// post-call, before it answers (the default with local payloads:
    /// `make dev` and scripted journeys see memories at once).
    Inline,
    /// post-call, in a task after it answers (local runs only: Lambda
    /// freezes an instance once it has answered).
    Background,
    /// The bucket's object-created event (the default with S3 payloads):
    /// post-call answers as soon as the payload is stored.
    Event,
}

impl IngestMode {
    fn from_env(env: &Env, payloads: &PayloadBackend) -> Result<Self, ConfigError> {
        const PURPOSE: &str = "who ingests a stored transcription: inline (post-call, before answering), background (post-call, after answering; local only) or event (the S3 object-created event)";
        let mode = match env
            .get("INGEST_MODE")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("") => match payloads {
                PayloadBackend::S3 { .. } => Self::Event,
                PayloadBackend::Local { .. } => Self::Inline,
            },
            Some("inline") => Self::Inline,
            Some("background") => Self::Background,
            Some("event") => Self::Event,
            Some(other) => {
                return Err(ConfigError {
                    var: "INGEST_MODE",
                    problem: format!("must be inline, background or event, not {other:?}"),
                    purpose: PURPOSE,
                })
            }
        };
        if mode == Self::Inline && env.in_lambda() {
            return Err(ConfigError {
                var: "INGEST_MODE",
                problem: "is inline inside AWS Lambda, where the bucket's event ingests (post-call answers once the payload is stored)".into(),
                purpose: PURPOSE,
            });
        }
        if mode == Self::Background && env.in_lambda() {
            return Err(ConfigError {
                var: "INGEST_MODE",
                problem: "is background inside AWS Lambda, which freezes an instance once it has answered".into(),
                purpose: PURPOSE,
            });
        }
        Ok(mode)
    }
}

impl PostCallConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let hmac_secret = env
            .required(
                "ELEVENLABS_POST_CALL_KEY",
                "the HMAC secret ElevenLabs signs post-call webhooks with (shown when you create the webhook in ElevenLabs)",
            )?
            .to_owned();
        let fetch_audio = env.parsed(
            "FETCH_AUDIO",
            false,
            "fetch call audio through the ElevenLabs API when a transcription says there is some (true/false)",
        )?;
        let elevenlabs_api_key = env.get("ELEVENLABS_API_KEY").map(str::to_owned);
        let index_key = env
            .get("CALLER_INDEX_KEY")
            .unwrap_or(&hmac_secret)
            .to_owned();
        if fetch_audio && elevenlabs_api_key.is_none() {
            return Err(ConfigError {
                var: "ELEVENLABS_API_KEY",
                problem: "is not set but FETCH_AUDIO=true".into(),
                purpose: "the ElevenLabs API key used to download call audio",
            });
        }
        let payloads = PayloadBackend::from_env(env)?;
        Ok(Self {
            common: Common::from_env(env)?,
            ingest_mode: IngestMode::from_env(env, &payloads)?,
            payloads,
            hmac_secret,
            tolerance: Tolerance {
                max_age_secs: env.parsed(
                    "SIGNATURE_MAX_AGE_SECS",
                    1_800i64,
                    "oldest accepted webhook signature, in seconds",
                )?,
                max_future_secs: env.parsed(
                    "SIGNATURE_MAX_FUTURE_SECS",
                    300i64,
                    "furthest a webhook signature may be in the future, in seconds",
                )?,
            },
            max_body_bytes: env.parsed(
                "MAX_BODY_BYTES",
                6 * 1024 * 1024usize,
                "largest accepted post-call body, in bytes",
            )?,
            elevenlabs_api_key,
            elevenlabs_api_url: env
                .get("ELEVENLABS_API_URL")
                .unwrap_or("https://api.elevenlabs.io")
                .trim_end_matches('/')
                .to_owned(),
            fetch_audio,
            ingest_concurrency: ingest_concurrency(env)?,
            index_key,
        })
    }
}

/// `INGEST_CONCURRENCY`: 1 to [`MAX_CONCURRENCY`] (more in flight could push
/// a call's snapshot out of the window the greeting reads).
fn ingest_concurrency(env: &Env) -> Result<usize, ConfigError> {
    const PURPOSE: &str = "memory adds in flight at once while ingesting a call";
    let n: usize = env.parsed("INGEST_CONCURRENCY", MAX_CONCURRENCY, PURPOSE)?;
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        Err(ConfigError {
            var: "INGEST_CONCURRENCY",
            problem: format!("must be from 1 to {MAX_CONCURRENCY}, not {n}"),
            purpose: PURPOSE,
        })
    }
}
