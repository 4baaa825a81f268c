//! Questions about the facts told once: a pet acquired during the year,
//! the facts of `Single` (allergy, job, kid, partner, trip, preferred
//! time, emergency contact, birthday), and one registration fact that
//! never changed.

use super::asked::{answers_of, strings, Asked};
use crate::dataset::Category;
use crate::gen::facts::{Change, Key, Single, Stated};
use crate::gen::history::History;
use crate::gen::rng::Rng;

pub(super) fn ask(h: &History, rng: &mut Rng, out: &mut Asked) {
    let life = &h.life;
    let dog = life.pet.as_ref().is_none_or(|p| p.dog);

    // A pet acquired during the year (no earlier pet).
    if life.pet.as_ref().is_some_and(|p| p.old.is_none()) {
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == Key::Pet).collect();
        let answers = answers_of(h, &stated);
        let (direct, para) = if dog {
            (
                strings(&[
                    "what's my dog's name",
                    "what is my dog called",
                    "do I have a dog",
                ]),
                strings(&[
                    "what's my pup called",
                    "what's the doggo's name",
                    "my pooch's name",
                ]),
            )
        } else {
            (
                strings(&["what's my cat's name", "do I have a cat"]),
                strings(&["what's my kitty called", "what's the kitty's name"]),
            )
        };
        if rng.chance(50) {
            out.ask(
                rng.pick(&direct).clone(),
                Category::Single,
                false,
                answers,
                None,
                "pet",
            );
        } else {
            out.ask(
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers,
                None,
                "pet",
            );
        }
    }

    // Facts told once.
    for single in &life.singles {
        let stated: Vec<&Stated> = h
            .stated
            .iter()
            .filter(|s| s.key == Key::Single(*single))
            .collect();
        let answers = answers_of(h, &stated);
        let ((_, girl), _, _) = life.kid;
        let child = if girl { "daughter" } else { "son" };
        let (topic, direct, para): (&str, Vec<String>, Vec<String>) = match single {
            Single::Allergy => (
                "allergy",
                strings(&[
                    "am I allergic to anything",
                    "what allergies do I have",
                    "any allergies on file for me",
                ]),
                strings(&["is there any medication I can't take"]),
            ),
            Single::Job => (
                "job",
                strings(&["what do I do for work", "what's my job"]),
                strings(&[
                    "what's my occupation",
                    "where am I employed",
                    "what's my profession",
                ]),
            ),
            Single::Kid => (
                "kid",
                vec![
                    format!("what's my {child}'s name"),
                    format!("my {child}'s name"),
                ],
                strings(&[
                    "what's my kid's name",
                    "how old is my kid",
                    "my child's name",
                ]),
            ),
            Single::Partner => (
                "partner",
                vec![format!("what's my {}'s name", life.partner.0)],
                strings(&["who is my spouse", "my spouse's name"]),
            ),
            Single::Trip => (
                "trip",
                strings(&["where am I going on vacation", "my upcoming vacation"]),
                strings(&["where's my trip", "am I traveling soon", "my holiday plans"]),
            ),
            Single::PreferredTime => (
                "preferred_time",
                strings(&[
                    "what times work best for my appointments",
                    "preferred appointment time",
                ]),
                strings(&["when am I usually available"]),
            ),
            Single::Emergency => (
                "emergency_contact",
                strings(&["who is my emergency contact"]),
                strings(&[
                    "who should you call in an emergency",
                    "who do you contact if something happens to me",
                ]),
            ),
            Single::Birthday => (
                "birthday",
                strings(&["what's my date of birth", "my date of birth"]),
                strings(&["when is my birthday", "when was I born"]),
            ),
        };
        if rng.chance(55) {
            out.ask(
                rng.pick(&direct).clone(),
                Category::Single,
                false,
                answers,
                None,
                topic,
            );
        } else {
            out.ask(
                rng.pick(&para).clone(),
                Category::Paraphrase,
                false,
                answers,
                None,
                topic,
            );
        }
    }
    // One registration fact that never changed.
    let steady: Vec<(Key, &str, &str)> = [
        (
            Key::Insurance,
            Change::Insurance,
            "what insurance do I have",
            "insurance",
        ),
        (
            Key::Address,
            Change::Address,
            "what's my home address",
            "address",
        ),
        (Key::Doctor, Change::Doctor, "who is my doctor", "doctor"),
        (
            Key::Pharmacy,
            Change::Pharmacy,
            "which pharmacy do I use",
            "pharmacy",
        ),
    ]
    .into_iter()
    .filter(|(_, change, _, _)| !life.changes.contains(change))
    .map(|(key, _, text, topic)| (key, text, topic))
    .collect();
    if !steady.is_empty() {
        let (key, text, topic) = *rng.pick(&steady);
        let stated: Vec<&Stated> = h.stated.iter().filter(|s| s.key == key).collect();
        out.ask(
            text.to_owned(),
            Category::Single,
            false,
            answers_of(h, &stated),
            None,
            topic,
        );
    }
}
