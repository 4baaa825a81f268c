//! Retrieval quality of caller memory, measured on an evaluation set of
//! our own.
//!
//! - [`gen`]: the deterministic generator of simulated callers, their calls
//!   (full ElevenLabs webhook bodies) and questions with known answers.
//! - [`dataset`]: the set as files under `eval/data/`, byte-identical on
//!   every run.
//! - [`run`]: ingesting through the real post-call handler and asking
//!   through the real search path, on the embedded store or the OpenMemory
//!   client against the fake server.
//! - [`outcome`]: what one question got, scored against its known answers.
//! - [`metrics`]: hit@k, recall, newest-first, foreign results, latency.
//! - [`real`]: public real-dialogue sets (dev and test splits), and
//!   [`baseline`]: the plain BM25 every table prints beside the product.
//!
//! `make eval` runs the whole evaluation (`src/main.rs`, dispatching to
//! [`commands`]); the crate's tests run a reduced one.

pub mod baseline;
pub mod commands;
pub mod dataset;
pub mod gen;
pub mod metrics;
pub mod outcome;
pub mod real;
pub mod run;

use std::path::PathBuf;

/// Where the generated set is kept.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}
