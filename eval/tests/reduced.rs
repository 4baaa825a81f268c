//! A reduced evaluation that fails when retrieval quality regresses: the
//! first five callers of the set, ingested through the post-call handler
//! into the embedded store and asked through the search path, with floors
//! a little under what `make eval` measures on the full set.
//!
//! Also checks that `eval/data/` is exactly what the generator writes, and
//! that the set has the shape the evaluation relies on.

use std::collections::{HashMap, HashSet};

use eval::dataset::{Category, Dataset};
use eval::metrics;
use eval::run::{self, Backend, Ranking, Stack};
use serde_json::Value;

/// Floors for the reduced set (the full set measures about 0.98 and 97 %).
const MIN_HIT10: f64 = 0.90;
const MIN_NEWEST_FIRST: f64 = 0.90;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reduced_eval_keeps_quality_and_isolation() {
    let dataset = eval::gen::generate_callers(5);
    assert!(dataset.questions.len() >= 60, "{}", dataset.questions.len());
    let stack = Stack::start(Backend::Embedded).await.unwrap();
    run::ingest(&stack, &dataset).await.unwrap();

    let (fused, handler) = run::ask(&stack, &dataset, Ranking::Fused, true)
        .await
        .unwrap();
    let s = metrics::summarize(&fused);
    assert!(s.hit10 >= MIN_HIT10, "hit@10 {:.3}", s.hit10);
    assert!(
        s.newest_first_share() >= MIN_NEWEST_FIRST,
        "newest first {:?}",
        s.newest_first
    );
    assert!(s.newest_first.1 >= 10, "{:?}", s.newest_first);
    assert_eq!(s.foreign, 0, "results from another caller");
    assert_eq!(handler.ok, handler.asked, "{:?}", handler.failures);

    // Fusion with the store's own ranking never does worse overall.
    let (local, _) = run::ask(&stack, &dataset, Ranking::LocalOnly, false)
        .await
        .unwrap();
    let l = metrics::summarize(&local);
    assert!(s.hit10 >= l.hit10 && s.hit5 >= l.hit5, "{s:?} vs {l:?}");
    assert!(s.newest_first.0 >= l.newest_first.0, "{s:?} vs {l:?}");
    assert_eq!(l.foreign, 0);
}

#[test]
fn committed_set_is_what_the_generator_writes() {
    let dataset = eval::gen::generate();
    let again = eval::gen::generate();
    assert_eq!(dataset, again, "the generator is not deterministic");
    let dir = eval::data_dir();
    for (name, content) in dataset.files().unwrap() {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            on_disk == content,
            "eval/data/{name} is stale: run `make eval` and commit eval/data"
        );
    }
    assert_eq!(Dataset::load(&dir).unwrap(), dataset);
}

#[test]
fn the_set_has_the_shape_the_evaluation_needs() {
    let dataset = eval::gen::generate();
    assert!(dataset.meta.callers.len() >= 20);
    assert!(dataset.questions.len() >= 300);
    for category in Category::ALL {
        let n = dataset
            .questions
            .iter()
            .filter(|q| q.category == category)
            .count();
        assert!(n >= 30, "{} {n}", category.as_str());
    }

    // Each call: an inbound phone call from its caller, with a summary and
    // data collection; user turns by index.
    let mut user_turns: HashMap<String, HashSet<u32>> = HashMap::new();
    let mut starts: Vec<i64> = Vec::new();
    for body in &dataset.calls {
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["type"], "post_call_transcription");
        let data = &v["data"];
        let phone = &data["metadata"]["phone_call"];
        assert_eq!(phone["direction"], "inbound");
        assert_eq!(
            phone["external_number"],
            data["conversation_initiation_client_data"]["dynamic_variables"]["system__caller_id"]
        );
        assert!(data["analysis"]["transcript_summary"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert!(data["analysis"]["data_collection_results"]["name"]["value"].is_string());
        let id = data["conversation_id"].as_str().unwrap().to_owned();
        let turns = data["transcript"].as_array().unwrap();
        let users: HashSet<u32> = turns
            .iter()
            .enumerate()
            .filter(|(_, t)| t["role"] == "user")
            .map(|(i, _)| i as u32)
            .collect();
        assert_eq!(
            dataset.owner_of(&id),
            phone["external_number"].as_str(),
            "{id}"
        );
        user_turns.insert(id, users);
        starts.push(data["metadata"]["start_time_unix_secs"].as_i64().unwrap());
    }
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "delivery order");
    let span_days = (starts[starts.len() - 1] - starts[0]) / 86_400;
    assert!(span_days >= 300, "{span_days}");
    for caller in &dataset.meta.callers {
        assert!(caller.conversations.len() >= 10, "{}", caller.name);
    }

    // Every answer is a caller turn of the asking caller's own calls.
    for q in &dataset.questions {
        assert!(!q.answers.is_empty(), "{}", q.id);
        for a in &q.answers {
            assert_eq!(
                dataset.owner_of(&a.conversation_id),
                Some(q.caller.as_str())
            );
            assert!(
                user_turns[&a.conversation_id].contains(&a.turn),
                "{} {a:?}",
                q.id
            );
        }
        if let Some(newest) = &q.newest {
            assert!(q.changed && q.answers.contains(newest), "{}", q.id);
            // The newest answer comes from a later call than the first one.
            assert_ne!(
                q.answers[0].conversation_id, newest.conversation_id,
                "{}",
                q.id
            );
        }
    }
}

/// A reduced run of each public set's dev and test split: the product is
/// never below the plain BM25 baseline on the same questions.
#[tokio::test]
async fn the_product_is_not_below_bm25_on_the_public_sets() {
    for set in eval::real::SETS {
        assert!(eval::real::present(set), "{set} is vendored in eval/data");
        for split in eval::real::SPLITS {
            let s = eval::real::evaluate(set, split, Some(60)).await.unwrap();
            assert_eq!(s.questions, 60);
            assert!(
                s.product.hit10 >= s.baseline.2,
                "{set} {split}: product hit@10 {:.3} below BM25 {:.3}",
                s.product.hit10,
                s.baseline.2
            );
            assert_eq!(
                s.product.foreign, 0,
                "{set} {split}: another caller's memory came back"
            );
        }
    }
}
