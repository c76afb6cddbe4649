//! Command-line arguments of the analysis commands (`sensitivity`, `calibrate`, `backtest`,
//! `decompose`) and the engine choice of `run`. Only definitions live here; `app` turns them into work.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which engine projects a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Monte Carlo: individual families with random moves.
    Mc,
    /// Cohort: expected state occupancies, one deterministic projection per parameter draw.
    Cohort,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Mc => "mc",
            Engine::Cohort => "cohort",
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "  carecast sensitivity scenarios/baseline.json\n",
    "  carecast sensitivity scenarios/family-help-investment.json scenarios/baseline.json --runs 400\n",
    "  carecast sensitivity scenarios/baseline.json --metric children_in_care --year 2030-31\n\n",
    "PSA (probabilistic sensitivity analysis): the runs themselves, each with its own parameter draws. ",
    "The tornado is centred on the median of the measure across the runs, as run, compare and report quote it ",
    "(the same runs, seed and scale give the same median). Each bar is that median moved by the average change ",
    "when one parameter is set to the p10 (or p90) of its draws: the first --draws runs' draws are projected again ",
    "with the cohort engine with only that parameter changed, paired draw by draw.\n",
    crate::cli::crn_note!(), "\n",
    crate::cli::cohort_note!()
))]
pub struct SensitivityArgs {
    /// The scenario file (JSON) whose parameters are varied.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// A baseline scenario file: the measure becomes SCENARIO minus BASELINE, run by run with
    /// common random numbers.
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Metric to measure (a yearly.csv metric name, e.g. children_in_care). Default: late_early_ratio, or total_spend
    /// summed over all years when a baseline is given (the net cost compare reports; a saving is negative).
    #[arg(long, value_name = "METRIC")]
    pub metric: Option<String>,
    /// Year of the metric, e.g. 2034-35; `all` sums over years (default: the last year; `all`
    /// with a baseline).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<String>,
    #[command(flatten)]
    pub sampling: crate::cli::Sampling,
    /// Engine of the runs: `mc` (Monte Carlo families, as run and compare) or `cohort` (one
    /// projection per parameter draw, as run --engine cohort).
    #[arg(long, value_enum, default_value_t = Engine::Mc)]
    pub engine: Engine,
    /// Run a scale too small for Monte Carlo results to mean anything.
    #[arg(long)]
    pub force: bool,
    /// Runs whose parameter draws each bar is averaged over (the first K; at most --runs), 1 to
    /// 10,000. Time grows with K times the number of drawn parameters.
    #[arg(long, value_name = "K", default_value_t = 20, allow_hyphen_values = true, value_parser = draws_arg)]
    pub draws: u64,
    /// Output folder; writes <out>/<scenario>-sensitivity/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Do not render the tornado chart.
    #[arg(long)]
    pub no_charts: bool,
}

impl SensitivityArgs {
    /// The same runs as `run` arguments: the scenario, then the baseline.
    pub fn as_run(&self) -> crate::cli::RunArgs {
        crate::cli::RunArgs {
            scenarios: std::iter::once(self.scenario.clone())
                .chain(self.baseline.clone())
                .collect(),
            sampling: self.sampling.clone(),
            out: self.out.clone(),
            runs_csv: false,
            no_charts: self.no_charts,
            shard: None,
            force: self.force,
            engine: self.engine,
            until_stable: None,
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "  carecast calibrate scenarios/baseline.json --targets calibration/targets-2024-25.json --free cin_close,cin_to_care\n",
    "  carecast calibrate scenarios/baseline.json --targets calibration/targets-2024-25.json --posterior --particles 1000\n\n",
    "--max-evals applies to the least-squares fit (--free); --particles, --moves and --seed to --posterior.\n",
    crate::cli::cohort_note!()
))]
pub struct CalibrateArgs {
    /// The scenario file (JSON) to calibrate.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Targets file (JSON): stocks and flows by metric and year, optional bounds.
    #[arg(long, value_name = "TARGETS")]
    pub targets: PathBuf,
    /// Parameters whose central values are fitted, comma separated (least squares; not with
    /// --posterior, which calibrates every parameter with a distribution).
    #[arg(
        long,
        value_name = "PARAMS",
        required_unless_present = "posterior",
        value_delimiter = ','
    )]
    pub free: Vec<String>,
    /// Bayesian calibration: the posterior of every parameter with a distribution (the
    /// scenario's distributions are the priors) given the targets and their `observation_sd`,
    /// by sequential Monte Carlo on the cohort engine; writes posterior.json and fit.csv.
    #[arg(long, conflicts_with = "free")]
    pub posterior: bool,
    /// Particles of the --posterior sampler, 100 to 100,000 (its posterior sample size); the
    /// default is the shipped history posterior's.
    #[arg(long, default_value_t = POSTERIOR_PARTICLES, value_name = "N", allow_hyphen_values = true, value_parser = particles_arg)]
    pub particles: usize,
    /// Moves of each particle after each resampling (--posterior), 1 to 50; the default is the
    /// shipped history posterior's.
    #[arg(long, default_value_t = POSTERIOR_MOVES, value_name = "K", allow_hyphen_values = true, value_parser = moves_arg)]
    pub moves: usize,
    /// Seed of the --posterior sampler (default: the scenario's `run.seed`).
    #[arg(long, value_name = "S", allow_hyphen_values = true, value_parser = crate::cli::seed_arg)]
    pub seed: Option<u64>,
    /// Output folder; writes <out>/<scenario>-calibration/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Most evaluations of the model, 10 to 10,000,000.
    #[arg(long, default_value_t = 3000, value_name = "N", allow_hyphen_values = true, value_parser = max_evals_arg)]
    pub max_evals: usize,
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "  carecast backtest scenarios/history-2010.json --targets calibration/history-2010-2025.json --until 2016-17\n",
    "  carecast backtest scenarios/history-2010.json --targets calibration/history-2010-2025.json --until 2016-17 --particles 300 --moves 2 --runs 100 --out results\n\n",
    "Calibrates (as `calibrate --posterior`) on the targets up to and including --until only, runs the Monte Carlo engine over the whole horizon on that posterior (run i takes draw i), and scores the projection against the later targets: backtest.csv (year, metric, actual, p5, p50, p95 of each later target), backtest.json (median absolute percentage error of p50, share inside the 90% interval, the posterior's effective sample size, settings) and charts/backtest.svg and .png.\n",
    "The targets used for calibration need an `observation_sd`; the later targets only need a value. --seed seeds both the sampler and the runs.\n",
    crate::cli::cohort_note!()
))]
pub struct BacktestArgs {
    /// The scenario file (JSON) to backtest; its `run.draws`, if any, is replaced by the posterior
    /// calibrated here.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Targets file (JSON), as for `calibrate`: stocks and flows by metric and year.
    #[arg(long, value_name = "TARGETS")]
    pub targets: PathBuf,
    /// The last financial year calibrated on, e.g. 2016-17: targets in it and before calibrate,
    /// targets after it are forecast and scored.
    #[arg(long, value_name = "YEAR")]
    pub until: String,
    /// Particles of the posterior sampler, 100 to 100,000 (its posterior sample size); the
    /// default is the shipped history posterior's, so the backtest's sampler is as thorough.
    #[arg(long, default_value_t = POSTERIOR_PARTICLES, value_name = "N", allow_hyphen_values = true, value_parser = particles_arg)]
    pub particles: usize,
    /// Moves of each particle after each resampling, 1 to 50; the default is the shipped history
    /// posterior's.
    #[arg(long, default_value_t = POSTERIOR_MOVES, value_name = "K", allow_hyphen_values = true, value_parser = moves_arg)]
    pub moves: usize,
    /// --runs, --seed (of the sampler and the runs), --scale and --threads, as `run` takes them.
    #[command(flatten)]
    pub sampling: crate::cli::Sampling,
    /// Output folder; writes <out>/<scenario>-backtest/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    #[command(flatten)]
    pub style: crate::cli::ChartStyle,
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Example (the history's rise in late spend, by driver):\n",
    "  S=scenarios\n",
    "  carecast decompose $S/history-2010.json $S/history-2010-hold-early-spend.json \\\n",
    "    $S/history-2010-hold-home-prices.json $S/history-2010-hold-uasc.json \\\n",
    "    $S/history-2010-hold-referrals.json $S/history-2010-hold-plans.json \\\n",
    "    $S/history-2010-hold-care-entries.json $S/history-2010-hold-permanence.json \\\n",
    "    $S/history-2010-hold-unit-costs.json\n\n",
    "Each DRIVER is a scenario that holds one driver at its first-year value, all else as BASE. All run with BASE's runs, seed and scale, and must share BASE's years, price base, `run.seed` and `run.draws`, so that run i of every scenario takes the same parameter draws and random numbers. Per run: the change in late spend from BASE's first year to its last; each driver's part, BASE's last-year late spend minus the driver scenario's; the remainder, the change less the parts. Writes <out>/<name>/decomposition.csv (kind, scenario, label, mean, p5, p50, p95 of each), decomposition.json (the same, with the parameters whose draws each part follows most closely, by rank correlation), each scenario's yearly.csv and summary.json, and charts/waterfall.svg and .png.\n",
    crate::cli::crn_note!()
))]
pub struct DecomposeArgs {
    /// The base scenario file (e.g. the history), whose change from its first year to its last
    /// is decomposed.
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// One or more driver scenario files, each holding one driver at its first-year value
    /// (labelled bars, in the order given).
    #[arg(required = true, value_name = "DRIVER")]
    pub drivers: Vec<PathBuf>,
    #[command(flatten)]
    pub sampling: crate::cli::Sampling,
    /// Output folder; writes <out>/<name>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Name of the decomposition's folder (default: <base>-decomposition).
    #[arg(long)]
    pub name: Option<String>,
    /// Do not render the waterfall chart.
    #[arg(long)]
    pub no_charts: bool,
    /// Engine: `mc` (Monte Carlo families, the default) or `cohort` (expected values, one
    /// projection per parameter draw: each part's interval is then the parameters' alone).
    #[arg(long, value_enum, default_value_t = Engine::Mc)]
    pub engine: Engine,
    #[command(flatten)]
    pub style: crate::cli::ChartStyle,
}

/// `--draws`: 1 to 10,000.
fn draws_arg(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err("--draws takes a whole number from 1 to 10000, e.g. --draws 20".into()),
    }
}

/// `--max-evals`: 10 to 10,000,000.
fn max_evals_arg(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (10..=10_000_000).contains(&n) => Ok(n),
        _ => Err(
            "--max-evals takes a whole number from 10 to 10000000, e.g. --max-evals 3000".into(),
        ),
    }
}

/// The posterior sampler's default particles and moves, for `calibrate --posterior` and
/// `backtest` alike: the settings of the shipped history posterior.
const POSTERIOR_PARTICLES: usize = 2000;
const POSTERIOR_MOVES: usize = 4;

/// `--particles`: 100 to 100,000.
fn particles_arg(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (100..=100_000).contains(&n) => Ok(n),
        _ => {
            Err("--particles takes a whole number from 100 to 100000, e.g. --particles 1000".into())
        }
    }
}

/// `--moves`: 1 to 50.
fn moves_arg(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=50).contains(&n) => Ok(n),
        _ => Err("--moves takes a whole number from 1 to 50, e.g. --moves 3".into()),
    }
}
