//! Operator commands over the same stores the functions use:
//!
//! - `replay`: ingest every stored transcription that is not ingested yet.
//! - `pending`: list the conversations waiting for ingestion.
//! - `forget <number>`: erase a caller's memories and stored payloads, and
//!   leave a tombstone per conversation so redelivery cannot restore it.
//! - `export <number>`: print everything stored about a caller, as JSON.
//!
//! Numbers are taken in E.164 only (`+` and country code): an operator's
//! national-format guess could name somebody else.
//!
//! Configuration is the post-call function's (`ELEVENLABS_POST_CALL_KEY`
//! keys the caller index).

use std::collections::BTreeSet;

use serde_json::{json, Value};
use shared::caller::{Caller, CallerId};
use shared::config::PostCallConfig;
use shared::ingestion::{caller_prefix, Ingestor, ReplayReport};
use shared::memory::{profile, DynMemoryStore, MemoryUser};
use shared::models::{Envelope, PostCallEvent};
use shared::storage::{keys, ConversationId, DynPayloadStore};
use shared::Error;

/// The most memories `export` reads for one caller.
const EXPORT_LIMIT: usize = 100_000;

/// The stores and settings the commands work on.
pub struct Admin {
    pub config: PostCallConfig,
    pub memory: DynMemoryStore,
    pub payloads: DynPayloadStore,
    pub ingestor: Ingestor,
}

impl Admin {
    pub fn new(config: PostCallConfig, memory: DynMemoryStore, payloads: DynPayloadStore) -> Self {
        let ingestor = Ingestor::new(&config, memory.clone(), payloads.clone());
        Self {
            config,
            memory,
            payloads,
            ingestor,
        }
    }

    fn caller(&self, number: &str) -> Result<CallerId, Error> {
        let number = number.trim();
        if !number.starts_with('+') {
            return Err(Error::bad_request(
                "give the number in E.164, with + and the country code (e.g. +15551234567)",
            ));
        }
        match Caller::from_raw(Some(number), self.config.common.identity.region) {
            Caller::Known(id) => Ok(id),
            Caller::Unknown => Err(Error::bad_request(
                "not a valid phone number (use E.164, e.g. +15551234567)",
            )),
        }
    }

    /// The conversations waiting for ingestion.
    pub async fn pending(&self) -> Result<Value, Error> {
        let pending = self.ingestor.pending().await?;
        Ok(json!({
            "pending": pending.len(),
            "conversations": pending.iter().map(ConversationId::as_str).collect::<Vec<_>>(),
        }))
    }

    pub async fn replay(&self) -> Result<ReplayReport, Error> {
        Ok(self.ingestor.replay().await?)
    }

    /// Every conversation stored for this caller: the hashed index, plus
    /// transcriptions not yet ingested (and so not yet indexed).
    async fn conversations(
        &self,
        id: &CallerId,
    ) -> Result<BTreeSet<(ConversationId, Option<String>)>, Error> {
        let mut found = BTreeSet::new();
        let prefix = caller_prefix(&self.ingestor.index_key, id);
        for key in self.payloads.list(&prefix).await? {
            let Some(conv) = key.strip_prefix(&prefix).and_then(ConversationId::parse) else {
                continue;
            };
            let agent = self.agent_of(&conv).await?;
            found.insert((conv, agent));
        }
        for key in self.payloads.list("").await? {
            if !key.ends_with(keys::TRANSCRIPTION_SUFFIX) {
                continue;
            }
            let Some(conv) = keys::conversation_of(&key) else {
                continue;
            };
            if found.iter().any(|(c, _)| *c == conv) {
                continue;
            }
            let Some(body) = self.payloads.get(&key).await? else {
                continue;
            };
            if let Ok(Envelope {
                event: PostCallEvent::Transcription(call),
                ..
            }) = Envelope::parse(&body)
            {
                if Caller::of_call(&call, self.config.common.identity.region).known() == Some(id) {
                    found.insert((conv, call.agent_id.clone()));
                }
            }
        }
        Ok(found)
    }

    async fn agent_of(&self, conv: &ConversationId) -> Result<Option<String>, Error> {
        let Some(body) = self.payloads.get(&keys::transcription(conv)).await? else {
            return Ok(None);
        };
        Ok(match Envelope::parse(&body) {
            Ok(Envelope {
                event: PostCallEvent::Transcription(call),
                ..
            }) => call.agent_id.clone(),
            _ => None,
        })
    }

    /// The memory users this caller may have: per caller, or per agent seen.
    fn users(
        &self,
        id: &CallerId,
        agents: impl Iterator<Item = Option<String>>,
    ) -> Vec<MemoryUser> {
        self.config.common.identity.users_of(id, agents.flatten())
    }

    /// Erases the caller: memories first, then every stored payload of their
    /// conversations, then the index entries.
    pub async fn forget(&self, number: &str) -> Result<Value, Error> {
        let id = self.caller(number)?;
        let convs = self.conversations(&id).await?;
        // Tombstones first: an ingestion running or retried meanwhile then
        // writes nothing (it re-checks after taking its claim).
        for (conv, _) in &convs {
            self.payloads
                .put(&keys::erased(conv), bytes::Bytes::new(), "application/json")
                .await?;
        }
        let mut memories = 0;
        for user in self.users(&id, convs.iter().map(|(_, a)| a.clone())) {
            memories += self.memory.delete_all(&user).await?;
        }
        if memories == 0 && convs.is_empty() {
            return Err(Error::bad_request(format!(
                "nothing is stored for {} (check the number and MEMORY_SCOPE)",
                id.masked()
            )));
        }
        let mut objects = 0;
        for (conv, _) in &convs {
            for key in self.payloads.list(&format!("{conv}/")).await? {
                self.payloads.delete(&key).await?;
                objects += 1;
            }
            self.payloads.delete(&keys::pending(conv)).await?;
        }
        let prefix = caller_prefix(&self.ingestor.index_key, &id);
        for key in self.payloads.list(&prefix).await? {
            self.payloads.delete(&key).await?;
        }
        Ok(
            json!({ "caller": id.masked(), "memories_deleted": memories, "conversations": convs.len(), "objects_deleted": objects }),
        )
    }

    /// Everything stored about the caller.
    pub async fn export(&self, number: &str) -> Result<Value, Error> {
        let id = self.caller(number)?;
        let convs = self.conversations(&id).await?;
        let mut users = Vec::new();
        for user in self.users(&id, convs.iter().map(|(_, a)| a.clone())) {
            let profile = profile::load(self.memory.as_ref(), &user).await?;
            let memories = self.memory.recent(&user, EXPORT_LIMIT).await?;
            users.push(json!({
                "profile": profile.map(|p| json!({
                    "user_name": p.user_name,
                    "profile_summary": p.profile_summary,
                    "last_call_summary": p.last_call_summary,
                    "previous_calls": p.previous_calls,
                    "last_call_date": p.last_call_time.map(shared::dates::date_of),
                })),
                "memories": memories.iter().map(|m| json!({
                    "id": m.id, "kind": m.kind.as_str(), "content": m.content,
                    "conversation_id": m.conversation_id,
                    "call_date": m.call_time.map(shared::dates::date_of),
                })).collect::<Vec<_>>(),
            }));
        }
        let mut payloads = Vec::new();
        for (conv, _) in &convs {
            payloads.extend(self.payloads.list(&format!("{conv}/")).await?);
        }
        Ok(
            json!({ "caller": id.masked(), "memory": users, "conversations": convs.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), "payloads": payloads }),
        )
    }
}
