//! `make eval`: regenerates the evaluation set (it must come out
//! byte-identical), ingests every call through the post-call handler,
//! asks every question through the search path, and prints the table.
//!
//! `eval real` runs the public real-dialogue sets (dev and test splits)
//! with the BM25 baseline beside the product.
//!
//! `eval generate [--check]` only (re)writes `eval/data/` (with `--check`
//! it fails instead when the files differ). `eval run [--misses]` does
//! everything; `--misses` also lists every question without an answer in
//! its top 10.

use std::future::Future;
use std::process::ExitCode;

use eval::commands::{self, Options};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map_or("run", String::as_str);
    let flag = |name: &str| args.iter().any(|a| a == name);
    let result = match command {
        "generate" => commands::generate(flag("--check")).map(|_| true),
        "run" => block_on(commands::evaluate(Options {
            misses: flag("--misses"),
            local_misses: flag("--local"),
            quick: flag("--quick"),
        })),
        "real" => block_on(commands::public_sets(flag("--dev"))),
        other => Err(format!(
            "unknown command {other:?}: use `generate [--check]`, `run [--misses]` or `real`"
        )),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("eval: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `command` on a two-thread runtime.
fn block_on(command: impl Future<Output = Result<bool, String>>) -> Result<bool, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(command))
}
