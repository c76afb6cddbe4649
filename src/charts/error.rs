//! The chart module's error type: every message names the file or chart, what is wrong, and how to fix it.
use std::path::PathBuf;

/// Everything that can go wrong while loading results or drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read {path}: {source}; check that the folder is a carecast output folder holding yearly.csv and summary.json")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}; check that the output folder exists and is writable")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}; fix: regenerate the file with `carecast run` or correct it to the `{expected}` shape")]
    Summary {
        path: PathBuf,
        message: String,
        expected: &'static str,
    },
    #[error("{path}: {message}; fix: regenerate the comparison folder with `carecast compare`")]
    Comparison { path: PathBuf, message: String },
    #[error("{path} line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: header lacks column `{column}`; the header must be `scenario,year,metric,unit,mean,p5,p50,p95` (extra columns are allowed)")]
    MissingColumn { path: PathBuf, column: String },
    #[error("{path}: metric `{metric}` is missing; the output contract requires it for every year (re-run the simulation with a carecast version that writes it)")]
    MissingMetric { path: PathBuf, metric: String },
    #[error("{path}: metric `{metric}` has no row for year {year}, but other metrics do; every metric needs one row per year")]
    MissingYear {
        path: PathBuf,
        metric: String,
        year: String,
    },
    #[error("{path}: holds no rows for any contract metric; the file must contain at least one year of results")]
    NoYears { path: PathBuf },
    #[error("no scenario results were given; load at least one output folder with ScenarioResults::load")]
    NoResults,
    #[error("{count} scenarios were given but at most {max} can be told apart on one chart (one colour each); chart fewer scenarios at a time")]
    TooManyScenarios { count: usize, max: usize },
    #[error("scenario `{name}` was given twice; each overlaid scenario needs a distinct name")]
    DuplicateScenario { name: String },
    #[error("scenarios use different price bases ({first} in `{first_scenario}`, {other} in `{other_scenario}`); £ values are only comparable at one price base, so re-run them with the same price base")]
    MixedPriceBase {
        first: String,
        first_scenario: String,
        other: String,
        other_scenario: String,
    },
    #[error(
        "chart size {width}x{height} is outside the sizes drawn; use a width from {min_width} to {max_width} and a height from {min_height} to {max_height} pixels, e.g. 1600x1000"
    )]
    Size {
        width: u32,
        height: u32,
        min_width: u32,
        min_height: u32,
        max_width: u32,
        max_height: u32,
    },
    #[error("no output formats were requested; ask for svg, png or both")]
    NoFormats,
    #[error("there is no chart `{name}` here{hint}; choose one of {available}")]
    UnknownChart {
        name: String,
        available: String,
        hint: &'static str,
    },
    #[error("a title or subtitle is set for one chart at a time; name it with --only, e.g. --only ratio --title \"Late spend per £1 of early spend rises\"")]
    TitleWithoutChart,
    #[error("cannot load the bundled DejaVu Sans font: {0}; the font file in assets/fonts/ is corrupt, rebuild carecast from a clean checkout")]
    Font(String),
    #[error("drawing chart `{chart}` failed: {message}")]
    Draw { chart: String, message: String },
}
