//! Tests that concurrent writers, in threads and in processes, lose nothing.

use std::collections::HashSet;
use std::process::{Command, Stdio};

use super::tests::*;
use super::*;

#[test]
fn concurrent_writer_threads_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memory.db");
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || write_many(&path, &format!("t{t}"), WRITER_ADDS))
        })
        .collect();
    let mut all = HashSet::new();
    for w in writers {
        all.extend(w.join().expect("a writer failed"));
    }
    assert_eq!(all.len(), 4 * WRITER_ADDS, "ids are unique");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let stored: HashSet<String> = rt
        .block_on(ids_of(&EmbeddedStore::open(&path).unwrap(), &caller(1)))
        .into_iter()
        .collect();
    assert_eq!(stored, all);
}

/// One writer process of `concurrent_writer_processes_lose_nothing`; run
/// alone it writes to a temp file.
#[test]
#[ignore = "a writer process started by concurrent_writer_processes_lose_nothing"]
fn writer_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var_os(WRITER_DB)
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("memory.db"));
    let tag = std::env::var(WRITER_TAG).unwrap_or_else(|_| "solo".into());
    assert_eq!(write_many(&path, &tag, WRITER_ADDS).len(), WRITER_ADDS);
}

/// Three processes, as under `cargo lambda watch`, create and write one
/// new file at the same time.
#[test]
fn concurrent_writer_processes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memory.db");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|p| {
            Command::new(&exe)
                .args([
                    "memory::embedded::concurrency_tests::writer_process",
                    "--exact",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env(WRITER_DB, &path)
                .env(WRITER_TAG, format!("p{p}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let memories = rt
        .block_on(
            EmbeddedStore::open(&path)
                .unwrap()
                .recent(&caller(1), 10_000),
        )
        .unwrap();
    assert_eq!(memories.len(), 3 * WRITER_ADDS);
    for p in 0..3 {
        for i in 0..WRITER_ADDS {
            let line = format!("writer p{p} line {i}");
            assert!(
                memories.iter().any(|m| m.content == line),
                "{line} is missing"
            );
        }
    }
}
