//! `yearly.csv`: one row per scenario, year and metric with mean, p5, p50 and p95 across runs.

use super::format_value;
use super::metrics::METRICS;
use super::stats::summarise;
use super::store::{Col, Runs};
use crate::error::Error;
use crate::scenario::Model;

/// The CSV header, a contract.
pub const HEADER: &str = "scenario,year,metric,unit,mean,p5,p50,p95";

/// Builds `yearly.csv` from runs given in run order.
pub fn yearly_csv<R: Runs + ?Sized>(model: &Model, runs: &R) -> Result<String, Error> {
    let mut out = String::from(HEADER);
    out.push('\n');
    for y in 0..model.years {
        for (k, (metric, unit)) in METRICS.iter().enumerate() {
            let s = summarise(&runs.column(Col::Metric { y, k })?);
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                model.name,
                model.year_label(y),
                metric,
                unit.as_str(),
                format_value(s.mean, *unit),
                format_value(s.p5, *unit),
                format_value(s.p50, *unit),
                format_value(s.p95, *unit),
            ));
        }
    }
    Ok(out)
}
