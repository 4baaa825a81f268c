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

mod contract;

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

mod s3_only;

mod local_only;
