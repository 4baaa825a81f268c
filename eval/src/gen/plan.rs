//! Which call of a caller's year does what: the days of the calls, each
//! call's main reason (registration first, errands between, the changes of
//! the year spread over it), and the extra facts dropped in along the way.

use super::bank::{self, NameChange, Persona};
use super::facts::{Change, Single};
use super::life::{Appointment, Life};
use super::rng::Rng;
use super::world::{DAY, LAST_GAPS, NOW};

/// What a call is mainly about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Main {
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
pub(crate) enum Extra {
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

pub(crate) struct Plan {
    pub start: i64,
    pub main: Main,
    /// Whether `main` was chosen (an errand placeholder is not).
    pub fixed: bool,
    pub extras: Vec<Extra>,
}

/// Days of the calls: the first 300–360 days ago, the newest `last_gap`
/// days ago, the rest on distinct days between; each at a business hour.
pub(crate) fn schedule(n: usize, last_gap: i64, rng: &mut Rng, appointment: bool) -> Vec<i64> {
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

/// The plan of every call of `life`'s year (`calls` of them, or a number
/// drawn from `rng`); books `life`'s appointment when it has one.
pub(crate) fn plan(
    persona: &Persona,
    index: usize,
    calls: Option<usize>,
    life: &mut Life,
    rng: &mut Rng,
) -> Vec<Plan> {
    let n = calls.unwrap_or_else(|| rng.range(10, 14) as usize);
    let appointment = life.has(Change::Appointment);
    let dates = schedule(n, LAST_GAPS[index % LAST_GAPS.len()], rng, appointment);
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
    let visit = take_main(&mut plans, 1, third, Main::ConditionVisit, rng).unwrap_or(1);
    let mention1 = place_extra(
        &mut plans,
        visit + 1,
        hi.max(visit + 2),
        Extra::Condition(1),
        rng,
    );
    if let Some(m1) = mention1 {
        place_extra(&mut plans, m1 + 1, n, Extra::Condition(2), rng);
    }
    let refill = take_main(&mut plans, 1, half, Main::Refill(false), rng).unwrap_or(1);
    if rng.chance(60) || calls.is_some() {
        take_main(&mut plans, refill + 1, hi, Main::Refill(true), rng);
    }
    if life.has(Change::Pharmacy) {
        take_main(&mut plans, half, hi, Main::PharmacySwitch, rng);
    }
    if life.has(Change::Doctor) {
        take_main(&mut plans, third, hi, Main::SwitchDoctor, rng);
    }
    if life.has(Change::Insurance) {
        if rng.chance(50) {
            take_main(&mut plans, third, hi, Main::UpdateInsurance, rng);
        } else {
            place_extra(&mut plans, third, hi, Extra::Insurance, rng);
        }
    }
    if life.has(Change::Address) {
        if rng.chance(50) {
            take_main(&mut plans, third, hi, Main::UpdateAddress, rng);
        } else {
            place_extra(&mut plans, third, hi, Extra::Address, rng);
        }
    }
    if life.has(Change::Cell) {
        place_extra(&mut plans, third, hi, Extra::Cell, rng);
    }
    if persona.change != NameChange::None {
        place_extra(&mut plans, 2, hi, Extra::NameFix, rng);
    }
    if let Some(pet) = &life.pet {
        let new_at = if pet.old.is_some() {
            let old_at = place_extra(&mut plans, 1, third + 1, Extra::OldPet, rng);
            place_extra(
                &mut plans,
                old_at.map_or(half, |o| (o + 1).max(half)),
                hi,
                Extra::NewPet,
                rng,
            )
        } else {
            place_extra(&mut plans, 2, hi, Extra::NewPet, rng)
        };
        if let Some(at) = new_at {
            place_extra(&mut plans, at + 1, n, Extra::PetNews, rng);
        }
    }
    for single in life.singles.clone() {
        if single != Single::Birthday {
            place_extra(&mut plans, 1, n, Extra::Single(single), rng);
        }
    }
    plans
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
#[cfg(test)]
mod tests {
    use super::schedule;
    use crate::gen::rng::Rng;
    use crate::gen::world::{DAY, NOW};

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
