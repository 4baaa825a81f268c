//! What the simulated callers are made of: names, streets, pets, doctors,
//! pharmacies, conditions, and the small talk around them. Invented; any
//! likeness to a real person or number is a coincidence (every phone
//! number is in the 555-01xx range reserved for fiction).
//!
//! By kind: `people` (the roster and how names change), `places` (streets,
//! towns, insurers, pharmacies, doctors), `lives` (pets, jobs, allergies,
//! family, trips, preferred times), `health` (conditions, medications,
//! appointments), `errands` (why people call when nothing changes), `talk`
//! (openers, fillers, greetings, goodbyes, weather).

mod errands;
mod health;
mod lives;
mod people;
mod places;
mod talk;

pub use self::errands::{Errand, ERRANDS};
pub use self::health::{Condition, APPOINTMENT_KINDS, CLOCK_TIMES, CONDITIONS, MEDS};
pub use self::lives::{
    ALLERGIES, CAT_KINDS, DOG_BREEDS, JOBS, KID_ACTIVITIES, KID_NAMES, PARTNERS, PET_NAMES,
    PREFERRED_TIMES, RELATIVES, TRIPS,
};
pub use self::people::{NameChange, Persona, HEAVY, ROSTER};
pub use self::places::{DOCTORS, INSURERS, PHARMACIES, STREETS, TOWNS, UNITS};
pub use self::talk::{CLOSINGS, FILLERS, HELLOS, OPENERS, WEATHER};
