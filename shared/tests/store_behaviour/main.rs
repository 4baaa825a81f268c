//! The `MemoryStore` contract as behaviour any store must show, whatever it
//! runs on: round trips, newest-first order, limits, callers kept apart
//! (also when they say the same thing, and when other callers crowd the
//! store), and deleting one caller.
//!
//! [`behaviour_suite!`] turns the contract into a module of tests for one
//! store. Each test calls the factory for a fresh, empty store; the guard it
//! returns (temp dir, fake server) lives as long as the test.

use std::collections::{HashMap, HashSet};

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use shared::caller::{CallerId, Region};
use shared::memory::embedded::EmbeddedStore;
use shared::memory::{Match, MemoryKind, MemoryStore, MemoryUser, NewMemory};

mod behaviours;
use behaviours::*;

/// Instantiates the contract tests for one store. `$factory` is an async
/// expression giving `(impl MemoryStore, guard)`.
macro_rules! behaviour_suite {
    ($modname:ident, $factory:expr) => {
        mod $modname {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn round_trip_keeps_every_field() {
                let (store, _guard) = $factory.await;
                super::round_trip_keeps_every_field(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn recent_is_newest_first() {
                let (store, _guard) = $factory.await;
                super::recent_is_newest_first(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn recent_respects_the_limit() {
                let (store, _guard) = $factory.await;
                super::recent_respects_the_limit(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fifty_callers_only_ever_see_their_own() {
                let (store, _guard) = $factory.await;
                super::fifty_callers_only_ever_see_their_own(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn same_text_from_two_callers_keeps_two_copies() {
                let (store, _guard) = $factory.await;
                super::same_text_from_two_callers_keeps_two_copies(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn query_finds_a_fact_among_crowding_callers() {
                let (store, _guard) = $factory.await;
                super::query_finds_a_fact_among_crowding_callers(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn query_respects_k_and_any_text() {
                let (store, _guard) = $factory.await;
                super::query_respects_k_and_any_text(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn delete_all_removes_only_that_caller() {
                let (store, _guard) = $factory.await;
                super::delete_all_removes_only_that_caller(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_unknown_caller_has_nothing() {
                let (store, _guard) = $factory.await;
                super::an_unknown_caller_has_nothing(&store).await;
            }
        }
    };
}

behaviour_suite!(embedded, async {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(dir.path().join("memory.db")).expect("open the store");
    (store, dir)
});

behaviour_suite!(openmemory, async {
    let fake = testkit::fake_openmemory::FakeOpenMemory::start(Some("suite-key")).await;
    let store = shared::memory::openmemory::OpenMemoryStore::new(
        &fake.url(),
        Some("suite-key"),
        std::time::Duration::from_secs(10),
    )
    .expect("OpenMemory client");
    (store, fake)
});

// opt-in: real OpenMemory server. The same suite against a running
// OpenMemory v1.3.0 at `OPENMEMORY_TEST_URL` (key: `OPENMEMORY_TEST_KEY`).
// Without the variable each test returns at once with a note, so
// `cargo test` and CI never need a server. Run with
// `OPENMEMORY_TEST_URL=http://127.0.0.1:8080 cargo test -p shared --test store_behaviour openmemory_real`.
behaviour_suite!(openmemory_real, {
    let Some(url) = std::env::var("OPENMEMORY_TEST_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("skipped: OPENMEMORY_TEST_URL is not set (opt-in: real OpenMemory server)");
        return;
    };
    async move {
        let key = std::env::var("OPENMEMORY_TEST_KEY").ok();
        let store = shared::memory::openmemory::OpenMemoryStore::new(
            &url,
            key.as_deref(),
            std::time::Duration::from_secs(60),
        )
        .expect("OpenMemory client");
        (real::Fresh::new(store), ())
    }
});

/// opt-in: real OpenMemory server. A real server cannot be emptied per
/// test, so each test gets users of its own: every user id is scoped to a
/// tag unique to the test (`+1555…@<tag>`, keeping the `+`).
mod real {
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;
    use shared::caller::{CallerId, Region};
    use shared::memory::{Match, Memory, MemoryError, MemoryStore, MemoryUser, NewMemory};

    pub struct Fresh<S> {
        inner: S,
        tag: String,
    }

    impl<S> Fresh<S> {
        pub fn new(inner: S) -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let tag = format!("t{nanos}x{}", NEXT.fetch_add(1, Ordering::Relaxed));
            Self { inner, tag }
        }

        fn user(&self, user: &MemoryUser) -> MemoryUser {
            let id = CallerId::normalise(user.as_str(), Region::default()).expect("a test number");
            MemoryUser::caller_at_agent(&id, &self.tag)
        }
    }

    #[async_trait]
    impl<S: MemoryStore> MemoryStore for Fresh<S> {
        async fn add(&self, user: &MemoryUser, memory: &NewMemory) -> Result<String, MemoryError> {
            self.inner.add(&self.user(user), memory).await
        }

        async fn recent(
            &self,
            user: &MemoryUser,
            limit: usize,
        ) -> Result<Vec<Memory>, MemoryError> {
            self.inner.recent(&self.user(user), limit).await
        }

        async fn query(
            &self,
            user: &MemoryUser,
            query: &str,
            k: usize,
        ) -> Result<Vec<Match>, MemoryError> {
            self.inner.query(&self.user(user), query, k).await
        }

        async fn delete_all(&self, user: &MemoryUser) -> Result<u64, MemoryError> {
            self.inner.delete_all(&self.user(user)).await
        }
    }
}
