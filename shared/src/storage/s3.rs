//! Payload storage in S3, or in any S3-compatible server (SeaweedFS, MinIO…).
//!
//! - `put` / `put_if_absent` are single `PutObject`s with the content type;
//!   server-side encryption is left to the bucket's default, which the SAM
//!   template sets.
//! - `put_if_absent` is a conditional write (`If-None-Match: *`): S3 answers
//!   `412 Precondition Failed` when the key exists, so two racing writers can
//!   never both win. AWS S3 and SeaweedFS (checked with 4.48) honour the
//!   header. A server that does not implement it answers `501`, which is
//!   reported as an error rather than silently racing; a server that ignored
//!   the header would overwrite, which is why the tests check the first body
//!   is kept.
//! - `put_stream` is a multipart upload in [`PART_SIZE`] parts, so at most one
//!   part is held in memory; a stream shorter than one part is a single put.
//!   Any failure aborts the upload; if the future is dropped mid-upload the
//!   abort is spawned in the background, and the bucket's lifecycle rule
//!   (`AbortIncompleteMultipartUpload`) cleans up whatever is left.
//! - Errors: timeouts, connection failures, throttling and 5xx are
//!   [`StorageError::Unavailable`]; 401/403 and access-denied codes are
//!   [`StorageError::Denied`]; the rest is [`StorageError::Other`]. Messages
//!   name the operation, bucket, key and S3 error, never an object's content.

use std::error::Error as StdError;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::meta::region::RegionProviderChain;
use aws_config::BehaviorVersion;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream as S3Body;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use super::local::body_stream_error;
use super::{ByteStream, PayloadStore, StorageError};
mod client;
#[allow(unused_imports)]
pub use client::*;
mod multipart;
#[allow(unused_imports)]
pub use multipart::*;
mod errors;
#[allow(unused_imports)]
pub use errors::*;

/// Size of each multipart-upload part (S3 needs at least 5 MiB but the last).
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// S3 allows at most this many parts per upload (here: 80 GB).
const MAX_PARTS: i32 = 10_000;

/// How often `put_if_absent` retries after `409 ConditionalRequestConflict`
/// (another conditional write to the same key was in flight).
const CONFLICT_RETRIES: u32 = 3;

/// Region used when the environment names none, so a local S3-compatible
/// server works without AWS configuration. AWS itself always sets one.
const FALLBACK_REGION: &str = "us-east-1";

/// A [`PayloadStore`] over one S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    list_page_size: Option<i32>,
}

#[async_trait]
impl PayloadStore for S3Store {
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StorageError> {
        self.put_object(key, body, content_type, false)
            .await
            .map_err(|e| self.err("put_object", key, e))
    }

    async fn put_if_absent(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
    ) -> Result<bool, StorageError> {
        let mut attempt = 0;
        loop {
            match self.put_object(key, body.clone(), content_type, true).await {
                Ok(()) => return Ok(true),
                Err(e) if e.code() == Some("PreconditionFailed") || status_of(&e) == Some(412) => {
                    return Ok(false)
                }
                // A concurrent conditional write to the key was in flight;
                // S3 asks for a retry, which then sees its outcome.
                Err(e) if e.code() == Some("ConditionalRequestConflict") => {
                    if attempt >= CONFLICT_RETRIES {
                        return Err(StorageError::Unavailable(format!(
                            "put_object s3://{}/{key}: conditional writes kept conflicting",
                            self.bucket
                        )));
                    }
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                }
                Err(e) => return Err(self.err("put_object", key, e)),
            }
        }
    }

    async fn put_stream(
        &self,
        key: &str,
        mut body: ByteStream,
        content_type: &str,
    ) -> Result<u64, StorageError> {
        // Buffer up to one part: a short stream is a single put.
        let mut buf = BytesMut::new();
        let mut total = 0u64;
        while buf.len() < PART_SIZE {
            match body.next().await {
                Some(Ok(chunk)) => {
                    total += chunk.len() as u64;
                    buf.extend_from_slice(&chunk);
                }
                Some(Err(e)) => return Err(body_stream_error(key, &e)),
                None => {
                    self.put(key, buf.freeze(), content_type).await?;
                    return Ok(total);
                }
            }
        }

        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| self.err("create_multipart_upload", key, e))?;
        let Some(upload_id) = created.upload_id().map(str::to_owned) else {
            return Err(StorageError::Other(format!(
                "create_multipart_upload s3://{}/{key}: no upload id in the response",
                self.bucket
            )));
        };
        let mut guard = AbortOnDrop {
            pending: Some((
                self.client.clone(),
                self.bucket.clone(),
                key.to_owned(),
                upload_id.clone(),
            )),
        };

        let result = async {
            let (parts, total) = self
                .upload_parts(key, &upload_id, buf, total, &mut body)
                .await?;
            self.client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| self.err("complete_multipart_upload", key, e))?;
            Ok(total)
        }
        .await;

        guard.disarm();
        if result.is_err() {
            // Awaited rather than left to the guard: a Lambda may be frozen
            // as soon as it answers.
            self.abort(key, &upload_id).await;
        }
        result
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_missing_object(&e) => return Ok(None),
            Err(e) => return Err(self.err("get_object", key, e)),
        };
        let body = out.body.collect().await.map_err(|e| {
            StorageError::Unavailable(format!(
                "get_object s3://{}/{key}: reading the body failed: {}",
                self.bucket,
                DisplayErrorContext(&e)
            ))
        })?;
        Ok(Some(body.into_bytes()))
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_missing_object(&e) => Ok(false),
            Err(e) => Err(self.err("head_object", key, e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_max_keys(self.list_page_size)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.err("list_objects_v2", prefix, e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .map(str::to_owned),
            );
            if page.is_truncated() != Some(true) {
                break;
            }
            match page.next_continuation_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                // A truncated page without a token would loop forever.
                _ => {
                    return Err(StorageError::Other(format!(
                    "list_objects_v2 s3://{}/{prefix}: truncated page without a continuation token",
                    self.bucket
                )))
                }
            }
        }
        // S3 already lists in UTF-8 binary order; some compatible servers
        // may not, and the contract promises it.
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // S3 answers 204 for a missing key; some compatible servers 404.
            Err(e) if is_missing_object(&e) => Ok(()),
            Err(e) => Err(self.err("delete_object", key, e)),
        }
    }
}

#[cfg(test)]
#[path = "s3_tests.rs"]
mod tests;
