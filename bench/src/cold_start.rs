//! Section 3: cold start and binary size.
//!
//! Each function's release binary is started under a minimal Lambda
//! Runtime API emulator: `GET …/invocation/next` hands out one API Gateway
//! v2 event, `POST …/invocation/{id}/response` takes the answer. Cold start
//! is the time from spawning the process to that answer arriving; "init" is
//! the time to the runtime's first `next` (the configuration read and the
//! clients built). Every later `next` is left hanging until the process is
//! killed, as Lambda leaves a frozen instance.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use testkit::fake_openmemory::FakeOpenMemory;

use crate::emulator::{once, Start};
use crate::fixtures::{self, apigw_event, bearer, caller};
use crate::stats::{mib, ms, Row, Samples, Verdict};

const SECTION: &str = "3 · cold start";
const STARTS: usize = 10;
const GOAL: Duration = Duration::from_millis(15);
const MIB: u64 = 1024 * 1024;

/// Size goals: client-data and search-data link neither the S3 SDK nor
/// the ingestion path; post-call links both.
fn size_goal(function: &str) -> u64 {
    if function == "post-call" {
        16 * MIB
    } else {
        6 * MIB
    }
}
pub const FUNCTIONS: [&str; 3] = ["client-data", "search-data", "post-call"];

/// Where the functions' release binaries are: next to this one (both are
/// built into `target/release`), or `BENCH_BIN_DIR`.
pub fn bin_dir() -> PathBuf {
    let dir = match std::env::var_os("BENCH_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("target/release")),
    };
    // Absolute: the functions run in a temporary working directory.
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// The size rows: the x86_64 release binaries beside this one, and the
/// arm64 `bootstrap`s `cargo lambda build --release --arm64` wrote under
/// `target/lambda/` (what `template.yaml` deploys; `make bench` builds them).
pub fn sizes() -> Vec<Row> {
    let dir = bin_dir();
    let arm64 = dir.parent().map(|t| t.join("lambda")).unwrap_or_default();
    let mut rows = Vec::new();
    for name in FUNCTIONS {
        let goal = size_goal(name);
        for (arch, path) in [
            ("x86_64", dir.join(name)),
            ("arm64", arm64.join(name).join("bootstrap")),
        ] {
            rows.push(match std::fs::metadata(&path) {
                Ok(meta) => Row::new(
                    SECTION,
                    format!("{name} release binary ({arch}, release profile, stripped)"),
                    format!("{} ({} bytes)", mib(meta.len()), meta.len()),
                    format!("≤ {}", mib(goal)),
                    Verdict::of(meta.len() <= goal),
                ),
                Err(_) => Row::new(
                    SECTION,
                    format!("{name} release binary ({arch})"),
                    format!("not found at {} (run `make bench`)", path.display()),
                    format!("≤ {}", mib(goal)),
                    Verdict::Missed,
                ),
            });
        }
    }
    rows
}

/// Prints the one-time cost of reading phone numbers, in nanoseconds:
/// loading phonenumber's metadata database, the first normalisation after
/// it, and a second one. Run as `bench probe` in a fresh process.
pub fn probe() {
    use shared::caller::{CallerId, Region};
    let t = Instant::now();
    let db = &*phonenumber::metadata::DATABASE;
    let load = t.elapsed();
    assert!(db.by_code(&1).is_some());
    let t = Instant::now();
    assert!(CallerId::normalise("+15552000001", Region::default()).is_some());
    let first = t.elapsed();
    let t = Instant::now();
    assert!(CallerId::normalise("+15552000002", Region::default()).is_some());
    let second = t.elapsed();
    println!(
        "{} {} {}",
        load.as_nanos(),
        first.as_nanos(),
        second.as_nanos()
    );
}

/// Section 3's probe row: `bench probe` in fresh processes.
fn probe_row() -> Row {
    let mut load = Samples::default();
    let mut first = Samples::default();
    let mut second = Samples::default();
    let exe = std::env::current_exe().expect("own path");
    for _ in 0..5 {
        let out = Command::new(&exe).arg("probe").output().expect("probe");
        let nanos: Vec<u64> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [l, f, s] = nanos[..] {
            load.push(Duration::from_nanos(l));
            first.push(Duration::from_nanos(f));
            second.push(Duration::from_nanos(s));
        }
    }
    Row::info(
        SECTION,
        "where the first answer's time goes: phonenumber's metadata database, first use in a fresh process (median of 5)",
        format!(
            "load {} + first normalise {}; later normalise {}",
            ms(load.p50()),
            ms(first.p50()),
            ms(second.p50())
        ),
    )
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The cold-start rows.
pub async fn run() -> Vec<Row> {
    let bin_dir = bin_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let db = d.join("memory.sqlite3").to_string_lossy().into_owned();
    let payloads = d.join("payloads").to_string_lossy().into_owned();
    let fake = FakeOpenMemory::start(None).await;
    let cd_caller = caller(21);
    let sd_caller = caller(22);
    {
        let om = shared::memory::openmemory::OpenMemoryStore::new(
            &fake.url(),
            None,
            Duration::from_secs(5),
        )
        .expect("OpenMemory client");
        fixtures::seed_calls(&om, &cd_caller, 2, 3, "ccd").await;
        fixtures::seed_calls(&om, &sd_caller, 4, 3, "csd").await;
    }
    let url = fake.url();

    let cd_event = {
        let body = fixtures::client_data_body(&cd_caller);
        let auth = bearer(fixtures::CLIENT_DATA_KEY);
        move |_: usize| {
            apigw_event(
                "POST",
                "/webhook/client-data",
                Some(&body),
                &[("authorization", &auth)],
            )
        }
    };
    let sd_event = {
        let body = fixtures::search_body(&sd_caller);
        let auth = bearer(fixtures::SEARCH_DATA_KEY);
        move |_: usize| {
            apigw_event(
                "POST",
                "/webhook/search-data",
                Some(&body),
                &[("authorization", &auth)],
            )
        }
    };
    let pc_event = |tag: &'static str| {
        move |i: usize| {
            let body = fixtures::transcription(
                &format!("conv_cold_{tag}_{i:03}"),
                &caller(30 + i),
                shared::dates::now_unix_secs() - 600,
                3,
                i as u64 + 77,
            );
            let sig = fixtures::signature(body.as_bytes());
            apigw_event(
                "POST",
                "/webhook/post-call",
                Some(&body),
                &[("elevenlabs-signature", &sig)],
            )
        }
    };
    let keys = [
        ("ELEVENLABS_CLIENT_DATA_KEY", fixtures::CLIENT_DATA_KEY),
        ("ELEVENLABS_SEARCH_DATA_KEY", fixtures::SEARCH_DATA_KEY),
        ("ELEVENLABS_POST_CALL_KEY", fixtures::POST_CALL_KEY),
        ("RUST_LOG", "info"),
    ];
    let with = |extra: &[(&str, &str)]| {
        let mut v = vars(&keys);
        v.extend(vars(extra));
        v
    };
    let starts = vec![
        Start {
            function: "client-data",
            label: "OpenMemory (fake, no latency), returning caller",
            env: with(&[("OPENMEMORY_URL", &url)]),
            event: Box::new(cd_event.clone()),
            expect: "Welcome back",
        },
        Start {
            function: "search-data",
            label: "OpenMemory (fake, no latency), search",
            env: with(&[("OPENMEMORY_URL", &url)]),
            event: Box::new(sd_event.clone()),
            expect: "known_caller",
        },
        Start {
            function: "post-call",
            label: "OpenMemory (fake, no latency) + local payloads, signed 50-turn transcription",
            env: with(&[
                ("OPENMEMORY_URL", &url),
                ("PAYLOAD_STORAGE_PATH", &payloads),
            ]),
            event: Box::new(pc_event("om")),
            expect: "ingested",
        },
        Start {
            function: "post-call",
            label: "S3 configured (AWS env credentials, region), GET /health",
            env: with(&[
                ("OPENMEMORY_URL", &url),
                ("PAYLOAD_BUCKET", "bench-payloads"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_DEFAULT_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "AKIDBENCHEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "bench-secret-access-key"),
                ("AWS_SESSION_TOKEN", "bench-session-token"),
            ]),
            event: Box::new(|_| apigw_event("GET", "/health", None, &[])),
            expect: "\"ok\":true",
        },
        Start {
            function: "client-data",
            label: "OpenMemory (fake), withheld caller: answers without reading a phone number",
            env: with(&[("OPENMEMORY_URL", &url)]),
            event: Box::new(|_| {
                let body = fixtures::client_data_body("anonymous");
                let auth = bearer(fixtures::CLIENT_DATA_KEY);
                apigw_event(
                    "POST",
                    "/webhook/client-data",
                    Some(&body),
                    &[("authorization", &auth)],
                )
            }),
            expect: "conversation_initiation_client_data",
        },
        Start {
            function: "client-data",
            label: "embedded store (temp dir)",
            env: with(&[("OPENMEMORY_DB_PATH", &db)]),
            event: Box::new(cd_event),
            expect: "conversation_initiation_client_data",
        },
        Start {
            function: "search-data",
            label: "embedded store (temp dir)",
            env: with(&[("OPENMEMORY_DB_PATH", &db)]),
            event: Box::new(sd_event),
            expect: "known_caller",
        },
        Start {
            function: "post-call",
            label: "embedded store + local payloads, signed 50-turn transcription",
            env: with(&[
                ("OPENMEMORY_DB_PATH", &db),
                ("PAYLOAD_STORAGE_PATH", &payloads),
            ]),
            event: Box::new(pc_event("emb")),
            expect: "ingested",
        },
    ];

    let mut rows = Vec::new();
    for start in &starts {
        let bin = bin_dir.join(start.function);
        let mut inits = Samples::default();
        let mut totals = Samples::default();
        let mut failure = None;
        // One unmeasured start: the page cache, and the embedded store's
        // file and schema, as a warm Lambda host would have them.
        if let Err(e) = once(&bin, start, 1_000, d).await {
            failure = Some(e);
        }
        for i in 0..STARTS {
            if failure.is_some() {
                break;
            }
            match once(&bin, start, i, d).await {
                Ok((init, total)) => {
                    inits.push(init);
                    totals.push(total);
                }
                Err(e) => failure = Some(e),
            }
        }
        let what = format!("{} · {}", start.function, start.label);
        rows.push(match failure {
            Some(e) => Row::new(
                SECTION,
                what,
                format!("failed: {e}"),
                format!("median ≤ {}", ms(GOAL)),
                Verdict::Missed,
            ),
            None => Row::new(
                SECTION,
                format!("{what} (median of {STARTS} starts)"),
                format!(
                    "spawn → answer {} (max {}); spawn → first `next` (init) {}",
                    ms(totals.p50()),
                    ms(totals.pct(100.0)),
                    ms(inits.p50())
                ),
                format!("median ≤ {}", ms(GOAL)),
                Verdict::of(totals.p50() <= GOAL),
            ),
        });
    }
    drop(fake);
    rows.push(probe_row());
    rows
}
