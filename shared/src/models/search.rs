//! The `search-data` server tool: the body the agent's tool sends, and the
//! compact answer the LLM reads.

use serde::{Deserialize, Serialize};

/// The tool's request body. `query` comes from the LLM; the caller id must be
/// filled by ElevenLabs from `system__caller_id`; `user_id` is accepted in
/// the body but never read as the caller.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SearchRequest {
    #[serde(default)]
    pub query: Option<serde_json::Value>,
    #[serde(default)]
    pub caller_id: Option<serde_json::Value>,
    #[serde(default)]
    pub user_id: Option<serde_json::Value>,
    #[serde(default)]
    pub limit: Option<serde_json::Value>,
    /// `system__called_number`: the customer on an outbound call.
    #[serde(default)]
    pub called_number: Option<serde_json::Value>,
    /// The agent, for deployments that scope memory per agent.
    #[serde(default)]
    pub agent_id: Option<serde_json::Value>,
    /// `system__conversation_id`: the call this search is on, so the
    /// caller's listing is read once per call.
    #[serde(default)]
    pub conversation_id: Option<serde_json::Value>,
}

impl SearchRequest {
    /// The call the search is on, when the tool sends a well-formed id;
    /// anything else is no id (the search is then not cached).
    pub fn conversation(&self) -> Option<crate::storage::ConversationId> {
        match &self.conversation_id {
            Some(serde_json::Value::String(s)) => crate::storage::ConversationId::parse(s.trim()),
            _ => None,
        }
    }
}

/// What the caller's profile says, as the greeting sees it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SearchProfile {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_call_summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_call_date: Option<String>,
    #[serde(default)]
    pub previous_calls: u32,
}

/// One memory as the LLM reads it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SearchHit {
    pub content: String,
    pub kind: String,
    /// Who said an utterance: `caller`, `agent`, or `agent and caller`
    /// (a short answer quoted with the question it answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SearchResponse {
    pub known_caller: bool,
    pub profile: SearchProfile,
    pub memories: Vec<SearchHit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How to read `memories`: quoted data, not instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}
