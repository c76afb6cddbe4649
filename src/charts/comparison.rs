//! Comparison charts (`impact`, `payback`, `difference`): what they are drawn from, and writing every chart
//! of a comparison with the same theme, layout and renderer as the other charts.
use std::path::{Path, PathBuf};

use super::data::{ScenarioResults, Stat};
use super::error::ChartError;
use super::figure::Figure;
use super::metric::Metric;
use super::{difference, impact, payback, write_figure, ChartOptions};

/// One alternative's differences from the baseline, summarised across runs (alternative minus
/// baseline, run by run), as `comparison.json` and `deltas.csv` report them.
#[derive(Debug, Clone)]
pub struct ComparisonSeries {
    pub scenario: String,
    /// The name legends show (the scenario's label).
    pub label: String,
    /// Summed over the horizon, £m.
    pub extra_early: Stat,
    pub late_change: Stat,
    pub net_cost: Stat,
    /// Care entries avoided over the horizon (baseline minus alternative), children.
    pub care_entries_avoided: Stat,
    /// Cumulative net saving (−cumulative net cost) at the end of each year, £m.
    pub cumulative_net_saving: Vec<Stat>,
    /// Year index of the median break-even year, if any.
    pub median_break_even: Option<usize>,
    /// Share of runs with a cumulative net saving above zero at the end of the horizon.
    pub probability_net_saving: f64,
    /// Yearly run-by-run differences (alternative minus baseline) the difference chart draws:
    /// children in care, late spend and the late:early ratio, one statistic per year.
    pub differences: Vec<(Metric, Vec<Stat>)>,
}

/// A comparison: the scenarios' results (baseline first) and each alternative's differences.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub scenarios: Vec<ScenarioResults>,
    pub alternatives: Vec<ComparisonSeries>,
}

/// The comparison charts, by file stem.
pub fn figures(cmp: &Comparison) -> Result<Vec<(&'static str, Figure)>, ChartError> {
    Ok(vec![
        ("impact", impact::figure(cmp)?),
        ("payback", payback::figure(cmp)?),
        ("difference", difference::figure(cmp)?),
    ])
}

/// Writes every chart of a comparison (or the one `opts.only` names) in every requested format
/// into `out_dir` (each via a temporary file renamed into place): the seven charts with the
/// scenarios overlaid, then the comparison charts. Returns the paths written. `compare` and
/// `chart` of a comparison folder both write through here.
pub fn render_comparison(
    cmp: &Comparison,
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    opts.validate(true)?;
    let mut written = super::write_scenario_charts(&cmp.scenarios, out_dir, opts)?;
    for (stem, fig) in figures(cmp)? {
        if !opts.wants(stem) {
            continue;
        }
        let fig = opts.apply(fig);
        for &format in &opts.formats {
            written.push(write_figure(stem, &fig, format, out_dir, opts)?);
        }
    }
    Ok(written)
}
