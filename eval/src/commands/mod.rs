//! What the `eval` binary does, one room per command: `generate`
//! (`eval generate [--check]`: the set written or checked), `evaluate`
//! (`eval run`: both stores, the long-history caller, the tables and the
//! goals), `public` (`eval real`: the public real-dialogue sets); with
//! `long_history` (latency at a thousand memories) and `report` (the
//! tables, misses and comparisons printed).

mod evaluate;
mod generate;
mod long_history;
mod public;
mod report;

pub use self::evaluate::{evaluate, Options};
pub use self::generate::generate;
pub use self::public::public_sets;
