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

impl S3Store {
    /// A store over `bucket`, using an already configured client.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            list_page_size: None,
        }
    }

    /// A store configured the standard AWS way: credentials and region from
    /// the environment, profile, or the Lambda/ECS/EC2 role; the SDK's
    /// default timeouts (connect 3.1 s) and retries (3 attempts, backoff).
    /// `endpoint` points at an S3-compatible server instead of AWS.
    pub async fn from_config(
        bucket: String,
        endpoint: Option<String>,
        force_path_style: bool,
    ) -> S3Store {
        let region = RegionProviderChain::default_provider().or_else(FALLBACK_REGION);
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .load()
            .await;
        Self::from_sdk_config(&sdk, bucket, endpoint, force_path_style)
    }

    /// Like [`S3Store::from_config`], from an already loaded SDK configuration.
    pub fn from_sdk_config(
        sdk: &aws_config::SdkConfig,
        bucket: String,
        endpoint: Option<String>,
        force_path_style: bool,
    ) -> S3Store {
        let mut builder = aws_sdk_s3::config::Builder::from(sdk).force_path_style(force_path_style);
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Self::new(Client::from_conf(builder.build()), bucket)
    }

    /// Lists in pages of at most `n` keys (S3's default and maximum is 1000).
    /// Tests use a small page to exercise pagination.
    pub fn with_list_page_size(mut self, n: i32) -> Self {
        self.list_page_size = Some(n.clamp(1, 1000));
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn err<E>(&self, op: &str, key: &str, err: SdkError<E, HttpResponse>) -> StorageError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        map_sdk_error(op, &self.bucket, key, &err)
    }

    async fn put_object(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        if_none_match: bool,
    ) -> Result<(), SdkError<aws_sdk_s3::operation::put_object::PutObjectError, HttpResponse>> {
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(body.len() as i64)
            .body(S3Body::from(body));
        if if_none_match {
            request = request.if_none_match("*");
        }
        request.send().await.map(|_| ())
    }

    /// Uploads the parts of a multipart upload that already has `first`
    /// buffered, then the rest of `body`. Returns the completed parts and
    /// the total size.
    async fn upload_parts(
        &self,
        key: &str,
        upload_id: &str,
        mut buf: BytesMut,
        mut total: u64,
        body: &mut ByteStream,
    ) -> Result<(Vec<CompletedPart>, u64), StorageError> {
        let mut parts = Vec::new();
        let mut ended = false;
        loop {
            while buf.len() < PART_SIZE && !ended {
                match body.next().await {
                    Some(Ok(chunk)) => {
                        total += chunk.len() as u64;
                        buf.extend_from_slice(&chunk);
                    }
                    Some(Err(e)) => return Err(body_stream_error(key, &e)),
                    None => ended = true,
                }
            }
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(PART_SIZE);
            let part = buf.split_to(take).freeze();
            let number = i32::try_from(parts.len() + 1).unwrap_or(i32::MAX);
            if number > MAX_PARTS {
                return Err(StorageError::Other(format!(
                    "put_stream s3://{}/{key}: body exceeds {MAX_PARTS} parts of {PART_SIZE} bytes",
                    self.bucket
                )));
            }
            let out = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .content_length(part.len() as i64)
                .body(S3Body::from(part))
                .send()
                .await
                .map_err(|e| self.err("upload_part", key, e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(out.e_tag().map(str::to_owned))
                    .build(),
            );
            if ended && buf.is_empty() {
                break;
            }
        }
        Ok((parts, total))
    }

    async fn abort(&self, key: &str, upload_id: &str) {
        if let Err(e) = abort_upload(&self.client, &self.bucket, key, upload_id).await {
            tracing::warn!(
                bucket = %self.bucket, key, error = %e,
                "could not abort a failed multipart upload; the bucket's lifecycle rule will"
            );
        }
    }
}

async fn abort_upload(
    client: &Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<(), StorageError> {
    client
        .abort_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error("abort_multipart_upload", bucket, key, &e))
}

/// Aborts a multipart upload in the background if dropped before
/// [`AbortOnDrop::disarm`]: covers a caller that gives up (drops the future)
/// half-way through a stream.
struct AbortOnDrop {
    pending: Option<(Client, String, String, String)>,
}

impl AbortOnDrop {
    fn disarm(&mut self) {
        self.pending = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some((client, bucket, key, upload_id)) = self.pending.take() else {
            return;
        };
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = abort_upload(&client, &bucket, &key, &upload_id).await;
            });
        }
    }
}

/// The broad class of a failed S3 response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Unavailable,
    Denied,
    Other,
}

/// Classifies an S3 error response by HTTP status and error code.
fn classify(status: Option<u16>, code: Option<&str>) -> Class {
    const DENIED: &[&str] = &[
        "AccessDenied",
        "AllAccessDisabled",
        "AccountProblem",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "TokenRefreshRequired",
    ];
    const UNAVAILABLE: &[&str] = &[
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
    ];
    if code.is_some_and(|c| DENIED.contains(&c)) || matches!(status, Some(401 | 403)) {
        Class::Denied
    } else if code.is_some_and(|c| UNAVAILABLE.contains(&c))
        || matches!(status, Some(408 | 429 | 500..=599))
    {
        Class::Unavailable
    } else {
        Class::Other
    }
}

fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Maps an SDK error. The message holds the operation, where, the S3 error
/// code and message or the transport failure: never a request or response
/// body.
fn map_sdk_error<E>(
    op: &str,
    bucket: &str,
    key: &str,
    err: &SdkError<E, HttpResponse>,
) -> StorageError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let at = format!("{op} s3://{bucket}/{key}");
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            StorageError::Unavailable(format!("{at}: {}", DisplayErrorContext(err)))
        }
        // The connection broke while reading the response.
        SdkError::ResponseError(_) => {
            StorageError::Unavailable(format!("{at}: {}", DisplayErrorContext(err)))
        }
        SdkError::ServiceError(_) => {
            let status = status_of(err);
            let code = err.code();
            let msg = format!(
                "{at}: {} (HTTP {}): {}",
                code.unwrap_or("unknown error"),
                status.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                err.message().unwrap_or("")
            );
            match classify(status, code) {
                Class::Unavailable => StorageError::Unavailable(msg),
                Class::Denied => StorageError::Denied(msg),
                Class::Other => StorageError::Other(msg),
            }
        }
        _ => StorageError::Other(format!("{at}: {}", DisplayErrorContext(err))),
    }
}

/// A `404` that means "no such object", as opposed to "no such bucket"
/// (which must not pass for an empty store).
fn is_missing_object<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(err, SdkError::ServiceError(_))
        && err.code() != Some("NoSuchBucket")
        && (err.code() == Some("NoSuchKey") || status_of(err) == Some(404))
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
