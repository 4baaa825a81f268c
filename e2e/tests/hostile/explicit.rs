//! Explicit cases: body limits, invalid UTF-8, wrong content types, deep nesting, invalid base64 audio.

use super::*;

/// `len` bytes of a valid request: `body` padded with spaces.
fn padded(body: Vec<u8>, len: usize) -> Vec<u8> {
    assert!(body.len() <= len);
    let mut out = body;
    out.resize(len, b' ');
    out
}

#[test]
fn bodies_over_the_limit_are_413() {
    let h = Harness::new();
    for f in [Function::ClientData, Function::SearchData] {
        let at = h.post(f, padded(f.valid_body(), WEBHOOK_LIMIT));
        assert_eq!(at.status, 200, "{f:?} at the limit: {}", at.body);
        let over = h.post(f, padded(f.valid_body(), WEBHOOK_LIMIT + 1));
        assert_eq!(over.status, 413, "{f:?}: {}", over.body);
        assert!(over.body["error"].as_str().unwrap().contains("65536"));
        // Whatever the body is.
        let junk = h.post(f, vec![0xff; 3 * WEBHOOK_LIMIT]);
        assert_eq!(junk.status, 413, "{f:?}");
    }

    // post-call's default limit, signed or not: refused before any hashing.
    let huge = padded(call("conv_huge"), POST_CALL_LIMIT + 1);
    assert_eq!(h.post(Function::PostCall, huge.clone()).status, 413);
    let unsigned = request(
        "POST",
        Function::PostCall.path(),
        vec![("content-type", json_type())],
        huge,
    );
    assert_eq!(h.send(Function::PostCall, unsigned).status, 413);
    assert!(h.stored().is_empty());

    // A configured limit is the limit.
    let small = Harness::with(&[("MAX_BODY_BYTES", "4096")]);
    let over = small.post(Function::PostCall, padded(call("conv_over"), 4097));
    assert_eq!(over.status, 413, "{}", over.body);
    assert!(small.stored().is_empty(), "nothing stored after a 413");
    let at = small.post(Function::PostCall, padded(call("conv_at"), 4096));
    assert_eq!(at.status, 200, "{}", at.body);
}

#[test]
fn invalid_utf8_is_400() {
    let h = Harness::new();
    let broken: [&[u8]; 4] = [b"\xff\xfe", b"\xc0\xaf", b"\xe2\x82", b"\xed\xa0\x80"];
    for bad in broken {
        let wrap = |prefix: &str, suffix: &str| {
            let mut b = prefix.as_bytes().to_vec();
            b.extend_from_slice(bad);
            b.extend_from_slice(suffix.as_bytes());
            b
        };
        for (f, body) in [
            (
                Function::ClientData,
                wrap(r#"{"caller_id":"+1555"#, r#"0002000"}"#),
            ),
            (
                Function::SearchData,
                wrap(r#"{"caller_id":"+15550002000","query":""#, r#""}"#),
            ),
            (
                Function::PostCall,
                wrap(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","transcript":[{"role":"user","message":""#,
                    r#""}]}}"#,
                ),
            ),
        ] {
            let a = h.post(f, body);
            assert_eq!(a.status, 400, "{f:?} {bad:?}: {}", a.body);
            assert!(
                a.body["error"].as_str().unwrap().contains("UTF-8"),
                "{}",
                a.body
            );
        }
    }
    assert!(h.stored().is_empty());
}

#[test]
fn wrong_content_types_are_400() {
    let h = Harness::new();
    for f in ALL {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "text/json",
        ] {
            let req = authorised(f, f.valid_body(), Some(HeaderValue::from_static(ct)));
            let a = h.send(f, req);
            assert_eq!(a.status, 400, "{f:?} {ct}: {}", a.body);
            assert!(
                a.body["error"].as_str().unwrap().contains("JSON"),
                "{}",
                a.body
            );
        }
        // A content type that is not text at all.
        let unreadable = HeaderValue::from_bytes(b"application/\xffjson").unwrap();
        assert_eq!(
            h.send(f, authorised(f, f.valid_body(), Some(unreadable)))
                .status,
            400
        );
        assert!(h.stored().is_empty(), "{f:?}: stored after a 400");
        // The same bodies, declared as JSON (or not declared), are fine.
        for ct in [
            Some(json_type()),
            Some(HeaderValue::from_static("application/json; charset=utf-8")),
            Some(HeaderValue::from_static("application/vnd.elevenlabs+json")),
            None,
        ] {
            let a = h.send(f, authorised(f, f.valid_body(), ct.clone()));
            assert_eq!(a.status, 200, "{f:?} {ct:?}: {}", a.body);
        }
    }
}

#[test]
fn deep_nesting_is_400_without_overflowing_the_stack() {
    let h = Harness::new();
    let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    for deep in [arrays(10_000), objects(10_000), arrays(200)] {
        let hidden = |template: &str| template.replace("DEEP", &deep).into_bytes();
        for (f, body) in [
            (Function::ClientData, deep.clone().into_bytes()),
            (
                Function::ClientData,
                hidden(r#"{"caller_id":"+15550002000","x":DEEP}"#),
            ),
            (Function::SearchData, deep.clone().into_bytes()),
            (
                Function::SearchData,
                hidden(r#"{"query":DEEP,"caller_id":"+15550002000"}"#),
            ),
            (
                Function::SearchData,
                hidden(r#"{"query":"dog","caller_id":"+15550002000","x":DEEP}"#),
            ),
            (Function::PostCall, deep.clone().into_bytes()),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","x":DEEP}}"#,
                ),
            ),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_transcription","data":{"conversation_id":"c1","transcript":[{"tool_calls":[DEEP]}]}}"#,
                ),
            ),
            (
                Function::PostCall,
                hidden(r#"{"type":"a_new_type","data":{"conversation_id":"c1","x":DEEP}}"#),
            ),
            (
                Function::PostCall,
                hidden(
                    r#"{"type":"post_call_audio","x":DEEP,"data":{"conversation_id":"c1","full_audio":"SUQz"}}"#,
                ),
            ),
        ] {
            let a = h.post(f, body);
            assert_eq!(a.status, 400, "{f:?}: {}", a.body);
        }
    }
    assert!(h.stored().is_empty(), "{:?}", h.stored());
    assert_eq!(h.memories_of(CALLER), 0);
    // Nesting within the limit is still fine.
    let a = h.post(
        Function::ClientData,
        format!(r#"{{"caller_id":"+15550002000","x":{}}}"#, arrays(100)).into_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn invalid_base64_audio_is_400_and_not_stored() {
    let h = Harness::new();
    for bad in [
        // ElevenLabs' documentation example: a placeholder, not base64.
        "SUQzBAAAAAAA...base64_encoded_mp3_data...AAAAAAAAAA==",
        "!!!!",
        "",
        "   ",
        "SUQ",
        "SUQzB===",
        "data:audio/mpeg;base64,SUQzBA==",
        "SUQz\u{0}BAAA",
        "SUQzBAAAAAAA\u{1F600}",
    ] {
        let a = h.post(Function::PostCall, audio("conv_bad_audio", bad));
        assert_eq!(a.status, 400, "{bad:?}: {}", a.body);
        assert!(
            a.body["error"].as_str().unwrap().contains("full_audio"),
            "{}",
            a.body
        );
        assert!(h.stored().is_empty(), "{bad:?}: stored");
    }
    let docs = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/tests/fixtures/elevenlabs/post_call_audio.docs_example.json"
    ))
    .unwrap();
    assert_eq!(h.post(Function::PostCall, docs).status, 400);
    assert!(h.stored().is_empty());

    // Valid base64, with or without line breaks, is decoded and stored.
    for (conv, good) in [
        ("conv_audio_1", "SUQzBAAAAAAA"),
        ("conv_audio_2", "SUQz\r\nBAAA\nAAAA"),
    ] {
        let a = h.post(Function::PostCall, audio(conv, good));
        assert_eq!(a.status, 200, "{good:?}: {}", a.body);
        let id = ConversationId::parse(conv).unwrap();
        let mp3 =
            h.rt.block_on(h.payloads.get(&keys::audio(&id)))
                .unwrap()
                .unwrap();
        assert!(mp3.starts_with(b"ID3"), "decoded");
    }
}

#[test]
fn every_rejected_webhook_leaves_no_trace() {
    let h = Harness::new();
    let now = shared::dates::now_unix_secs();
    let body = call("conv_rejected");
    let signed_at = |t: i64| {
        HeaderValue::from_str(&shared::signature::header_value(
            POST_CALL_KEY.as_bytes(),
            t,
            &body,
        ))
        .unwrap()
    };
    let wrong_secret = HeaderValue::from_str(&shared::signature::header_value(
        b"not-the-secret",
        now,
        &body,
    ))
    .unwrap();
    let ct = ("content-type", json_type());
    let mut rejected: Vec<(u16, Request)> = vec![
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone()],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![
                    ct.clone(),
                    ("elevenlabs-signature", signed_at(now - 31 * 60)),
                ],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![
                    ct.clone(),
                    ("elevenlabs-signature", signed_at(now + 6 * 60)),
                ],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone(), ("elevenlabs-signature", wrong_secret)],
                body.clone(),
            ),
        ),
        (
            401,
            request(
                "POST",
                Function::PostCall.path(),
                vec![ct.clone(), ("elevenlabs-signature", signature(&body))],
                {
                    let mut tampered = body.clone();
                    tampered.push(b' ');
                    tampered
                },
            ),
        ),
        (
            405,
            request("GET", Function::PostCall.path(), vec![], Vec::new()),
        ),
        (
            404,
            request("POST", "/webhook/elsewhere", vec![], body.clone()),
        ),
    ];
    for bad_id in [
        "",
        "../../etc/passwd",
        "a/b",
        "conv 1",
        "conv_é",
        &"x".repeat(129),
    ] {
        let bad =
            json!({ "type": "post_call_transcription", "data": { "conversation_id": bad_id } });
        rejected.push((
            400,
            authorised(
                Function::PostCall,
                bad.to_string().into_bytes(),
                Some(json_type()),
            ),
        ));
    }
    for bad in [
        json!({ "type": "post_call_transcription", "data": {} }),
        json!({ "type": "post_call_transcription", "data": { "conversation_id": 42 } }),
        json!({ "type": "post_call_transcription" }),
        json!({ "data": { "conversation_id": "c1" } }),
        json!({ "type": "post_call_transcription", "data": ["agent", "conv_positional"] }),
        json!({ "type": "post_call_audio", "data": { "conversation_id": "c1" } }),
        json!({ "type": "something_new", "data": { "no_conversation": true } }),
        json!(["post_call_transcription", 0, { "conversation_id": "c1" }]),
        json!(null),
    ] {
        rejected.push((
            400,
            authorised(
                Function::PostCall,
                bad.to_string().into_bytes(),
                Some(json_type()),
            ),
        ));
    }
    for (expected, req) in rejected {
        let a = h.send(Function::PostCall, req);
        assert_eq!(a.status, expected, "{}", a.body);
        assert!(h.stored().is_empty(), "stored after a {expected}");
    }
    assert_eq!(h.memories_of(CALLER), 0, "remembered after a rejection");
    // The same call, properly signed, is stored and remembered.
    let a = h.post(Function::PostCall, body);
    assert_eq!(
        (a.status, a.body["memories"].as_str()),
        (200, Some("ingested"))
    );
    assert!(h.memories_of(CALLER) > 0);
}
