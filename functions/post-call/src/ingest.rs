//! The ingestion function (`post-call-ingest`): the bucket's object-created
//! events and the scheduled sweep, handled by the same [`Ingestor`] that
//! post-call runs locally. A plain async function of the event, so it is
//! tested without Lambda.
//!
//! An event whose conversation could not be ingested because the memory
//! store failed answers an error: Lambda retries the invocation (twice,
//! minutes apart) and then hands it to the dead-letter queue, while the
//! conversation stays on the pending list for the next sweep.

use std::time::Instant;

use serde_json::{json, Value};
use shared::ingestion::events::{self, UnknownEvent, Work};
use shared::ingestion::{Done, Ingestor, Outcome, ReplayReport};
use shared::storage::{ConversationId, StorageError};

/// Why an invocation failed (Lambda retries it, then dead-letters it).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Event(#[from] UnknownEvent),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0} conversation(s) could not be ingested; they stay pending")]
    Retry(usize),
}

/// Handles one event: ingests the conversations it names, or sweeps.
pub async fn handle(ingestor: &Ingestor, event: &Value) -> Result<Value, IngestError> {
    let start = Instant::now();
    let work = events::read(event).inspect_err(|e| tracing::error!(error = %e, "event ignored"))?;
    match work {
        Work::Conversations(convs) => {
            let mut failed = 0;
            let mut outcomes = Vec::with_capacity(convs.len());
            for conv in &convs {
                let done = ingestor.ingest_stored(conv).await?;
                log_outcome(conv, &done);
                if matches!(done.outcome, Outcome::Failed(_)) {
                    failed += 1;
                }
                outcomes.push(
                    json!({ "conversation_id": conv.as_str(), "memories": done.outcome.label() }),
                );
            }
            tracing::info!(
                conversations = convs.len(),
                failed,
                latency_ms = start.elapsed().as_millis() as u64,
                "ingest event handled"
            );
            if failed > 0 {
                return Err(IngestError::Retry(failed));
            }
            Ok(json!({ "ingested": outcomes }))
        }
        Work::Sweep => {
            let report = ingestor.sweep().await?;
            let still_pending = ingestor.pending().await?.len();
            emit_pending_metric(&report, still_pending);
            tracing::info!(
                seen = report.seen,
                ingested = report.ingested,
                failed = report.failed,
                unreadable = report.unreadable,
                still_pending,
                latency_ms = start.elapsed().as_millis() as u64,
                "sweep done"
            );
            Ok(json!({ "sweep": report, "still_pending": still_pending }))
        }
    }
}

/// One line per conversation, by outcome (never the payload).
pub fn log_outcome(conv: &ConversationId, done: &Done) {
    match &done.outcome {
        Outcome::Failed(err) => tracing::warn!(
            conversation_id = conv.as_str(),
            error = %err,
            "memory ingestion failed; the call stays pending"
        ),
        outcome => tracing::info!(
            conversation_id = conv.as_str(),
            memories = outcome.label(),
            audio = done.audio,
            "conversation ingested"
        ),
    }
}

/// For a background task: logs what became of the conversation.
pub fn log_done(conv: &ConversationId, result: Result<Done, StorageError>) {
    match result {
        Ok(done) => log_outcome(conv, &done),
        Err(err) => tracing::warn!(
            conversation_id = conv.as_str(),
            error = %err,
            "ingestion could not run; the call stays pending"
        ),
    }
}

/// The pending count as a CloudWatch metric, in the embedded metric format
/// (one JSON line on stdout, which Lambda ships to CloudWatch Logs): the
/// template's alarm watches `CallerMemory/PendingCalls`.
fn emit_pending_metric(report: &ReplayReport, still_pending: usize) {
    let line = json!({
        "_aws": {
            "Timestamp": shared::dates::now_unix_secs() * 1000,
            "CloudWatchMetrics": [{
                "Namespace": "CallerMemory",
                "Dimensions": [[]],
                "Metrics": [
                    { "Name": "PendingCalls", "Unit": "Count" },
                    { "Name": "SweepIngested", "Unit": "Count" },
                ],
            }],
        },
        "PendingCalls": still_pending,
        "SweepIngested": report.ingested,
    });
    println!("{line}");
}
