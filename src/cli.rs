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
    Validate(ValidateArgs),
    /// Combine the shard folders of `run --shard K/N` into one scenario's results.
    Merge(MergeArgs),
    /// Re-render charts from result folders (a scenario's, or a comparison's) without simulating.
    Chart(ChartArgs),
    /// Compare alternatives with a baseline, run by run with common random numbers.
    Compare(CompareArgs),
    /// Sensitivity of the median to each parameter, from the runs' own parameter draws (tornado).
    Sensitivity(crate::cli_analysis::SensitivityArgs),
    /// Fit named parameters' central values to target stocks and flows (cohort engine).
    Calibrate(crate::cli_analysis::CalibrateArgs),
    /// Calibrate on the targets up to a year, project the rest on that posterior, and score it.
    Backtest(crate::cli_analysis::BacktestArgs),
    /// Split the change in late spend over a scenario's years into what each driver explains.
    Decompose(crate::cli_analysis::DecomposeArgs),
    /// Write report.html, report.md and results.xlsx (findings, charts, tables, parameters, method) into a result folder.
    Report(ReportArgs),
}

// Jargon, explained in one line wherever a command's help uses it.
macro_rules! crn_note {
    () => {
        "Common random numbers: run i of every scenario uses the same parameter draws and random numbers, so differences between scenarios come from their policies, not from chance."
    };
}
macro_rules! cohort_note {
    () => {
        "Cohort engine: instead of simulating families one by one, it projects the expected number of families in each state (one deterministic projection per parameter draw: fast, no sampling noise)."
    };
}
pub(crate) use cohort_note;
pub(crate) use crn_note;
macro_rules! shard_note {
    () => {
        "Shard: one of N equal, disjoint ranges of run indices, so that a long run can be split across machines (e.g. a Slurm array job) and combined with `carecast merge`."
    };
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "  carecast run scenarios/baseline.json\n",
    "  carecast run scenarios/baseline.json scenarios/squeeze.json --runs 500 --out results\n",
    "  carecast run scenarios/baseline.json --runs 1000 --shard 3/8 --out shards\n\n",
    crn_note!(), "\n", cohort_note!(), "\n", shard_note!()
))]
pub struct RunArgs {
    /// Scenario files (JSON). Several run with the same seed and common random numbers.
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub sampling: Sampling,
    /// Output folder; each scenario writes <out>/<scenario-name>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
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
#[command(
    after_help = "Example:\n  carecast validate scenarios/baseline.json my-scenario.json\n\nEvery problem in every file is listed (file, JSON path, fix); exit 2 if any."
)]
pub struct ValidateArgs {
    /// Scenario files (JSON) to check.
    #[arg(required = true, value_name = "SCENARIO")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Example:\n",
    "  carecast merge shards/baseline.shard-*-of-8 --out output\n\n",
    shard_note!()
))]
pub struct MergeArgs {
    /// Shard folders (`<out>/<scenario>.shard-K-of-N`, written by `run --shard K/N`), all N
    /// of one scenario.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output folder; the scenario writes <out>/<scenario-name>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Also write runs.csv.
    #[arg(long)]
    pub runs_csv: bool,
    /// Do not render charts.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Debug, Args)]
#[command(after_help = CHART_HELP)]
pub struct ChartArgs {
    /// Result folders: scenario folders (<out>/<scenario>, each with yearly.csv and
    /// summary.json; several are overlaid), or one comparison folder (<out>/<comparison-name>,
    /// written by `compare`), whose charts are all re-rendered.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub style: ChartStyle,
    /// Where to write the charts (default: <first DIR>/charts).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write only this chart, named by its file (without extension): spend, ratio,
    /// children-in-care, child-protection, children-in-need, flows, placements; of a comparison
    /// folder also impact, payback, difference.
    #[arg(long, value_name = "CHART", value_parser = chart_name_arg)]
    pub only: Option<String>,
    /// The --only chart's title instead of the finding carecast writes from its numbers (one
    /// line of text, at most 200 characters; it wraps onto two lines if it must).
    #[arg(long, value_name = "TEXT", requires = "only", value_parser = title_arg)]
    pub title: Option<String>,
    /// The --only chart's subtitle instead of its description and scenario line (one line, at
    /// most 200 characters).
    #[arg(long, value_name = "TEXT", requires = "only", value_parser = subtitle_arg)]
    pub subtitle: Option<String>,
}

const CHART_HELP: &str = "Examples:\n  carecast chart output/baseline --format png --width 800 --height 500\n  carecast chart output/baseline output/squeeze --out charts/overlaid\n  carecast chart output/baseline-vs-squeeze   (a comparison folder: every chart, impact, payback and difference too)\n  carecast chart output/baseline --only ratio --title \"The ratio rises every year\" --subtitle \"Baseline, 200 runs\"\n\nTitles state the finding from the medians each chart shows; --title and --subtitle replace them on the one chart --only names.";

/// Which chart files to write, at what size (`chart` and `compare`).
#[derive(Debug, Clone, Args)]
pub struct ChartStyle {
    /// Chart formats to write, comma separated: svg, png.
    #[arg(
        long,
        value_name = "FORMATS",
        default_value = "svg,png",
        value_delimiter = ',',
        value_parser = format_arg
    )]
    pub format: Vec<crate::charts::Format>,
    /// Chart width in pixels, 640 to 4000 (a PNG has exactly this size; text scales with it).
    #[arg(long, value_name = "W", default_value_t = 1600, allow_hyphen_values = true, value_parser = width_arg)]
    pub width: u32,
    /// Chart height in pixels, 400 to 4000.
    #[arg(long, value_name = "H", default_value_t = 1000, allow_hyphen_values = true, value_parser = height_arg)]
    pub height: u32,
}

#[derive(Debug, Args)]
#[command(
    after_help = concat!(
        "Examples:\n",
        "  carecast compare scenarios/baseline.json scenarios/family-help-investment.json --runs 200\n",
        "  carecast compare scenarios/baseline.json scenarios/squeeze.json --format png --width 800 --height 500\n\n",
        crn_note!(),
        " Differences are taken run by run, so their intervals are much narrower than either scenario's."
    )
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
    #[arg(long, value_name = "DIR", default_value = "output")]
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
    #[command(flatten)]
    pub style: ChartStyle,
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
#[command(
    after_help = "Examples:\n  carecast report output/baseline\n  carecast report output/baseline-vs-squeeze --title \"Early help: invest or cut?\""
)]
pub struct ReportArgs {
    /// A run folder (<out>/<scenario>) or a comparison folder (<out>/<comparison-name>).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The report's title, in report.html, report.md and results.xlsx (default: "carecast
    /// results: <label>" for a run, "carecast comparison: <name>" for a comparison).
    #[arg(long, value_name = "TEXT", value_parser = title_arg)]
    pub title: Option<String>,
}

/// The longest `--title` accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// `--title` (of `report` and `chart`): one line of text, not empty, at most `MAX_TITLE_CHARS`
/// characters.
pub fn title_arg(s: &str) -> Result<String, String> {
    one_line(s, "--title", "e.g. --title \"Early help: invest or cut?\"")
}

/// One line of text for `option`: not empty, at most `MAX_TITLE_CHARS` characters, no line
/// breaks; `example` ends each message.
fn one_line(s: &str, option: &str, example: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err(format!(
            "{option} takes a non-empty line of text, {example}"
        ))
    } else if t.chars().count() > MAX_TITLE_CHARS {
        Err(format!(
            "{option} takes at most {MAX_TITLE_CHARS} characters (this one has {}), {example}",
            t.chars().count()
        ))
    } else if t.chars().any(char::is_control) {
        Err(format!(
            "{option} takes one line of text without line breaks or control characters, {example}"
        ))
    } else {
        Ok(t.to_string())
    }
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

/// `--width`: a chart width in pixels the layout supports.
pub fn width_arg(s: &str) -> Result<u32, String> {
    let (lo, hi) = (crate::charts::MIN_WIDTH, crate::charts::MAX_WIDTH);
    whole(s, lo.into(), hi.into(), "--width", "1600").map(|n| n as u32)
}

/// `--height`: a chart height in pixels the layout supports.
pub fn height_arg(s: &str) -> Result<u32, String> {
    let (lo, hi) = (crate::charts::MIN_HEIGHT, crate::charts::MAX_HEIGHT);
    whole(s, lo.into(), hi.into(), "--height", "1000").map(|n| n as u32)
}

/// `--only`: the file stem of a chart carecast draws.
pub fn chart_name_arg(s: &str) -> Result<String, String> {
    let mut names = crate::charts::scenario_chart_stems();
    names.extend(crate::charts::COMPARISON_CHARTS);
    let name = s.trim();
    if names.contains(&name) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "--only takes a chart's file name without extension: one of {}, e.g. --only ratio",
            names.join(", ")
        ))
    }
}

/// `--subtitle` (of `chart`): one line of text, like `--title`.
pub fn subtitle_arg(s: &str) -> Result<String, String> {
    one_line(
        s,
        "--subtitle",
        "e.g. --subtitle \"Baseline, 200 runs, 2024-25 prices\"",
    )
}

/// One `--format` value: `svg` or `png`.
pub fn format_arg(s: &str) -> Result<crate::charts::Format, String> {
    match s.trim() {
        "svg" => Ok(crate::charts::Format::Svg),
        "png" => Ok(crate::charts::Format::Png),
        _ => Err("--format takes svg, png or both, comma separated, e.g. --format svg,png".into()),
    }
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
