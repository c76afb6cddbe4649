//! Runs a batch with the chosen engine into a `RunStore` in run order, holding only a few runs'
//! results at a time whatever the number of runs; and `--until-stable`: batches of runs are
//! added until the final year's median late:early ratio and median children in care settle.

use super::interrupt::Interrupt;
use crate::cli_analysis::Engine;
use crate::engine::{cohort, simulate, RunConfig, RunResult};
use crate::error::Error;
use crate::results::convergence::final_medians;
use crate::results::store::{RunStore, Runs};
use crate::scenario::{validate::MAX_RUNS, Model};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Runs `0..s.runs` of `model` with `engine` (seed and scale from `s`) on `threads` workers (all
/// cores when `None`), with a progress bar, into a new store whose overflow goes into `dir`.
pub(super) fn run_all(
    model: &Model,
    engine: Engine,
    s: &super::Settings,
    threads: Option<usize>,
    dir: &std::path::Path,
) -> Result<RunStore, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let cfg = RunConfig {
        master_seed: s.seed,
        scale: s.scale,
    };
    let bar = super::progress::bar(s.runs, &model.name);
    let mut store = RunStore::new(dir);
    let never = Interrupt::never();
    pool.install(|| {
        fill(
            model,
            engine,
            0..s.runs,
            &cfg,
            &|| bar.inc(1),
            &never,
            &mut store,
        )
    })?;
    bar.finish_and_clear();
    Ok(store)
}

/// Run `r` of `model` with `engine`.
fn one(model: &Model, engine: Engine, r: u64, cfg: &RunConfig) -> Result<RunResult, Error> {
    match engine {
        Engine::Mc => simulate(model, r, cfg).map_err(|message| Error::Draw { run: r, message }),
        Engine::Cohort => cohort::draw(model, r, cfg.master_seed),
    }
}

/// Runs started at a time: each is a small job, so memory for them does not grow with runs.
const WINDOW: u64 = 1024;

/// Runs finished but not yet in the store, waiting for an earlier run, and the first error.
struct Ordered<'a> {
    /// The next run the store takes.
    next: u64,
    waiting: BTreeMap<u64, RunResult>,
    store: &'a mut RunStore,
    /// The error of the lowest-numbered run that failed, or of the store.
    error: Option<(u64, Error)>,
}

impl Ordered<'_> {
    /// Takes run `r`'s outcome and moves every run now in order into the store.
    fn take(&mut self, r: u64, outcome: Result<RunResult, Error>) {
        match outcome {
            Ok(res) => {
                self.waiting.insert(r, res);
            }
            Err(e) => return self.fail(r, e),
        }
        while let Some(res) = self.waiting.remove(&self.next) {
            if let Err(e) = self.store.push(&res) {
                return self.fail(self.next, e);
            }
            self.next += 1;
        }
    }

    fn fail(&mut self, r: u64, e: Error) {
        if self.error.as_ref().is_none_or(|(first, _)| r < *first) {
            self.error = Some((r, e));
        }
    }
}

/// Runs `runs` of `model` on `pool` into a new store spilled under `out`, with a progress bar
/// labelled `label` on a terminal: `fill` for commands that run one scenario after another.
/// Returns the store and whether every run finished (see `fill`).
#[allow(clippy::too_many_arguments)]
pub fn fill_new(
    pool: &rayon::ThreadPool,
    model: &Model,
    engine: Engine,
    runs: std::ops::Range<u64>,
    cfg: &RunConfig,
    stop: &Interrupt,
    out: &std::path::Path,
    label: &str,
) -> Result<(RunStore, bool), Error> {
    let bar = super::progress::bar(runs.end - runs.start, label);
    let mut store = RunStore::new(out);
    let done = pool.install(|| fill(model, engine, runs, cfg, &|| bar.inc(1), stop, &mut store))?;
    bar.finish_and_clear();
    Ok((store, done))
}

/// Runs indices `runs` of `model` with `engine` in parallel and adds their results to `store` in
/// run order, so they do not depend on the thread count. Workers take runs in order, one at a
/// time, and a finished run waits only for earlier runs still under way, so memory holds a few
/// runs' results beyond the store's. Runs not yet started when `stop` is set are skipped (those
/// under way finish) and `Ok(false)` is returned, so that nothing is written. `tick` is called
/// after each run.
pub fn fill(
    model: &Model,
    engine: Engine,
    runs: std::ops::Range<u64>,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
    stop: &Interrupt,
    store: &mut RunStore,
) -> Result<bool, Error> {
    let ordered = Mutex::new(Ordered {
        next: runs.start,
        waiting: BTreeMap::new(),
        store,
        error: None,
    });
    let lock = || ordered.lock().unwrap_or_else(PoisonError::into_inner);
    let failed = AtomicBool::new(false);
    let mut start = runs.start;
    while start < runs.end && !stop.is_set() && !failed.load(Ordering::Relaxed) {
        let end = runs.end.min(start + WINDOW);
        // Each job takes the next run, so runs start in order whichever job a worker picks up.
        let claim = AtomicU64::new(start);
        rayon::scope_fifo(|s| {
            for _ in start..end {
                s.spawn_fifo(|_| {
                    let r = claim.fetch_add(1, Ordering::Relaxed);
                    if stop.is_set() || failed.load(Ordering::Relaxed) {
                        return;
                    }
                    let outcome = one(model, engine, r, cfg);
                    tick();
                    let mut o = lock();
                    o.take(r, outcome);
                    if o.error.is_some() {
                        failed.store(true, Ordering::Relaxed);
                    }
                });
            }
        });
        start = end;
    }
    let o = ordered.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, e)) = o.error {
        return Err(e);
    }
    Ok(o.next == runs.end && !stop.is_set())
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
