//! Durable, idempotent ingestion of stored transcriptions into memory.
//!
//! The payload is always stored first; ingestion then runs under a claim
//! (a conditional put next to the payload) so concurrent or repeated
//! deliveries of one conversation add its memories once, and a marker
//! records success. A conversation with a transcription and no marker is
//! pending: [`Ingestor::replay`] finishes it.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::caller::{Caller, CallerId, Region};
use crate::config::{MemoryScope, PostCallConfig};
use crate::memory::{self, DynMemoryStore, MemoryError, MemoryUser};
use crate::models::TranscriptionData;
use crate::storage::{keys, ConversationId, DynPayloadStore, StorageError};

/// A claim older than this is considered abandoned (its Lambda died).
pub const CLAIM_TTL: Duration = Duration::from_secs(5 * 60);

/// What happened to one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Memories were written.
    Ingested { added: usize },
    /// A marker says this conversation was ingested before.
    AlreadyIngested,
    /// Another delivery is ingesting it right now.
    InProgress,
    /// No customer phone number (web call, withheld number): nothing to remember.
    NoCustomer,
    /// The memory store failed; the conversation stays pending for replay.
    Failed(MemoryError),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Ingested { .. } => "ingested",
            Self::AlreadyIngested => "already_ingested",
            Self::InProgress => "in_progress",
            Self::NoCustomer => "no_customer",
            Self::Failed(_) => "pending",
        }
    }
}

/// Turns stored transcriptions into memories.
#[derive(Clone)]
pub struct Ingestor {
    pub memory: DynMemoryStore,
    pub payloads: DynPayloadStore,
    pub region: Region,
    pub scope: MemoryScope,
    /// Adds in flight at once for one call.
    pub concurrency: usize,
    /// Key for the caller index, so it never holds a number in clear.
    pub index_key: Vec<u8>,
}

impl Ingestor {
    /// An ingestor as post-call (and the operator commands) configure it.
    pub fn new(config: &PostCallConfig, memory: DynMemoryStore, payloads: DynPayloadStore) -> Self {
        Self {
            memory,
            payloads,
            region: config.common.region,
            scope: config.common.scope,
            concurrency: config.ingest_concurrency,
            index_key: config.index_key.clone().into_bytes(),
        }
    }

    /// Ingests one conversation whose transcription is already stored.
    /// Errors are storage errors only; memory errors are an [`Outcome`].
    pub async fn ingest(
        &self,
        conv: &ConversationId,
        call: &TranscriptionData,
    ) -> Result<Outcome, StorageError> {
        if self
            .payloads
            .get(&keys::ingested_marker(conv))
            .await?
            .is_some()
        {
            return Ok(Outcome::AlreadyIngested);
        }
        let Some(id) = Caller::of_call(call, self.region).known().cloned() else {
            self.mark(conv, json!({ "customer": null })).await?;
            return Ok(Outcome::NoCustomer);
        };
        let Some(user) = MemoryUser::scoped(&id, self.scope, call.agent_id.as_deref()) else {
            self.mark(
                conv,
                json!({ "customer": null, "reason": "no agent id for agent scope" }),
            )
            .await?;
            return Ok(Outcome::NoCustomer);
        };
        if !self.claim(conv).await? {
            return Ok(Outcome::InProgress);
        }
        let result =
            memory::ingest::ingest(self.memory.as_ref(), &user, call, self.concurrency).await;
        let outcome = match result {
            Ok(report) => {
                self.payloads
                    .put(
                        &index_key(&self.index_key, &id, conv),
                        bytes::Bytes::from_static(b"{}"),
                        "application/json",
                    )
                    .await?;
                self.mark(conv, json!({ "memories_added": report.added }))
                    .await?;
                Outcome::Ingested {
                    added: report.added,
                }
            }
            Err(err) => Outcome::Failed(err),
        };
        self.payloads.delete(&keys::ingest_claim(conv)).await?;
        Ok(outcome)
    }

    async fn mark(
        &self,
        conv: &ConversationId,
        detail: serde_json::Value,
    ) -> Result<(), StorageError> {
        let body = json!({ "conversation_id": conv.as_str(), "ingested_at": crate::dates::now_unix_secs(), "detail": detail });
        self.payloads
            .put(
                &keys::ingested_marker(conv),
                body.to_string().into(),
                "application/json",
            )
            .await
    }

    /// Takes the conversation's claim; an abandoned claim is taken over.
    async fn claim(&self, conv: &ConversationId) -> Result<bool, StorageError> {
        let now = crate::dates::now_unix_secs();
        let body = bytes::Bytes::from(json!({ "claimed_at": now }).to_string());
        let key = keys::ingest_claim(conv);
        if self
            .payloads
            .put_if_absent(&key, body.clone(), "application/json")
            .await?
        {
            return Ok(true);
        }
        let claimed_at = self
            .payloads
            .get(&key)
            .await?
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["claimed_at"].as_i64())
            .unwrap_or(0);
        if now - claimed_at < CLAIM_TTL.as_secs() as i64 {
            return Ok(false);
        }
        tracing::warn!(
            conversation_id = conv.as_str(),
            "taking over an abandoned ingestion claim"
        );
        self.payloads.put(&key, body, "application/json").await?;
        Ok(true)
    }

    /// Re-ingests every stored transcription that has no marker yet.
    /// Running it twice changes nothing.
    pub async fn replay(&self) -> Result<ReplayReport, StorageError> {
        let mut report = ReplayReport::default();
        for key in self.payloads.list("").await? {
            if !key.ends_with(keys::TRANSCRIPTION_SUFFIX) {
                continue;
            }
            let Some(conv) = keys::conversation_of(&key) else {
                continue;
            };
            report.seen += 1;
            let Some(body) = self.payloads.get(&key).await? else {
                continue;
            };
            let call = match crate::models::Envelope::parse(&body) {
                Ok(crate::models::Envelope {
                    event: crate::models::PostCallEvent::Transcription(call),
                    ..
                }) => call,
                _ => {
                    report.unreadable += 1;
                    continue;
                }
            };
            match self.ingest(&conv, &call).await? {
                Outcome::Ingested { added } => {
                    report.ingested += 1;
                    report.memories_added += added;
                }
                Outcome::AlreadyIngested | Outcome::NoCustomer => report.already_done += 1,
                Outcome::InProgress => report.in_progress += 1,
                Outcome::Failed(err) => {
                    tracing::warn!(conversation_id = conv.as_str(), error = %err, "replay could not ingest");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

/// What a replay did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReplayReport {
    pub seen: usize,
    pub ingested: usize,
    pub memories_added: usize,
    pub already_done: usize,
    pub in_progress: usize,
    pub failed: usize,
    pub unreadable: usize,
}

/// The caller index: `index.callers/<keyed hash of the number>/<conversation>`.
/// A keyed hash, because a plain hash of a phone number is easily reversed.
pub fn caller_prefix(index_key: &[u8], id: &CallerId) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(index_key).unwrap_or_else(|_| unreachable!());
    mac.update(id.as_str().as_bytes());
    format!(
        "index.callers/{}/",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn index_key(index_key: &[u8], id: &CallerId, conv: &ConversationId) -> String {
    format!("{}{conv}", caller_prefix(index_key, id))
}
