//! The contract every [`PayloadStore`] keeps.

use super::*;

pub async fn round_trip_keeps_body_and_content_type(h: Harness) {
    let c = conv("conv_round_trip");
    let audio = Bytes::from(pseudo_random(4096, 7));
    let json = Bytes::from_static(br#"{"type":"post_call_transcription"}"#);
    h.store
        .put(&keys::audio(&c), audio.clone(), "audio/mpeg")
        .await
        .unwrap();
    h.store
        .put(&keys::transcription(&c), json.clone(), "application/json")
        .await
        .unwrap();

    assert_eq!(h.store.get(&keys::audio(&c)).await.unwrap(), Some(audio));
    assert_eq!(
        h.store.get(&keys::transcription(&c)).await.unwrap(),
        Some(json)
    );
    if let Some((content_type, _)) = h.s3_head(&keys::audio(&c)).await {
        assert_eq!(content_type.as_deref(), Some("audio/mpeg"));
    }
    if let Some((content_type, _)) = h.s3_head(&keys::transcription(&c)).await {
        assert_eq!(content_type.as_deref(), Some("application/json"));
    }
}

pub async fn put_replaces_an_object(h: Harness) {
    let key = keys::failure(&conv("conv_replace"));
    h.store
        .put(&key, Bytes::from_static(b"first"), "application/json")
        .await
        .unwrap();
    h.store
        .put(&key, Bytes::from_static(b"second"), "application/json")
        .await
        .unwrap();
    assert_eq!(
        h.store.get(&key).await.unwrap(),
        Some(Bytes::from_static(b"second"))
    );
    assert_eq!(h.store.list("").await.unwrap(), vec![key]);
}

pub async fn get_of_a_missing_key_is_none(h: Harness) {
    let c = conv("conv_missing");
    assert_eq!(h.store.get(&keys::transcription(&c)).await.unwrap(), None);
    // A key whose "folder" exists is still missing.
    h.store
        .put(&keys::audio(&c), Bytes::from_static(b"x"), "audio/mpeg")
        .await
        .unwrap();
    assert_eq!(h.store.get(&keys::transcription(&c)).await.unwrap(), None);
    assert_eq!(h.store.get("conv_missing").await.unwrap(), None);
}

pub async fn put_if_absent_keeps_the_first_body(h: Harness) {
    let key = keys::ingested_marker(&conv("conv_once"));
    let first = Bytes::from_static(br#"{"n":1}"#);
    assert!(h
        .store
        .put_if_absent(&key, first.clone(), "application/json")
        .await
        .unwrap());
    assert!(!h
        .store
        .put_if_absent(&key, Bytes::from_static(br#"{"n":2}"#), "application/json")
        .await
        .unwrap());
    assert_eq!(h.store.get(&key).await.unwrap(), Some(first));
    if let Some((content_type, _)) = h.s3_head(&key).await {
        assert_eq!(content_type.as_deref(), Some("application/json"));
    }
}

pub async fn concurrent_put_if_absent_has_exactly_one_winner(h: Harness) {
    let key = keys::ingested_marker(&conv("conv_race"));
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = Arc::clone(&h.store);
            let key = key.clone();
            tokio::spawn(async move {
                let body = Bytes::from(format!("writer-{i}"));
                let won = store
                    .put_if_absent(&key, body.clone(), "application/json")
                    .await
                    .unwrap();
                (won, body)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (won, body) = task.await.unwrap();
        if won {
            winners.push(body);
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(h.store.get(&key).await.unwrap(), winners.pop());
}

pub async fn list_is_by_prefix_sorted_and_complete(h: Harness) {
    let a = conv("conv_a");
    let mut expected_a = vec![
        keys::transcription(&a),
        keys::audio(&a),
        keys::ingested_marker(&a),
    ];
    // Enough keys for several pages of the S3 store's small page size.
    expected_a.extend((0..20).map(|i| keys::other(&a, &format!("event_{i:02}"))));
    let others = [
        keys::transcription(&conv("conv_b")),
        keys::audio(&conv("conv_ab")),
        keys::audio(&conv("other")),
    ];
    // Written in reverse, so sorting is the store's doing.
    for key in expected_a.iter().rev().chain(others.iter()) {
        h.store
            .put(key, Bytes::from_static(b"{}"), "application/json")
            .await
            .unwrap();
    }

    if let Backend::S3 { client, bucket } = &h.backend {
        // Only a server that honours max-keys makes this a pagination test.
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix("conv_a/")
            .max_keys(S3_LIST_PAGE)
            .send()
            .await
            .unwrap();
        assert_eq!(page.contents().len(), S3_LIST_PAGE as usize);
        assert_eq!(page.is_truncated(), Some(true));
    }

    expected_a.sort();
    assert_eq!(h.store.list("conv_a/").await.unwrap(), expected_a);

    let mut all: Vec<String> = expected_a.iter().chain(others.iter()).cloned().collect();
    all.sort();
    assert_eq!(h.store.list("").await.unwrap(), all);

    // A prefix is a string prefix, not only a folder.
    let mut conv_a_star: Vec<String> = all
        .iter()
        .filter(|k| k.starts_with("conv_a"))
        .cloned()
        .collect();
    conv_a_star.sort();
    assert_eq!(h.store.list("conv_a").await.unwrap(), conv_a_star);
    assert!(conv_a_star.contains(&keys::audio(&conv("conv_ab"))));

    assert_eq!(
        h.store.list("conv_a/other/event_1").await.unwrap().len(),
        10
    );
    assert!(h.store.list("nothing/").await.unwrap().is_empty());
}

pub async fn delete_removes_and_tolerates_missing_keys(h: Harness) {
    let c = conv("conv_delete");
    let (gone, kept) = (keys::audio(&c), keys::transcription(&c));
    for key in [&gone, &kept] {
        h.store
            .put(key, Bytes::from_static(b"x"), "application/octet-stream")
            .await
            .unwrap();
    }
    h.store.delete(&gone).await.unwrap();
    assert_eq!(h.store.get(&gone).await.unwrap(), None);
    assert_eq!(
        h.store.list("conv_delete/").await.unwrap(),
        vec![kept.clone()]
    );
    // Deleting again, or a key that never existed, is fine.
    h.store.delete(&gone).await.unwrap();
    h.store
        .delete(&keys::failure(&conv("never")))
        .await
        .unwrap();
    assert_eq!(
        h.store.get(&kept).await.unwrap(),
        Some(Bytes::from_static(b"x"))
    );
}

pub async fn put_stream_stores_20_mib_whole(h: Harness) {
    let key = keys::audio(&conv("conv_stream"));
    let data = pseudo_random(20 * MIB, 42);
    let stored = h
        .store
        .put_stream(&key, chunked(&data, MIB), "audio/mpeg")
        .await
        .unwrap();
    assert_eq!(stored, data.len() as u64);

    let got = h.store.get(&key).await.unwrap().expect("stored");
    assert_eq!(got.len(), data.len());
    assert_eq!(sha256(&got), sha256(&data));

    if let Some((content_type, etag)) = h.s3_head(&key).await {
        assert_eq!(content_type.as_deref(), Some("audio/mpeg"));
        // A multipart ETag is "<md5 of part md5s>-<parts>": 8 + 8 + 4 MiB.
        let parts = (20 * MIB).div_ceil(PART_SIZE);
        let etag = etag.unwrap_or_default();
        assert!(
            etag.trim_matches('"').ends_with(&format!("-{parts}")),
            "not a {parts}-part multipart ETag: {etag}"
        );
    }
}

pub async fn put_stream_of_a_short_body_is_one_object(h: Harness) {
    let c = conv("conv_short_stream");
    let data = pseudo_random(3 * MIB + 5, 3);
    let stored = h
        .store
        .put_stream(&keys::audio(&c), chunked(&data, 64 * 1024), "audio/mpeg")
        .await
        .unwrap();
    assert_eq!(stored, data.len() as u64);
    assert_eq!(
        h.store.get(&keys::audio(&c)).await.unwrap(),
        Some(Bytes::from(data))
    );
    if let Some((_, etag)) = h.s3_head(&keys::audio(&c)).await {
        let etag = etag.unwrap_or_default();
        assert!(!etag.contains('-'), "a short stream went multipart: {etag}");
    }

    let empty = keys::failure(&c);
    let stored = h
        .store
        .put_stream(&empty, stream::empty().boxed(), "application/json")
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(h.store.get(&empty).await.unwrap(), Some(Bytes::new()));
}

pub async fn a_failed_put_stream_leaves_nothing(h: Harness) {
    let key = keys::audio(&conv("conv_broken"));
    // 10 MiB (more than one part) and then the source fails.
    let data = pseudo_random(10 * MIB, 9);
    let failing: ByteStream = chunked(&data, MIB)
        .chain(stream::iter([Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "source went away",
        ))]))
        .boxed();
    let err = h
        .store
        .put_stream(&key, failing, "audio/mpeg")
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    assert_eq!(h.store.get(&key).await.unwrap(), None);
    assert!(h.store.list("").await.unwrap().is_empty());

    match &h.backend {
        Backend::S3 { client, bucket } => {
            assert_eq!(s3_uploads(client, bucket).await, 0, "upload not aborted");
        }
        Backend::Local(dir) => {
            let leftovers = files_under(dir.path());
            assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
        }
    }
}

/// A caller that gives up mid-stream (drops the future) leaves no
/// temporary file, and no multipart upload once the background abort ran.
pub async fn a_dropped_put_stream_leaves_nothing(h: Harness) {
    let key = keys::audio(&conv("conv_dropped"));
    // More than one part, then the source stalls and says so.
    let (stalled_tx, stalled_rx) = tokio::sync::oneshot::channel::<()>();
    let data = pseudo_random(PART_SIZE + MIB, 11);
    let stalling: ByteStream = chunked(&data, MIB)
        .chain(stream::once(async move {
            let _ = stalled_tx.send(());
            futures::future::pending::<io::Result<Bytes>>().await
        }))
        .boxed();
    // A boxed future (async_trait), so it can be dropped explicitly.
    let mut upload = h.store.put_stream(&key, stalling, "audio/mpeg");
    tokio::select! {
        result = &mut upload => panic!("a stalled stream finished: {result:?}"),
        _ = stalled_rx => {}
    }

    // Mid-upload: something is in flight...
    match &h.backend {
        Backend::S3 { client, bucket } => {
            assert_eq!(s3_uploads(client, bucket).await, 1);
        }
        Backend::Local(dir) => assert_eq!(files_under(dir.path()).len(), 1),
    }
    drop(upload);
    // ...and after the drop, nothing is.
    match &h.backend {
        Backend::S3 { client, bucket } => {
            // The abort runs in a spawned task: wait for it (bounded).
            let mut left = 1;
            for _ in 0..100 {
                left = s3_uploads(client, bucket).await;
                if left == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(left, 0, "the dropped upload was not aborted");
        }
        Backend::Local(dir) => {
            let leftovers = files_under(dir.path());
            assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
        }
    }
    assert_eq!(h.store.get(&key).await.unwrap(), None);
}

async fn s3_uploads(client: &Client, bucket: &str) -> usize {
    client
        .list_multipart_uploads()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .uploads()
        .len()
}

/// Every file (hidden ones included) under `dir`.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}
