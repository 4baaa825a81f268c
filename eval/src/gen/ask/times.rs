//! Questions about times: last month, a month with a single call, a
//! relative time ("yesterday", "last week", "two weeks ago"), the last and
//! the first call, and the condition in a month. Their answers are the
//! reason turns of the calls in the window.

use std::collections::BTreeMap;

use super::asked::{answer, Asked};
use crate::dataset::{Answer, Category};
use crate::gen::facts::{Key, Stated};
use crate::gen::history::History;
use crate::gen::rng::Rng;
use crate::gen::words::{cap, date_of, month_name};
use crate::gen::world::{DAY, NOW};

pub(super) fn ask(h: &History, rng: &mut Rng, out: &mut Asked) {
    let condition = h.life.condition;
    let mentions: Vec<&Stated> = h
        .stated
        .iter()
        .filter(|s| s.key == Key::Condition)
        .collect();

    // Times.
    let today = NOW - NOW.rem_euclid(DAY);
    let reasons_in = |from: i64, to: i64| -> Vec<Answer> {
        let mut v = Vec::new();
        for call in &h.calls {
            if (from..to).contains(&call.start) {
                for &turn in &call.reasons {
                    v.push(Answer {
                        conversation_id: call.conversation.clone(),
                        turn,
                    });
                }
            }
        }
        v
    };
    // By month, June aside: "in June" could be this June or last.
    let mut months: BTreeMap<(i32, u8), Vec<usize>> = BTreeMap::new();
    for (i, call) in h.calls.iter().enumerate() {
        let d = date_of(call.start);
        months
            .entry((d.year(), u8::from(d.month())))
            .or_default()
            .push(i);
    }
    let last_month = months.get(&(2025, 5)).cloned().unwrap_or_default();
    if !last_month.is_empty() {
        let text = rng
            .pick(&[
                "what did I call about last month",
                "what did we talk about last month",
                "last month's call, what was it about",
            ])
            .to_string();
        let from = month_start(2025, 5);
        out.ask(
            text,
            Category::Time,
            false,
            reasons_in(from, month_start(2025, 6)),
            None,
            "time:last_month",
        );
    }
    let mut singles: Vec<(i32, u8)> = months
        .iter()
        .filter(|((y, m), calls)| *m != 6 && !(*y == 2025 && *m == 5) && calls.len() == 1)
        .map(|(k, _)| *k)
        .collect();
    rng.shuffle(&mut singles);
    for (y, m) in singles.into_iter().take(2) {
        let name = month_name(m);
        let options = [
            format!("what did I call about in {name}"),
            format!("what was my call in {name} about"),
            format!("back in {name}, what did I ask about"),
            format!("why did I call in {name}"),
        ];
        let (from, to) = (
            month_start(y, m),
            month_start(y + i32::from(m == 12), m % 12 + 1),
        );
        out.ask(
            rng.pick(&options).clone(),
            Category::Time,
            false,
            reasons_in(from, to),
            None,
            "time:month",
        );
    }
    if let Some(last) = h.calls.last() {
        let gap = (today - (last.start - last.start.rem_euclid(DAY))) / DAY;
        let window = match gap {
            1 => Some(("yesterday", 1, 1)),
            2 => Some(("two days ago", 2, 2)),
            3..=5 => Some(("a few days ago", 2, 5)),
            6..=9 => Some(("last week", 3, 9)),
            10..=16 => Some(("two weeks ago", 10, 17)),
            17..=24 => Some(("three weeks ago", 17, 25)),
            _ => None,
        };
        if let Some((phrase, near, far)) = window {
            let options = [
                format!("what did I call about {phrase}"),
                format!("what did we talk about {phrase}"),
                format!("{}, what was my call about", cap(phrase)),
            ];
            let from = today - far * DAY;
            let to = today - (near - 1) * DAY;
            out.ask(
                rng.pick(&options).clone(),
                Category::Time,
                false,
                reasons_in(from, to),
                None,
                "time:relative",
            );
        }
        let options = [
            "what did we talk about last time",
            "what was my last call about",
            "what did I call about last time",
        ];
        let text = rng.pick(&options).to_string();
        out.ask(
            text,
            Category::Time,
            false,
            reasons_in(last.start, last.start + 1),
            None,
            "time:last_call",
        );
    }
    if rng.chance(50) {
        if let Some(first) = h.calls.first() {
            let text = rng
                .pick(&[
                    "what did I call about the first time",
                    "what was my very first call about",
                ])
                .to_string();
            out.ask(
                text,
                Category::Time,
                false,
                reasons_in(first.start, first.start + 1),
                None,
                "time:first_call",
            );
        }
    }
    // A topic in a month: the mention from that month only.
    let mut dated: Vec<(&Stated, (i32, u8))> = mentions
        .iter()
        .map(|s| {
            let d = date_of(h.calls[s.call].start);
            (*s, (d.year(), u8::from(d.month())))
        })
        .filter(|(_, (_, m))| *m != 6)
        .collect();
    dated.retain(|(_, ym)| {
        mentions
            .iter()
            .filter(|s| {
                let d = date_of(h.calls[s.call].start);
                (d.year(), u8::from(d.month())) == *ym
            })
            .count()
            == 1
    });
    if !dated.is_empty() {
        let (s, (y, m)) = dated[rng.below(dated.len())];
        let when = if (y, m) == (2025, 5) {
            "last month".to_owned()
        } else {
            format!("in {}", month_name(m))
        };
        let text = format!("what did I say about my {} {when}", condition.direct);
        out.ask(
            text,
            Category::Time,
            false,
            vec![answer(h, s)],
            None,
            "time:topic",
        );
    }
}

/// Midnight UTC of the first of a month.
fn month_start(year: i32, month: u8) -> i64 {
    time::Month::try_from(month)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(year, m, 1).ok())
        .map_or(0, |d| d.midnight().assume_utc().unix_timestamp())
}
