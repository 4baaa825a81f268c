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

mod codes;
mod e164;
mod national;
mod placeholder;

/// Longest input we try to parse; real numbers with formatting are far shorter.
const MAX_INPUT: usize = 64;

impl CallerId {
    /// Normalises a raw number to E.164, or `None` when it is not a number
    /// of one person.
    ///
    /// International input (`+…`, `00…`, `011…` in North America) is read
    /// with its own country's rules; only national formats use `region`.
    /// A number is accepted when its country calling code is assigned and
    /// its national number has a length that country uses (strict
    /// libphonenumber validity would forget callers whose ranges its tables
    /// do not list yet, and ElevenLabs' examples use fictional 555
    /// numbers). Withheld-caller placeholders (`+266696687` spells
    /// ANONYMOUS) and filler numbers are refused: every withheld caller
    /// would share their memory.
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
        let (e164, code_len) = match fast_path(raw) {
            Some(e164::Verdict::Plausible { code_len }) => (compact(raw), code_len),
            Some(e164::Verdict::Invalid) => return None,
            Some(e164::Verdict::Undecided) | None => {
                let international = national::international_form(raw, region);
                national::parse_plausible(international.as_deref().unwrap_or(raw), Some(region))?
            }
        };
        // E.164 allows at most 15 digits; libphonenumber's length tables
        // let some longer national numbers through (`+81` and 14 digits).
        if e164.len() > 16 {
            return None;
        }
        (!placeholder::is_placeholder(&e164[1..], &e164[1 + code_len..])).then_some(Self(e164))
    }

    /// The E.164 string.
    /// A `user_id` that is strictly E.164 (`+` and digits only: no national
    /// format, so an account number is never read as a phone number).
    pub fn from_e164_user_id(user_id: &str) -> Option<Self> {
        let digits = user_id.strip_prefix('+')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::normalise(user_id, Region::default())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A form safe for logs: country prefix and last two digits only.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// HMAC-SHA256 of the number under `key`, in hex: names the caller
    /// without revealing the number (a plain hash of a phone number is
    /// reversed by trying them all).
    pub fn keyed_hash(&self, key: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
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

/// `+`, digits and only the separators people write (space, `-`, `.`,
/// parentheses): the fast path's input, or `None` for the full parse.
fn fast_path(raw: &str) -> Option<e164::Verdict> {
    let rest = raw.strip_prefix('+')?;
    rest.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .then(|| e164::check(&compact(raw)[1..]))
}

/// `+` and the digits of `raw`.
fn compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    out.push('+');
    out.extend(raw.chars().filter(char::is_ascii_digit));
    out
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

    /// The customer of a live call, as a server tool sees it:
    /// `system__caller_id`, unless that is one of the business's own
    /// numbers (an outbound call), when it is `system__called_number`.
    /// Never the business's own number.
    pub fn of_tool_call(
        caller_id: &str,
        called: Option<&str>,
        region: Region,
        agent_numbers: &[CallerId],
    ) -> Self {
        let own = |id: &CallerId| agent_numbers.contains(id);
        match CallerId::normalise(caller_id, region) {
            Some(id) if !own(&id) => Self::Known(id),
            Some(_) => called
                .and_then(|c| CallerId::normalise(c, region))
                .filter(|id| !own(id))
                .map_or(Self::Unknown, Self::Known),
            None => Self::Unknown,
        }
    }

    /// The customer of a finished call.
    ///
    /// Outbound calls: `metadata.phone_call.external_number` (the
    /// `system__caller_id` of an outbound call is the agent's own number).
    /// Inbound calls: `system__caller_id`, else `external_number`. Without
    /// `phone_call` (older payloads) `system__caller_id` is the only hint.
    /// When a phone call's payload has no readable number, a `user_id` in
    /// E.164 (the one client-data gave ElevenLabs with
    /// `ELEVENLABS_USER_ID=e164`) is the caller. Never for a web or SDK
    /// session: whoever starts one can choose its `user_id`, and would
    /// otherwise write into that number's memory.
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
        let phone = call.metadata.phone_call.is_some();
        id.or_else(|| {
            call.user_id()
                .filter(|_| phone)
                .and_then(CallerId::from_e164_user_id)
        })
        .map_or(Self::Unknown, Self::Known)
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

    fn call(json: &str) -> TranscriptionData {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_phone_calls_user_id_in_e164_is_the_caller_when_no_number_says_otherwise() {
        let known = |j: &str| {
            Caller::of_call(&call(j), Region::default())
                .known()
                .map(|c| c.0.clone())
        };
        let phone = r#""metadata":{"phone_call":{"direction":"inbound"}}"#;
        // The id client-data answered, as ElevenLabs echoes it.
        assert_eq!(
            known(&format!(
                r#"{{"conversation_id":"c","user_id":"+15550001111",{phone}}}"#
            ))
            .as_deref(),
            Some("+15550001111")
        );
        assert_eq!(
            known(&format!(r#"{{"conversation_id":"c","conversation_initiation_client_data":{{"user_id":"+442079460958"}},{phone}}}"#)).as_deref(),
            Some("+442079460958")
        );
        // A web session chooses its own user id: it is nobody's memory.
        assert_eq!(
            known(r#"{"conversation_id":"c","user_id":"+15550001111"}"#),
            None
        );
        // The phone call's own number wins over any user id.
        assert_eq!(
            known(r#"{"conversation_id":"c","user_id":"+15550001111","conversation_initiation_client_data":{"dynamic_variables":{"system__caller_id":"+15550002222"}}}"#).as_deref(),
            Some("+15550002222")
        );
        // A hashed id, an account number or a national format is nobody.
        for id in [
            "9f86d081884c7d659a2feaa0c55ad015",
            "15550001111",
            "(555) 000-1111",
            "+1 555 000 1111",
            "+",
        ] {
            let j = format!(r#"{{"conversation_id":"c","user_id":"{id}",{phone}}}"#);
            assert_eq!(known(&j), None, "{id}");
        }
    }

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
    fn no_number_longer_than_e164_allows_is_accepted() {
        // Found by the property test: 16 digits after `+`.
        assert_eq!(
            CallerId::normalise("+8110000000000000", Region::default()),
            None
        );
        assert!(CallerId::normalise("+81312345678", Region::default()).is_some());
    }

    #[test]
    fn distinct_international_numbers_stay_distinct_under_any_region() {
        // Each pair merged into one caller when the default region's
        // national prefix was stripped after the country code.
        let pairs = [
            ("+4915123456789", "+495123456789"),
            ("+43151234567", "+4351234567"),
            ("+33123456789", "+3323456789"),
            ("+441212345678", "+44212345678"),
            ("+8613712345678", "+863712345678"),
            ("+390612345678", "+39612345678"),
        ];
        for region in ["US", "GB", "DE", "IT", "FR", "CN"] {
            let region = Region::parse(region).unwrap();
            for (a, b) in pairs {
                let na = CallerId::normalise(a, region).map(|c| c.0);
                let nb = CallerId::normalise(b, region).map(|c| c.0);
                assert_eq!(na.as_deref(), Some(a), "{a} under {region:?}");
                assert_ne!(na, nb, "{a} and {b} merged under {region:?}");
            }
        }
    }

    #[test]
    fn international_prefixes_read_the_number_without_the_region() {
        let us = Region::default();
        let de = Region::parse("DE").unwrap();
        let gb = Region::parse("GB").unwrap();
        let e = |s: &str, r| CallerId::normalise(s, r).map(|c| c.0);
        assert_eq!(
            e("011 49 151 23456789", us).as_deref(),
            Some("+4915123456789")
        );
        assert_eq!(
            e("0049 151 23456789", de).as_deref(),
            Some("+4915123456789")
        );
        assert_eq!(e("00 1 415 555 0134", gb).as_deref(), Some("+14155550134"));
        // In GB `0113…` is Leeds, not an international prefix.
        assert_eq!(e("0113 496 0000", gb).as_deref(), Some("+441134960000"));
        assert_eq!(e("0151 23456789", de).as_deref(), Some("+4915123456789"));
        assert_eq!(
            e("+44 (0)20 7946 0958", us).as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn withheld_caller_placeholders_are_unknown() {
        for s in [
            "+266696687",
            "+7378742833",
            "+86282452253",
            "+10000000000",
            "+15555555555",
        ] {
            assert_eq!(n(s), None, "{s}");
        }
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

        /// Distinct plausible E.164 numbers never normalise to one caller,
        /// and each round-trips unchanged.
        #[test]
        fn distinct_e164_numbers_stay_distinct(
            a in 0usize..10_000, b in 0usize..10_000,
            da in "[2-9][0-9]{16}", db in "[2-9][0-9]{16}", la in 0u32..32, lb in 0u32..32,
        ) {
            let make = |pick: usize, digits: &str, l: u32| {
                let entry = &codes::CODES[pick % codes::CODES.len()];
                let lens: Vec<usize> = (0..32).filter(|n| entry.lengths & (1 << n) != 0).collect();
                let len = lens[(l as usize) % lens.len()].min(digits.len());
                // A national (trunk) prefix is not part of an E.164 number.
                let national = &digits[..len];
                let trunk = national.starts_with(|c| entry.trunk.contains(c));
                (!trunk).then(|| format!("+{}{national}", entry.code))
            };
            let (Some(x), Some(y)) = (make(a, &da, la), make(b, &db, lb)) else {
                return Ok(());
            };
            let nx = n(&x);
            let ny = n(&y);
            if let Some(v) = &nx {
                proptest::prop_assert_eq!(v, &x);
            }
            if let Some(v) = &ny {
                proptest::prop_assert_eq!(v, &y);
            }
            if x != y && nx.is_some() {
                proptest::prop_assert_ne!(nx, ny);
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
