//! client-data's settings: deadline, defaults, first-message templates, the `user_id` it gives ElevenLabs.

use crate::caller::CallerId;
use std::time::Duration;

use super::{Common, ConfigError, Env, SharedSecret};

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
