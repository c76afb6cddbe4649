//! Backtest scores: the targets split at a calibration cut-off year, and a projection's p5, p50
//! and p95 of each later target against what was observed: the median absolute percentage error
//! of p50 and the share of targets inside their 90% intervals, overall and by metric.

use super::calibrate::Target;
use crate::results::metrics::METRICS;
use crate::results::stats::quantile_sorted;

/// Indices of the targets in year `until` or before (to calibrate on) and after it (to score).
pub fn split(targets: &[Target], until: usize) -> (Vec<usize>, Vec<usize>) {
    (0..targets.len()).partition(|&i| targets[i].measure.year.is_some_and(|y| y <= until))
}

/// One later target and the projection's summary of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Year index and metric index (`METRICS` order).
    pub year: usize,
    pub metric: usize,
    pub actual: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Row {
    /// Whether the observed value lies in the 90% interval (ends included).
    pub fn inside(&self) -> bool {
        self.actual >= self.p5 && self.actual <= self.p95
    }

    /// Absolute percentage error of p50 against the observed value.
    pub fn ape_percent(&self) -> f64 {
        100.0 * (self.p50 - self.actual).abs() / self.actual.abs()
    }
}

/// Scores of a set of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub targets: usize,
    /// Median over the rows of the absolute percentage error of p50 (NaN without rows).
    pub mape_percent: f64,
    pub inside: usize,
}

impl Scores {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Scores {
        let rows: Vec<&Row> = rows.into_iter().collect();
        let mut ape: Vec<f64> = rows.iter().map(|r| r.ape_percent()).collect();
        ape.sort_by(f64::total_cmp);
        Scores {
            targets: rows.len(),
            mape_percent: quantile_sorted(&ape, 0.5),
            inside: rows.iter().filter(|r| r.inside()).count(),
        }
    }

    /// Share of the rows inside their 90% interval.
    pub fn inside_share(&self) -> f64 {
        self.inside as f64 / self.targets.max(1) as f64
    }
}

/// Rows sorted by year, then metric in `METRICS` order (the order of `backtest.csv`).
pub fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by_key(|r| (r.year, r.metric));
    rows
}

/// Scores of each metric with rows, in `METRICS` order.
pub fn by_metric(rows: &[Row]) -> Vec<(&'static str, Scores)> {
    (0..METRICS.len())
        .filter(|k| rows.iter().any(|r| r.metric == *k))
        .map(|k| {
            (
                METRICS[k].0,
                Scores::of(rows.iter().filter(|r| r.metric == k)),
            )
        })
        .collect()
}

/// `backtest.csv`: `year,metric,actual,p5,p50,p95`, numbers written exactly (shortest form that
/// reads back as the same number), with `label` naming each year index.
pub fn csv(rows: &[Row], label: impl Fn(usize) -> String) -> String {
    let mut out = String::from("year,metric,actual,p5,p50,p95\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            label(r.year),
            METRICS[r.metric].0,
            r.actual,
            r.p5,
            r.p50,
            r.p95
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(actual: f64, p5: f64, p50: f64, p95: f64) -> Row {
        Row {
            year: 0,
            metric: 4,
            actual,
            p5,
            p50,
            p95,
        }
    }

    #[test]
    fn scores_are_the_median_error_and_the_share_inside() {
        let rows = [
            row(100.0, 90.0, 110.0, 120.0),
            row(200.0, 150.0, 190.0, 199.0),
            row(50.0, 40.0, 51.0, 60.0),
        ];
        let s = Scores::of(&rows);
        assert_eq!(s.targets, 3);
        // Errors 10%, 5%, 2%: the median is 5%.
        assert!((s.mape_percent - 5.0).abs() < 1e-12);
        assert_eq!(s.inside, 2);
        assert!((s.inside_share() - 2.0 / 3.0).abs() < 1e-12);
    }
}
