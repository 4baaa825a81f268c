//! Durable, idempotent ingestion of stored transcriptions into memory.
//!
//! post-call stores the raw payload and a pending entry, then answers;
//! ingestion starts from the stored payload ([`Ingestor::ingest_stored`]),
//! driven in AWS by the bucket's object-created event ([`events`]) with
//! Lambda's retries and a dead-letter queue behind it, and by a scheduled
//! sweep of the pending list; locally by post-call itself (`INGEST_MODE`).
//! Every driver may deliver twice: a [`claim`] lets one taker at a time
//! work on a conversation, a marker records success, and the pending
//! entry goes only once the conversation is settled.

pub mod audio;
pub mod claim;
pub mod events;

use serde_json::json;

use crate::caller::{Caller, CallerId};
use crate::config::PostCallConfig;
use crate::elevenlabs::ElevenLabsApi;
use crate::memory::{self, DynMemoryStore, Identity, MemoryError, NoMemory, Who};
use crate::models::{Envelope, PostCallEvent, TranscriptionData};
use crate::storage::{keys, ConversationId, DynPayloadStore, StorageError};

pub use claim::CLAIM_TTL;

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
    /// The memory store failed; the conversation stays pending.
    Failed(MemoryError),
    /// The stored payload is not a readable transcription (its fields
    /// drifted from what this version reads); it stays pending, stored as
    /// received, for a newer version or an operator.
    Unreadable,
    /// No transcription is stored (erased since, or never stored).
    Missing,
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Ingested { .. } => "ingested",
            Self::AlreadyIngested => "already_ingested",
            Self::InProgress => "in_progress",
            Self::NoCustomer => "no_customer",
            Self::Failed(_) => "pending",
            Self::Unreadable => "unreadable",
            Self::Missing => "missing",
        }
    }

    /// Whether a retry could still change the outcome (the driver should
    /// retry, and the pending entry stays).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Failed(_) | Self::InProgress)
    }
}

/// Turns stored transcriptions into memories.
#[derive(Clone)]
pub struct Ingestor {
    pub memory: DynMemoryStore,
    pub payloads: DynPayloadStore,
    pub identity: Identity,
    /// Adds in flight at once for one call.
    pub concurrency: usize,
    /// Key for the caller index, so it never holds a number in clear.
    pub index_key: Vec<u8>,
    /// Set when `FETCH_AUDIO=true`: fetches audio too large for a webhook.
    pub audio: Option<ElevenLabsApi>,
}

/// What [`Ingestor::ingest_stored`] did: the memories, and the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub outcome: Outcome,
    /// With `FETCH_AUDIO=true`: what happened to the audio.
    pub audio: Option<&'static str>,
}

impl Ingestor {
    /// An ingestor as post-call (and the operator commands) configure it.
    pub fn new(config: &PostCallConfig, memory: DynMemoryStore, payloads: DynPayloadStore) -> Self {
        let audio = match (&config.elevenlabs_api_key, config.fetch_audio) {
            (Some(key), true) => ElevenLabsApi::new(&config.elevenlabs_api_url, key)
                .inspect_err(|e| tracing::error!(error = %e, "audio fetching disabled"))
                .ok(),
            _ => None,
        };
        Self {
            memory,
            payloads,
            identity: config.common.identity.clone(),
            concurrency: config.ingest_concurrency,
            index_key: config.index_key.clone().into_bytes(),
            audio,
        }
    }

    /// Ingests the conversation's stored transcription and fetches its
    /// audio: the one entry point of every driver (the S3 event, the
    /// sweep, post-call locally, `replay`). Safe to run any number of
    /// times, concurrently too. Errors are storage errors only.
    pub async fn ingest_stored(&self, conv: &ConversationId) -> Result<Done, StorageError> {
        if self.payloads.exists(&keys::ingested_marker(conv)).await? {
            self.settle(conv).await?;
            return Ok(Done {
                outcome: Outcome::AlreadyIngested,
                audio: None,
            });
        }
        let erased = self.payloads.exists(&keys::erased(conv)).await?;
        let body = match erased {
            true => None,
            false => self.payloads.get(&keys::transcription(conv)).await?,
        };
        let Some(body) = body else {
            self.settle(conv).await?;
            return Ok(Done {
                outcome: Outcome::Missing,
                audio: None,
            });
        };
        let call = match Envelope::parse(&body) {
            Ok(Envelope {
                event: PostCallEvent::Transcription(call),
                ..
            }) if call.conversation_id == conv.as_str() => call,
            Ok(_) => {
                tracing::warn!(
                    conversation_id = conv.as_str(),
                    "stored transcription is another type or conversation; left pending"
                );
                return Ok(Done {
                    outcome: Outcome::Unreadable,
                    audio: None,
                });
            }
            Err(e) => {
                // The error's category only: its message can quote the payload.
                tracing::warn!(conversation_id = conv.as_str(), error_kind = ?e.classify(), "stored transcription unreadable; left pending");
                return Ok(Done {
                    outcome: Outcome::Unreadable,
                    audio: None,
                });
            }
        };
        let (outcome, audio) = tokio::join!(self.ingest(conv, &call), async {
            match &self.audio {
                Some(api) => Some(audio::fetch(api, self.payloads.as_ref(), conv, &call).await),
                None => None,
            }
        });
        Ok(Done {
            outcome: outcome?,
            audio,
        })
    }

    /// Ingests one conversation whose transcription is stored and whose
    /// marker [`Self::ingest_stored`] found absent (checked again once the
    /// claim is held). Errors are storage errors only; memory errors are an
    /// [`Outcome`].
    async fn ingest(
        &self,
        conv: &ConversationId,
        call: &TranscriptionData,
    ) -> Result<Outcome, StorageError> {
        let (id, user) = match self.identity.of_finished_call(call) {
            Who::Caller { id, user } => (id, user),
            Who::Nobody(why) => {
                let mark = match why {
                    NoMemory::UnknownCaller => json!({ "customer": null }),
                    NoMemory::NoAgentForScope { .. } => {
                        json!({ "customer": null, "reason": "no agent id for agent scope" })
                    }
                };
                self.mark(conv, mark).await?;
                return Ok(Outcome::NoCustomer);
            }
        };
        let now = crate::dates::now_unix_secs();
        let Some(claim) = claim::take(self.payloads.as_ref(), conv, now).await? else {
            return Ok(Outcome::InProgress);
        };
        // Another taker may have finished between our check and our claim,
        // or the caller been erased meanwhile (`forget` writes tombstones
        // before it deletes memories).
        if self.payloads.exists(&keys::ingested_marker(conv)).await? {
            claim::release(self.payloads.as_ref(), claim).await?;
            self.settle(conv).await?;
            return Ok(Outcome::AlreadyIngested);
        }
        if self.payloads.exists(&keys::erased(conv)).await? {
            claim::release(self.payloads.as_ref(), claim).await?;
            self.settle(conv).await?;
            return Ok(Outcome::Missing);
        }
        let result =
            memory::ingest::ingest(self.memory.as_ref(), &user, call, self.concurrency).await;
        let outcome = match result {
            Ok(report) => {
                let agent = call.agent_id.as_deref().unwrap_or("");
                self.payloads
                    .put(
                        &index_key(&self.index_key, &id, conv),
                        bytes::Bytes::from(json!({ "agent_id": agent }).to_string()),
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
        claim::release(self.payloads.as_ref(), claim).await?;
        if !outcome.is_retryable() {
            self.settle(conv).await?;
        }
        Ok(outcome)
    }

    /// Indexes a stored `call_initiation_failure` under its customer, so
    /// erasure and export find it: the dialled number (`metadata.body.To`
    /// for Twilio, `to_number` for SIP). Best effort: an unreadable payload
    /// stays stored, unindexed.
    pub async fn index_failure(
        &self,
        conv: &ConversationId,
        body: &[u8],
    ) -> Result<(), StorageError> {
        let Ok(Envelope {
            event: PostCallEvent::CallInitiationFailure(failure),
            ..
        }) = Envelope::parse(body)
        else {
            return Ok(());
        };
        let number = failure.metadata.as_ref().and_then(|m| {
            let body = m.get("body")?;
            body.get("To")
                .or_else(|| body.get("to_number"))
                .and_then(serde_json::Value::as_str)
        });
        let Some(id) = Caller::from_raw(number, self.identity.region)
            .known()
            .cloned()
        else {
            return Ok(());
        };
        let agent = failure.agent_id.as_deref().unwrap_or("");
        self.payloads
            .put(
                &index_key(&self.index_key, &id, conv),
                bytes::Bytes::from(
                    json!({ "agent_id": agent, "kind": "call_initiation_failure" }).to_string(),
                ),
                "application/json",
            )
            .await
    }

    /// Records success (or that there is nothing to remember) and takes the
    /// conversation off the pending list.
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
            .await?;
        self.settle(conv).await
    }

    /// Takes the conversation off the pending list.
    async fn settle(&self, conv: &ConversationId) -> Result<(), StorageError> {
        self.payloads.delete(&keys::pending(conv)).await
    }

    /// Puts a stored transcription on the pending list (post-call, right
    /// after storing it): the sweep re-drives whatever stays there.
    pub async fn mark_pending(&self, conv: &ConversationId) -> Result<(), StorageError> {
        self.payloads
            .put(
                &keys::pending(conv),
                bytes::Bytes::new(),
                "application/json",
            )
            .await
    }

    /// The conversations on the pending list, oldest key order.
    pub async fn pending(&self) -> Result<Vec<ConversationId>, StorageError> {
        Ok(self
            .payloads
            .list(keys::PENDING_PREFIX)
            .await?
            .iter()
            .filter_map(|k| k.strip_prefix(keys::PENDING_PREFIX))
            .filter_map(ConversationId::parse)
            .collect())
    }

    /// Ingests everything on the pending list (the scheduled sweep).
    pub async fn sweep(&self) -> Result<ReplayReport, StorageError> {
        let mut report = ReplayReport::default();
        for conv in self.pending().await? {
            report.seen += 1;
            // One conversation's storage error must not stop the others.
            match self.ingest_stored(&conv).await {
                Ok(done) => report.count(&conv, &done.outcome),
                Err(err) => {
                    tracing::warn!(conversation_id = conv.as_str(), error = %err, "sweep could not read or write this call; still pending");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Re-ingests every stored transcription that has no marker yet,
    /// whether or not it is on the pending list (for operators: `make
    /// replay`). Running it twice changes nothing.
    pub async fn replay(&self) -> Result<ReplayReport, StorageError> {
        let mut report = ReplayReport::default();
        for key in self.payloads.list("").await? {
            let Some(conv) = keys::conversation_of(&key) else {
                continue;
            };
            if key != keys::transcription(&conv) {
                continue;
            }
            report.seen += 1;
            let done = self.ingest_stored(&conv).await?;
            report.count(&conv, &done.outcome);
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

impl ReplayReport {
    fn count(&mut self, conv: &ConversationId, outcome: &Outcome) {
        match outcome {
            Outcome::Ingested { added } => {
                self.ingested += 1;
                self.memories_added += added;
            }
            Outcome::AlreadyIngested | Outcome::NoCustomer | Outcome::Missing => {
                self.already_done += 1
            }
            Outcome::InProgress => self.in_progress += 1,
            Outcome::Failed(err) => {
                tracing::warn!(conversation_id = conv.as_str(), error = %err, "could not ingest; still pending");
                self.failed += 1;
            }
            Outcome::Unreadable => self.unreadable += 1,
        }
    }
}

/// The caller index: `index.callers/<keyed hash of the number>/<conversation>`.
/// A keyed hash, because a plain hash of a phone number is easily reversed.
pub fn caller_prefix(index_key: &[u8], id: &CallerId) -> String {
    format!("index.callers/{}/", id.keyed_hash(index_key))
}

fn index_key(index_key: &[u8], id: &CallerId, conv: &ConversationId) -> String {
    format!("{}{conv}", caller_prefix(index_key, id))
}
