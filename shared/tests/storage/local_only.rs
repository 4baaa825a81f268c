//! What only the local store can show: key validation, hidden temporary files.

use super::*;

#[tokio::test]
async fn keys_cannot_leave_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::new(dir.path().join("payloads"));
    for key in ["../x", "conv/../../x", "/etc/x", "a\\..\\x", "a//b", ""] {
        let put = store.put(key, Bytes::from_static(b"x"), "text/plain").await;
        assert!(
            matches!(put, Err(StorageError::Other(_))),
            "{key:?}: {put:?}"
        );
        assert!(
            matches!(store.get(key).await, Err(StorageError::Other(_))),
            "{key:?}"
        );
        assert!(
            matches!(store.delete(key).await, Err(StorageError::Other(_))),
            "{key:?}"
        );
        assert!(matches!(
            store.put_if_absent(key, Bytes::new(), "text/plain").await,
            Err(StorageError::Other(_))
        ));
        assert!(matches!(
            store
                .put_stream(key, stream::empty().boxed(), "text/plain")
                .await,
            Err(StorageError::Other(_))
        ));
    }
    assert!(matches!(
        store.list("../").await,
        Err(StorageError::Other(_))
    ));
    assert!(!dir.path().join("x").exists());
    assert!(!dir.path().join("payloads").exists(), "nothing was written");
}

#[tokio::test]
async fn leftover_temporary_files_are_not_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::new(dir.path());
    let key = keys::audio(&conv("conv_tmp"));
    store
        .put(&key, Bytes::from_static(b"x"), "audio/mpeg")
        .await
        .unwrap();
    // As a crash mid-write would leave it.
    std::fs::write(
        dir.path().join("conv_tmp/.conv_tmp_audio.mp3.1.2.3.tmp"),
        b"half",
    )
    .unwrap();
    assert_eq!(store.list("").await.unwrap(), vec![key.clone()]);
    assert_eq!(store.list("conv_tmp/").await.unwrap(), vec![key]);
}

/// Two stores on one directory stand for two processes: `link(2)` is what
/// arbitrates, not anything in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn put_if_absent_is_atomic_across_store_instances() {
    let dir = tempfile::tempdir().unwrap();
    let key = keys::ingested_marker(&conv("conv_two"));
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = LocalStore::new(dir.path());
            let key = key.clone();
            tokio::spawn(async move {
                store
                    .put_if_absent(&key, Bytes::from(format!("{i}")), "application/json")
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1);
    assert_eq!(
        LocalStore::new(dir.path()).list("").await.unwrap(),
        vec![key]
    );
}
