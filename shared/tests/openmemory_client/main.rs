//! The OpenMemory client against the fake v1.3.0 server over real sockets:
//! encoding of E.164 user ids, error mapping (single-tenant servers, keys,
//! outages, garbage), and the server quirks the client must neutralise
//! (cross-user and colliding dedupe, truncation, capped delete-all, crowded
//! and silently failing queries).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use shared::caller::{CallerId, Region};
use shared::memory::openmemory::OpenMemoryStore;
use shared::memory::{MemoryError, MemoryKind, MemoryStore, MemoryUser, NewMemory};
use testkit::fake_openmemory::{self, FakeOpenMemory, Mode};

mod dedupe;
mod errors;
mod health;
mod reads;

const KEY: &str = "test-key-5f2e";

/// Caller `n`: `+1555000nnnn`.
fn caller(n: u32) -> MemoryUser {
    let id = CallerId::normalise(&format!("+1555000{n:04}"), Region::default())
        .expect("a valid test number");
    MemoryUser::caller(&id)
}

fn utterance(text: &str) -> NewMemory {
    NewMemory::new(MemoryKind::Utterance, text)
}

fn store_for(fake: &FakeOpenMemory, key: Option<&str>, timeout: Duration) -> OpenMemoryStore {
    OpenMemoryStore::new(&fake.url(), key, timeout).expect("client")
}

async fn fake_and_store() -> (FakeOpenMemory, OpenMemoryStore) {
    let fake = FakeOpenMemory::start(Some(KEY)).await;
    let store = store_for(&fake, Some(KEY), Duration::from_secs(5));
    (fake, store)
}

/// Asserts an error message leaks neither the user id nor the key.
fn assert_clean(err: &MemoryError, user: &MemoryUser) {
    let msg = err.to_string();
    let digits = user.as_str().trim_start_matches('+');
    assert!(!msg.contains(digits), "user id in {msg:?}");
    assert!(!msg.contains(KEY), "API key in {msg:?}");
}
