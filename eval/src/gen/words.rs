//! Dates and sentences as people say them: "Thursday, June 26th", "the
//! 3rd", a phone number read out, a caller's "um"-style opener, a month's
//! name.

use time::{Date, OffsetDateTime};

use super::bank;
use super::rng::Rng;

/// The months, as said.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The name of month `m` (1–12).
pub(crate) fn month_name(m: u8) -> &'static str {
    MONTHS[usize::from(m.clamp(1, 12) - 1)]
}

/// A phone number as a caller reads it out.
pub(crate) fn spoken_number(area: &str, line: u32) -> String {
    format!("{area}-555-01{:02}", line % 100)
}

/// `text` with its first letter upper-cased.
pub(crate) fn cap(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A caller's sentence: an optional "um"-style opener, then `body`,
/// terminated.
pub(crate) fn said(rng: &mut Rng, body: &str) -> String {
    let opener = *rng.pick(&bank::OPENERS);
    let mut s = cap(&format!("{opener}{body}"));
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

pub(crate) fn ordinal(day: u8) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

pub(crate) fn date_of(unix: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// "Thursday, June 26th".
pub(crate) fn spoken_date(unix: i64) -> String {
    let d = date_of(unix);
    format!("{}, {} {}", d.weekday(), d.month(), ordinal(d.day()))
}

pub(crate) fn weekday(unix: i64) -> String {
    date_of(unix).weekday().to_string()
}

#[cfg(test)]
mod tests {
    use super::{month_name, ordinal, spoken_date};
    use crate::gen::world::NOW;

    #[test]
    fn dates_read_as_spoken() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(23), "23rd");
        assert_eq!(spoken_date(NOW), "Wednesday, June 18th");
        assert_eq!(month_name(1), "January");
        assert_eq!(month_name(12), "December");
    }
}
