//! Tests of the fake against the documented behaviour.
use super::*;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[test]
fn simhash_upper_half_repeats_the_lower_half() {
    for text in ["hello world", "the quick brown fox", "a", ""] {
        let h = simhash(text);
        assert_eq!(h >> 32, h & 0xffff_ffff, "{text}");
    }
    assert_eq!(simhash("!!! ?"), 0);
    assert_eq!(simhash("Hello, WORLD"), simhash("world hello hello"));
    assert_ne!(simhash("hello world"), simhash("goodbye moon"));
}

#[test]
fn simhash_matches_the_real_server() {
    // The server's hex form: nibble k holds bits 4k..4k+3, bit 4k highest.
    let hex = |h: u64| -> String {
        (0..16)
            .map(|k| {
                let n = (0..4).fold(0u32, |n, j| (n << 1) | ((h >> (4 * k + j)) & 1) as u32);
                char::from_digit(n, 16).unwrap_or('?')
            })
            .collect()
    };
    // Observed on OpenMemory v1.3.0 (texts the real tokenizer neither
    // stems nor maps to synonyms).
    assert_eq!(hex(simhash("hello world")), "4918832049188320");
    assert_eq!(hex(simhash("goodbye moon")), "8094480080944800");
    assert_eq!(hex(simhash("the quick brown fox")), "a6018000a6018000");
}

#[test]
fn long_text_keeps_whole_sentences_or_nothing() {
    assert_eq!(stored_content("short"), "short");
    let unpunctuated = "word ".repeat(120);
    assert_eq!(stored_content(&unpunctuated), "");
    let first = "This is the first sentence of a long note.";
    let text = format!(
        "{first} {}",
        "Then another sentence follows here. ".repeat(10)
    );
    let stored = stored_content(&text);
    assert!(stored.starts_with(first), "{stored}");
    assert!(js_len(&stored) <= SUMMARY_MAX_LENGTH, "{}", stored.len());
    assert!(stored.ends_with('.'));
    // Only fragments of 10 characters or fewer: a plain prefix.
    let tiny = "Ok. ".repeat(100);
    assert_eq!(js_len(&stored_content(&tiny)), SUMMARY_MAX_LENGTH);
}

#[test]
fn parse_int_follows_javascript() {
    assert_eq!(parse_int(None, 100), 100);
    assert_eq!(parse_int(Some(""), 100), 100);
    assert_eq!(parse_int(Some("12abc"), 100), 12);
    assert_eq!(parse_int(Some("-1"), 100), -1);
    assert_eq!(parse_int(Some("x"), 100), 100);
    assert_eq!(page(vec![1, 2, 3], -1, -5), vec![1, 2, 3]);
}

#[tokio::test]
async fn auth_accepts_either_header_and_health_is_public() {
    let fake = FakeOpenMemory::start(Some("k1")).await;
    let url = format!("{}/users/u/memories", fake.url());
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "authentication_required");
    let r = client()
        .get(&url)
        .header("x-api-key", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_api_key");
    let r = client().get(&url).bearer_auth("k1").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(&url)
        .header("x-api-key", "k1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(format!("{}/health", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["ok"], true);
    assert_eq!(fake.request_count(), 5);
}

#[tokio::test]
async fn add_validates_content_and_dedupes_across_users() {
    let fake = FakeOpenMemory::start(None).await;
    let add = |body: Value| {
        let url = format!("{}/memory/add", fake.url());
        async move { client().post(url).json(&body).send().await.unwrap() }
    };
    let r = add(json!({"content": "", "user_id": "a"})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"err": "content"}));
    assert_eq!(
        add(json!({"content": 5, "user_id": "a"})).await.status(),
        500
    );
    let first: Value = add(json!({"content": "I like tea.", "user_id": "a"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["chunks"], 1);
    assert!(first.get("deduplicated").is_none());
    let second: Value = add(json!({"content": "tea, I like!", "user_id": "b", "tags": ["x"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["deduplicated"], true);
    assert_eq!(second["id"], first["id"]);
    assert_eq!(fake.count(), 1);
    assert!(fake.memories_of("b").is_empty());
    // Get-by-id checks the owner.
    let id = first["id"].as_str().unwrap();
    let get = |user: &str| {
        let url = format!("{}/memory/{id}?user_id={user}", fake.url());
        async move { client().get(url).send().await.unwrap() }
    };
    assert_eq!(
        get("a").await.json::<Value>().await.unwrap()["user_id"],
        "a"
    );
    let r = get("b").await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"err": "forbidden"})
    );
    let r = client()
        .get(format!("{}/memory/nope", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"err": "nf"}));
}

#[tokio::test]
async fn queries_are_crowded_out_by_other_users() {
    let fake = FakeOpenMemory::start(None).await;
    fake.insert("mine", "my dog is called rex", json!([]), json!({}));
    for i in 0..10 {
        fake.insert("other", &format!("dog rex dog {i}"), json!([]), json!({}));
    }
    let query = |k: usize| {
        let url = format!("{}/memory/query", fake.url());
        async move {
            client()
                .post(url)
                .json(&json!({"query": "dog rex", "k": k, "filters": {"user_id": "mine"}}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(query(1).await["matches"], json!([]));
    let found = query(4).await;
    assert_eq!(found["matches"].as_array().unwrap().len(), 1);
    assert_eq!(found["matches"][0]["score"], 1.0);
    assert!(found["matches"][0].get("user_id").is_none());
    fake.set_query_fails(true);
    assert_eq!(query(4).await, json!({"query": "dog rex", "matches": []}));
}

#[tokio::test]
async fn tenant_mode_refuses_user_scoped_requests_only() {
    let fake = FakeOpenMemory::start(None).await;
    fake.set_tenant_mode(true);
    let r = client()
        .get(format!("{}/users/%2B1555/memories", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "tenant_mismatch");
    let r = client()
        .get(format!("{}/memory/all", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn delete_all_is_capped_and_listing_is_newest_first() {
    let fake = FakeOpenMemory::start(None).await;
    let ids = fake.seed("u", DELETE_BATCH + 5);
    let listed: Value = client()
        .get(format!("{}/users/u/memories?l=3", fake.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let newest: Vec<&str> = ids.iter().rev().take(3).map(String::as_str).collect();
    assert_eq!(listed, newest);
    let delete = || {
        let url = format!("{}/users/u/memories", fake.url());
        async move {
            client()
                .delete(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(delete().await["deleted"], DELETE_BATCH);
    // The newest went first: the oldest five remain.
    let left: Vec<String> = fake.memories_of("u").into_iter().map(|m| m.id).collect();
    let oldest: Vec<String> = ids.iter().take(5).rev().cloned().collect();
    assert_eq!(left, oldest);
    assert_eq!(delete().await, json!({"ok": true, "deleted": 5}));
    assert_eq!(delete().await["deleted"], 0);
}

#[tokio::test]
async fn garbage_mode_answers_non_json_and_drop_stops_the_server() {
    let fake = FakeOpenMemory::start(None).await;
    fake.set_mode(Mode::Garbage);
    let client = client();
    let r = client
        .get(format!("{}/health", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    let url = fake.url();
    drop(fake);
    // Let the aborted tasks wind down, then nothing answers.
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The same client: its pooled connection must be gone too.
    assert!(client.get(format!("{url}/health")).send().await.is_err());
}
