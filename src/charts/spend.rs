//! The `spend` chart: early and late spend per year as stacked bars of medians, in £.
use super::data::ScenarioResults;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::finding::{self, Subject};
use super::format::{self, ValueFormat};
use super::metric::Metric;
use super::theme;

pub const EARLY: plotters::style::RGBColor = theme::BLUE;
pub const LATE: plotters::style::RGBColor = theme::ORANGE;

/// One panel per scenario (small multiples on a shared scale) when several are given.
pub fn figure(results: &[ScenarioResults]) -> Result<Figure, ChartError> {
    let years = figure::check_set(results)?;
    let single = results.len() == 1;
    let panels = results
        .iter()
        .map(|r| {
            let xs = figure::xs(r, &years);
            let early = r.series(Metric::EarlySpend);
            let late = r.series(Metric::LateSpend);
            let total = r.series(Metric::TotalSpend);
            let mut marks = Vec::new();
            for (i, &x) in xs.iter().enumerate() {
                let (e, l, t) = (early[i], late[i], total[i]);
                marks.push(Mark::Stack {
                    x,
                    layers: vec![(e.p50, EARLY), (l.p50, LATE)],
                });
                marks.push(Mark::Whisker {
                    x,
                    lo: t.p5,
                    hi: t.p95,
                });
                if single {
                    marks.push(Mark::Label {
                        x,
                        y: t.p95.max(e.p50 + l.p50),
                        text: format::gbp_m(t.p50),
                    });
                }
            }
            Panel {
                title: (!single).then(|| figure::display_name(r).to_string()),
                marks,
                y_format: None,
            }
        })
        .collect();
    let mut notes = vec![format!(
        "Bars: median (p50) of each part across {}. Part medians need not sum to the median total.",
        figure::runs(results)
    )];
    if single {
        notes.push("Figures above bars: median total spend.".to_string());
    }
    Ok(Figure {
        title: finding::of_metric(
            results,
            Metric::TotalSpend,
            Subject {
                name: "Total spend",
                plural: false,
                fmt: ValueFormat::GbpM,
            },
        ),
        subtitle: finding::subtitle(
            "Early and late intervention spend",
            &figure::subtitle(results, true),
        ),
        footer: figure::footer(results),
        x_title: "Financial year".to_string(),
        y_title: format!(
            "Spend per year (£, {} prices)",
            results[0].summary().price_base
        ),
        y_format: ValueFormat::GbpM,
        years,
        shared_y: true,
        categorical: false,
        panels,
        legend: vec![
            LegendItem {
                swatch: Swatch::Block(LATE),
                label: "Late intervention".to_string(),
            },
            LegendItem {
                swatch: Swatch::Block(EARLY),
                label: "Early intervention".to_string(),
            },
            LegendItem {
                swatch: Swatch::Whisker,
                label: "Total: 90% interval".to_string(),
            },
        ],
        notes,
    })
}
