//! Ctrl-C (SIGINT) and SIGTERM during `run`: the signal only sets a flag; the run checks it before
//! each run starts (`batch::fill`) and before committing each results folder, then stops, removes its
//! temporary folder (earlier results stay untouched) and exits with 130. A second Ctrl-C quits at
//! once; the temporary folder it leaves is hidden and cleared by the next run.

use crate::error::Error;
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

/// The error reported after an interrupt: which scenarios were written and which were not.
pub fn interrupted(written: &[String], not_written: &[String]) -> Error {
    Error::Interrupted {
        written: written.to_vec(),
        not_written: not_written.to_vec(),
    }
}
