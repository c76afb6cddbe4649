//! The 31 March stock charts: `children-in-care`, `child-protection`, `children-in-need`.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::finding::{self, Subject};
use super::format::ValueFormat;
use super::metric::Metric;

/// Median line and 90% band per scenario for one count at 31 March, each line labelled at its
/// end; titled with the finding about `subject`, the descriptive `title` below it.
pub fn figure(
    results: &[ScenarioResults],
    metric: Metric,
    title: &str,
    y_title: &str,
    subject: &str,
) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let alpha = figure::band_alpha(results.len());
    let mut marks: Vec<Mark> = Vec::new();
    let mut lines = Vec::new();
    let mut legend = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let colour = figure::scenario_colour(i);
        marks.push(figure::band90(r, &years, metric, colour, alpha));
        lines.push(figure::median_line(r, &years, metric, colour));
        if results.len() > 1 {
            legend.push(LegendItem {
                swatch: Swatch::LineBand(colour, alpha),
                label: figure::display_name(r).to_string(),
            });
        }
    }
    marks.extend(figure::line_end_labels(results, &lines, ValueFormat::Count));
    marks.extend(lines);
    if results.len() == 1 {
        legend = interval_legend(figure::scenario_colour(0), alpha);
    }
    let subject = Subject {
        name: subject,
        plural: true,
        fmt: ValueFormat::Count,
    };
    Ok(Figure {
        title: finding::of_metric(results, metric, subject),
        subtitle: finding::subtitle(title, &figure::subtitle(results, false)),
        footer: figure::footer(results),
        x_title: "Financial year (count at 31 March, its end)".to_string(),
        y_title: y_title.to_string(),
        y_format: ValueFormat::Count,
        years,
        shared_y: true,
        categorical: false,
        panels: vec![Panel {
            title: None,
            marks,
            y_format: None,
        }],
        legend,
        notes: vec![interval_note(results)],
    })
}

/// Legend for a single series: median line and 90% band.
pub fn interval_legend(colour: plotters::style::RGBColor, alpha: f64) -> Vec<LegendItem> {
    vec![
        LegendItem {
            swatch: Swatch::Line(colour),
            label: "Median".to_string(),
        },
        LegendItem {
            swatch: Swatch::Band(colour, alpha),
            label: "90% interval".to_string(),
        },
    ]
}

/// What the lines and shading mean.
pub fn interval_note(results: &[ScenarioResults]) -> String {
    let lines = if results.len() == 1 {
        "Line: median"
    } else {
        "Lines: medians"
    };
    format!(
        "{lines}. Shading: 90% interval (p5 to p95) across {}.",
        figure::runs(results)
    )
}
