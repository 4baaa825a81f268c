//! Tests of [`super`]'s answer bounds: the character budget and cuts.

use super::tests::{dogs, store_with, NOW};
use super::*;
use crate::memory::test_store::user;

#[tokio::test]
async fn search_respects_the_character_budget() {
    let store = store_with(&dogs()).await;
    let each = "The dog number 1 barked loudly at the mailman."
        .chars()
        .count();
    let options = SearchOptions {
        limit: 10,
        max_chars: 2 * each + 30,
        candidates: 100,
        store_query: None,
    };
    let hits = search(&store, &user(), "dog", options, NOW)
        .await
        .unwrap()
        .hits;
    let total: usize = hits.iter().map(|h| h.memory.content.chars().count()).sum();
    assert!(total <= options.max_chars, "{total}");
    // Three would each be cut below a useful part: two whole ones answer.
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| !h.memory.content.ends_with('…')));
    // With more room, ten long hits share it: all ten, each cut at a word.
    let options = SearchOptions {
        limit: 10,
        max_chars: 10 * 90,
        candidates: 100,
        store_query: None,
    };
    let turns: Vec<(MemoryKind, String)> = (0..12)
        .map(|i| {
            let text = format!("My dog {i} {}", "barked at the mailman again. ".repeat(4));
            (MemoryKind::Utterance, text)
        })
        .collect();
    let long = store_with(&turns).await;
    let hits = search(&long, &user(), "dog", options, NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 10);
    assert!(hits
        .iter()
        .all(|h| h.memory.content.chars().count() <= 90 && h.memory.content.ends_with('…')));
    // A single hit longer than the whole budget is cut at a word.
    let options = SearchOptions {
        limit: 10,
        max_chars: 30,
        candidates: 100,
        store_query: None,
    };
    let hits = search(&store, &user(), "dog", options, NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 1);
    let content = &hits[0].memory.content;
    assert!(
        content.chars().count() <= 30 && content.ends_with('…'),
        "{content}"
    );
    // Cut from the whole memory, at a word.
    let whole = store
        .all(&user())
        .into_iter()
        .find(|m| m.id == hits[0].memory.id)
        .unwrap()
        .content;
    let kept = content.trim_end_matches('…');
    assert!(whole.starts_with(kept), "{content}");
    assert_eq!(whole[kept.len()..].chars().next(), Some(' '), "{content}");
    // Too little room for a useful part of a second hit: one answers.
    let options = SearchOptions {
        limit: 10,
        max_chars: each + 5,
        candidates: 100,
        store_query: None,
    };
    let hits = search(&store, &user(), "dog", options, NOW)
        .await
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 1);
}
