//! `eval run`: the set regenerated, every call ingested through post-call
//! and every question asked through the search path, on the embedded store
//! and on the OpenMemory client against the fake server, then the tables
//! and the goals of issue 7.

use std::time::{Duration, Instant};

use super::generate::generate;
use super::long_history::long_history;
use super::report;
use crate::metrics::{self, ms, Summary};
use crate::run::{self, Backend, Ranking, Stack};

/// The goals of issue 7.
const GOAL_HIT10: f64 = 0.85;
const GOAL_NEWEST_FIRST: f64 = 0.95;
const GOAL_P99_1000: Duration = Duration::from_millis(5);

/// What `eval run` prints and skips.
pub struct Options {
    /// List every miss with its top results.
    pub misses: bool,
    /// List the local ranking's misses instead of the fused ranking's.
    pub local_misses: bool,
    /// Only the embedded store, no long-history caller: for iterating.
    pub quick: bool,
}

/// The whole evaluation, printed; true when the quality goals are met.
pub async fn evaluate(options: Options) -> Result<bool, String> {
    let started = Instant::now();
    let dataset = generate(false)?;
    report::describe(&dataset);

    let mut rows: Vec<(String, Summary)> = Vec::new();

    // The product path: embedded store.
    let stack = Stack::start(Backend::Embedded).await?;
    let took = run::ingest(&stack, &dataset).await?;
    println!(
        "embedded: {} calls ingested through post-call in {:.1} s",
        dataset.calls.len(),
        took.as_secs_f64()
    );
    let (fused, handler) = run::ask(&stack, &dataset, Ranking::Fused, true).await?;
    let (local, _) = run::ask(&stack, &dataset, Ranking::LocalOnly, false).await?;
    let mut embedded = metrics::summarize(&fused);
    embedded.handler = Some(handler.quantiles());
    rows.push(("embedded, fused (as the handler)".into(), embedded.clone()));
    rows.push((
        "embedded, local ranking only".into(),
        metrics::summarize(&local),
    ));

    let heavy = if options.quick {
        None
    } else {
        let heavy = long_history(&stack, options.misses).await?;
        rows.push((
            format!("embedded, 1 caller with {} memories", heavy.0),
            heavy.1.clone(),
        ));
        Some(heavy)
    };
    drop(stack);

    // The OpenMemory client against the fake server.
    let mut comparisons = vec![("embedded", fused.clone(), local.clone())];
    let mut handlers = vec![("embedded", handler)];
    if !options.quick {
        let om = Stack::start(Backend::OpenMemory).await?;
        let took = run::ingest(&om, &dataset).await?;
        println!(
            "openmemory (fake): {} calls ingested through post-call in {:.1} s",
            dataset.calls.len(),
            took.as_secs_f64()
        );
        let (om_fused, om_handler) = run::ask(&om, &dataset, Ranking::Fused, true).await?;
        let (om_local, _) = run::ask(&om, &dataset, Ranking::LocalOnly, false).await?;
        let mut summary = metrics::summarize(&om_fused);
        summary.handler = Some(om_handler.quantiles());
        rows.push(("openmemory (fake), fused".into(), summary));
        rows.push((
            "openmemory (fake), local ranking only".into(),
            metrics::summarize(&om_local),
        ));
        comparisons.push(("openmemory (fake)", om_fused, om_local));
        handlers.push(("openmemory (fake)", om_handler));
    }

    report::runs(&rows);
    let detail = if options.local_misses { &local } else { &fused };
    report::categories(&dataset, detail, options.local_misses);
    report::comparisons(&dataset, &comparisons, options.misses);
    report::handlers(&handlers);
    report::misses(&dataset, detail, options.misses);

    let foreign: usize = rows.iter().map(|(_, s)| s.foreign).sum();
    let quality_ok = embedded.hit10 >= GOAL_HIT10
        && embedded.newest_first_share() >= GOAL_NEWEST_FIRST
        && foreign == 0;
    println!();
    print!(
        "Goals: hit@10 {:.3} (≥ {GOAL_HIT10}) {}; newest first {:.1} % (≥ {:.0} %) {}; foreign results {foreign} (0) {}",
        embedded.hit10,
        report::tick(embedded.hit10 >= GOAL_HIT10),
        embedded.newest_first_share() * 100.0,
        GOAL_NEWEST_FIRST * 100.0,
        report::tick(embedded.newest_first_share() >= GOAL_NEWEST_FIRST),
        report::tick(foreign == 0),
    );
    if let Some((stored, s)) = &heavy {
        print!(
            "; search p99 at {stored} memories {} (≤ {}) {}",
            ms(s.p99),
            ms(GOAL_P99_1000),
            report::tick(s.p99 <= GOAL_P99_1000),
        );
    }
    println!();
    println!("eval took {:.1} s", started.elapsed().as_secs_f64());
    Ok(quality_ok)
}
