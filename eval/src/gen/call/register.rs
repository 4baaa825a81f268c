//! The first call: a new patient registering, every fact of the file
//! stated once (name, birthday, address, cell, insurance, doctor,
//! pharmacy).

use super::{Known, Script};
use crate::gen::bank;
use crate::gen::facts::{Key, Single};
use crate::gen::words::cap;

impl Script<'_> {
    pub(super) fn register(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        if self.rng.chance(50) {
            let hello = *self.rng.pick(&bank::HELLOS[..1]);
            self.user(hello);
            self.agent("Hi there! How can I help?");
        }
        let options = [
            "I'm a new patient and I'd like to get registered",
            "I'd like to become a patient at your clinic, are you taking new patients?",
            "I'm looking for a new primary care doctor and a friend recommended you",
        ];
        let text = self.say_str(&options);
        self.reason(&text);
        self.agent("Welcome! Let's get you set up. Can I have your full name?");
        let name = known.name();
        let options = [
            format!("my name is {name}"),
            format!("sure, my name's {name}"),
            format!("yeah, it's {name}, that's my full name"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Name, 0, true, &text);
        self.agent(&format!(
            "Thank you, {}. And your date of birth?",
            known.first
        ));
        let birthday = &life.birthday;
        let options = [
            format!("my date of birth is {birthday}"),
            format!("I was born {birthday}"),
            format!("birthday's {birthday}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Single(Single::Birthday), 0, true, &text);
        self.agent("And what's your home address?");
        let address = &life.address[0];
        let options = [
            format!("my address is {address}"),
            format!("I live at {address}"),
            format!("it's {address}, that's my home address"),
            format!("we're at {address}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Address, 0, true, &text);
        self.maybe_filler();
        self.agent("Great. What's the best phone number to reach you?");
        let cell = &life.cell[0];
        let options = [
            format!("my cell is {cell}"),
            format!("the best number is my cell, {cell}"),
            format!("you can reach me on my cell phone at {cell}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Cell, 0, true, &text);
        self.agent("And do you have insurance?");
        let insurance = life.insurance[0];
        let options = [
            format!("yes, I have {insurance} through work, that's my insurance"),
            format!("my insurance is {insurance}"),
            format!("yeah, my insurance is {insurance}, the PPO plan"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Insurance, 0, true, &text);
        let (doctor, doctor_she) = life.doctor[0];
        let them = if doctor_she { "her" } else { "him" };
        self.agent("Do you have a preference for a primary care doctor?");
        let options = [
            format!("actually my coworker sees {doctor}, could I get {doctor} as my doctor?"),
            format!("I'd like {doctor} as my doctor if possible, my friend loves {them}"),
            format!("{doctor}, please, a neighbor recommended {them}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Doctor, 0, true, &text);
        self.agent("And which pharmacy should we send prescriptions to?");
        let pharmacy = life.pharmacy[0];
        let options = [
            format!("my pharmacy is {pharmacy}"),
            format!("for the pharmacy I use {pharmacy}"),
            format!("please send everything to {pharmacy}, that's my pharmacy"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Pharmacy, 0, true, &text);
        self.agent("Perfect, you're all set. I'll email you the new patient forms.");
        self.reason_value = "new patient registration";
        self.summary.push(format!(
            "{name} registered as a new patient. {} address is {address}, cell {cell}, insurance {insurance}, pharmacy {pharmacy}, and primary care doctor {doctor}.",
            cap(her)
        ));
    }
}
