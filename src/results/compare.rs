//! Comparing scenarios run with common random numbers: differences are taken run by run
//! (alternative minus baseline, run i against run i), then summarised. Builds `deltas.csv`, the
//! headline measures of `comparison.json`, and the series the comparison charts draw. Runs are
//! read a metric at a time (`store::Runs`), so memory holds a few values a run.

use super::drivers::{drivers, Driver, TOP};
use super::format_value;
use super::metrics::{idx, Unit, METRICS};
use super::stats::{summarise, Summary};
use super::store::{Col, Runs};
use crate::error::Error;
use crate::scenario::Model;
use serde_json::{json, Map, Value};

/// One scenario's runs, in run order.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub model: &'a Model,
    pub runs: &'a dyn Runs,
}

/// Extra rows of `deltas.csv` after the contract metrics: running totals from the first year to
/// the row's year, differenced run by run. (name, unit).
pub const CUMULATIVE: [(&str, Unit); 6] = [
    ("cumulative_early_spend", Unit::GbpM),
    ("cumulative_late_spend", Unit::GbpM),
    ("cumulative_net_cost", Unit::GbpM),
    ("cumulative_net_cost_pv", Unit::GbpM),
    ("cumulative_care_entries", Unit::Children),
    ("cumulative_cp_starts", Unit::Children),
];

/// Discount factor of year index `t` (the first simulated year is t = 0, undiscounted).
pub fn discount(rate: f64, t: usize) -> f64 {
    1.0 / (1.0 + rate).powi(t as i32)
}

/// Alternative minus baseline of metric `k` in year `y`, run by run.
fn diff(base: Side, alt: Side, y: usize, k: usize) -> Result<Vec<f64>, Error> {
    let b = base.runs.column(Col::Metric { y, k })?;
    let a = alt.runs.column(Col::Metric { y, k })?;
    Ok(a.iter().zip(&b).map(|(a, b)| a - b).collect())
}

/// The `CUMULATIVE` rows run by run: running totals of the differences from the first year,
/// advanced a year at a time, so that memory holds a few values a run, not every year's.
struct Cumulative {
    rate: f64,
    /// The next year to add.
    year: usize,
    /// `[k][run]`, in `CUMULATIVE` order, up to the last year added.
    acc: [Vec<f64>; CUMULATIVE.len()],
}

impl Cumulative {
    fn new(rate: f64, runs: usize) -> Cumulative {
        Cumulative {
            rate,
            year: 0,
            acc: std::array::from_fn(|_| vec![0.0; runs]),
        }
    }

    /// Adds the next year's differences.
    fn next(&mut self, base: Side, alt: Side) -> Result<(), Error> {
        let y = self.year;
        let early = diff(base, alt, y, idx::EARLY_SPEND)?;
        let late = diff(base, alt, y, idx::LATE_SPEND)?;
        let entries = diff(base, alt, y, idx::CARE_ENTRIES)?;
        let starts = diff(base, alt, y, idx::CP_STARTS)?;
        let f = discount(self.rate, y);
        let [e, l, net, pv, ce, cp] = &mut self.acc;
        for i in 0..early.len() {
            let n = early[i] + late[i];
            e[i] += early[i];
            l[i] += late[i];
            net[i] += n;
            pv[i] += n * f;
            ce[i] += entries[i];
            cp[i] += starts[i];
        }
        self.year += 1;
        Ok(())
    }
}

fn row(out: &mut String, scenario: &str, year: &str, metric: &str, unit: Unit, s: Summary) {
    out.push_str(&format!(
        "{scenario},{year},{metric},{},{},{},{},{}\n",
        unit.as_str(),
        format_value(s.mean, unit),
        format_value(s.p5, unit),
        format_value(s.p50, unit),
        format_value(s.p95, unit),
    ));
}

/// Builds `deltas.csv` (the `yearly.csv` columns; `scenario` is the alternative's name): for each
/// alternative and year, every contract metric, then the cumulative rows.
pub fn deltas_csv(base: Side, alts: &[Side]) -> Result<String, Error> {
    let mut out = String::from(super::yearly::HEADER);
    out.push('\n');
    for alt in alts {
        let mut cum = Cumulative::new(alt.model.discount_rate, base.runs.count());
        for y in 0..base.model.years {
            let label = base.model.year_label(y);
            for (k, (metric, unit)) in METRICS.iter().enumerate() {
                let s = summarise(&diff(base, *alt, y, k)?);
                row(&mut out, &alt.model.name, &label, metric, *unit, s);
            }
            cum.next(base, *alt)?;
            for (k, (metric, unit)) in CUMULATIVE.iter().enumerate() {
                let s = summarise(&cum.acc[k]);
                row(&mut out, &alt.model.name, &label, metric, *unit, s);
            }
        }
    }
    Ok(out)
}

/// The year in which a run's cumulative net saving first reaches zero or more, counting from the
/// first year the alternative differs at all (a reform that starts later has not broken even in
/// the years before it starts); year 0 when it never differs. Fed a year at a time.
#[derive(Debug, Clone, Copy, Default)]
pub struct BreakEven {
    differs: bool,
    year: Option<usize>,
}

impl BreakEven {
    /// Takes year `t`'s cumulative net cost (years in order from 0).
    pub fn see(&mut self, t: usize, cumulative_net_cost: f64) {
        self.differs |= cumulative_net_cost != 0.0;
        if self.differs && self.year.is_none() && -cumulative_net_cost >= 0.0 {
            self.year = Some(t);
        }
    }

    /// The break-even year so far, or `None` if the run has not broken even.
    pub fn year(&self) -> Option<usize> {
        if self.differs {
            self.year
        } else {
            Some(0)
        }
    }
}

/// The break-even year of a run's cumulative net costs by year (`BreakEven` over a whole run).
pub fn break_even(cumulative_net_cost: &[f64]) -> Option<usize> {
    let mut b = BreakEven::default();
    for (t, &c) in cumulative_net_cost.iter().enumerate() {
        b.see(t, c);
    }
    b.year()
}

/// Headline measures of one alternative over the horizon.
#[derive(Debug, Clone)]
pub struct Headline {
    pub scenario: String,
    pub discount_rate: f64,
    pub extra_early: Summary,
    pub late_change: Summary,
    pub net_cost: Summary,
    pub net_cost_pv: Summary,
    /// Late spend avoided per £1 of extra early spend, over runs with extra early spend ≠ 0.
    pub late_avoided_per_pound: Option<Summary>,
    pub runs_with_zero_extra_early: usize,
    /// Share of runs that have broken even by the end of each year.
    pub break_even_by_year: Vec<f64>,
    pub break_even_never: f64,
    /// The first year by whose end at least half the runs have broken even.
    pub median_break_even: Option<usize>,
    pub probability_net_saving: f64,
    pub care_entries_change: Summary,
    pub cp_starts_change: Summary,
    pub children_in_care_change: Vec<Summary>,
    pub children_kept_out_of_care: Summary,
    /// Cumulative net saving (−net cost) by year, summarised across runs (for the payback chart).
    pub cumulative_net_saving: Vec<Summary>,
    /// The parameters whose draws the run-by-run change in children in care at the end of the
    /// last year, and in late spend in the last year, follow most (`drivers`).
    pub children_in_care_drivers: Vec<Driver>,
    pub late_spend_drivers: Vec<Driver>,
}

/// Computes the headline measures of `alt` against `base`.
pub fn headline(base: Side, alt: Side) -> Result<Headline, Error> {
    let n = base.runs.count();
    let years = base.model.years;
    let mut cum = Cumulative::new(alt.model.discount_rate, n);
    let mut runs_even = vec![BreakEven::default(); n];
    let mut children_in_care_change = Vec::with_capacity(years);
    let mut cumulative_net_saving = Vec::with_capacity(years);
    for y in 0..years {
        cum.next(base, alt)?;
        for (b, &c) in runs_even.iter_mut().zip(&cum.acc[2]) {
            b.see(y, c);
        }
        children_in_care_change.push(summarise(&diff(base, alt, y, idx::CIC)?));
        let saving: Vec<f64> = cum.acc[2].iter().map(|c| -c).collect();
        cumulative_net_saving.push(summarise(&saving));
    }
    let [extra, late, net, net_pv, entries, starts] = &cum.acc;
    let ratios: Vec<f64> = extra
        .iter()
        .zip(late)
        .filter(|(e, _)| **e != 0.0)
        .map(|(e, l)| -l / e)
        .collect();
    let mut by_year = vec![0usize; years];
    let mut never = 0usize;
    for b in &runs_even {
        match b.year() {
            Some(y) => by_year[y..].iter_mut().for_each(|v| *v += 1),
            None => never += 1,
        }
    }
    let share = |k: usize| k as f64 / n.max(1) as f64;
    let break_even_by_year: Vec<f64> = by_year.iter().map(|&k| share(k)).collect();
    let kept: Vec<f64> = entries.iter().map(|e| -e).collect();
    let last = years.saturating_sub(1);
    let follows = |k: usize| -> Result<Vec<Driver>, Error> {
        drivers(alt.model, alt.runs, &diff(base, alt, last, k)?, TOP)
    };
    Ok(Headline {
        scenario: alt.model.name.clone(),
        discount_rate: alt.model.discount_rate,
        extra_early: summarise(extra),
        late_change: summarise(late),
        net_cost: summarise(net),
        net_cost_pv: summarise(net_pv),
        late_avoided_per_pound: (!ratios.is_empty()).then(|| summarise(&ratios)),
        runs_with_zero_extra_early: n - ratios.len(),
        median_break_even: break_even_by_year.iter().position(|s| *s >= 0.5),
        break_even_by_year,
        break_even_never: share(never),
        probability_net_saving: share(net.iter().filter(|c| -**c > 0.0).count()),
        care_entries_change: summarise(entries),
        cp_starts_change: summarise(starts),
        children_in_care_change,
        children_kept_out_of_care: summarise(&kept),
        cumulative_net_saving,
        children_in_care_drivers: follows(idx::CIC)?,
        late_spend_drivers: follows(idx::LATE_SPEND)?,
    })
}

fn stats(s: &Summary) -> Value {
    let r = |v: f64| {
        if v.is_finite() {
            json!((v * 1000.0).round() / 1000.0 + 0.0)
        } else {
            Value::Null
        }
    };
    json!({"mean": r(s.mean), "p5": r(s.p5), "p50": r(s.p50), "p95": r(s.p95)})
}

fn drivers_json(d: &[Driver]) -> Value {
    d.iter()
        .map(|d| {
            json!({
                "parameter": d.parameter,
                "rank_correlation": (d.rank_correlation * 1000.0).round() / 1000.0 + 0.0,
            })
        })
        .collect()
}

/// How the comparison was run.
#[derive(Debug, Clone)]
pub struct CompareInfo {
    pub name: String,
    pub command: String,
    pub seed: u64,
    pub runs: u64,
    pub scale: f64,
    /// Scenario files in command-line order (baseline first).
    pub files: Vec<String>,
}

/// The conventions and definitions written into `comparison.json`.
pub fn conventions() -> Value {
    json!({
        "differences": "Every measure is alternative minus baseline computed run by run (run i of each scenario shares the master seed, parameter draws, arrivals and per-family random numbers), then summarised across runs as mean, p5, p50 and p95.",
        "horizon": "Sums run over every simulated financial year, first to last.",
        "money": "£ million, real terms at the scenarios' price base.",
        "net_cost": "Extra early spend plus the change in late spend. Negative = a net saving.",
        "present_value": "Year t (t = 0 for the first simulated year) is discounted by 1 / (1 + r)^t, r = the alternative's discount_rate; the first year is not discounted. Spend is treated as falling in the year it is counted.",
        "late_avoided_per_pound": "−(change in late spend) / (extra early spend), per run, over the runs whose extra early spend is not exactly zero; runs with zero extra early spend are left out and counted in runs_with_zero_extra_early; null when every run has zero. Where early spend is cut (negative extra), the ratio is the extra late spend per £1 cut.",
        "break_even": "A run breaks even in the first year whose cumulative net saving (−cumulative net cost from the first year) is zero or more, counting only from the first year in which the alternative's spend differs from the baseline's (a run that never differs breaks even in the first year); it may dip below zero again later. share_by_year: share of runs broken even by the end of each year; share_never: never within the horizon; median_year: the first year by which at least half the runs have broken even (null if none).",
        "probability_net_saving": "Share of runs whose cumulative net saving at the end of the horizon is strictly positive.",
        "children_kept_out_of_care": "Cumulative care entries avoided: −(change in care entries summed over the horizon), counting children (a child entering care twice counts twice). Positive = fewer entries than the baseline.",
        "children_in_care_change": "Change in children in care at 31 March of each year (a stock; negative = fewer children in care).",
        "uncertainty_drivers": "For the change in children in care at 31 March of the last year and the change in late spend in the last year: the alternative's drawn parameters whose values across the paired runs have the largest Spearman rank correlation with the run-by-run change (at most 5, largest |correlation| first; parameters held fixed are left out; none with fewer than 20 runs). It says which uncertain inputs the spread of the change follows, not that they alone cause it: parameters correlated with each other (in a posterior, say) share it.",
    })
}

/// Builds `comparison.json` (pretty-printed, with a final newline) from each alternative and its
/// `headline` against `base`.
pub fn comparison_json(
    base: Side,
    alts: &[Side],
    headlines: &[Headline],
    info: &CompareInfo,
) -> String {
    let m = base.model;
    let label = |y: usize| m.year_label(y);
    let alternatives: Vec<Value> = alts
        .iter()
        .zip(headlines)
        .map(|(alt, h)| {
            let mut by_year = Map::new();
            for (y, s) in h.break_even_by_year.iter().enumerate() {
                by_year.insert(label(y), json!(*s));
            }
            let cic: Vec<Value> = h
                .children_in_care_change
                .iter()
                .enumerate()
                .map(|(y, s)| {
                    let mut v = stats(s);
                    v["year"] = json!(label(y));
                    v
                })
                .collect();
            let ratio = match &h.late_avoided_per_pound {
                Some(s) => stats(s),
                None => json!({"mean": null, "p5": null, "p50": null, "p95": null}),
            };
            json!({
                "scenario": h.scenario,
                "description": alt.model.description,
                "discount_rate": h.discount_rate,
                "extra_early_spend_gbp_m": stats(&h.extra_early),
                "late_spend_change_gbp_m": stats(&h.late_change),
                "net_cost_gbp_m": stats(&h.net_cost),
                "net_cost_pv_gbp_m": stats(&h.net_cost_pv),
                "late_avoided_per_extra_early_gbp": ratio,
                "runs_with_zero_extra_early": h.runs_with_zero_extra_early,
                "break_even": {
                    "median_year": h.median_break_even.map(label),
                    "share_by_year": by_year,
                    "share_never": h.break_even_never,
                },
                "probability_net_saving": h.probability_net_saving,
                "care_entries_change": stats(&h.care_entries_change),
                "cp_starts_change": stats(&h.cp_starts_change),
                "children_kept_out_of_care": stats(&h.children_kept_out_of_care),
                "children_in_care_change": cic,
                "uncertainty_drivers": {
                    "year": label(m.years - 1),
                    "children_in_care_change": drivers_json(&h.children_in_care_drivers),
                    "late_spend_change_in_year": drivers_json(&h.late_spend_drivers),
                },
            })
        })
        .collect();
    let doc = json!({
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "comparison": info.name,
        "baseline": m.name,
        "scenario_files": info.files,
        "command": info.command,
        "seed": info.seed,
        "runs": info.runs,
        "scale": info.scale,
        "price_base": m.price_base,
        "start_year": label(0),
        "end_year": label(m.years - 1),
        "conventions": conventions(),
        "alternatives": alternatives,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn break_even_is_the_first_year_with_cumulative_saving_at_or_above_zero() {
        assert_eq!(break_even(&[100.0, 20.0, -5.0, 10.0]), Some(2));
        assert_eq!(break_even(&[10.0, 5.0]), None);
        // Years before the alternative differs do not count as breaking even.
        assert_eq!(break_even(&[0.0, 5.0]), None);
        assert_eq!(break_even(&[0.0, 5.0, -1.0]), Some(2));
        assert_eq!(break_even(&[0.0, -3.0]), Some(1));
        assert_eq!(break_even(&[0.0, 0.0]), Some(0));
    }

    #[test]
    fn discounting_leaves_the_first_year_alone() {
        assert_eq!(discount(0.035, 0), 1.0);
        assert_relative_eq!(discount(0.035, 2), 1.0 / 1.035f64.powi(2));
    }
}
