//! Finding a caller's most relevant memories: the caller's own memories
//! ranked locally, fused with the store's own answer.
//!
//! The local ranking leads. The store's answer (OpenMemory's vector search)
//! can add what shares no word with the query, but it is noisy: scores are
//! normalised per answer, other callers' vectors crowd it, internal errors
//! answer as "no match", and it knows nothing of time or of which statement
//! is newer. So it only nudges: a memory both rankings found is lifted by a
//! few percent (enough to break a near-tie, never enough to put an old
//! statement above the newer one the local ranking placed first), except
//! for a query naming a time, which the store cannot read; a memory only
//! the store found enters well below the best local matches. Only
//! memories the caller's own listing contains count, and when the store
//! fails or finds nothing the answer is exactly the local ranking.
//!
//! `make eval` measures this against the local ranking alone: reciprocal-
//! rank fusion at half weight (the previous design) lost a quarter of the
//! newest-first answers to the store's opinion; this fusion is never worse
//! on any of its numbers.

use std::collections::HashMap;

use super::rank::rank;
use super::{Memory, MemoryError, MemoryKind, MemoryStore, MemoryUser};

/// Bounds on a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Most memories returned.
    pub limit: usize,
    /// Most characters of content returned, in total.
    pub max_chars: usize,
    /// How many of the caller's newest memories are ranked locally.
    pub candidates: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 5,
            max_chars: 2_000,
            candidates: 2_000,
        }
    }
}

/// A found memory with its fused score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub memory: Memory,
    pub score: f64,
}

/// How much a memory the store also found is lifted, at most (for the
/// store's first match; less further down its list). Below 5 %, so that a
/// statement placed behind a newer one by the local ranking (at 95 % of
/// its score) stays behind it.
const AGREEMENT: f64 = 0.04;
/// A memory only the store found scores this share of the best local
/// match (for the store's first match; less further down): it fills a
/// short answer and passes weak local matches, never strong ones.
const STORE_ONLY: f64 = 0.15;
/// Store rank at which the store's say is halved.
const STORE_RANK_HALF: f64 = 3.0;

/// A hit cut to fit the character budget keeps at least this many
/// characters; below that, the answer stops instead.
const MIN_CUT_CHARS: usize = 24;

/// How many matches to ask the store for: more than the limit, because
/// other callers' memories crowd its candidates and foreign ids are dropped.
pub fn store_k(limit: usize) -> usize {
    limit.saturating_mul(4).max(20)
}

/// The caller's most relevant memories for `query`, best first.
///
/// Fails only when the caller's memories cannot be listed; a failed store
/// query falls back to the local ranking.
pub async fn search(
    store: &dyn MemoryStore,
    user: &MemoryUser,
    query: &str,
    options: SearchOptions,
    now_unix_secs: i64,
) -> Result<Vec<Hit>, MemoryError> {
    if query.trim().is_empty() || options.limit == 0 || options.max_chars == 0 {
        return Ok(Vec::new());
    }
    let (listed, matched) = tokio::join!(
        store.recent(user, options.candidates),
        store.query(user, query, store_k(options.limit)),
    );
    let memories = listed?;
    let local = rank(query, &memories, now_unix_secs);
    let store_ids = match matched {
        Ok(matches) if !matches.is_empty() => matches.into_iter().map(|m| m.id).collect(),
        Ok(_) => {
            tracing::debug!("store query found nothing; local ranking only");
            Vec::new()
        }
        Err(e) => {
            tracing::debug!(error = %e, "store query failed; local ranking only");
            Vec::new()
        }
    };
    // The store cannot read "last month": for a query that names a time
    // its order says nothing, and the local ranking's is kept as is.
    let agreement = !super::rank::names_a_time(query, now_unix_secs);
    let fused = fuse(&memories, &local, &store_ids, agreement);
    Ok(bound(&memories, &fused, options))
}

/// The local ranking, nudged by the store's ids, best first (see the
/// module comment); without `agreement` the store only adds what the local
/// ranking did not find. Store ids that are not among `memories` (another
/// caller's, a deleted one still cached, one beyond the listing), or that
/// are snapshots, are ignored. Ties go to the better local rank.
pub fn fuse(
    memories: &[Memory],
    local: &[(usize, f64)],
    store_ids: &[String],
    agreement: bool,
) -> Vec<(usize, f64)> {
    let lift = if agreement { AGREEMENT } else { 0.0 };
    // index → (fused score, local rank or usize::MAX)
    let mut scores: HashMap<usize, (f64, usize)> = HashMap::with_capacity(local.len());
    for (rank, &(index, score)) in local.iter().enumerate() {
        scores.insert(index, (score, rank));
    }
    if !store_ids.is_empty() {
        let best = local.first().map_or(1.0, |&(_, score)| score);
        let by_id: HashMap<&str, usize> = memories
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind != MemoryKind::Snapshot)
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        let mut store_rank = 0usize;
        let mut seen = Vec::with_capacity(store_ids.len());
        for id in store_ids {
            let Some(&index) = by_id.get(id.as_str()) else {
                continue;
            };
            if seen.contains(&index) {
                continue;
            }
            seen.push(index);
            let say = 1.0 / (1.0 + store_rank as f64 / STORE_RANK_HALF);
            store_rank += 1;
            scores
                .entry(index)
                .and_modify(|(score, _)| *score *= 1.0 + lift * say)
                .or_insert((best * STORE_ONLY * say, usize::MAX));
        }
    }
    let mut fused: Vec<(usize, f64, usize)> = scores
        .into_iter()
        .map(|(index, (score, local_rank))| (index, score, local_rank))
        .collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    fused.into_iter().map(|(i, score, _)| (i, score)).collect()
}

/// The best hits within `limit` and `max_chars` of content in total. Hits
/// are taken whole while they fit; the one that does not is cut at a word
/// (ending in `…`) if a useful part of it fits, and the answer ends there.
/// A memory saying word for word what a better one already said (the same
/// `name: …` fact collected on every call) is skipped: it would only take
/// the place of something new.
fn bound(memories: &[Memory], ranked: &[(usize, f64)], options: SearchOptions) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut used = 0;
    for &(index, score) in ranked {
        if hits.len() == options.limit {
            break;
        }
        let memory = &memories[index];
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        let words = words_of(&memory.content);
        if said.contains(&words) {
            continue;
        }
        said.push(words);
        let room = options.max_chars - used;
        let len = memory.content.chars().count();
        if len <= room {
            used += len;
            hits.push(Hit {
                memory: memory.clone(),
                score,
            });
            continue;
        }
        if room >= MIN_CUT_CHARS.min(options.max_chars) {
            let mut cut = memory.clone();
            cut.content = truncate_at_word(&memory.content, room);
            hits.push(Hit { memory: cut, score });
        }
        break;
    }
    hits
}

/// The words of `text`, lower-cased and single-spaced: what counts as
/// saying the same thing again.
fn words_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// `text` cut to at most `max_chars` characters at a word boundary, with
/// `…` appended when cut (counted in `max_chars`). A first word longer than
/// the room is cut inside.
pub fn truncate_at_word(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Byte offset of the character after the last one that fits with `…`.
    let keep = max_chars - 1;
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    // Cut at the last space when the text continues mid-word.
    let mid_word = !text[end..].starts_with(char::is_whitespace);
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if mid_word && space > 0 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use serde_json::json;

    use super::*;
    use crate::memory::ingest::test_store::{other_user, user, MemStore};
    use crate::memory::{Match, NewMemory};

    const NOW: i64 = 1_750_000_000;

    async fn store_with<S: AsRef<str>>(contents: &[(MemoryKind, S)]) -> MemStore {
        let store = MemStore::default();
        let u = user();
        for (i, (kind, content)) in contents.iter().enumerate() {
            let mut m = NewMemory::new(*kind, content.as_ref());
            m.conversation_id = Some("c1".into());
            m.call_time = Some(NOW - 86_400);
            m.turn = u32::try_from(i).ok();
            if *kind == MemoryKind::Snapshot {
                m.extra.insert("snapshot".into(), json!({"calls": 1}));
            }
            store.add(&u, &m).await.unwrap();
        }
        store
    }

    fn contents(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.memory.content.as_str()).collect()
    }

    fn dogs() -> Vec<(MemoryKind, String)> {
        (0..12)
            .map(|i| {
                let text = format!("The dog number {i} barked loudly at the mailman.");
                (MemoryKind::Utterance, text)
            })
            .collect()
    }

    #[tokio::test]
    async fn search_respects_the_limit_and_runs_both_store_calls() {
        let store = store_with(&dogs()).await;
        let options = SearchOptions {
            limit: 3,
            ..Default::default()
        };
        let hits = search(&store, &user(), "dog", options, NOW).await.unwrap();
        assert_eq!(hits.len(), 3);
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(store.recent_calls.load(Ordering::SeqCst), 1);
        assert_eq!(store.query_calls.load(Ordering::SeqCst), 1);
    }

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
        };
        let hits = search(&store, &user(), "dog", options, NOW).await.unwrap();
        let total: usize = hits.iter().map(|h| h.memory.content.chars().count()).sum();
        assert!(total <= options.max_chars, "{total}");
        assert_eq!(hits.len(), 3);
        assert!(
            hits[2].memory.content.ends_with('…'),
            "{:?}",
            hits[2].memory.content
        );
        // A single hit longer than the whole budget is cut at a word.
        let options = SearchOptions {
            limit: 10,
            max_chars: 30,
            candidates: 100,
        };
        let hits = search(&store, &user(), "dog", options, NOW).await.unwrap();
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
        // Too little room for a useful part: the answer ends before it.
        let options = SearchOptions {
            limit: 10,
            max_chars: each + 5,
            candidates: 100,
        };
        let hits = search(&store, &user(), "dog", options, NOW).await.unwrap();
        assert_eq!(hits.len(), 1);
    }

    #[tokio::test]
    async fn fusion_ignores_foreign_ids_and_snapshots() {
        let store = store_with(&[
            (MemoryKind::Utterance, "My dog is called Biscuit."),
            (MemoryKind::Snapshot, "Caller profile: dog Biscuit."),
            (MemoryKind::Utterance, "I have a cat too."),
        ])
        .await;
        // Another caller's memory, which the store's own query may return.
        store
            .add(
                &other_user(),
                &NewMemory::new(MemoryKind::Utterance, "My dog is Rex."),
            )
            .await
            .unwrap();
        let ids: Vec<String> = store.all(&user()).iter().map(|m| m.id.clone()).collect();
        let foreign = store.all(&other_user())[0].id.clone();
        *store.query_answer.lock().unwrap() = Some(Ok(vec![
            Match {
                id: foreign.clone(),
                score: 1.0,
            },
            Match {
                id: "unknown".into(),
                score: 0.9,
            },
            Match {
                id: ids[1].clone(),
                score: 0.8,
            },
            Match {
                id: ids[2].clone(),
                score: 0.7,
            },
        ]));
        let hits = search(&store, &user(), "dog", SearchOptions::default(), NOW)
            .await
            .unwrap();
        // The local match leads; the store's own find fills in; nothing else.
        assert_eq!(
            contents(&hits),
            vec!["My dog is called Biscuit.", "I have a cat too."]
        );
        assert!(hits.iter().all(|h| h.memory.id != foreign));
    }

    #[tokio::test]
    async fn store_agreement_breaks_near_ties_only() {
        // Two equally good local matches: the store's agreement decides.
        let store = store_with(&[
            (MemoryKind::Utterance, "The dog barked."),
            (MemoryKind::Utterance, "The dog howled."),
        ])
        .await;
        let local = search(&store, &user(), "dog", SearchOptions::default(), NOW)
            .await
            .unwrap();
        let second = local[1].memory.id.clone();
        *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
            id: second.clone(),
            score: 1.0,
        }]));
        let fused = search(&store, &user(), "dog", SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert_eq!(fused[0].memory.id, second);
        assert_eq!(fused.len(), 2);

        // A clearly better local match keeps its place.
        let store = store_with(&[
            (MemoryKind::Utterance, "My dog Biscuit is a beagle."),
            (
                MemoryKind::Utterance,
                "I walked past a dog park and a cat cafe and a bakery today.",
            ),
        ])
        .await;
        let local = search(&store, &user(), "dog beagle", SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert!(local[0].memory.content.contains("beagle"));
        let weaker = local[1].memory.id.clone();
        *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
            id: weaker,
            score: 1.0,
        }]));
        let fused = search(&store, &user(), "dog beagle", SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert!(fused[0].memory.content.contains("beagle"));
    }

    #[tokio::test]
    async fn a_query_naming_a_time_keeps_the_local_order() {
        // Both memories are from yesterday's call and tie on time alone;
        // within the call they come in the order said. The store cannot
        // read "yesterday", so its preference does not reorder them.
        let store = store_with(&[
            (MemoryKind::Utterance, "I need a refill, please."),
            (MemoryKind::Utterance, "And the weather is awful."),
        ])
        .await;
        let query = "what did I call about yesterday";
        let local = search(&store, &user(), query, SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert_eq!(
            contents(&local),
            vec!["I need a refill, please.", "And the weather is awful."]
        );
        *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
            id: local[1].memory.id.clone(),
            score: 1.0,
        }]));
        let fused = search(&store, &user(), query, SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert_eq!(contents(&fused), contents(&local));
    }

    #[tokio::test]
    async fn what_a_better_hit_already_said_is_not_repeated() {
        let store = store_with(&[
            (MemoryKind::Fact, "name: Angelo Rossi."),
            (MemoryKind::Fact, "name: Angelo  Rossi"),
            (MemoryKind::Utterance, "My name is Angelo, with an O."),
        ])
        .await;
        let hits = search(&store, &user(), "name", SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert_eq!(hits.len(), 2, "{:?}", contents(&hits));
        assert_eq!(
            hits.iter()
                .filter(|h| h.memory.kind == MemoryKind::Fact)
                .count(),
            1
        );
        assert_eq!(words_of("Name:  ANGELO rossi!"), "name angelo rossi");
    }

    #[tokio::test]
    async fn a_memory_only_the_store_found_follows_strong_local_matches() {
        let store = store_with(&[
            (MemoryKind::Utterance, "My dog Biscuit is a beagle."),
            (MemoryKind::Utterance, "We got a new kitten last week."),
        ])
        .await;
        let ids: Vec<String> = store.all(&user()).iter().map(|m| m.id.clone()).collect();
        *store.query_answer.lock().unwrap() = Some(Ok(vec![Match {
            id: ids[1].clone(),
            score: 1.0,
        }]));
        let hits = search(&store, &user(), "dog", SearchOptions::default(), NOW)
            .await
            .unwrap();
        assert_eq!(
            contents(&hits),
            vec![
                "My dog Biscuit is a beagle.",
                "We got a new kitten last week."
            ]
        );
        assert!(hits[1].score < hits[0].score * 0.5);
    }

    #[tokio::test]
    async fn a_failed_or_empty_store_query_gives_the_local_ranking() {
        let store = store_with(&dogs()).await;
        let options = SearchOptions {
            limit: 4,
            ..Default::default()
        };
        let memories = store.all(&user());
        let local: Vec<String> = rank("dog mailman", &memories, NOW)
            .into_iter()
            .take(4)
            .map(|(i, _)| memories[i].id.clone())
            .collect();
        for answer in [Err(MemoryError::Unavailable("down".into())), Ok(Vec::new())] {
            *store.query_answer.lock().unwrap() = Some(answer);
            let hits = search(&store, &user(), "dog mailman", options, NOW)
                .await
                .unwrap();
            let ids: Vec<String> = hits.iter().map(|h| h.memory.id.clone()).collect();
            assert_eq!(ids, local);
        }
    }

    #[tokio::test]
    async fn a_failed_listing_fails_and_blank_queries_find_nothing() {
        struct Down;
        #[async_trait::async_trait]
        impl MemoryStore for Down {
            async fn add(&self, _: &MemoryUser, _: &NewMemory) -> Result<String, MemoryError> {
                Err(MemoryError::Unavailable("down".into()))
            }
            async fn recent(&self, _: &MemoryUser, _: usize) -> Result<Vec<Memory>, MemoryError> {
                Err(MemoryError::Unavailable("down".into()))
            }
            async fn query(
                &self,
                _: &MemoryUser,
                _: &str,
                _: usize,
            ) -> Result<Vec<Match>, MemoryError> {
                Ok(Vec::new())
            }
            async fn delete_all(&self, _: &MemoryUser) -> Result<u64, MemoryError> {
                Ok(0)
            }
        }
        let err = search(&Down, &user(), "dog", SearchOptions::default(), NOW).await;
        assert_eq!(err, Err(MemoryError::Unavailable("down".into())));
        let store = store_with(&dogs()).await;
        assert!(search(&store, &user(), "  ", SearchOptions::default(), NOW)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.recent_calls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn the_memory_futures_are_send() {
        // The Lambda runtime runs handlers on a multi-threaded executor.
        fn is_send<T: Send>(_: T) {}
        let store = MemStore::default();
        let u = user();
        let call = crate::models::TranscriptionData::default();
        is_send(search(&store, &u, "dog", SearchOptions::default(), NOW));
        is_send(crate::memory::ingest::ingest(&store, &u, &call, 2));
        is_send(crate::memory::profile::load(&store, &u));
    }

    #[test]
    fn truncate_at_word_cuts_between_words() {
        assert_eq!(truncate_at_word("short", 10), "short");
        assert_eq!(truncate_at_word("hello big world", 12), "hello big…");
        assert_eq!(truncate_at_word("hello big world", 10), "hello big…");
        assert_eq!(truncate_at_word("hello, world", 8), "hello…");
        assert_eq!(truncate_at_word("abcdefghij", 5), "abcd…");
        assert_eq!(truncate_at_word("àéîõü àéîõü", 7), "àéîõü…");
        assert_eq!(truncate_at_word("abc", 0), "");
    }
}
