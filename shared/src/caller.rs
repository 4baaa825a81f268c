//! Caller identity: the one place that decides who the customer is.
//!
//! Every function goes through here, so a caller is the same `CallerId`
//! whether they ring (client-data), are searched for (search-data) or have
//! their call ingested (post-call). Numbers are normalised to E.164; anything
//! else (withheld, `anonymous`, garbage) is [`Caller::Unknown`], which is
//! never stored under and never looked up, so withheld callers never share
//! one memory.

use std::fmt;

use phonenumber::country;

use crate::models::TranscriptionData;

/// A caller's number in E.164 (`+15551234567`): the memory `user_id`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallerId(String);

/// Who is on the line, as far as memory is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Known(CallerId),
    Unknown,
}

/// The region used to read national-format numbers (`(555) 123-4567`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(country::Id);

impl Region {
    /// Parses an ISO 3166-1 alpha-2 code (`US`, `GB`, `de`).
    pub fn parse(code: &str) -> Option<Self> {
        code.trim()
            .to_ascii_uppercase()
            .parse::<country::Id>()
            .ok()
            .map(Self)
    }
}

impl Default for Region {
    fn default() -> Self {
        Self(country::Id::US)
    }
}

/// Longest input we try to parse; real numbers with formatting are far shorter.
const MAX_INPUT: usize = 64;

impl CallerId {
    /// Normalises a raw number to E.164, or `None` when it is not one.
    ///
    /// A number is accepted when libphonenumber parses it to a known country
    /// calling code with a plausible length. Strict libphonenumber validity is
    /// not required: its range tables lag behind real allocations and would
    /// forget such callers (and reject the fictional 555 numbers ElevenLabs
    /// uses in its examples).
    pub fn normalise(raw: &str, region: Region) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > MAX_INPUT {
            return None;
        }
        // Words such as "anonymous" or "client:alice" are never numbers; the
        // parser would otherwise read letters as keypad digits.
        if raw.chars().any(|c| c.is_alphabetic()) {
            return None;
        }
        let digits = raw.chars().filter(char::is_ascii_digit).count();
        if !(6..=17).contains(&digits) {
            return None;
        }
        let number = phonenumber::parse(Some(region.0), raw).ok()?;
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        let national_len = e164.len() - 1 - number.code().value().to_string().len();
        let plausible = number.is_valid()
            || (phonenumber::metadata::DATABASE
                .by_code(&number.code().value())
                .is_some()
                && (6..=14).contains(&national_len)
                && e164.len() <= 16);
        (plausible && e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(e164))
    }

    /// The E.164 string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A form safe for logs: country prefix and last two digits only.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any phone-like string for logs: `+15551234567` → `+1*******67`.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_head = if chars[0] == '+' { 2 } else { 0 };
    let tail = chars.len() - 2;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i >= tail { *c } else { '*' })
        .collect()
}

impl fmt::Display for CallerId {
    /// Displays masked, so a `CallerId` can never leak into a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for CallerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallerId({})", self.masked())
    }
}

impl Caller {
    /// Reads a raw caller id (client-data's `caller_id`, the search tool's
    /// `caller_id`/`user_id`).
    pub fn from_raw(raw: Option<&str>, region: Region) -> Self {
        raw.and_then(|r| CallerId::normalise(r, region))
            .map_or(Self::Unknown, Self::Known)
    }

    /// The customer of a finished call.
    ///
    /// Outbound calls: `metadata.phone_call.external_number` (the
    /// `system__caller_id` of an outbound call is the agent's own number).
    /// Inbound calls: `system__caller_id`, else `external_number`. Without
    /// `phone_call` (older payloads) `system__caller_id` is the only hint;
    /// a web call has neither and is unknown.
    pub fn of_call(call: &TranscriptionData, region: Region) -> Self {
        let norm = |s: Option<&str>| s.and_then(|s| CallerId::normalise(s, region));
        let system = call.dynamic_variable("system__caller_id");
        let id = match &call.metadata.phone_call {
            Some(pc) if pc.direction.as_deref() == Some("outbound") => {
                norm(pc.external_number.as_deref())
            }
            Some(pc) => norm(system).or_else(|| norm(pc.external_number.as_deref())),
            None => norm(system),
        };
        id.map_or(Self::Unknown, Self::Known)
    }

    pub fn known(&self) -> Option<&CallerId> {
        match self {
            Self::Known(id) => Some(id),
            Self::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<String> {
        CallerId::normalise(s, Region::default()).map(|c| c.0)
    }

    #[test]
    fn normalises_common_formats_to_e164() {
        assert_eq!(n("+15551234567").as_deref(), Some("+15551234567"));
        assert_eq!(n("(415) 555-0134").as_deref(), Some("+14155550134"));
        assert_eq!(n(" +1 415 555 0134 ").as_deref(), Some("+14155550134"));
        assert_eq!(n("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        let gb = Region::parse("gb").unwrap();
        assert_eq!(
            CallerId::normalise("020 7946 0958", gb)
                .map(|c| c.0)
                .as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn withheld_and_invalid_numbers_are_unknown() {
        for s in [
            "",
            "   ",
            "anonymous",
            "Anonymous",
            "unknown",
            "restricted",
            "private",
            "withheld",
            "client:alice",
            "sip:alice@example.com",
            "+",
            "12",
            "0",
            "+999123456789",
            "not a number",
            "+1555123456789012345678",
        ] {
            assert_eq!(n(s), None, "{s:?}");
            assert_eq!(
                Caller::from_raw(Some(s), Region::default()),
                Caller::Unknown
            );
        }
        assert_eq!(Caller::from_raw(None, Region::default()), Caller::Unknown);
    }

    #[test]
    fn masks_numbers_for_logs() {
        let id = CallerId::normalise("+15551234567", Region::default()).unwrap();
        assert_eq!(id.masked(), "+1********67");
        assert_eq!(format!("{id}"), "+1********67");
        assert!(!format!("{id:?}").contains("555123"));
        assert_eq!(mask("123"), "***");
    }

    proptest::proptest! {
        #[test]
        fn normalisation_is_idempotent_and_total(s in ".{0,40}") {
            if let Some(e164) = n(&s) {
                proptest::prop_assert_eq!(n(&e164), Some(e164.clone()));
                proptest::prop_assert!(e164.starts_with('+'));
            }
        }

        #[test]
        fn digit_strings_are_idempotent(s in "[+]?[0-9 ()-]{0,24}") {
            if let Some(e164) = n(&s) {
                proptest::prop_assert_eq!(n(&e164), Some(e164.clone()));
            }
        }
    }
}
