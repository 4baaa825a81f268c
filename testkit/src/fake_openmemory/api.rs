//! The endpoints: routing, and what add, list, query and delete do to the
//! in-memory state.

use super::*;

pub(super) fn route(shared: &Shared, req: &Req, query_fails: bool) -> Reply {
    use hyper::Method;
    let seg: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let mut state = lock(&shared.state);
    match (&req.method, seg.as_slice()) {
        (&Method::GET, ["health"]) => reply(
            200,
            json!({
                "ok": true,
                "version": "2.0-hsg-tiered",
                "embedding": {"provider": "synthetic", "dimensions": 1536},
                "tier": "hybrid",
                "dim": 1536,
                "cache": 3,
                "expected": {"recall": 98},
            }),
        ),
        (&Method::POST, ["memory", "add"]) => add(&mut state, req),
        (&Method::POST, ["memory", "query"]) => query(&mut state, req, query_fails),
        (&Method::POST, ["memory", "reinforce"]) => {
            if !truthy(req.body.get("id")) {
                return reply(400, json!({"err": "id"}));
            }
            let boost = req.body.get("boost").and_then(Value::as_f64).unwrap_or(0.1);
            match req.body_str("id").and_then(|id| state.get_mut(id)) {
                Some(m) => {
                    m.salience = (m.salience + boost).min(1.0);
                    m.last_seen_at = now_ms();
                    reply(200, json!({"ok": true}))
                }
                None => reply(404, json!({"err": "nf"})),
            }
        }
        (&Method::GET, ["memory", "all"]) => {
            let limit = parse_int(req.query("l"), 100);
            let offset = parse_int(req.query("u"), 0);
            let user = req.query("user_id").filter(|u| !u.is_empty());
            let sector = req.query("sector").filter(|s| !s.is_empty());
            let items = state.newest_first(|m| {
                user.is_none_or(|u| m.user_id == u) && sector.is_none_or(|s| s == SECTOR)
            });
            let items: Vec<Value> = page(items, limit, offset)
                .into_iter()
                .map(|m| {
                    let mut v = item(m);
                    v["user_id"] = json!(m.user_id);
                    v
                })
                .collect();
            reply(200, json!({"items": items}))
        }
        (method @ (&Method::GET | &Method::PATCH | &Method::DELETE), ["memory", id]) => {
            // GET reads the owner check from the query, PATCH from the body,
            // DELETE from either.
            let user = match *method {
                Method::GET => req.query("user_id"),
                Method::PATCH => req.body_str("user_id"),
                _ => req.query("user_id").or_else(|| req.body_str("user_id")),
            }
            .filter(|u| !u.is_empty());
            let Some(m) = state.get(id) else {
                return reply(404, json!({"err": "nf"}));
            };
            if user.is_some_and(|u| u != m.user_id) {
                return reply(403, json!({"err": "forbidden"}));
            }
            let id = id.to_string();
            match *method {
                Method::GET => {
                    let mut v = item(m);
                    v["sectors"] = json!([SECTOR]);
                    v["user_id"] = json!(m.user_id);
                    reply(200, v)
                }
                Method::DELETE => {
                    state.memories.retain(|m| m.id != id);
                    reply(200, json!({"ok": true}))
                }
                _ => {
                    let now = now_ms();
                    if let Some(m) = state.get_mut(&id) {
                        // Stored as given: no truncation, simhash unchanged.
                        if let Some(c) = req.body_str("content") {
                            m.content = c.to_owned();
                        }
                        if let Some(t) = req.body.get("tags") {
                            m.tags = t.clone();
                        }
                        if let Some(md) = req.body.get("metadata") {
                            m.metadata = md.clone();
                        }
                        m.updated_at = now;
                        m.version += 1;
                    }
                    reply(200, json!({"id": id, "updated": true}))
                }
            }
        }
        (&Method::GET, ["users", user, "summary"]) => {
            if state.users.contains(*user) {
                reply(
                    200,
                    json!({
                        "user_id": user,
                        "summary": "User profile initializing...",
                        "reflection_count": 0,
                        "updated_at": now_ms(),
                    }),
                )
            } else {
                reply(404, json!({"error": "user not found"}))
            }
        }
        (&Method::GET, ["users", user, "memories"]) => {
            let limit = parse_int(req.query("l"), 100);
            let offset = parse_int(req.query("u"), 0);
            let items: Vec<Value> = page(state.newest_first(|m| m.user_id == *user), limit, offset)
                .into_iter()
                .map(item)
                .collect();
            reply(200, json!({"user_id": user, "items": items}))
        }
        (&Method::DELETE, ["users", user, "memories"]) => {
            // The newest 10,000, as the real one selects them.
            let doomed: HashSet<String> = state
                .newest_first(|m| m.user_id == *user)
                .into_iter()
                .take(DELETE_BATCH)
                .map(|m| m.id.clone())
                .collect();
            state.memories.retain(|m| !doomed.contains(&m.id));
            reply(200, json!({"ok": true, "deleted": doomed.len()}))
        }
        _ => not_found(),
    }
}

/// A memory as the listing endpoints show it (without `user_id`).
pub(super) fn item(m: &FakeMemory) -> Value {
    json!({
        "id": m.id,
        "content": m.content,
        "tags": m.tags,
        "metadata": m.metadata,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "last_seen_at": m.last_seen_at,
        "salience": m.salience,
        "decay_lambda": DECAY_LAMBDA,
        "primary_sector": SECTOR,
        "version": m.version,
    })
}

pub(super) fn add(state: &mut State, req: &Req) -> Reply {
    let content = match req.body.get("content") {
        c if !truthy(c) => return reply(400, json!({"err": "content"})),
        Some(Value::String(s)) => s.clone(),
        // The real server fails deep inside on a non-string.
        _ => return reply(500, json!({"err": "text.split is not a function"})),
    };
    let hash = simhash(&content);
    // Any user's memory with the same simhash, the most salient first.
    let existing = state
        .memories
        .iter_mut()
        .filter(|m| m.simhash == hash)
        .reduce(|best, m| if m.salience > best.salience { m } else { best });
    if let Some(m) = existing {
        m.salience = (m.salience + 0.15).min(1.0);
        m.last_seen_at = now_ms();
        return reply(
            200,
            json!({"id": m.id, "primary_sector": SECTOR, "sectors": [SECTOR], "deduplicated": true}),
        );
    }
    let user = req
        .body_str("user_id")
        .filter(|u| !u.is_empty())
        .unwrap_or("anonymous");
    let tags = match req.body.get("tags") {
        t if truthy(t) => t.cloned().unwrap_or(Value::Null),
        _ => json!([]),
    };
    let metadata = match req.body.get("metadata") {
        m if truthy(m) => m.cloned().unwrap_or(Value::Null),
        _ => json!({}),
    };
    let id = state.insert(user, stored_content(&content), hash, tags, metadata);
    reply(
        200,
        json!({"id": id, "primary_sector": SECTOR, "sectors": [SECTOR], "chunks": 1}),
    )
}

pub(super) fn query(state: &mut State, req: &Req, fails: bool) -> Reply {
    let q = req.body.get("query").cloned();
    // Internal errors (and a missing query) answer 200 with no matches.
    let Some(Value::String(text)) = q.clone().filter(|_| !fails) else {
        let mut v = json!({"matches": []});
        if let Some(q) = q {
            v["query"] = q;
        }
        return reply(200, v);
    };
    let k = req
        .body
        .get("k")
        .and_then(Value::as_f64)
        .filter(|k| *k >= 1.0)
        .map_or(8, |k| k as usize);
    let user = req
        .body
        .get("filters")
        .and_then(|f| f.get("user_id"))
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .or_else(|| req.body_str("user_id").filter(|u| !u.is_empty()));
    let q_tokens = tokens(&text);
    let score = |m: &FakeMemory| {
        if q_tokens.is_empty() {
            return 0.0;
        }
        let m_tokens = tokens(&m.content);
        q_tokens.intersection(&m_tokens).count() as f64 / q_tokens.len() as f64
    };
    // Crowding: the top k×3 across every user, then the user filter.
    let mut ranked: Vec<(f64, u64, usize)> = state
        .memories
        .iter()
        .enumerate()
        .map(|(i, m)| (score(m), m.seq, i))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let top: Vec<(f64, usize)> = ranked
        .into_iter()
        .take(k.saturating_mul(3))
        .filter(|(_, _, i)| user.is_none_or(|u| state.memories[*i].user_id == u))
        .take(k)
        .map(|(s, _, i)| (s, i))
        .collect();
    let max = top.iter().map(|(s, _)| *s).fold(0.0f64, f64::max);
    let now = now_ms();
    let matches: Vec<Value> = top
        .into_iter()
        .map(|(s, i)| {
            let m = &mut state.memories[i];
            // Every query reinforces what it returns.
            m.salience = (m.salience + 0.1).min(1.0);
            m.last_seen_at = now;
            json!({
                "id": m.id,
                "content": m.content,
                "score": if max > 0.0 { s / max } else { 0.0 },
                "sectors": [SECTOR],
                "primary_sector": SECTOR,
                "path": [m.id],
                "salience": m.salience,
                "last_seen_at": m.last_seen_at,
            })
        })
        .collect();
    reply(200, json!({"query": text, "matches": matches}))
}
