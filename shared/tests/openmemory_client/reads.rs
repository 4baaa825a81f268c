//! Reading back: full text, listing order and limits, delete-all, queries.

use super::*;

#[tokio::test]
async fn long_unpunctuated_text_reads_back_whole_and_is_never_stored_empty() {
    let (fake, store) = fake_and_store().await;
    let user = caller(30);
    let text = "we talked about the garden and the new fence and the neighbours dog "
        .repeat(9)
        .trim()
        .to_owned();
    assert!(text.len() >= 600, "{}", text.len());
    // Sent as is, the fake (like the server) would keep nothing of it.
    assert_eq!(fake_openmemory::stored_content(&text), "");
    store.add(&user, &utterance(&text)).await.expect("add");
    let stored = fake.memories_of(user.as_str());
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].content.is_empty());
    assert!(
        stored[0].content.chars().count() <= 180,
        "{}",
        stored[0].content
    );
    assert!(stored[0].content.ends_with('.'));
    let recent = store.recent(&user, 1).await.expect("recent");
    assert_eq!(recent[0].content, text);
}

#[tokio::test]
async fn listing_is_newest_first_and_limited() {
    let (_fake, store) = fake_and_store().await;
    let user = caller(40);
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
async fn delete_all_repeats_until_the_server_deletes_nothing() {
    let (fake, store) = fake_and_store().await;
    let (user, other) = (caller(50), caller(51));
    fake.seed(user.as_str(), 10_050);
    fake.seed(other.as_str(), 3);
    let before = fake.request_count();
    assert_eq!(store.delete_all(&user).await.expect("delete"), 10_050);
    // 10,000, then 50, then 0.
    assert_eq!(fake.request_count() - before, 3);
    assert!(fake.memories_of(user.as_str()).is_empty());
    assert_eq!(fake.memories_of(other.as_str()).len(), 3);
    assert_eq!(store.delete_all(&user).await.expect("delete"), 0);
}

#[tokio::test]
async fn a_failed_query_is_an_empty_answer_not_an_error() {
    let (fake, store) = fake_and_store().await;
    let user = caller(60);
    store
        .add(&user, &utterance("My parcel went to the wrong address."))
        .await
        .expect("add");
    assert_eq!(
        store
            .query(&user, "parcel address", 3)
            .await
            .expect("query")
            .len(),
        1
    );
    fake.set_query_fails(true);
    let hits = store
        .query(&user, "parcel address", 3)
        .await
        .expect("a 200 is not an error");
    assert!(hits.is_empty());
}

#[tokio::test]
async fn queries_reach_past_other_callers_crowding_the_server() {
    let (fake, store) = fake_and_store().await;
    let user = caller(70);
    let mine = store
        .add(&user, &utterance("My dog is called Rex."))
        .await
        .expect("add");
    // Newer memories of other callers that score as well.
    for i in 0..10 {
        fake.insert(
            caller(71).as_str(),
            &format!("dog rex dog {}", i + 10),
            serde_json::json!([]),
            serde_json::json!({}),
        );
    }
    let hits = store.query(&user, "dog rex", 1).await.expect("query");
    assert_eq!(
        hits.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [mine.as_str()]
    );
}
