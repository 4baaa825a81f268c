//! Payload storage in a local directory, for runs without a bucket.
//!
//! Every key is a relative path under the store's root. Writes are durable and
//! atomic: the body goes to a temporary file in the key's own directory, is
//! fsynced, and only then renamed (or hard-linked, for [`put_if_absent`]) into
//! place, after which the directory is fsynced too. A reader therefore sees
//! either nothing or the whole object, even across a crash.
//!
//! Temporary files start with a `.`; key segments may not, so a leftover
//! temporary file (after a crash) never shows up as a key.
//!
//! `put_stream` writes chunk by chunk; if it fails, or the caller drops it
//! half-way, its temporary file is removed.
//!
//! Differences from S3, acceptable for local runs: content types are accepted
//! but not stored (there is no metadata), and a key cannot be both an object
//! and the folder of other keys (`a` and `a/b`).
//!
//! [`put_if_absent`]: PayloadStore::put_if_absent

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::{ByteStream, PayloadStore, StorageError};
mod keys;
#[allow(unused_imports)]
pub use keys::*;
mod files;
#[allow(unused_imports)]
pub use files::*;

/// A [`PayloadStore`] over a directory.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: Arc<PathBuf>,
}

impl LocalStore {
    /// A store rooted at `root`. The directory is created on the first write.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: Arc::new(root.into()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Maps a file-system error. Only the operation, the key and the error are
/// named, never any content.
fn io_error(op: &str, key: &str, err: &io::Error) -> StorageError {
    let msg = format!("{op} {key:?}: {err}");
    match err.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            StorageError::Denied(msg)
        }
        io::ErrorKind::TimedOut | io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock => {
            StorageError::Unavailable(msg)
        }
        _ => StorageError::Other(msg),
    }
}

/// Maps an error from the body stream being stored (its source failed, not
/// the store). Transient network failures are `Unavailable`, so a caller may
/// retry; anything else is `Other`. Shared with the S3 store.
pub(crate) fn body_stream_error(key: &str, err: &io::Error) -> StorageError {
    let msg = format!("reading the body for {key:?} failed: {err}");
    match err.kind() {
        io::ErrorKind::TimedOut
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::Interrupted => StorageError::Unavailable(msg),
        _ => StorageError::Other(msg),
    }
}

fn join_error(op: &str, key: &str, err: tokio::task::JoinError) -> StorageError {
    StorageError::Other(format!("{op} {key:?}: worker task failed: {err}"))
}

fn parent_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Whether an error means "there is no object under this key" (a missing
/// file, or a path that runs into a file or names a directory).
fn is_absent(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    )
}

/// Appends every file under `dir` (recursively) whose key starts with
/// `prefix` to `out`. `rel` is `dir`'s key prefix (empty or ending in `/`).
fn walk(dir: &Path, rel: &str, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if is_absent(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        // Keys are UTF-8; a foreign file with another name is not ours.
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue; // temporary files
        }
        let key = format!("{rel}{name}");
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            let sub = format!("{key}/");
            // Descend only where keys under `prefix` can be.
            if sub.starts_with(prefix) || prefix.starts_with(&sub) {
                walk(&entry.path(), &sub, prefix, out)?;
            }
        } else if file_type.is_file() && key.starts_with(prefix) {
            out.push(key);
        }
    }
    Ok(())
}

impl LocalStore {
    fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    /// Runs blocking file-system work off the async workers.
    async fn blocking<T, F>(&self, op: &'static str, key: &str, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce() -> io::Result<T> + Send + 'static,
    {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| join_error(op, key, e))?
            .map_err(|e| io_error(op, key, &e))
    }
}

#[async_trait]
impl PayloadStore for LocalStore {
    async fn put(&self, key: &str, body: Bytes, _content_type: &str) -> Result<(), StorageError> {
        let target = self.path_of(key)?;
        let root = Arc::clone(&self.root);
        self.blocking("put", key, move || {
            ensure_dir(&root, parent_of(&target))?;
            let tmp = write_temp(&target, &body)?;
            commit_replace(&tmp, &target)
        })
        .await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        body: Bytes,
        _content_type: &str,
    ) -> Result<bool, StorageError> {
        let target = self.path_of(key)?;
        let root = Arc::clone(&self.root);
        self.blocking("put_if_absent", key, move || {
            // Cheap early exit; the link below is what makes it atomic.
            if target.exists() {
                return Ok(false);
            }
            ensure_dir(&root, parent_of(&target))?;
            let tmp = write_temp(&target, &body)?;
            commit_if_absent(&tmp, &target)
        })
        .await
    }

    async fn put_stream(
        &self,
        key: &str,
        mut body: ByteStream,
        _content_type: &str,
    ) -> Result<u64, StorageError> {
        let target = self.path_of(key)?;
        let root = Arc::clone(&self.root);
        let dir = parent_of(&target).to_path_buf();
        self.blocking("put_stream", key, move || ensure_dir(&root, &dir))
            .await?;

        let tmp = TempFile(Some(temp_path_for(&target)));
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp.path())
            .await
            .map_err(|e| io_error("put_stream", key, &e))?;

        // Chunk by chunk: at most one chunk is held in memory.
        let written: Result<u64, StorageError> = async {
            let mut total = 0u64;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| body_stream_error(key, &e))?;
                file.write_all(&chunk)
                    .await
                    .map_err(|e| io_error("put_stream", key, &e))?;
                total += chunk.len() as u64;
            }
            file.flush()
                .await
                .map_err(|e| io_error("put_stream", key, &e))?;
            file.sync_all()
                .await
                .map_err(|e| io_error("put_stream", key, &e))?;
            Ok(total)
        }
        .await;
        drop(file);

        // On error (or if this future is dropped) the guard removes the
        // temporary file: nothing half-written stays behind.
        let total = written?;
        let tmp = tmp.keep();
        self.blocking("put_stream", key, move || commit_replace(&tmp, &target))
            .await?;
        Ok(total)
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(body) => Ok(Some(Bytes::from(body))),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(io_error("get", key, &e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => Err(io_error("exists", key, &e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        validate_prefix(prefix)?;
        let root = Arc::clone(&self.root);
        let owned_prefix = prefix.to_owned();
        self.blocking("list", prefix, move || {
            let mut keys = Vec::new();
            walk(&root, "", &owned_prefix, &mut keys)?;
            keys.sort_unstable();
            Ok(keys)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        self.blocking("delete", key, move || match fs::remove_file(&path) {
            Ok(()) => sync_dir(parent_of(&path)),
            Err(e) if is_absent(&e) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
