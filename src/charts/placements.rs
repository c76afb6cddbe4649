//! The `placements` chart: children in care at 31 March by placement type, stacked medians.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::finding::{self, Subject};
use super::format::ValueFormat;
use super::metric::Metric;
use super::theme;

/// Placement types from the bottom of the stack up.
const TYPES: [(Metric, &str, plotters::style::RGBColor); 4] = [
    (
        Metric::ChildrenInCareFoster,
        "Foster care (not kinship)",
        theme::SKY_BLUE,
    ),
    (Metric::ChildrenInCareKinship, "Kinship care", theme::GREEN),
    (
        Metric::ChildrenInCareResidential,
        "Residential care",
        theme::VERMILLION,
    ),
    (
        Metric::ChildrenInCareOther,
        "Other placements",
        theme::PURPLE,
    ),
];

/// Stacked bars per year; one panel per scenario on a shared scale when several are given.
pub fn figure(results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let single = results.len() == 1;
    let panels = results
        .iter()
        .map(|r| {
            let marks = figure::xs(r, &years)
                .into_iter()
                .enumerate()
                .map(|(i, x)| Mark::Stack {
                    x,
                    layers: TYPES
                        .iter()
                        .map(|&(m, _, c)| (r.series(m)[i].p50, c))
                        .collect(),
                })
                .collect();
            Panel {
                title: (!single).then(|| figure::display_name(r).to_string()),
                marks,
                y_format: None,
            }
        })
        .collect();
    let legend = TYPES
        .iter()
        .rev()
        .map(|&(_, label, c)| LegendItem {
            swatch: Swatch::Block(c),
            label: label.to_string(),
        })
        .collect();
    Ok(Figure {
        title: finding::of_metric(
            results,
            Metric::ChildrenInCareResidential,
            Subject {
                name: "Children in residential care",
                plural: true,
                fmt: ValueFormat::Count,
            },
        ),
        subtitle: finding::subtitle(
            "Children in care by placement type at 31 March",
            &figure::subtitle(results, false),
        ),
        footer: figure::footer(results),
        x_title: "Financial year (count at 31 March, its end)".to_string(),
        y_title: "Children looked after at 31 March".to_string(),
        y_format: ValueFormat::Count,
        years,
        shared_y: true,
        categorical: false,
        panels,
        legend,
        notes: vec![format!(
            "Bars: median (p50) of each placement type across {}. Type medians need not sum to the median total in care.",
            figure::runs(results)
        )],
    })
}
