//! Cleaning up a multipart upload that did not complete.

#[allow(unused_imports)]
use super::*;

pub(super) async fn abort_upload(
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
pub(super) struct AbortOnDrop {
    pub(super) pending: Option<(Client, String, String, String)>,
}

impl AbortOnDrop {
    pub(super) fn disarm(&mut self) {
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
