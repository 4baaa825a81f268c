//! Times named in a spoken query ("yesterday", "two weeks ago", "last
//! month", "in May", "back in December", "last time", "the first time I
//! called"), read relative to the search's "now" (UTC calendar days).
//!
//! A time is matched against the call dates of memories by the ranking;
//! its words are then no longer query terms ("May" should not look for the
//! word "may", nor "back in March" for a back).

use time::{Date, Duration, Month, OffsetDateTime, Weekday};

const DAY: i64 = 86_400;

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

/// The most recent `name` season (that of today when `last` is false and
/// today is in it).
fn season(name: &str, last: bool, today: Date) -> Option<When> {
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

fn holiday(name: &str, today: Date) -> Option<When> {
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

fn month_of(word: &str) -> Option<Month> {
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
fn day_of_month(word: &str) -> Option<u8> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<u8>().ok().filter(|d| (1..=31).contains(d))
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
mod tests {
    use super::*;

    /// 2025-06-18T16:00:00Z, a Wednesday.
    const NOW: i64 = 1_750_262_400;

    fn words(q: &str) -> Vec<String> {
        q.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    fn date(y: i32, m: u8, d: u8) -> i64 {
        midnight(Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap())
    }

    fn between(q: &str) -> (i64, i64) {
        match find(&words(q), NOW).map(|f| f.when) {
            Some(When::Between { from, to, .. }) => (from, to),
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn days_and_weeks_relative_to_now() {
        assert_eq!(
            between("what did I call about yesterday"),
            (date(2025, 6, 17), date(2025, 6, 18))
        );
        assert_eq!(
            between("the day before yesterday"),
            (date(2025, 6, 16), date(2025, 6, 17))
        );
        // Last week is the calendar week before this one.
        assert_eq!(
            between("what did we talk about last week"),
            (date(2025, 6, 9), date(2025, 6, 16))
        );
        let (from, to) = between("two weeks ago, what was my call about");
        assert!(from <= date(2025, 6, 4) && to > date(2025, 6, 4) && from > date(2025, 5, 25));
        let (from, to) = between("a couple of weeks ago");
        assert!(from <= date(2025, 6, 4) && to > date(2025, 6, 4));
        let (from, to) = between("3 days ago");
        assert!(from <= date(2025, 6, 15) && to > date(2025, 6, 15) && to <= date(2025, 6, 17));
    }

    #[test]
    fn months_are_the_most_recent_past_one() {
        assert_eq!(
            between("what did I call about last month"),
            (date(2025, 5, 1), date(2025, 6, 1))
        );
        assert_eq!(between("in May"), (date(2025, 5, 1), date(2025, 6, 1)));
        assert_eq!(
            between("back in December, what did I ask about"),
            (date(2024, 12, 1), date(2025, 1, 1))
        );
        assert_eq!(between("july 2024"), (date(2024, 7, 1), date(2024, 8, 1)));
        let (from, to) = between("on March 3rd");
        assert!(from <= date(2025, 3, 3) && to > date(2025, 3, 3) && to - from <= 3 * DAY);
        assert_eq!(between("this month"), (date(2025, 6, 1), date(2025, 6, 19)));
        assert_eq!(between("last year"), (date(2024, 1, 1), date(2025, 1, 1)));
        assert_eq!(between("last summer"), (date(2024, 6, 1), date(2024, 9, 1)));
        assert_eq!(
            between("over the holidays"),
            (date(2024, 12, 15), date(2025, 1, 6))
        );
    }

    #[test]
    fn calls_by_position() {
        for q in [
            "what did we talk about last time",
            "what was my last call about",
            "my most recent call",
            "when I last called",
        ] {
            assert_eq!(
                find(&words(q), NOW).map(|f| f.when),
                Some(When::LastCall),
                "{q}"
            );
        }
        for q in ["what did I call about the first time", "my very first call"] {
            assert_eq!(
                find(&words(q), NOW).map(|f| f.when),
                Some(When::FirstCall),
                "{q}"
            );
        }
    }

    #[test]
    fn words_that_only_look_like_times_are_not() {
        for q in [
            "what's my last name",
            "may I ask about my dog",
            "my first name",
            "what is the dog's name",
            "when is my appointment",
            "the same spot as before",
        ] {
            assert_eq!(find(&words(q), NOW), None, "{q}");
        }
    }

    #[test]
    fn the_time_words_are_reported_with_back() {
        let found = find(
            &words("what did I say about my back pain back in March"),
            NOW,
        )
        .unwrap();
        // "back in March": words 8, 9 and 10; the first "back" stays.
        assert_eq!(found.words, vec![8, 9, 10]);
        let found = find(&words("two weeks ago"), NOW).unwrap();
        assert_eq!(found.words, vec![0, 1, 2]);
    }

    #[test]
    fn affinity_fades_outside_the_window() {
        let w = When::Between {
            from: 1_000,
            to: 2_000,
            margin: 100,
        };
        assert_eq!(w.affinity(1_500), 1.0);
        assert_eq!(w.affinity(1_000), 1.0);
        assert!((w.affinity(950) - 0.5).abs() < 1e-9);
        assert_eq!(w.affinity(2_100), 0.0);
        assert_eq!(w.affinity(0), 0.0);
        assert_eq!(When::LastCall.affinity(1_500), 0.0);
        assert_eq!(w.affinity(i64::MIN), 0.0);
        assert_eq!(w.affinity(i64::MAX), 0.0);
    }
}
