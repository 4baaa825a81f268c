//! One call being written: the transcript turns as they are said, each
//! statement of a fact recorded with its turn, and the call's course
//! (greeting, small talk, a lookup, the reason, the extras, the goodbye).
//!
//! What is said lives beside it: `reasons` (why callers call), `changes`
//! (the calls that change a fact), `register` (the first call), `extras`
//! (what else comes up), `webhook` (the body ElevenLabs sends).

mod changes;
mod extras;
mod reasons;
mod register;
mod webhook;

use serde_json::{json, Value};

use super::bank::{self, NameChange, Persona};
use super::facts::{Key, Stated};
use super::life::Life;
use super::plan::{Main, Plan};
use super::rng::Rng;
use super::words::{cap, date_of, said};
use super::world::{AGENT_NAME, CLINIC};

/// What the clinic knows of the caller when a call starts.
pub(crate) struct Known {
    first: &'static str,
    last: &'static str,
    last_summary: String,
}

impl Known {
    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

impl Known {
    /// What the clinic knows before the first call: the name as speech
    /// recognition first hears it.
    pub(crate) fn new(persona: &Persona) -> Self {
        Self {
            first: match persona.change {
                NameChange::Spelling { heard, .. } => heard,
                _ => persona.first,
            },
            last: persona.last,
            last_summary: String::new(),
        }
    }
}

/// One call being written.
pub(crate) struct Script<'a> {
    rng: &'a mut Rng,
    life: &'a Life,
    index: usize,
    turns: Vec<Value>,
    secs: u32,
    stated: &'a mut Vec<Stated>,
    summary: Vec<String>,
    reasons: Vec<u32>,
    reason_value: &'static str,
}

impl<'a> Script<'a> {
    /// The `index`-th call of `life`'s year, drawing from `rng` and
    /// recording its statements into `stated`.
    pub(crate) fn new(
        rng: &'a mut Rng,
        life: &'a Life,
        index: usize,
        stated: &'a mut Vec<Stated>,
    ) -> Self {
        Self {
            rng,
            life,
            index,
            turns: Vec::new(),
            secs: 0,
            stated,
            summary: Vec::new(),
            reasons: Vec::new(),
            reason_value: "",
        }
    }

    /// The turns that say why the caller called.
    pub(crate) fn reasons(&self) -> &[u32] {
        &self.reasons
    }
}

impl Script<'_> {
    fn agent(&mut self, text: &str) {
        let text = text.replace("..", ".");
        self.turns.push(json!({
            "role": "agent",
            "message": text,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 2 + (text.len() / 14) as u32;
    }

    fn user(&mut self, text: &str) -> u32 {
        let text = text.replace("..", ".");
        let turn = self.turns.len() as u32;
        self.turns.push(json!({
            "role": "user",
            "message": text,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": "audio",
        }));
        self.secs += 2 + (text.len() / 12) as u32;
        turn
    }

    /// A caller turn stating `key` (`value`: it holds the value itself).
    fn state(&mut self, key: Key, version: u8, value: bool, text: &str) -> u32 {
        let turn = self.user(text);
        self.stated.push(Stated {
            key,
            version,
            call: self.index,
            turn,
            value,
        });
        turn
    }

    /// The caller's reason for calling.
    fn reason(&mut self, text: &str) -> u32 {
        let turn = self.user(text);
        self.reasons.push(turn);
        turn
    }

    /// Now and then an "okay" or "mm-hmm" the ingestion drops.
    fn maybe_filler(&mut self) {
        if self.rng.chance(35) {
            let f = *self.rng.pick(&bank::FILLERS);
            self.user(f);
        }
    }

    fn pronoun(&self) -> (&'static str, &'static str) {
        if self.life.persona.she {
            ("She", "her")
        } else {
            ("He", "his")
        }
    }

    /// The whole call, from the agent's greeting to the goodbye.
    pub(crate) fn play(&mut self, plan: &Plan, known: &mut Known) {
        if plan.main == Main::Register {
            self.agent(&format!(
                "Thank you for calling {CLINIC}, this is {AGENT_NAME}. How can I help you today?"
            ));
        } else {
            self.agent(&format!(
                "Hi {}, welcome back to {CLINIC}! How can I help you today?",
                known.first
            ));
            self.small_talk(plan.start);
            if self.rng.chance(25) {
                self.tool_lookup(plan.main);
            }
        }
        self.main(plan.main, known);
        for extra in &plan.extras {
            self.maybe_filler();
            self.extra(*extra, known);
        }
        self.agent("Is there anything else I can help you with today?");
        let closing = *self.rng.pick(&bank::CLOSINGS);
        self.user(closing);
        self.agent(&format!(
            "You're welcome, {}. Take care and have a great day!",
            known.first
        ));
    }

    fn small_talk(&mut self, start: i64) {
        match self.rng.below(3) {
            0 => {
                let hello = *self.rng.pick(&bank::HELLOS);
                self.user(hello);
                if hello.contains("how are you") {
                    self.agent("I'm doing well, thanks for asking! What can I do for you?");
                } else {
                    self.agent("Hi! What can I do for you today?");
                }
            }
            1 => {
                let season = match u8::from(date_of(start).month()) {
                    12 | 1 | 2 => 0,
                    3..=5 => 1,
                    6..=8 => 2,
                    _ => 3,
                };
                let weather = *self.rng.pick(&bank::WEATHER[season]);
                let text = said(self.rng, &format!("I'm good, thanks! {}", cap(weather)));
                self.user(&text);
                self.agent("Oh, I hear you! What can I help you with today?");
            }
            _ => {}
        }
    }

    /// The agent looking the caller up with the search tool, as a real
    /// transcript shows it: a tool call, then its result.
    fn tool_lookup(&mut self, main: Main) {
        let query = match main {
            Main::Refill(_) | Main::PharmacySwitch => "medications and pharmacy",
            Main::Reschedule => "upcoming appointment",
            _ => "recent calls",
        };
        let request_id = format!("toolu_{}", self.rng.token(20));
        self.turns.push(json!({
            "role": "agent",
            "message": null,
            "time_in_call_secs": self.secs,
            "tool_calls": [{
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_caller_memory",
                "params_as_json": json!({"query": query, "caller_id": self.life.number, "limit": 5}).to_string(),
                "tool_has_been_called": true,
                "tool_details": null,
            }],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 1;
        self.turns.push(json!({
            "role": "agent",
            "message": null,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [{
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_caller_memory",
                "result_value": "{\"known_caller\":true,\"memories\":[]}",
                "is_error": false,
                "tool_has_been_called": true,
            }],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 1;
    }

    fn rng_pick_owned(&mut self, options: &[String]) -> String {
        self.rng.pick(options).clone()
    }

    /// One of `options`, said with an opener.
    fn say_one(&mut self, options: &[String]) -> String {
        let body = self.rng.pick(options).clone();
        said(self.rng, &body)
    }

    fn say_str(&mut self, options: &[&str]) -> String {
        let body = *self.rng.pick(options);
        said(self.rng, body)
    }

    fn has_switched_pharmacy(&self) -> bool {
        self.stated
            .iter()
            .any(|s| s.key == Key::Pharmacy && s.version == 1)
    }

    fn has_switched_doctor(&self) -> bool {
        self.stated
            .iter()
            .any(|s| s.key == Key::Doctor && s.version == 1)
    }
}
