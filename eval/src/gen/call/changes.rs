//! The calls that change a fact of the year: a new address, new
//! insurance, another doctor, and the appointment booked then moved.

use super::{Known, Script};
use crate::gen::facts::{Key, Stated};
use crate::gen::words::{date_of, ordinal, said, spoken_date, weekday};

impl Script<'_> {
    /// A call to give the new address after a move.
    pub(super) fn update_address(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let options = [
            "I'm calling to update my address, we just moved",
            "I moved recently and I need to change my address on file",
        ];
        let text = self.say_str(&options);
        let turn = self.reason(&text);
        self.stated.push(Stated {
            key: Key::Address,
            version: 1,
            call: self.index,
            turn,
            value: false,
        });
        self.agent("Congratulations on the move! What's the new address?");
        let new = &life.address[1];
        let options = [
            format!("the new address is {new}"),
            format!("new address is {new}, same cell number though"),
            format!("it's {new}, we moved in two weeks ago"),
            format!("my new address is {new}"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Address, 1, true, &text);
        self.agent(&format!("Thank you, I've updated your address to {new}."));
        self.reason_value = "address update";
        self.summary.push(format!(
            "{} called to update {her} address after moving to {new}.",
            known.name()
        ));
    }

    /// A call to give the new insurance.
    pub(super) fn update_insurance(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let options = [
            "I'm calling because my insurance changed and I want to make sure you have the new one",
            "I started a new job, so I have new insurance",
        ];
        let text = self.say_str(&options);
        let turn = self.reason(&text);
        self.stated.push(Stated {
            key: Key::Insurance,
            version: 1,
            call: self.index,
            turn,
            value: false,
        });
        self.agent("Thanks for letting us know! Who's the new carrier?");
        let new = life.insurance[1];
        let options = [
            format!("the new insurance is {new}, through my new job"),
            format!("my insurance is {new} now, I can read you the member ID"),
            format!("it's {new}, I have the new insurance card right here"),
        ];
        let text = self.say_one(&options);
        self.state(Key::Insurance, 1, true, &text);
        self.agent(&format!("Perfect, I've updated your insurance to {new}."));
        self.reason_value = "insurance update";
        self.summary.push(format!(
            "{} called to update {her} insurance to {new}.",
            known.name()
        ));
    }

    /// A switch to another primary care doctor.
    pub(super) fn switch_doctor(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let (old, _) = life.doctor[0];
        let (new, new_she) = life.doctor[1];
        let they = if new_she { "she" } else { "he" };
        let options = [
                    format!(
                        "I'd like to switch my primary care doctor to {new}, if {they}'s taking patients"
                    ),
                    format!(
                        "can I change my doctor to {new}? {old} is great but I can never get an appointment"
                    ),
                    format!("I want to see {new} from now on instead of {old}"),
                ];
        let text = self.say_one(&options);
        let turn = self.state(Key::Doctor, 1, true, &text);
        self.reasons.push(turn);
        self.agent(&format!(
            "{new} is accepting patients, so I've updated your primary care provider."
        ));
        self.maybe_filler();
        self.reason_value = "change of doctor";
        self.summary.push(format!(
            "{} asked to switch {her} primary care doctor from {old} to {new}.",
            known.name()
        ));
    }

    /// Booking the appointment.
    pub(super) fn book(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let Some(appt) = life.appointment.clone() else {
            return;
        };
        let options = [
            format!("I'd like to schedule my {}", appt.kind),
            format!(
                "I'm calling to book my {}, it's been about a year",
                appt.kind
            ),
        ];
        let text = self.say_one(&options);
        self.reason(&text);
        let (day, clock) = appt.first;
        let (doctor, _) = life.doctor[usize::from(self.has_switched_doctor())];
        self.agent(&format!(
            "Of course! {doctor} has an opening on {} at {clock}. Would that work?",
            spoken_date(day)
        ));
        let d = date_of(day);
        let options = [
            format!(
                "let's do the {} {} {} appointment at {clock}, that works for me",
                d.weekday(),
                d.month(),
                ordinal(d.day())
            ),
            format!(
                "{} the {} at {clock} works, please book the appointment",
                d.weekday(),
                ordinal(d.day())
            ),
            format!(
                "yes, put me down for the {} appointment on {}, at {clock}",
                appt.kind,
                spoken_date(day)
            ),
        ];
        let text = self.say_one(&options);
        self.state(Key::Appointment, 0, true, &text);
        self.agent(&format!(
            "You're all set for {} at {clock} with {doctor}.",
            spoken_date(day)
        ));
        self.reason_value = "appointment booking";
        self.summary.push(format!(
            "{} booked {her} {} for {} at {clock}.",
            known.name(),
            appt.kind,
            spoken_date(day)
        ));
    }

    /// Moving the appointment to another day.
    pub(super) fn reschedule(&mut self, known: &Known) {
        let life = self.life;
        let (_, her) = self.pronoun();
        let Some(appt) = life.appointment.clone() else {
            return;
        };
        let (day, _) = appt.first;
        let (new_day, clock) = appt.moved;
        let nd = date_of(new_day);
        if self.rng.chance(80) {
            let options = [
                        format!(
                            "I need to reschedule my appointment on {} the {}, something came up at work. Could we do {} at {clock} instead?",
                            weekday(day),
                            ordinal(date_of(day).day()),
                            spoken_date(new_day)
                        ),
                        format!(
                            "I have to move my {} appointment from {} to {}, {} {}, at {clock} if that's open",
                            appt.kind,
                            weekday(day),
                            nd.weekday(),
                            nd.month(),
                            ordinal(nd.day())
                        ),
                        format!(
                            "can I change my appointment? I can't make {} anymore, but {} the {} at {clock} would work",
                            weekday(day),
                            nd.weekday(),
                            ordinal(nd.day())
                        ),
                    ];
            let text = self.say_one(&options);
            let turn = self.state(Key::Appointment, 1, true, &text);
            self.reasons.push(turn);
        } else {
            let text = said(
                self.rng,
                &format!(
                    "I need to reschedule my appointment on {} the {}",
                    weekday(day),
                    ordinal(date_of(day).day())
                ),
            );
            let turn = self.state(Key::Appointment, 1, false, &text);
            self.reasons.push(turn);
            self.agent(&format!(
                "No problem. I have {} at {clock}, would that work?",
                spoken_date(new_day)
            ));
            let text = said(
                self.rng,
                &format!(
                    "yes, the {} appointment at {clock} is perfect, thanks",
                    nd.weekday()
                ),
            );
            self.state(Key::Appointment, 1, true, &text);
        }
        self.agent(&format!(
            "Done, I've moved your appointment to {} at {clock}.",
            spoken_date(new_day)
        ));
        self.reason_value = "reschedule appointment";
        self.summary.push(format!(
            "{} rescheduled {her} {} from {} to {} at {clock}.",
            known.name(),
            appt.kind,
            spoken_date(day),
            spoken_date(new_day)
        ));
    }
}
