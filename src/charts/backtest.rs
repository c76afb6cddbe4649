//! The `backtest` chart: one panel per metric with later targets, each with the projection's
//! median and 90% interval over the whole horizon, the observed values (rings: used to
//! calibrate; dots: held out and scored) and a dashed line after the calibration cut-off.
use super::data::Year;
use super::figure::{Figure, LegendItem, Mark, Panel, Swatch};
use super::format::ValueFormat;
use super::metric::Unit;
use super::theme;

/// One metric's panel.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestPanel {
    /// The `yearly.csv` metric name.
    pub metric: String,
    pub unit: Unit,
    /// (year index, p5, p50, p95) of the projection in every year.
    pub projection: Vec<(usize, f64, f64, f64)>,
    /// (year index, observed) of the targets used to calibrate, and of those held out.
    pub calibrated: Vec<(usize, f64)>,
    pub held_out: Vec<(usize, f64)>,
}

/// Everything the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub scenario: String,
    /// The scenario's years; x = index into them.
    pub years: Vec<Year>,
    /// Index of the last year calibrated on.
    pub until: usize,
    pub panels: Vec<BacktestPanel>,
    /// The headline: targets held out, how many lie inside their 90% interval, and the median
    /// absolute percentage error of p50.
    pub scored: usize,
    pub inside: usize,
    pub mape_percent: f64,
    pub runs: u64,
    pub footer: String,
}

/// A panel title for a metric, short enough for eight panels: plain words for the usual
/// targets, else the metric's name in words.
fn title_of(metric: &str) -> String {
    match metric {
        "children_in_care" => "Children in care".into(),
        "cp_plans" => "Protection plans".into(),
        "children_in_need" => "Children in need".into(),
        "referrals" => "Referrals".into(),
        "cp_starts" => "New protection plans".into(),
        "care_entries" => "Care entries".into(),
        "late_early_ratio" => "Late £ per early £1".into(),
        other => {
            let words = other.replace('_', " ");
            let mut c = words.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase().chain(c).collect::<String>()
            })
        }
    }
}

fn format_of(unit: Unit) -> ValueFormat {
    match unit {
        Unit::GbpM => ValueFormat::GbpM,
        Unit::Ratio => ValueFormat::Ratio,
        Unit::Children | Unit::Families => ValueFormat::Count,
    }
}

/// Builds the figure.
pub fn figure(b: &Backtest) -> Figure {
    let colour = theme::BLUE;
    let alpha = theme::BAND_ALPHA_SINGLE;
    let held_colour = theme::VERMILLION;
    let xy = |v: &[(usize, f64)]| v.iter().map(|&(x, y)| (x as f64, y)).collect();
    let panels = b
        .panels
        .iter()
        .map(|p| Panel {
            title: Some(title_of(&p.metric)),
            marks: vec![
                Mark::Band {
                    colour,
                    alpha,
                    points: p
                        .projection
                        .iter()
                        .map(|&(x, lo, _, hi)| (x as f64, lo, hi))
                        .collect(),
                },
                Mark::Line {
                    colour,
                    points: p
                        .projection
                        .iter()
                        .map(|&(x, _, mid, _)| (x as f64, mid))
                        .collect(),
                },
                Mark::Rule {
                    x: b.until as f64 + 0.5,
                    colour: theme::MUTED,
                },
                Mark::Points {
                    colour: theme::TEXT,
                    filled: false,
                    points: xy(&p.calibrated),
                },
                Mark::Points {
                    colour: held_colour,
                    filled: true,
                    points: xy(&p.held_out),
                },
            ],
            y_format: Some(format_of(p.unit)),
        })
        .collect();
    let until = b.years.get(b.until).map_or("", |y| y.label.as_str());
    let legend = vec![
        LegendItem {
            swatch: Swatch::Line(colour),
            label: "Projection: median".into(),
        },
        LegendItem {
            swatch: Swatch::Band(colour, alpha),
            label: "Projection: 90% interval".into(),
        },
        LegendItem {
            swatch: Swatch::Dot(theme::TEXT, false),
            label: format!("Observed, calibrated on (to {until})"),
        },
        LegendItem {
            swatch: Swatch::Dot(held_colour, true),
            label: "Observed later, held out".into(),
        },
    ];
    Figure {
        title: format!("Backtest: calibrated to {until}, projected after it"),
        subtitle: format!(
            "Scenario: {} · {} of {} later targets inside their 90% interval · median absolute percentage error {:.1}%",
            b.scenario, b.inside, b.scored, b.mape_percent
        ),
        footer: b.footer.clone(),
        x_title: "Financial year (stocks at 31 March, its end; flows over the year)".into(),
        y_title: "Each panel on its own scale".into(),
        y_format: ValueFormat::Count,
        years: b.years.clone(),
        shared_y: false,
        categorical: false,
        panels,
        legend,
        notes: vec![
            format!(
                "Line and shading: median and 90% interval (p5 to p95) across {} Monte Carlo runs, run i on draw i of the posterior calibrated to the targets to {until} only.",
                b.runs
            ),
            format!("Dashed line: the calibration cut-off, after {until}. Only the held-out dots are scored."),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_out_dots_lie_after_the_cut_off_line_and_rings_before_it() {
        let years = (0..4)
            .map(|i| Year {
                start: 2025 + i,
                label: crate::scenario::model::year_label(2025 + i),
            })
            .collect();
        let b = Backtest {
            scenario: "s".into(),
            years,
            until: 1,
            panels: vec![BacktestPanel {
                metric: "children_in_care".into(),
                unit: Unit::Children,
                projection: (0..4).map(|y| (y, 1.0, 2.0, 3.0)).collect(),
                calibrated: vec![(0, 2.0), (1, 2.1)],
                held_out: vec![(2, 2.2), (3, 2.3)],
            }],
            scored: 2,
            inside: 2,
            mape_percent: 5.0,
            runs: 10,
            footer: String::new(),
        };
        let fig = figure(&b);
        assert!(fig.title.contains("calibrated to 2026-27"));
        let marks = &fig.panels[0].marks;
        let cut = marks
            .iter()
            .find_map(|m| match m {
                Mark::Rule { x, .. } => Some(*x),
                _ => None,
            })
            .unwrap();
        assert_eq!(cut, 1.5);
        for m in marks {
            if let Mark::Points { filled, points, .. } = m {
                assert_eq!(points.len(), 2);
                assert!(points.iter().all(|p| (p.0 > cut) == *filled), "{m:?}");
            }
        }
    }

    #[test]
    fn titles_are_plain_words() {
        assert_eq!(title_of("cp_starts"), "New protection plans");
        assert_eq!(title_of("care_leavers"), "Care leavers");
    }
}
