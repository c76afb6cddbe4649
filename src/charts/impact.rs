//! The `impact` chart: each alternative's change over the horizon against the baseline
//! (extra early spend, change in late spend, net cost, care entries avoided) as median bars
//! with 90% whiskers, one panel per measure.
use super::comparison::Comparison;
use super::data::{Stat, Year};
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::format::{self, ValueFormat};

/// A signed label: "−£1.2bn", "£300m", "−4,100".
pub fn signed(v: f64, fmt: ValueFormat) -> String {
    let text = |v: f64| match fmt {
        ValueFormat::GbpM => format::gbp_m(v),
        ValueFormat::Ratio => format::ratio(v),
        ValueFormat::Count => format::count(v),
    };
    if v < 0.0 && text(-v) != text(0.0) {
        format!("−{}", text(-v))
    } else {
        text(v.abs())
    }
}

fn panel(cmp: &Comparison, title: &str, fmt: ValueFormat, pick: impl Fn(usize) -> Stat) -> Panel {
    let mut marks = Vec::new();
    for j in 0..cmp.alternatives.len() {
        let s = pick(j);
        let x = j as f64;
        marks.push(Mark::Stack {
            x,
            layers: vec![(s.p50, figure::scenario_colour(j + 1))],
        });
        marks.push(Mark::Whisker {
            x,
            lo: s.p5,
            hi: s.p95,
        });
        marks.push(Mark::Label {
            x,
            y: s.p95.max(s.p50).max(0.0),
            text: signed(s.p50, fmt),
        });
    }
    Panel {
        title: Some(title.to_string()),
        marks,
        y_format: Some(fmt),
    }
}

/// Builds the figure.
pub fn figure(cmp: &Comparison) -> Result<Figure, ChartError> {
    let years = figure::check_set(&cmp.scenarios)?;
    let base = &cmp.scenarios[0];
    let span = format!(
        "{} to {}",
        years.first().map_or("", |y| y.label.as_str()),
        years.last().map_or("", |y| y.label.as_str())
    );
    let alts = &cmp.alternatives;
    let panels = vec![
        panel(cmp, "Extra early spend", ValueFormat::GbpM, |j| {
            alts[j].extra_early
        }),
        panel(cmp, "Change in late spend", ValueFormat::GbpM, |j| {
            alts[j].late_change
        }),
        panel(cmp, "Net cost (early + late)", ValueFormat::GbpM, |j| {
            alts[j].net_cost
        }),
        panel(cmp, "Care entries avoided", ValueFormat::Count, |j| {
            alts[j].care_entries_avoided
        }),
    ];
    let mut legend: Vec<LegendItem> = alts
        .iter()
        .enumerate()
        .map(|(j, a)| LegendItem {
            swatch: Swatch::Block(figure::scenario_colour(j + 1)),
            label: a.label.clone(),
        })
        .collect();
    legend.push(LegendItem {
        swatch: Swatch::Whisker,
        label: "90% interval".to_string(),
    });
    Ok(Figure {
        title: format!("Change against {} over {span}", base.scenario()),
        subtitle: figure::subtitle(&cmp.scenarios, true),
        footer: figure::footer(&cmp.scenarios),
        x_title: "Alternative (colours in the legend)".to_string(),
        y_title: "Alternative minus baseline, summed over the horizon (undiscounted)".to_string(),
        y_format: ValueFormat::GbpM,
        // One slot per alternative; the legend names them.
        years: (0..alts.len())
            .map(|j| Year {
                start: j as i32,
                label: String::new(),
            })
            .collect(),
        shared_y: false,
        panels,
        legend,
        notes: vec![
            format!(
                "Bars and figures: median across {} of the run-by-run difference (common random numbers); whiskers: p5 to p95.",
                figure::runs(&cmp.scenarios)
            ),
            "Net cost below zero is a saving. Care entries avoided: baseline minus alternative entries."
                .to_string(),
        ],
    })
}
