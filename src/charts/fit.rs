//! The fit charts of a Bayesian calibration (`fit-<metric>.svg`): the calibrated model's median
//! and 90% band of one metric by year (the posterior's draws from `calibrate --posterior`, or a
//! report's runs on that posterior), with the observed targets as points. Years without a target
//! (the withheld even years of the history) have no point, and the note says so.
use super::data::Year;
use super::figure::{Figure, LegendItem, Mark, Panel, Swatch};
use super::format::ValueFormat;
use super::theme;

/// One metric's posterior by year and its observed targets.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSeries {
    /// The metric's name in words, e.g. "Children in care at 31 March".
    pub what: String,
    pub y_format: ValueFormat,
    /// Every simulated year, with the posterior's p5, p50 and p95 in it.
    pub years: Vec<Year>,
    pub p5: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
    /// (index into `years`, observed value) of each target.
    pub observed: Vec<(usize, f64)>,
    /// What the line is, for the legend: "Posterior median", "Median of 200 runs".
    pub median_label: String,
    /// What the band is, for the note: "90% interval across 2000 posterior draws (cohort engine)".
    pub band: String,
    pub subtitle: String,
    /// The source line (command, scenario, targets file).
    pub footer: String,
}

/// A metric's name in words for a chart title.
pub fn metric_words(name: &str) -> String {
    match name {
        "children_in_care" => "Children in care at 31 March".into(),
        "children_in_need" => "Children in need at 31 March".into(),
        "cp_plans" => "Child protection plans at 31 March".into(),
        "cp_starts" => "Child protection plans started in the year".into(),
        "care_entries" => "Children entering care in the year".into(),
        "care_exits" => "Children leaving care in the year".into(),
        "referrals" => "Referrals in the year".into(),
        "late_early_ratio" => "Late spend per £1 of early spend".into(),
        "late_spend" => "Late spend".into(),
        "early_spend" => "Early spend".into(),
        other => {
            let s = other.replace('_', " ");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

/// The fit chart of one metric.
pub fn figure(s: &FitSeries) -> Figure {
    let colour = theme::SCENARIO_COLOURS[0];
    let alpha = theme::BAND_ALPHA_SINGLE;
    let x = |i: usize| f64::from(s.years[i].start - s.years[0].start);
    let band = (0..s.years.len())
        .map(|i| (x(i), s.p5[i], s.p95[i]))
        .collect();
    let line = (0..s.years.len()).map(|i| (x(i), s.p50[i])).collect();
    let dots = s.observed.iter().map(|&(i, v)| (x(i), v)).collect();
    let without: Vec<&str> = (0..s.years.len())
        .filter(|i| !s.observed.iter().any(|o| o.0 == *i))
        .map(|i| s.years[i].label.as_str())
        .collect();
    let inside = s
        .observed
        .iter()
        .filter(|&&(i, v)| v >= s.p5[i] && v <= s.p95[i])
        .count();
    let mut notes = vec![format!(
        "Line: {}; shading: {}. {} of {} observed points lie inside it.",
        s.median_label.to_lowercase(),
        s.band,
        inside,
        s.observed.len()
    )];
    if !without.is_empty() {
        notes.push(format!(
            "No observed point in {}: those years are not fitted (withheld for an out-of-sample check, or not published).",
            without.join(", ")
        ));
    }
    Figure {
        title: format!(
            "{}: {inside} of {} published figures inside the calibrated 90% interval",
            s.what,
            s.observed.len()
        ),
        subtitle: s.subtitle.clone(),
        footer: s.footer.clone(),
        x_title: "Financial year (stocks at 31 March, its end; flows in the year)".to_string(),
        y_title: s.what.clone(),
        y_format: s.y_format,
        years: s.years.clone(),
        shared_y: true,
        categorical: false,
        panels: vec![Panel {
            title: None,
            marks: vec![
                Mark::Band {
                    colour,
                    alpha,
                    points: band,
                },
                Mark::Line {
                    colour,
                    points: line,
                },
                Mark::Points {
                    colour: theme::TEXT,
                    filled: true,
                    points: dots,
                },
            ],
            y_format: None,
        }],
        legend: vec![
            LegendItem {
                swatch: Swatch::Line(colour),
                label: s.median_label.clone(),
            },
            LegendItem {
                swatch: Swatch::Band(colour, alpha),
                label: "90% interval".to_string(),
            },
            LegendItem {
                swatch: Swatch::Dot(theme::TEXT, true),
                label: "Observed (fitted)".to_string(),
            },
        ],
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> FitSeries {
        let years = (2010..2014)
            .map(|y| Year::parse(&format!("{y}-{:02}", (y + 1) % 100)).unwrap())
            .collect();
        FitSeries {
            what: "Children in care at 31 March".into(),
            y_format: ValueFormat::Count,
            years,
            p5: vec![60.0, 61.0, 62.0, 63.0],
            p50: vec![65.0, 66.0, 67.0, 68.0],
            p95: vec![70.0, 71.0, 72.0, 73.0],
            observed: vec![(0, 64.0), (2, 80.0)],
            median_label: "Posterior median".into(),
            band: "90% interval across 400 posterior draws (cohort engine)".into(),
            subtitle: "Calibrated model against the published series".into(),
            footer: "Source: test".into(),
        }
    }

    #[test]
    fn observed_points_only_where_fitted_and_the_rest_named() {
        let fig = figure(&series());
        let dots: Vec<_> = fig.panels[0]
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Points { points, .. } => Some(points.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(dots, vec![vec![(0.0, 64.0), (2.0, 80.0)]]);
        assert_eq!(
            fig.notes[0],
            "Line: posterior median; shading: 90% interval across 400 posterior draws (cohort engine). 1 of 2 observed points lie inside it."
        );
        assert!(
            fig.title.contains("1 of 2 published figures inside"),
            "{}",
            fig.title
        );
        assert!(
            fig.notes[1].contains("2011-12, 2013-14"),
            "{}",
            fig.notes[1]
        );
    }
}
