//! Analyses built on the cohort engine: sensitivity of a PSA median to each parameter, by
//! re-projecting the runs' own draws (`sensitivity`), calibration of central values to targets
//! (`calibrate`) and Bayesian calibration (`posterior`); the scores of a backtest (`backtest`);
//! and the parts of a change that each driver explains (`decompose`). They work on parameter
//! value vectors and return tables; the application layer runs the batches and writes them.

pub mod backtest;
pub mod calibrate;
pub mod decompose;
pub mod posterior;
pub mod sensitivity;

use crate::engine::cohort;
use crate::results::metrics::{index_of, METRICS};
use crate::scenario::model::parse_year_label;
use crate::scenario::params::ParamSet;
use crate::scenario::Model;

/// Recomputes time paths and derived parameters after some slots were changed.
pub fn recompute_derived(params: &ParamSet, v: &mut [f64]) -> Result<(), String> {
    params
        .recompute(v)
        .map_err(|(name, e)| format!("parameter `{name}`: {e}"))
}

/// A metric in one year or summed over all years.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub metric: usize,
    /// Year index, or `None` for the sum over all years.
    pub year: Option<usize>,
}

impl Measure {
    /// Parses a metric name and a year label (or `all`) against `model`.
    pub fn parse(model: &Model, metric: &str, year: &str) -> Result<Measure, String> {
        let metric = index_of(metric).ok_or_else(|| {
            format!(
                "--metric `{metric}` is not a yearly.csv metric; use one of {}",
                METRICS.map(|m| m.0).join(", ")
            )
        })?;
        if year == "all" {
            return Ok(Measure { metric, year: None });
        }
        let y = parse_year_label(year)
            .map(|s| s - model.start_year)
            .filter(|y| *y >= 0 && (*y as usize) < model.years)
            .ok_or_else(|| {
                format!(
                    "--year `{year}` is not a simulated year; use one from {} to {}, or `all`",
                    model.year_label(0),
                    model.year_label(model.years - 1)
                )
            })?;
        Ok(Measure {
            metric,
            year: Some(y as usize),
        })
    }

    /// Human label, e.g. "late_early_ratio in 2034-35".
    pub fn label(&self, model: &Model) -> String {
        match self.year {
            Some(y) => format!("{} in {}", METRICS[self.metric].0, model.year_label(y)),
            None => format!(
                "{} summed over {} to {}",
                METRICS[self.metric].0,
                model.year_label(0),
                model.year_label(model.years - 1)
            ),
        }
    }

    /// The measure of one cohort projection.
    pub fn of(&self, p: &cohort::Projection) -> f64 {
        match self.year {
            Some(y) => p.years[y][self.metric],
            None => p.years.iter().map(|r| r[self.metric]).sum(),
        }
    }
}
