//! A decomposition of the change in a measure from a base scenario's first year to its last into
//! what each driver explains. Each driver is a counterfactual scenario that holds one driver at
//! its first-year value, run on the same parameter draws and random numbers as the base; its part
//! is, run by run, the base's last-year value minus the counterfactual's (what holding the driver
//! takes away). The remainder is the change less the drivers' parts: what no driver explains,
//! with the drivers' interactions. The rank correlation of each part with the runs' parameter
//! draws says which parameters drive its uncertainty.

use super::sensitivity::Slot;
use crate::results::stats::{summarise, Summary};

/// One driver: the counterfactual scenario that holds it, and its part in each run.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The counterfactual scenario's name and label.
    pub scenario: String,
    pub label: String,
    /// Base last year minus the counterfactual's last year, run by run.
    pub runs: Vec<f64>,
    /// The counterfactual's first year minus the base's, run by run: zero where the driver
    /// does not act in the first year.
    pub start_difference: Vec<f64>,
}

/// Every run's start, end, change, drivers' parts and remainder.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// The base in its first and last years, and the change between them, run by run.
    pub start: Vec<f64>,
    pub end: Vec<f64>,
    pub total: Vec<f64>,
    pub parts: Vec<Part>,
    /// The change less the sum of the parts, run by run.
    pub remainder: Vec<f64>,
}

/// A held scenario's values, run by run: its label, name, first and last year.
pub struct Held<'a> {
    pub scenario: &'a str,
    pub label: &'a str,
    pub start: Vec<f64>,
    pub end: Vec<f64>,
}

impl Decomposition {
    /// The decomposition of the base's `start` and `end` (run by run) by the `held` scenarios'
    /// values in the same runs. Every series must have one value per run.
    pub fn of(start: Vec<f64>, end: Vec<f64>, held: Vec<Held>) -> Result<Decomposition, String> {
        let n = start.len();
        if end.len() != n {
            return Err(format!(
                "the base has {n} first-year values but {} last-year values",
                end.len()
            ));
        }
        if let Some(h) = held.iter().find(|h| h.start.len() != n || h.end.len() != n) {
            return Err(format!(
                "{} has {} runs but the base has {n}",
                h.scenario,
                h.end.len()
            ));
        }
        let total: Vec<f64> = end.iter().zip(&start).map(|(e, s)| e - s).collect();
        let parts: Vec<Part> = held
            .into_iter()
            .map(|h| Part {
                scenario: h.scenario.to_string(),
                label: h.label.to_string(),
                runs: end.iter().zip(&h.end).map(|(b, d)| b - d).collect(),
                start_difference: h.start.iter().zip(&start).map(|(d, b)| d - b).collect(),
            })
            .collect();
        let remainder = (0..n)
            .map(|i| total[i] - parts.iter().map(|p| p.runs[i]).sum::<f64>())
            .collect();
        Ok(Decomposition {
            start,
            end,
            total,
            parts,
            remainder,
        })
    }

    /// Mean, p5, p50 and p95 of each series.
    pub fn summaries(&self) -> Summaries {
        Summaries {
            start: summarise(&self.start),
            end: summarise(&self.end),
            total: summarise(&self.total),
            parts: self.parts.iter().map(|p| summarise(&p.runs)).collect(),
            remainder: summarise(&self.remainder),
        }
    }
}

/// The decomposition's summaries across runs, in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct Summaries {
    pub start: Summary,
    pub end: Summary,
    pub total: Summary,
    pub parts: Vec<Summary>,
    pub remainder: Summary,
}

/// A parameter and the rank correlation of its draws with a part, across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlate {
    pub parameter: String,
    pub description: String,
    pub rank_correlation: f64,
}

/// Ranks from 1, ties given their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; 0 where either series is constant.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let (ma, mb) = (
        a[..n].iter().sum::<f64>() / n as f64,
        b[..n].iter().sum::<f64>() / n as f64,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman's rank correlation of two series of equal length (0 where either is constant).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

/// The `n` parameters whose draws are most rank-correlated with `values` (largest magnitude
/// first; parameters that do not vary across the runs are left out).
pub fn top_correlates(values: &[f64], slots: &[Slot], n: usize) -> Vec<Correlate> {
    let mut out: Vec<Correlate> = slots
        .iter()
        .filter(|s| s.draws.iter().any(|&d| d != s.draws[0]))
        .map(|s| Correlate {
            parameter: s.parameter.clone(),
            description: s.description.clone(),
            rank_correlation: spearman(values, &s.draws),
        })
        .collect();
    out.sort_by(|a, b| {
        b.rank_correlation
            .abs()
            .total_cmp(&a.rank_correlation.abs())
            .then_with(|| a.parameter.cmp(&b.parameter))
    });
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held<'a>(name: &'a str, start: Vec<f64>, end: Vec<f64>) -> Held<'a> {
        Held {
            scenario: name,
            label: name,
            start,
            end,
        }
    }

    #[test]
    fn parts_and_remainder_add_up_to_the_change_in_every_run() {
        let d = Decomposition::of(
            vec![10.0, 12.0, 11.0],
            vec![20.0, 25.0, 18.0],
            vec![
                held("a", vec![10.0, 12.0, 11.0], vec![17.0, 20.0, 16.0]),
                held("b", vec![10.5, 12.0, 11.0], vec![19.0, 26.0, 18.0]),
            ],
        )
        .unwrap();
        assert_eq!(d.total, vec![10.0, 13.0, 7.0]);
        assert_eq!(d.parts[0].runs, vec![3.0, 5.0, 2.0]);
        assert_eq!(d.parts[1].runs, vec![1.0, -1.0, 0.0]);
        assert_eq!(d.parts[1].start_difference, vec![0.5, 0.0, 0.0]);
        assert_eq!(d.remainder, vec![6.0, 9.0, 5.0]);
        let s = d.summaries();
        assert_eq!(s.total.p50, 10.0);
        assert_eq!(s.parts[0].p50, 3.0);
    }

    #[test]
    fn a_held_scenario_with_other_runs_is_refused() {
        let e = Decomposition::of(
            vec![1.0, 2.0],
            vec![3.0, 4.0],
            vec![held("a", vec![1.0], vec![2.0])],
        )
        .unwrap_err();
        assert!(e.contains("a has 1 runs but the base has 2"), "{e}");
    }

    #[test]
    fn spearman_is_one_for_any_increasing_relation_and_handles_ties() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [1.0, 8.0, 27.0, 64.0, 125.0];
        assert!((spearman(&a, &b) - 1.0).abs() < 1e-12);
        let c: Vec<f64> = b.iter().map(|x| -x).collect();
        assert!((spearman(&a, &c) + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(spearman(&a, &[2.0; 5]), 0.0);
    }

    #[test]
    fn the_strongest_correlates_come_first_and_constants_are_left_out() {
        let slot = |name: &str, draws: Vec<f64>| Slot {
            parameter: name.into(),
            description: name.into(),
            draws,
        };
        let values = [1.0, 2.0, 3.0, 4.0];
        let slots = vec![
            slot("weak", vec![2.0, 1.0, 4.0, 3.0]),
            slot("fixed", vec![1.0; 4]),
            slot("strong", vec![4.0, 3.0, 2.0, 1.0]),
        ];
        let top = top_correlates(&values, &slots, 5);
        let names: Vec<&str> = top.iter().map(|c| c.parameter.as_str()).collect();
        assert_eq!(names, vec!["strong", "weak"]);
        assert!((top[0].rank_correlation + 1.0).abs() < 1e-12);
    }
}
