//! Command-line arguments (clap). Only definitions live here; `app` turns them into work.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// carecast: early versus late intervention spend in children's social care in England.
#[derive(Debug, Parser)]
#[command(name = "carecast", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write yearly.csv, summary.json and charts for each.
    Run(RunArgs),
    /// Check scenario files without simulating.
    Validate {
        /// Scenario files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Combine the shard folders of `run --shard K/N` into one scenario's results.
    Merge(MergeArgs),
    /// Re-render charts from output folders (yearly.csv and summary.json) without simulating.
    Chart(ChartArgs),
    /// Compare alternatives with a baseline, run by run with common random numbers.
    Compare(CompareArgs),
    /// One-way sensitivity (cohort engine): each uncertain parameter at its p10 and p90.
    Sensitivity(crate::cli_analysis::SensitivityArgs),
    /// Fit named parameters' central values to target stocks and flows (cohort engine).
    Calibrate(crate::cli_analysis::CalibrateArgs),
    /// Write report.html, report.md and results.xlsx (findings, charts, tables, parameters, method) into a result folder.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (JSON). Several run with the same seed and common random numbers.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub sampling: Sampling,
    /// Output folder; each scenario writes <out>/<scenario-name>/.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Also write runs.csv with every run's values.
    #[arg(long)]
    pub runs_csv: bool,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Run only the K-th of N equal ranges of run indices (1-based), saving raw results for `merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Start even when the estimated time (over 6 hours) or memory is too large, or the scale too
    /// small for the results to mean anything (summary.json then carries a warning).
    #[arg(long)]
    pub force: bool,
    /// Engine: `mc` (Monte Carlo families) or `cohort` (expected values, one projection per draw).
    #[arg(long, value_enum, default_value_t = crate::cli_analysis::Engine::Mc)]
    pub engine: crate::cli_analysis::Engine,
    /// Add runs in batches until the final year's median ratio and median children in care move
    /// by less than this relative tolerance between batches (e.g. 0.002); --runs is the batch size.
    #[arg(long, value_name = "TOL", allow_hyphen_values = true, value_parser = tolerance_arg)]
    pub until_stable: Option<f64>,
}

/// How many runs, with which seed, at what scale, on how many threads (run and compare).
#[derive(Debug, Clone, Args)]
pub struct Sampling {
    /// Monte Carlo runs, 1 to 1,000,000 (default: the first scenario's `run.runs`).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = runs_arg)]
    pub runs: Option<u64>,
    /// Master seed, a whole number from 0 (default: the first scenario's `run.seed`).
    #[arg(long, value_name = "S", allow_hyphen_values = true, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Fraction of England's families simulated, each weighted up, in (0, 1] (default: the
    /// first scenario's `run.scale`). A scale too small for the results to mean anything is
    /// refused.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = scale_arg)]
    pub scale: Option<f64>,
    /// Worker threads, 1 to 1024 (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T", allow_hyphen_values = true, value_parser = threads_arg)]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders (`<out>/<scenario>.shard-K-of-N`), all N of one scenario.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder; the scenario writes <out>/<scenario-name>/.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Also write runs.csv.
    #[arg(long)]
    pub runs_csv: bool,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Output folders of scenarios (each with yearly.csv and summary.json); several are overlaid.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Formats to write, comma separated: svg, png.
    #[arg(long, default_value = "svg,png", value_delimiter = ',')]
    pub format: Vec<String>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 1000)]
    pub height: u32,
    /// Where to write the charts (default: <first dir>/charts).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  carecast compare scenarios/baseline.json scenarios/family-help-investment.json --runs 200\n\nCommon random numbers: run i of every scenario uses the same parameter draws and random numbers, so differences are taken run by run and their intervals are much narrower than either scenario's."
)]
pub struct CompareArgs {
    /// The baseline scenario file: every alternative is compared with it.
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// One or more alternative scenario files (same start year, horizon and price base).
    #[arg(required = true, value_name = "ALTERNATIVE")]
    pub alternatives: Vec<PathBuf>,
    #[command(flatten)]
    pub sampling: Sampling,
    /// Output folder; the comparison writes <out>/<comparison-name>/ (each scenario's results,
    /// deltas.csv, comparison.json, charts).
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Name of the comparison folder (default: <baseline>-vs-<alt1>[-<alt2>...]).
    #[arg(long)]
    pub name: Option<String>,
    /// Also write each scenario's runs.csv.
    #[arg(long)]
    pub runs_csv: bool,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Run a scale too small for the results to mean anything (with a warning in summary.json).
    #[arg(long)]
    pub force: bool,
}

impl CompareArgs {
    /// The same request as `run` arguments (the Monte Carlo engine, a fixed number of runs).
    pub fn as_run(&self) -> RunArgs {
        RunArgs {
            scenarios: std::iter::once(self.baseline.clone())
                .chain(self.alternatives.iter().cloned())
                .collect(),
            sampling: self.sampling.clone(),
            out: self.out.clone(),
            runs_csv: self.runs_csv,
            no_charts: self.no_charts,
            shard: None,
            force: self.force,
            engine: crate::cli_analysis::Engine::Mc,
            until_stable: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run folder (<out>/<scenario>) or a comparison folder (<out>/<comparison-name>).
    pub dir: PathBuf,
}

/// A whole number in `lo..=hi`, or a message naming the option, the range and an example.
fn whole(s: &str, lo: u64, hi: u64, option: &str, example: &str) -> Result<u64, String> {
    let range = format!("a whole number from {lo} to {hi}");
    match s.trim().parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("{option} takes {range}, e.g. {option} {example}")),
    }
}

/// `--runs`: 1 to `MAX_RUNS`.
pub fn runs_arg(s: &str) -> Result<u64, String> {
    whole(s, 1, crate::scenario::validate::MAX_RUNS, "--runs", "200")
}

/// `--seed`: any whole number that fits in 64 bits.
pub fn seed_arg(s: &str) -> Result<u64, String> {
    whole(s, 0, u64::MAX, "--seed", "20250401")
}

/// `--threads`: 1 to 1024.
pub fn threads_arg(s: &str) -> Result<usize, String> {
    whole(s, 1, 1024, "--threads", "2").map(|n| n as usize)
}

/// A number in a range that excludes its lower end, or a message naming the option.
fn fraction(
    s: &str,
    hi_open: bool,
    option: &str,
    range: &str,
    example: &str,
) -> Result<f64, String> {
    let ok = |v: f64| v > 0.0 && if hi_open { v < 1.0 } else { v <= 1.0 };
    match s.trim().parse::<f64>() {
        Ok(v) if ok(v) => Ok(v),
        _ => Err(format!(
            "{option} takes a number in {range}, e.g. {option} {example}"
        )),
    }
}

/// `--scale`: in (0, 1].
pub fn scale_arg(s: &str) -> Result<f64, String> {
    fraction(
        s,
        false,
        "--scale",
        "(0, 1] (the fraction of England's families simulated; 1 for all)",
        "0.02",
    )
}

/// `--until-stable`: a relative tolerance in (0, 1).
pub fn tolerance_arg(s: &str) -> Result<f64, String> {
    fraction(
        s,
        true,
        "--until-stable",
        "(0, 1) (a relative tolerance)",
        "0.002",
    )
}
