//! Who said a remembered turn: the caller, the agent, or both (a short
//! answer kept with the agent turn it answers).

use serde_json::{Map, Value};

use super::{Memory, NewMemory};

/// Who said an utterance; stored as metadata `speaker` (absent: the caller,
/// as every utterance was before agent turns were kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speaker {
    Caller,
    Agent,
    /// An exchange: the agent's turn and the caller's short answer.
    Both,
}

impl Speaker {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Agent => "agent",
            Self::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Caller, Self::Agent, Self::Both]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

const AGENT_LABEL: &str = "Agent: ";
const CALLER_LABEL: &str = " Caller: ";

/// The text of an exchange: both turns, labelled, so it reads on its own
/// to an LLM and to a store's embedding.
pub fn exchange_text(agent: &str, caller: &str) -> String {
    format!("{AGENT_LABEL}{agent}{CALLER_LABEL}{caller}")
}

/// The two turns of an exchange's text, without their labels.
pub fn exchange_parts(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(AGENT_LABEL)?;
    rest.rsplit_once(CALLER_LABEL)
}

/// The metadata key that says who spoke.
pub(crate) const SPEAKER_KEY: &str = "speaker";

fn speaker_in(metadata: &Map<String, Value>) -> Speaker {
    metadata
        .get(SPEAKER_KEY)
        .and_then(Value::as_str)
        .and_then(Speaker::parse)
        .unwrap_or(Speaker::Caller)
}

impl NewMemory {
    /// Who said it, as [`Memory::speaker`] will read it back.
    pub fn speaker(&self) -> Speaker {
        speaker_in(&self.extra)
    }
}

impl Memory {
    /// Who said it (a fact, summary or snapshot: the caller's).
    pub fn speaker(&self) -> Speaker {
        speaker_in(&self.metadata)
    }

    /// The transcript turns it stands for: its own, and for an exchange
    /// the agent turn it answers.
    pub fn turns(&self) -> impl Iterator<Item = u32> + '_ {
        let context = self
            .metadata
            .get("context_turn")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok());
        self.turn.into_iter().chain(context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exchange_splits_back_into_its_turns() {
        let text = exchange_text("So that's 12 Elm Street now?", "Yes.");
        assert_eq!(text, "Agent: So that's 12 Elm Street now? Caller: Yes.");
        assert_eq!(
            exchange_parts(&text),
            Some(("So that's 12 Elm Street now?", "Yes."))
        );
        // The caller may quote the label; the last one separates.
        let text = exchange_text("Say \"Caller: x\"?", "Caller: x");
        assert_eq!(exchange_parts(&text).unwrap().1, "x");
        assert_eq!(exchange_parts("Caller: yes"), None);
    }

    #[test]
    fn speakers_round_trip_and_default_to_the_caller() {
        for s in [Speaker::Caller, Speaker::Agent, Speaker::Both] {
            assert_eq!(Speaker::parse(s.as_str()), Some(s));
        }
        assert_eq!(Speaker::parse("system"), None);
    }
}
