//! The call as ElevenLabs delivers it after it ends: the full
//! `post_call_transcription` webhook body, with metadata, data collection,
//! the summary, and the client data the call started with.

use serde_json::json;
use time::OffsetDateTime;

use super::{Known, Script};
use crate::dataset::canonical;
use crate::gen::world::{AGENT_ID, AGENT_NAME, AGENT_NUMBER, CLINIC};

impl Script<'_> {
    /// The call as ElevenLabs sends it after it ends.
    pub(crate) fn webhook(
        &mut self,
        conversation: &str,
        start: i64,
        index: usize,
        known: &mut Known,
    ) -> String {
        let life = self.life;
        let duration = i64::from(self.secs) + self.rng.range(3, 12);
        let call_sid = format!("CA{}", self.rng.token(32));
        let summary = self.summary.join(" ");
        let name = known.name();
        let returning = index > 0;
        let first_message = if returning {
            format!(
                "Hi {}, welcome back to {CLINIC}! How can I help you today?",
                known.first
            )
        } else {
            format!(
                "Thank you for calling {CLINIC}, this is {AGENT_NAME}. How can I help you today?"
            )
        };
        let body = json!({
            "type": "post_call_transcription",
            "event_timestamp": start + duration + self.rng.range(2, 9),
            "data": {
                "agent_id": AGENT_ID,
                "conversation_id": conversation,
                "status": "done",
                "user_id": null,
                "transcript": self.turns,
                "metadata": {
                    "start_time_unix_secs": start,
                    "accepted_time_unix_secs": start,
                    "call_duration_secs": duration,
                    "cost": duration * 11,
                    "termination_reason": "Call ended by remote party",
                    "main_language": "en",
                    "feedback": { "overall_score": null, "likes": 0, "dislikes": 0 },
                    "phone_call": {
                        "direction": "inbound",
                        "type": "twilio",
                        "phone_number_id": "pn_01jx7t3lakeside0000000000",
                        "agent_number": AGENT_NUMBER,
                        "external_number": life.number,
                        "call_sid": call_sid,
                    },
                },
                "analysis": {
                    "evaluation_criteria_results": {},
                    "data_collection_results": {
                        "name": {
                            "data_collection_id": "name",
                            "value": name,
                            "json_schema": { "type": "string", "description": "The caller's full name." },
                            "rationale": "The caller's name as given or confirmed during the call.",
                        },
                        "call_reason": {
                            "data_collection_id": "call_reason",
                            "value": self.reason_value,
                            "json_schema": { "type": "string", "description": "Why the caller called, in a few words." },
                            "rationale": "Stated by the caller at the start of the call.",
                        },
                    },
                    "call_successful": "success",
                    "transcript_summary": summary,
                },
                "conversation_initiation_client_data": {
                    "conversation_config_override": {
                        "agent": { "first_message": first_message },
                    },
                    "dynamic_variables": {
                        "system__caller_id": life.number,
                        "system__called_number": AGENT_NUMBER,
                        "system__agent_id": AGENT_ID,
                        "system__conversation_id": conversation,
                        "system__call_sid": call_sid,
                        "system__time_utc": OffsetDateTime::from_unix_timestamp(start)
                            .map(|t| format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second()))
                            .unwrap_or_default(),
                        "user_name": if returning { known.first } else { "" },
                        "last_call_summary": known.last_summary,
                    },
                },
                "has_audio": true,
                "has_user_audio": true,
                "has_response_audio": true,
            },
        });
        known.last_summary = summary;
        canonical(&body)
    }
}
