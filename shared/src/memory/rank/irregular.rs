//! English irregular verbs: a question asks in the base form ("when did I
//! *buy* the car?", "where did we *go*?") and the caller said it in the
//! past ("I *bought* it in May", "we *went* to Lisbon"), which no stemmer
//! joins. Grammar, not a synonym table: every form counts as the word
//! itself.
//!
//! Left out: forms that are mostly other words ("rose", "wound",
//! "ground", "bit", "lay", "bore", "ring", "light"), and verbs whose forms are all
//! the stop words a question is made of (be, have, do, say, tell, know).

/// (base, past, past participle).
const VERBS: &[(&str, &str, &str)] = &[
    ("arise", "arose", "arisen"),
    ("awake", "awoke", "awoken"),
    ("become", "became", "become"),
    ("begin", "began", "begun"),
    ("bend", "bent", "bent"),
    ("bleed", "bled", "bled"),
    ("blow", "blew", "blown"),
    ("break", "broke", "broken"),
    ("breed", "bred", "bred"),
    ("bring", "brought", "brought"),
    ("build", "built", "built"),
    ("burn", "burnt", "burnt"),
    ("buy", "bought", "bought"),
    ("catch", "caught", "caught"),
    ("choose", "chose", "chosen"),
    ("come", "came", "come"),
    ("creep", "crept", "crept"),
    ("deal", "dealt", "dealt"),
    ("dig", "dug", "dug"),
    ("draw", "drew", "drawn"),
    ("dream", "dreamt", "dreamt"),
    ("drink", "drank", "drunk"),
    ("drive", "drove", "driven"),
    ("eat", "ate", "eaten"),
    ("fall", "fell", "fallen"),
    ("feed", "fed", "fed"),
    ("feel", "felt", "felt"),
    ("fight", "fought", "fought"),
    ("find", "found", "found"),
    ("flee", "fled", "fled"),
    ("fly", "flew", "flown"),
    ("forbid", "forbade", "forbidden"),
    ("forget", "forgot", "forgotten"),
    ("forgive", "forgave", "forgiven"),
    ("freeze", "froze", "frozen"),
    ("get", "got", "gotten"),
    ("give", "gave", "given"),
    ("go", "went", "gone"),
    ("grow", "grew", "grown"),
    ("hang", "hung", "hung"),
    ("hear", "heard", "heard"),
    ("hide", "hid", "hidden"),
    ("hold", "held", "held"),
    ("keep", "kept", "kept"),
    ("kneel", "knelt", "knelt"),
    ("lead", "led", "led"),
    ("leap", "leapt", "leapt"),
    ("learn", "learnt", "learnt"),
    ("leave", "left", "left"),
    ("lend", "lent", "lent"),
    ("lose", "lost", "lost"),
    ("make", "made", "made"),
    ("mean", "meant", "meant"),
    ("meet", "met", "met"),
    ("overcome", "overcame", "overcome"),
    ("pay", "paid", "paid"),
    ("ride", "rode", "ridden"),
    ("run", "ran", "run"),
    ("see", "saw", "seen"),
    ("seek", "sought", "sought"),
    ("sell", "sold", "sold"),
    ("send", "sent", "sent"),
    ("shake", "shook", "shaken"),
    ("shine", "shone", "shone"),
    ("shoot", "shot", "shot"),
    ("shrink", "shrank", "shrunk"),
    ("sing", "sang", "sung"),
    ("sink", "sank", "sunk"),
    ("sit", "sat", "sat"),
    ("sleep", "slept", "slept"),
    ("slide", "slid", "slid"),
    ("speak", "spoke", "spoken"),
    ("spend", "spent", "spent"),
    ("spin", "spun", "spun"),
    ("stand", "stood", "stood"),
    ("steal", "stole", "stolen"),
    ("stick", "stuck", "stuck"),
    ("sting", "stung", "stung"),
    ("strike", "struck", "struck"),
    ("swear", "swore", "sworn"),
    ("sweep", "swept", "swept"),
    ("swim", "swam", "swum"),
    ("swing", "swung", "swung"),
    ("take", "took", "taken"),
    ("teach", "taught", "taught"),
    ("tear", "tore", "torn"),
    ("think", "thought", "thought"),
    ("throw", "threw", "thrown"),
    ("understand", "understood", "understood"),
    ("wake", "woke", "woken"),
    ("wear", "wore", "worn"),
    ("weep", "wept", "wept"),
    ("win", "won", "won"),
    ("withdraw", "withdrew", "withdrawn"),
    ("write", "wrote", "written"),
];

/// The other forms of the verb `word` is a form of (lower-case), without
/// `word` itself; empty for any other word.
pub(super) fn other_forms(word: &str) -> impl Iterator<Item = &'static str> + '_ {
    VERBS
        .iter()
        .find(|(base, past, participle)| [base, past, participle].contains(&&word))
        .into_iter()
        .flat_map(|&(base, past, participle)| [base, past, participle])
        .filter(move |form| *form != word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_finds_the_others_and_other_words_find_none() {
        let forms = |w: &str| other_forms(w).collect::<Vec<_>>();
        assert_eq!(forms("buy"), ["bought", "bought"]);
        assert_eq!(forms("went"), ["go", "gone"]);
        assert_eq!(forms("taken"), ["take", "took"]);
        assert!(forms("walk").is_empty());
        assert!(forms("rose").is_empty());
    }

    #[test]
    fn the_table_holds_no_stop_word_and_each_verb_once() {
        let mut bases: Vec<_> = VERBS.iter().map(|v| v.0).collect();
        bases.sort_unstable();
        bases.dedup();
        assert_eq!(bases.len(), VERBS.len());
        for (base, past, participle) in VERBS {
            for form in [base, past, participle] {
                assert!(!super::super::is_stop_word(form), "{form}");
            }
        }
    }
}
