//! The talk around the facts: openers ("um", "so"), fillers ("mm-hmm"),
//! greetings, goodbyes, and small talk about the weather by season.

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
