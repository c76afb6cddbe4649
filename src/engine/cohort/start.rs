//! Where a projection of a scenario that continues another starts: the continued scenario's
//! projection of the same run at the end of its last year (`start`), and a cache of them for
//! analyses that project one run many times (`Starts`).

use super::grid::Grid;
use super::mass::Mass;
use super::{dispatch, initial};
use crate::scenario::Model;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The families a projection of a continuing scenario starts from: the continued scenario's
/// projection of the same run at the end of its last year, on the grid both share.
#[derive(Debug, Clone)]
pub struct Start {
    pub(super) grid: Grid,
    pub(super) mass: Mass,
}

/// The start of run `run` of `model`, if `model` continues a scenario (the continued
/// scenario's own run `run`, whatever the seed of `model`).
pub fn start(model: &Model, run: u64) -> Result<Option<Start>, String> {
    let Some(c) = &model.continues else {
        return Ok(None);
    };
    let values = c.start_values(run)?;
    // The continued scenario's states are the first cells of the grid both share; states a
    // lever adds after them start empty.
    let grid = Grid::new(model);
    let own = grid.first_states(c.model.states.len());
    let mass = initial(&c.model, &own, &values)?;
    let (_, mut mass) = dispatch(&c.model, &values, &own, mass)
        .map_err(|e| format!("continued scenario {}: {e}", c.file))?;
    for part in mass.parts_mut() {
        part.resize(grid.len, 0.0);
    }
    Ok(Some(Start { grid, mass }))
}

/// Starts already projected, by (continued scenario's hash, run): the scenarios of one analysis
/// continuing the same scenario share them.
#[derive(Debug, Default)]
pub struct Starts(Mutex<HashMap<(String, u64), Arc<Start>>>);

impl Starts {
    /// The start of run `run` of `model` (see `start`), projected once.
    pub fn get(&self, model: &Model, run: u64) -> Result<Option<Arc<Start>>, String> {
        let Some(c) = &model.continues else {
            return Ok(None);
        };
        let key = (c.model.hash.clone(), run);
        if let Some(s) = self.0.lock().map_err(|e| e.to_string())?.get(&key) {
            return Ok(Some(s.clone()));
        }
        let s = Arc::new(start(model, run)?.ok_or("no continued scenario")?);
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .insert(key, s.clone());
        Ok(Some(s))
    }
}
