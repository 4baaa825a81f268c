//! Typed settings, read from the environment (and a `.env` file for local
//! runs). Each function asks only for what it needs, at cold start, and a
//! problem names the variable and what it is for.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::caller::{CallerId, Region};

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

pub use crate::memory::{Identity, MemoryScope};

/// Settings every function shares.
#[derive(Debug, Clone)]
pub struct Common {
    /// Who is calling, and whose memory that is.
    pub identity: Identity,
    pub memory: MemoryBackend,
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
            identity: Identity {
                region,
                agent_numbers,
                scope,
            },
            memory: memory_backend(env)?,
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

mod client_data;
mod post_call;
mod search_data;

pub use client_data::{ClientDataConfig, UserIdMode};
pub use post_call::{IngestMode, PostCallConfig};
pub use search_data::SearchDataConfig;

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
