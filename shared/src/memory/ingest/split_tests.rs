//! Tests of splitting text into sentence-terminated parts.

use proptest::prelude::*;

use super::plan_tests::words;
use super::*;

#[test]
fn splitting_bounds_terminates_and_preserves_words() {
    let text = "First sentence is here. ".repeat(6)
        + &"averyveryverylongwordthatgoesonandon ".repeat(12)
        + "and an unpunctuated tail";
    let parts = split_text(&text, 180);
    assert!(parts.len() > 2);
    for p in &parts {
        assert!(p.chars().count() <= 180, "{p}");
        assert!(p.ends_with(['.', '!', '?']), "{p}");
    }
    assert_eq!(words(&parts.join(" ")), words(&text));
    // Whole sentences stay together when they fit.
    assert!(parts[0].starts_with("First sentence is here. First"));
    assert!(parts[0].ends_with("here."));
    // A short text is one terminated part; nothing gives nothing.
    assert_eq!(split_text("  hello\n world ", 180), vec!["hello world."]);
    assert_eq!(split_text("Done!", 180), vec!["Done!"]);
    assert!(split_text(" \n ", 180).is_empty());
    // One word longer than a part is cut inside.
    let long = "x".repeat(400);
    let parts = split_text(&long, 180);
    assert_eq!(parts.len(), 3);
    assert!(parts
        .iter()
        .all(|p| p.chars().count() <= 180 && p.ends_with('.')));
    assert_eq!(parts.concat().replace('.', ""), long);
}

proptest! {
    #[test]
    fn split_text_holds_for_any_text(
        pieces in prop::collection::vec(
            prop_oneof!["[a-zà-ü]{1,12}", "[a-z]{1,250}", Just(".".to_owned()),
                        Just("?!".to_owned()), Just(",".to_owned()), Just("\n".to_owned())],
            0..120,
        ),
        max in 20usize..200,
    ) {
        let text = pieces.join(" ");
        let parts = split_text(&text, max);
        for p in &parts {
            prop_assert!(p.chars().count() <= max, "{:?}", p);
            prop_assert!(p.ends_with(['.', '!', '?']), "{:?}", p);
        }
        // Words survive, except that an over-long word is cut inside.
        let joined = parts.concat();
        let letters = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        prop_assert_eq!(letters(&joined), letters(&text));
        if pieces.iter().all(|p| p.chars().count() < max - 1) {
            prop_assert_eq!(words(&parts.join(" ")), words(&text));
        }
    }
}
