//! The `difference` chart of a comparison: for children in care, late spend and the late:early
//! ratio, each alternative minus the baseline by year, taken run by run from the paired runs
//! (common random numbers) and summarised as the median with its 90% band. Where the overlaid
//! levels' bands merge into one mass, the paired differences still show what the policy changes.
use super::comparison::Comparison;
use super::data::Stat;
use super::error::ChartError;
use super::figure::{self, Figure, LegendItem, Mark, Panel, Swatch};
use super::format::{sig3, signed3, ValueFormat};
use super::metric::Metric;

/// A panel's title, value format and the words of the finding ("more children in care").
struct Measure {
    metric: Metric,
    title: &'static str,
    fmt: ValueFormat,
    more: &'static str,
    fewer: &'static str,
}

const MEASURES: [Measure; 3] = [
    Measure {
        metric: Metric::ChildrenInCare,
        title: "Children in care at 31 March",
        fmt: ValueFormat::Count,
        more: "more children in care",
        fewer: "fewer children in care",
    },
    Measure {
        metric: Metric::LateSpend,
        title: "Late spend per year",
        fmt: ValueFormat::GbpM,
        more: "more late spend",
        fewer: "less late spend",
    },
    Measure {
        metric: Metric::LateEarlyRatio,
        title: "Late spend per £1 of early",
        fmt: ValueFormat::Ratio,
        more: "a higher late:early ratio",
        fewer: "a lower late:early ratio",
    },
];

/// "2,180 more children in care", "£1.20bn less late spend", "no change in children in care".
fn change(m: &Measure, v: f64) -> String {
    let text = sig3(v.abs(), m.fmt);
    if text == sig3(0.0, m.fmt) {
        format!("no change in {}", m.more.trim_start_matches("more "))
    } else if v > 0.0 {
        match m.metric {
            Metric::LateEarlyRatio => format!("{} (+{text})", m.more),
            _ => format!("{text} {}", m.more),
        }
    } else {
        match m.metric {
            Metric::LateEarlyRatio => format!("{} (\u{2212}{text})", m.fewer),
            _ => format!("{text} {}", m.fewer),
        }
    }
}

/// The series of `metric` in an alternative's differences.
fn series(diffs: &[(Metric, Vec<Stat>)], metric: Metric) -> &[Stat] {
    diffs
        .iter()
        .find(|(m, _)| *m == metric)
        .map_or(&[], |(_, s)| s.as_slice())
}

/// The title: for one alternative, its median differences in the last year in words; for
/// several, the lowest and highest median difference in children in care.
fn title(cmp: &Comparison, last_year: &str) -> String {
    let base = figure::display_name(&cmp.scenarios[0]);
    let last = |j: usize, m: &Measure| {
        series(&cmp.alternatives[j].differences, m.metric)
            .last()
            .map_or(0.0, |s| s.p50)
    };
    let name = |j: usize| figure::display_name(&cmp.scenarios[j + 1]);
    let n = cmp.alternatives.len();
    if n == 1 {
        return format!(
            "By {last_year}, {} has {} and {} than {base}",
            name(0),
            change(&MEASURES[0], last(0, &MEASURES[0])),
            change(&MEASURES[1], last(0, &MEASURES[1])),
        );
    }
    let cic = |j: usize| last(j, &MEASURES[0]);
    let lo = (0..n).fold(0, |m, j| if cic(j) < cic(m) { j } else { m });
    let hi = (0..n).fold(0, |m, j| if cic(j) > cic(m) { j } else { m });
    let signed = |v: f64| signed3(v, ValueFormat::Count);
    format!(
        "By {last_year}, children in care differ from {base} by {} ({}) to {} ({})",
        signed(cic(lo)),
        name(lo),
        signed(cic(hi)),
        name(hi)
    )
}

/// Builds the figure: one panel per measure, a median line and 90% band per alternative.
pub fn figure(cmp: &Comparison) -> Result<Figure, ChartError> {
    let years = figure::check_set(&cmp.scenarios)?;
    let base = &cmp.scenarios[0];
    let xs = figure::xs(base, &years);
    let alpha = figure::band_alpha(cmp.alternatives.len());
    let names: Vec<&str> = cmp.scenarios[1..]
        .iter()
        .map(figure::display_name)
        .collect();
    let panels = MEASURES
        .iter()
        .map(|m| {
            let mut marks = Vec::new();
            let mut lines = Vec::new();
            for (j, a) in cmp.alternatives.iter().enumerate() {
                let colour = figure::scenario_colour(j + 1);
                let s = series(&a.differences, m.metric);
                marks.push(Mark::Band {
                    colour,
                    alpha,
                    points: xs.iter().zip(s).map(|(&x, s)| (x, s.p5, s.p95)).collect(),
                });
                let line = Mark::Line {
                    colour,
                    points: xs.iter().zip(s).map(|(&x, s)| (x, s.p50)).collect(),
                };
                let label = (cmp.alternatives.len() > 1).then(|| names[j].to_string());
                marks.extend(figure::end_label(&line, label, m.fmt, true));
                lines.push(line);
            }
            marks.extend(lines);
            Panel {
                title: Some(m.title.to_string()),
                marks,
                y_format: Some(m.fmt),
            }
        })
        .collect();
    let legend = cmp
        .alternatives
        .iter()
        .enumerate()
        .map(|(j, _)| LegendItem {
            swatch: Swatch::LineBand(figure::scenario_colour(j + 1), alpha),
            label: names[j].to_string(),
        })
        .collect();
    let last_year = years.last().map_or("", |y| y.label.as_str()).to_string();
    Ok(Figure {
        title: title(cmp, &last_year),
        subtitle: super::finding::subtitle(
            &format!(
                "Difference from {}, run by run",
                figure::display_name(base)
            ),
            &figure::subtitle(&cmp.scenarios, true),
        ),
        footer: figure::footer(&cmp.scenarios),
        x_title: "Financial year (children in care at 31 March, its end)".to_string(),
        y_title: "Alternative minus baseline in each year".to_string(),
        y_format: ValueFormat::Count,
        years,
        shared_y: false,
        categorical: false,
        panels,
        legend,
        notes: vec![
            format!(
                "Each run's alternative minus the same run's baseline (common random numbers), then across {}: lines are medians, shading the 90% interval (p5 to p95).",
                figure::runs(&cmp.scenarios)
            ),
            "Above zero: more than the baseline. The overlaid charts show the levels.".to_string(),
        ],
    })
}
