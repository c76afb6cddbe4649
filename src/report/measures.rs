//! Headline measures as numbers: the figures the report's findings quote, read from a result
//! folder's yearly.csv, summary.json and comparison.json, for the workbook's headline sheet.

use super::numbers::negated;
use serde_json::Value;

/// A summary across runs: mean, 5th, 50th and 95th percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// What a headline measure holds: a summary across runs, one number, or text (a year).
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureValue {
    Stat(Stat),
    Number(f64),
    Text(String),
}

/// One headline measure. `unit` is a yearly.csv unit (`gbp_m`, `children`, `ratio`) or one of
/// `gbp_per_gbp`, `share` and `year`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub scenario: String,
    pub measure: String,
    pub period: String,
    pub unit: String,
    pub value: MeasureValue,
}

/// The unit and statistics of one (year, metric) row of a yearly.csv or deltas.csv text.
pub fn yearly_row(yearly: &str, year: &str, metric: &str) -> Option<(String, Stat)> {
    let mut lines = yearly.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (cy, cm, cu) = (col("year")?, col("metric")?, col("unit")?);
    let cols = [col("mean")?, col("p5")?, col("p50")?, col("p95")?];
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.get(cy) == Some(&year) && f.get(cm) == Some(&metric) {
            let num = |c: usize| f.get(c).and_then(|s| s.parse::<f64>().ok());
            let stat = Stat {
                mean: num(cols[0])?,
                p5: num(cols[1])?,
                p50: num(cols[2])?,
                p95: num(cols[3])?,
            };
            return Some((f.get(cu)?.to_string(), stat));
        }
    }
    None
}

/// The statistics of one (year, metric) row of a yearly.csv text.
pub fn yearly_stat(yearly: &str, year: &str, metric: &str) -> Option<Stat> {
    yearly_row(yearly, year, metric).map(|(_, s)| s)
}

/// A `{mean, p5, p50, p95}` object of comparison.json.
pub fn stat_of(v: &Value) -> Option<Stat> {
    Some(Stat {
        mean: v.get("mean")?.as_f64()?,
        p5: v.get("p5")?.as_f64()?,
        p50: v.get("p50")?.as_f64()?,
        p95: v.get("p95")?.as_f64()?,
    })
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The yearly metrics a run report's findings quote, with their sheet labels.
const RUN_METRICS: [(&str, &str); 5] = [
    (
        "late_early_ratio",
        "Late:early spend ratio (late spend per £1 of early)",
    ),
    ("children_in_care", "Children in care at 31 March"),
    ("early_spend", "Early spend"),
    ("late_spend", "Late spend"),
    ("total_spend", "Total spend"),
];

/// The measures of a run report: the quoted metrics in the first and the last year.
pub fn for_run(summary: &Value, yearly: &str) -> Vec<Measure> {
    let scenario = text(summary, "scenario");
    let years = [text(summary, "start_year"), text(summary, "end_year")];
    let mut out = Vec::new();
    for (metric, label) in RUN_METRICS {
        for year in years {
            if let Some((unit, stat)) = yearly_row(yearly, year, metric) {
                out.push(Measure {
                    scenario: scenario.into(),
                    measure: label.into(),
                    period: year.into(),
                    unit,
                    value: MeasureValue::Stat(stat),
                });
            }
        }
    }
    out
}

/// The comparison.json measures with a summary across runs, in findings order: (key, label,
/// unit).
const COMPARISON_STATS: [(&str, &str, &str); 6] = [
    (
        "late_avoided_per_extra_early_gbp",
        "Late spend avoided per £1 of extra early spend",
        "gbp_per_gbp",
    ),
    ("extra_early_spend_gbp_m", "Extra early spend", "gbp_m"),
    ("late_spend_change_gbp_m", "Change in late spend", "gbp_m"),
    (
        "net_cost_gbp_m",
        "Net cost (negative = a net saving)",
        "gbp_m",
    ),
    (
        "net_cost_pv_gbp_m",
        "Net cost in present value (negative = a net saving)",
        "gbp_m",
    ),
    (
        "children_kept_out_of_care",
        "Care entries avoided (children)",
        "children",
    ),
];

/// A measure as the findings quote it: a cut's early spend as the amount cut and its £-per-£1
/// figure as extra late spend per £1 cut, and care entries a scenario adds as entries added
/// (positive); the statistic negated (ends swapped) where the words turn the sign.
fn as_quoted(key: &str, label: &str, s: Stat, cut: bool) -> (String, Stat) {
    match key {
        "late_avoided_per_extra_early_gbp" if cut => {
            ("Extra late spend per £1 cut from early spend".into(), s)
        }
        "extra_early_spend_gbp_m" if cut => ("Early spend cut".into(), negated(s)),
        "children_kept_out_of_care" if s.p50 < 0.0 => {
            ("Care entries added (children)".into(), negated(s))
        }
        _ => (label.into(), s),
    }
}

/// The measures of a comparison report, for each alternative over the horizon.
pub fn for_comparison(comparison: &Value) -> Vec<Measure> {
    let c = comparison;
    let last = text(c, "end_year");
    let period = format!("{} to {last}", text(c, "start_year"));
    let mut out = Vec::new();
    for alt in c
        .get("alternatives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let scenario = text(alt, "scenario");
        let cut = super::findings::is_cut(alt);
        let mut push = |measure: String, unit: &str, value: MeasureValue| {
            out.push(Measure {
                scenario: scenario.into(),
                measure,
                period: period.clone(),
                unit: unit.into(),
                value,
            })
        };
        for (key, label, unit) in COMPARISON_STATS {
            if let Some(s) = alt.get(key).and_then(stat_of) {
                let (label, s) = as_quoted(key, label, s, cut);
                push(label, unit, MeasureValue::Stat(s));
            }
        }
        if let Some(p) = alt.get("probability_net_saving").and_then(Value::as_f64) {
            let label = if cut {
                format!("Share of runs in which the cut saves money net by {last}")
            } else {
                format!("Share of runs with a net saving by {last}")
            };
            push(label, "share", MeasureValue::Number(p));
        }
        // A cut saves from its first year: a break-even year says nothing about it.
        if let Some(be) = alt.get("break_even").filter(|_| !cut) {
            let year = match be.get("median_year").and_then(Value::as_str) {
                Some(y) => y.to_string(),
                None => format!("none by {last}"),
            };
            push(
                "Year by which half the runs have broken even".into(),
                "year",
                MeasureValue::Text(year),
            );
            if let Some(n) = be.get("share_never").and_then(Value::as_f64) {
                push(
                    format!("Share of runs never breaking even by {last}"),
                    "share",
                    MeasureValue::Number(n),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearly_row_reads_the_named_row_and_its_unit() {
        let csv =
            "scenario,year,metric,unit,mean,p5,p50,p95\nb,2025-26,late_spend,gbp_m,10,8,9,12\n";
        let (unit, s) = yearly_row(csv, "2025-26", "late_spend").unwrap();
        assert_eq!(unit, "gbp_m");
        assert_eq!((s.mean, s.p5, s.p50, s.p95), (10.0, 8.0, 9.0, 12.0));
        assert!(yearly_row(csv, "2026-27", "late_spend").is_none());
    }

    #[test]
    fn comparison_measures_follow_the_findings() {
        let stat = serde_json::json!({"mean": 1.0, "p5": 0.5, "p50": 0.9, "p95": 2.0});
        let c = serde_json::json!({
            "start_year": "2025-26", "end_year": "2034-35",
            "alternatives": [{
                "scenario": "alt",
                "late_avoided_per_extra_early_gbp": stat,
                "net_cost_gbp_m": stat,
                "probability_net_saving": 0.25,
                "break_even": {"median_year": null, "share_never": 0.75}
            }]
        });
        let m = for_comparison(&c);
        let names: Vec<&str> = m.iter().map(|m| m.measure.as_str()).collect();
        assert_eq!(
            names,
            [
                "Late spend avoided per £1 of extra early spend",
                "Net cost (negative = a net saving)",
                "Share of runs with a net saving by 2034-35",
                "Year by which half the runs have broken even",
                "Share of runs never breaking even by 2034-35",
            ]
        );
        assert_eq!(m[0].period, "2025-26 to 2034-35");
        assert_eq!(m[2].value, MeasureValue::Number(0.25));
        assert_eq!(m[3].value, MeasureValue::Text("none by 2034-35".into()));
    }

    #[test]
    fn a_cut_is_quoted_as_a_cut_in_the_workbook() {
        let st = |p5: f64, p50: f64, p95: f64| serde_json::json!({"mean": p50, "p5": p5, "p50": p50, "p95": p95});
        let c = serde_json::json!({
            "start_year": "2025-26", "end_year": "2034-35",
            "alternatives": [{
                "scenario": "cut",
                "late_avoided_per_extra_early_gbp": st(0.1, 0.2, 0.3),
                "extra_early_spend_gbp_m": st(-6381.0, -6381.0, -6381.0),
                "children_kept_out_of_care": st(-11625.0, -3750.0, -2400.0),
                "probability_net_saving": 0.9,
                "break_even": {"median_year": "2025-26", "share_never": 0.0}
            }]
        });
        let m = for_comparison(&c);
        let names: Vec<&str> = m.iter().map(|m| m.measure.as_str()).collect();
        assert_eq!(
            names,
            [
                "Extra late spend per £1 cut from early spend",
                "Early spend cut",
                "Care entries added (children)",
                "Share of runs in which the cut saves money net by 2034-35",
            ]
        );
        let MeasureValue::Stat(added) = &m[2].value else {
            panic!("{:?}", m[2]);
        };
        assert_eq!((added.p5, added.p50, added.p95), (2400.0, 3750.0, 11625.0));
    }
}
