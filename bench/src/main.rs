//! `make bench`: how fast the three functions are, as one table.
//!
//! 1. handler overhead in process, over zero-latency stores;
//! 2. the handlers over loopback HTTP, with the real OpenMemory client
//!    against the fake OpenMemory server at +20 ms per answer, and
//!    search-data's listing cache cold and warm;
//! 3. cold start of each release binary under a Lambda Runtime API
//!    emulator, and the binaries' sizes;
//! 4. peak memory and time of large audio webhooks;
//! 5. search over the embedded store at 10k and 100k memories;
//! 6. with `BENCH_OPENMEMORY_URL` set: the deployed path against a real
//!    OpenMemory v1.3.0 server, at 10 and at 510 callers.
//!
//! Run it with `make bench`, which builds the functions' release binaries
//! first (section 3 starts them). `cargo run --release -p bench -- 1 3`
//! runs only some sections. Progress goes to stderr; stdout is the
//! Markdown table and the machine it ran on.
//!
//! These are measurements, never tests: nothing here fails a build. A
//! missed goal is a row marked **no**.

mod alloc;
mod audio;
mod cold_start;
mod emulator;
mod fixtures;
mod handlers;
mod ingestion;
mod loopback;
mod real_store;
mod scale;
mod search_cache;
mod stats;
mod stores;

use std::time::Instant;

use stats::Row;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    if wanted.first().map(String::as_str) == Some("probe") {
        // Section 3 runs this in a fresh process: one-time costs only
        // show in a process that has not paid them yet.
        cold_start::probe();
        return;
    }
    let run = |s: &str| wanted.is_empty() || wanted.iter().any(|w| w == s);
    // Like the functions' `#[tokio::main]`, on this machine's two cores.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    install_log_sink();
    let load_before = load_average();
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let mut section = |n: &str, name: &str, rows_of: &mut dyn FnMut() -> Vec<Row>| {
        if run(n) {
            eprintln!("bench: section {n}, {name}…");
            let t = Instant::now();
            rows.extend(rows_of());
            eprintln!("bench: section {n} took {:.1} s", t.elapsed().as_secs_f64());
        }
    };
    section("1", "handler overhead in process", &mut || {
        rt.block_on(handlers::run())
    });
    section(
        "2",
        "loopback HTTP against the fake OpenMemory",
        &mut || rt.block_on(loopback::run()),
    );
    section("3", "cold start and binary size", &mut || {
        let mut r = rt.block_on(cold_start::run());
        r.extend(cold_start::sizes());
        r
    });
    section("4", "large audio webhooks", &mut || {
        rt.block_on(audio::run())
    });
    section("5", "embedded store at scale", &mut || {
        rt.block_on(scale::run())
    });
    section("6", "a real OpenMemory server", &mut || {
        rt.block_on(real_store::run())
    });
    let load_after = load_average();
    println!(
        "Machine: {} ({} cores, {}); load average {} at start, {} at end; {:.0} s.\n",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, usize::from),
        std::env::consts::ARCH,
        load_before,
        load_after,
        started.elapsed().as_secs_f64()
    );
    print!("{}", stats::table(&rows));
}

/// The handlers log one JSON line per request in Lambda; formatting it is
/// part of their cost, so the bench formats it too, into a sink.
fn install_log_sink() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_target(false)
        .json()
        .flatten_event(true)
        .without_time()
        .with_writer(std::io::sink)
        .try_init();
}

/// The one-minute load average.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// The CPU's model name, as `lscpu` shows it.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
