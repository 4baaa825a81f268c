//! Questions about the facts that changed over the year (address, cell,
//! appointment, insurance, pharmacy, doctor, pet, name): asked directly and
//! paraphrased, with every statement an answer and the newest marked.

use super::asked::{answer, answers_of, strings, Asked};
use crate::dataset::Category;
use crate::gen::bank::NameChange;
use crate::gen::facts::{Change, Key, Stated};
use crate::gen::history::History;
use crate::gen::rng::Rng;

pub(super) fn ask(h: &History, rng: &mut Rng, out: &mut Asked) {
    let life = &h.life;
    // Facts that changed.
    let appointment_kind = life.appointment.as_ref().map_or("appointment", |a| a.kind);
    let changes: Vec<(Key, &str, Vec<String>, Vec<String>)> = {
        let mut v = Vec::new();
        for change in &life.changes {
            let (key, topic, direct, para): (Key, &str, Vec<String>, Vec<String>) = match change {
                Change::Address => (
                    Key::Address,
                    "address",
                    strings(&[
                        "what's my address",
                        "my current home address",
                        "what address do you have on file for me",
                    ]),
                    strings(&[
                        "where do I live now",
                        "where did I move to",
                        "did I relocate recently",
                    ]),
                ),
                Change::Cell => (
                    Key::Cell,
                    "cell",
                    strings(&[
                        "what's my cell phone number",
                        "what number do you have for me",
                        "my phone number",
                    ]),
                    strings(&["my mobile number", "what's my telephone number now"]),
                ),
                Change::Appointment => (
                    Key::Appointment,
                    "appointment",
                    vec![
                        "when is my appointment".into(),
                        "my upcoming appointment".into(),
                        format!("when is my {appointment_kind}"),
                    ],
                    strings(&[
                        "when's my visit",
                        "when am I booked in",
                        "when's my next checkup",
                    ]),
                ),
                Change::Insurance => (
                    Key::Insurance,
                    "insurance",
                    strings(&[
                        "what insurance do I have",
                        "which insurance company am I with",
                        "my insurance",
                    ]),
                    strings(&[
                        "who is my insurer",
                        "what coverage do I have now",
                        "who's my insurer now",
                    ]),
                ),
                Change::Pharmacy => (
                    Key::Pharmacy,
                    "pharmacy",
                    strings(&[
                        "which pharmacy do I use",
                        "my preferred pharmacy",
                        "what pharmacy should my prescriptions go to",
                    ]),
                    strings(&["which drugstore do I use", "my drugstore"]),
                ),
                Change::Doctor => (
                    Key::Doctor,
                    "doctor",
                    strings(&[
                        "who is my doctor",
                        "my primary care doctor",
                        "which doctor do I see",
                    ]),
                    strings(&["who's my physician", "who is my GP", "who's my PCP"]),
                ),
                Change::Pet => (
                    Key::Pet,
                    "pet",
                    strings(&["what's my dog's name", "what is my dog called"]),
                    strings(&[
                        "what's my pup called",
                        "what's the doggo's name",
                        "my pooch's name",
                    ]),
                ),
            };
            v.push((key, topic, direct, para));
        }
        match life.persona.change {
            NameChange::Spelling { .. } => v.push((
                Key::Name,
                "name",
                strings(&["how do you spell my name", "how is my first name spelled"]),
                Vec::new(),
            )),
            NameChange::Married { .. } => v.push((
                Key::Name,
                "name",
                strings(&["what's my last name", "what is my full name"]),
                strings(&["what's my married name"]),
            )),
            NameChange::None => {}
        }
        v
    };
    for (key, topic, direct, para) in changes {
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == key).collect();
        let newest = stated
            .iter()
            .filter(|s| s.version == 1 && s.value)
            .max_by_key(|s| (s.call, s.turn))
            .map(|s| answer(h, s));
        let has_old = stated.iter().any(|s| s.version == 0);
        let (Some(newest), true) = (newest, has_old) else {
            continue;
        };
        let answers = answers_of(h, &stated);
        out.ask(
            rng.pick(&direct).clone(),
            Category::Changed,
            true,
            answers.clone(),
            Some(newest.clone()),
            topic,
        );
        if !para.is_empty() {
            out.ask(
                rng.pick(&para).clone(),
                Category::Paraphrase,
                true,
                answers,
                Some(newest),
                topic,
            );
        }
    }
}
