//! `runs.csv`: every run's value of every metric in every year, for analysts who want the
//! distribution itself.

use super::format_value;
use super::metrics::METRICS;
use crate::engine::RunResult;
use crate::scenario::Model;

/// Builds `runs.csv` (`scenario,run,year,metric,unit,value`); `first_run` is the index of `runs[0]`.
pub fn runs_csv(model: &Model, runs: &[RunResult], first_run: u64) -> String {
    let mut out = String::from("scenario,run,year,metric,unit,value\n");
    for (r, run) in runs.iter().enumerate() {
        for (y, row) in run.years.iter().enumerate() {
            for (k, (metric, unit)) in METRICS.iter().enumerate() {
                out.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    model.name,
                    first_run + r as u64,
                    model.year_label(y),
                    metric,
                    unit.as_str(),
                    format_value(row[k], *unit)
                ));
            }
        }
    }
    out
}
