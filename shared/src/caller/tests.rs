//! Tests of [`super`] (caller/mod.rs).
use super::*;

fn call(json: &str) -> TranscriptionData {
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_phone_calls_user_id_in_e164_is_the_caller_when_no_number_says_otherwise() {
    let known = |j: &str| {
        Caller::of_call(&call(j), Region::default())
            .known()
            .map(|c| c.0.clone())
    };
    let phone = r#""metadata":{"phone_call":{"direction":"inbound"}}"#;
    // The id client-data answered, as ElevenLabs echoes it.
    assert_eq!(
        known(&format!(
            r#"{{"conversation_id":"c","user_id":"+15550001111",{phone}}}"#
        ))
        .as_deref(),
        Some("+15550001111")
    );
    assert_eq!(
        known(&format!(r#"{{"conversation_id":"c","conversation_initiation_client_data":{{"user_id":"+442079460958"}},{phone}}}"#)).as_deref(),
        Some("+442079460958")
    );
    // A web session chooses its own user id: it is nobody's memory.
    assert_eq!(
        known(r#"{"conversation_id":"c","user_id":"+15550001111"}"#),
        None
    );
    // The phone call's own number wins over any user id.
    assert_eq!(
        known(r#"{"conversation_id":"c","user_id":"+15550001111","conversation_initiation_client_data":{"dynamic_variables":{"system__caller_id":"+15550002222"}}}"#).as_deref(),
        Some("+15550002222")
    );
    // A hashed id, an account number or a national format is nobody.
    for id in [
        "9f86d081884c7d659a2feaa0c55ad015",
        "15550001111",
        "(555) 000-1111",
        "+1 555 000 1111",
        "+",
    ] {
        let j = format!(r#"{{"conversation_id":"c","user_id":"{id}",{phone}}}"#);
        assert_eq!(known(&j), None, "{id}");
    }
}

fn n(s: &str) -> Option<String> {
    CallerId::normalise(s, Region::default()).map(|c| c.0)
}

#[test]
fn normalises_common_formats_to_e164() {
    assert_eq!(n("+15551234567").as_deref(), Some("+15551234567"));
    assert_eq!(n("(415) 555-0134").as_deref(), Some("+14155550134"));
    assert_eq!(n(" +1 415 555 0134 ").as_deref(), Some("+14155550134"));
    assert_eq!(n("+44 20 7946 0958").as_deref(), Some("+442079460958"));
    let gb = Region::parse("gb").unwrap();
    assert_eq!(
        CallerId::normalise("020 7946 0958", gb)
            .map(|c| c.0)
            .as_deref(),
        Some("+442079460958")
    );
}

#[test]
fn withheld_and_invalid_numbers_are_unknown() {
    for s in [
        "",
        "   ",
        "anonymous",
        "Anonymous",
        "unknown",
        "restricted",
        "private",
        "withheld",
        "client:alice",
        "sip:alice@example.com",
        "+",
        "12",
        "0",
        "+999123456789",
        "not a number",
        "+1555123456789012345678",
    ] {
        assert_eq!(n(s), None, "{s:?}");
        assert_eq!(
            Caller::from_raw(Some(s), Region::default()),
            Caller::Unknown
        );
    }
    assert_eq!(Caller::from_raw(None, Region::default()), Caller::Unknown);
}

#[test]
fn no_number_longer_than_e164_allows_is_accepted() {
    // Found by the property test: 16 digits after `+`.
    assert_eq!(
        CallerId::normalise("+8110000000000000", Region::default()),
        None
    );
    assert!(CallerId::normalise("+81312345678", Region::default()).is_some());
}

#[test]
fn distinct_international_numbers_stay_distinct_under_any_region() {
    // Each pair merged into one caller when the default region's
    // national prefix was stripped after the country code.
    let pairs = [
        ("+4915123456789", "+495123456789"),
        ("+43151234567", "+4351234567"),
        ("+33123456789", "+3323456789"),
        ("+441212345678", "+44212345678"),
        ("+8613712345678", "+863712345678"),
        ("+390612345678", "+39612345678"),
    ];
    for region in ["US", "GB", "DE", "IT", "FR", "CN"] {
        let region = Region::parse(region).unwrap();
        for (a, b) in pairs {
            let na = CallerId::normalise(a, region).map(|c| c.0);
            let nb = CallerId::normalise(b, region).map(|c| c.0);
            assert_eq!(na.as_deref(), Some(a), "{a} under {region:?}");
            assert_ne!(na, nb, "{a} and {b} merged under {region:?}");
        }
    }
}

#[test]
fn international_prefixes_read_the_number_without_the_region() {
    let us = Region::default();
    let de = Region::parse("DE").unwrap();
    let gb = Region::parse("GB").unwrap();
    let e = |s: &str, r| CallerId::normalise(s, r).map(|c| c.0);
    assert_eq!(
        e("011 49 151 23456789", us).as_deref(),
        Some("+4915123456789")
    );
    assert_eq!(
        e("0049 151 23456789", de).as_deref(),
        Some("+4915123456789")
    );
    assert_eq!(e("00 1 415 555 0134", gb).as_deref(), Some("+14155550134"));
    // In GB `0113…` is Leeds, not an international prefix.
    assert_eq!(e("0113 496 0000", gb).as_deref(), Some("+441134960000"));
    assert_eq!(e("0151 23456789", de).as_deref(), Some("+4915123456789"));
    assert_eq!(
        e("+44 (0)20 7946 0958", us).as_deref(),
        Some("+442079460958")
    );
}

#[test]
fn withheld_caller_placeholders_are_unknown() {
    for s in [
        "+266696687",
        "+7378742833",
        "+86282452253",
        "+10000000000",
        "+15555555555",
    ] {
        assert_eq!(n(s), None, "{s}");
    }
}

#[test]
fn masks_numbers_for_logs() {
    let id = CallerId::normalise("+15551234567", Region::default()).unwrap();
    assert_eq!(id.masked(), "+1********67");
    assert_eq!(format!("{id}"), "+1********67");
    assert!(!format!("{id:?}").contains("555123"));
    assert_eq!(mask("123"), "***");
}

proptest::proptest! {
    #[test]
    fn normalisation_is_idempotent_and_total(s in ".{0,40}") {
        if let Some(e164) = n(&s) {
            proptest::prop_assert_eq!(n(&e164), Some(e164.clone()));
            proptest::prop_assert!(e164.starts_with('+'));
        }
    }

    /// Distinct plausible E.164 numbers never normalise to one caller,
    /// and each round-trips unchanged.
    #[test]
    fn distinct_e164_numbers_stay_distinct(
        a in 0usize..10_000, b in 0usize..10_000,
        da in "[2-9][0-9]{16}", db in "[2-9][0-9]{16}", la in 0u32..32, lb in 0u32..32,
    ) {
        let make = |pick: usize, digits: &str, l: u32| {
            let entry = &codes::CODES[pick % codes::CODES.len()];
            let lens: Vec<usize> = (0..32).filter(|n| entry.lengths & (1 << n) != 0).collect();
            let len = lens[(l as usize) % lens.len()].min(digits.len());
            // A national (trunk) prefix is not part of an E.164 number.
            let national = &digits[..len];
            let trunk = national.starts_with(|c| entry.trunk.contains(c));
            (!trunk).then(|| format!("+{}{national}", entry.code))
        };
        let (Some(x), Some(y)) = (make(a, &da, la), make(b, &db, lb)) else {
            return Ok(());
        };
        let nx = n(&x);
        let ny = n(&y);
        if let Some(v) = &nx {
            proptest::prop_assert_eq!(v, &x);
        }
        if let Some(v) = &ny {
            proptest::prop_assert_eq!(v, &y);
        }
        if x != y && nx.is_some() {
            proptest::prop_assert_ne!(nx, ny);
        }
    }

    #[test]
    fn digit_strings_are_idempotent(s in "[+]?[0-9 ()-]{0,24}") {
        if let Some(e164) = n(&s) {
            proptest::prop_assert_eq!(n(&e164), Some(e164.clone()));
        }
    }
}
