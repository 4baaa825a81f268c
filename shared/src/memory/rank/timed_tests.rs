//! Tests of [`super`] (timed.rs), through the ranking.

use crate::memory::rank::rank;
use crate::memory::rank::tests::{ids, said, DAY, NOW};

#[test]
fn a_subject_asked_about_last_time_is_not_crowded_out_by_that_calls_other_turns() {
    // The last call: eleven turns, none about the trip.
    let mut memories: Vec<_> = (0..11)
        .map(|t| {
            said(
                t,
                &format!("Small talk number {t} about the weather."),
                2,
                t as u32,
            )
        })
        .collect();
    memories.push(said(11, "We booked the trip to Lisbon.", 40, 3));
    memories.push(said(12, "The trip to Lisbon was lovely.", 2, 20));
    let ranked = rank(
        "what did I tell you about my trip last time",
        &memories,
        NOW,
    );
    let order = ids(&memories, &ranked);
    // The last call's trip turn first; the older trip turn before every
    // turn of the last call that neither says nor sits next to the trip
    // (m10, said just before m12, is context); those still follow.
    assert_eq!(order[0], "m12");
    let at = |id: &str| order.iter().position(|o| o == id).unwrap();
    assert!(
        (0..10).all(|t| at("m11") < at(&format!("m{t}"))),
        "{order:?}"
    );
    assert_eq!(order.len(), 13);
    // Without a subject, the last call is the answer, in the order said.
    let plain = rank("what did we talk about last time", &memories, NOW);
    assert_eq!(ids(&memories, &plain)[..3], ["m0", "m1", "m2"]);
}

#[test]
fn a_time_before_all_calls_is_read_against_the_callers_newest_call() {
    // The caller's calls stopped 400 days before NOW: "last month" on the
    // wall clock holds none of them, so it means the month before the
    // newest call (the newest is 400 days back, the older one 430).
    let memories = vec![
        said(0, "My sister visited from Spain.", 430, 2),
        said(1, "I'm repainting the kitchen.", 400, 2),
        said(2, "I adopted a cat.", 700, 2),
    ];
    let ranked = rank("what did I tell you last month", &memories, NOW);
    let order = ids(&memories, &ranked);
    assert!(order.contains(&"m0".to_string()), "{order:?}");
    assert!(!order.contains(&"m2".to_string()), "{order:?}");
    // A time the wall clock does find is read against it.
    let recent = vec![
        said(0, "I adopted a cat.", 31, 2),
        said(1, "My sister visited from Spain.", 400, 2),
    ];
    let r = rank("what did I tell you last month", &recent, NOW);
    assert_eq!(ids(&recent, &r), ["m0"]);
    let _ = DAY;
}

#[test]
fn a_year_selects_that_years_calls() {
    // NOW is 2025-06-15; 200 days back is in 2024, 600 days back in 2023.
    let memories = vec![
        said(0, "We went to Japan.", 200, 2),
        said(1, "We went to Peru.", 600, 2),
    ];
    let ranked = rank("where did we go in 2023", &memories, NOW);
    assert_eq!(ids(&memories, &ranked)[0], "m1");
    let ranked = rank("where did we go in 2024", &memories, NOW);
    assert_eq!(ids(&memories, &ranked)[0], "m0");
}

#[test]
fn a_day_is_not_re_read_against_the_newest_call() {
    // "tonight" in what a caller says is about that day: with no call
    // today it selects nothing, and the words decide.
    let memories = vec![
        said(0, "We saw a movie at the Rex.", 30, 2),
        said(1, "I'm baking bread.", 3, 2),
    ];
    let ranked = rank("going to a movie tonight", &memories, NOW);
    assert_eq!(ids(&memories, &ranked), ["m0"]);
}
