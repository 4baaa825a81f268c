//! What callers mention of their lives: pets, jobs, allergies, children
//! and their activities, partners, trips, preferred times, relatives.

pub const DOG_BREEDS: [&str; 10] = [
    "beagle",
    "golden retriever",
    "black lab",
    "corgi",
    "mini poodle",
    "rescue mutt",
    "dachshund",
    "border collie",
    "pit bull mix",
    "Bernese mountain dog",
];

pub const CAT_KINDS: [&str; 4] = ["tabby", "gray", "Maine Coon", "black"];

pub const PET_NAMES: [&str; 18] = [
    "Waffles", "Luna", "Biscuit", "Max", "Pepper", "Mochi", "Rosie", "Bear", "Ziggy", "Nala",
    "Pickles", "Scout", "Olive", "Toby", "Juniper", "Pretzel", "Clover", "Duke",
];

/// A job and what it does to the caller's schedule.
pub const JOBS: [(&str, &str); 10] = [
    ("a nurse at St. Mary's", "I work night shifts"),
    (
        "a high school math teacher",
        "I can't take calls during class",
    ),
    ("an electrician", "I'm on job sites all day"),
    ("a software developer", "I work from home most days"),
    (
        "a bus driver for the CTA",
        "my shifts start at five in the morning",
    ),
    ("a pastry chef", "I'm at the bakery super early"),
    ("an accountant", "tax season is brutal for me"),
    ("a paralegal downtown", "I'm in the office nine to six"),
    ("a firefighter", "I work 24-hour shifts"),
    (
        "a grad student at Northwestern",
        "my schedule is all over the place",
    ),
];

/// An allergen and the reaction.
pub const ALLERGIES: [(&str, &str); 7] = [
    ("penicillin", "hives"),
    ("sulfa drugs", "a bad rash"),
    ("latex", "a rash"),
    ("shellfish", "swelling"),
    ("codeine", "really bad nausea"),
    ("amoxicillin", "hives"),
    ("bee stings", "swelling, so I carry an EpiPen"),
];

pub const KID_NAMES: [(&str, bool); 10] = [
    ("Mia", true),
    ("Leo", false),
    ("Noah", false),
    ("Zoe", true),
    ("Eli", false),
    ("Maya", true),
    ("Owen", false),
    ("Lucy", true),
    ("Caleb", false),
    ("Ruby", true),
];

pub const KID_ACTIVITIES: [&str; 6] = [
    "soccer practice",
    "swim lessons",
    "band rehearsal",
    "daycare",
    "piano",
    "basketball",
];

/// A partner's role and name.
pub const PARTNERS: [(&str, &str); 6] = [
    ("husband", "Dave"),
    ("wife", "Teresa"),
    ("partner", "Sam"),
    ("husband", "Marco"),
    ("wife", "Julie"),
    ("partner", "Alex"),
];

/// Where and when.
pub const TRIPS: [(&str, &str); 6] = [
    ("Portugal", "in July"),
    ("Michigan", "for the Fourth of July weekend"),
    ("my sister's wedding in Denver", "in August"),
    ("Mexico", "at the end of the month"),
    ("Disney World with the kids", "in July"),
    ("a cruise to Alaska", "in September"),
];

pub const PREFERRED_TIMES: [&str; 5] = [
    "mornings before ten",
    "late afternoons, after four",
    "Fridays",
    "anything after 5:30",
    "early mornings, like 7:30",
];

pub const RELATIVES: [(&str, &str, bool); 5] = [
    ("sister", "Rosa", true),
    ("brother", "Tony", false),
    ("mom", "Linda", true),
    ("son", "Michael", false),
    ("neighbor", "Carol", true),
];
