//! The `payback` chart: each alternative's cumulative net saving against the baseline by year,
//! median with its 90% band, and a dashed line at the year that answers the alternative's question:
//! for an investment, the median break-even year; for a cut in early spend (which saves from its
//! first year), the first year in which the median cumulative saving is below zero.
use super::comparison::{Comparison, ComparisonSeries};
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::format::{sig3, signed3, ValueFormat};

/// Whether an alternative cuts early spend (its median extra early spend is below zero): it
/// saves from its first year, so "break-even" says nothing; what matters is whether the extra
/// late spend overtakes the saving.
fn is_cut(a: &ComparisonSeries) -> bool {
    a.extra_early.p50 < 0.0
}

/// Where an alternative's dashed line goes and what the note says of it: for an investment, the
/// median break-even year; for a cut, the first year whose median cumulative saving is below zero.
fn marked_year(a: &ComparisonSeries) -> Option<usize> {
    if is_cut(a) {
        a.cumulative_net_saving.iter().position(|s| s.p50 < 0.0)
    } else {
        a.median_break_even
    }
}

/// "64% of runs save" (the share with a net saving at the end of the horizon).
fn share_saving(a: &ComparisonSeries) -> String {
    format!("{:.0}% of runs save", 100.0 * a.probability_net_saving)
}

/// The finding: one alternative's median cumulative saving (or cost) by the last year and the
/// share of runs that save; for several, the range of their median savings.
fn title(cmp: &Comparison, last_year: &str) -> String {
    let name = |j: usize| figure::display_name(&cmp.scenarios[j + 1]);
    let end = |j: usize| {
        cmp.alternatives[j]
            .cumulative_net_saving
            .last()
            .map_or(0.0, |s| s.p50)
    };
    let n = cmp.alternatives.len();
    if n == 1 {
        let v = end(0);
        let what = if v < 0.0 { "net cost" } else { "net saving" };
        return format!(
            "Cumulative {what} of {}: {} by {last_year}; {}",
            name(0),
            sig3(v.abs(), ValueFormat::GbpM),
            share_saving(&cmp.alternatives[0])
        );
    }
    let lo = (0..n).fold(0, |m, j| if end(j) < end(m) { j } else { m });
    let hi = (0..n).fold(0, |m, j| if end(j) > end(m) { j } else { m });
    let s = |v: f64| signed3(v, ValueFormat::GbpM);
    format!(
        "Cumulative net saving by {last_year}: {} ({}) to {} ({})",
        s(end(lo)),
        name(lo),
        s(end(hi)),
        name(hi)
    )
}

/// What the dashed lines mean, for investments and for cuts, naming each alternative's year.
fn rule_notes(cmp: &Comparison, labels: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    for cut in [false, true] {
        let items: Vec<String> = cmp
            .alternatives
            .iter()
            .enumerate()
            .filter(|(_, a)| is_cut(a) == cut)
            .map(|(j, a)| {
                let when = marked_year(a)
                    .and_then(|y| labels.get(y).cloned())
                    .unwrap_or_else(|| "not within the horizon".to_string());
                format!(
                    "{} {when} ({})",
                    figure::display_name(&cmp.scenarios[j + 1]),
                    share_saving(a)
                )
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        notes.push(if cut {
            format!(
                "A cut in early spend saves from its first year; the question is whether extra late spend overtakes the saving. Dashed line: first year in which the median cumulative saving is below zero: {}.",
                items.join("; ")
            )
        } else {
            format!(
                "Dashed line: median break-even year (half the runs broken even): {}.",
                items.join("; ")
            )
        });
    }
    notes
}

/// Builds the figure.
pub fn figure(cmp: &Comparison) -> Result<Figure, ChartError> {
    let years = figure::check_set(&cmp.scenarios)?;
    let base = &cmp.scenarios[0];
    let xs = figure::xs(base, &years);
    let alpha = figure::band_alpha(cmp.alternatives.len());
    let labels: Vec<String> = base.years().iter().map(|y| y.label.clone()).collect();
    let mut marks = Vec::new();
    let mut lines = Vec::new();
    let mut legend = Vec::new();
    for (j, a) in cmp.alternatives.iter().enumerate() {
        let colour = figure::scenario_colour(j + 1);
        let s = &a.cumulative_net_saving;
        marks.push(Mark::Band {
            colour,
            alpha,
            points: xs.iter().zip(s).map(|(&x, s)| (x, s.p5, s.p95)).collect(),
        });
        let line = Mark::Line {
            colour,
            points: xs.iter().zip(s).map(|(&x, s)| (x, s.p50)).collect(),
        };
        let name = figure::display_name(&cmp.scenarios[j + 1]).to_string();
        let label = (cmp.alternatives.len() > 1).then(|| name.clone());
        marks.extend(figure::end_label(&line, label, ValueFormat::GbpM, true));
        lines.push(line);
        if let Some(x) = marked_year(a).and_then(|y| xs.get(y)) {
            marks.push(Mark::Rule { x: *x, colour });
        }
        legend.push(LegendItem {
            swatch: Swatch::LineBand(colour, alpha),
            label: name,
        });
    }
    marks.extend(lines);
    let last_year = labels.last().cloned().unwrap_or_default();
    let mut notes = vec![format!(
        "Net saving: baseline minus alternative early + late spend, run by run. Lines: medians; shading: 90% interval across {}. Above zero: the alternative has saved more than it cost.",
        figure::runs(&cmp.scenarios)
    )];
    notes.extend(rule_notes(cmp, &labels));
    Ok(Figure {
        title: title(cmp, &last_year),
        subtitle: super::finding::subtitle(
            &format!(
                "Payback: cumulative net saving against {}",
                figure::display_name(base)
            ),
            &figure::subtitle(&cmp.scenarios, true),
        ),
        footer: figure::footer(&cmp.scenarios),
        x_title: "Financial year (total from the first year to its end)".to_string(),
        y_title: format!(
            "Cumulative net saving (£, {} prices, undiscounted)",
            base.summary().price_base
        ),
        y_format: ValueFormat::GbpM,
        years,
        shared_y: true,
        categorical: false,
        panels: vec![Panel {
            title: None,
            marks,
            y_format: None,
        }],
        legend,
        notes,
    })
}
