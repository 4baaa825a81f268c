//! The simulated callers: who they are, their area code, and how their
//! name changes over the year (a spelling speech recognition gets wrong, a
//! married name).

/// How a caller's name changes over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameChange {
    None,
    /// Speech recognition writes the common spelling (`heard`) until the
    /// caller spells it out.
    Spelling {
        heard: &'static str,
        spelled: &'static str,
    },
    /// A new last name after a wedding.
    Married {
        new_last: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Persona {
    pub first: &'static str,
    pub last: &'static str,
    pub she: bool,
    pub change: NameChange,
    pub area: &'static str,
}

const fn p(first: &'static str, last: &'static str, she: bool, area: &'static str) -> Persona {
    Persona {
        first,
        last,
        she,
        change: NameChange::None,
        area,
    }
}

const fn spelled(
    first: &'static str,
    heard: &'static str,
    spelled: &'static str,
    last: &'static str,
    she: bool,
    area: &'static str,
) -> Persona {
    Persona {
        first,
        last,
        she,
        change: NameChange::Spelling { heard, spelled },
        area,
    }
}

const fn married(
    first: &'static str,
    last: &'static str,
    new_last: &'static str,
    area: &'static str,
) -> Persona {
    Persona {
        first,
        last,
        she: true,
        change: NameChange::Married { new_last },
        area,
    }
}

/// The callers of the evaluation set, in order (a reduced set takes the
/// first few).
pub const ROSTER: [Persona; 24] = [
    spelled(
        "Kathryn",
        "Catherine",
        "K-A-T-H-R-Y-N",
        "Miller",
        true,
        "312",
    ),
    p("Marcus", "Chen", false, "773"),
    married("Priya", "Raman", "Holt", "847"),
    spelled("Tomasz", "Thomas", "T-O-M-A-S-Z", "Nowak", false, "708"),
    p("Grace", "O'Neill", true, "630"),
    p("Luis", "Ortega", false, "312"),
    married("Hannah", "Weiss", "Goldberg", "224"),
    p("Omar", "Haddad", false, "773"),
    spelled("Beatriz", "Beatrice", "B-E-A-T-R-I-Z", "Souza", true, "847"),
    p("Kevin", "Dunleavy", false, "708"),
    p("Mei", "Wong", true, "312"),
    p("Samuel", "Okafor", false, "630"),
    spelled("Rachael", "Rachel", "R-A-C-H-A-E-L", "Green", true, "224"),
    p("Ethan", "Brooks", false, "773"),
    p("Fatima", "Siddiqui", true, "847"),
    p("Greg", "Patterson", false, "312"),
    married("Nadia", "Petrova", "Reyes", "708"),
    p("Walter", "Jenkins", false, "630"),
    p("Chloe", "Martin", true, "224"),
    p("Diego", "Ramírez", false, "773"),
    p("Aaliyah", "Brooks", true, "312"),
    spelled("Jon", "John", "J-O-N, no H", "Fischer", false, "847"),
    p("Sofia", "Lindqvist", true, "708"),
    p("Andre", "Thompson", false, "630"),
];

/// The caller with a long history, for latency at 1,000 memories.
pub const HEAVY: Persona = p("Linda", "Castillo", true, "312");
