//! Tests of [`super`]: the staleness rules, the bound, the off switch, and
//! a cached search's store reads. Time is passed in: no sleeps.

use std::sync::atomic::Ordering;

use super::*;
use crate::memory::listing_cache::search_cached;
use crate::memory::search::SearchOptions;
use crate::memory::test_store::{other_user, user, MemStore};
use crate::memory::{MemoryKind, MemoryStore, NewMemory};

const MINUTE: Duration = Duration::from_secs(60);

fn lifetimes(same_call_secs: u64, unkeyed_secs: u64) -> CacheLifetimes {
    CacheLifetimes {
        same_call: Duration::from_secs(same_call_secs),
        unkeyed: Duration::from_secs(unkeyed_secs),
    }
}

fn listing(n: usize) -> Arc<[Memory]> {
    (0..n)
        .map(|i| {
            let id = format!("m{i}");
            Memory::from_parts(id.clone(), id, &[], Default::default(), i as i64)
        })
        .collect()
}

#[test]
fn the_same_call_reuses_its_listing_until_its_lifetime() {
    let cache = ListingCache::new(lifetimes(900, 0), 100);
    let t0 = Instant::now();
    let listed = listing(3);
    cache.put(&user(), Some("conv_a"), 2_000, listed.clone(), t0);
    let got = cache.get(&user(), Some("conv_a"), 2_000, t0 + 10 * MINUTE);
    assert!(
        got.is_some_and(|l| Arc::ptr_eq(&l, &listed)),
        "shared, not copied"
    );
    assert!(cache
        .get(&user(), Some("conv_a"), 2_000, t0 + 15 * MINUTE)
        .is_none());
    assert_eq!(cache.size(), (0, 0), "an expired entry is dropped");
}

#[test]
fn another_call_or_another_caller_lists_again() {
    let cache = ListingCache::new(lifetimes(900, 0), 100);
    let t0 = Instant::now();
    cache.put(&user(), Some("conv_a"), 2_000, listing(3), t0);
    assert!(cache
        .get(&other_user(), Some("conv_a"), 2_000, t0)
        .is_none());
    // A caller calling back a minute later must see the last call.
    assert!(cache
        .get(&user(), Some("conv_b"), 2_000, t0 + MINUTE)
        .is_none());
    assert!(
        cache
            .get(&user(), Some("conv_a"), 2_000, t0 + MINUTE)
            .is_none(),
        "replaced"
    );
    assert_eq!(cache.size(), (0, 0));
}

#[test]
fn without_a_conversation_id_only_the_short_lifetime_holds() {
    // Off by default: nothing kept, nothing reused.
    let cache = ListingCache::new(lifetimes(900, 0), 100);
    let t0 = Instant::now();
    cache.put(&user(), None, 2_000, listing(3), t0);
    assert_eq!(cache.size(), (0, 0));
    assert!(cache.get(&user(), None, 2_000, t0).is_none());
    // A keyed entry serves no unkeyed search and survives it.
    cache.put(&user(), Some("conv_a"), 2_000, listing(3), t0);
    assert!(cache.get(&user(), None, 2_000, t0).is_none());
    assert!(cache.get(&user(), Some("conv_a"), 2_000, t0).is_some());

    let cache = ListingCache::new(lifetimes(900, 5), 100);
    cache.put(&user(), None, 2_000, listing(3), t0);
    let soon = t0 + Duration::from_secs(4);
    assert!(cache.get(&user(), None, 2_000, soon).is_some());
    assert!(cache
        .get(&user(), None, 2_000, t0 + Duration::from_secs(5))
        .is_none());
    // An unkeyed listing is no proof of which call a keyed search is on.
    cache.put(&user(), None, 2_000, listing(3), t0);
    assert!(cache.get(&user(), Some("conv_a"), 2_000, soon).is_none());
    // Never longer than the same-call lifetime.
    let cache = ListingCache::new(lifetimes(2, 60), 100);
    cache.put(&user(), None, 2_000, listing(3), t0);
    assert!(cache
        .get(&user(), None, 2_000, t0 + Duration::from_secs(2))
        .is_none());
}

#[test]
fn zero_turns_the_cache_off() {
    for cache in [
        ListingCache::new(lifetimes(0, 60), 100),
        ListingCache::off(),
    ] {
        let t0 = Instant::now();
        cache.put(&user(), Some("conv_a"), 2_000, listing(3), t0);
        cache.put(&other_user(), None, 2_000, listing(3), t0);
        assert_eq!(cache.size(), (0, 0));
        assert!(cache.get(&user(), Some("conv_a"), 2_000, t0).is_none());
    }
}

#[test]
fn a_listing_serves_only_the_candidates_it_was_read_with() {
    let cache = ListingCache::new(lifetimes(900, 0), 10_000);
    let t0 = Instant::now();
    cache.put(&user(), Some("c"), 500, listing(500), t0);
    assert!(cache.get(&user(), Some("c"), 500, t0).is_some());
    assert!(
        cache.get(&user(), Some("c"), 2_000, t0).is_none(),
        "may be cut"
    );
    assert!(cache.get(&user(), Some("c"), 100, t0).is_none(), "too long");
    // Short of its limit: the caller's whole memory.
    cache.put(&user(), Some("c"), 2_000, listing(40), t0);
    assert!(cache.get(&user(), Some("c"), 3_000, t0).is_some());
    assert!(cache.get(&user(), Some("c"), 40, t0).is_some());
    assert!(cache.get(&user(), Some("c"), 39, t0).is_none());
}

#[test]
fn the_bound_evicts_least_recently_used_whole_listings() {
    let cache = ListingCache::new(lifetimes(900, 0), 10);
    let t0 = Instant::now();
    let users: Vec<MemoryUser> = (0..4)
        .map(|i| {
            let id = crate::caller::CallerId::normalise(
                &format!("+1555000400{i}"),
                crate::caller::Region::default(),
            )
            .unwrap();
            MemoryUser::caller(&id)
        })
        .collect();
    cache.put(&users[0], Some("c0"), 2_000, listing(4), t0);
    cache.put(&users[1], Some("c1"), 2_000, listing(4), t0);
    // Used since: the second is now the least recent.
    assert!(cache.get(&users[0], Some("c0"), 2_000, t0).is_some());
    cache.put(&users[2], Some("c2"), 2_000, listing(4), t0);
    assert_eq!(cache.size(), (2, 8));
    assert!(cache.get(&users[1], Some("c1"), 2_000, t0).is_none());
    assert!(cache.get(&users[0], Some("c0"), 2_000, t0).is_some());
    // Over the bound alone: not kept, and nothing evicted for it.
    cache.put(&users[3], Some("c3"), 2_000, listing(11), t0);
    assert_eq!(cache.size(), (2, 8));
    // Empty listings count as one each, so their number is bounded too.
    let cache = ListingCache::new(lifetimes(900, 0), 2);
    for (i, u) in users.iter().enumerate() {
        cache.put(u, Some(&format!("c{i}")), 2_000, listing(0), t0);
    }
    assert_eq!(cache.size(), (2, 0));
}

async fn store_of(n: usize) -> MemStore {
    let store = MemStore::default();
    for i in 0..n {
        let text = format!("My dog Biscuit likes walk number {i}.");
        store
            .add(&user(), &NewMemory::new(MemoryKind::Utterance, text))
            .await
            .unwrap();
    }
    store
}

#[tokio::test]
async fn a_cached_search_lists_once_per_call_and_ranks_the_same() {
    let store = store_of(5).await;
    let cache = ListingCache::new(lifetimes(900, 0), MAX_CACHED_MEMORIES);
    let (u, options) = (user(), SearchOptions::default());
    let search = |conv: Option<&'static str>| {
        search_cached(&store, &cache, &u, conv, "dog", options, 1_750_000_000)
    };
    let first = search(Some("conv_a")).await.unwrap();
    let second = search(Some("conv_a")).await.unwrap();
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    assert!(!first.from_cache && second.from_cache);
    assert_eq!(first.hits, second.hits);
    assert!(Arc::ptr_eq(&first.listing, &second.listing));
    // A memory added after the call: the next call sees it.
    let text = "My cat is called Pepper.";
    store
        .add(&user(), &NewMemory::new(MemoryKind::Utterance, text))
        .await
        .unwrap();
    let next = search(Some("conv_b")).await.unwrap();
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 2);
    assert_eq!(next.listing.len(), 6);
    // Without a conversation id (unkeyed lifetime 0), every search lists.
    search(None).await.unwrap();
    search(None).await.unwrap();
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_cached_listing_still_runs_the_store_query() {
    let store = store_of(3).await;
    let cache = ListingCache::new(lifetimes(900, 0), MAX_CACHED_MEMORIES);
    let options = SearchOptions {
        store_query: Some(Duration::from_secs(5)),
        ..SearchOptions::default()
    };
    for _ in 0..2 {
        search_cached(&store, &cache, &user(), Some("c"), "dog", options, 0)
            .await
            .unwrap();
    }
    assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
    assert_eq!(store.query_calls.load(Ordering::SeqCst), 2);
}
