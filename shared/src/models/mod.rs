//! Serde types for every payload that crosses the ElevenLabs boundary.
//!
//! Parsing is lenient where ElevenLabs is loose (unknown fields are ignored,
//! nullable fields are `Option`, values of data-collection results are any
//! JSON), and strict only where our own behaviour depends on a field.

pub mod client_data;
pub mod post_call;
pub mod search;

pub use client_data::{ClientDataRequest, ClientDataResponse, DynamicVariables};
pub use post_call::{
    AudioData, CallInitiationFailureData, Envelope, PhoneCall, PostCallEvent, TranscriptTurn,
    TranscriptionData,
};
pub use search::{SearchHit, SearchProfile, SearchRequest, SearchResponse};

/// Deserialises `null` as the type's default: ElevenLabs sends `null` for
/// many lists and maps that are usually present.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
