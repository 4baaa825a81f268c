//! Deterministic words for benchmarks: a small seeded generator and the
//! phrase tables callers' turns are made of, so every run measures the same
//! work. One copy for the workspace (the bench crate and the shared crate's
//! criterion benches).

/// xorshift64: a fixed stream of choices, the same run after run.
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub const OPENERS: [&str; 8] = [
    "I wanted to ask about",
    "Can you check",
    "Last time we talked about",
    "I'm calling because of",
    "Could you help me with",
    "My wife mentioned",
    "I still haven't heard back about",
    "We need to reschedule",
];
pub const SUBJECTS: [&str; 16] = [
    "the cleaning appointment",
    "my daughter's braces",
    "the invoice from March",
    "our dog Biscuit",
    "the crown on my left molar",
    "my insurance card",
    "the new patient forms",
    "the parking near the clinic",
    "my husband's root canal",
    "the whitening kit",
    "a refund for the x-ray",
    "the Tuesday morning slot",
    "my allergy to penicillin",
    "the referral letter",
    "the payment plan",
    "the night guard",
];
pub const ENDINGS: [&str; 8] = [
    "before the weekend.",
    "because it still hurts a bit.",
    "since I moved to Paris last month.",
    "if that is possible.",
    "and whether it is covered.",
    "as soon as you can.",
    "for the whole family.",
    "because the last one was cancelled.",
];
