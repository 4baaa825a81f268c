//! Caller memory for ElevenLabs voice agents: everything the three Lambda
//! functions share.
//!
//! The data flow is the same for every function: an HTTP request is parsed
//! and validated ([`models`], [`signature`], [`caller`]), domain logic turns it
//! into reads or writes of a caller's memory ([`memory`]) and of stored
//! payloads ([`storage`]), and [`edge`] runs the request pipeline around it.
//! Configuration comes from the environment ([`config`]); logging from
//! [`telemetry`].

pub mod backends;
pub mod caller;
pub mod config;
pub mod dates;
pub mod edge;
pub mod elevenlabs;
pub mod error;
pub mod ingestion;
pub mod memory;
pub mod models;
pub mod signature;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod untrusted;

pub use error::{Error, Result};
