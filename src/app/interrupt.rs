//! Ctrl-C (SIGINT) and SIGTERM during `run`: the signal only sets a flag; the run checks it between
//! batches of Monte Carlo runs and before committing each results folder, then stops, removes its
//! temporary folder (earlier results stay untouched) and exits with 130. A second Ctrl-C quits at
//! once; the temporary folder it leaves is hidden and cleared by the next run.

use crate::engine::{run_batch, RunConfig, RunResult};
use crate::error::Error;
use crate::scenario::Model;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Exit code after an interrupt (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Set when the user asks the run to stop.
#[derive(Debug, Clone)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Installs the handlers for SIGINT and SIGTERM.
    pub fn install() -> Result<Interrupt, Error> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // Registered first, so it sees the flag as the previous signal left it: a second
            // signal exits at once.
            signal_hook::flag::register_conditional_shutdown(sig, EXIT_INTERRUPTED, flag.clone())
                .and_then(|_| signal_hook::flag::register(sig, flag.clone()))
                .map_err(|e| Error::io("cannot install the Ctrl-C handler", e))?;
        }
        Ok(Interrupt(flag))
    }

    /// A flag that no signal sets (for library use and tests).
    pub fn never() -> Interrupt {
        Interrupt(Arc::new(AtomicBool::new(false)))
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Sets the flag, as a signal would.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `runs` in batches of about two per thread, checking `stop` between batches; results are
/// the same as one `run_batch` over the whole range (each run has its own seed and comes back in
/// order). Returns `None` when interrupted.
pub fn run_batches(
    model: &Model,
    runs: u64,
    cfg: &RunConfig,
    tick: &(dyn Fn() + Sync),
    stop: &Interrupt,
) -> Result<Option<Vec<RunResult>>, Error> {
    let chunk = (rayon::current_num_threads() as u64 * 2).max(1);
    let mut out = Vec::with_capacity(runs as usize);
    let mut next = 0;
    while next < runs {
        if stop.is_set() {
            return Ok(None);
        }
        let end = (next + chunk).min(runs);
        out.extend(run_batch(model, next..end, cfg, tick)?);
        next = end;
    }
    Ok(if stop.is_set() { None } else { Some(out) })
}

/// The error reported after an interrupt: which scenarios were written and which were not.
pub fn interrupted(written: &[String], not_written: &[String]) -> Error {
    Error::Interrupted {
        written: written.to_vec(),
        not_written: not_written.to_vec(),
    }
}
