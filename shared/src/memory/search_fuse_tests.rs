//! Tests of [`super::fuse`]: the store's agreement never undoes newer-first.

use serde_json::Map;

use super::*;

fn memory(id: &str, call_time: i64) -> Memory {
    Memory {
        id: id.into(),
        content: format!("memory {id}"),
        kind: MemoryKind::Utterance,
        conversation_id: Some(format!("c{call_time}")),
        call_time: Some(call_time),
        turn: Some(0),
        field: None,
        metadata: Map::new(),
        created_at_ms: call_time * 1_000,
    }
}

fn ids(memories: &[Memory], fused: &[(usize, f64)]) -> Vec<String> {
    fused.iter().map(|&(i, _)| memories[i].id.clone()).collect()
}

#[test]
fn a_lift_never_passes_a_newer_call_ranked_above() {
    let memories = [
        memory("new", 2_000),
        memory("old", 1_000),
        memory("older", 500),
    ];
    // Locally: the new statement barely leads the old one.
    let local = [(0, 1.0), (1, 0.99), (2, 0.985)];
    let store = ["old".to_owned(), "older".to_owned()];
    let fused = fuse(&memories, &local, &store, true);
    assert_eq!(ids(&memories, &fused), ["new", "old", "older"]);
    assert!(fused[1].1 <= fused[0].1);
    // The near miss: a lift still passes what is older, or what the
    // store also found.
    let local = [(2, 1.0), (1, 0.99), (0, 0.5)];
    let store = ["old".to_owned()];
    let fused = fuse(&memories, &local, &store, true);
    assert_eq!(ids(&memories, &fused)[0], "old");
    let local = [(0, 1.0), (1, 0.99)];
    let store = ["old".to_owned(), "new".to_owned()];
    let fused = fuse(&memories, &local, &store, true);
    assert_eq!(ids(&memories, &fused), ["new", "old"]);
}
