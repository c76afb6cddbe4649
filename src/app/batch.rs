//! Runs a batch with the chosen engine into a `RunStore`, a chunk of runs at a time so that memory
//! holds one chunk's results whatever the number of runs; and `--until-stable`: batches of runs are
//! added until the final year's median late:early ratio and median children in care settle.

use super::interrupt::Interrupt;
use crate::cli_analysis::Engine;
use crate::engine::{cohort, simulate, RunConfig, RunResult};
use crate::error::Error;
use crate::results::convergence::final_medians;
use crate::results::store::{RunStore, Runs};
use crate::scenario::{validate::MAX_RUNS, Model};
use rayon::prelude::*;
use serde_json::{json, Value};

/// Run `r` of `model` with `engine`.
fn one(model: &Model, engine: Engine, r: u64, cfg: &RunConfig) -> Result<RunResult, Error> {
    match engine {
        Engine::Mc => simulate(model, r, cfg).map_err(|message| Error::Draw { run: r, message }),
        Engine::Cohort => cohort::draw(model, r, cfg.master_seed),
    }
}

/// Runs indices `runs` of `model` with `engine` in parallel and adds their results to `store` in
/// run order, so they do not depend on the thread count. Runs go a chunk at a time, as many as
/// the store holds in memory (at least four a thread). Runs not yet started when `stop` is set
/// are skipped (those under way finish) and `Ok(false)` is returned, so that nothing is written.
/// `tick` is called after each run.
pub fn fill(
    model: &Model,
    engine: Engine,
    runs: std::ops::Range<u64>,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
    stop: &Interrupt,
    store: &mut RunStore,
) -> Result<bool, Error> {
    let mut next = runs.start;
    while next < runs.end {
        let chunk = (store.chunk_runs() as u64).max(4 * rayon::current_num_threads() as u64);
        let end = runs.end.min(next + chunk);
        let out: Vec<Option<RunResult>> = (next..end)
            .into_par_iter()
            .map(|r| {
                if stop.is_set() {
                    return Ok(None);
                }
                let res = one(model, engine, r, cfg)?;
                tick();
                Ok(Some(res))
            })
            .collect::<Result<_, Error>>()?;
        if stop.is_set() || out.iter().any(Option::is_none) {
            return Ok(false);
        }
        for r in out.iter().flatten() {
            store.push(r)?;
        }
        next = end;
    }
    Ok(true)
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

/// Adds batches of `batch` runs to `store` until both final-year medians move by less than `tol`
/// (relative) from one batch to the next, or `MAX_RUNS` is reached; `None` if `stop` was set.
#[allow(clippy::too_many_arguments)]
pub fn until_stable(
    model: &Model,
    engine: Engine,
    batch: u64,
    tol: f64,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
    stop: &Interrupt,
    store: &mut RunStore,
) -> Result<Option<Stability>, Error> {
    let mut st = Stability {
        tolerance: tol,
        converged: false,
        history: Vec::new(),
    };
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-12);
    while (store.count() as u64) < MAX_RUNS {
        let start = store.count() as u64;
        let end = (start + batch).min(MAX_RUNS);
        if !fill(model, engine, start..end, cfg, tick, stop, store)? {
            return Ok(None);
        }
        let (ratio, cic) = final_medians(model, store)?;
        if let Some(&(_, r0, c0)) = st.history.last() {
            if rel(ratio, r0) < tol && rel(cic, c0) < tol {
                st.history.push((end, ratio, cic));
                st.converged = true;
                break;
            }
        }
        st.history.push((end, ratio, cic));
    }
    Ok(Some(st))
}
