//! Why a caller calls: the dispatch on a call's main reason, and the
//! reasons that change no fact of the year (errands, refills, the visit
//! for a condition), with a pharmacy switch riding on a refill.

use super::{Known, Script};
use crate::gen::bank;
use crate::gen::facts::{Key, Stated};
use crate::gen::plan::Main;
use crate::gen::words::said;

impl Script<'_> {
    /// The main part of the call: what the caller called about.
    pub(super) fn main(&mut self, main: Main, known: &mut Known) {
        match main {
            Main::Register => self.register(known),
            Main::Errand(e) => self.errand(e, known),
            Main::Refill(second) => self.refill(second, known),
            Main::PharmacySwitch => self.pharmacy_switch(known),
            Main::UpdateAddress => self.update_address(known),
            Main::UpdateInsurance => self.update_insurance(known),
            Main::SwitchDoctor => self.switch_doctor(known),
            Main::Book => self.book(known),
            Main::Reschedule => self.reschedule(known),
            Main::ConditionVisit => self.condition_visit(known),
        }
    }

    /// An errand: lab results, a bill, a flu shot, a referral, …
    pub(super) fn errand(&mut self, e: usize, known: &Known) {
        let errand = &bank::ERRANDS[e];
        let reason = *self.rng.pick(&errand.reasons);
        let text = said(self.rng, reason);
        self.reason(&text);
        self.agent(errand.agent);
        self.maybe_filler();
        let text = said(self.rng, errand.follow_up);
        self.user(&text);
        self.agent("Of course. I've made a note of that on your file.");
        self.reason_value = errand.reason_value;
        self.summary
            .push(format!("{} {}.", known.name(), errand.summary));
    }

    /// A refill of the first medication, or (`second`) of the one started later.
    pub(super) fn refill(&mut self, second: bool, known: &Known) {
        let life = self.life;
        let (med, purpose) = life.meds[usize::from(second)];
        let text = if second {
            let options = [
                        format!(
                            "I need a refill on the {med} the doctor started me on for my {purpose}, it's a prescription from a couple months ago"
                        ),
                        format!(
                            "the doctor put me on {med} for my {purpose} a while back and I need that prescription refilled"
                        ),
                        format!("I'm calling for a refill of my new {purpose} medication, the {med}"),
                    ];
            self.say_one(&options)
        } else {
            let options = [
                format!("I'm calling because I need a refill on my {med} prescription"),
                format!(
                    "I'm almost out of my {purpose} medication, the {med}, can I get that refilled"
                ),
                format!("I need to renew my {med}, I've only got a few pills left"),
            ];
            self.say_one(&options)
        };
        let turn = self.reason(&text);
        self.stated.push(Stated {
            key: Key::Meds,
            version: 0,
            call: self.index,
            turn,
            value: true,
        });
        let pharmacy = life.pharmacy[usize::from(self.has_switched_pharmacy())];
        self.agent(&format!(
                    "Sure, I'll send the request to your doctor. Should it go to {pharmacy} like last time?"
                ));
        let text = said(self.rng, "yes, same one as always");
        self.user(&text);
        self.agent("Great, it should be ready by tomorrow afternoon.");
        self.reason_value = "prescription refill";
        self.summary.push(format!(
            "{} called to request a refill of {med}, to be sent to {pharmacy}.",
            known.name()
        ));
    }

    /// A refill sent to a new pharmacy.
    pub(super) fn pharmacy_switch(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let (med, _) = life.meds[0];
        let text = said(
            self.rng,
            &format!("I need a refill on my {med} prescription, please"),
        );
        let turn = self.reason(&text);
        self.stated.push(Stated {
            key: Key::Meds,
            version: 0,
            call: self.index,
            turn,
            value: true,
        });
        self.agent(&format!(
            "Sure thing. Should I send it to {}?",
            life.pharmacy[0]
        ));
        let new = life.pharmacy[1];
        let options = [
                    format!("no, actually I switched pharmacies, please use {new} now"),
                    format!("not anymore, my pharmacy is {new} now"),
                    format!(
                        "no, can you send it to {new} from now on? I changed pharmacies, it's closer to work"
                    ),
                ];
        let text = self.say_one(&options);
        self.state(Key::Pharmacy, 1, true, &text);
        self.agent(&format!(
            "Got it, I've updated your preferred pharmacy to {new}."
        ));
        self.reason_value = "prescription refill";
        self.summary.push(format!(
            "{} requested a refill of {med} and changed {her} preferred pharmacy to {new}.",
            known.name()
        ));
    }

    /// The first mention of the condition, and a visit booked for it.
    pub(super) fn condition_visit(&mut self, known: &Known) {
        let life = self.life;
        let (she, _) = self.pronoun();
        let mention = life.condition.mentions[0];
        let text = said(self.rng, &format!("I'm calling because {mention}"));
        let turn = self.state(Key::Condition, 0, true, &text);
        self.reasons.push(turn);
        self.agent(
            "I'm sorry to hear that. Would you like to come in so the doctor can take a look?",
        );
        let text = said(self.rng, "yes please, the sooner the better");
        self.user(&text);
        self.agent("I have something tomorrow morning, I'll book that for you.");
        self.reason_value = life.condition.label;
        self.summary.push(format!(
            "{} called about {} and was booked to see the doctor. {she} said: {}.",
            known.name(),
            life.condition.label,
            mention
        ));
    }
}
