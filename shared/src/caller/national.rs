//! The full parse, with libphonenumber: numbers in national format
//! (`(415) 555-0134` with the default region), with an international
//! prefix (`00…`, `011…`), or in E.164 with a trunk prefix after the code
//! (`+44 (0)20…`). Its metadata is loaded on first use only, so a caller
//! whose number arrives in plain E.164 never pays for it.

use phonenumber::{country, Mode};

use super::e164::nanp_shape;
use super::Region;

/// Regions of the North American Numbering Plan, whose international
/// prefix is `011` (elsewhere `011…` can be a national number: Leeds is
/// `0113`).
const NANP: [&str; 25] = [
    "US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC",
    "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
];

/// Rewrites a leading international prefix to `+`, so the number is read
/// with its own country's rules and never with the default region's.
pub fn international_form(raw: &str, region: Region) -> Option<String> {
    if raw.starts_with('+') {
        return Some(raw.to_owned());
    }
    let nanp = NANP.contains(&region.0.as_ref());
    let digits_from = |skip: usize| {
        let mut seen = 0;
        raw.char_indices()
            .find(|(_, c)| {
                if c.is_ascii_digit() {
                    seen += 1;
                }
                seen > skip
            })
            .map(|(i, _)| format!("+{}", &raw[i..]))
    };
    let digits: String = raw.chars().filter(char::is_ascii_digit).take(3).collect();
    if nanp && digits.starts_with("011") {
        digits_from(3)
    } else if digits.starts_with("00") {
        digits_from(2)
    } else {
        None
    }
}

/// The E.164 form of `raw` and its country code's length in digits, when libphonenumber reads it as a plausible
/// number: valid, or of a possible length for its country code (range
/// tables lag behind real allocations, and ElevenLabs' examples use the
/// fictional 555 numbers). International input is read without a region:
/// with one, the parser strips that region's national prefix after any
/// country code (`+4915…` became `+495…` with region US).
pub fn parse_plausible(raw: &str, region: Option<Region>) -> Option<(String, usize)> {
    let region: Option<country::Id> = match region {
        Some(r) if !raw.starts_with('+') => Some(r.0),
        _ => None,
    };
    let number = phonenumber::parse(region, raw).ok()?;
    let e164 = number.format().mode(Mode::E164).to_string();
    let digits = e164.strip_prefix('+')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code = number.code().value();
    let code_len = code.to_string().len();
    let national = digits.get(code_len..)?;
    let possible = super::e164::possible_length(code, national.len());
    (number.is_valid() || (possible && nanp_shape(code, national))).then_some((e164, code_len))
}
