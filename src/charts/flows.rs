//! The `flows` chart: family help starts, child protection starts and care entries per year.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Panel, Swatch};
use super::format::ValueFormat;
use super::metric::Metric;
use super::theme;

const FLOWS: [(Metric, &str, plotters::style::RGBColor); 3] = [
    (
        Metric::FamilyHelpStarts,
        "Family help starts (families)",
        theme::GREEN,
    ),
    (
        Metric::CpStarts,
        "Child protection starts (children)",
        theme::VERMILLION,
    ),
    (Metric::CareEntries, "Care entries (children)", theme::BLUE),
];

/// One scenario: one panel, a line and band per flow. Several: one panel per flow,
/// a line and band per scenario, each panel on its own scale.
pub fn figure(results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let (panels, legend, shared_y) = if let [r] = results {
        let alpha = figure::band_alpha(1);
        let mut marks = Vec::new();
        let mut legend = Vec::new();
        for (metric, label, colour) in FLOWS {
            marks.push(figure::band90(r, &years, metric, colour, alpha));
            marks.push(figure::median_line(r, &years, metric, colour));
            legend.push(LegendItem {
                swatch: Swatch::LineBand(colour, alpha),
                label: label.to_string(),
            });
        }
        (vec![Panel { title: None, marks }], legend, true)
    } else {
        let alpha = figure::band_alpha(results.len());
        let panels = FLOWS
            .iter()
            .map(|&(metric, label, _)| {
                let mut marks = Vec::new();
                for (i, r) in results.iter().enumerate() {
                    let colour = figure::scenario_colour(i);
                    marks.push(figure::band90(r, &years, metric, colour, alpha));
                    marks.push(figure::median_line(r, &years, metric, colour));
                }
                Panel {
                    title: Some(label.to_string()),
                    marks,
                }
            })
            .collect();
        let legend = results
            .iter()
            .enumerate()
            .map(|(i, r)| LegendItem {
                swatch: Swatch::LineBand(figure::scenario_colour(i), alpha),
                label: r.scenario().to_string(),
            })
            .collect();
        (panels, legend, false)
    };
    Ok(Figure {
        title: "Flows into family help, child protection and care".to_string(),
        subtitle: figure::subtitle(results, false),
        footer: figure::footer(results),
        x_title: "Financial year".to_string(),
        y_title: "Number starting during the year".to_string(),
        y_format: ValueFormat::Count,
        years,
        shared_y,
        panels,
        legend,
        notes: vec![super::stock::interval_note(results)],
    })
}
