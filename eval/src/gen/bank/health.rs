//! What callers call the clinic about: conditions mentioned over several
//! calls, medications, and appointments with their kinds and times.

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

pub const APPOINTMENT_KINDS: [&str; 4] = [
    "annual physical",
    "checkup",
    "follow-up visit",
    "blood pressure check",
];

pub const CLOCK_TIMES: [&str; 10] = [
    "8:30", "9 a.m.", "9:45", "10:15", "11 a.m.", "1:30", "2 p.m.", "2:45", "3:30", "4 p.m.",
];
