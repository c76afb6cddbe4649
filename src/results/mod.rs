//! Results of a batch of runs: the metric contract (`metrics`), summaries across runs (`stats`),
//! and the exports, each returning bytes and doing no I/O: `yearly.csv` (`yearly`), `runs.csv`
//! (`runs`) and `summary.json` (`summary`); scenario comparisons (`compare`: `deltas.csv`,
//! `comparison.json`).

pub mod compare;
pub mod convergence;
pub mod metrics;
pub mod runs;
pub mod stats;
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
