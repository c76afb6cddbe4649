//! Chart titles that state a finding from the numbers a chart shows ("Children in care fall from
//! 81,800 to 79,300 by 2034-35"), to three significant figures; the chart's descriptive title
//! becomes its subtitle.
use super::data::ScenarioResults;
use super::figure;
use super::format::{sig3, ValueFormat};
use super::metric::Metric;

/// What a finding is about: "Children in care" (plural) or "Total spend" (singular).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub name: &'a str,
    pub plural: bool,
    pub fmt: ValueFormat,
}

impl Subject<'_> {
    fn verb(&self, plural: &'static str, singular: &'static str) -> &'static str {
        if self.plural {
            plural
        } else {
            singular
        }
    }

    /// The name as it reads inside a sentence ("children in care").
    fn inline(&self) -> String {
        let mut c = self.name.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

/// Changes smaller than this share of the first value are "about level", not a rise or a fall.
const LEVEL: f64 = 0.01;

/// "X rises from A to B by YEAR" (or falls; stays at A to YEAR when the two agree to three
/// significant figures; stays about level, A to B, when they differ by less than 1%).
pub fn trend(s: Subject, first: f64, last: f64, last_year: &str) -> String {
    let (a, b) = (sig3(first, s.fmt), sig3(last, s.fmt));
    if a == b {
        format!(
            "{} {} at {a} to {last_year}",
            s.name,
            s.verb("stay", "stays")
        )
    } else if first != 0.0 && ((last - first) / first).abs() < LEVEL {
        format!(
            "{} {} about level, {a} to {b} by {last_year}",
            s.name,
            s.verb("stay", "stays")
        )
    } else if last > first {
        format!(
            "{} {} from {a} to {b} by {last_year}",
            s.name,
            s.verb("rise", "rises")
        )
    } else {
        format!(
            "{} {} from {a} to {b} by {last_year}",
            s.name,
            s.verb("fall", "falls")
        )
    }
}

/// Each scenario's value in `year`: "By YEAR, X is A under a and B under b" for two, "By YEAR, X
/// ranges from A under a to B under b" (lowest to highest) for more.
pub fn across(s: Subject, values: &[(String, f64)], year: &str) -> String {
    let text: Vec<(String, &str)> = values
        .iter()
        .map(|(n, v)| (sig3(*v, s.fmt), n.as_str()))
        .collect();
    let is = s.verb("are", "is");
    match text.as_slice() {
        [] => String::new(),
        [(v, n)] => format!("By {year}, {} {is} {v} under {n}", s.inline()),
        [(v1, n1), (v2, n2)] => {
            format!(
                "By {year}, {} {is} {v1} under {n1} and {v2} under {n2}",
                s.inline()
            )
        }
        _ if text.iter().all(|(v, _)| *v == text[0].0) => format!(
            "By {year}, {} {is} {} under all {} scenarios",
            s.inline(),
            text[0].0,
            text.len()
        ),
        _ => {
            let by = |i: usize| values[i].1;
            let lo = (0..values.len()).fold(0, |m, i| if by(i) < by(m) { i } else { m });
            let hi = (0..values.len()).fold(0, |m, i| if by(i) > by(m) { i } else { m });
            format!(
                "By {year}, {} {} from {} under {} to {} under {}",
                s.inline(),
                s.verb("range", "ranges"),
                text[lo].0,
                text[lo].1,
                text[hi].0,
                text[hi].1
            )
        }
    }
}

/// The finding of one metric's median (p50) path: its trend for one scenario, its last-year
/// values across several.
pub fn of_metric(results: &[ScenarioResults], metric: Metric, s: Subject) -> String {
    let last_year =
        |r: &ScenarioResults| r.years().last().map_or(String::new(), |y| y.label.clone());
    match results {
        [r] => {
            let series = r.series(metric);
            match (series.first(), series.last()) {
                (Some(a), Some(b)) => trend(s, a.p50, b.p50, &last_year(r)),
                _ => String::new(),
            }
        }
        _ => {
            let values: Vec<(String, f64)> = results
                .iter()
                .filter_map(|r| {
                    let last = r.series(metric).last()?;
                    Some((figure::display_name(r).to_string(), last.p50))
                })
                .collect();
            across(s, &values, &last_year(&results[0]))
        }
    }
}

/// The subtitle of a chart whose finding is its title: the descriptive title, then the
/// scenario line.
pub fn subtitle(descriptive: &str, scenario_line: &str) -> String {
    format!("{descriptive} · {scenario_line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CIC: Subject<'static> = Subject {
        name: "Children in care",
        plural: true,
        fmt: ValueFormat::Count,
    };
    const RATIO: Subject<'static> = Subject {
        name: "Late spend per £1 of early spend",
        plural: false,
        fmt: ValueFormat::Ratio,
    };

    #[test]
    fn trends_rise_fall_or_stay() {
        assert_eq!(
            trend(CIC, 81_770.0, 79_310.0, "2034-35"),
            "Children in care fall from 81,800 to 79,300 by 2034-35"
        );
        assert_eq!(
            trend(RATIO, 4.4012, 5.3712, "2034-35"),
            "Late spend per £1 of early spend rises from £4.40 to £5.37 by 2034-35"
        );
        assert_eq!(
            trend(CIC, 81_770.0, 81_790.0, "2034-35"),
            "Children in care stay at 81,800 to 2034-35"
        );
        assert_eq!(
            trend(CIC, 85_525.0, 85_400.0, "2034-35"),
            "Children in care stay about level, 85,500 to 85,400 by 2034-35"
        );
    }

    #[test]
    fn several_scenarios_are_named_lowest_to_highest() {
        let v = |a: &str, x: f64| (a.to_string(), x);
        assert_eq!(
            across(
                CIC,
                &[v("baseline", 87_540.0), v("squeeze", 91_320.0)],
                "2034-35"
            ),
            "By 2034-35, children in care are 87,500 under baseline and 91,300 under squeeze"
        );
        assert_eq!(
            across(
                RATIO,
                &[v("a", 5.0), v("b", 4.1), v("c", 6.22)],
                "2034-35"
            ),
            "By 2034-35, late spend per £1 of early spend ranges from £4.10 under b to £6.22 under c"
        );
        assert_eq!(
            across(CIC, &[v("a", 5.0), v("b", 5.0), v("c", 5.0)], "2034-35"),
            "By 2034-35, children in care are 5 under all 3 scenarios"
        );
    }
}
