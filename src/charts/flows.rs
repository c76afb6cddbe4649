//! The `flows` chart: family help starts, child protection starts and care entries per year.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Panel, Swatch};
use super::finding::{self, Subject};
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
        "CP plan starts (children)",
        theme::VERMILLION,
    ),
    (Metric::CareEntries, "Care entries (children)", theme::BLUE),
];

/// One panel per flow, each on its own scale (family-help starts are ten times plan starts, so a
/// shared axis would flatten the others): with one scenario a line and band per panel in the flow's
/// colour, with several a line and band per scenario.
pub fn figure(results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let alpha = figure::band_alpha(results.len());
    let single = results.len() == 1;
    let panels = FLOWS
        .iter()
        .map(|&(metric, label, flow_colour)| {
            let mut marks = Vec::new();
            let mut lines = Vec::new();
            for (i, r) in results.iter().enumerate() {
                let colour = if single {
                    flow_colour
                } else {
                    figure::scenario_colour(i)
                };
                marks.push(figure::band90(r, &years, metric, colour, alpha));
                lines.push(figure::median_line(r, &years, metric, colour));
            }
            marks.extend(figure::line_end_labels(results, &lines, ValueFormat::Count));
            marks.extend(lines);
            Panel {
                title: Some(label.to_string()),
                marks,
                y_format: None,
            }
        })
        .collect();
    let legend = if single {
        FLOWS
            .iter()
            .map(|&(_, label, colour)| LegendItem {
                swatch: Swatch::LineBand(colour, alpha),
                label: label.to_string(),
            })
            .collect()
    } else {
        results
            .iter()
            .enumerate()
            .map(|(i, r)| LegendItem {
                swatch: Swatch::LineBand(figure::scenario_colour(i), alpha),
                label: figure::display_name(r).to_string(),
            })
            .collect()
    };
    let shared_y = false;
    Ok(Figure {
        title: finding::of_metric(
            results,
            Metric::CareEntries,
            Subject {
                name: "Yearly care entries",
                plural: true,
                fmt: ValueFormat::Count,
            },
        ),
        subtitle: finding::subtitle(
            "Flows into family help, child protection and care",
            &figure::subtitle(results, false),
        ),
        footer: figure::footer(results),
        x_title: "Financial year".to_string(),
        y_title: "Number starting during the year".to_string(),
        y_format: ValueFormat::Count,
        years,
        shared_y,
        categorical: false,
        panels,
        legend,
        notes: vec![super::stock::interval_note(results)],
    })
}
