//! A backend-neutral description of a chart (panels, marks, legend, texts) that the
//! chart kinds build and `render` draws, so SVG and PNG come from the same figure.
use plotters::style::RGBColor;

use super::data::{ScenarioResults, Stat, Year};
use super::error::ChartError;
use super::format::ValueFormat;
use super::metric::Metric;
use super::theme;

/// Something drawn inside a panel, in data coordinates (x = years since the first year).
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// Shaded interval between `lo` and `hi` at each x.
    Band {
        colour: RGBColor,
        alpha: f64,
        points: Vec<(f64, f64, f64)>,
    },
    /// A line through the points, with a dot at each.
    Line {
        colour: RGBColor,
        points: Vec<(f64, f64)>,
    },
    /// A stacked bar at `x`, layers from the bottom up.
    Stack {
        x: f64,
        layers: Vec<(f64, RGBColor)>,
    },
    /// A floating bar at `x` from `from` to `to` (a waterfall's step), either way up.
    Bar {
        x: f64,
        from: f64,
        to: f64,
        colour: RGBColor,
    },
    /// A thin horizontal line at `y` from the right edge of the bar at `x0` to the left edge of
    /// the bar at `x1` (joins a waterfall's steps).
    Connector { x0: f64, x1: f64, y: f64 },
    /// An interval whisker (vertical line with caps).
    Whisker { x: f64, lo: f64, hi: f64 },
    /// A value label centred above `y`.
    Label { x: f64, y: f64, text: String },
    /// A direct label just right of a line's last point at (`x`, `y`), in the line's colour
    /// (moved up or down only as far as needed to clear the panel's other end labels); `short`
    /// (the value) stands in where `text` (a name) would have to be cut short to fit.
    EndLabel {
        x: f64,
        y: f64,
        text: String,
        short: String,
        colour: RGBColor,
    },
    /// A dashed vertical line across the whole plot at `x` (a marked year).
    Rule { x: f64, colour: RGBColor },
    /// Dots without a line (observed values), filled or as rings.
    Points {
        colour: RGBColor,
        filled: bool,
        points: Vec<(f64, f64)>,
    },
}

impl Mark {
    /// Largest y value the mark reaches (for the axis range).
    pub fn max_y(&self) -> f64 {
        let fold = |it: &mut dyn Iterator<Item = f64>| it.fold(0.0f64, f64::max);
        match self {
            Mark::Band { points, .. } => fold(&mut points.iter().map(|p| p.2)),
            Mark::Line { points, .. } | Mark::Points { points, .. } => {
                fold(&mut points.iter().map(|p| p.1))
            }
            Mark::Stack { layers, .. } => layers.iter().map(|l| l.0).sum(),
            Mark::Bar { from, to, .. } => from.max(*to),
            Mark::Connector { y, .. } => *y,
            Mark::Whisker { hi, .. } => *hi,
            Mark::Label { y, .. } => *y,
            Mark::EndLabel { y, .. } => *y,
            Mark::Rule { .. } => 0.0,
        }
    }

    /// Smallest y value the mark reaches, or 0 if none is below zero (axes start at zero or below).
    pub fn min_y(&self) -> f64 {
        let fold = |it: &mut dyn Iterator<Item = f64>| it.fold(0.0f64, f64::min);
        match self {
            Mark::Band { points, .. } => fold(&mut points.iter().map(|p| p.1)),
            Mark::Line { points, .. } | Mark::Points { points, .. } => {
                fold(&mut points.iter().map(|p| p.1))
            }
            Mark::Stack { layers, .. } => layers.iter().map(|l| l.0).sum::<f64>().min(0.0),
            Mark::Bar { from, to, .. } => from.min(*to).min(0.0),
            Mark::Connector { y, .. } => y.min(0.0),
            Mark::Whisker { lo, .. } => lo.min(0.0),
            Mark::Label { y, .. } => y.min(0.0),
            Mark::EndLabel { y, .. } => y.min(0.0),
            Mark::Rule { .. } => 0.0,
        }
    }

    /// Every (x, y) point the mark covers, to check marks stay inside the plot.
    pub fn points(&self) -> Vec<(f64, f64)> {
        match self {
            Mark::Band { points, .. } => points
                .iter()
                .flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)])
                .collect(),
            Mark::Line { points, .. } | Mark::Points { points, .. } => points.clone(),
            Mark::Stack { x, layers } => vec![(*x, 0.0), (*x, layers.iter().map(|l| l.0).sum())],
            Mark::Bar { x, from, to, .. } => vec![(*x, *from), (*x, *to)],
            Mark::Connector { x0, x1, y } => vec![(*x0, *y), (*x1, *y)],
            Mark::Whisker { x, lo, hi } => vec![(*x, *lo), (*x, *hi)],
            Mark::Label { x, y, .. } | Mark::EndLabel { x, y, .. } => vec![(*x, *y)],
            Mark::Rule { .. } => vec![],
        }
    }
}

/// One set of axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: Option<String>,
    pub marks: Vec<Mark>,
    /// This panel's value format when it differs from the figure's `y_format`.
    pub y_format: Option<ValueFormat>,
}

/// How a legend entry's key is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    Line(RGBColor),
    Band(RGBColor, f64),
    LineBand(RGBColor, f64),
    Block(RGBColor),
    Whisker,
    /// A dot, filled or a ring (as `Mark::Points`).
    Dot(RGBColor, bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

/// A whole chart, ready to lay out and draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub title: String,
    pub subtitle: String,
    pub footer: String,
    pub x_title: String,
    pub y_title: String,
    pub y_format: ValueFormat,
    /// Year labels along the x axis; x = `year.start - years[0].start`.
    pub years: Vec<Year>,
    /// Whether all panels share one y scale (small multiples of one measure).
    pub shared_y: bool,
    /// Whether the x axis holds categories (one per slot, every one labelled under its bar,
    /// shortened to fit) rather than years.
    pub categorical: bool,
    pub panels: Vec<Panel>,
    pub legend: Vec<LegendItem>,
    /// Plain-language notes printed under the legend entries.
    pub notes: Vec<String>,
}

/// Checks the scenario set can be drawn together and returns the union of their years.
pub fn check_set(results: &[ScenarioResults]) -> Result<Vec<Year>, ChartError> {
    let first = results.first().ok_or(ChartError::NoResults)?;
    if results.len() > theme::MAX_SCENARIOS {
        return Err(ChartError::TooManyScenarios {
            count: results.len(),
            max: theme::MAX_SCENARIOS,
        });
    }
    for (i, r) in results.iter().enumerate() {
        if results[..i].iter().any(|o| o.scenario() == r.scenario()) {
            return Err(ChartError::DuplicateScenario {
                name: r.scenario().to_string(),
            });
        }
        if r.summary().price_base != first.summary().price_base {
            return Err(ChartError::MixedPriceBase {
                first: first.summary().price_base.clone(),
                first_scenario: first.scenario().to_string(),
                other: r.summary().price_base.clone(),
                other_scenario: r.scenario().to_string(),
            });
        }
    }
    let mut years: Vec<Year> = results
        .iter()
        .flat_map(|r| r.years().iter().cloned())
        .collect();
    years.sort();
    years.dedup();
    Ok(years)
}

/// Distinct values in scenario order, joined with "/" (a single value when all agree).
fn distinct(results: &[ScenarioResults], f: impl Fn(&ScenarioResults) -> String) -> String {
    let mut seen: Vec<String> = Vec::new();
    for r in results {
        let v = f(r);
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.join("/")
}

/// The name a scenario goes by in legends, direct labels and titles: its label.
pub fn display_name(r: &ScenarioResults) -> &str {
    r.label()
}

/// Scenario names (not labels: the source line names what was run) joined with " vs ".
pub fn scenario_names(results: &[ScenarioResults]) -> String {
    results
        .iter()
        .map(ScenarioResults::scenario)
        .collect::<Vec<_>>()
        .join(" vs ")
}

/// The source line: `Source: carecast <version>, scenario <name> (or scenarios <a> vs <b>),
/// <runs> runs, seed <seed>, scale <scale>, <price base> prices` (runs as `runs` words them;
/// no scale where only the cohort engine, which samples no families, wrote the results). Only
/// values from the results' summaries, so the same results always give the same line.
pub fn footer(results: &[ScenarioResults]) -> String {
    let scenarios = if results.len() == 1 {
        "scenario"
    } else {
        "scenarios"
    };
    let sampled = results
        .iter()
        .any(|r| r.summary().engine.as_deref() != Some("cohort"));
    let scale = if sampled {
        format!(
            ", scale {}",
            distinct(results, |r| r.summary().scale.to_string())
        )
    } else {
        String::new()
    };
    format!(
        "Source: carecast {}, {scenarios} {}, {}, seed {}{scale}, {} prices",
        distinct(results, |r| r.summary().carecast_version.clone()),
        scenario_names(results),
        runs(results),
        distinct(results, |r| r.summary().seed.to_string()),
        distinct(results, |r| r.summary().price_base.clone()),
    )
}

/// "Scenario: x" or "Scenarios: x vs y", optionally followed by the price basis.
pub fn subtitle(results: &[ScenarioResults], with_prices: bool) -> String {
    let label = if results.len() == 1 {
        "Scenario"
    } else {
        "Scenarios"
    };
    let mut s = format!("{label}: {}", scenario_names(results));
    if with_prices {
        s.push_str(&format!(
            " · £ at {} prices",
            distinct(results, |r| r.summary().price_base.clone())
        ));
    }
    s
}

/// Number of runs as words for notes: "200 runs" (or "200/500 runs"); "200 cohort-engine
/// draws" where the cohort engine wrote the results, so a chart does not pass off expected
/// values as Monte Carlo runs.
pub fn runs(results: &[ScenarioResults]) -> String {
    let n = distinct(results, |r| r.summary().runs.to_string());
    let cohort = |r: &ScenarioResults| r.summary().engine.as_deref() == Some("cohort");
    if results.iter().any(cohort) {
        if results.iter().all(cohort) {
            format!("{n} cohort-engine draws")
        } else {
            format!("{n} runs or cohort-engine draws")
        }
    } else {
        format!("{n} runs")
    }
}

/// The x position of each of a scenario's years on the shared axis.
pub fn xs(r: &ScenarioResults, years: &[Year]) -> Vec<f64> {
    let first = years.first().map_or(0, |y| y.start);
    r.years()
        .iter()
        .map(|y| f64::from(y.start - first))
        .collect()
}

/// Median line of a metric.
pub fn median_line(r: &ScenarioResults, years: &[Year], metric: Metric, colour: RGBColor) -> Mark {
    let points = xs(r, years)
        .into_iter()
        .zip(r.series(metric))
        .map(|(x, s)| (x, s.p50))
        .collect();
    Mark::Line { colour, points }
}

/// Band between two quantiles picked by `pick`; `None` when a quantile is absent.
pub fn band(
    r: &ScenarioResults,
    years: &[Year],
    metric: Metric,
    colour: RGBColor,
    alpha: f64,
    pick: impl Fn(&Stat) -> Option<(f64, f64)>,
) -> Option<Mark> {
    let points = xs(r, years)
        .into_iter()
        .zip(r.series(metric))
        .map(|(x, s)| pick(s).map(|(lo, hi)| (x, lo, hi)))
        .collect::<Option<Vec<_>>>()?;
    Some(Mark::Band {
        colour,
        alpha,
        points,
    })
}

/// The 90% interval (p5 to p95).
pub fn band90(
    r: &ScenarioResults,
    years: &[Year],
    metric: Metric,
    colour: RGBColor,
    alpha: f64,
) -> Mark {
    let points = xs(r, years)
        .into_iter()
        .zip(r.series(metric))
        .map(|(x, s)| (x, s.p5, s.p95))
        .collect();
    Mark::Band {
        colour,
        alpha,
        points,
    }
}

/// A direct label `text` at the end of `line` (a `Mark::Line`), with the line's last value in
/// `fmt` (signed where `signed`) as its short form; `None` for an empty line.
pub fn end_label(
    line: &Mark,
    text: Option<String>,
    fmt: super::format::ValueFormat,
    signed: bool,
) -> Option<Mark> {
    match line {
        Mark::Line { colour, points } => points.last().map(|&(x, y)| {
            let short = if signed {
                super::format::signed3(y, fmt)
            } else {
                super::format::sig3(y, fmt)
            };
            Mark::EndLabel {
                x,
                y,
                text: text.unwrap_or_else(|| short.clone()),
                short,
                colour: *colour,
            }
        }),
        _ => None,
    }
}

/// Each line's direct label: the scenario's name where several are overlaid (its last median
/// where the name does not fit), else the last median value (in `fmt`).
pub fn line_end_labels(
    results: &[ScenarioResults],
    lines: &[Mark],
    fmt: super::format::ValueFormat,
) -> Vec<Mark> {
    lines
        .iter()
        .zip(results)
        .filter_map(|(line, r)| {
            let name = (results.len() > 1).then(|| display_name(r).to_string());
            end_label(line, name, fmt, false)
        })
        .collect()
}

/// The colour of the i-th overlaid scenario.
pub fn scenario_colour(i: usize) -> RGBColor {
    theme::SCENARIO_COLOURS[i % theme::SCENARIO_COLOURS.len()]
}

/// Band opacity for `n` overlaid series.
pub fn band_alpha(n: usize) -> f64 {
    match n {
        0 | 1 => theme::BAND_ALPHA_SINGLE,
        2 | 3 => theme::BAND_ALPHA_FEW,
        _ => theme::BAND_ALPHA_MANY,
    }
}
