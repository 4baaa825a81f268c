//! The fast path: a number that already arrives in E.164 (`+4915123456789`,
//! what Twilio and most SIP trunks send) is checked against a compact table
//! of country calling codes and their national number lengths, without
//! loading libphonenumber's metadata (about 60 ms on a cold start, while
//! the phone rings).
//!
//! The table is libphonenumber's own data, reduced: [`tests`] regenerate it
//! from the linked metadata and fail when it drifts. A number the table
//! cannot decide (a national prefix written after the country code, say) is
//! left to the full parse in [`super::national`].

use super::codes::CODES;

/// What the fast path concluded about `+digits`.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A plausible number: its country code's length in digits.
    Plausible { code_len: usize },
    /// Not a number of any country (unknown code, impossible length).
    Invalid,
    /// Starts like a national prefix (any leading `0`, or a digit the full
    /// parse strips under this code): ask the full parse.
    Undecided,
}

/// One country calling code: which national lengths are possible, and
/// which leading digits are a national (trunk) prefix there.
pub struct Code {
    pub code: u16,
    /// Bit `n` set: a national number of `n` digits is possible.
    pub lengths: u32,
    /// First digits of the national prefixes used by this code's regions.
    pub trunk: &'static str,
}

/// Decides `digits` (everything after the `+`, ASCII digits only).
pub fn check(digits: &str) -> Verdict {
    // Country calling codes form a prefix code: at most one of the first
    // one, two or three digits is assigned.
    for code_len in 1..=3.min(digits.len()) {
        let Ok(code) = digits[..code_len].parse::<u16>() else {
            return Verdict::Invalid;
        };
        let Ok(at) = CODES.binary_search_by_key(&code, |c| c.code) else {
            continue;
        };
        let entry = &CODES[at];
        let national = &digits[code_len..];
        if national
            .chars()
            .next()
            .is_some_and(|first| first == '0' || entry.trunk.contains(first))
        {
            return Verdict::Undecided;
        }
        let len = national.len();
        return if len < 32 && entry.lengths & (1 << len) != 0 && nanp_shape(code, national) {
            Verdict::Plausible { code_len }
        } else {
            Verdict::Invalid
        };
    }
    Verdict::Invalid
}

/// True when a national number of `len` digits is possible under `code`.
pub fn possible_length(code: u16, len: usize) -> bool {
    CODES
        .binary_search_by_key(&code, |c| c.code)
        .is_ok_and(|at| len < 32 && CODES[at].lengths & (1 << len) != 0)
}

/// North American numbers: ten digits, the area code starting with 2–9
/// (the exchange is not checked: ElevenLabs' examples use `555-1234567`).
pub fn nanp_shape(code: u16, national: &str) -> bool {
    let b = national.as_bytes();
    code != 1 || (b.len() == 10 && b[0] >= b'2')
}

#[cfg(test)]
#[path = "e164_tests.rs"]
mod tests;
