//! The deterministic generator of the evaluation set.
//!
//! Each simulated caller of [`bank::ROSTER`] lives a year of calls to a
//! family clinic's voice agent: registration, refills, errands, a move, a
//! new cell number, a rescheduled appointment, a corrected name, a new
//! puppy, told the way people talk on the phone (greetings, weather,
//! "um", facts dropped in passing). Every call becomes a full ElevenLabs
//! `post_call_transcription` webhook body. Every statement of a fact is
//! recorded with its conversation and transcript turn, and [`ask`] turns
//! those records into questions whose answers are known exactly.
//!
//! Each caller draws from their own seeded stream, so a reduced set (the
//! first few callers) is exactly a subset of the full one.

//!
//! The rooms of the generator, by what they make:
//!
//! - `world`: the seed, the fixed "now", the clinic and its agent.
//! - [`bank`]: the word tables callers are made of; [`rng`]: the seeded
//!   stream every choice comes from; `words`: dates and sentences as said.
//! - `facts`: what can be true of a caller and what a turn states;
//!   `life`: one caller's profile for the year.
//! - `plan`: which call does what, and when; `call`: one call written as
//!   a transcript and its webhook body; `history`: a caller's year of
//!   calls played out.
//! - `ask`: the questions about a year; `assemble`: the whole set.

mod ask;
mod assemble;
pub mod bank;
mod call;
mod facts;
mod history;
mod life;
mod plan;
pub mod rng;
mod words;
mod world;

pub use self::assemble::{generate, generate_callers, heavy};
pub use self::world::{AGENT_ID, AGENT_NUMBER, CALLERS, NOW, SEED};
