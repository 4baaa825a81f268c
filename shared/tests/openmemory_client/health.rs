//! Health checks, redirects, and the opt-in run against a real server.

use super::*;

#[tokio::test]
async fn health_checks_the_server_the_key_and_the_multi_user_api() {
    let (fake, store) = fake_and_store().await;
    store.health().await.expect("healthy");
    fake.set_tenant_mode(true);
    assert!(matches!(
        store.health().await,
        Err(MemoryError::UnsupportedServer(_))
    ));
}

/// opt-in: real OpenMemory server. The quirk tests that make sense against a
/// running OpenMemory v1.3.0 at `OPENMEMORY_TEST_URL` (key:
/// `OPENMEMORY_TEST_KEY`); without the variable each returns at once with a
/// note, so `cargo test` and CI never need a server. Run with
/// `OPENMEMORY_TEST_URL=http://127.0.0.1:8080 cargo test -p shared --test openmemory_client real_server`.
/// Users are unique per test (`+1555…@<tag>`): a real server is never empty.
mod real_server {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// The client and the raw settings, or `None` (with a note) when unset.
    fn real() -> Option<(OpenMemoryStore, String, Option<String>)> {
        let Some(url) = std::env::var("OPENMEMORY_TEST_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            eprintln!("skipped: OPENMEMORY_TEST_URL is not set (opt-in: real OpenMemory server)");
            return None;
        };
        let key = std::env::var("OPENMEMORY_TEST_KEY").ok();
        let store =
            OpenMemoryStore::new(&url, key.as_deref(), Duration::from_secs(60)).expect("client");
        Some((store, url.trim_end_matches('/').to_owned(), key))
    }

    /// Caller `n` scoped to a tag unique to this test run and call.
    fn fresh(n: u32) -> MemoryUser {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let id = CallerId::normalise(&format!("+1555000{n:04}"), Region::default())
            .expect("a valid test number");
        let tag = format!("t{nanos}x{}", NEXT.fetch_add(1, Ordering::Relaxed));
        MemoryUser::caller_at_agent(&id, &tag)
    }

    /// What the server itself stored for `user` (raw listing), newest first.
    async fn raw_listing(url: &str, key: Option<&str>, user: &MemoryUser) -> serde_json::Value {
        let enc: String = percent_encoding::utf8_percent_encode(
            user.as_str(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let mut req = reqwest::Client::new().get(format!("{url}/users/{enc}/memories?l=100&u=0"));
        if let Some(key) = key {
            req = req.header("x-api-key", key);
        }
        let resp = req.send().await.expect("raw listing");
        assert!(resp.status().is_success(), "{}", resp.status());
        resp.json().await.expect("JSON")
    }

    fn contents(listing: &serde_json::Value) -> Vec<String> {
        listing["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["content"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn real_server_identical_text_across_callers_keeps_both() {
        let Some((store, url, key)) = real() else {
            return;
        };
        let (a, b) = (fresh(10), fresh(11));
        // Unique per run (the weak simhash may still match an earlier run's).
        let text = format!(
            "I'd like to book a table for two at 7pm on Friday, booking {}.",
            &a.as_str()[a.as_str().len() - 8..]
        );
        let a_id = store.add(&a, &utterance(&text)).await.expect("add a");
        let b_id = store.add(&b, &utterance(&text)).await.expect("add b");
        assert_ne!(a_id, b_id);
        for (user, id) in [(&a, &a_id), (&b, &b_id)] {
            let recent = store.recent(user, 10).await.expect("recent");
            assert_eq!(recent.len(), 1, "{user:?}");
            assert_eq!(&recent[0].id, id);
            assert_eq!(recent[0].content, text);
            let hits = store.query(user, "book a table", 5).await.expect("query");
            assert_eq!(hits.iter().map(|h| &h.id).collect::<Vec<_>>(), [id]);
        }
        // On the server both copies hold the text; at least B's was made
        // distinct (A's too when the weak simhash hit an unrelated memory).
        let a_stored = contents(&raw_listing(&url, key.as_deref(), &a).await);
        let b_stored = contents(&raw_listing(&url, key.as_deref(), &b).await);
        let stem = text.trim_end_matches('.');
        assert!(a_stored[0].starts_with(stem), "{a_stored:?}");
        assert!(b_stored[0].starts_with(stem), "{b_stored:?}");
        assert_ne!(a_stored, b_stored);
    }

    #[tokio::test]
    async fn real_server_long_unpunctuated_text_reads_back_whole() {
        let Some((store, url, key)) = real() else {
            return;
        };
        let user = fresh(30);
        let text = format!(
            "{} ticket {}",
            "we talked about the garden and the new fence and the neighbours dog ".repeat(9),
            &user.as_str()[user.as_str().len() - 8..]
        );
        store.add(&user, &utterance(&text)).await.expect("add");
        let stored = contents(&raw_listing(&url, key.as_deref(), &user).await);
        assert_eq!(stored.len(), 1);
        assert!(!stored[0].is_empty(), "stored empty");
        // Sentence-terminated (plus a re-add clause if it was deduplicated).
        assert!(
            stored[0].ends_with('.') || stored[0].ends_with(".)"),
            "{stored:?}"
        );
        assert_eq!(
            store.recent(&user, 1).await.expect("recent")[0].content,
            text
        );
    }

    #[tokio::test]
    async fn real_server_listing_is_newest_first_and_limited() {
        let Some((store, _, _)) = real() else {
            return;
        };
        let user = fresh(40);
        let mut ids = Vec::new();
        for topic in ["billing", "delivery", "returns", "warranty", "pricing"] {
            let m = utterance(&format!("A question about {topic} came up."));
            ids.push(store.add(&user, &m).await.expect("add"));
        }
        ids.reverse();
        let listed: Vec<String> = store
            .recent(&user, 10)
            .await
            .expect("recent")
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(listed, ids);
        let two: Vec<String> = store
            .recent(&user, 2)
            .await
            .expect("recent")
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(two, ids[..2]);
    }

    #[tokio::test]
    async fn real_server_plus_user_ids_round_trip() {
        let Some((store, url, key)) = real() else {
            return;
        };
        let scoped = fresh(1234);
        // A plain E.164 id too, unique per run by its last digits.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let plain = MemoryUser::caller(
            &CallerId::normalise(
                &format!("+1555{:07}", nanos % 10_000_000),
                Region::default(),
            )
            .expect("number"),
        );
        for user in [plain, scoped] {
            let added = store
                .add(&user, &utterance("Please ship it to the office."))
                .await
                .expect("add");
            // The server keeps the raw id, `+` and all.
            let listing = raw_listing(&url, key.as_deref(), &user).await;
            assert_eq!(listing["user_id"].as_str(), Some(user.as_str()));
            assert_eq!(listing["items"][0]["id"].as_str(), Some(added.as_str()));
            let recent = store.recent(&user, 10).await.expect("recent");
            assert_eq!(recent.len(), 1);
            assert_eq!(recent[0].id, added);
            let hits = store.query(&user, "ship office", 3).await.expect("query");
            assert_eq!(hits.first().map(|m| m.id.as_str()), Some(added.as_str()));
            assert_eq!(store.delete_all(&user).await.expect("delete"), 1);
            assert!(store.recent(&user, 10).await.expect("recent").is_empty());
        }
    }

    #[tokio::test]
    async fn real_server_delete_all_removes_only_that_caller() {
        let Some((store, _, _)) = real() else {
            return;
        };
        let (user, other) = (fresh(50), fresh(51));
        for i in 0..3 {
            let m = utterance(&format!("Forget my old address, number {i}."));
            store.add(&user, &m).await.expect("add");
        }
        for i in 0..2 {
            let m = utterance(&format!("Keep my new address, number {i}."));
            store.add(&other, &m).await.expect("add");
        }
        assert_eq!(store.delete_all(&user).await.expect("delete"), 3);
        assert!(store.recent(&user, 10).await.expect("recent").is_empty());
        assert_eq!(store.delete_all(&user).await.expect("delete"), 0);
        assert_eq!(store.recent(&other, 10).await.expect("recent").len(), 2);
    }

    #[tokio::test]
    async fn real_server_health_passes() {
        let Some((store, _, _)) = real() else {
            return;
        };
        store.health().await.expect("healthy");
    }
}

/// A redirect from the memory server is an error, never followed: the
/// API key rides on every request, and a Referer would name the caller.
#[tokio::test]
async fn a_redirect_is_refused_and_never_carries_the_key_elsewhere() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let elsewhere_hits = Arc::new(AtomicUsize::new(0));
    let hits = elsewhere_hits.clone();
    let elsewhere = testkit::serve::serve(move |_req| {
        let hits = hits.clone();
        async move {
            hits.fetch_add(1, Ordering::SeqCst);
            lambda_http::Response::new(lambda_http::Body::from("{}"))
        }
    })
    .await;
    let target = elsewhere.url();
    let redirecting = testkit::serve::serve(move |req: lambda_http::Request| {
        let to = format!("{target}{}", req.uri().path());
        async move {
            lambda_http::Response::builder()
                .status(307)
                .header("location", to)
                .body(lambda_http::Body::Empty)
                .expect("a response")
        }
    })
    .await;
    let store =
        OpenMemoryStore::new(&redirecting.url(), Some(KEY), Duration::from_secs(5)).unwrap();
    let user = caller(1);
    let err = store.recent(&user, 10).await.unwrap_err();
    assert_clean(&err, &user);
    let err = store.add(&user, &utterance("hello")).await.unwrap_err();
    assert_clean(&err, &user);
    assert_eq!(elsewhere_hits.load(Ordering::SeqCst), 0);
}
