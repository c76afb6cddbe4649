//! What a result folder given on the command line is: one scenario's results (`run`) or a
//! comparison (`compare`); `chart` and `report` accept both and refuse anything else alike.

use crate::error::Error;
use std::path::Path;

/// The kinds of folder carecast writes results into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFolder {
    /// `<out>/<scenario>`: `summary.json` and `yearly.csv`.
    Run,
    /// `<out>/<comparison-name>`: `comparison.json`, `deltas.csv` and each scenario's folder.
    Comparison,
}

/// Which kind of result folder `dir` is, or an error saying what was expected.
pub fn kind(dir: &Path) -> Result<ResultFolder, Error> {
    if dir.join("comparison.json").is_file() {
        Ok(ResultFolder::Comparison)
    } else if dir.join("summary.json").is_file() && dir.join("yearly.csv").is_file() {
        Ok(ResultFolder::Run)
    } else {
        Err(not_a_result_folder(dir))
    }
}

/// The error for a folder that holds neither kind of results.
pub fn not_a_result_folder(dir: &Path) -> Error {
    Error::Usage(format!(
        "{} is not a carecast result folder: it holds neither summary.json and yearly.csv (a run folder, <out>/<scenario>) nor comparison.json (a comparison folder). Fix: pass a folder written by `carecast run` or `carecast compare`, e.g. output/baseline.",
        dir.display()
    ))
}
