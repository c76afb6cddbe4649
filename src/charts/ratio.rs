//! The `ratio` chart: £ of late spend per £1 of early spend, median with intervals.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Panel, Swatch};
use super::finding::{self, Subject};
use super::format::ValueFormat;
use super::metric::Metric;

const SUBJECT: Subject<'static> = Subject {
    name: "Late spend per £1 of early spend",
    plural: false,
    fmt: ValueFormat::Ratio,
};

/// Median line with the 90% band; the 50% band only when `p25`/`p75` were supplied.
pub fn figure(results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let metric = Metric::LateEarlyRatio;
    let alpha = figure::band_alpha(results.len());
    let has_50 = |r: &ScenarioResults| {
        r.series(metric)
            .iter()
            .all(|s| s.p25.is_some() && s.p75.is_some())
    };
    let any_50 = results.iter().any(has_50);
    let mut marks = Vec::new();
    let mut lines = Vec::new();
    let mut legend = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let colour = figure::scenario_colour(i);
        marks.push(figure::band90(r, &years, metric, colour, alpha));
        if let Some(b) = figure::band(r, &years, metric, colour, alpha, |s| s.p25.zip(s.p75)) {
            marks.push(b);
        }
        lines.push(figure::median_line(r, &years, metric, colour));
        if results.len() > 1 {
            legend.push(LegendItem {
                swatch: Swatch::LineBand(colour, alpha),
                label: figure::display_name(r).to_string(),
            });
        }
    }
    marks.extend(figure::line_end_labels(results, &lines, ValueFormat::Ratio));
    marks.extend(lines);
    if results.len() == 1 {
        let colour = figure::scenario_colour(0);
        legend.push(LegendItem {
            swatch: Swatch::Line(colour),
            label: "Median".to_string(),
        });
        if any_50 {
            legend.push(LegendItem {
                swatch: Swatch::Band(colour, 1.0 - (1.0 - alpha).powi(2)),
                label: "50% interval".to_string(),
            });
        }
        legend.push(LegendItem {
            swatch: Swatch::Band(colour, alpha),
            label: "90% interval".to_string(),
        });
    }
    let note = format!(
        "{}. Shading: 90% interval (p5 to p95) across {}{}.",
        if results.len() == 1 {
            "Line: median"
        } else {
            "Lines: medians"
        },
        figure::runs(results),
        if any_50 {
            "; darker: 50% interval (p25 to p75)"
        } else {
            ""
        }
    );
    Ok(Figure {
        title: finding::of_metric(results, metric, SUBJECT),
        subtitle: finding::subtitle(
            "Late spend per £1 of early spend",
            &figure::subtitle(results, true),
        ),
        footer: figure::footer(results),
        x_title: "Financial year".to_string(),
        y_title: "£ of late spend per £1 of early spend".to_string(),
        y_format: ValueFormat::Ratio,
        years,
        shared_y: true,
        categorical: false,
        panels: vec![Panel {
            title: None,
            marks,
            y_format: None,
        }],
        legend,
        notes: vec![note],
    })
}
