//! A caller's year played out: their life, the plan of their calls, and
//! every call written into its webhook body, with each statement of a fact
//! recorded with its conversation and turn.

use super::bank::Persona;
use super::call::{Known, Script};
use super::facts::Stated;
use super::life::{live, Life};
use super::plan::plan;
use super::rng::Rng;
use super::world::SEED;

/// A generated call.
pub(crate) struct CallOut {
    pub conversation: String,
    pub start: i64,
    pub body: String,
    /// The turns that say why the caller called.
    pub reasons: Vec<u32>,
}

/// A caller's year: who they are, their calls, and what each call stated.
pub(crate) struct History {
    pub index: usize,
    pub life: Life,
    pub calls: Vec<CallOut>,
    pub stated: Vec<Stated>,
}

/// The year of the caller `persona`, the `index`-th of the set, drawn from
/// their own seeded stream.
pub(crate) fn simulate(persona: &Persona, index: usize, calls: Option<usize>) -> History {
    let mut rng = Rng::new(SEED ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut life = live(persona, index, &mut rng);
    let plans = plan(persona, index, calls, &mut life, &mut rng);

    let mut stated = Vec::new();
    let mut out = Vec::new();
    let mut known = Known::new(persona);
    for (i, plan) in plans.iter().enumerate() {
        let conversation = format!("conv_{}", rng.token(26));
        let mut call = Script::new(&mut rng, &life, i, &mut stated);
        call.play(plan, &mut known);
        let reasons = call.reasons().to_vec();
        let body = call.webhook(&conversation, plan.start, i, &mut known);
        out.push(CallOut {
            conversation,
            start: plan.start,
            body,
            reasons,
        });
    }
    History {
        index,
        life,
        calls: out,
        stated,
    }
}
