//! `eval real`: the public real-dialogue sets, dev and test splits,
//! product beside BM25.

use std::time::Instant;

/// The public real-dialogue sets, dev and test (with `dev_only`, dev: the
/// loop while tuning), product beside BM25.
pub async fn public_sets(dev_only: bool) -> Result<bool, String> {
    let mut scores = Vec::new();
    for set in crate::real::SETS {
        if !crate::real::present(set) {
            println!("{set}: not present, skipped");
            continue;
        }
        for split in crate::real::SPLITS {
            if dev_only && split != "dev" {
                continue;
            }
            let started = Instant::now();
            scores.push(crate::real::evaluate(set, split, None).await?);
            eprintln!(
                "eval: {set} {split} took {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!("Public real-dialogue sets (limit 10, embedded store, as search-data runs):\n");
    print!("{}", crate::real::table(&scores));
    Ok(scores.iter().all(|s| s.product.hit10 >= s.baseline.2))
}
