//! The report's section on how well a calibrated model reproduces the published figures it was
//! calibrated on: each target's observed value against the model's median and 90% interval (a
//! run's own Monte Carlo runs where the folder holds a run of the calibrated scenario, otherwise
//! the posterior's cohort-engine figures in posterior.json), the fit charts' data, the count of
//! targets within tolerance, the backtest's scores and what the calibration cannot tell apart.

use super::content::Chart;
use super::measures::yearly_stat;
use super::numbers::{count, grouped, percent, ratio, table_gbp_m, MINUS};
use super::path::TextTable;
use super::tables;
use crate::charts::{metric_words, FitSeries, ValueFormat, Year};
use crate::results::metrics::{index_of, Unit, METRICS};
use serde_json::Value;

/// One target: its observed value and the model's p5, p50 and p95 in its year.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    pub metric: String,
    pub year: String,
    pub observed: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// Stocks, counted at 31 March: a 3% tolerance; the late:early ratio 10%; flows in the year 6%
/// (as `scripts/history-fit.sh` checks a run of the history).
fn is_stock(metric: &str) -> bool {
    metric.starts_with("children_in_care")
        || metric.starts_with("care_leavers_supported")
        || matches!(
            metric,
            "cp_plans" | "children_in_need" | "family_help_caseload" | "families_waiting"
        )
}

impl FitRow {
    /// The median's error against the observed value, as a share of it.
    pub fn error(&self) -> f64 {
        self.p50 / self.observed - 1.0
    }

    pub fn inside(&self) -> bool {
        self.p5 <= self.observed && self.observed <= self.p95
    }

    /// The largest error the fit is meant to keep to, as a share.
    pub fn tolerance(&self) -> f64 {
        if self.metric == "late_early_ratio" {
            0.10
        } else if is_stock(&self.metric) {
            0.03
        } else {
            0.06
        }
    }

    pub fn within(&self) -> bool {
        self.error().abs() <= self.tolerance()
    }

    fn unit(&self) -> Unit {
        index_of(&self.metric).map_or(Unit::Children, |k| METRICS[k].1)
    }
}

/// Where the fit's numbers come from.
#[derive(Debug, Clone, PartialEq)]
pub enum FitSource {
    /// A run of the calibrated scenario in this folder: its label, runs and engine (yearly.csv).
    Runs {
        label: String,
        runs: String,
        engine: String,
    },
    /// The posterior's own figures (posterior.json's `targets`, on the cohort engine).
    Posterior { draws: usize },
}

impl FitSource {
    /// The statistic and its engine, for notes and the workbook.
    pub fn words(&self) -> String {
        match self {
            FitSource::Runs { label, runs, engine } => format!(
                "the median and 90% interval across {label}'s {runs} runs ({engine}, yearly.csv)"
            ),
            FitSource::Posterior { draws } => format!(
                "the median and 90% interval across the posterior's {draws} draws, each projected by the cohort engine (expected values: parameter uncertainty only; posterior.json)"
            ),
        }
    }
}

/// The section as the writers render it.
#[derive(Debug, Clone)]
pub struct FitSection {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub charts: Vec<Chart>,
    pub table: Option<TextTable>,
    /// Every target, for the workbook's Fit sheet, with where the numbers come from.
    pub rows: Vec<FitRow>,
    pub numbers_from: String,
}

/// A posterior.json's targets: (metric, year, observed) and its p5, p50 and p95 of each.
pub fn posterior_rows(posterior: &Value) -> Vec<FitRow> {
    posterior
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let n = |k: &str| t.get(k).and_then(Value::as_f64);
            Some(FitRow {
                metric: t.get("metric")?.as_str()?.to_string(),
                year: t.get("year")?.as_str()?.to_string(),
                observed: n("observed")?,
                p5: n("p5")?,
                p50: n("p50")?,
                p95: n("p95")?,
            })
        })
        .collect()
}

/// The same targets with a run's p5, p50 and p95 from its yearly.csv; `None` when the run lacks
/// any of them (a run over other years).
pub fn run_rows(targets: &[FitRow], yearly: &str) -> Option<Vec<FitRow>> {
    targets
        .iter()
        .map(|t| {
            let s = yearly_stat(yearly, &t.year, &t.metric)?;
            Some(FitRow {
                p5: s.p5,
                p50: s.p50,
                p95: s.p95,
                ..t.clone()
            })
        })
        .collect()
}

/// The metrics of `rows` in order of first appearance.
fn metrics_of(rows: &[FitRow]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r.metric) {
            out.push(r.metric.clone());
        }
    }
    out
}

/// "2010-2025": the first target year's start to the last one's end.
pub fn span(rows: &[FitRow]) -> Option<String> {
    let starts: Vec<i32> = rows
        .iter()
        .filter_map(|r| Year::parse(&r.year).map(|y| y.start))
        .collect();
    Some(format!(
        "{}-{}",
        starts.iter().min()?,
        starts.iter().max()? + 1
    ))
}

/// How the chart's line and band are described, from the numbers' source.
pub struct ChartWords {
    pub median_label: String,
    pub band: String,
    pub subtitle: String,
    pub footer: String,
}

/// One chart's data per target metric: by year from a run's `yearly` (every year of the run) or,
/// without one, the posterior's figures at the target years only. (stem, series).
pub fn chart_series(
    rows: &[FitRow],
    yearly: Option<&str>,
    words: &ChartWords,
) -> Vec<(String, FitSeries)> {
    let parsed = yearly.and_then(|y| tables::parse(y).ok());
    let mut out = Vec::new();
    for metric in metrics_of(rows) {
        // (year, p5, p50, p95) in year order.
        let mut by_year: Vec<(Year, f64, f64, f64)> = match &parsed {
            Some(all) => all
                .iter()
                .filter(|r| r.metric == metric)
                .filter_map(|r| {
                    let [_, p5, p50, p95] = r.values;
                    Some((Year::parse(&r.year)?, p5, p50, p95))
                })
                .collect(),
            None => rows
                .iter()
                .filter(|r| r.metric == metric)
                .filter_map(|r| Some((Year::parse(&r.year)?, r.p5, r.p50, r.p95)))
                .collect(),
        };
        by_year.sort_by_key(|y| y.0.start);
        by_year.dedup_by_key(|y| y.0.start);
        let observed = rows
            .iter()
            .filter(|r| r.metric == metric)
            .filter_map(|r| {
                let i = by_year.iter().position(|y| y.0.label == r.year)?;
                Some((i, r.observed))
            })
            .collect();
        let unit = index_of(&metric).map_or(Unit::Children, |k| METRICS[k].1);
        let series = FitSeries {
            what: metric_words(&metric),
            y_format: match unit {
                Unit::GbpM => ValueFormat::GbpM,
                Unit::Ratio => ValueFormat::Ratio,
                _ => ValueFormat::Count,
            },
            years: by_year.iter().map(|y| y.0.clone()).collect(),
            p5: by_year.iter().map(|y| y.1).collect(),
            p50: by_year.iter().map(|y| y.2).collect(),
            p95: by_year.iter().map(|y| y.3).collect(),
            observed,
            median_label: words.median_label.clone(),
            band: words.band.clone(),
            subtitle: words.subtitle.clone(),
            footer: words.footer.clone(),
        };
        if !series.years.is_empty() {
            out.push((format!("fit-{metric}"), series));
        }
    }
    out
}

/// A share as a signed percentage to one decimal: "+3.3%", "−6.9%".
pub fn signed_percent(share: f64) -> String {
    let p = grouped(share * 100.0, 1);
    if p.starts_with(MINUS) || p == "0.0" {
        format!("{p}%")
    } else {
        format!("+{p}%")
    }
}

/// An observed figure as published: whole numbers with separators, the ratio to two decimals.
fn observed_text(r: &FitRow) -> String {
    match r.unit() {
        Unit::Ratio => ratio(r.observed),
        _ => grouped(r.observed, 0),
    }
}

/// A model figure to three significant figures (the ratio to two decimals).
fn model_text(r: &FitRow, x: f64) -> String {
    match r.unit() {
        Unit::Ratio => ratio(x),
        Unit::GbpM => table_gbp_m(x),
        _ => count(x),
    }
}

/// The fit table: a row per target, by metric then year.
pub fn table(rows: &[FitRow], source: &FitSource) -> TextTable {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut ordered: Vec<&FitRow> = Vec::new();
    for m in metrics_of(rows) {
        let mut of: Vec<&FitRow> = rows.iter().filter(|r| r.metric == m).collect();
        of.sort_by(|a, b| a.year.cmp(&b.year));
        ordered.extend(of);
    }
    TextTable {
        title: "Fit to the published figures".into(),
        note: format!(
            "Observed: the published figure (stocks at 31 March at the end of the year, flows within it). Median and 90% interval: {}, to three significant figures (the late:early ratio to two decimals). Error: the median against the observed figure. Error, inside and within tolerance are taken from unrounded values. Within tolerance: an error of at most 3% for stocks, 6% for flows and 10% for the ratio.",
            source.words()
        ),
        header: [
            "Metric",
            "Year",
            "Observed",
            "Median",
            "90% interval",
            "Error",
            "Inside 90% interval",
            "Within tolerance",
        ]
        .map(String::from)
        .to_vec(),
        rows: ordered
            .iter()
            .map(|r| {
                vec![
                    r.metric.clone(),
                    r.year.clone(),
                    observed_text(r),
                    model_text(r, r.p50),
                    format!("{} to {}", model_text(r, r.p5), model_text(r, r.p95)),
                    signed_percent(r.error()),
                    yes(r.inside()),
                    yes(r.within()),
                ]
            })
            .collect(),
    }
}

/// The sentence counting targets within tolerance and inside the interval, naming the largest
/// misses (at most three).
pub fn counts_sentence(rows: &[FitRow], source: &FitSource) -> String {
    let n = rows.len();
    let within = rows.iter().filter(|r| r.within()).count();
    let inside = rows.iter().filter(|r| r.inside()).count();
    let mut misses: Vec<&FitRow> = rows.iter().filter(|r| !r.within()).collect();
    misses.sort_by(|a, b| b.error().abs().total_cmp(&a.error().abs()));
    let named: Vec<String> = misses
        .iter()
        .take(3)
        .map(|r| format!("{} in {} ({})", r.metric, r.year, signed_percent(r.error())))
        .collect();
    let engine = match source {
        FitSource::Runs { .. } => "the runs'",
        FitSource::Posterior { .. } => "the posterior's",
    };
    let mut s = format!(
        "{within} of the {n} published figures have {engine} median within 3% (stocks), 6% (flows) or 10% (the late:early ratio) of them, and {inside} of {n} ({}) lie inside the 90% interval.",
        percent(inside as f64 / n.max(1) as f64)
    );
    if !named.is_empty() {
        let lead = if misses.len() > named.len() {
            "The largest misses"
        } else if misses.len() == 1 {
            "The miss"
        } else {
            "The misses"
        };
        s.push_str(&format!(" {lead}: {}.", named.join(", ")));
    }
    s
}

/// The backtest's scores as a sentence, from its backtest.json (`path` as found).
pub fn backtest_sentence(path: &str, b: &Value) -> Option<String> {
    let n = |k: &str| b.get(k).and_then(Value::as_f64);
    let until = b.get("until")?.as_str()?;
    let scored = n("targets_scored")?;
    let inside = n("inside_90_interval")?;
    let share = n("share_inside_90_interval")?;
    let mape = n("median_absolute_percentage_error")?;
    let calibrated = n("targets_calibrated")
        .map(|c| format!("the {c:.0} targets to {until}"))
        .unwrap_or_else(|| format!("the targets to {until}"));
    let runs = b
        .get("settings")
        .and_then(|s| s.get("runs"))
        .and_then(Value::as_f64)
        .map(|r| format!(", {r:.0} runs"))
        .unwrap_or_default();
    Some(format!(
        "Backtest ({path}{runs}): calibrated on {calibrated} only, the model's Monte Carlo projection puts {inside:.0} of the {scored:.0} later published figures ({}) inside its 90% intervals, with a median absolute error of {mape:.1}%.",
        percent(share)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(metric: &str, year: &str, observed: f64, p: [f64; 3]) -> FitRow {
        FitRow {
            metric: metric.into(),
            year: year.into(),
            observed,
            p5: p[0],
            p50: p[1],
            p95: p[2],
        }
    }

    #[test]
    fn tolerances_follow_stocks_flows_and_the_ratio() {
        let cic = row(
            "children_in_care",
            "2024-25",
            81770.0,
            [80000.0, 84430.0, 88000.0],
        );
        assert_eq!(cic.tolerance(), 0.03);
        assert!(!cic.within() && cic.inside());
        let exits = row(
            "care_exits",
            "2024-25",
            34450.0,
            [31000.0, 32061.0, 34000.0],
        );
        assert_eq!(exits.tolerance(), 0.06);
        assert!(!exits.within() && !exits.inside());
        let r = row("late_early_ratio", "2024-25", 4.27, [4.0, 4.39, 4.9]);
        assert_eq!(r.tolerance(), 0.10);
        assert!(r.within());
        assert_eq!(signed_percent(cic.error()), "+3.3%");
        assert_eq!(signed_percent(exits.error()), "\u{2212}6.9%");
        let s = counts_sentence(&[cic, exits, r], &FitSource::Posterior { draws: 2000 });
        assert_eq!(
            s,
            "1 of the 3 published figures have the posterior's median within 3% (stocks), 6% (flows) or 10% (the late:early ratio) of them, and 2 of 3 (67%) lie inside the 90% interval. The misses: care_exits in 2024-25 (\u{2212}6.9%), children_in_care in 2024-25 (+3.3%)."
        );
    }

    #[test]
    fn a_run_supplies_its_own_numbers_and_the_table_quotes_them() {
        let targets = vec![row("children_in_care", "2010-11", 65500.0, [1.0, 2.0, 3.0])];
        let yearly = "scenario,year,metric,unit,mean,p5,p50,p95\n\
                      h,2010-11,children_in_care,children,65100,63000.4,65123.5,67400\n\
                      h,2011-12,children_in_care,children,66100,64000,66100,68400\n";
        let rows = run_rows(&targets, yearly).unwrap();
        assert_eq!(
            (rows[0].p5, rows[0].p50, rows[0].p95),
            (63000.4, 65123.5, 67400.0)
        );
        assert!(run_rows(&[row("cp_plans", "2010-11", 1.0, [0.0; 3])], yearly).is_none());
        let source = FitSource::Runs {
            label: "h".into(),
            runs: "200".into(),
            engine: "Monte Carlo".into(),
        };
        let t = table(&rows, &source);
        assert_eq!(
            t.rows[0],
            [
                "children_in_care",
                "2010-11",
                "65,500",
                "65,100",
                "63,000 to 67,400",
                "\u{2212}0.6%",
                "yes",
                "yes"
            ]
        );
        assert!(t
            .note
            .contains("across h's 200 runs (Monte Carlo, yearly.csv)"));
        let words = ChartWords {
            median_label: "Median of 200 runs".into(),
            band: "b".into(),
            subtitle: "s".into(),
            footer: "f".into(),
        };
        let charts = chart_series(&rows, Some(yearly), &words);
        assert_eq!(charts.len(), 1);
        let (stem, s) = &charts[0];
        assert_eq!(stem, "fit-children_in_care");
        assert_eq!(s.years.len(), 2, "every year of the run");
        assert_eq!(s.observed, vec![(0, 65500.0)]);
        assert_eq!(span(&rows).as_deref(), Some("2010-2011"));
    }

    #[test]
    fn the_backtest_reads_as_a_sentence() {
        let b = json!({"until": "2016-17", "targets_calibrated": 26, "targets_scored": 30,
            "inside_90_interval": 25, "share_inside_90_interval": 0.8333,
            "median_absolute_percentage_error": 3.46, "settings": {"runs": 200}});
        assert_eq!(
            backtest_sentence("output/h-backtest/backtest.json", &b).unwrap(),
            "Backtest (output/h-backtest/backtest.json, 200 runs): calibrated on the 26 targets to 2016-17 only, the model's Monte Carlo projection puts 25 of the 30 later published figures (83%) inside its 90% intervals, with a median absolute error of 3.5%."
        );
        assert_eq!(backtest_sentence("x", &json!({})), None);
    }
}
