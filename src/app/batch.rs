//! Runs a batch with the chosen engine, and `--until-stable`: batches of runs are added until the
//! final year's median late:early ratio and median children in care settle.

use crate::cli_analysis::Engine;
use crate::engine::{cohort, run_batch, RunConfig, RunResult};
use crate::error::Error;
use crate::results::convergence::final_medians;
use crate::scenario::{validate::MAX_RUNS, Model};
use serde_json::{json, Value};

/// Runs indices `runs` of `model` with `engine`, results in run order.
pub fn simulate(
    model: &Model,
    engine: Engine,
    runs: std::ops::Range<u64>,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>, Error> {
    match engine {
        Engine::Mc => run_batch(model, runs, cfg, tick),
        Engine::Cohort => cohort::run_draws(model, runs, cfg.master_seed, tick),
    }
}

/// How `--until-stable` went: runs after each batch and the medians it watched.
#[derive(Debug, Clone)]
pub struct Stability {
    pub tolerance: f64,
    pub converged: bool,
    /// (runs so far, median ratio, median children in care) after each batch.
    pub history: Vec<(u64, f64, f64)>,
}

impl Stability {
    pub fn to_json(&self) -> Value {
        json!({
            "tolerance": self.tolerance,
            "converged": self.converged,
            "runs": self.history.last().map_or(0, |h| h.0),
            "batches": self.history.iter().map(|(n, r, c)| json!({
                "runs": n, "median_late_early_ratio": r, "median_children_in_care": c
            })).collect::<Vec<_>>(),
        })
    }
}

/// Adds batches of `batch` runs until both final-year medians move by less than `tol`
/// (relative) from one batch to the next, or `MAX_RUNS` is reached.
pub fn until_stable(
    model: &Model,
    engine: Engine,
    batch: u64,
    tol: f64,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
) -> Result<(Vec<RunResult>, Stability), Error> {
    let mut all: Vec<RunResult> = Vec::new();
    let mut st = Stability {
        tolerance: tol,
        converged: false,
        history: Vec::new(),
    };
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-12);
    while (all.len() as u64) < MAX_RUNS {
        let start = all.len() as u64;
        let end = (start + batch).min(MAX_RUNS);
        all.extend(simulate(model, engine, start..end, cfg, tick)?);
        let (ratio, cic) = final_medians(&all);
        if let Some(&(_, r0, c0)) = st.history.last() {
            if rel(ratio, r0) < tol && rel(cic, c0) < tol {
                st.history.push((end, ratio, cic));
                st.converged = true;
                break;
            }
        }
        st.history.push((end, ratio, cic));
    }
    Ok((all, st))
}
