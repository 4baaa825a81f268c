//! The S3 client's own operations: construction, puts, multipart uploads.

#[allow(unused_imports)]
use super::*;

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

    pub(super) fn err<E>(&self, op: &str, key: &str, err: SdkError<E, HttpResponse>) -> StorageError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        map_sdk_error(op, &self.bucket, key, &err)
    }

    pub(super) async fn put_object(
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
    pub(super) async fn upload_parts(
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

    pub(super) async fn abort(&self, key: &str, upload_id: &str) {
        if let Err(e) = abort_upload(&self.client, &self.bucket, key, upload_id).await {
            tracing::warn!(
                bucket = %self.bucket, key, error = %e,
                "could not abort a failed multipart upload; the bucket's lifecycle rule will"
            );
        }
    }
}
