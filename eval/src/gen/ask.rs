//! Questions about one caller's year, each with the transcript turns that
//! answer it: facts told once, facts that changed (the newest statement
//! marked), times ("last month", "in March", "last time"), facts spread
//! over several calls, and paraphrases worded away from the answer.
//!
//! Questions are worded the two ways the search tool receives them: as the
//! caller asked ("what's my dog's name?") and as the agent's LLM condenses
//! them ("my preferred pharmacy").

use std::collections::BTreeMap;

use super::rng::Rng;
use super::{date_of, Change, History, Key, Single, Stated, DAY, NOW};
use crate::dataset::{Answer, Category, Question};
use crate::gen::bank::NameChange;

pub(crate) fn questions(h: &History, rng: &mut Rng) -> Vec<Question> {
    let mut out = Vec::new();
    let life = &h.life;
    let ask = |out: &mut Vec<Question>,
               text: String,
               category: Category,
               changed: bool,
               answers: Vec<Answer>,
               newest: Option<Answer>,
               topic: &str| {
        if answers.is_empty() {
            return;
        }
        out.push(Question {
            id: String::new(),
            caller: life.number.clone(),
            question: text,
            category,
            changed,
            answers,
            newest,
            topic: topic.to_owned(),
        });
    };

    // Facts that changed.
    let appointment_kind = life.appointment.as_ref().map_or("appointment", |a| a.kind);
    let dog = life.pet.as_ref().is_none_or(|p| p.dog);
    let changes: Vec<(Key, &str, Vec<String>, Vec<String>)> = {
        let mut v = Vec::new();
        for change in &life.changes {
            let (key, topic, direct, para): (Key, &str, Vec<String>, Vec<String>) = match change {
                Change::Address => (
                    Key::Address,
                    "address",
                    strings(&[
                        "what's my address",
                        "my current home address",
                        "what address do you have on file for me",
                    ]),
                    strings(&[
                        "where do I live now",
                        "where did I move to",
                        "did I relocate recently",
                    ]),
                ),
                Change::Cell => (
                    Key::Cell,
                    "cell",
                    strings(&[
                        "what's my cell phone number",
                        "what number do you have for me",
                        "my phone number",
                    ]),
                    strings(&["my mobile number", "what's my telephone number now"]),
                ),
                Change::Appointment => (
                    Key::Appointment,
                    "appointment",
                    vec![
                        "when is my appointment".into(),
                        "my upcoming appointment".into(),
                        format!("when is my {appointment_kind}"),
                    ],
                    strings(&[
                        "when's my visit",
                        "when am I booked in",
                        "when's my next checkup",
                    ]),
                ),
                Change::Insurance => (
                    Key::Insurance,
                    "insurance",
                    strings(&[
                        "what insurance do I have",
                        "which insurance company am I with",
                        "my insurance",
                    ]),
                    strings(&[
                        "who is my insurer",
                        "what coverage do I have now",
                        "who's my insurer now",
                    ]),
                ),
                Change::Pharmacy => (
                    Key::Pharmacy,
                    "pharmacy",
                    strings(&[
                        "which pharmacy do I use",
                        "my preferred pharmacy",
                        "what pharmacy should my prescriptions go to",
                    ]),
                    strings(&["which drugstore do I use", "my drugstore"]),
                ),
                Change::Doctor => (
                    Key::Doctor,
                    "doctor",
                    strings(&[
                        "who is my doctor",
                        "my primary care doctor",
                        "which doctor do I see",
                    ]),
                    strings(&["who's my physician", "who is my GP", "who's my PCP"]),
                ),
                Change::Pet => (
                    Key::Pet,
                    "pet",
                    strings(&["what's my dog's name", "what is my dog called"]),
                    strings(&[
                        "what's my pup called",
                        "what's the doggo's name",
                        "my pooch's name",
                    ]),
                ),
            };
            v.push((key, topic, direct, para));
        }
        match life.persona.change {
            NameChange::Spelling { .. } => v.push((
                Key::Name,
                "name",
                strings(&["how do you spell my name", "how is my first name spelled"]),
                Vec::new(),
            )),
            NameChange::Married { .. } => v.push((
                Key::Name,
                "name",
                strings(&["what's my last name", "what is my full name"]),
                strings(&["what's my married name"]),
            )),
            NameChange::None => {}
        }
        v
    };
    for (key, topic, direct, para) in changes {
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == key).collect();
        let newest = stated
            .iter()
            .filter(|s| s.version == 1 && s.value)
            .max_by_key(|s| (s.call, s.turn))
            .map(|s| answer(h, s));
        let has_old = stated.iter().any(|s| s.version == 0);
        let (Some(newest), true) = (newest, has_old) else {
            continue;
        };
        let answers = answers_of(h, &stated);
        ask(
            &mut out,
            rng.pick(&direct).clone(),
            Category::Changed,
            true,
            answers.clone(),
            Some(newest.clone()),
            topic,
        );
        if !para.is_empty() {
            ask(
                &mut out,
                rng.pick(&para).clone(),
                Category::Paraphrase,
                true,
                answers,
                Some(newest),
                topic,
            );
        }
    }

    // A pet acquired during the year (no earlier pet).
    if life.pet.as_ref().is_some_and(|p| p.old.is_none()) {
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == Key::Pet).collect();
        let answers = answers_of(h, &stated);
        let (direct, para) = if dog {
            (
                strings(&[
                    "what's my dog's name",
                    "what is my dog called",
                    "do I have a dog",
                ]),
                strings(&[
                    "what's my pup called",
                    "what's the doggo's name",
                    "my pooch's name",
                ]),
            )
        } else {
            (
                strings(&["what's my cat's name", "do I have a cat"]),
                strings(&["what's my kitty called", "what's the kitty's name"]),
            )
        };
        if rng.chance(50) {
            ask(
                &mut out,
                rng.pick(&direct).clone(),
                Category::Single,
                false,
                answers,
                None,
                "pet",
            );
        } else {
            ask(
                &mut out,
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers,
                None,
                "pet",
            );
        }
    }

    // Facts told once.
    for single in &life.singles {
        let stated: Vec<&Stated> = h
            .stated
            .iter()
            .filter(|s| s.key == Key::Single(*single))
            .collect();
        let answers = answers_of(h, &stated);
        let ((_, girl), _, _) = life.kid;
        let child = if girl { "daughter" } else { "son" };
        let (topic, direct, para): (&str, Vec<String>, Vec<String>) = match single {
            Single::Allergy => (
                "allergy",
                strings(&[
                    "am I allergic to anything",
                    "what allergies do I have",
                    "any allergies on file for me",
                ]),
                strings(&["is there any medication I can't take"]),
            ),
            Single::Job => (
                "job",
                strings(&["what do I do for work", "what's my job"]),
                strings(&[
                    "what's my occupation",
                    "where am I employed",
                    "what's my profession",
                ]),
            ),
            Single::Kid => (
                "kid",
                vec![
                    format!("what's my {child}'s name"),
                    format!("my {child}'s name"),
                ],
                strings(&[
                    "what's my kid's name",
                    "how old is my kid",
                    "my child's name",
                ]),
            ),
            Single::Partner => (
                "partner",
                vec![format!("what's my {}'s name", life.partner.0)],
                strings(&["who is my spouse", "my spouse's name"]),
            ),
            Single::Trip => (
                "trip",
                strings(&["where am I going on vacation", "my upcoming vacation"]),
                strings(&["where's my trip", "am I traveling soon", "my holiday plans"]),
            ),
            Single::PreferredTime => (
                "preferred_time",
                strings(&[
                    "what times work best for my appointments",
                    "preferred appointment time",
                ]),
                strings(&["when am I usually available"]),
            ),
            Single::Emergency => (
                "emergency_contact",
                strings(&["who is my emergency contact"]),
                strings(&[
                    "who should you call in an emergency",
                    "who do you contact if something happens to me",
                ]),
            ),
            Single::Birthday => (
                "birthday",
                strings(&["what's my date of birth", "my date of birth"]),
                strings(&["when is my birthday", "when was I born"]),
            ),
        };
        if rng.chance(55) {
            ask(
                &mut out,
                rng.pick(&direct).clone(),
                Category::Single,
                false,
                answers,
                None,
                topic,
            );
        } else {
            ask(
                &mut out,
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers,
                None,
                topic,
            );
        }
    }
    // One registration fact that never changed.
    let steady: Vec<(Key, &str, &str)> = [
        (
            Key::Insurance,
            Change::Insurance,
            "what insurance do I have",
            "insurance",
        ),
        (
            Key::Address,
            Change::Address,
            "what's my home address",
            "address",
        ),
        (Key::Doctor, Change::Doctor, "who is my doctor", "doctor"),
        (
            Key::Pharmacy,
            Change::Pharmacy,
            "which pharmacy do I use",
            "pharmacy",
        ),
    ]
    .into_iter()
    .filter(|(_, change, _, _)| !life.changes.contains(change))
    .map(|(key, _, text, topic)| (key, text, topic))
    .collect();
    if !steady.is_empty() {
        let (key, text, topic) = *rng.pick(&steady);
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == key).collect();
        ask(
            &mut out,
            text.to_owned(),
            Category::Single,
            false,
            answers_of(h, &stated),
            None,
            topic,
        );
    }

    // Facts spread over several calls.
    let condition = life.condition;
    let mentions: Vec<&Stated> = h
        .stated
        .iter()
        .filter(|s| s.key == Key::Condition)
        .collect();
    if mentions.len() >= 2 {
        let direct = vec![
            format!("what have I told you about my {}", condition.direct),
            format!("my history of {}", condition.direct),
            format!("what did I say about my {}", condition.direct),
        ];
        ask(
            &mut out,
            rng.pick(&direct).clone(),
            Category::Spread,
            false,
            answers_of(h, &mentions),
            None,
            "condition",
        );
        if let Some(para) = condition.paraphrase {
            let para = vec![
                format!("how's my {para} been"),
                format!("any updates on my {para}"),
            ];
            ask(
                &mut out,
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers_of(h, &mentions),
                None,
                "condition",
            );
        }
    }
    let meds: Vec<&Stated> = h.stated.iter().filter(|s| s.key == Key::Meds).collect();
    let distinct_meds = {
        let mut calls: Vec<usize> = meds.iter().map(|s| s.call).collect();
        calls.dedup();
        calls.len()
    };
    if distinct_meds >= 2 {
        if rng.chance(50) {
            let direct = strings(&["what medications am I on", "which prescriptions do I take"]);
            ask(
                &mut out,
                rng.pick(&direct).clone(),
                Category::Spread,
                false,
                answers_of(h, &meds),
                None,
                "meds",
            );
        } else {
            let para = strings(&["what meds do I take", "what pills am I on"]);
            ask(
                &mut out,
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers_of(h, &meds),
                None,
                "meds",
            );
        }
    }

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
        ask(
            &mut out,
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
        ask(
            &mut out,
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
                format!("{}, what was my call about", super::cap(phrase)),
            ];
            let from = today - far * DAY;
            let to = today - (near - 1) * DAY;
            ask(
                &mut out,
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
        ask(
            &mut out,
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
            ask(
                &mut out,
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
        ask(
            &mut out,
            text,
            Category::Time,
            false,
            vec![answer(h, s)],
            None,
            "time:topic",
        );
    }
    out
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn answer(h: &History, s: &Stated) -> Answer {
    Answer {
        conversation_id: h.calls[s.call].conversation.clone(),
        turn: s.turn,
    }
}

/// The distinct answers of `stated`, in call order.
fn answers_of(h: &History, stated: &[&Stated]) -> Vec<Answer> {
    let mut v: Vec<(usize, u32)> = stated.iter().map(|s| (s.call, s.turn)).collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter()
        .map(|(call, turn)| Answer {
            conversation_id: h.calls[call].conversation.clone(),
            turn,
        })
        .collect()
}

fn month_name(m: u8) -> &'static str {
    [
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
    ][usize::from(m.clamp(1, 12) - 1)]
}

/// Midnight UTC of the first of a month.
fn month_start(year: i32, month: u8) -> i64 {
    time::Month::try_from(month)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(year, m, 1).ok())
        .map_or(0, |d| d.midnight().assume_utc().unix_timestamp())
}
