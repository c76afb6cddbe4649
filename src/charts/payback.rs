//! The `payback` chart: each alternative's cumulative net saving against the baseline by year,
//! median with its 90% band, and the median break-even year marked.
use super::comparison::Comparison;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::format::ValueFormat;

/// Builds the figure.
pub fn figure(cmp: &Comparison) -> Result<Figure, ChartError> {
    let years = figure::check_set(&cmp.scenarios)?;
    let base = &cmp.scenarios[0];
    let xs = figure::xs(base, &years);
    let alpha = figure::band_alpha(cmp.alternatives.len());
    let mut marks = Vec::new();
    let mut legend = Vec::new();
    let mut marked = Vec::new();
    for (j, a) in cmp.alternatives.iter().enumerate() {
        let colour = figure::scenario_colour(j + 1);
        let s = &a.cumulative_net_saving;
        marks.push(Mark::Band {
            colour,
            alpha,
            points: xs.iter().zip(s).map(|(&x, s)| (x, s.p5, s.p95)).collect(),
        });
        marks.push(Mark::Line {
            colour,
            points: xs.iter().zip(s).map(|(&x, s)| (x, s.p50)).collect(),
        });
        let when = match a.median_break_even.and_then(|y| xs.get(y).map(|x| (y, *x))) {
            Some((y, x)) => {
                marks.push(Mark::Rule { x, colour });
                base.years()[y].label.clone()
            }
            None => "not within the horizon".to_string(),
        };
        marked.push(format!("{} {when}", a.label));
        legend.push(LegendItem {
            swatch: Swatch::LineBand(colour, alpha),
            label: a.label.clone(),
        });
    }
    Ok(Figure {
        title: format!("Payback: cumulative net saving against {}", base.scenario()),
        subtitle: figure::subtitle(&cmp.scenarios, true),
        footer: figure::footer(&cmp.scenarios),
        x_title: "Financial year (total from the first year to its end)".to_string(),
        y_title: format!(
            "Cumulative net saving (£, {} prices, undiscounted)",
            base.summary().price_base
        ),
        y_format: ValueFormat::GbpM,
        years,
        shared_y: true,
        panels: vec![Panel {
            title: None,
            marks,
            y_format: None,
        }],
        legend,
        notes: vec![
            format!(
                "Net saving: baseline minus alternative early + late spend, run by run. Lines: medians; shading: 90% interval across {}. Above zero: the alternative has saved more than it cost.",
                figure::runs(&cmp.scenarios)
            ),
            format!(
                "Dashed line: median break-even year (half the runs broken even): {}.",
                marked.join("; ")
            ),
        ],
    })
}
