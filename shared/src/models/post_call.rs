//! Post-call webhooks: the signed envelope and its three known event types.
//!
//! The envelope is parsed in two steps so that each type borrows what it can
//! from the raw body: an audio event's base64 string is never copied.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{nesting_within, null_as_default, MAX_JSON_DEPTH};

/// A parsed post-call webhook.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The `type` exactly as sent.
    pub kind: String,
    pub event_timestamp: Option<i64>,
    pub event: PostCallEvent<'a>,
}

/// What the webhook carries, by `type`.
#[derive(Debug)]
pub enum PostCallEvent<'a> {
    Transcription(Box<TranscriptionData>),
    Audio(AudioData<'a>),
    CallInitiationFailure(CallInitiationFailureData),
    /// A type this version does not know: kept (stored), not rejected.
    Unknown {
        conversation_id: Option<String>,
    },
}

impl PostCallEvent<'_> {
    /// The conversation this event belongs to, if it names one.
    pub fn conversation_id(&self) -> Option<&str> {
        match self {
            Self::Transcription(t) => Some(&t.conversation_id),
            Self::Audio(a) => Some(&a.conversation_id),
            Self::CallInitiationFailure(f) => Some(&f.conversation_id),
            Self::Unknown { conversation_id } => conversation_id.as_deref(),
        }
    }
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    event_timestamp: Option<i64>,
    #[serde(borrow)]
    data: &'a RawValue,
}

#[derive(Deserialize)]
struct UnknownData {
    #[serde(default)]
    conversation_id: Option<String>,
}

impl<'a> Envelope<'a> {
    /// Parses a webhook body. Fails only when the envelope itself is not
    /// usable (not JSON, not an object, nested deeper than
    /// [`MAX_JSON_DEPTH`], no `type` or `data`, or a known type whose `data`
    /// is not an object or lacks what we need).
    pub fn parse(body: &'a [u8]) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        // `data` is first read as a RawValue, which serde_json skips over
        // without counting depth; so do unknown fields. Check it here.
        if !nesting_within(body, MAX_JSON_DEPTH) {
            return Err(serde_json::Error::custom(format!(
                "recursion limit exceeded: the JSON nests deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        // serde reads a struct from an array too, field by field in order;
        // a webhook is an object, and so is a known type's `data`.
        if !starts_object(body) {
            return Err(serde_json::Error::custom(
                "the webhook body must be a JSON object",
            ));
        }
        let raw: RawEnvelope<'a> = serde_json::from_slice(body)?;
        let data = raw.data.get();
        let known = matches!(
            raw.kind.as_str(),
            "post_call_transcription" | "post_call_audio" | "call_initiation_failure"
        );
        if known && !starts_object(data.as_bytes()) {
            return Err(serde_json::Error::custom(format!(
                "`data` of a {} webhook must be a JSON object",
                raw.kind
            )));
        }
        let event = match raw.kind.as_str() {
            "post_call_transcription" => {
                PostCallEvent::Transcription(Box::new(serde_json::from_str(data)?))
            }
            "post_call_audio" => PostCallEvent::Audio(serde_json::from_str(data)?),
            "call_initiation_failure" => {
                PostCallEvent::CallInitiationFailure(serde_json::from_str(data)?)
            }
            _ => PostCallEvent::Unknown {
                conversation_id: starts_object(data.as_bytes())
                    .then(|| serde_json::from_str::<UnknownData>(data).ok())
                    .flatten()
                    .and_then(|d| d.conversation_id),
            },
        };
        Ok(Self {
            kind: raw.kind,
            event_timestamp: raw.event_timestamp,
            event,
        })
    }
}

/// The two fields post-call reads before storing a webhook: its `type` and
/// `data.conversation_id`. Everything else is parsed after the raw body is
/// safe, so a field that drifts in type cannot lose a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub kind: String,
    pub conversation_id: Option<String>,
}

impl Head {
    /// Reads the head, or says in fixed words (never quoting the body) why
    /// this is not a webhook envelope.
    pub fn parse(body: &[u8]) -> Result<Self, &'static str> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(rename = "type")]
            kind: String,
            #[serde(borrow)]
            data: &'a RawValue,
        }
        if !nesting_within(body, MAX_JSON_DEPTH) {
            return Err("the JSON nests too deeply");
        }
        if !starts_object(body) {
            return Err("the body must be a JSON object");
        }
        let raw: Raw<'_> = serde_json::from_slice(body)
            .map_err(|_| "the body is not a JSON object with a string `type` and a `data`")?;
        let data = raw.data.get();
        let conversation_id = starts_object(data.as_bytes())
            .then(|| serde_json::from_str::<UnknownData>(data).ok())
            .flatten()
            .and_then(|d| d.conversation_id);
        Ok(Self {
            kind: raw.kind,
            conversation_id,
        })
    }
}

/// Whether JSON text opens an object (after any leading whitespace).
fn starts_object(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// `data` of `post_call_transcription`: the whole conversation.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct TranscriptionData {
    #[serde(default)]
    pub agent_id: Option<String>,
    pub conversation_id: String,
    #[serde(default)]
    pub status: Option<String>,
    /// Set by web and SDK sessions; `null` on phone calls.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub transcript: Vec<TranscriptTurn>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default, deserialize_with = "null_as_default")]
    pub analysis: Analysis,
    #[serde(default, deserialize_with = "null_as_default")]
    pub conversation_initiation_client_data: InitiationData,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub has_audio: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub has_user_audio: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub has_response_audio: Option<bool>,
}

impl TranscriptionData {
    /// The call's start, in unix seconds, if known.
    pub fn start_time(&self) -> Option<i64> {
        self.metadata.start_time_unix_secs
    }

    /// The `user_id` the conversation ran under: `data.user_id`, else the
    /// one the initiation answer set.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id
            .as_deref()
            .or(self.conversation_initiation_client_data.user_id.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A dynamic variable's value as a string, if it is one.
    pub fn dynamic_variable(&self, name: &str) -> Option<&str> {
        self.conversation_initiation_client_data
            .dynamic_variables
            .get(name)
            .and_then(Value::as_str)
    }
}

/// Who spoke a turn.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Agent,
    #[default]
    #[serde(other)]
    Other,
}

/// One turn of the transcript.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct TranscriptTurn {
    #[serde(default, deserialize_with = "null_as_default")]
    pub role: Role,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub time_in_call_secs: Option<f64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_calls: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_results: Vec<Value>,
    #[serde(default)]
    pub interrupted: Option<bool>,
}

/// `data.metadata`: only the fields we use.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Metadata {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub start_time_unix_secs: Option<i64>,
    #[serde(default)]
    pub call_duration_secs: Option<f64>,
    #[serde(default)]
    pub termination_reason: Option<String>,
    /// Absent (or `null`) for web calls.
    #[serde(default)]
    pub phone_call: Option<PhoneCall>,
    /// The language the conversation was held in (newer agents), e.g. `es`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub main_language: Option<String>,
}

/// `metadata.phone_call`.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
pub struct PhoneCall {
    /// `twilio`, `sip_trunking`, `exotel`, …
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `inbound` or `outbound`.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub agent_number: Option<String>,
    #[serde(default)]
    pub external_number: Option<String>,
    #[serde(default)]
    pub call_sid: Option<String>,
}

/// `data.analysis`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Analysis {
    #[serde(default)]
    pub call_successful: Option<String>,
    #[serde(default)]
    pub transcript_summary: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub data_collection_results: BTreeMap<String, DataCollectionResult>,
    #[serde(default)]
    pub evaluation_criteria_results: Option<Value>,
}

/// One data-collection result; `value` may be any JSON type, or `null`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct DataCollectionResult {
    #[serde(default)]
    pub data_collection_id: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub rationale: Option<String>,
}

/// `data.conversation_initiation_client_data`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct InitiationData {
    #[serde(default, deserialize_with = "null_as_default")]
    pub dynamic_variables: BTreeMap<String, Value>,
    #[serde(default)]
    pub user_id: Option<String>,
}

/// `data` of `post_call_audio`. `full_audio` borrows from the body when it
/// has no JSON escapes (base64 never needs any), so it is not copied.
#[derive(Debug, Deserialize)]
pub struct AudioData<'a> {
    #[serde(default)]
    pub agent_id: Option<String>,
    pub conversation_id: String,
    #[serde(borrow)]
    pub full_audio: Cow<'a, str>,
}

/// `data` of `call_initiation_failure`.
#[derive(Debug, Clone, Deserialize)]
pub struct CallInitiationFailureData {
    #[serde(default)]
    pub agent_id: Option<String>,
    pub conversation_id: String,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// Accepts an integer, a float (truncated) or a numeric string.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    })
}

/// A flag as a boolean, or the strings "true"/"false"; anything else is
/// unknown rather than a reason to drop the call.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => s.trim().parse::<bool>().ok(),
        _ => None,
    })
}

/// A string, or nothing for any other type.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        _ => None,
    })
}
