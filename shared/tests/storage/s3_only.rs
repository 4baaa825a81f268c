//! What only the S3 store can show: content types, multipart ETags, pagination past 1000 keys, aborted uploads, error classes.

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
    let store = S3Store::from_sdk_config(&sdk, bucket.clone(), Some(testkit::s3::endpoint()), true);
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
