//! Questions about one caller's year, each with the transcript turns that
//! answer it: facts told once, facts that changed (the newest statement
//! marked), times ("last month", "in March", "last time"), facts spread
//! over several calls, and paraphrases worded away from the answer.
//!
//! Questions are worded the two ways the search tool receives them: as the
//! caller asked ("what's my dog's name?") and as the agent's LLM condenses
//! them ("my preferred pharmacy").
//!
//! By what they ask about: `changed` (facts that changed, newest marked),
//! `told` (facts told once, a new pet, a registration fact that stayed),
//! `spread` (a condition and medications over several calls), `times`
//! (months, "last week", the first and last calls); `asked` collects them.

mod asked;
mod changed;
mod spread;
mod times;
mod told;

use self::asked::Asked;
use super::history::History;
use super::rng::Rng;
use crate::dataset::Question;

/// Every question about `h`'s year, drawing wordings from `rng`.
pub(crate) fn questions(h: &History, rng: &mut Rng) -> Vec<Question> {
    let mut out = Asked::new(&h.life.number);
    changed::ask(h, rng, &mut out);
    told::ask(h, rng, &mut out);
    spread::ask(h, rng, &mut out);
    times::ask(h, rng, &mut out);
    out.questions
}
