//! Tests of [`super`] (when.rs).
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

#[test]
fn a_year_said_alone_is_that_calendar_year() {
    assert_eq!(
        between("what did we talk about in 2022"),
        (date(2022, 1, 1), date(2023, 1, 1))
    );
    assert_eq!(
        between("the trip during 2019"),
        (date(2019, 1, 1), date(2020, 1, 1))
    );
    // A month before the year is the month, not the year.
    assert_eq!(
        between("what happened in may 2022"),
        (date(2022, 5, 1), date(2022, 6, 1))
    );
    // A number that is not a year, or a year without a preposition, is a word.
    assert!(find(&words("in 42 days I fly"), NOW).is_none());
    assert!(find(&words("my 2022 honda"), NOW).is_none());
}
