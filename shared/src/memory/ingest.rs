//! What one finished call leaves behind in a caller's memory.
//!
//! [`plan`] is pure: facts from data collection, the summary with the
//! call's date, what the caller said, and a profile snapshot that merges
//! this call's facts into the previous snapshot. [`ingest`] writes the plan:
//! memories concurrently, the snapshot last so it is the newest.

use super::profile::Snapshot;
use super::{MemoryError, MemoryStore, MemoryUser, NewMemory};
use crate::models::TranscriptionData;

/// The memories one call produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub memories: Vec<NewMemory>,
    pub snapshot: NewMemory,
}

/// Turns a call into memories, given the caller's previous snapshot.
pub fn plan(call: &TranscriptionData, previous: Option<&Snapshot>) -> Plan {
    let _ = (call, previous);
    todo!("memory::ingest::plan")
}

/// What ingestion did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub added: usize,
}

/// Writes a call's memories for `user`: at most `concurrency` adds at once,
/// then the snapshot.
pub async fn ingest(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    call: &TranscriptionData,
    concurrency: usize,
) -> Result<Report, MemoryError> {
    let _ = (store, user, call, concurrency);
    todo!("memory::ingest::ingest")
}
