//! The conversation-initiation ("client data") webhook: what ElevenLabs sends
//! while an inbound call rings, and what we answer.

use serde::{Deserialize, Serialize};

/// The request body. Every field may be missing: SIP trunks can omit the
/// caller id, and a withheld number arrives empty or as a word.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct ClientDataRequest {
    #[serde(default)]
    pub caller_id: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub called_number: Option<String>,
    #[serde(default)]
    pub call_sid: Option<String>,
}

/// The dynamic variables we define. All three are always sent: an agent
/// that defines a variable fails the call when the answer lacks it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct DynamicVariables {
    pub user_name: String,
    pub user_profile_summary: String,
    pub last_call_summary: String,
    /// The language of the caller's last call (`es`), empty when unknown.
    pub caller_language: String,
}

/// The answer. `type` must be present or ElevenLabs silently fails the call.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ClientDataResponse {
    #[serde(rename = "type")]
    pub kind: String,
    /// ElevenLabs' end-user id: groups a caller's conversations on its Users
    /// page and in the conversations API. Only for a known caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub dynamic_variables: DynamicVariables,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_config_override: Option<ConfigOverride>,
}

/// Only the overrides we use; a field left out is not overridden.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct ConfigOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentOverride>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct AgentOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl ClientDataResponse {
    pub const TYPE: &'static str = "conversation_initiation_client_data";

    /// An answer with these variables and, if given, a first message.
    pub fn new(dynamic_variables: DynamicVariables, first_message: Option<String>) -> Self {
        Self {
            kind: Self::TYPE.to_owned(),
            user_id: None,
            dynamic_variables,
            conversation_config_override: first_message.map(|m| ConfigOverride {
                agent: Some(AgentOverride {
                    first_message: Some(m),
                    language: None,
                }),
            }),
        }
    }
}
