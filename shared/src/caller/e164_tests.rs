//! The fast path's table against libphonenumber's metadata, and the fast
//! path against the full parse.

use std::collections::BTreeMap;

use super::*;
use phonenumber::metadata::DATABASE;

/// The table as libphonenumber's metadata gives it. Lengths are the
/// possible lengths of every number type of the code's regions; a leading digit goes into `trunk`
/// when the full parse rewrites (strips a national or carrier prefix from)
/// or refuses any of a fixed sample of numbers starting with it, so the
/// fast path leaves exactly those to the full parse.
fn from_metadata() -> BTreeMap<u16, (u32, String)> {
    let mut lengths: BTreeMap<u16, u32> = BTreeMap::new();
    for meta in DATABASE.iter() {
        let entry = lengths.entry(meta.country_code()).or_default();
        let d = meta.descriptors();
        let kinds = [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        for kind in kinds.into_iter().flatten() {
            for &len in kind.possible_length() {
                *entry |= 1 << len;
            }
        }
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next_digit = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        char::from(b'0' + ((seed >> 33) % 10) as u8)
    };
    lengths
        .into_iter()
        .map(|(code, mask)| {
            let mut trunk = String::new();
            for first in '0'..='9' {
                let rewrites = (1..32usize)
                    .filter(|len| mask & (1 << len) != 0)
                    .flat_map(|len| (0..4).map(move |_| len))
                    .any(|len| {
                        let mut e164 = format!("+{code}{first}");
                        for _ in 1..len {
                            e164.push(next_digit());
                        }
                        phonenumber::parse(None, &e164)
                            .map(|n| n.format().mode(phonenumber::Mode::E164).to_string())
                            .ok()
                            .as_deref()
                            != Some(e164.as_str())
                    });
                if rewrites {
                    trunk.push(first);
                }
            }
            (code, (mask, trunk))
        })
        .collect()
}

#[test]
fn the_table_matches_the_linked_metadata() {
    let expected = from_metadata();
    let actual: BTreeMap<u16, (u32, String)> = CODES
        .iter()
        .map(|c| (c.code, (c.lengths, c.trunk.to_owned())))
        .collect();
    if expected != actual {
        // Regenerate: `cargo test -p shared print_code_table -- --ignored --nocapture`.
        panic!("shared/src/caller/codes.rs is stale; regenerate it");
    }
}

#[test]
#[ignore = "prints shared/src/caller/codes.rs"]
fn print_code_table() {
    println!("//! Country calling codes with possible national number lengths and");
    println!("//! national-prefix digits, generated from libphonenumber's metadata by");
    println!("//! `cargo test -p shared print_code_table -- --ignored --nocapture`.");
    println!("//! Do not edit by hand: a test compares it with the linked metadata.\n");
    println!("use super::e164::Code;\n");
    println!("#[rustfmt::skip]");
    println!("pub const CODES: &[Code] = &[");
    for (code, (lengths, trunk)) in from_metadata() {
        println!("    Code {{ code: {code}, lengths: {lengths:#x}, trunk: {trunk:?} }},");
    }
    println!("];");
}

/// Example numbers of every type of every region: the fast path either
/// agrees with the full parse or leaves the number to it.
#[test]
fn fast_path_agrees_with_the_full_parse_on_every_example_number() {
    use phonenumber::Mode;
    let mut decided = 0;
    for meta in DATABASE.iter() {
        let d = meta.descriptors();
        let kinds = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.voip(),
            d.personal_number(),
        ];
        for example in kinds.into_iter().flatten().filter_map(|k| k.example()) {
            let e164 = format!("+{}{example}", meta.country_code());
            let full = crate::caller::national::parse_plausible(&e164, None).map(|(n, _)| n);
            let full_again = phonenumber::parse(None, &e164)
                .map(|n| n.format().mode(Mode::E164).to_string())
                .ok();
            match check(&e164[1..]) {
                Verdict::Plausible { .. } => {
                    decided += 1;
                    assert_eq!(full.as_deref(), Some(e164.as_str()), "{e164}");
                    assert_eq!(full_again.as_deref(), Some(e164.as_str()), "{e164}");
                }
                Verdict::Invalid => assert_eq!(full, None, "{e164}"),
                Verdict::Undecided => {}
            }
        }
    }
    assert!(
        decided > 500,
        "the fast path decided only {decided} examples"
    );
}

proptest::proptest! {
    /// Random numbers under every assigned code, of every possible length:
    /// when the fast path decides, the full parse decides the same.
    #[test]
    fn fast_path_and_full_parse_agree(pick in 0usize..10_000, body in "[0-9]{17}", extra in 0u32..32) {
        let entry = &CODES[pick % CODES.len()];
        let lens: Vec<usize> = (0..32).filter(|n| entry.lengths & (1 << n) != 0).collect();
        let len = lens[(extra as usize) % lens.len()].min(body.len());
        let e164 = format!("+{}{}", entry.code, &body[..len]);
        let full = crate::caller::national::parse_plausible(&e164, None).map(|(n, _)| n);
        match check(&e164[1..]) {
            Verdict::Plausible { .. } => proptest::prop_assert_eq!(full.as_deref(), Some(e164.as_str())),
            Verdict::Invalid => proptest::prop_assert_eq!(full, None),
            Verdict::Undecided => {}
        }
    }
}
