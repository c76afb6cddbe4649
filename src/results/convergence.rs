//! Monte Carlo convergence: the standard error of key metrics' means (sd / sqrt(runs)) by year,
//! and the final-year medians that `run --until-stable` watches.

use super::metrics::{idx, METRICS};
use super::stats::summarise;
use super::store::{Col, Runs};
use crate::error::Error;
use crate::scenario::Model;
use serde_json::{Map, Value};

/// Metrics whose standard errors `summary.json` reports.
pub const KEY_METRICS: [usize; 3] = [idx::RATIO, idx::CIC, idx::LATE_SPEND];

/// Standard error of the mean of `v` (0 for fewer than two values).
pub fn standard_error(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (var / n as f64).sqrt()
}

/// `{metric: {year: standard error}}` for the key metrics.
pub fn standard_errors<R: Runs + ?Sized>(model: &Model, runs: &R) -> Result<Value, Error> {
    let mut out = Map::new();
    for &k in &KEY_METRICS {
        let mut by_year = Map::new();
        for y in 0..model.years {
            let v = runs.column(Col::Metric { y, k })?;
            by_year.insert(model.year_label(y), Value::from(standard_error(&v)));
        }
        out.insert(METRICS[k].0.to_string(), Value::Object(by_year));
    }
    Ok(Value::Object(out))
}

/// Final-year medians of the late:early ratio and children in care.
pub fn final_medians<R: Runs + ?Sized>(model: &Model, runs: &R) -> Result<(f64, f64), Error> {
    let y = model.years - 1;
    let last =
        |k: usize| -> Result<f64, Error> { Ok(summarise(&runs.column(Col::Metric { y, k })?).p50) };
    Ok((last(idx::RATIO)?, last(idx::CIC)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn standard_error_is_sd_over_root_n() {
        // sd of 1..=5 is sqrt(2.5); se = sqrt(2.5 / 5).
        assert_relative_eq!(
            standard_error(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            0.5f64.sqrt(),
            epsilon = 1e-12
        );
        assert_eq!(standard_error(&[3.0]), 0.0);
    }
}
