//! Numbers that stand for "no number": withheld-caller placeholders.
//!
//! Carriers and Twilio send a withheld caller as a word (`anonymous`,
//! `restricted`) and some gateways spell that word on the keypad
//! (`+266696687` is "ANONYMOUS"). Such a number is shared by every withheld
//! caller, so it must never be a memory user. Also refused: a national
//! number of one repeated digit (`0000000000`), a filler value, never a
//! person.

/// Words that gateways spell on the keypad for a withheld caller.
const WORDS: [&str; 14] = [
    "ANONYMOUS",
    "RESTRICTED",
    "UNAVAILABLE",
    "UNKNOWN",
    "PRIVATE",
    "WITHHELD",
    "BLOCKED",
    "NOCALLERID",
    "NOTAVAILABLE",
    "OUTOFAREA",
    "PAYPHONE",
    "UNAVAIL",
    "NOTPROVIDED",
    "CALLERID",
];

/// Digits a keypad gives for an upper-case ASCII word.
fn keypad(word: &str) -> String {
    word.bytes()
        .map(|b| match b {
            b'A'..=b'C' => '2',
            b'D'..=b'F' => '3',
            b'G'..=b'I' => '4',
            b'J'..=b'L' => '5',
            b'M'..=b'O' => '6',
            b'P'..=b'S' => '7',
            b'T'..=b'V' => '8',
            _ => '9',
        })
        .collect()
}

/// True when `digits` (a whole number without `+`) is a keypad-spelled
/// placeholder, possibly behind a country code (up to three digits), or when `national` is a filler pattern.
pub fn is_placeholder(digits: &str, national: &str) -> bool {
    let spelled = WORDS.iter().any(|w| {
        let code = keypad(w);
        digits.len() <= code.len() + 3 && digits.ends_with(&code)
    });
    spelled || is_filler(national)
}

/// One repeated digit (`0000000000`). Counting runs are kept: some are
/// real numbers (`+33 1 23 45 67 89`).
fn is_filler(national: &str) -> bool {
    let b = national.as_bytes();
    b.len() >= 2 && b.iter().all(|&d| d == b[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keypad_spelled_withheld_words_are_placeholders() {
        assert_eq!(keypad("ANONYMOUS"), "266696687");
        assert!(is_placeholder("266696687", "696687"));
        assert!(is_placeholder("7378742833", "378742833"));
        assert!(is_placeholder("86282452253", "282452253"));
        assert!(is_placeholder("18656696", "8656696"));
        // A real number that merely contains a spelled word is kept.
        assert!(!is_placeholder("18656696123", "8656696123"));
    }

    #[test]
    fn filler_numbers_are_placeholders_and_real_ones_are_not() {
        assert!(is_placeholder("10000000000", "0000000000"));
        assert!(is_placeholder("15555555555", "5555555555"));
        for (d, n) in [
            ("15551234567", "5551234567"),
            ("4915123456789", "15123456789"),
            ("442079460958", "2079460958"),
            ("14155550134", "4155550134"),
        ] {
            assert!(!is_placeholder(d, n), "{d}");
        }
    }
}
