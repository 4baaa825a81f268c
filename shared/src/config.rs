//! Typed settings, read from the environment (and a `.env` file for local
//! runs). Each function asks only for what it needs, at cold start, and a
//! problem names the variable and what it is for.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::caller::{CallerId, Region};
use crate::signature::Tolerance;

/// A configuration problem, naming the variable and its purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var} {problem}: {purpose}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
    pub purpose: &'static str,
}

/// A snapshot of the environment. Built once; tests build their own.
#[derive(Debug, Clone, Default)]
pub struct Env(HashMap<String, String>);

impl Env {
    /// The process environment, after loading `.env` from the working
    /// directory if there is one, or the file `CALLER_MEMORY_ENV_FILE` names
    /// (real variables win over the file).
    pub fn load() -> Self {
        match std::env::var_os("CALLER_MEMORY_ENV_FILE") {
            Some(path) => {
                let _ = dotenvy::from_path(path);
            }
            None => {
                let _ = dotenvy::dotenv();
            }
        }
        Self(std::env::vars().collect())
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A variable's value; empty and whitespace-only values count as unset.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.0.get(var).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A variable's value even when set to the empty string (for settings
    /// where empty means "off").
    pub fn get_raw(&self, var: &str) -> Option<&str> {
        self.0.get(var).map(|v| v.trim())
    }

    /// Every variable and its value.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn set(&mut self, var: &str, value: &str) {
        self.0.insert(var.to_owned(), value.to_owned());
    }

    fn required(&self, var: &'static str, purpose: &'static str) -> Result<&str, ConfigError> {
        self.get(var).ok_or(ConfigError {
            var,
            problem: "is not set".into(),
            purpose,
        })
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        var: &'static str,
        default: T,
        purpose: &'static str,
    ) -> Result<T, ConfigError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| ConfigError {
                var,
                problem: format!("has an invalid value {v:?}"),
                purpose,
            }),
        }
    }

    /// Whether we run inside AWS Lambda. `LAMBDA_TASK_ROOT` tells the real
    /// service from `cargo lambda watch`, which sets only the function name.
    pub fn in_lambda(&self) -> bool {
        self.get("AWS_LAMBDA_FUNCTION_NAME").is_some() && self.get("LAMBDA_TASK_ROOT").is_some()
    }
}

/// Where memories live.
#[derive(Debug, Clone, PartialEq)]
pub enum MemoryBackend {
    OpenMemory {
        url: String,
        api_key: Option<String>,
        timeout: Duration,
    },
    Embedded {
        path: PathBuf,
    },
}

/// Whose memory a caller's calls build (`MEMORY_SCOPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryScope {
    /// One memory per phone number, shared by every agent.
    #[default]
    Caller,
    /// One memory per phone number and agent.
    Agent,
}

/// Settings every function shares.
#[derive(Debug, Clone)]
pub struct Common {
    pub region: Region,
    /// The business's own numbers (`AGENT_PHONE_NUMBERS`): never a
    /// customer; on an outbound call they are `system__caller_id`.
    pub agent_numbers: Vec<CallerId>,
    pub memory: MemoryBackend,
    pub scope: MemoryScope,
}

const OPENMEMORY_PURPOSE: &str =
    "the OpenMemory server that holds callers' memories (e.g. https://memory.example.com or a port on localhost)";

impl Common {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let region = match env.get("DEFAULT_PHONE_REGION") {
            None => Region::default(),
            Some(code) => Region::parse(code).ok_or(ConfigError {
                var: "DEFAULT_PHONE_REGION",
                problem: format!("is not an ISO country code: {code:?}"),
                purpose: "the region used to read phone numbers written without a country code (e.g. US, GB)",
            })?,
        };
        let scope = match env
            .get("MEMORY_SCOPE")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("caller") => MemoryScope::Caller,
            Some("agent") => MemoryScope::Agent,
            Some(other) => {
                return Err(ConfigError {
                    var: "MEMORY_SCOPE",
                    problem: format!("must be 'caller' or 'agent', not {other:?}"),
                    purpose: "whether a caller's memory is shared by all agents or kept per agent",
                })
            }
        };
        let mut agent_numbers = Vec::new();
        for raw in env.get("AGENT_PHONE_NUMBERS").unwrap_or("").split(',') {
            if raw.trim().is_empty() {
                continue;
            }
            agent_numbers.push(CallerId::normalise(raw, region).ok_or(ConfigError {
                var: "AGENT_PHONE_NUMBERS",
                problem: "holds an entry that is not a phone number".into(),
                purpose: "the business's own numbers, comma-separated E.164 (never treated as a customer)",
            })?);
        }
        Ok(Self {
            region,
            agent_numbers,
            memory: memory_backend(env)?,
            scope,
        })
    }
}

fn memory_backend(env: &Env) -> Result<MemoryBackend, ConfigError> {
    let url = match (env.get("OPENMEMORY_URL"), env.get("OPENMEMORY_PORT")) {
        (Some(url), _) => Some(("OPENMEMORY_URL", url.to_owned())),
        (None, Some(port)) if port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(("OPENMEMORY_PORT", format!("http://127.0.0.1:{port}")))
        }
        (None, Some(url)) => Some(("OPENMEMORY_PORT", url.to_owned())),
        (None, None) => None,
    };
    if let Some((var, url)) = url {
        let parsed = url::Url::parse(&url).map_err(|e| ConfigError {
            var,
            problem: format!("is not a URL ({e})"),
            purpose: OPENMEMORY_PURPOSE,
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError {
                var,
                problem: "must be an http:// or https:// URL".into(),
                purpose: OPENMEMORY_PURPOSE,
            });
        }
        // The API key and every caller's number travel with each request.
        let allow_http: bool = env.parsed(
            "OPENMEMORY_ALLOW_HTTP",
            false,
            "lets the functions reach OpenMemory over plain http:// inside Lambda (true/false)",
        )?;
        if env.in_lambda() && parsed.scheme() == "http" && !allow_http {
            return Err(ConfigError {
                var,
                problem: "is http:// inside AWS Lambda".into(),
                purpose: "callers' numbers and the API key would cross the network unencrypted; use https://, or set OPENMEMORY_ALLOW_HTTP=true for a server on a private network you trust",
            });
        }
        let timeout_ms = env.parsed(
            "OPENMEMORY_TIMEOUT_MS",
            2_000u64,
            "per-request timeout for OpenMemory calls, in milliseconds",
        )?;
        return Ok(MemoryBackend::OpenMemory {
            url: url.trim_end_matches('/').to_owned(),
            api_key: env.get("OPENMEMORY_KEY").map(str::to_owned),
            timeout: Duration::from_millis(timeout_ms),
        });
    }
    if env.in_lambda() {
        return Err(ConfigError {
            var: "OPENMEMORY_URL",
            problem: "is not set inside AWS Lambda".into(),
            purpose: "a Lambda instance's disk is private and temporary, so the embedded store would forget callers; point OPENMEMORY_URL at your OpenMemory server",
        });
    }
    let path = env
        .get("OPENMEMORY_DB_PATH")
        .unwrap_or(".dev/memory.sqlite3");
    Ok(MemoryBackend::Embedded {
        path: PathBuf::from(path),
    })
}

/// Where payloads are stored.
#[derive(Debug, Clone, PartialEq)]
pub enum PayloadBackend {
    S3 {
        bucket: String,
        /// An S3-compatible server's URL (`S3_ENDPOINT_URL`); AWS otherwise.
        endpoint: Option<String>,
        force_path_style: bool,
    },
    Local {
        path: PathBuf,
    },
}

impl PayloadBackend {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        if let Some(bucket) = env.get("PAYLOAD_BUCKET") {
            let endpoint = env.get("S3_ENDPOINT_URL").map(str::to_owned);
            let force_path_style = env.parsed(
                "S3_FORCE_PATH_STYLE",
                endpoint.is_some(),
                "path-style S3 addressing (true/false), needed by most S3-compatible servers",
            )?;
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                endpoint,
                force_path_style,
            });
        }
        if env.in_lambda() {
            return Err(ConfigError {
                var: "PAYLOAD_BUCKET",
                problem: "is not set inside AWS Lambda".into(),
                purpose: "the S3 bucket post-call webhooks are stored in; a Lambda's local disk is temporary",
            });
        }
        Ok(Self::Local {
            path: PathBuf::from(env.get("PAYLOAD_STORAGE_PATH").unwrap_or(".dev/payloads")),
        })
    }
}

/// An optional shared secret that ElevenLabs sends in a request header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSecret {
    /// Lower-case header name (`authorization` by default, where
    /// `Bearer <secret>` is accepted too).
    pub header: String,
    pub secret: String,
}

/// Shortest secret accepted inside Lambda (the template's `MinLength`).
pub const MIN_SECRET_CHARS: usize = 32;

impl SharedSecret {
    /// The secret of an unsigned webhook, failing closed: inside Lambda a
    /// missing or short secret stops the function at cold start, unless
    /// `ALLOW_UNAUTHENTICATED=true` says, explicitly and logged, that the
    /// endpoint is meant to be open (behind an authorizer, say). Locally
    /// (`make dev`, tests) a missing secret means no check.
    fn required(env: &Env, var: &'static str) -> Result<Option<Self>, ConfigError> {
        let allow_open: bool = env.parsed(
            "ALLOW_UNAUTHENTICATED",
            false,
            "lets client-data and search-data run without their shared secret in Lambda (true/false)",
        )?;
        let secret = Self::from_env(env, var)?;
        let purpose = "the shared secret ElevenLabs sends to this webhook (at least 32 characters); without it anyone who learns the URL reads callers' memories";
        match &secret {
            None if env.in_lambda() && !allow_open => Err(ConfigError {
                var,
                problem: "is not set (set ALLOW_UNAUTHENTICATED=true to run without it)".into(),
                purpose,
            }),
            Some(s) if env.in_lambda() && s.secret.chars().count() < MIN_SECRET_CHARS => {
                Err(ConfigError {
                    var,
                    problem: format!("is shorter than {MIN_SECRET_CHARS} characters"),
                    purpose,
                })
            }
            None => {
                tracing::warn!(
                    var,
                    "no shared secret: this webhook answers anyone (allowed locally or with ALLOW_UNAUTHENTICATED=true)"
                );
                Ok(None)
            }
            Some(_) => Ok(secret),
        }
    }

    fn from_env(env: &Env, var: &'static str) -> Result<Option<Self>, ConfigError> {
        let Some(secret) = env.get(var) else {
            return Ok(None);
        };
        let header = env
            .get("WEBHOOK_SECRET_HEADER")
            .unwrap_or("authorization")
            .to_ascii_lowercase();
        if http::HeaderName::from_bytes(header.as_bytes()).is_err() {
            return Err(ConfigError {
                var: "WEBHOOK_SECRET_HEADER",
                problem: format!("is not a valid header name: {header:?}"),
                purpose: "the request header ElevenLabs puts the webhook secret in",
            });
        }
        Ok(Some(Self {
            header,
            secret: secret.to_owned(),
        }))
    }
}

/// client-data's settings.
#[derive(Debug, Clone)]
pub struct ClientDataConfig {
    pub common: Common,
    pub secret: Option<SharedSecret>,
    /// Hard deadline for the memory lookup.
    pub deadline: Duration,
    pub default_user_name: String,
    pub default_profile_summary: String,
    pub default_last_call_summary: String,
    /// `{user_name}`, `{last_call_summary}`, `{last_call_date}` and
    /// `{previous_calls}` are filled in; empty disables the override.
    pub first_message_template: String,
    /// Used instead when the caller's name is not known.
    pub first_message_template_no_name: String,
    /// What the answer's `user_id` is (`ELEVENLABS_USER_ID`).
    pub user_id: UserIdMode,
    /// Override the agent's language with the caller's last language
    /// (`GREET_IN_CALLER_LANGUAGE`; the agent must allow the override).
    pub greet_in_caller_language: bool,
    /// Per language (`FIRST_MESSAGE_TEMPLATE_ES`, `…_NO_NAME_ES`): the
    /// first-message templates with and without a name.
    pub first_message_templates: std::collections::BTreeMap<String, (String, String)>,
}

/// What client-data tells ElevenLabs a known caller's `user_id` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserIdMode {
    /// The E.164 number (the default).
    E164,
    /// The caller index's keyed hash of the number, under this key.
    Hashed(Vec<u8>),
    /// No `user_id`.
    Off,
}

impl UserIdMode {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        const PURPOSE: &str = "the user_id client-data gives ElevenLabs for a known caller: e164 (the number), hashed (a keyed hash, needs CALLER_INDEX_KEY or ELEVENLABS_POST_CALL_KEY) or off";
        match env
            .get("ELEVENLABS_USER_ID")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("") | Some("e164") => Ok(Self::E164),
            Some("off") => Ok(Self::Off),
            Some("hashed") => env
                .get("CALLER_INDEX_KEY")
                .or_else(|| env.get("ELEVENLABS_POST_CALL_KEY"))
                .map(|k| Self::Hashed(k.as_bytes().to_vec()))
                .ok_or(ConfigError {
                    var: "CALLER_INDEX_KEY",
                    problem: "is not set but ELEVENLABS_USER_ID=hashed".into(),
                    purpose: PURPOSE,
                }),
            Some(other) => Err(ConfigError {
                var: "ELEVENLABS_USER_ID",
                problem: format!("must be e164, hashed or off, not {other:?}"),
                purpose: PURPOSE,
            }),
        }
    }

    /// The `user_id` of a known caller.
    pub fn of(&self, id: &CallerId) -> Option<String> {
        match self {
            Self::E164 => Some(id.as_str().to_owned()),
            Self::Hashed(key) => Some(id.keyed_hash(key)),
            Self::Off => None,
        }
    }
}

impl ClientDataConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let default_named = env
            .get_raw("FIRST_MESSAGE_TEMPLATE")
            .unwrap_or("Welcome back, {user_name}! How can I help you today?")
            .to_owned();
        let default_unnamed = env
            .get_raw("FIRST_MESSAGE_TEMPLATE_NO_NAME")
            .unwrap_or("Welcome back! How can I help you today?")
            .to_owned();
        let mut first_message_templates = std::collections::BTreeMap::new();
        for (var, value) in env.vars() {
            let Some(suffix) = var.strip_prefix("FIRST_MESSAGE_TEMPLATE_") else {
                continue;
            };
            let (unnamed, code) = match suffix.strip_prefix("NO_NAME_") {
                Some(code) => (true, code),
                None if suffix == "NO_NAME" => continue,
                None => (false, suffix),
            };
            let Some(code) = crate::untrusted::language_code(&code.replace('_', "-")) else {
                continue;
            };
            let entry = first_message_templates
                .entry(code)
                .or_insert_with(|| (String::new(), String::new()));
            if unnamed {
                entry.1 = value.trim().to_owned();
            } else {
                entry.0 = value.trim().to_owned();
            }
        }
        // A language with only one of the two uses it for both.
        for (named, unnamed) in first_message_templates.values_mut() {
            if named.is_empty() {
                named.clone_from(unnamed);
            } else if unnamed.is_empty() {
                unnamed.clone_from(named);
            }
        }
        Ok(Self {
            greet_in_caller_language: env.parsed(
                "GREET_IN_CALLER_LANGUAGE",
                false,
                "override the agent's language with the language of the caller's last call (true/false; the agent must allow the language override)",
            )?,
            first_message_templates,
            user_id: UserIdMode::from_env(env)?,
            common: Common::from_env(env)?,
            secret: SharedSecret::required(env, "ELEVENLABS_CLIENT_DATA_KEY")?,
            deadline: Duration::from_millis(env.parsed(
                "CLIENT_DATA_DEADLINE_MS",
                1_000u64,
                "how long client-data waits for memory before greeting as a new caller, in milliseconds",
            )?),
            default_user_name: env.get("DEFAULT_USER_NAME").unwrap_or("").to_owned(),
            default_profile_summary: env.get("DEFAULT_PROFILE_SUMMARY").unwrap_or("").to_owned(),
            default_last_call_summary: env.get("DEFAULT_LAST_CALL_SUMMARY").unwrap_or("").to_owned(),
            first_message_template: default_named,
            first_message_template_no_name: default_unnamed,
        })
    }
}

/// search-data's settings.
#[derive(Debug, Clone)]
pub struct SearchDataConfig {
    pub common: Common,
    pub secret: Option<SharedSecret>,
    pub deadline: Duration,
    pub default_limit: usize,
    pub max_limit: usize,
    /// Bound on the total characters of returned memories.
    pub max_chars: usize,
    /// Budget of the store's own query beside the listing; `None` = off.
    pub store_query: Option<Duration>,
}

impl SearchDataConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let common = Common::from_env(env)?;
        // Off for OpenMemory: v1.3.0's query scans every caller's vectors
        // (0.5–2.5 s at 6,000 memories) and reinforces what it returns, and
        // it did not change retrieval on the real-dialogue set. The
        // embedded store's full-text query is local and takes milliseconds.
        let default_query_ms = match common.memory {
            MemoryBackend::OpenMemory { .. } => 0u64,
            MemoryBackend::Embedded { .. } => 50,
        };
        let query_ms = env.parsed(
            "SEARCH_STORE_QUERY_MS",
            default_query_ms,
            "how long search-data lets the memory store's own query run beside the caller's listing, in milliseconds (0 = never query)",
        )?;
        Ok(Self {
            store_query: (query_ms > 0).then(|| Duration::from_millis(query_ms)),
            common,
            secret: SharedSecret::required(env, "ELEVENLABS_SEARCH_DATA_KEY")?,
            deadline: Duration::from_millis(env.parsed(
                "SEARCH_DATA_DEADLINE_MS",
                3_000u64,
                "how long search-data waits for memory before answering a tool error, in milliseconds",
            )?),
            default_limit: env.parsed("SEARCH_DEFAULT_LIMIT", 5usize, "memories returned when the tool sends no limit")?,
            max_limit: env.parsed("SEARCH_MAX_LIMIT", 20usize, "the most memories one search returns")?,
            max_chars: env.parsed("SEARCH_MAX_CHARS", 2_000usize, "the most characters of memories one search returns")?,
        })
    }
}

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
            ingest_concurrency: env
                .parsed(
                    "INGEST_CONCURRENCY",
                    32usize,
                    "memory adds in flight at once while ingesting a call",
                )?
                .max(1),
            index_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_call_names_the_missing_secret() {
        let err = PostCallConfig::from_env(&Env::default()).unwrap_err();
        assert_eq!(err.var, "ELEVENLABS_POST_CALL_KEY");
        assert!(err.to_string().contains("HMAC secret"), "{err}");
    }

    #[test]
    fn openmemory_port_is_a_port_or_a_url() {
        let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_PORT", "8080")])).unwrap();
        assert!(
            matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "http://127.0.0.1:8080")
        );
        let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_PORT", "http://om:9/")])).unwrap();
        assert!(
            matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "http://om:9")
        );
        let c = Common::from_env(&Env::from_pairs([
            ("OPENMEMORY_URL", "https://a"),
            ("OPENMEMORY_PORT", "1"),
        ]))
        .unwrap();
        assert!(
            matches!(c.memory, MemoryBackend::OpenMemory { ref url, .. } if url == "https://a")
        );
        let err = Common::from_env(&Env::from_pairs([("OPENMEMORY_URL", "ftp://x")])).unwrap_err();
        assert_eq!(err.var, "OPENMEMORY_URL");
    }

    #[test]
    fn openmemory_in_lambda_takes_https_unless_plain_http_is_allowed() {
        let lambda = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = vec![
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("LAMBDA_TASK_ROOT", "/var/task"),
                ("OPENMEMORY_URL", "http://10.0.0.5:8080"),
            ];
            pairs.extend_from_slice(extra);
            Common::from_env(&Env::from_pairs(pairs))
        };
        assert_eq!(lambda(&[]).unwrap_err().var, "OPENMEMORY_URL");
        assert!(lambda(&[("OPENMEMORY_ALLOW_HTTP", "true")]).is_ok());
        assert!(lambda(&[("OPENMEMORY_URL", "https://memory.example.com")]).is_ok());
        // Locally (make dev, tests) a loopback server over http is normal.
        assert!(
            Common::from_env(&Env::from_pairs([("OPENMEMORY_URL", "http://127.0.0.1:1")])).is_ok()
        );
    }

    #[test]
    fn the_store_query_is_off_for_openmemory_and_budgeted_for_the_embedded_store() {
        let om = SearchDataConfig::from_env(&Env::from_pairs([(
            "OPENMEMORY_URL",
            "http://127.0.0.1:1",
        )]))
        .unwrap();
        assert_eq!(om.store_query, None);
        let embedded = SearchDataConfig::from_env(&Env::default()).unwrap();
        assert_eq!(embedded.store_query, Some(Duration::from_millis(50)));
        let set = SearchDataConfig::from_env(&Env::from_pairs([
            ("OPENMEMORY_URL", "http://127.0.0.1:1"),
            ("SEARCH_STORE_QUERY_MS", "30"),
        ]))
        .unwrap();
        assert_eq!(set.store_query, Some(Duration::from_millis(30)));
        let off =
            SearchDataConfig::from_env(&Env::from_pairs([("SEARCH_STORE_QUERY_MS", "0")])).unwrap();
        assert_eq!(off.store_query, None);
    }

    #[test]
    fn ingestion_is_inline_locally_and_event_driven_with_s3() {
        let key = ("ELEVENLABS_POST_CALL_KEY", "k");
        let local = PostCallConfig::from_env(&Env::from_pairs([key])).unwrap();
        assert_eq!(local.ingest_mode, IngestMode::Inline);
        let s3 =
            PostCallConfig::from_env(&Env::from_pairs([key, ("PAYLOAD_BUCKET", "b")])).unwrap();
        assert_eq!(s3.ingest_mode, IngestMode::Event);
        let set = PostCallConfig::from_env(&Env::from_pairs([key, ("INGEST_MODE", "background")]))
            .unwrap();
        assert_eq!(set.ingest_mode, IngestMode::Background);
        let err = PostCallConfig::from_env(&Env::from_pairs([
            key,
            ("INGEST_MODE", "background"),
            ("PAYLOAD_BUCKET", "b"),
            ("OPENMEMORY_URL", "https://m"),
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "INGEST_MODE");
        let err = PostCallConfig::from_env(&Env::from_pairs([key, ("INGEST_MODE", "later")]))
            .unwrap_err();
        assert_eq!(err.var, "INGEST_MODE");
    }

    #[test]
    fn embedded_store_is_the_default_but_not_in_lambda() {
        let c = Common::from_env(&Env::from_pairs([("OPENMEMORY_DB_PATH", "/tmp/x.db")])).unwrap();
        assert_eq!(
            c.memory,
            MemoryBackend::Embedded {
                path: "/tmp/x.db".into()
            }
        );
        let err = Common::from_env(&Env::from_pairs([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "OPENMEMORY_URL");
        let err = PayloadBackend::from_env(&Env::from_pairs([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "PAYLOAD_BUCKET");
    }

    #[test]
    fn payloads_go_to_s3_when_a_bucket_is_set() {
        let p = PayloadBackend::from_env(&Env::from_pairs([
            ("PAYLOAD_BUCKET", "b"),
            ("S3_ENDPOINT_URL", "http://127.0.0.1:8333"),
        ]))
        .unwrap();
        assert_eq!(
            p,
            PayloadBackend::S3 {
                bucket: "b".into(),
                endpoint: Some("http://127.0.0.1:8333".into()),
                force_path_style: true
            }
        );
        let p = PayloadBackend::from_env(&Env::from_pairs([("PAYLOAD_STORAGE_PATH", "/tmp/p")]))
            .unwrap();
        assert_eq!(
            p,
            PayloadBackend::Local {
                path: "/tmp/p".into()
            }
        );
    }

    #[test]
    fn invalid_values_name_their_variable() {
        for (var, value) in [
            ("DEFAULT_PHONE_REGION", "Narnia"),
            ("MEMORY_SCOPE", "everyone"),
            ("CLIENT_DATA_DEADLINE_MS", "soon"),
            ("WEBHOOK_SECRET_HEADER", "bad header"),
        ] {
            let env = Env::from_pairs([(var, value), ("ELEVENLABS_CLIENT_DATA_KEY", "s")]);
            let err = ClientDataConfig::from_env(&env).unwrap_err();
            assert_eq!(err.var, var);
        }
    }

    #[test]
    fn secrets_are_optional_for_the_unsigned_webhooks() {
        let c = ClientDataConfig::from_env(&Env::default()).unwrap();
        assert!(c.secret.is_none());
        assert_eq!(c.deadline, Duration::from_secs(1));
        let c = SearchDataConfig::from_env(&Env::from_pairs([("ELEVENLABS_SEARCH_DATA_KEY", "k")]))
            .unwrap();
        assert_eq!(
            c.secret,
            Some(SharedSecret {
                header: "authorization".into(),
                secret: "k".into()
            })
        );
    }

    #[test]
    fn unsigned_webhooks_fail_closed_in_lambda() {
        let lambda = |extra: &[(&str, &str)]| {
            let mut env = Env::from_pairs([
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("LAMBDA_TASK_ROOT", "/var/task"),
                ("OPENMEMORY_URL", "https://memory.example.com"),
            ]);
            for (k, v) in extra {
                env.set(k, v);
            }
            env
        };
        let err = ClientDataConfig::from_env(&lambda(&[])).unwrap_err();
        assert_eq!(err.var, "ELEVENLABS_CLIENT_DATA_KEY");
        let err = SearchDataConfig::from_env(&lambda(&[])).unwrap_err();
        assert_eq!(err.var, "ELEVENLABS_SEARCH_DATA_KEY");
        let short = [("ELEVENLABS_SEARCH_DATA_KEY", "too-short")];
        assert!(SearchDataConfig::from_env(&lambda(&short)).is_err());
        let long = "k".repeat(MIN_SECRET_CHARS);
        let c = SearchDataConfig::from_env(&lambda(&[("ELEVENLABS_SEARCH_DATA_KEY", &long)]));
        assert!(c.unwrap().secret.is_some());
        let open = [("ALLOW_UNAUTHENTICATED", "true")];
        assert!(ClientDataConfig::from_env(&lambda(&open))
            .unwrap()
            .secret
            .is_none());
        let bad = [("ALLOW_UNAUTHENTICATED", "maybe")];
        assert_eq!(
            ClientDataConfig::from_env(&lambda(&bad)).unwrap_err().var,
            "ALLOW_UNAUTHENTICATED"
        );
    }

    #[test]
    fn an_empty_first_message_template_disables_the_override() {
        let c =
            ClientDataConfig::from_env(&Env::from_pairs([("FIRST_MESSAGE_TEMPLATE", "")])).unwrap();
        assert_eq!(c.first_message_template, "");
        let c = ClientDataConfig::from_env(&Env::default()).unwrap();
        assert!(c.first_message_template.contains("{user_name}"));
    }

    #[test]
    fn fetching_audio_needs_the_api_key() {
        let env = Env::from_pairs([("ELEVENLABS_POST_CALL_KEY", "k"), ("FETCH_AUDIO", "true")]);
        assert_eq!(
            PostCallConfig::from_env(&env).unwrap_err().var,
            "ELEVENLABS_API_KEY"
        );
    }
}
