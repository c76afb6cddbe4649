//! carecast: a Monte Carlo model of early versus late intervention spend in children's social
//! care in England.
//!
//! The flow: scenario JSON -> validated [`scenario::Model`] -> per-run parameter draws ->
//! [`engine`] (per run, parallel, seeded) -> per-run yearly results -> [`results`] (summaries and
//! exports) -> files written by [`app`].

pub mod analysis;
pub mod app;
pub mod charts;
pub mod cli;
pub mod cli_analysis;
pub mod engine;
pub mod error;
pub mod report;
pub mod results;
pub mod rng;
pub mod scenario;

pub use error::{Error, InputError, InputErrors};
