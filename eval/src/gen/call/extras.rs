//! What else comes up in a call: a move or a new cell number mentioned in
//! passing, a corrected or married name, pets old and new, a fact told
//! once, and the condition again.

use super::{Known, Script};
use crate::gen::bank::NameChange;
use crate::gen::facts::{Key, Single};
use crate::gen::plan::Extra;
use crate::gen::words::said;

impl Script<'_> {
    /// One extra of the call's plan.
    pub(super) fn extra(&mut self, extra: Extra, known: &mut Known) {
        let life = self.life;
        let (she, her) = self.pronoun();
        match extra {
            Extra::Address => {
                let new = &life.address[1];
                let options = [
                    format!("oh, before I forget, we moved, so my new address is {new}"),
                    format!("oh, and I need to update my address, I moved to {new}"),
                    format!("also, we moved last month, the new address is {new}"),
                    format!("also, we finally moved into the new house, it's {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Address, 1, true, &text);
                self.agent(&format!(
                    "Congratulations! I've updated your address to {new}."
                ));
                self.summary
                    .push(format!("{she} updated {her} address to {new}."));
            }
            Extra::Cell => {
                let new = &life.cell[1];
                let options = [
                    format!("oh, also, I got a new cell phone, the number is {new}"),
                    format!("can you update my cell number? It's {new} now"),
                    format!("I switched carriers and got a new phone number, it's {new}"),
                    format!("my cell number changed, the new one is {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Cell, 1, true, &text);
                self.agent(&format!("Got it, your new cell number is {new}."));
                self.summary
                    .push(format!("{she} gave a new cell number, {new}."));
            }
            Extra::Insurance => {
                let new = life.insurance[1];
                let partner = life.partner.0;
                let options = [
                    format!("oh, and my insurance changed, it's {new} now"),
                    format!("also, I switched insurance, I'm with {new} as of this month"),
                    format!("I should tell you we're on my {partner}'s plan now, so the insurance is {new}"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Insurance, 1, true, &text);
                self.agent(&format!("Thanks, I've updated your insurance to {new}."));
                self.summary
                    .push(format!("{she} reported new insurance, {new}."));
            }
            Extra::NameFix => match life.persona.change {
                NameChange::Spelling { spelled, .. } => {
                    let first = life.persona.first;
                    let options = [
                        format!("oh, and one thing, you have my name spelled wrong on the portal. It's {first}, {spelled}"),
                        format!("by the way, my name is spelled {spelled}, not the usual way. {first}"),
                        format!("sorry, can you fix the spelling of my name? It's {first}, {spelled}"),
                    ];
                    let text = self.say_one(&options);
                    self.state(Key::Name, 1, true, &text);
                    self.agent(&format!(
                        "Oh, I'm so sorry about that! I've corrected it to {first}."
                    ));
                    known.first = first;
                    self.summary.push(format!(
                        "{she} corrected the spelling of {her} first name to {first}."
                    ));
                }
                NameChange::Married { new_last } => {
                    let first = life.persona.first;
                    let options = [
                        format!("oh, and I got married last month, so my last name is {new_last} now"),
                        format!("I need to update my name, it's {first} {new_last} now, I just got married"),
                        format!("my last name changed to {new_last}, can you update that in my file?"),
                    ];
                    let text = self.say_one(&options);
                    self.state(Key::Name, 1, true, &text);
                    self.agent(&format!(
                        "Congratulations! I've updated your name to {first} {new_last}."
                    ));
                    known.last = new_last;
                    self.summary.push(format!(
                        "{she} changed {her} last name to {new_last} after getting married."
                    ));
                }
                NameChange::None => {}
            },
            Extra::OldPet => {
                let Some(pet) = &life.pet else { return };
                let Some((breed, name)) = pet.old else { return };
                let options = [
                    format!("sorry, that's my dog {name} barking, he's a {breed}"),
                    format!("I have to get home soon to let my dog {name} out"),
                    format!("hang on, my {breed} {name} is losing it at the mailman"),
                ];
                let text = self.say_one(&options);
                self.state(Key::Pet, 0, true, &text);
                self.agent("Ha, no problem at all!");
                self.summary
                    .push(format!("{she} mentioned {her} dog, {name}."));
            }
            Extra::NewPet => {
                let Some(pet) = &life.pet else { return };
                let (kind, name) = pet.new;
                let options: Vec<String> = match (pet.dog, pet.old) {
                    (true, Some((_, old))) => vec![
                        format!("we lost {old} back in the winter, which was hard, but we just adopted a {kind} puppy named {name}"),
                        format!("so we got a new dog! A {kind} named {name}, since {old} passed away"),
                    ],
                    (true, None) => vec![
                        format!("sorry if it's noisy, we just got a puppy, a little {kind} named {name}"),
                        format!("we adopted a rescue dog last weekend, her name is {name}"),
                        format!("we just brought home a {kind} puppy, {name}, so I'm running on no sleep"),
                    ],
                    (false, _) => vec![
                        format!("we just adopted a {kind} kitten named {name}, so the house is chaos"),
                        format!("sorry, that's our new cat {name}, we just got her from the shelter"),
                    ],
                };
                let text = self.say_one(&options);
                self.state(Key::Pet, 1, true, &text);
                self.agent("Oh, how fun! Congratulations on the new family member.");
                let animal = if pet.dog { "dog" } else { "cat" };
                self.summary
                    .push(format!("{she} mentioned a new {animal} named {name}."));
            }
            Extra::PetNews => {
                let Some(pet) = &life.pet else { return };
                let (_, name) = pet.new;
                let options = if pet.dog {
                    [
                        format!("the puppy's doing great, {name} already chewed two pairs of my shoes"),
                        format!("I'm walking {name} right now, sorry about the wind, the dog pulls like crazy"),
                        format!("{name} had her first vet visit, the puppy is totally healthy"),
                    ]
                } else {
                    [
                        format!("the kitten is doing great, {name} sleeps on my head every night"),
                        format!("sorry, {name} the cat just knocked my coffee over"),
                        format!("{name} had her first vet visit, the kitten is totally healthy"),
                    ]
                };
                let text = self.say_one(&options);
                self.state(Key::Pet, 2, true, &text);
                self.agent(&format!("Aw, give {name} a pat from me!"));
            }
            Extra::Single(single) => self.single(single),
            Extra::Condition(i) => {
                let mention = life.condition.mentions[i.min(2)];
                let lead = *self
                    .rng
                    .pick(&["oh, also, ", "and ", "oh, and the other thing, "]);
                let text = said(self.rng, &format!("{lead}{mention}"));
                self.state(Key::Condition, i as u8, true, &text);
                self.agent("Thanks for telling me, I'll add a note for your doctor.");
                self.summary
                    .push(format!("{she} also mentioned {}.", life.condition.label));
            }
        }
    }

    /// A fact told once, dropped into the call.
    fn single(&mut self, single: Single) {
        let life = self.life;
        let (she, her) = self.pronoun();
        let (text, agent, summary) = match single {
            Single::Allergy => {
                let (allergen, reaction) = life.allergy;
                let options = [
                    format!("oh, and I'm allergic to {allergen}, it gives me {reaction}"),
                    format!("just so it's in my file, I have a {allergen} allergy"),
                    format!("I should mention I'm allergic to {allergen}, I get {reaction}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Thank you, I've added that allergy to your chart.".to_owned(),
                    format!("{she} reported an allergy to {allergen}."),
                )
            }
            Single::Job => {
                let (job, constraint) = life.job;
                let options = [
                    format!("I'm {job}, so {constraint}, that's why I'm calling now"),
                    format!("work is crazy, I'm {job} and {constraint}"),
                    format!("with my job it's hard, I'm {job}, {constraint}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "That sounds busy! We'll work around your schedule.".to_owned(),
                    format!("{she} works as {job}."),
                )
            }
            Single::Kid => {
                let ((kid, girl), activity, age) = life.kid;
                let (child, they) = if girl {
                    ("daughter", "she")
                } else {
                    ("son", "he")
                };
                let options = [
                    format!("I have to pick up my {child} {kid} from {activity} soon, so I need to be quick"),
                    format!("my {child} {kid} is {age}, {they}'s got a cold too actually"),
                    format!("sorry, my {child} {kid} is yelling in the background, {they}'s {age}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "No worries at all!".to_owned(),
                    format!("{she} mentioned {her} {child} {kid}."),
                )
            }
            Single::Partner => {
                let (role, name) = life.partner;
                let options = [
                    format!("my {role} {name} might call about the bill, {name}'s on my account"),
                    format!(
                        "if I don't answer, my {role} {name} can help, {name} knows everything"
                    ),
                    format!("my {role} {name} is driving me to the appointment"),
                ];
                (
                    self.rng_pick_owned(&options),
                    format!("Good to know, I'll note that {name} may call."),
                    format!("{she} mentioned {her} {role} {name}."),
                )
            }
            Single::Trip => {
                let (place, when) = life.trip;
                let options = [
                    format!("we're going to {place} {when}, so I want to get this done before we leave on vacation"),
                    format!("I'll be away on a trip to {place} {when}"),
                    format!("we have a vacation coming up, {place} {when}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Oh, that sounds wonderful!".to_owned(),
                    format!("{she} has a trip to {place} planned {when}."),
                )
            }
            Single::PreferredTime => {
                let pref = life.preferred;
                let options = [
                    format!("for appointments, {pref} is best for me"),
                    format!("I prefer {pref} for appointments"),
                    format!("{pref} works best for me, if you can"),
                ];
                (
                    self.rng_pick_owned(&options),
                    "Noted, I'll keep that in mind when booking.".to_owned(),
                    format!("{she} prefers appointments {pref}."),
                )
            }
            Single::Emergency => {
                let ((relative, name, female), phone) = &life.relative;
                let their = if *female { "her" } else { "his" };
                let options = [
                    format!("you asked about an emergency contact, it's my {relative} {name}, {their} number is {phone}"),
                    format!("please put my {relative} {name} down as my emergency contact, {phone}"),
                ];
                (
                    self.rng_pick_owned(&options),
                    format!("Got it, {name} is now your emergency contact."),
                    format!("{she} added {her} {relative} {name} as emergency contact."),
                )
            }
            Single::Birthday => return,
        };
        let text = said(self.rng, &text);
        self.state(Key::Single(single), 0, true, &text);
        self.agent(&agent);
        self.summary.push(summary);
    }
}
