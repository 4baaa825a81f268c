//! What the simulated callers are made of: names, streets, pets, doctors,
//! pharmacies, conditions, and the small talk around them. Invented; any
//! likeness to a real person or number is a coincidence (every phone
//! number is in the 555-01xx range reserved for fiction).

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

pub const STREETS: [&str; 16] = [
    "Maple Avenue",
    "Birch Lane",
    "Lakeview Drive",
    "Oak Street",
    "Cedar Court",
    "Willow Way",
    "Harbor Road",
    "Elm Street",
    "Pine Ridge Road",
    "Chestnut Street",
    "Prospect Avenue",
    "Riverside Drive",
    "Hillcrest Road",
    "Juniper Lane",
    "Sheridan Road",
    "Ashland Avenue",
];

pub const UNITS: [&str; 6] = [
    "",
    "",
    ", apartment 2B",
    ", unit 4",
    ", apartment 11C",
    ", number 3",
];

pub const TOWNS: [&str; 8] = [
    "Evanston",
    "Oak Park",
    "Skokie",
    "Berwyn",
    "Des Plaines",
    "Park Ridge",
    "Naperville",
    "Wilmette",
];

pub const INSURERS: [&str; 8] = [
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicare",
    "Oscar",
    "Ambetter",
];

pub const PHARMACIES: [&str; 7] = [
    "the CVS on Main Street",
    "the Walgreens on Oak Avenue",
    "the Jewel-Osco pharmacy on Central",
    "the Costco pharmacy in Niles",
    "Hometown Drugs on Fifth Street",
    "the Target pharmacy by the mall",
    "the Mariano's pharmacy on Halsted",
];

/// Doctors and whether they are women (for "she"/"he" in the agent's lines).
pub const DOCTORS: [(&str, bool); 8] = [
    ("Dr. Patel", true),
    ("Dr. Nguyen", false),
    ("Dr. Okonkwo", true),
    ("Dr. Feldman", false),
    ("Dr. Alvarez", true),
    ("Dr. Brennan", false),
    ("Dr. Morales", true),
    ("Dr. Lindgren", false),
];

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

/// A condition mentioned over several calls: its three mentions, the
/// words a direct question uses, and a paraphrase of them.
pub struct Condition {
    pub topic: &'static str,
    pub mentions: [&'static str; 3],
    pub direct: &'static str,
    pub paraphrase: Option<&'static str>,
    /// What the agent or the summary calls it.
    pub label: &'static str,
}

pub const CONDITIONS: [Condition; 6] = [
    Condition {
        topic: "back",
        mentions: [
            "my lower back has been really sore, I think I pulled something lifting boxes",
            "my back is a lot better since I started the physical therapy",
            "my back pain flared up again, it's the same spot as last time",
        ],
        direct: "back pain",
        paraphrase: Some("backache"),
        label: "lower back pain",
    },
    Condition {
        topic: "migraines",
        mentions: [
            "I've been getting these migraines, like two or three a week",
            "the migraines are less frequent since the new medication, maybe one a week",
            "I had another bad migraine on Sunday, the kind with the flashing lights",
        ],
        direct: "migraines",
        paraphrase: Some("headaches"),
        label: "migraines",
    },
    Condition {
        topic: "knee",
        mentions: [
            "I twisted my knee playing pickleball and it's pretty swollen",
            "my knee is still a little stiff going down the stairs",
            "the knee brace helps a lot, I'm almost back to normal",
        ],
        direct: "knee",
        paraphrase: None,
        label: "a knee injury",
    },
    Condition {
        topic: "asthma",
        mentions: [
            "my asthma's been acting up with all the pollen",
            "I'm using the rescue inhaler for my asthma maybe twice a week now",
            "the asthma is way better since the new inhaler",
        ],
        direct: "asthma",
        paraphrase: None,
        label: "asthma",
    },
    Condition {
        topic: "heartburn",
        mentions: [
            "I've had really bad heartburn, especially at night",
            "the heartburn is better since I stopped eating so late",
            "the heartburn came back after the holidays, all that food",
        ],
        direct: "heartburn",
        paraphrase: Some("acid reflux"),
        label: "heartburn",
    },
    Condition {
        topic: "sleep",
        mentions: [
            "I haven't been sleeping well, maybe four hours a night",
            "my sleep is a bit better with the melatonin",
            "I'm back to waking up at three in the morning every night, I just can't sleep",
        ],
        direct: "sleep problems",
        paraphrase: Some("insomnia"),
        label: "trouble sleeping",
    },
];

/// A medication and what it is for.
pub const MEDS: [(&str, &str); 8] = [
    ("lisinopril", "blood pressure"),
    ("metformin", "blood sugar"),
    ("sertraline", "anxiety"),
    ("levothyroxine", "thyroid"),
    ("atorvastatin", "cholesterol"),
    ("omeprazole", "stomach"),
    ("amlodipine", "blood pressure"),
    ("albuterol inhaler", "breathing"),
];

/// Why people call when no fact of theirs changes: the reason, what the
/// agent answers, what the caller says back, the call's reason as data
/// collection records it, and the summary's phrase.
pub struct Errand {
    pub reasons: [&'static str; 3],
    pub agent: &'static str,
    pub follow_up: &'static str,
    pub reason_value: &'static str,
    pub summary: &'static str,
}

pub const ERRANDS: [Errand; 10] = [
    Errand {
        reasons: [
            "I had blood work done last week and I'm calling to see if the results are in",
            "I'm calling about my lab results, I got a message that they're ready",
            "I wanted to check on my blood test results",
        ],
        agent: "They are in. The doctor reviewed them and everything looks normal, with your vitamin D just slightly low.",
        follow_up: "oh good, that's a relief. Should I take a supplement for the vitamin D?",
        reason_value: "lab results",
        summary: "asked about recent blood test results, which were normal apart from slightly low vitamin D",
    },
    Errand {
        reasons: [
            "I got a bill for 140 dollars and I think my insurance should have covered it",
            "I'm calling about a bill I got in the mail, it looks like I was charged twice",
            "I have a question about a charge on my statement from the last visit",
        ],
        agent: "I see it. It looks like the claim was denied for a coding issue, I'll send it back to billing to resubmit.",
        follow_up: "okay great, so should I just ignore the bill for now?",
        reason_value: "billing question",
        summary: "questioned a bill; the claim will be resubmitted to insurance",
    },
    Errand {
        reasons: [
            "do you guys have flu shots yet? I want to come in for mine",
            "I'm calling to see if I can get a flu shot this week",
            "I wanted to get the flu vaccine, do I need an appointment for that?",
        ],
        agent: "We do, walk-ins for flu shots are Monday through Friday from 8 to 4.",
        follow_up: "perfect, I'll swing by on my lunch break then",
        reason_value: "flu shot",
        summary: "asked about flu shots; walk-ins are available on weekdays",
    },
    Errand {
        reasons: [
            "I need a referral to a dermatologist, I've got this rash that won't go away",
            "I'm calling to get a referral for a dermatologist",
            "can I get a referral to see a skin doctor? I have a mole I want checked",
        ],
        agent: "I can send that request to your doctor. It usually takes two or three business days.",
        follow_up: "okay, and will they call me or do I call the dermatologist myself?",
        reason_value: "referral",
        summary: "requested a dermatology referral",
    },
    Errand {
        reasons: [
            "I need a form filled out for my new job, it's a health clearance thing",
            "I have a school physical form that needs a signature",
            "my gym wants a doctor's note saying I'm cleared to exercise",
        ],
        agent: "You can drop the form off at the front desk or upload it in the portal, and we'll have it back within a week.",
        follow_up: "I'll upload it tonight then",
        reason_value: "form request",
        summary: "needed a form completed by the doctor; told to upload it in the portal",
    },
    Errand {
        reasons: [
            "what are your hours on Saturday? I can't make it during the week",
            "are you open on the holiday weekend?",
            "I wanted to check what time you close today",
        ],
        agent: "On Saturdays we're open from 9 to 1, and we're closed on Sundays and holidays.",
        follow_up: "okay, good to know",
        reason_value: "opening hours",
        summary: "asked about opening hours",
    },
    Errand {
        reasons: [
            "I can't log into the patient portal, it keeps saying my password is wrong",
            "the portal locked me out and I need to see a message from the doctor",
            "I'm having trouble with the online portal, the reset email never comes",
        ],
        agent: "I've sent a new reset link to the email on file, it should arrive in a few minutes.",
        follow_up: "got it, it just came through, thank you",
        reason_value: "portal access",
        summary: "could not log into the patient portal; a reset link was sent",
    },
    Errand {
        reasons: [
            "I've had a sore throat and a fever since Sunday, can I get seen today?",
            "I think I have a sinus infection, my face hurts and I'm all stuffed up",
            "I've had this cough for two weeks that won't go away",
        ],
        agent: "I have a same-day slot at 3:40 this afternoon with the nurse practitioner, would that work?",
        follow_up: "yes, I'll take it, thank you",
        reason_value: "sick visit",
        summary: "was feeling sick and booked a same-day sick visit",
    },
    Errand {
        reasons: [
            "I need a copy of my vaccination records for a new job",
            "can you send my immunization records to my email",
            "I need my records sent over to a specialist",
        ],
        agent: "I can release those once you sign the records request form, I'll email it to you now.",
        follow_up: "okay, I'll sign it as soon as it comes in",
        reason_value: "records request",
        summary: "requested a copy of medical records",
    },
    Errand {
        reasons: [
            "I wanted to ask about the new COVID booster, is it available yet?",
            "do I need another COVID shot this year?",
            "I'm calling to see if you have the updated COVID vaccine",
        ],
        agent: "We have the updated booster, and you're eligible. I can put you on the list for Thursday's clinic.",
        follow_up: "sure, Thursday works, put me down",
        reason_value: "covid booster",
        summary: "asked about the COVID booster and joined Thursday's vaccine clinic",
    },
];

pub const APPOINTMENT_KINDS: [&str; 4] = [
    "annual physical",
    "checkup",
    "follow-up visit",
    "blood pressure check",
];

pub const CLOCK_TIMES: [&str; 10] = [
    "8:30", "9 a.m.", "9:45", "10:15", "11 a.m.", "1:30", "2 p.m.", "2:45", "3:30", "4 p.m.",
];

pub const OPENERS: [&str; 10] = [
    "",
    "",
    "",
    "Um, ",
    "Uh, ",
    "So, um, ",
    "Yeah, so ",
    "Okay, so ",
    "Oh, ",
    "Well, ",
];

pub const FILLERS: [&str; 7] = [
    "Okay.",
    "Mm-hmm.",
    "Yeah.",
    "Okay, great.",
    "Uh-huh.",
    "Oh, okay.",
    "Right, okay.",
];

pub const HELLOS: [&str; 6] = [
    "Hi, yeah, hi.",
    "Hi Jamie, how are you?",
    "Hey, good morning.",
    "Oh hi, wow, you remembered me.",
    "Hello? Oh, hi, sorry, I'm on speaker.",
    "Hi there.",
];

pub const CLOSINGS: [&str; 6] = [
    "No, that's it, thank you so much!",
    "Nope, that's everything. Thanks, Jamie!",
    "Um, no, I think that's all. Have a good one.",
    "That's all for today, thanks for your help.",
    "No, you've been super helpful, thank you. Bye!",
    "I think that covers it. Thanks again.",
];

/// Small talk by season (December–February, March–May, June–August,
/// September–November).
pub const WEATHER: [[&str; 3]; 4] = [
    [
        "it's freezing out there today",
        "we got like six inches of snow last night",
        "my car barely started this morning, it's so cold",
    ],
    [
        "it's been raining all week",
        "finally some sun today",
        "the pollen is out of control this year",
    ],
    [
        "it's so hot today",
        "we're finally getting some summer weather",
        "the humidity is killing me",
    ],
    [
        "it's getting chilly already",
        "the leaves are all turning on our street",
        "it gets dark so early now",
    ],
];
