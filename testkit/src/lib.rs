//! Real-socket test doubles and harnesses, shared by the tests and benches of
//! every crate in the workspace.
//!
//! - [`s3`]: clients and fresh buckets on the test S3 server (`scripts/s3-server.sh`).
//! - [`fake_elevenlabs`]: the ElevenLabs conversation-audio endpoint.
//! - [`fake_openmemory`]: a fake OpenMemory v1.3.0 server, quirks included.
//! - [`serve`]: runs any request handler on a loopback port over real HTTP.
//! - [`words`]: a seeded generator and phrase tables for benchmarks.
//!
//! Nothing here is used by the deployed functions.

pub mod fake_elevenlabs;
pub mod fake_openmemory;
pub mod s3;
pub mod serve;
pub mod words;
