//! Ingestion claims: at most one taker of a conversation at a time, built
//! from conditional creates alone (S3 `If-None-Match: *`).
//!
//! A claim is generation `n` under the conversation's `claims/` folder. A
//! taker lists the folder: when the newest claim is fresh, someone holds
//! it; when there is none or it is older than [`CLAIM_TTL`], the taker
//! creates generation `n + 1`, and of several racing takers only one
//! create succeeds. A holder releases its claim when it is done by
//! creating `<n>.released`, so a retry can start at once. Nothing is ever
//! overwritten or deleted, so generation numbers only grow: a taker that
//! listed before a release can never meet one that listed after it on the
//! same number.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use crate::storage::{keys, ConversationId, PayloadStore, StorageError};

/// A claim older than this was abandoned: longer than any holder lives
/// (Lambda stops every invocation after 15 minutes).
pub const CLAIM_TTL: Duration = Duration::from_secs(16 * 60);

/// A claim this delivery holds; [`release`] it when done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    key: String,
}

/// Takes the conversation's claim, or `None` while another holds it.
pub async fn take(
    payloads: &dyn PayloadStore,
    conv: &ConversationId,
    now_unix_secs: i64,
) -> Result<Option<Claim>, StorageError> {
    let prefix = keys::claims(conv);
    let listed = payloads.list(&prefix).await?;
    let generation_of = |key: &str, suffix: &str| -> Option<u32> {
        key.strip_prefix(&prefix)?
            .strip_suffix(suffix)?
            .parse()
            .ok()
    };
    let newest = listed
        .iter()
        .filter_map(|key| Some((generation_of(key, ".json")?, key.clone())))
        .max();
    let next = match newest {
        None => 1,
        Some((generation, key)) => {
            let released = listed
                .iter()
                .any(|k| generation_of(k, ".released") == Some(generation));
            if !released {
                let claimed_at = payloads
                    .get(&key)
                    .await?
                    .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
                    .and_then(|v| v["claimed_at"].as_i64());
                if let Some(at) = claimed_at {
                    if now_unix_secs.saturating_sub(at) < CLAIM_TTL.as_secs() as i64 {
                        return Ok(None);
                    }
                }
                tracing::warn!(
                    conversation_id = conv.as_str(),
                    "taking over an abandoned ingestion claim"
                );
            }
            generation.saturating_add(1)
        }
    };
    let key = keys::claim(conv, next);
    let body = Bytes::from(json!({ "claimed_at": now_unix_secs }).to_string());
    if payloads
        .put_if_absent(&key, body, "application/json")
        .await?
    {
        Ok(Some(Claim { key }))
    } else {
        Ok(None)
    }
}

/// Gives the claim back: `<n>.released` beside it (never a delete, so the
/// number is never taken again).
pub async fn release(payloads: &dyn PayloadStore, claim: Claim) -> Result<(), StorageError> {
    let released = claim.key.strip_suffix(".json").map_or_else(
        || format!("{}.released", claim.key),
        |k| format!("{k}.released"),
    );
    payloads
        .put(&released, Bytes::new(), "application/json")
        .await
}
