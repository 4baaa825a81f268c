//! Named times: seasons, holidays, month names and days of the month.

use time::{Date, Month};

use super::*;

/// The most recent `name` season (that of today when `last` is false and
/// today is in it).
pub(super) fn season(name: &str, last: bool, today: Date) -> Option<When> {
    let start_month = match name {
        "spring" => 3,
        "summer" => 6,
        "fall" | "autumn" => 9,
        _ => 12,
    };
    let start_of = |year: i32| -> Option<Date> {
        Date::from_calendar_date(year, Month::try_from(start_month).ok()?, 1).ok()
    };
    let mut start = start_of(today.year())?;
    if start > today {
        start = start_of(today.year() - 1)?;
    }
    let end = next_month(next_month(next_month(start)?)?)?;
    if last && end > today {
        start = start_of(start.year() - 1)?;
    }
    let end = next_month(next_month(next_month(start)?)?)?;
    Some(When::Between {
        from: midnight(start),
        to: midnight(end),
        margin: 7 * DAY,
    })
}

pub(super) fn holiday(name: &str, today: Date) -> Option<When> {
    let (from, to) = match name {
        "thanksgiving" => ((Month::November, 20), (Month::December, 1)),
        _ => ((Month::December, 15), (Month::January, 6)),
    };
    let mut year = today.year();
    loop {
        let start = Date::from_calendar_date(year, from.0, from.1).ok()?;
        if start <= today {
            let end_year = if to.0 == Month::January {
                year + 1
            } else {
                year
            };
            let end = Date::from_calendar_date(end_year, to.0, to.1).ok()?;
            return Some(When::Between {
                from: midnight(start),
                to: midnight(end),
                margin: 3 * DAY,
            });
        }
        year -= 1;
        if year < today.year() - 2 {
            return None;
        }
    }
}

pub(super) fn month_of(word: &str) -> Option<Month> {
    Some(match word {
        "january" | "jan" => Month::January,
        "february" | "feb" => Month::February,
        "march" => Month::March,
        "april" | "apr" => Month::April,
        "may" => Month::May,
        "june" => Month::June,
        "july" => Month::July,
        "august" | "aug" => Month::August,
        "september" | "sept" => Month::September,
        "october" | "oct" => Month::October,
        "november" | "nov" => Month::November,
        "december" | "dec" => Month::December,
        _ => return None,
    })
}

/// A day of the month as said: "3", "3rd", "21st".
pub(super) fn day_of_month(word: &str) -> Option<u8> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<u8>().ok().filter(|d| (1..=31).contains(d))
}
