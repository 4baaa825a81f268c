//! Real-socket test doubles and harnesses, shared by the tests and benches of
//! every crate in the workspace.
//!
//! - [`serve`]: runs any request handler on a loopback port over real HTTP.
//!
//! Nothing here is used by the deployed functions.

pub mod serve;
