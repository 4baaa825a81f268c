//! The deterministic generator of the evaluation set.
//!
//! Each simulated caller of [`bank::ROSTER`] lives a year of calls to a
//! family clinic's voice agent: registration, refills, errands, a move, a
//! new cell number, a rescheduled appointment, a corrected name, a new
//! puppy, told the way people talk on the phone (greetings, weather,
//! "um", facts dropped in passing). Every call becomes a full ElevenLabs
//! `post_call_transcription` webhook body. Every statement of a fact is
//! recorded with its conversation and transcript turn, and [`ask`] turns
//! those records into questions whose answers are known exactly.
//!
//! Each caller draws from their own seeded stream, so a reduced set (the
//! first few callers) is exactly a subset of the full one.

mod ask;
pub mod bank;
pub mod rng;

use serde_json::{json, Value};
use time::{Date, OffsetDateTime};

use self::bank::{Condition, NameChange, Persona};
use self::rng::Rng;
use crate::dataset::{canonical, CallerInfo, Dataset, Meta};

/// The seed of the whole set.
pub const SEED: u64 = 0x5eed_2025_0618;
/// The fixed "now" questions are asked at: 2025-06-18T16:00:00Z, a Wednesday.
pub const NOW: i64 = 1_750_262_400;
/// How many callers the full set has.
pub const CALLERS: usize = bank::ROSTER.len();

pub const AGENT_ID: &str = "agent_01jx7t3lakesidefamilyclinic";
pub const AGENT_NUMBER: &str = "+13125550100";
const CLINIC: &str = "Lakeside Family Clinic";
const AGENT_NAME: &str = "Jamie";

const DAY: i64 = 86_400;

/// Days between a caller's newest call and "now", cycled over the callers,
/// so that "yesterday", "last week" and "two weeks ago" all occur.
const LAST_GAPS: [i64; 9] = [1, 6, 13, 2, 9, 15, 21, 27, 4];

/// The full set: every caller of the roster.
pub fn generate() -> Dataset {
    generate_callers(CALLERS)
}

/// The set restricted to the first `callers` callers of the roster.
pub fn generate_callers(callers: usize) -> Dataset {
    let histories: Vec<History> = bank::ROSTER
        .iter()
        .take(callers)
        .enumerate()
        .map(|(i, persona)| simulate(persona, i, None))
        .collect();
    assemble(&histories)
}

/// One caller with `calls` calls: a long history, for latency at a
/// thousand memories. Not part of the quality set.
pub fn heavy(calls: usize) -> Dataset {
    assemble(&[simulate(&bank::HEAVY, 99, Some(calls))])
}

fn assemble(histories: &[History]) -> Dataset {
    let mut calls: Vec<(i64, &str, &str)> = Vec::new();
    let mut questions = Vec::new();
    let mut callers = Vec::new();
    for h in histories {
        for c in &h.calls {
            calls.push((c.start, c.conversation.as_str(), c.body.as_str()));
        }
        callers.push(CallerInfo {
            number: h.life.number.clone(),
            name: h.life.full_name(),
            conversations: h.calls.iter().map(|c| c.conversation.clone()).collect(),
        });
        let mut rng = Rng::new(SEED ^ 0xa5a5_0000 ^ h.index as u64);
        questions.extend(ask::questions(h, &mut rng));
    }
    calls.sort();
    for (i, q) in questions.iter_mut().enumerate() {
        q.id = format!("q{:03}", i + 1);
    }
    Dataset {
        meta: Meta {
            seed: SEED,
            now: NOW,
            now_utc: "2025-06-18T16:00:00Z".into(),
            calls: calls.len(),
            questions: questions.len(),
            callers,
        },
        calls: calls.into_iter().map(|(_, _, b)| b.to_owned()).collect(),
        questions,
    }
}

/// A fact that can change over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Address,
    Cell,
    Appointment,
    Insurance,
    Pharmacy,
    Doctor,
    Pet,
}

const CHANGES: [Change; 7] = [
    Change::Address,
    Change::Cell,
    Change::Appointment,
    Change::Insurance,
    Change::Pharmacy,
    Change::Doctor,
    Change::Pet,
];

/// A fact told once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Single {
    Allergy,
    Job,
    Kid,
    Partner,
    Trip,
    PreferredTime,
    Emergency,
    Birthday,
}

const SINGLES: [Single; 8] = [
    Single::Allergy,
    Single::Job,
    Single::Kid,
    Single::Partner,
    Single::Trip,
    Single::PreferredTime,
    Single::Emergency,
    Single::Birthday,
];

/// What a caller turn states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Name,
    Address,
    Cell,
    Insurance,
    Pharmacy,
    Doctor,
    Pet,
    Appointment,
    Single(Single),
    Condition,
    Meds,
}

/// A statement: which fact, which value (0 the first, 1 the newer), where.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stated {
    pub key: Key,
    pub version: u8,
    pub call: usize,
    pub turn: u32,
    /// The turn holds the value itself (not just "I moved").
    pub value: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Pet {
    pub dog: bool,
    pub old: Option<(&'static str, &'static str)>,
    /// Breed (or kind of cat) and name.
    pub new: (&'static str, &'static str),
}

#[derive(Debug, Clone)]
pub(crate) struct Appointment {
    pub kind: &'static str,
    pub first: (i64, &'static str),
    pub moved: (i64, &'static str),
}

/// Everything true about one caller over the year.
pub(crate) struct Life {
    pub persona: Persona,
    pub number: String,
    pub changes: Vec<Change>,
    pub singles: Vec<Single>,
    pub address: [String; 2],
    pub cell: [String; 2],
    pub insurance: [&'static str; 2],
    pub pharmacy: [&'static str; 2],
    pub doctor: [(&'static str, bool); 2],
    pub pet: Option<Pet>,
    pub appointment: Option<Appointment>,
    pub condition: &'static Condition,
    pub meds: [(&'static str, &'static str); 2],
    pub birthday: String,
    pub allergy: (&'static str, &'static str),
    pub job: (&'static str, &'static str),
    pub kid: ((&'static str, bool), &'static str, u32),
    pub partner: (&'static str, &'static str),
    pub trip: (&'static str, &'static str),
    pub preferred: &'static str,
    pub relative: ((&'static str, &'static str, bool), String),
}

impl Life {
    pub fn has(&self, change: Change) -> bool {
        self.changes.contains(&change)
    }

    /// The name as the caller would give it at the end of the year.
    pub fn full_name(&self) -> String {
        let p = &self.persona;
        match p.change {
            NameChange::Married { new_last } => format!("{} {new_last}", p.first),
            _ => format!("{} {}", p.first, p.last),
        }
    }
}

/// A generated call.
pub(crate) struct CallOut {
    pub conversation: String,
    pub start: i64,
    pub body: String,
    /// The turns that say why the caller called.
    pub reasons: Vec<u32>,
}

/// A caller's year: who they are, their calls, and what each call stated.
pub(crate) struct History {
    pub index: usize,
    pub life: Life,
    pub calls: Vec<CallOut>,
    pub stated: Vec<Stated>,
}

fn spoken_number(area: &str, line: u32) -> String {
    format!("{area}-555-01{:02}", line % 100)
}

fn live(persona: &Persona, index: usize, rng: &mut Rng) -> Life {
    let line = 10 + index as u32 * 3;
    let number = format!("+1{}55501{:02}", persona.area, line % 100);
    let mut changes: Vec<Change> = [0, 2, 4]
        .iter()
        .map(|k| CHANGES[(index + k) % CHANGES.len()])
        .collect();
    changes.sort_by_key(|c| CHANGES.iter().position(|x| x == c));
    let singles: Vec<Single> = [0, 3, 5]
        .iter()
        .map(|k| SINGLES[(index + k) % SINGLES.len()])
        .collect();

    let mut streets = bank::STREETS.to_vec();
    rng.shuffle(&mut streets);
    let address = [
        format!(
            "{} {}{}",
            rng.range(12, 2900),
            streets[0],
            rng.pick(&bank::UNITS)
        ),
        format!(
            "{} {} in {}",
            rng.range(12, 2900),
            streets[1],
            rng.pick(&bank::TOWNS)
        ),
    ];
    let areas = ["312", "773", "847", "630", "708", "224"];
    let cell_number = |rng: &mut Rng| {
        let area = *rng.pick(&areas);
        spoken_number(area, rng.range(20, 99) as u32)
    };
    let cell = [cell_number(rng), cell_number(rng)];
    let mut insurers = bank::INSURERS.to_vec();
    rng.shuffle(&mut insurers);
    let mut pharmacies = bank::PHARMACIES.to_vec();
    rng.shuffle(&mut pharmacies);
    let mut doctors = bank::DOCTORS.to_vec();
    rng.shuffle(&mut doctors);

    let dog = rng.chance(80);
    let pet_name = |rng: &mut Rng| *rng.pick(&bank::PET_NAMES);
    let kind = |rng: &mut Rng, dog: bool| {
        if dog {
            *rng.pick(&bank::DOG_BREEDS)
        } else {
            *rng.pick(&bank::CAT_KINDS)
        }
    };
    let pet = if changes.contains(&Change::Pet) {
        let old = (*rng.pick(&bank::DOG_BREEDS), pet_name(rng));
        let mut new = (kind(rng, true), pet_name(rng));
        while new.1 == old.1 {
            new.1 = pet_name(rng);
        }
        Some(Pet {
            dog: true,
            old: Some(old),
            new,
        })
    } else if rng.chance(45) {
        Some(Pet {
            dog,
            old: None,
            new: (kind(rng, dog), pet_name(rng)),
        })
    } else {
        None
    };

    let mut meds = bank::MEDS.to_vec();
    rng.shuffle(&mut meds);
    let months = [
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
    let birthday = format!(
        "{} {}, {}",
        rng.pick(&months),
        ordinal(rng.range(1, 28) as u8),
        rng.range(1948, 2001)
    );
    let relative = *rng.pick(&bank::RELATIVES);
    let relative_phone = cell_number(rng);
    Life {
        persona: *persona,
        number,
        changes,
        singles,
        address,
        cell,
        insurance: [insurers[0], insurers[1]],
        pharmacy: [pharmacies[0], pharmacies[1]],
        doctor: [doctors[0], doctors[1]],
        pet,
        appointment: None,
        condition: rng.pick(&bank::CONDITIONS),
        meds: [meds[0], meds[1]],
        birthday,
        allergy: *rng.pick(&bank::ALLERGIES),
        job: *rng.pick(&bank::JOBS),
        kid: (
            *rng.pick(&bank::KID_NAMES),
            *rng.pick(&bank::KID_ACTIVITIES),
            rng.range(4, 15) as u32,
        ),
        partner: *rng.pick(&bank::PARTNERS),
        trip: *rng.pick(&bank::TRIPS),
        preferred: bank::PREFERRED_TIMES[rng.below(bank::PREFERRED_TIMES.len())],
        relative: (relative, relative_phone),
    }
}

/// What a call is mainly about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Main {
    Register,
    Errand(usize),
    /// A refill of the first medication, or (`true`) of the second one,
    /// started later.
    Refill(bool),
    /// A refill sent to a new pharmacy.
    PharmacySwitch,
    UpdateAddress,
    UpdateInsurance,
    SwitchDoctor,
    Book,
    Reschedule,
    ConditionVisit,
}

/// What else comes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    Address,
    Cell,
    Insurance,
    NameFix,
    OldPet,
    NewPet,
    PetNews,
    Single(Single),
    Condition(usize),
}

struct Plan {
    start: i64,
    main: Main,
    /// Whether `main` was chosen (an errand placeholder is not).
    fixed: bool,
    extras: Vec<Extra>,
}

/// Days of the calls: the first 300–360 days ago, the newest `last_gap`
/// days ago, the rest on distinct days between; each at a business hour.
fn schedule(n: usize, last_gap: i64, rng: &mut Rng, appointment: bool) -> Vec<i64> {
    let today = NOW - NOW.rem_euclid(DAY);
    let last = today - last_gap * DAY;
    let first = today - rng.range(300, 360) * DAY;
    // With an appointment the last two calls are the booking and the
    // reschedule, a few days apart: keep the others clear of them.
    let middle_end = if appointment { last - 12 * DAY } else { last };
    let mut days: Vec<i64> = ((first / DAY + 2)..(middle_end / DAY - 1)).collect();
    rng.shuffle(&mut days);
    let middle = if appointment { n - 3 } else { n - 2 };
    let mut dates: Vec<i64> = days.into_iter().take(middle).map(|d| d * DAY).collect();
    dates.push(first);
    dates.sort_unstable();
    if appointment {
        dates.push(last - rng.range(3, 8) * DAY);
    }
    dates.push(last);
    dates
        .into_iter()
        .map(|d| d + rng.range(14, 20) * 3_600 + rng.range(0, 59) * 60)
        .collect()
}

fn simulate(persona: &Persona, index: usize, calls: Option<usize>) -> History {
    let mut rng = Rng::new(SEED ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut life = live(persona, index, &mut rng);
    let n = calls.unwrap_or_else(|| rng.range(10, 14) as usize);
    let appointment = life.has(Change::Appointment);
    let dates = schedule(n, LAST_GAPS[index % LAST_GAPS.len()], &mut rng, appointment);
    let mut plans: Vec<Plan> = dates
        .iter()
        .map(|&start| Plan {
            start,
            main: Main::Errand(0),
            fixed: false,
            extras: Vec::new(),
        })
        .collect();
    for plan in &mut plans {
        plan.main = Main::Errand(rng.below(bank::ERRANDS.len()));
    }
    plans[0].main = Main::Register;
    plans[0].fixed = true;
    let hi = if appointment { n - 2 } else { n };
    if appointment {
        plans[n - 2].main = Main::Book;
        plans[n - 1].main = Main::Reschedule;
        plans[n - 2].fixed = true;
        plans[n - 1].fixed = true;
        let kind = *rng.pick(&bank::APPOINTMENT_KINDS);
        let first_day = plans[n - 2].start - plans[n - 2].start.rem_euclid(DAY)
            + rng.range(10, 18) * DAY
            + 15 * 3_600;
        let moved_day = first_day + rng.range(2, 7) * DAY;
        life.appointment = Some(Appointment {
            kind,
            first: (first_day, *rng.pick(&bank::CLOCK_TIMES)),
            moved: (moved_day, *rng.pick(&bank::CLOCK_TIMES)),
        });
    }

    let third = (n / 3).max(2);
    let half = (n / 2).max(2);
    let visit = take_main(&mut plans, 1, third, Main::ConditionVisit, &mut rng).unwrap_or(1);
    let mention1 = place_extra(
        &mut plans,
        visit + 1,
        hi.max(visit + 2),
        Extra::Condition(1),
        &mut rng,
    );
    if let Some(m1) = mention1 {
        place_extra(&mut plans, m1 + 1, n, Extra::Condition(2), &mut rng);
    }
    let refill = take_main(&mut plans, 1, half, Main::Refill(false), &mut rng).unwrap_or(1);
    if rng.chance(60) || calls.is_some() {
        take_main(&mut plans, refill + 1, hi, Main::Refill(true), &mut rng);
    }
    if life.has(Change::Pharmacy) {
        take_main(&mut plans, half, hi, Main::PharmacySwitch, &mut rng);
    }
    if life.has(Change::Doctor) {
        take_main(&mut plans, third, hi, Main::SwitchDoctor, &mut rng);
    }
    if life.has(Change::Insurance) {
        if rng.chance(50) {
            take_main(&mut plans, third, hi, Main::UpdateInsurance, &mut rng);
        } else {
            place_extra(&mut plans, third, hi, Extra::Insurance, &mut rng);
        }
    }
    if life.has(Change::Address) {
        if rng.chance(50) {
            take_main(&mut plans, third, hi, Main::UpdateAddress, &mut rng);
        } else {
            place_extra(&mut plans, third, hi, Extra::Address, &mut rng);
        }
    }
    if life.has(Change::Cell) {
        place_extra(&mut plans, third, hi, Extra::Cell, &mut rng);
    }
    if persona.change != NameChange::None {
        place_extra(&mut plans, 2, hi, Extra::NameFix, &mut rng);
    }
    if let Some(pet) = &life.pet {
        let new_at = if pet.old.is_some() {
            let old_at = place_extra(&mut plans, 1, third + 1, Extra::OldPet, &mut rng);
            place_extra(
                &mut plans,
                old_at.map_or(half, |o| (o + 1).max(half)),
                hi,
                Extra::NewPet,
                &mut rng,
            )
        } else {
            place_extra(&mut plans, 2, hi, Extra::NewPet, &mut rng)
        };
        if let Some(at) = new_at {
            place_extra(&mut plans, at + 1, n, Extra::PetNews, &mut rng);
        }
    }
    for single in life.singles.clone() {
        if single != Single::Birthday {
            place_extra(&mut plans, 1, n, Extra::Single(single), &mut rng);
        }
    }

    let mut stated = Vec::new();
    let mut out = Vec::new();
    let mut known = Known {
        first: match persona.change {
            NameChange::Spelling { heard, .. } => heard,
            _ => persona.first,
        },
        last: persona.last,
        last_summary: String::new(),
    };
    for (i, plan) in plans.iter().enumerate() {
        let conversation = format!("conv_{}", rng.token(26));
        let mut call = Script {
            rng: &mut rng,
            life: &life,
            index: i,
            turns: Vec::new(),
            secs: 0,
            stated: &mut stated,
            summary: Vec::new(),
            reasons: Vec::new(),
            reason_value: "",
        };
        call.play(plan, &mut known);
        let reasons = call.reasons.clone();
        let body = call.webhook(&conversation, plan.start, i, &mut known);
        out.push(CallOut {
            conversation,
            start: plan.start,
            body,
            reasons,
        });
    }
    History {
        index,
        life,
        calls: out,
        stated,
    }
}

/// Gives `main` to a random call in `lo..hi` still doing an errand.
fn take_main(plans: &mut [Plan], lo: usize, hi: usize, main: Main, rng: &mut Rng) -> Option<usize> {
    let hi = hi.min(plans.len());
    let free: Vec<usize> = (lo..hi).filter(|&i| !plans[i].fixed).collect();
    let at = if free.is_empty() {
        // Anywhere later still free, so a short history keeps the fact.
        *(lo..plans.len())
            .filter(|&i| !plans[i].fixed)
            .collect::<Vec<_>>()
            .first()?
    } else {
        *rng.pick(&free)
    };
    plans[at].main = main;
    plans[at].fixed = true;
    Some(at)
}

/// Adds `extra` to a random call in `lo..hi` with room for it.
fn place_extra(
    plans: &mut [Plan],
    lo: usize,
    hi: usize,
    extra: Extra,
    rng: &mut Rng,
) -> Option<usize> {
    let hi = hi.min(plans.len());
    let roomy: Vec<usize> = (lo..hi).filter(|&i| plans[i].extras.len() < 2).collect();
    let at = if roomy.is_empty() {
        *(lo..plans.len())
            .filter(|&i| plans[i].extras.len() < 3)
            .collect::<Vec<_>>()
            .first()?
    } else {
        *rng.pick(&roomy)
    };
    plans[at].extras.push(extra);
    Some(at)
}

/// What the clinic knows of the caller when a call starts.
struct Known {
    first: &'static str,
    last: &'static str,
    last_summary: String,
}

impl Known {
    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// One call being written.
struct Script<'a> {
    rng: &'a mut Rng,
    life: &'a Life,
    index: usize,
    turns: Vec<Value>,
    secs: u32,
    stated: &'a mut Vec<Stated>,
    summary: Vec<String>,
    reasons: Vec<u32>,
    reason_value: &'static str,
}

/// `text` with its first letter upper-cased.
fn cap(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A caller's sentence: an optional "um"-style opener, then `body`,
/// terminated.
fn said(rng: &mut Rng, body: &str) -> String {
    let opener = *rng.pick(&bank::OPENERS);
    let mut s = cap(&format!("{opener}{body}"));
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

fn ordinal(day: u8) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

fn date_of(unix: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// "Thursday, June 26th".
fn spoken_date(unix: i64) -> String {
    let d = date_of(unix);
    format!("{}, {} {}", d.weekday(), d.month(), ordinal(d.day()))
}

fn weekday(unix: i64) -> String {
    date_of(unix).weekday().to_string()
}

impl Script<'_> {
    fn agent(&mut self, text: &str) {
        let text = text.replace("..", ".");
        self.turns.push(json!({
            "role": "agent",
            "message": text,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 2 + (text.len() / 14) as u32;
    }

    fn user(&mut self, text: &str) -> u32 {
        let text = text.replace("..", ".");
        let turn = self.turns.len() as u32;
        self.turns.push(json!({
            "role": "user",
            "message": text,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": "audio",
        }));
        self.secs += 2 + (text.len() / 12) as u32;
        turn
    }

    /// A caller turn stating `key` (`value`: it holds the value itself).
    fn state(&mut self, key: Key, version: u8, value: bool, text: &str) -> u32 {
        let turn = self.user(text);
        self.stated.push(Stated {
            key,
            version,
            call: self.index,
            turn,
            value,
        });
        turn
    }

    /// The caller's reason for calling.
    fn reason(&mut self, text: &str) -> u32 {
        let turn = self.user(text);
        self.reasons.push(turn);
        turn
    }

    /// Now and then an "okay" or "mm-hmm" the ingestion drops.
    fn maybe_filler(&mut self) {
        if self.rng.chance(35) {
            let f = *self.rng.pick(&bank::FILLERS);
            self.user(f);
        }
    }

    fn pronoun(&self) -> (&'static str, &'static str) {
        if self.life.persona.she {
            ("She", "her")
        } else {
            ("He", "his")
        }
    }

    fn play(&mut self, plan: &Plan, known: &mut Known) {
        if plan.main == Main::Register {
            self.agent(&format!(
                "Thank you for calling {CLINIC}, this is {AGENT_NAME}. How can I help you today?"
            ));
        } else {
            self.agent(&format!(
                "Hi {}, welcome back to {CLINIC}! How can I help you today?",
                known.first
            ));
            self.small_talk(plan.start);
            if self.rng.chance(25) {
                self.tool_lookup(plan.main);
            }
        }
        self.main(plan.main, known);
        for extra in &plan.extras {
            self.maybe_filler();
            self.extra(*extra, known);
        }
        self.agent("Is there anything else I can help you with today?");
        let closing = *self.rng.pick(&bank::CLOSINGS);
        self.user(closing);
        self.agent(&format!(
            "You're welcome, {}. Take care and have a great day!",
            known.first
        ));
    }

    fn small_talk(&mut self, start: i64) {
        match self.rng.below(3) {
            0 => {
                let hello = *self.rng.pick(&bank::HELLOS);
                self.user(hello);
                if hello.contains("how are you") {
                    self.agent("I'm doing well, thanks for asking! What can I do for you?");
                } else {
                    self.agent("Hi! What can I do for you today?");
                }
            }
            1 => {
                let season = match u8::from(date_of(start).month()) {
                    12 | 1 | 2 => 0,
                    3..=5 => 1,
                    6..=8 => 2,
                    _ => 3,
                };
                let weather = *self.rng.pick(&bank::WEATHER[season]);
                let text = said(self.rng, &format!("I'm good, thanks! {}", cap(weather)));
                self.user(&text);
                self.agent("Oh, I hear you! What can I help you with today?");
            }
            _ => {}
        }
    }

    /// The agent looking the caller up with the search tool, as a real
    /// transcript shows it: a tool call, then its result.
    fn tool_lookup(&mut self, main: Main) {
        let query = match main {
            Main::Refill(_) | Main::PharmacySwitch => "medications and pharmacy",
            Main::Reschedule => "upcoming appointment",
            _ => "recent calls",
        };
        let request_id = format!("toolu_{}", self.rng.token(20));
        self.turns.push(json!({
            "role": "agent",
            "message": null,
            "time_in_call_secs": self.secs,
            "tool_calls": [{
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_caller_memory",
                "params_as_json": json!({"query": query, "caller_id": self.life.number, "limit": 5}).to_string(),
                "tool_has_been_called": true,
                "tool_details": null,
            }],
            "tool_results": [],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 1;
        self.turns.push(json!({
            "role": "agent",
            "message": null,
            "time_in_call_secs": self.secs,
            "tool_calls": [],
            "tool_results": [{
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_caller_memory",
                "result_value": "{\"known_caller\":true,\"memories\":[]}",
                "is_error": false,
                "tool_has_been_called": true,
            }],
            "feedback": null,
            "interrupted": false,
            "source_medium": null,
        }));
        self.secs += 1;
    }

    fn main(&mut self, main: Main, known: &mut Known) {
        let life = self.life;
        let (she, her) = self.pronoun();
        match main {
            Main::Register => self.register(known),
            Main::Errand(e) => {
                let errand = &bank::ERRANDS[e];
                let reason = *self.rng.pick(&errand.reasons);
                let text = said(self.rng, reason);
                self.reason(&text);
                self.agent(errand.agent);
                self.maybe_filler();
                let text = said(self.rng, errand.follow_up);
                self.user(&text);
                self.agent("Of course. I've made a note of that on your file.");
                self.reason_value = errand.reason_value;
                self.summary
                    .push(format!("{} {}.", known.name(), errand.summary));
            }
            Main::Refill(second) => {
                let (med, purpose) = life.meds[usize::from(second)];
                let text = if second {
                    let options = [
                        format!(
                            "I need a refill on the {med} the doctor started me on for my {purpose}, it's a prescription from a couple months ago"
                        ),
                        format!(
                            "the doctor put me on {med} for my {purpose} a while back and I need that prescription refilled"
                        ),
                        format!("I'm calling for a refill of my new {purpose} medication, the {med}"),
                    ];
                    self.say_one(&options)
                } else {
                    let options = [
                        format!("I'm calling because I need a refill on my {med} prescription"),
                        format!(
                            "I'm almost out of my {purpose} medication, the {med}, can I get that refilled"
                        ),
                        format!("I need to renew my {med}, I've only got a few pills left"),
                    ];
                    self.say_one(&options)
                };
                let turn = self.reason(&text);
                self.stated.push(Stated {
                    key: Key::Meds,
                    version: 0,
                    call: self.index,
                    turn,
                    value: true,
                });
                let pharmacy = life.pharmacy[usize::from(self.has_switched_pharmacy())];
                self.agent(&format!(
                    "Sure, I'll send the request to your doctor. Should it go to {pharmacy} like last time?"
                ));
                let text = said(self.rng, "yes, same one as always");
                self.user(&text);
                self.agent("Great, it should be ready by tomorrow afternoon.");
                self.reason_value = "prescription refill";
                self.summary.push(format!(
                    "{} called to request a refill of {med}, to be sent to {pharmacy}.",
                    known.name()
                ));
            }
            Main::PharmacySwitch => {
                let (med, _) = life.meds[0];
                let text = said(
                    self.rng,
                    &format!("I need a refill on my {med} prescription, please"),
                );
                let turn = self.reason(&text);
                self.stated.push(Stated {
                    key: Key::Meds,
                    version: 0,
                    call: self.index,
                    turn,
                    value: true,
                });
                self.agent(&format!(
                    "Sure thing. Should I send it to {}?",
                    life.pharmacy[0]
                ));
                let new = life.pharmacy[1];
                let options = [
                    format!("no, actually I switched pharmacies, please use {new} now"),
                    format!("not anymore, my pharmacy is {new} now"),
                    format!(
                        "no, can you send it to {new} from now on? I changed pharmacies, it's closer to work"
                    ),
                ];
                let text = self.say_one(&options);
                self.state(Key::Pharmacy, 1, true, &text);
                self.agent(&format!(
                    "Got it, I've updated your preferred pharmacy to {new}."
                ));
                self.reason_value = "prescription refill";
                self.summary.push(format!(
                    "{} requested a refill of {med} and changed {her} preferred pharmacy to {new}.",
                    known.name()
                ));
            }
            Main::UpdateAddress => {
                let options = [
                    "I'm calling to update my address, we just moved",
                    "I moved recently and I need to change my address on file",
                ];
                let text = self.say_str(&options);
                let turn = self.reason(&text);
                self.stated.push(Stated {
                    key: Key::Address,
                    version: 1,
                    call: self.index,
                    turn,
                    value: false,
                });
                self.agent("Congratulations on the move! What's the new address?");
                let new = &life.address[1];
                let options = [
                    format!("the new address is {new}"),
                    format!("new address is {new}, same cell number though"),
                    format!("it's {new}, we moved in two weeks ago"),
                    format!("my new address is {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Address, 1, true, &text);
                self.agent(&format!("Thank you, I've updated your address to {new}."));
                self.reason_value = "address update";
                self.summary.push(format!(
                    "{} called to update {her} address after moving to {new}.",
                    known.name()
                ));
            }
            Main::UpdateInsurance => {
                let options = [
                    "I'm calling because my insurance changed and I want to make sure you have the new one",
                    "I started a new job, so I have new insurance",
                ];
                let text = self.say_str(&options);
                let turn = self.reason(&text);
                self.stated.push(Stated {
                    key: Key::Insurance,
                    version: 1,
                    call: self.index,
                    turn,
                    value: false,
                });
                self.agent("Thanks for letting us know! Who's the new carrier?");
                let new = life.insurance[1];
                let options = [
                    format!("the new insurance is {new}, through my new job"),
                    format!("my insurance is {new} now, I can read you the member ID"),
                    format!("it's {new}, I have the new insurance card right here"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Insurance, 1, true, &text);
                self.agent(&format!("Perfect, I've updated your insurance to {new}."));
                self.reason_value = "insurance update";
                self.summary.push(format!(
                    "{} called to update {her} insurance to {new}.",
                    known.name()
                ));
            }
            Main::SwitchDoctor => {
                let (old, _) = life.doctor[0];
                let (new, new_she) = life.doctor[1];
                let they = if new_she { "she" } else { "he" };
                let options = [
                    format!(
                        "I'd like to switch my primary care doctor to {new}, if {they}'s taking patients"
                    ),
                    format!(
                        "can I change my doctor to {new}? {old} is great but I can never get an appointment"
                    ),
                    format!("I want to see {new} from now on instead of {old}"),
                ];
                let text = self.say_one(&options);
                let turn = self.state(Key::Doctor, 1, true, &text);
                self.reasons.push(turn);
                self.agent(&format!(
                    "{new} is accepting patients, so I've updated your primary care provider."
                ));
                self.maybe_filler();
                self.reason_value = "change of doctor";
                self.summary.push(format!(
                    "{} asked to switch {her} primary care doctor from {old} to {new}.",
                    known.name()
                ));
            }
            Main::Book => {
                let Some(appt) = life.appointment.clone() else {
                    return;
                };
                let options = [
                    format!("I'd like to schedule my {}", appt.kind),
                    format!(
                        "I'm calling to book my {}, it's been about a year",
                        appt.kind
                    ),
                ];
                let text = self.say_one(&options);
                self.reason(&text);
                let (day, clock) = appt.first;
                let (doctor, _) = life.doctor[usize::from(self.has_switched_doctor())];
                self.agent(&format!(
                    "Of course! {doctor} has an opening on {} at {clock}. Would that work?",
                    spoken_date(day)
                ));
                let d = date_of(day);
                let options = [
                    format!(
                        "let's do the {} {} {} appointment at {clock}, that works for me",
                        d.weekday(),
                        d.month(),
                        ordinal(d.day())
                    ),
                    format!(
                        "{} the {} at {clock} works, please book the appointment",
                        d.weekday(),
                        ordinal(d.day())
                    ),
                    format!(
                        "yes, put me down for the {} appointment on {}, at {clock}",
                        appt.kind,
                        spoken_date(day)
                    ),
                ];
                let text = self.say_one(&options);
                self.state(Key::Appointment, 0, true, &text);
                self.agent(&format!(
                    "You're all set for {} at {clock} with {doctor}.",
                    spoken_date(day)
                ));
                self.reason_value = "appointment booking";
                self.summary.push(format!(
                    "{} booked {her} {} for {} at {clock}.",
                    known.name(),
                    appt.kind,
                    spoken_date(day)
                ));
            }
            Main::Reschedule => {
                let Some(appt) = life.appointment.clone() else {
                    return;
                };
                let (day, _) = appt.first;
                let (new_day, clock) = appt.moved;
                let nd = date_of(new_day);
                if self.rng.chance(80) {
                    let options = [
                        format!(
                            "I need to reschedule my appointment on {} the {}, something came up at work. Could we do {} at {clock} instead?",
                            weekday(day),
                            ordinal(date_of(day).day()),
                            spoken_date(new_day)
                        ),
                        format!(
                            "I have to move my {} appointment from {} to {}, {} {}, at {clock} if that's open",
                            appt.kind,
                            weekday(day),
                            nd.weekday(),
                            nd.month(),
                            ordinal(nd.day())
                        ),
                        format!(
                            "can I change my appointment? I can't make {} anymore, but {} the {} at {clock} would work",
                            weekday(day),
                            nd.weekday(),
                            ordinal(nd.day())
                        ),
                    ];
                    let text = self.say_one(&options);
                    let turn = self.state(Key::Appointment, 1, true, &text);
                    self.reasons.push(turn);
                } else {
                    let text = said(
                        self.rng,
                        &format!(
                            "I need to reschedule my appointment on {} the {}",
                            weekday(day),
                            ordinal(date_of(day).day())
                        ),
                    );
                    let turn = self.state(Key::Appointment, 1, false, &text);
                    self.reasons.push(turn);
                    self.agent(&format!(
                        "No problem. I have {} at {clock}, would that work?",
                        spoken_date(new_day)
                    ));
                    let text = said(
                        self.rng,
                        &format!(
                            "yes, the {} appointment at {clock} is perfect, thanks",
                            nd.weekday()
                        ),
                    );
                    self.state(Key::Appointment, 1, true, &text);
                }
                self.agent(&format!(
                    "Done, I've moved your appointment to {} at {clock}.",
                    spoken_date(new_day)
                ));
                self.reason_value = "reschedule appointment";
                self.summary.push(format!(
                    "{} rescheduled {her} {} from {} to {} at {clock}.",
                    known.name(),
                    appt.kind,
                    spoken_date(day),
                    spoken_date(new_day)
                ));
            }
            Main::ConditionVisit => {
                let mention = life.condition.mentions[0];
                let text = said(self.rng, &format!("I'm calling because {mention}"));
                let turn = self.state(Key::Condition, 0, true, &text);
                self.reasons.push(turn);
                self.agent("I'm sorry to hear that. Would you like to come in so the doctor can take a look?");
                let text = said(self.rng, "yes please, the sooner the better");
                self.user(&text);
                self.agent("I have something tomorrow morning, I'll book that for you.");
                self.reason_value = life.condition.label;
                self.summary.push(format!(
                    "{} called about {} and was booked to see the doctor. {she} said: {}.",
                    known.name(),
                    life.condition.label,
                    mention
                ));
            }
        }
    }

    fn rng_pick_owned(&mut self, options: &[String]) -> String {
        self.rng.pick(options).clone()
    }

    /// One of `options`, said with an opener.
    fn say_one(&mut self, options: &[String]) -> String {
        let body = self.rng.pick(options).clone();
        said(self.rng, &body)
    }

    fn say_str(&mut self, options: &[&str]) -> String {
        let body = *self.rng.pick(options);
        said(self.rng, body)
    }

    fn has_switched_pharmacy(&self) -> bool {
        self.stated
            .iter()
            .any(|s| s.key == Key::Pharmacy && s.version == 1)
    }

    fn has_switched_doctor(&self) -> bool {
        self.stated
            .iter()
            .any(|s| s.key == Key::Doctor && s.version == 1)
    }

    fn register(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        if self.rng.chance(50) {
            let hello = *self.rng.pick(&bank::HELLOS[..1]);
            self.user(hello);
            self.agent("Hi there! How can I help?");
        }
        let options = [
            "I'm a new patient and I'd like to get registered",
            "I'd like to become a patient at your clinic, are you taking new patients?",
            "I'm looking for a new primary care doctor and a friend recommended you",
        ];
        let text = self.say_str(&options);
        self.reason(&text);
        self.agent("Welcome! Let's get you set up. Can I have your full name?");
        let name = known.name();
        let options = [
            format!("my name is {name}"),
            format!("sure, my name's {name}"),
            format!("yeah, it's {name}, that's my full name"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Name, 0, true, &text);
        self.agent(&format!(
            "Thank you, {}. And your date of birth?",
            known.first
        ));
        let birthday = &life.birthday;
        let options = [
            format!("my date of birth is {birthday}"),
            format!("I was born {birthday}"),
            format!("birthday's {birthday}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Single(Single::Birthday), 0, true, &text);
        self.agent("And what's your home address?");
        let address = &life.address[0];
        let options = [
            format!("my address is {address}"),
            format!("I live at {address}"),
            format!("it's {address}, that's my home address"),
            format!("we're at {address}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Address, 0, true, &text);
        self.maybe_filler();
        self.agent("Great. What's the best phone number to reach you?");
        let cell = &life.cell[0];
        let options = [
            format!("my cell is {cell}"),
            format!("the best number is my cell, {cell}"),
            format!("you can reach me on my cell phone at {cell}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Cell, 0, true, &text);
        self.agent("And do you have insurance?");
        let insurance = life.insurance[0];
        let options = [
            format!("yes, I have {insurance} through work, that's my insurance"),
            format!("my insurance is {insurance}"),
            format!("yeah, my insurance is {insurance}, the PPO plan"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Insurance, 0, true, &text);
        let (doctor, doctor_she) = life.doctor[0];
        let them = if doctor_she { "her" } else { "him" };
        self.agent("Do you have a preference for a primary care doctor?");
        let options = [
            format!("actually my coworker sees {doctor}, could I get {doctor} as my doctor?"),
            format!("I'd like {doctor} as my doctor if possible, my friend loves {them}"),
            format!("{doctor}, please, a neighbor recommended {them}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Doctor, 0, true, &text);
        self.agent("And which pharmacy should we send prescriptions to?");
        let pharmacy = life.pharmacy[0];
        let options = [
            format!("my pharmacy is {pharmacy}"),
            format!("for the pharmacy I use {pharmacy}"),
            format!("please send everything to {pharmacy}, that's my pharmacy"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Pharmacy, 0, true, &text);
        self.agent("Perfect, you're all set. I'll email you the new patient forms.");
        self.reason_value = "new patient registration";
        self.summary.push(format!(
            "{name} registered as a new patient. {} address is {address}, cell {cell}, insurance {insurance}, pharmacy {pharmacy}, and primary care doctor {doctor}.",
            cap(her)
        ));
    }

    fn extra(&mut self, extra: Extra, known: &mut Known) {
        let life = self.life;
        let (she, her) = self.pronoun();
        match extra {
            Extra::Address => {
                let new = &life.address[1];
                let options = [
                    format!("oh, before I forget, we moved, so my new address is {new}"),
                    format!("oh, and I need to update my address, I moved to {new}"),
                    format!("also, we moved last month, the new address is {new}"),
                    format!("also, we finally moved into the new house, it's {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Address, 1, true, &text);
                self.agent(&format!(
                    "Congratulations! I've updated your address to {new}."
                ));
                self.summary
                    .push(format!("{she} updated {her} address to {new}."));
            }
            Extra::Cell => {
                let new = &life.cell[1];
                let options = [
                    format!("oh, also, I got a new cell phone, the number is {new}"),
                    format!("can you update my cell number? It's {new} now"),
                    format!("I switched carriers and got a new phone number, it's {new}"),
                    format!("my cell number changed, the new one is {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Cell, 1, true, &text);
                self.agent(&format!("Got it, your new cell number is {new}."));
                self.summary
                    .push(format!("{she} gave a new cell number, {new}."));
            }
            Extra::Insurance => {
                let new = life.insurance[1];
                let partner = life.partner.0;
                let options = [
                    format!("oh, and my insurance changed, it's {new} now"),
                    format!("also, I switched insurance, I'm with {new} as of this month"),
                    format!("I should tell you we're on my {partner}'s plan now, so the insurance is {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Insurance, 1, true, &text);
                self.agent(&format!("Thanks, I've updated your insurance to {new}."));
                self.summary
                    .push(format!("{she} reported new insurance, {new}."));
            }
            Extra::NameFix => match life.persona.change {
                NameChange::Spelling { spelled, .. } => {
                    let first = life.persona.first;
                    let options = [
                        format!("oh, and one thing, you have my name spelled wrong on the portal. It's {first}, {spelled}"),
                        format!("by the way, my name is spelled {spelled}, not the usual way. {first}"),
                        format!("sorry, can you fix the spelling of my name? It's {first}, {spelled}"),
                    ];
                    let text = self.say_one(&options);
                    self.state(Key::Name, 1, true, &text);
                    self.agent(&format!(
                        "Oh, I'm so sorry about that! I've corrected it to {first}."
                    ));
                    known.first = first;
                    self.summary.push(format!(
                        "{she} corrected the spelling of {her} first name to {first}."
                    ));
                }
                NameChange::Married { new_last } => {
                    let first = life.persona.first;
                    let options = [
                        format!("oh, and I got married last month, so my last name is {new_last} now"),
                        format!("I need to update my name, it's {first} {new_last} now, I just got married"),
                        format!("my last name changed to {new_last}, can you update that in my file?"),
                    ];
                    let text = self.say_one(&options);
                    self.state(Key::Name, 1, true, &text);
                    self.agent(&format!(
                        "Congratulations! I've updated your name to {first} {new_last}."
                    ));
                    known.last = new_last;
                    self.summary.push(format!(
                        "{she} changed {her} last name to {new_last} after getting married."
                    ));
                }
                NameChange::None => {}
            },
            Extra::OldPet => {
                let Some(pet) = &life.pet else { return };
                let Some((breed, name)) = pet.old else { return };
                let options = [
                    format!("sorry, that's my dog {name} barking, he's a {breed}"),
                    format!("I have to get home soon to let my dog {name} out"),
                    format!("hang on, my {breed} {name} is losing it at the mailman"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Pet, 0, true, &text);
                self.agent("Ha, no problem at all!");
                self.summary
                    .push(format!("{she} mentioned {her} dog, {name}."));
            }
            Extra::NewPet => {
                let Some(pet) = &life.pet else { return };
                let (kind, name) = pet.new;
                let options: Vec<String> = match (pet.dog, pet.old) {
                    (true, Some((_, old))) => vec![
                        format!("we lost {old} back in the winter, which was hard, but we just adopted a {kind} puppy named {name}"),
                        format!("so we got a new dog! A {kind} named {name}, since {old} passed away"),
                    ],
                    (true, None) => vec![
                        format!("sorry if it's noisy, we just got a puppy, a little {kind} named {name}"),
                        format!("we adopted a rescue dog last weekend, her name is {name}"),
                        format!("we just brought home a {kind} puppy, {name}, so I'm running on no sleep"),
                    ],
                    (false, _) => vec![
                        format!("we just adopted a {kind} kitten named {name}, so the house is chaos"),
                        format!("sorry, that's our new cat {name}, we just got her from the shelter"),
                    ],
                };
                let text = self.say_one(&options);
                self.state(Key::Pet, 1, true, &text);
                self.agent("Oh, how fun! Congratulations on the new family member.");
                let animal = if pet.dog { "dog" } else { "cat" };
                self.summary
                    .push(format!("{she} mentioned a new {animal} named {name}."));
            }
            Extra::PetNews => {
                let Some(pet) = &life.pet else { return };
                let (_, name) = pet.new;
                let options = if pet.dog {
                    [
                        format!("the puppy's doing great, {name} already chewed two pairs of my shoes"),
                        format!("I'm walking {name} right now, sorry about the wind, the dog pulls like crazy"),
                        format!("{name} had her first vet visit, the puppy is totally healthy"),
                    ]
                } else {
                    [
                        format!("the kitten is doing great, {name} sleeps on my head every night"),
                        format!("sorry, {name} the cat just knocked my coffee over"),
                        format!("{name} had her first vet visit, the kitten is totally healthy"),
                    ]
                };
                let text = self.say_one(&options);
                self.state(Key::Pet, 2, true, &text);
                self.agent(&format!("Aw, give {name} a pat from me!"));
            }
            Extra::Single(single) => self.single(single),
            Extra::Condition(i) => {
                let mention = life.condition.mentions[i.min(2)];
                let lead = *self
                    .rng
                    .pick(&["oh, also, ", "and ", "oh, and the other thing, "]);
                let text = said(self.rng, &format!("{lead}{mention}"));
                self.state(Key::Condition, i as u8, true, &text);
                self.agent("Thanks for telling me, I'll add a note for your doctor.");
                self.summary
                    .push(format!("{she} also mentioned {}.", life.condition.label));
            }
        }
    }

    fn single(&mut self, single: Single) {
        let life = self.life;
        let (she, her) = self.pronoun();
        let (text, agent, summary) = match single {
            Single::Allergy => {
                let (allergen, reaction) = life.allergy;
                let options = [
                    format!("oh, and I'm allergic to {allergen}, it gives me {reaction}"),
                    format!("just so it's in my file, I have a {allergen} allergy"),
                    format!("I should mention I'm allergic to {allergen}, I get {reaction}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Thank you, I've added that allergy to your chart.".to_owned(),
                    format!("{she} reported an allergy to {allergen}."),
                )
            }
            Single::Job => {
                let (job, constraint) = life.job;
                let options = [
                    format!("I'm {job}, so {constraint}, that's why I'm calling now"),
                    format!("work is crazy, I'm {job} and {constraint}"),
                    format!("with my job it's hard, I'm {job}, {constraint}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "That sounds busy! We'll work around your schedule.".to_owned(),
                    format!("{she} works as {job}."),
                )
            }
            Single::Kid => {
                let ((kid, girl), activity, age) = life.kid;
                let (child, they) = if girl {
                    ("daughter", "she")
                } else {
                    ("son", "he")
                };
                let options = [
                    format!("I have to pick up my {child} {kid} from {activity} soon, so I need to be quick"),
                    format!("my {child} {kid} is {age}, {they}'s got a cold too actually"),
                    format!("sorry, my {child} {kid} is yelling in the background, {they}'s {age}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "No worries at all!".to_owned(),
                    format!("{she} mentioned {her} {child} {kid}."),
                )
            }
            Single::Partner => {
                let (role, name) = life.partner;
                let options = [
                    format!("my {role} {name} might call about the bill, {name}'s on my account"),
                    format!(
                        "if I don't answer, my {role} {name} can help, {name} knows everything"
                    ),
                    format!("my {role} {name} is driving me to the appointment"),
                ];
                (
                    self.rng_pick_owned(&options),
                    format!("Good to know, I'll note that {name} may call."),
                    format!("{she} mentioned {her} {role} {name}."),
                )
            }
            Single::Trip => {
                let (place, when) = life.trip;
                let options = [
                    format!("we're going to {place} {when}, so I want to get this done before we leave on vacation"),
                    format!("I'll be away on a trip to {place} {when}"),
                    format!("we have a vacation coming up, {place} {when}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Oh, that sounds wonderful!".to_owned(),
                    format!("{she} has a trip to {place} planned {when}."),
                )
            }
            Single::PreferredTime => {
                let pref = life.preferred;
                let options = [
                    format!("for appointments, {pref} is best for me"),
                    format!("I prefer {pref} for appointments"),
                    format!("{pref} works best for me, if you can"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Noted, I'll keep that in mind when booking.".to_owned(),
                    format!("{she} prefers appointments {pref}."),
                )
            }
            Single::Emergency => {
                let ((relative, name, female), phone) = &life.relative;
                let their = if *female { "her" } else { "his" };
                let options = [
                    format!("you asked about an emergency contact, it's my {relative} {name}, {their} number is {phone}"),
                    format!("please put my {relative} {name} down as my emergency contact, {phone}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    format!("Got it, {name} is now your emergency contact."),
                    format!("{she} added {her} {relative} {name} as emergency contact."),
                )
            }
            Single::Birthday => return,
        };
        let text = said(self.rng, &text);
        self.state(Key::Single(single), 0, true, &text);
        self.agent(&agent);
        self.summary.push(summary);
    }

    /// The call as ElevenLabs sends it after it ends.
    fn webhook(
        &mut self,
        conversation: &str,
        start: i64,
        index: usize,
        known: &mut Known,
    ) -> String {
        let life = self.life;
        let duration = i64::from(self.secs) + self.rng.range(3, 12);
        let call_sid = format!("CA{}", self.rng.token(32));
        let summary = self.summary.join(" ");
        let name = known.name();
        let returning = index > 0;
        let first_message = if returning {
            format!(
                "Hi {}, welcome back to {CLINIC}! How can I help you today?",
                known.first
            )
        } else {
            format!(
                "Thank you for calling {CLINIC}, this is {AGENT_NAME}. How can I help you today?"
            )
        };
        let body = json!({
            "type": "post_call_transcription",
            "event_timestamp": start + duration + self.rng.range(2, 9),
            "data": {
                "agent_id": AGENT_ID,
                "conversation_id": conversation,
                "status": "done",
                "user_id": null,
                "transcript": self.turns,
                "metadata": {
                    "start_time_unix_secs": start,
                    "accepted_time_unix_secs": start,
                    "call_duration_secs": duration,
                    "cost": duration * 11,
                    "termination_reason": "Call ended by remote party",
                    "main_language": "en",
                    "feedback": { "overall_score": null, "likes": 0, "dislikes": 0 },
                    "phone_call": {
                        "direction": "inbound",
                        "type": "twilio",
                        "phone_number_id": "pn_01jx7t3lakeside0000000000",
                        "agent_number": AGENT_NUMBER,
                        "external_number": life.number,
                        "call_sid": call_sid,
                    },
                },
                "analysis": {
                    "evaluation_criteria_results": {},
                    "data_collection_results": {
                        "name": {
                            "data_collection_id": "name",
                            "value": name,
                            "json_schema": { "type": "string", "description": "The caller's full name." },
                            "rationale": "The caller's name as given or confirmed during the call.",
                        },
                        "call_reason": {
                            "data_collection_id": "call_reason",
                            "value": self.reason_value,
                            "json_schema": { "type": "string", "description": "Why the caller called, in a few words." },
                            "rationale": "Stated by the caller at the start of the call.",
                        },
                    },
                    "call_successful": "success",
                    "transcript_summary": summary,
                },
                "conversation_initiation_client_data": {
                    "conversation_config_override": {
                        "agent": { "first_message": first_message },
                    },
                    "dynamic_variables": {
                        "system__caller_id": life.number,
                        "system__called_number": AGENT_NUMBER,
                        "system__agent_id": AGENT_ID,
                        "system__conversation_id": conversation,
                        "system__call_sid": call_sid,
                        "system__time_utc": OffsetDateTime::from_unix_timestamp(start)
                            .map(|t| format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second()))
                            .unwrap_or_default(),
                        "user_name": if returning { known.first } else { "" },
                        "last_call_summary": known.last_summary,
                    },
                },
                "has_audio": true,
                "has_user_audio": true,
                "has_response_audio": true,
            },
        });
        known.last_summary = summary;
        canonical(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_spoken() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(23), "23rd");
        assert_eq!(spoken_date(NOW), "Wednesday, June 18th");
    }

    #[test]
    fn schedules_are_sorted_in_the_past_and_end_at_the_gap() {
        let mut rng = Rng::new(3);
        for (n, gap, appointment) in [(10, 1, false), (14, 13, true), (90, 4, true)] {
            let dates = schedule(n, gap, &mut rng, appointment);
            assert_eq!(dates.len(), n);
            assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
            let last = dates[n - 1];
            assert_eq!((NOW - NOW % DAY - (last - last % DAY)) / DAY, gap);
            assert!(NOW - dates[0] <= 361 * DAY);
        }
    }
}
