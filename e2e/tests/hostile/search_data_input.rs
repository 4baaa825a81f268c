//! search-data: any search body, caller and limit.

use super::*;

#[test]
fn search_data_survives_any_bytes_and_headers() {
    let h = Harness::new();
    check(
        256,
        (any_body(), content_type(), auth()),
        |(body, ct, auth)| {
            let mut headers = Vec::new();
            match &auth {
                Auth::Right => headers.push(("authorization", bearer(SEARCH_DATA_KEY))),
                Auth::Missing => {}
                Auth::Wrong(v) => headers.push(("authorization", v.clone())),
            }
            if let Some(ct) = ct {
                headers.push(("content-type", ct));
            }
            let a = h.send(
                Function::SearchData,
                request("POST", Function::SearchData.path(), headers, body),
            );
            assert_documented(Function::SearchData, &a)?;
            match auth {
                Auth::Right => prop_assert!([200, 400].contains(&a.status), "{:?}", a),
                _ => prop_assert_eq!(a.status, 401),
            }
            Ok(())
        },
    );
}

/// A search body: each field absent, a plausible value, or any JSON.
fn search_body() -> impl Strategy<Value = Value> {
    let field = |plausible: BoxedStrategy<Value>| {
        prop_oneof![
            1 => Just(None),
            4 => plausible.prop_map(Some),
            1 => json_value().prop_map(Some)
        ]
    };
    (
        field("\\PC{0,40}".prop_map(Value::String).boxed()),
        field(phone().prop_map(Value::String).boxed()),
        field(phone().prop_map(Value::String).boxed()),
        field(
            prop_oneof![
                (0u64..20).prop_map(|n| json!(n)),
                "[0-9 ]{0,3}".prop_map(Value::String)
            ]
            .boxed(),
        ),
        field("[a-z_0-9]{0,12}".prop_map(Value::String).boxed()),
    )
        .prop_map(|(query, caller_id, user_id, limit, agent_id)| {
            let mut o = serde_json::Map::new();
            for (k, v) in [
                ("query", query),
                ("caller_id", caller_id),
                ("user_id", user_id),
                ("limit", limit),
                ("agent_id", agent_id),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), v);
                }
            }
            Value::Object(o)
        })
}

#[test]
fn search_data_answers_any_search_body() {
    let h = Harness::new();
    check(256, search_body(), |body| {
        let a = h.post(Function::SearchData, body.to_string().into_bytes());
        assert_documented(Function::SearchData, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{}: {:?}", body, a);
        if a.status == 200 {
            let answer: SearchResponse = serde_json::from_value(a.body.clone())
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", a.body)))?;
            // The store is empty: nobody is known, nothing is found.
            prop_assert!(!answer.known_caller);
            prop_assert!(answer.memories.is_empty());
        }
        // A plain query for a caller id is always answered.
        let nonblank = |k: &str| body[k].as_str().is_some_and(|s| !s.trim().is_empty());
        let plain = nonblank("query")
            && body["query"].as_str().unwrap().chars().count() <= 1_000
            && nonblank("caller_id")
            && body.get("limit").is_none();
        if plain {
            prop_assert_eq!(a.status, 200, "{}", body);
        }
        Ok(())
    });
}

#[test]
fn search_data_answers_any_caller_id() {
    let h = Harness::new();
    check(
        256,
        phone().prop_filter("blank caller ids are a 400", |s| !s.trim().is_empty()),
        |number| {
            let body = json!({ "query": "dog's name", "caller_id": number });
            let a = h.post(Function::SearchData, body.to_string().into_bytes());
            prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
            let expected = if is_known(&number) {
                search_data::HINT_NEW
            } else {
                search_data::HINT_UNKNOWN
            };
            prop_assert_eq!(&a.body["hint"], expected, "{:?}", number);
            Ok(())
        },
    );
}
