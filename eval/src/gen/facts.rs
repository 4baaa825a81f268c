//! What can be true of a caller and what a transcript turn states: the
//! facts that change over the year, the facts told once, and the record of
//! each statement (which fact, which value, which call and turn).

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

pub(crate) const CHANGES: [Change; 7] = [
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

pub(crate) const SINGLES: [Single; 8] = [
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
