//! Questions about facts spread over several calls: the condition
//! mentioned three times, and the medications refilled in different calls.

use super::asked::{answers_of, strings, Asked};
use crate::dataset::Category;
use crate::gen::facts::{Key, Stated};
use crate::gen::history::History;
use crate::gen::rng::Rng;

pub(super) fn ask(h: &History, rng: &mut Rng, out: &mut Asked) {
    let life = &h.life;
    // Facts spread over several calls.
    let condition = life.condition;
    let mentions: Vec<&Stated> = h
        .stated
        .iter()
        .filter(|s| s.key == Key::Condition)
        .collect();
    if mentions.len() >= 2 {
        let direct = vec![
            format!("what have I told you about my {}", condition.direct),
            format!("my history of {}", condition.direct),
            format!("what did I say about my {}", condition.direct),
        ];
        out.ask(
            rng.pick(&direct).clone(),
            Category::Spread,
            false,
            answers_of(h, &mentions),
            None,
            "condition",
        );
        if let Some(para) = condition.paraphrase {
            let para = vec![
                format!("how's my {para} been"),
                format!("any updates on my {para}"),
            ];
            out.ask(
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers_of(h, &mentions),
                None,
                "condition",
            );
        }
    }
    let meds: Vec<&Stated> = h.stated.iter().filter(|s| s.key == Key::Meds).collect();
    let distinct_meds = {
        let mut calls: Vec<usize> = meds.iter().map(|s| s.call).collect();
        calls.dedup();
        calls.len()
    };
    if distinct_meds >= 2 {
        if rng.chance(50) {
            let direct = strings(&["what medications am I on", "which prescriptions do I take"]);
            out.ask(
                rng.pick(&direct).clone(),
                Category::Spread,
                false,
                answers_of(h, &meds),
                None,
                "meds",
            );
        } else {
            let para = strings(&["what meds do I take", "what pills am I on"]);
            out.ask(
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers_of(h, &meds),
                None,
                "meds",
            );
        }
    }
}
