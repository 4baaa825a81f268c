//! Times named in a spoken query ("yesterday", "two weeks ago", "last
//! month", "in May", "back in December", "last time", "the first time I
//! called"), read relative to the search's "now" (UTC calendar days).
//!
//! A time is matched against the call dates of memories by the ranking;
//! its words are then no longer query terms ("May" should not look for the
//! word "may", nor "back in March" for a back).

mod names;

use self::names::{day_of_month, holiday, month_of, season};
use time::{Date, Duration, Month, OffsetDateTime, Weekday};

pub(super) const DAY: i64 = 86_400;

/// What a query's time refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Calls from `from` up to `to` (unix seconds); up to `margin` seconds
    /// outside still count, less and less (spoken times are approximate).
    Between { from: i64, to: i64, margin: i64 },
    /// The caller's most recent call ("last time").
    LastCall,
    /// The caller's first call.
    FirstCall,
}

impl When {
    /// How well a call at `time` fits, from 1 (inside) to 0 (far outside).
    /// For [`When::LastCall`] and [`When::FirstCall`] the ranking decides.
    pub fn affinity(self, time: i64) -> f64 {
        match self {
            Self::Between { from, to, margin } => {
                // Saturating: a call time comes from stored metadata.
                let outside = if time < from {
                    from.saturating_sub(time)
                } else if time >= to {
                    time.saturating_sub(to).saturating_add(1)
                } else {
                    return 1.0;
                };
                if margin <= 0 || outside >= margin {
                    0.0
                } else {
                    1.0 - outside as f64 / margin as f64
                }
            }
            Self::LastCall | Self::FirstCall => 0.0,
        }
    }
}

/// A time found in a query, and which of its words named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub when: When,
    /// Indices into the words given to [`find`].
    pub words: Vec<usize>,
}

/// The first time `words` (lower-cased query words) name, relative to `now`.
pub fn find(words: &[String], now: i64) -> Option<Found> {
    let today = OffsetDateTime::from_unix_timestamp(now).ok()?.date();
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    for i in 0..words.len() {
        let found = match w(i) {
            "yesterday" if w(i.wrapping_sub(1)) == "before" && w(i.wrapping_sub(2)) == "day" => {
                Some((days_back(today, 2, 0), vec![i - 2, i - 1, i]))
            }
            "yesterday" => Some((days_back(today, 1, 0), vec![i])),
            "today" | "tonight" => Some((days_back(today, 0, 0), vec![i])),
            "ago" => ago(words, i, today),
            "last" | "past" | "previous" | "prior" | "this" | "recent" => relative(words, i, today),
            "first" => match w(i + 1) {
                "time" | "call" | "called" | "conversation" => {
                    Some((When::FirstCall, vec![i, i + 1]))
                }
                _ => None,
            },
            "christmas" | "holidays" | "thanksgiving" => holiday(w(i), today).map(|when| {
                let mut used = vec![i];
                if w(i.wrapping_sub(1)) == "the" {
                    used.push(i - 1);
                }
                (when, used)
            }),
            "in" | "during" | "of" => in_year(w(i + 1)).map(|when| (when, vec![i, i + 1])),
            word => month_of(word).and_then(|month| in_month(words, i, month, today)),
        };
        if let Some((when, mut used)) = found {
            // "back in March": "back" is part of the time, not a body part.
            let first = used.iter().copied().min().unwrap_or(i);
            for lead in [1, 2] {
                if first >= lead && w(first - lead) == "back" && (lead == 1 || w(first - 1) == "in")
                {
                    used.extend((first - lead)..first);
                }
            }
            used.sort_unstable();
            used.dedup();
            return Some(Found { when, words: used });
        }
    }
    None
}

fn midnight(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// The day `n` days before `today`, with `fuzz` days either side.
fn days_back(today: Date, n: i64, fuzz: i64) -> When {
    let day = midnight(today) - n * DAY;
    When::Between {
        from: day - fuzz * DAY,
        to: day + DAY + fuzz * DAY,
        margin: DAY,
    }
}

/// A spoken count: digits, or the words people use for small numbers.
fn count(word: &str) -> Option<i64> {
    if let Ok(n) = word.parse::<i64>() {
        return (1..=400).contains(&n).then_some(n);
    }
    Some(match word {
        "a" | "an" | "one" => 1,
        "two" | "couple" => 2,
        "three" | "few" => 3,
        "four" => 4,
        "five" | "several" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        _ => return None,
    })
}

/// "two weeks ago", "a couple of months ago", "3 days ago".
fn ago(words: &[String], i: usize, today: Date) -> Option<(When, Vec<usize>)> {
    let unit = i.checked_sub(1)?;
    let mut at = unit.checked_sub(1)?;
    // "a couple of weeks ago": skip "of" and the article.
    if words[at] == "of" {
        at = at.checked_sub(1)?;
    }
    let n = count(&words[at])?;
    let mut used = vec![at, unit, i];
    if at >= 1 && matches!(words[at].as_str(), "couple" | "few") && words[at - 1] == "a" {
        used.push(at - 1);
    }
    if at + 2 == unit {
        used.push(at + 1);
    }
    let centre = midnight(today);
    let (back, fuzz) = match words[unit].as_str() {
        "day" | "days" => (n, (n / 3).max(if n > 2 { 1 } else { 0 })),
        "week" | "weeks" => (7 * n, 3 + n),
        "month" | "months" => (30 * n, 10 + 3 * n),
        "year" | "years" => (365 * n, 60),
        _ => return None,
    };
    let day = centre - back * DAY;
    Some((
        When::Between {
            from: day - fuzz * DAY,
            to: day + DAY + fuzz * DAY,
            margin: 2 * DAY,
        },
        used,
    ))
}

/// A year said on its own ("in 2022", "during 2019"): that calendar year,
/// give or take a week. A month before it ("May 2022") is read by
/// [`in_month`] first, since it comes earlier in the query.
fn in_year(word: &str) -> Option<When> {
    let year = word
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))?;
    Some(When::Between {
        from: midnight(month_start(year, Month::January)?),
        to: midnight(month_start(year + 1, Month::January)?),
        margin: 7 * DAY,
    })
}

fn month_start(year: i32, month: Month) -> Option<Date> {
    Date::from_calendar_date(year, month, 1).ok()
}

fn next_month(date: Date) -> Option<Date> {
    let (year, month) = if date.month() == Month::December {
        (date.year() + 1, Month::January)
    } else {
        (date.year(), date.month().next())
    };
    month_start(year, month)
}

/// "last week", "this month", "past year", "last time", "most recent call".
fn relative(words: &[String], i: usize, today: Date) -> Option<(When, Vec<usize>)> {
    let word = words[i].as_str();
    let next = words.get(i + 1).map_or("", String::as_str);
    let now_end = midnight(today) + DAY;
    let this = word == "this";
    let past = word == "past";
    let calendar = |from: Date, to: Date, margin_days: i64| When::Between {
        from: midnight(from),
        to: midnight(to),
        margin: margin_days * DAY,
    };
    let when = match next {
        "time" | "call" | "called" | "conversation" | "chat" if !this && !past => When::LastCall,
        "week" => {
            let monday =
                today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
            if this {
                calendar(monday, today + Duration::days(1), 1)
            } else if past {
                When::Between {
                    from: now_end - 8 * DAY,
                    to: now_end,
                    margin: DAY,
                }
            } else {
                calendar(monday - Duration::days(7), monday, 2)
            }
        }
        "weekend" if !this => {
            // The Saturday and Sunday before today.
            let mut day = today - Duration::days(1);
            while day.weekday() != Weekday::Sunday {
                day -= Duration::days(1);
            }
            calendar(day - Duration::days(1), day + Duration::days(1), 1)
        }
        "month" => {
            let start = month_start(today.year(), today.month())?;
            if this {
                calendar(start, today + Duration::days(1), 2)
            } else if past {
                When::Between {
                    from: now_end - 31 * DAY,
                    to: now_end,
                    margin: 2 * DAY,
                }
            } else {
                let previous = start - Duration::days(1);
                calendar(month_start(previous.year(), previous.month())?, start, 3)
            }
        }
        "year" => {
            let start = month_start(today.year(), Month::January)?;
            if this {
                calendar(start, today + Duration::days(1), 7)
            } else if past {
                When::Between {
                    from: now_end - 366 * DAY,
                    to: now_end,
                    margin: 7 * DAY,
                }
            } else {
                calendar(month_start(today.year() - 1, Month::January)?, start, 7)
            }
        }
        "summer" | "fall" | "autumn" | "winter" | "spring" => {
            return season(next, !this, today).map(|when| (when, vec![i, i + 1]));
        }
        _ => {
            // "last March".
            if let Some(month) = month_of(next) {
                return in_month(words, i + 1, month, today).map(|(when, mut used)| {
                    used.push(i);
                    (when, used)
                });
            }
            return None;
        }
    };
    Some((when, vec![i, i + 1]))
}

/// A month name at `i`: the month (of a year said after it, else the most
/// recent one not after today), or a day of it ("May 3rd", "the 3rd of May").
fn in_month(words: &[String], i: usize, month: Month, today: Date) -> Option<(When, Vec<usize>)> {
    let w = |j: usize| words.get(j).map_or("", String::as_str);
    let before = if i == 0 { "" } else { w(i - 1) };
    let day_after = day_of_month(w(i + 1));
    let day_before = (before == "of" && i >= 2)
        .then(|| day_of_month(w(i - 2)))
        .flatten();
    let year_after = w(i + 1)
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y));
    // "may" is mostly a verb: a month only with a preposition or a date.
    let framed = matches!(
        before,
        "in" | "during" | "since" | "of" | "early" | "mid" | "late" | "last" | "this" | "back"
    ) || day_after.is_some()
        || day_before.is_some()
        || year_after.is_some();
    if month == Month::May && !framed {
        return None;
    }
    let mut used = vec![i];
    let year = match year_after {
        Some(y) => {
            used.push(i + 1);
            y
        }
        None if month as u8 <= today.month() as u8 => today.year(),
        None => today.year() - 1,
    };
    if let Some(day) = day_after.or(day_before) {
        if day_after.is_some() {
            used.push(i + 1);
        } else {
            used.extend([i - 2, i - 1]);
        }
        let date = Date::from_calendar_date(year, month, day).ok()?;
        return Some((
            When::Between {
                from: midnight(date) - DAY,
                to: midnight(date) + 2 * DAY,
                margin: 2 * DAY,
            },
            used,
        ));
    }
    let start = month_start(year, month)?;
    Some((
        When::Between {
            from: midnight(start),
            to: midnight(next_month(start)?),
            margin: 3 * DAY,
        },
        used,
    ))
}

#[cfg(test)]
#[path = "when_tests.rs"]
mod tests;
