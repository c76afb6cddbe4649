//! The `impact` chart: each alternative's change over the horizon against the baseline
//! (extra early spend, change in late spend, net cost, care entries avoided) as median bars
//! with 90% whiskers, one panel per measure, each bar labelled with its alternative's name.
use super::comparison::Comparison;
use super::data::{Stat, Year};
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::format::{self, ValueFormat};

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
            text: format::sig3(s.p50, fmt),
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
    let legend = vec![LegendItem {
        swatch: Swatch::Whisker,
        label: "90% interval".to_string(),
    }];
    Ok(Figure {
        title: title(cmp, &span),
        subtitle: super::finding::subtitle(
            &format!(
                "Change against {} over {span}",
                figure::display_name(base)
            ),
            &figure::subtitle(&cmp.scenarios, true),
        ),
        footer: figure::footer(&cmp.scenarios),
        x_title: "Alternative".to_string(),
        y_title: "Alternative minus baseline, summed over the horizon (undiscounted)".to_string(),
        y_format: ValueFormat::GbpM,
        // One slot per alternative, labelled with its name under its bar.
        years: cmp.scenarios[1..]
            .iter()
            .enumerate()
            .map(|(j, r)| Year {
                start: j as i32,
                label: figure::display_name(r).to_string(),
            })
            .collect(),
        shared_y: false,
        categorical: true,
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

/// The finding: one alternative's median net cost or saving over the horizon, or the range of
/// several alternatives' median net costs.
fn title(cmp: &Comparison, span: &str) -> String {
    let base = figure::display_name(&cmp.scenarios[0]);
    let name = |j: usize| figure::display_name(&cmp.scenarios[j + 1]);
    let net = |j: usize| cmp.alternatives[j].net_cost.p50;
    let n = cmp.alternatives.len();
    if n == 1 {
        let v = net(0);
        let amount = format::sig3(v.abs(), ValueFormat::GbpM);
        let verb = if v < 0.0 { "saves" } else { "costs" };
        return format!(
            "{} {verb} a net {amount} against {base} over {span}",
            name(0)
        );
    }
    let lo = (0..n).fold(0, |m, j| if net(j) < net(m) { j } else { m });
    let hi = (0..n).fold(0, |m, j| if net(j) > net(m) { j } else { m });
    let s = |v: f64| format::signed3(v, ValueFormat::GbpM);
    format!(
        "Net cost against {base} over {span}: {} ({}) to {} ({})",
        s(net(lo)),
        name(lo),
        s(net(hi)),
        name(hi)
    )
}
