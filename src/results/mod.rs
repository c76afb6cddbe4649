//! Results of a batch of runs: the metric contract (`metrics`), every run's values in bounded
//! memory (`store`), summaries across runs (`stats`), and the exports: `yearly.csv` (`yearly`) and
//! `summary.json` (`summary`) as text, `runs.csv` (`runs`) written a run at a time; scenario
//! comparisons (`compare`: `deltas.csv`, `comparison.json`, with what the spread of each change
//! follows, `drivers`).

pub mod compare;
pub mod convergence;
pub mod drivers;
pub mod metrics;
pub mod policy;
pub mod runs;
pub mod stats;
pub mod store;
pub mod summary;
pub mod yearly;

/// Formats a value for CSV with a fixed number of decimals for its unit (deterministic text).
pub fn format_value(v: f64, unit: metrics::Unit) -> String {
    let v = if v == 0.0 { 0.0 } else { v }; // no "-0"
    match unit {
        metrics::Unit::GbpM => format!("{v:.3}"),
        metrics::Unit::Ratio => format!("{v:.4}"),
        metrics::Unit::Children | metrics::Unit::Families => format!("{v:.1}"),
    }
}
