//! The errands people call about when no fact of theirs changes: lab
//! results, bills, flu shots, referrals, forms, hours, the portal, sick
//! visits, records, boosters.

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
