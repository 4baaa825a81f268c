//! The fixed world every simulated call happens in: the seed of the set,
//! the "now" its questions are asked at, the clinic and its agent, and how
//! long before "now" each caller last called.

use super::bank;

/// The seed of the whole set.
pub const SEED: u64 = 0x5eed_2025_0618;
/// The fixed "now" questions are asked at: 2025-06-18T16:00:00Z, a Wednesday.
pub const NOW: i64 = 1_750_262_400;
/// How many callers the full set has.
pub const CALLERS: usize = bank::ROSTER.len();

pub const AGENT_ID: &str = "agent_01jx7t3lakesidefamilyclinic";
pub const AGENT_NUMBER: &str = "+13125550100";
pub(crate) const CLINIC: &str = "Lakeside Family Clinic";
pub(crate) const AGENT_NAME: &str = "Jamie";

pub(crate) const DAY: i64 = 86_400;

/// Days between a caller's newest call and "now", cycled over the callers,
/// so that "yesterday", "last week" and "two weeks ago" all occur.
pub(crate) const LAST_GAPS: [i64; 9] = [1, 6, 13, 2, 9, 15, 21, 27, 4];
