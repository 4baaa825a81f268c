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
mod tests;
