//! Routing: unknown paths and methods.

use super::*;

#[test]
fn any_method_and_path_is_routed_or_refused() {
    let h = Harness::new();
    let method = prop_oneof![
        Just("GET"),
        Just("HEAD"),
        Just("POST"),
        Just("PUT"),
        Just("DELETE"),
        Just("PATCH"),
        Just("OPTIONS")
    ];
    let path = prop_oneof![
        "(/[A-Za-z0-9._~-]{1,10}){0,4}",
        Just("/health".to_owned()),
        Just("/prod/health/".to_owned()),
        Just("/webhook/post-call".to_owned()),
        Just("/prod/webhook/client-data".to_owned()),
        Just("/webhook/search-data/".to_owned()),
    ];
    check(
        256,
        (prop::sample::select(ALL.to_vec()), method, path),
        |(f, method, path)| {
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            let a = h.send(f, request(method, &path, vec![], Vec::new()));
            assert_documented(f, &a)?;
            // Nothing here is authorised: only health checks succeed.
            if a.status == 200 {
                prop_assert_eq!(&a.body["ok"], true, "{} {}", method, path);
            }
            prop_assert!(h.stored().is_empty());
            Ok(())
        },
    );
}
