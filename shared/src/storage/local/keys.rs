//! Which keys and prefixes map safely onto paths under the root.

#[allow(unused_imports)]
use super::*;

/// Checks that `key` is a plain relative path that stays under the root.
///
/// Keys are built from validated conversation ids, so this is defence in
/// depth: it refuses anything a path could be abused with (`..`, absolute
/// paths, backslashes, empty segments, NUL) and segments starting with `.`,
/// which are reserved for temporary files.
pub fn validate_key(key: &str) -> Result<(), StorageError> {
    if key.is_empty() {
        return Err(bad_key(key, "is empty"));
    }
    if key.ends_with('/') {
        return Err(bad_key(key, "ends with '/'"));
    }
    validate_path_prefix(key)
}

/// Like [`validate_key`], for a `list` prefix: empty, or ending in `/`, is
/// allowed.
pub(super) fn validate_prefix(prefix: &str) -> Result<(), StorageError> {
    if prefix.is_empty() {
        return Ok(());
    }
    validate_path_prefix(prefix.strip_suffix('/').unwrap_or(prefix))
}

pub(super) fn validate_path_prefix(path: &str) -> Result<(), StorageError> {
    if path.starts_with('/') {
        return Err(bad_key(path, "is absolute"));
    }
    if path.contains("..") {
        return Err(bad_key(path, "contains '..'"));
    }
    if path.contains('\\') {
        return Err(bad_key(path, "contains a backslash"));
    }
    if path.contains('\0') {
        return Err(bad_key(path, "contains NUL"));
    }
    for segment in path.split('/') {
        if segment.is_empty() {
            return Err(bad_key(path, "has an empty segment"));
        }
        if segment.starts_with('.') {
            return Err(bad_key(
                path,
                "has a segment starting with '.' (reserved for temporary files)",
            ));
        }
    }
    Ok(())
}

pub(super) fn bad_key(key: &str, why: &str) -> StorageError {
    // `{key:?}` escapes control characters, so a hostile key cannot forge log lines.
    StorageError::Other(format!("invalid storage key {key:?}: {why}"))
}
