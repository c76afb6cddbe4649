//! The family Monte Carlo engine: per-run tables (`tables`) and the step's view of them
//! (`lookup`), the families in blocks of columns
//! (`block`, `population`), new families (`sampler`, `arrivals`), the monthly step of a block
//! (`step`), the family-help queue (`queue`), spending rules (`budget`), one run (`run`), and many
//! runs in parallel (`run_batch`).

pub mod alias;
pub mod arrivals;
pub mod block;
pub mod budget;
pub mod cohort;
pub mod lookup;
pub mod population;
pub mod queue;
pub mod run;
pub mod sampler;
pub mod step;
pub mod tables;
pub mod year_metrics;

pub use run::{simulate, simulate_seeded, RunConfig, RunResult, Sim};

use crate::error::Error;
use crate::scenario::Model;
use rayon::prelude::*;

/// Runs `runs` (a range of run indices) of `model` in parallel; results come back in run order,
/// so any reduction over them is independent of the thread count. `tick` is called after each run.
pub fn run_batch(
    model: &Model,
    runs: std::ops::Range<u64>,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>, Error> {
    runs.into_par_iter()
        .map(|r| {
            let out = simulate(model, r, cfg).map_err(|message| Error::Draw { run: r, message });
            tick();
            out
        })
        .collect()
}
