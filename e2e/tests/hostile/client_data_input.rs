//! client-data: any bytes, headers, JSON and phone strings.

use super::*;

#[test]
fn client_data_survives_any_bytes_and_headers() {
    let h = Harness::new();
    check(
        256,
        (any_body(), content_type(), auth()),
        |(body, ct, auth)| {
            let mut headers = Vec::new();
            match &auth {
                Auth::Right => headers.push(("authorization", bearer(CLIENT_DATA_KEY))),
                Auth::Missing => {}
                Auth::Wrong(v) => headers.push(("authorization", v.clone())),
            }
            if let Some(ct) = ct {
                headers.push(("content-type", ct));
            }
            let a = h.send(
                Function::ClientData,
                request("POST", Function::ClientData.path(), headers, body),
            );
            assert_documented(Function::ClientData, &a)?;
            match auth {
                Auth::Right => prop_assert!([200, 400].contains(&a.status), "{:?}", a),
                _ => prop_assert_eq!(a.status, 401),
            }
            if a.status == 200 {
                assert_client_data_answer(&a.body)?;
            }
            Ok(())
        },
    );
}

#[test]
fn client_data_answers_any_json_value() {
    let h = Harness::new();
    check(256, json_value(), |v| {
        let a = h.post(Function::ClientData, v.to_string().into_bytes());
        assert_documented(Function::ClientData, &a)?;
        prop_assert!([200, 400].contains(&a.status), "{:?}", a);
        // An object whose known fields are strings or null is a valid
        // request, and a valid request always gets its answer.
        let well_formed = v.as_object().is_some_and(|o| {
            ["caller_id", "agent_id", "called_number", "call_sid"]
                .iter()
                .all(|k| o.get(*k).is_none_or(|x| x.is_null() || x.is_string()))
        });
        if well_formed {
            prop_assert_eq!(a.status, 200, "{}", v);
        }
        if a.status == 200 {
            assert_client_data_answer(&a.body)?;
        }
        Ok(())
    });
}

#[test]
fn client_data_answers_any_caller_id() {
    let h = Harness::new();
    check(256, phone(), |number| {
        let body = json!({ "caller_id": number, "agent_id": "agent_h", "called_number": AGENT_NUMBER, "call_sid": "CA1" });
        let a = h.post(Function::ClientData, body.to_string().into_bytes());
        prop_assert_eq!(a.status, 200, "{:?}: {}", number, a.body);
        assert_client_data_answer(&a.body)?;
        // Nobody has called yet: everyone, known or not, is new.
        for var in ["user_name", "user_profile_summary", "last_call_summary"] {
            prop_assert_eq!(&a.body["dynamic_variables"][var], "");
        }
        prop_assert!(a.body.get("conversation_config_override").is_none());
        Ok(())
    });
}
