//! Turns that say nothing worth remembering: acknowledgements and fillers.

/// Whether a caller's turn says nothing worth remembering: under three
/// letters or digits, or only acknowledgements and fillers ("Okay, thanks,
/// bye!", "mm-hmm"), whatever the case and punctuation.
pub fn is_filler(message: &str) -> bool {
    let mut meaningful = 0;
    let mut word = String::new();
    let mut only_fillers = true;
    // Apostrophes join ("that's" is one word); anything else separates.
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            meaningful += 1;
            word.extend(c.to_lowercase());
        } else if c != '\'' && c != '\u{2019}' && !word.is_empty() {
            only_fillers &= is_filler_word(&word);
            word.clear();
        }
    }
    meaningful < 3 || only_fillers
}

fn is_filler_word(word: &str) -> bool {
    matches!(
        word,
        "ok" | "okay"
            | "okey"
            | "k"
            | "kay"
            | "yes"
            | "yeah"
            | "yea"
            | "ya"
            | "yep"
            | "yup"
            | "no"
            | "nope"
            | "nah"
            | "uh"
            | "huh"
            | "um"
            | "umm"
            | "uhm"
            | "er"
            | "erm"
            | "ah"
            | "oh"
            | "eh"
            | "hm"
            | "hmm"
            | "mm"
            | "mmm"
            | "mhm"
            | "mmhmm"
            | "uhhuh"
            | "thanks"
            | "thank"
            | "thx"
            | "you"
            | "cheers"
            | "bye"
            | "goodbye"
            | "hello"
            | "hi"
            | "hey"
            | "sure"
            | "right"
            | "alright"
            | "allright"
            | "cool"
            | "great"
            | "good"
            | "fine"
            | "perfect"
            | "gotcha"
            | "got"
            | "it"
            | "so"
            | "well"
            | "please"
            | "sorry"
            | "very"
            | "much"
    )
}

/// Words in `text`: runs of letters and digits (apostrophes join).
pub fn word_count(text: &str) -> usize {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Whether a short answer says yes or no ("Yes.", "Nope, that's right").
pub fn says_yes_or_no(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|w| {
            matches!(
                w.as_str(),
                "yes"
                    | "yeah"
                    | "yea"
                    | "yep"
                    | "yup"
                    | "no"
                    | "nope"
                    | "nah"
                    | "correct"
                    | "right"
                    | "sure"
            )
        })
}
