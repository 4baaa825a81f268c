//! Latency samples, percentiles and the one results table.

use std::fmt::Write as _;
use std::time::Duration;

/// Durations of one measurement.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Duration>) {
        self.0.extend(ds);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Nearest-rank percentile (`p` in 0..=100): a value that was measured,
    /// never an interpolation between two.
    pub fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    pub fn p50(&self) -> Duration {
        self.pct(50.0)
    }

    pub fn p99(&self) -> Duration {
        self.pct(99.0)
    }

    /// The p99 of each of `batches` consecutive slices of the samples:
    /// their median and their worst. On a shared machine another process
    /// can stall one stretch of a run; it then spoils one batch's p99, not
    /// the median of them.
    pub fn batch_p99(&self, batches: usize) -> (Duration, Duration) {
        let size = (self.0.len() / batches.max(1)).max(1);
        let mut p99s: Vec<Duration> = self
            .0
            .chunks(size)
            .map(|c| Samples(c.to_vec()).p99())
            .collect();
        p99s.sort_unstable();
        let worst = p99s.last().copied().unwrap_or_default();
        (p99s.get(p99s.len() / 2).copied().unwrap_or_default(), worst)
    }
}

/// Milliseconds, with the precision the magnitude deserves.
pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1_000.0;
    if v < 10.0 {
        format!("{v:.3} ms")
    } else if v < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

/// `d - minus`, or zero.
pub fn above(d: Duration, minus: Duration) -> Duration {
    d.saturating_sub(minus)
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Whether a row has a goal, and whether it was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// Context for another row; no goal of its own.
    Info,
}

impl Verdict {
    pub fn of(met: bool) -> Self {
        if met {
            Self::Met
        } else {
            Self::Missed
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Met => "yes",
            Self::Missed => "**no**",
            Self::Info => "",
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub result: String,
    pub goal: String,
    pub verdict: Verdict,
}

impl Row {
    pub fn new(
        section: &'static str,
        what: impl Into<String>,
        result: impl Into<String>,
        goal: impl Into<String>,
        verdict: Verdict,
    ) -> Self {
        Self {
            section,
            what: what.into(),
            result: result.into(),
            goal: goal.into(),
            verdict,
        }
    }

    pub fn info(section: &'static str, what: impl Into<String>, result: impl Into<String>) -> Self {
        Self::new(section, what, result, "", Verdict::Info)
    }
}

/// The rows as a Markdown table, ready to paste into the README.
pub fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| area | measurement | result | goal | met |\n|---|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.section,
            r.what,
            r.result,
            r.goal,
            r.verdict.label()
        );
    }
    out
}
