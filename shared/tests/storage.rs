//! The payload-store contract, run against both stores:
//!
//! - `local::*`: [`LocalStore`] in a temporary directory;
//! - `s3::*`: [`S3Store`] against the real S3-compatible server at
//!   `S3_TEST_ENDPOINT` (`scripts/s3-server.sh start`), each test in its own
//!   fresh bucket.
//!
//! Then what only one store can show: S3 content types, multipart ETags,
//! pagination past 1000 keys, aborted uploads and error classes; local key
//! validation and hidden temporary files.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::Client;
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use sha2::{Digest, Sha256};
use shared::storage::local::LocalStore;
use shared::storage::s3::{S3Store, PART_SIZE};
use shared::storage::{keys, ByteStream, ConversationId, PayloadStore, StorageError};

const MIB: usize = 1024 * 1024;

/// The S3 store lists in pages this small, so every listing paginates.
const S3_LIST_PAGE: i32 = 5;

enum Backend {
    Local(tempfile::TempDir),
    S3 { client: Client, bucket: String },
}

struct Harness {
    store: Arc<dyn PayloadStore>,
    backend: Backend,
}

impl Harness {
    fn local() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self {
            store: Arc::new(LocalStore::new(dir.path().join("payloads"))),
            backend: Backend::Local(dir),
        }
    }

    async fn s3(label: &str) -> Self {
        let client = testkit::s3::client();
        let bucket = testkit::s3::fresh_bucket(&client, label).await;
        let store = S3Store::new(client.clone(), bucket.clone()).with_list_page_size(S3_LIST_PAGE);
        Self {
            store: Arc::new(store),
            backend: Backend::S3 { client, bucket },
        }
    }

    /// S3's record of an object: (content type, ETag).
    async fn s3_head(&self, key: &str) -> Option<(Option<String>, Option<String>)> {
        let Backend::S3 { client, bucket } = &self.backend else {
            return None;
        };
        let head = client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .expect("head_object");
        Some((
            head.content_type().map(str::to_owned),
            head.e_tag().map(str::to_owned),
        ))
    }
}

fn conv(id: &str) -> ConversationId {
    ConversationId::parse(id).expect("valid id")
}

/// Deterministic bytes that differ chunk to chunk, so a reordered or
/// repeated chunk changes the hash.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn chunked(data: &[u8], chunk: usize) -> ByteStream {
    let chunks: Vec<io::Result<Bytes>> = data
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks).boxed()
}

fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The contract every [`PayloadStore`] keeps.
mod contract {
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
}

/// Runs each contract test against both stores: `local::<name>` and
/// `s3::<name>`.
macro_rules! contract_suite {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::contract::$name(super::Harness::local()).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::contract::$name(super::Harness::s3(stringify!($name)).await).await;
                }
            )*
        }
    };
}

contract_suite!(
    round_trip_keeps_body_and_content_type,
    put_replaces_an_object,
    get_of_a_missing_key_is_none,
    put_if_absent_keeps_the_first_body,
    concurrent_put_if_absent_has_exactly_one_winner,
    list_is_by_prefix_sorted_and_complete,
    delete_removes_and_tolerates_missing_keys,
    put_stream_stores_20_mib_whole,
    put_stream_of_a_short_body_is_one_object,
    a_failed_put_stream_leaves_nothing,
    a_dropped_put_stream_leaves_nothing,
);

mod s3_only {
    use super::*;

    /// With S3's default page size (1000), a listing of 1001+ keys needs
    /// continuation tokens.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn list_follows_continuation_tokens_past_1000_keys() {
        let client = testkit::s3::client();
        let bucket = testkit::s3::fresh_bucket(&client, "list-1000").await;
        let store = Arc::new(S3Store::new(client, bucket));
        let mut expected: Vec<String> = (0..1003)
            .map(|i| format!("conv_many/conv_many_{i:04}.json"))
            .collect();
        let results: Vec<Result<(), StorageError>> = stream::iter(expected.clone())
            .map(|key| {
                let store = Arc::clone(&store);
                async move {
                    store
                        .put(&key, Bytes::from_static(b"{}"), "application/json")
                        .await
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        assert!(results.iter().all(Result::is_ok), "a put failed");
        expected.sort();
        assert_eq!(store.list("conv_many/").await.unwrap(), expected);
    }

    /// A closed port: no server. The client makes one attempt with a short
    /// connect timeout, so the failure is quick; the outer timeout only
    /// keeps a regression from hanging the suite.
    #[tokio::test]
    async fn an_unreachable_endpoint_is_unavailable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let (key, secret) = testkit::s3::credentials();
        let conf = testkit::s3::config_builder(&format!("http://127.0.0.1:{port}"), &key, &secret)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_millis(500))
                    .operation_timeout(Duration::from_secs(2))
                    .build(),
            )
            .build();
        let store = S3Store::new(Client::from_conf(conf), "payloads");

        let calls = async {
            (
                store.get("conv_x/conv_x_audio.mp3").await,
                store
                    .put(
                        "conv_x/conv_x_audio.mp3",
                        Bytes::from_static(b"x"),
                        "audio/mpeg",
                    )
                    .await,
                store.list("conv_x/").await,
            )
        };
        let (get, put, list) = tokio::time::timeout(Duration::from_secs(30), calls)
            .await
            .expect("calls to a dead endpoint must fail, not hang");
        assert!(matches!(get, Err(StorageError::Unavailable(_))), "{get:?}");
        assert!(matches!(put, Err(StorageError::Unavailable(_))), "{put:?}");
        assert!(
            matches!(list, Err(StorageError::Unavailable(_))),
            "{list:?}"
        );
    }

    #[tokio::test]
    async fn a_wrong_secret_is_denied() {
        let client = testkit::s3::client();
        let bucket = testkit::s3::fresh_bucket(&client, "denied").await;
        let (key, _) = testkit::s3::credentials();
        let conf =
            testkit::s3::config_builder(&testkit::s3::endpoint(), &key, "not-the-secret").build();
        let store = S3Store::new(Client::from_conf(conf), bucket);
        let err = store
            .put(
                "conv_x/conv_x_audio.mp3",
                Bytes::from_static(b"secret audio"),
                "audio/mpeg",
            )
            .await
            .unwrap_err();
        let StorageError::Denied(msg) = &err else {
            panic!("expected Denied, got {err:?}");
        };
        assert!(!msg.contains("secret audio"), "the body leaked: {msg}");
        assert!(matches!(
            store.get("conv_x/conv_x_audio.mp3").await,
            Err(StorageError::Denied(_))
        ));
    }

    /// "No such bucket" must not pass for "no such object".
    #[tokio::test]
    async fn a_missing_bucket_is_an_error_not_an_empty_store() {
        let store = S3Store::new(
            testkit::s3::client(),
            testkit::s3::unique_bucket_name("never-created"),
        );
        let get = store.get("conv_x/conv_x_audio.mp3").await;
        assert!(
            matches!(&get, Err(StorageError::Other(m)) if m.contains("NoSuchBucket")),
            "{get:?}"
        );
        assert!(store.list("").await.is_err());
        assert!(store
            .put_if_absent(
                "conv_x/conv_x_ingested.json",
                Bytes::new(),
                "application/json"
            )
            .await
            .is_err());
    }

    /// The path `from_config` takes (endpoint override, path-style), from an
    /// SDK configuration with the test credentials.
    #[tokio::test]
    async fn from_sdk_config_reaches_an_s3_compatible_endpoint() {
        use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};

        let client = testkit::s3::client();
        let bucket = testkit::s3::fresh_bucket(&client, "from-config").await;
        let (key, secret) = testkit::s3::credentials();
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                key, secret, None, None, "test",
            )))
            .build();
        let store =
            S3Store::from_sdk_config(&sdk, bucket.clone(), Some(testkit::s3::endpoint()), true);
        assert_eq!(store.bucket(), bucket);
        let k = keys::transcription(&conv("conv_cfg"));
        store
            .put(&k, Bytes::from_static(b"{}"), "application/json")
            .await
            .unwrap();
        assert_eq!(
            store.get(&k).await.unwrap(),
            Some(Bytes::from_static(b"{}"))
        );
    }
}

mod local_only {
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
}
