//! Scenario files: the on-disk format (`raw`), loading with `extends` (`load`), parameters and
//! expressions (`params`, `expr`), checking (`validate`), continuing another scenario's runs
//! (`continues`) and the validated `Model` (`model`).

pub mod continues;
pub mod draws;
pub mod dupkeys;
pub mod effects;
pub mod expr;
pub mod levers;
pub mod load;
pub mod model;
pub mod params;
pub mod posterior_draws;
pub mod quantile;
pub mod raw;
pub mod schema;
pub mod validate;

pub use model::Model;

use crate::error::InputErrors;
use std::path::Path;

/// Reads, merges and validates a scenario file.
pub fn load_model(path: &Path) -> Result<Model, InputErrors> {
    let loaded = load::load(path)?;
    validate::validate(&loaded)
}
