//! Whose memory a request touches: the one resolver from what ElevenLabs
//! says about a call to a [`MemoryUser`], or the reason there is none.
//! client-data, search-data, ingestion and the admin commands all ask
//! [`Identity`], so "who is calling" is decided once.

use std::fmt;

use crate::caller::{Caller, CallerId, Region};
use crate::models::TranscriptionData;

/// Whose memory a caller's calls build (`MEMORY_SCOPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryScope {
    /// One memory per phone number, shared by every agent.
    #[default]
    Caller,
    /// One memory per phone number and agent.
    Agent,
}

/// How a deployment tells its callers apart (from its settings).
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// How numbers without a country code are read (`DEFAULT_PHONE_REGION`).
    pub region: Region,
    /// The business's own numbers (`AGENT_PHONE_NUMBERS`): never a
    /// customer; on an outbound call they are `system__caller_id`.
    pub agent_numbers: Vec<CallerId>,
    pub scope: MemoryScope,
}

/// The answer to "whose memory?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Caller { id: CallerId, user: MemoryUser },
    Nobody(NoMemory),
}

/// Why a request touches no memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMemory {
    /// Withheld, unknown or not a phone number; or the business's own.
    UnknownCaller,
    /// `MEMORY_SCOPE=agent`, and the request names no agent.
    NoAgentForScope { caller: CallerId },
}

impl NoMemory {
    /// The outcome label in logs.
    pub fn label(&self) -> &'static str {
        match self {
            Self::UnknownCaller => "unknown_caller",
            Self::NoAgentForScope { .. } => "no_agent_for_scope",
        }
    }

    /// The caller's masked number, when there is one.
    pub fn masked(&self) -> Option<String> {
        match self {
            Self::UnknownCaller => None,
            Self::NoAgentForScope { caller } => Some(caller.masked()),
        }
    }
}

impl Identity {
    /// A live call, as client-data and the search tool see it:
    /// `system__caller_id` (and on an outbound call `system__called_number`).
    pub fn of_live_call(
        &self,
        caller_id: &str,
        called: Option<&str>,
        agent_id: Option<&str>,
    ) -> Who {
        let caller = Caller::of_tool_call(caller_id, called, self.region, &self.agent_numbers);
        self.who(caller, agent_id)
    }

    /// A finished call, from its transcription.
    pub fn of_finished_call(&self, call: &TranscriptionData) -> Who {
        self.who(Caller::of_call(call, self.region), call.agent_id.as_deref())
    }

    /// Every memory a known number may have: one, or one per agent seen.
    pub fn users_of(
        &self,
        id: &CallerId,
        agents: impl IntoIterator<Item = String>,
    ) -> Vec<MemoryUser> {
        match self.scope {
            MemoryScope::Caller => vec![MemoryUser::caller(id)],
            MemoryScope::Agent => {
                let agents: std::collections::BTreeSet<String> = agents.into_iter().collect();
                agents
                    .iter()
                    .map(|a| MemoryUser::caller_at_agent(id, a))
                    .collect()
            }
        }
    }

    fn who(&self, caller: Caller, agent_id: Option<&str>) -> Who {
        let Caller::Known(id) = caller else {
            return Who::Nobody(NoMemory::UnknownCaller);
        };
        match MemoryUser::scoped(&id, self.scope, agent_id) {
            Some(user) => Who::Caller { id, user },
            None => Who::Nobody(NoMemory::NoAgentForScope { caller: id }),
        }
    }
}

/// The id memories are stored under: the caller's E.164 number, or with
/// `MEMORY_SCOPE=agent` the number and the agent, so one number calling two
/// businesses on one deployment keeps two memories.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MemoryUser(String);

impl MemoryUser {
    pub fn caller(id: &CallerId) -> Self {
        Self(id.as_str().to_owned())
    }

    pub fn caller_at_agent(id: &CallerId, agent_id: &str) -> Self {
        Self(format!("{}@{agent_id}", id.as_str()))
    }

    /// The memory a caller's call belongs to under `scope`. With agent
    /// scope and no agent id there is no safe choice, so `None`.
    pub fn scoped(id: &CallerId, scope: MemoryScope, agent_id: Option<&str>) -> Option<Self> {
        match (scope, agent_id.map(str::trim).filter(|a| !a.is_empty())) {
            (MemoryScope::Caller, _) => Some(Self::caller(id)),
            (MemoryScope::Agent, Some(agent)) => Some(Self::caller_at_agent(id, agent)),
            (MemoryScope::Agent, None) => None,
        }
    }

    /// The raw `user_id` sent to the store. Contains a phone number: never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MemoryUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemoryUser({})", crate::caller::mask(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(scope: MemoryScope) -> Identity {
        Identity {
            agent_numbers: vec![CallerId::normalise("+15550009999", Region::default()).unwrap()],
            scope,
            ..Identity::default()
        }
    }

    #[test]
    fn a_live_caller_is_their_number_and_the_business_is_nobody() {
        let ids = identity(MemoryScope::Caller);
        let Who::Caller { user, .. } = ids.of_live_call("+15550001111", None, None) else {
            panic!("a known caller");
        };
        assert_eq!(user.as_str(), "+15550001111");
        assert_eq!(
            ids.of_live_call("+15550009999", None, None),
            Who::Nobody(NoMemory::UnknownCaller)
        );
        // Outbound: the customer is the called number.
        let Who::Caller { user, .. } = ids.of_live_call("+15550009999", Some("+15550002222"), None)
        else {
            panic!("the called customer");
        };
        assert_eq!(user.as_str(), "+15550002222");
        assert_eq!(
            ids.of_live_call("anonymous", None, None),
            Who::Nobody(NoMemory::UnknownCaller)
        );
    }

    #[test]
    fn agent_scope_needs_an_agent_and_keeps_agents_apart() {
        let ids = identity(MemoryScope::Agent);
        let nobody = ids.of_live_call("+15550001111", None, Some("  "));
        assert_eq!(
            nobody.clone(),
            Who::Nobody(NoMemory::NoAgentForScope {
                caller: CallerId::normalise("+15550001111", Region::default()).unwrap()
            })
        );
        let Who::Nobody(why) = nobody else {
            unreachable!()
        };
        assert_eq!(why.label(), "no_agent_for_scope");
        assert!(why.masked().is_some_and(|m| !m.contains("0001111")));
        let a = ids.of_live_call("+15550001111", None, Some("agent_a"));
        let b = ids.of_live_call("+15550001111", None, Some("agent_b"));
        assert_ne!(a, b);
        let id = CallerId::normalise("+15550001111", Region::default()).unwrap();
        let users = ids.users_of(&id, ["agent_b".into(), "agent_a".into(), "agent_b".into()]);
        assert_eq!(users.len(), 2);
        assert_eq!(identity(MemoryScope::Caller).users_of(&id, []).len(), 1);
    }
}
