//! The fit charts of `calibrate --posterior`: every posterior draw projected through every year
//! by the cohort engine, summarised for each target metric into `fit-<metric>.svg` and `.png`
//! (at the charts' default size).

use super::output::Staged;
use crate::analysis::calibrate::{truncated, Target};
use crate::analysis::posterior::Posterior;
use crate::charts::{self, ChartOptions, FitSeries, Format, ValueFormat, Year};
use crate::engine::cohort;
use crate::error::Error;
use crate::results::metrics::{Unit, METRICS};
use crate::results::stats::summarise;
use crate::scenario::Model;
use rayon::prelude::*;

/// Writes one fit chart per target metric (SVG and PNG) into the staged folder and returns the
/// paths written.
pub fn write(
    model: &Model,
    targets: &[Target],
    post: &Posterior,
    staged: &Staged,
    footer: &str,
) -> Result<Vec<String>, Error> {
    let m = truncated(model, targets);
    let years: Vec<[f64; METRICS.len()]> = Vec::new();
    let per_draw: Vec<Vec<[f64; METRICS.len()]>> = post
        .draws
        .par_iter()
        .map(|v| cohort::project(&m, v).map_or_else(|_| years.clone(), |p| p.years))
        .collect();
    let per_draw: Vec<_> = per_draw
        .into_iter()
        .filter(|p| p.len() == m.years)
        .collect();
    let mut metrics: Vec<usize> = targets.iter().map(|t| t.measure.metric).collect();
    metrics.sort_unstable();
    metrics.dedup();
    let opts = ChartOptions::default();
    let mut written = Vec::new();
    for metric in metrics {
        let s = series(&m, targets, &per_draw, metric, footer);
        let fig = charts::fit_figure(&s);
        let stem = format!("fit-{}", METRICS[metric].0);
        for format in [Format::Svg, Format::Png] {
            let path = charts::write_figure(&stem, &fig, format, staged.dir(), &opts)
                .map_err(|e| Error::Other(e.to_string()))?;
            written.push(path.display().to_string());
        }
    }
    Ok(written)
}

/// The posterior by year of one metric, with its observed targets.
fn series(
    m: &Model,
    targets: &[Target],
    per_draw: &[Vec<[f64; METRICS.len()]>],
    metric: usize,
    footer: &str,
) -> FitSeries {
    let stats: Vec<_> = (0..m.years)
        .map(|y| summarise(&per_draw.iter().map(|p| p[y][metric]).collect::<Vec<_>>()))
        .collect();
    let years = (0..m.years)
        .map(|y| {
            let label = m.year_label(y);
            Year::parse(&label).unwrap_or(Year {
                start: m.start_year + y as i32,
                label,
            })
        })
        .collect();
    let observed = targets
        .iter()
        .filter(|t| t.measure.metric == metric)
        .filter_map(|t| t.measure.year.map(|y| (y, t.value)))
        .collect();
    let (name, unit) = METRICS[metric];
    FitSeries {
        what: charts::metric_words(name),
        y_format: match unit {
            Unit::GbpM => ValueFormat::GbpM,
            Unit::Ratio => ValueFormat::Ratio,
            _ => ValueFormat::Count,
        },
        years,
        p5: stats.iter().map(|s| s.p5).collect(),
        p50: stats.iter().map(|s| s.p50).collect(),
        p95: stats.iter().map(|s| s.p95).collect(),
        observed,
        median_label: "Posterior median".into(),
        band: format!(
            "90% interval across {} posterior draws (cohort engine)",
            per_draw.len()
        ),
        subtitle: "Calibrated model against the published series (calibrate --posterior)".into(),
        footer: footer.to_string(),
    }
}
