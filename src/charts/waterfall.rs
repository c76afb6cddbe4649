//! The `waterfall` chart of a decomposition: a bar for the measure in the first year, a floating
//! step for each driver's part and for the remainder, and a bar for the last year, each with its
//! 90% interval as a whisker and its median written on it, each labelled under its bar. Drawn from
//! the decomposition's numbers, not from a result folder.
use super::data::Year;
use super::figure::{Figure, LegendItem, Mark, Panel, Swatch};
use super::format::{sig3, signed3, ValueFormat};
use super::theme;
use crate::results::stats::Summary;
use plotters::style::RGBColor;

/// One bar: its label under it and the runs' summary of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: String,
    pub value: Summary,
}

/// Everything the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// The measure in words, as a sentence starts ("Late spend").
    pub measure: String,
    /// The base scenario's label, and its first and last years.
    pub base: String,
    pub first_year: String,
    pub last_year: String,
    pub price_base: String,
    /// The base in its first and last years and the change between them (run by run); the
    /// drivers' parts and the remainder.
    pub start: Summary,
    pub end: Summary,
    pub change: Summary,
    pub drivers: Vec<Step>,
    pub remainder: Summary,
    /// The runs in words: "200 runs" (or "200 cohort-engine draws").
    pub runs: String,
    pub footer: String,
}

/// Bars in the first and last years.
const LEVEL: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
/// The remainder's step.
const REMAINDER: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);

/// A step's colour: vermillion where the driver raised the measure, blue where it lowered it.
fn step_colour(v: f64) -> RGBColor {
    if v >= 0.0 {
        theme::VERMILLION
    } else {
        theme::BLUE
    }
}

/// The title: the median change, run by run, and the two drivers with the largest median parts.
fn title(w: &Waterfall) -> String {
    let change = w.change.p50;
    let verb = if change >= 0.0 { "rose" } else { "fell" };
    let mut t = format!(
        "{} {verb} by {} from {} to {}",
        w.measure,
        sig3(change.abs(), ValueFormat::GbpM),
        w.first_year,
        w.last_year
    );
    let mut largest: Vec<&Step> = w.drivers.iter().collect();
    largest.sort_by(|a, b| b.value.p50.abs().total_cmp(&a.value.p50.abs()));
    let named: Vec<String> = largest
        .iter()
        .take(2)
        .map(|s| {
            format!(
                "{} {}",
                lowercase_first(&s.label),
                signed3(s.value.p50, ValueFormat::GbpM)
            )
        })
        .collect();
    match named.as_slice() {
        [] => {}
        [one] => t.push_str(&format!("; the largest part: {one}")),
        [a, b, ..] => t.push_str(&format!("; the largest parts: {a}, {b}")),
    }
    t
}

/// `s` with its first letter in lower case, unless the first word is an acronym or a name
/// written in capitals ("UASC entries" stays).
fn lowercase_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    let caps = first.chars().filter(|c| c.is_uppercase()).count();
    if caps > 1 {
        return s.to_string();
    }
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_lowercase().chain(c).collect())
}

/// A bar with its whisker and its median written above it; `from` is where a step starts.
fn bar(marks: &mut Vec<Mark>, x: f64, from: f64, v: &Summary, colour: RGBColor, signed: bool) {
    let (lo, hi) = (from + v.p5, from + v.p95);
    let to = from + v.p50;
    marks.push(Mark::Bar {
        x,
        from,
        to,
        colour,
    });
    marks.push(Mark::Whisker { x, lo, hi });
    let text = if signed {
        signed3(v.p50, ValueFormat::GbpM)
    } else {
        sig3(v.p50, ValueFormat::GbpM)
    };
    marks.push(Mark::Label {
        x,
        y: hi.max(from).max(to),
        text,
    });
}

/// Builds the figure.
pub fn figure(w: &Waterfall) -> Figure {
    let mut marks = Vec::new();
    let mut labels = vec![w.first_year.clone()];
    bar(&mut marks, 0.0, 0.0, &w.start, LEVEL, false);
    let mut level = w.start.p50;
    let steps = w
        .drivers
        .iter()
        .map(|s| (s.label.clone(), s.value, step_colour(s.value.p50)))
        .chain(std::iter::once((
            "All else".to_string(),
            w.remainder,
            REMAINDER,
        )));
    for (i, (label, v, colour)) in steps.enumerate() {
        let x = i as f64 + 1.0;
        marks.push(Mark::Connector {
            x0: x - 1.0,
            x1: x,
            y: level,
        });
        bar(&mut marks, x, level, &v, colour, true);
        level += v.p50;
        labels.push(label);
    }
    let x_end = labels.len() as f64;
    marks.push(Mark::Connector {
        x0: x_end - 1.0,
        x1: x_end,
        y: level,
    });
    bar(&mut marks, x_end, 0.0, &w.end, LEVEL, false);
    labels.push(w.last_year.clone());
    let years = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| Year {
            start: i as i32,
            label,
        })
        .collect();
    let legend = vec![
        LegendItem {
            swatch: Swatch::Block(LEVEL),
            label: format!("{} in the year", w.measure),
        },
        LegendItem {
            swatch: Swatch::Block(theme::VERMILLION),
            label: "Driver that raised it".into(),
        },
        LegendItem {
            swatch: Swatch::Block(theme::BLUE),
            label: "Driver that lowered it".into(),
        },
        LegendItem {
            swatch: Swatch::Block(REMAINDER),
            label: "All else (the remainder)".into(),
        },
        LegendItem {
            swatch: Swatch::Whisker,
            label: "90% interval".into(),
        },
    ];
    Figure {
        title: title(w),
        subtitle: super::finding::subtitle(
            &format!(
                "What each driver of {} explains: {} minus the same runs with that driver held at its {} value",
                w.measure.to_lowercase(),
                w.base,
                w.first_year
            ),
            &format!("£ at {} prices", w.price_base),
        ),
        footer: w.footer.clone(),
        x_title: format!(
            "Each driver's part: the {} that holding it at its {} value takes away in {}",
            w.measure.to_lowercase(),
            w.first_year,
            w.last_year
        ),
        y_title: format!("{}, £ a year ({} prices)", w.measure, w.price_base),
        y_format: ValueFormat::GbpM,
        years,
        shared_y: false,
        categorical: true,
        panels: vec![Panel {
            title: None,
            marks,
            y_format: None,
        }],
        legend,
        notes: vec![
            format!(
                "Bars and figures: medians across {}, each step the run-by-run difference (the same parameter draws{}); whiskers: p5 to p95.",
                w.runs,
                if w.runs.contains("cohort") { "" } else { " and random numbers" }
            ),
            "All else: the change less every driver's part, what no one driver explains alone (the drivers' interactions included). Medians need not add up exactly.".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p5: f64, p50: f64, p95: f64) -> Summary {
        Summary {
            mean: p50,
            p5,
            p50,
            p95,
        }
    }

    fn example() -> Waterfall {
        Waterfall {
            measure: "Late spend".into(),
            base: "history-2010".into(),
            first_year: "2010-11".into(),
            last_year: "2024-25".into(),
            price_base: "2020-21".into(),
            start: s(5_900.0, 6_000.0, 6_100.0),
            end: s(12_000.0, 13_000.0, 14_000.0),
            change: s(6_000.0, 6_900.0, 7_900.0),
            drivers: vec![
                Step {
                    label: "Early-help cuts".into(),
                    value: s(400.0, 900.0, 1_400.0),
                },
                Step {
                    label: "Children's-home prices".into(),
                    value: s(1_500.0, 2_000.0, 2_500.0),
                },
                Step {
                    label: "Referral-rate path".into(),
                    value: s(-600.0, -300.0, 0.0),
                },
            ],
            remainder: s(4_000.0, 4_400.0, 4_800.0),
            runs: "200 runs".into(),
            footer: String::new(),
        }
    }

    #[test]
    fn steps_start_where_the_last_one_ended_and_are_coloured_by_sign() {
        let fig = figure(&example());
        let bars: Vec<(f64, f64, RGBColor)> = fig.panels[0]
            .marks
            .iter()
            .filter_map(|m| match m {
                Mark::Bar {
                    from, to, colour, ..
                } => Some((*from, *to, *colour)),
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 6, "start, three drivers, remainder, end");
        assert_eq!(bars[0], (0.0, 6_000.0, LEVEL));
        assert_eq!(bars[1], (6_000.0, 6_900.0, theme::VERMILLION));
        assert_eq!(bars[2], (6_900.0, 8_900.0, theme::VERMILLION));
        assert_eq!(bars[3], (8_900.0, 8_600.0, theme::BLUE));
        assert_eq!(bars[4], (8_600.0, 13_000.0, REMAINDER));
        assert_eq!(bars[5], (0.0, 13_000.0, LEVEL));
        let labels: Vec<&str> = fig.years.iter().map(|y| y.label.as_str()).collect();
        assert_eq!(labels[0], "2010-11");
        assert_eq!(labels[4], "All else");
        assert_eq!(labels[5], "2024-25");
        assert!(fig.categorical);
    }

    #[test]
    fn the_title_states_the_change_and_the_largest_part() {
        let fig = figure(&example());
        assert_eq!(
            fig.title,
            "Late spend rose by £6.90bn from 2010-11 to 2024-25; the largest parts: children's-home prices +£2.00bn, early-help cuts +£900m"
        );
        assert_eq!(lowercase_first("UASC entries"), "UASC entries");
    }
}
