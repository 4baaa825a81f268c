//! The test S3 server: where it is, clients for it, and a fresh bucket per test.
//!
//! The server is a real SeaweedFS started by `scripts/s3-server.sh start`,
//! which prints the variables read here:
//!
//! - `S3_TEST_ENDPOINT`, e.g. `http://127.0.0.1:28333`; when it is unset
//!   (plain `cargo test`, an IDE running one test) the first S3 test of a
//!   process runs the script itself, which installs SeaweedFS into
//!   `.tools/` if needed and starts it once for every test process. Each
//!   such process holds `.tools/s3.users` (a shared lock, released when it
//!   exits); the script's watchdog stops the server once none has held it
//!   for 10 s;
//! - `S3_TEST_ACCESS_KEY_ID` / `S3_TEST_SECRET_ACCESS_KEY` (optional; the
//!   defaults below are the ones the script configures).
//!
//! Test credentials are read from these dedicated variables, not from
//! `AWS_ACCESS_KEY_ID`, so real AWS credentials in a developer's shell are
//! never sent to the test server (and tests never touch AWS).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::Client;

/// The access key the script gives the server's identity by default.
pub const DEFAULT_ACCESS_KEY_ID: &str = "caller-memory-test";
/// The matching secret.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "caller-memory-test-secret";

/// The test S3 server's URL: `S3_TEST_ENDPOINT`, or the server this
/// process started with the project's script.
///
/// # Panics
/// When no server can be had: S3 tests need the real server, and silently
/// skipping them would hide a broken store.
pub fn endpoint() -> String {
    match std::env::var("S3_TEST_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => started().to_owned(),
    }
}

/// Starts (or finds) the server through `scripts/s3-server.sh start`, once
/// per process, and reads the endpoint it prints.
fn started() -> &'static str {
    static ENDPOINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static USING: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
    ENDPOINT.get_or_init(|| {
        // Held before the server is looked for, so the idle watchdog never
        // stops it under us; released by the OS when this process ends.
        USING.get_or_init(|| {
            let tools = concat!(env!("CARGO_MANIFEST_DIR"), "/../.tools");
            std::fs::create_dir_all(tools).ok()?;
            let users = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(format!("{tools}/s3.users"))
                .ok()?;
            users.lock_shared().ok()?;
            Some(users)
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/s3-server.sh");
        let out = std::process::Command::new("bash")
            .arg(script)
            .args(["start", "--stop-when-idle"])
            .stderr(std::process::Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("running {script}: {e}"));
        let printed = String::from_utf8_lossy(&out.stdout);
        let url = printed
            .lines()
            .find_map(|l| l.strip_prefix("export S3_TEST_ENDPOINT="))
            .map(|v| v.trim().trim_matches('"').trim_end_matches('/').to_owned());
        match (out.status.success(), url) {
            (true, Some(url)) => url,
            _ => panic!(
                "S3_TEST_ENDPOINT is not set and `scripts/s3-server.sh start` failed \
                 (see its messages above); start it by hand and export what it prints"
            ),
        }
    })
}

/// The test server's access key id and secret.
pub fn credentials() -> (String, String) {
    let var = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    (
        var("S3_TEST_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID),
        var("S3_TEST_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY),
    )
}

/// A client configuration for an S3-compatible server at `endpoint`:
/// static credentials, path-style addressing, a fixed region, and timeouts
/// short enough that a dead server fails a test instead of hanging it.
/// Callers may tighten it further (e.g. no retries).
pub fn config_builder(
    endpoint: &str,
    access_key_id: &str,
    secret_access_key: &str,
) -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .force_path_style(true)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "testkit",
        ))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(60))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2))
}

/// A client for the test server ([`endpoint`], [`credentials`]).
pub fn client() -> Client {
    let (key, secret) = credentials();
    Client::from_conf(config_builder(&endpoint(), &key, &secret).build())
}

/// A bucket name no other test (in this or a parallel process) uses:
/// `cm-<label>-<pid>-<counter>-<time>`, within S3's naming rules
/// (3–63 lower-case letters, digits and `-`).
pub fn unique_bucket_name(label: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(24)
        .collect();
    // Runs of `-` collapse, which keeps clear of reserved suffixes such as `--x-s3`.
    while label.contains("--") {
        label = label.replace("--", "-");
    }
    label = label.trim_matches('-').to_owned();
    if label.is_empty() {
        label.push('t');
    }
    format!("cm-{label}-{}-{n}-{nanos:x}", std::process::id())
}

/// Creates a fresh, empty bucket for one test and returns its name.
///
/// # Panics
/// When the server refuses: the test cannot run without it.
pub async fn fresh_bucket(client: &Client, label: &str) -> String {
    let bucket = unique_bucket_name(label);
    if let Err(e) = client.create_bucket().bucket(&bucket).send().await {
        panic!(
            "creating test bucket {bucket}: {}; is the S3 server running \
             (`scripts/s3-server.sh start`)?",
            aws_sdk_s3::error::DisplayErrorContext(&e)
        );
    }
    bucket
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_are_unique_and_valid() {
        let a = unique_bucket_name("Put/Get  Round Trip that is very long indeed");
        let b = unique_bucket_name("Put/Get  Round Trip that is very long indeed");
        assert_ne!(a, b);
        for name in [&a, &b, &unique_bucket_name("--"), &unique_bucket_name("")] {
            assert!((3..=63).contains(&name.len()), "{name}");
            assert!(
                name.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
                "{name}"
            );
            assert!(!name.ends_with('-') && !name.contains("--"), "{name}");
        }
    }
}
