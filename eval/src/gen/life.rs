//! Everything true about one caller over the year, drawn from their seeded
//! stream: their two addresses, cell numbers, insurers, pharmacies and
//! doctors, a pet, a condition, medications, and the facts told once.

use super::bank::{self, Condition, NameChange, Persona};
use super::facts::{Change, Single, CHANGES, SINGLES};
use super::rng::Rng;
use super::words::{ordinal, spoken_number, MONTHS};

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

pub(crate) fn live(persona: &Persona, index: usize, rng: &mut Rng) -> Life {
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
    let birthday = format!(
        "{} {}, {}",
        rng.pick(&MONTHS),
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
