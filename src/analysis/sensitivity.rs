//! Sensitivity of a headline measure to each parameter, around the probabilistic sensitivity
//! analysis (PSA): the runs themselves, each with its own parameter draws. The centre is the
//! median of the measure across the runs, the figure a report quotes. Each bar is the change in
//! it when one parameter is set to the p10 (or the p90) of its draws, found by rerunning: each of
//! the first few runs' parameter draws is projected again with the cohort engine with only that
//! parameter changed, and the changes, paired draw by draw, are averaged. A parameter that moves
//! nothing gets a bar of exactly zero. A Dirichlet component set to a value takes the other
//! components up or down in proportion, so the shares still sum to one.

use super::{recompute_derived, Measure};
use crate::engine::cohort::{project_from, Starts};
use crate::results::stats::{quantile_sorted, summarise};
use crate::scenario::Model;

/// Quantiles of each parameter's draws used for the low and high ends.
pub const LOW: f64 = 0.1;
pub const HIGH: f64 = 0.9;

/// One drawn parameter slot and its value in each run (in run order).
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// Slot name: `param` or `param.component`.
    pub parameter: String,
    /// What the parameter is, in words (its description, or its name where it has none).
    pub description: String,
    pub draws: Vec<f64>,
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub parameter: String,
    pub description: String,
    /// p10 and p90 of the draws.
    pub low_value: f64,
    pub high_value: f64,
    /// The median of the measure moved by the average change with the parameter at each end.
    pub at_low: f64,
    pub at_high: f64,
}

impl Row {
    pub fn swing(&self) -> f64 {
        (self.at_high - self.at_low).abs()
    }
}

/// The whole analysis.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub measure_label: String,
    /// Median of the measure across the runs.
    pub central: f64,
    pub runs: usize,
    /// Runs whose parameter draws each change is averaged over.
    pub draws: usize,
    /// Largest swing first.
    pub rows: Vec<Row>,
}

/// Sets slot `first + k` (component `k` of a parameter of `n` slots) to `x`, rescaling the
/// other components of a Dirichlet so that they still sum to one with it.
pub fn set_slot(v: &mut [f64], first: usize, n: usize, k: usize, x: f64) {
    if n > 1 {
        let rest: f64 = (0..n).filter(|&j| j != k).map(|j| v[first + j]).sum();
        let f = if rest > 0.0 { (1.0 - x) / rest } else { 0.0 };
        for j in (0..n).filter(|&j| j != k) {
            v[first + j] *= f;
        }
    }
    v[first + k] = x;
}

/// The measure of run `r`'s parameter draw of `model` projected by the cohort engine, with slot
/// `set` (by name) at a value if the model has that slot.
fn projected(
    model: &Model,
    (m, starts): (&Measure, &Starts),
    r: u64,
    seed: u64,
    set: Option<(&str, f64)>,
) -> Result<f64, String> {
    let mut v = model.run_values(r, seed)?;
    if let Some((name, x)) = set {
        let ps = &model.params;
        for p in &ps.params {
            let n = p.components.len().max(1);
            if let Some(k) = (0..n).find(|&k| ps.slot_names[p.slot + k] == name) {
                set_slot(&mut v, p.slot, n, k, x);
            }
        }
        recompute_derived(ps, &mut v)?;
    }
    let start = starts.get(model, r)?;
    let p = project_from(model, &v, start.as_deref()).map_err(|e| match set {
        Some((n, x)) => format!("run {r} with {n} = {x}: {e}"),
        None => format!("run {r}: {e}"),
    })?;
    Ok(m.of(&p))
}

/// The scenarios whose measure is taken: the scenario, and the baseline it is compared with.
#[derive(Clone, Copy)]
pub struct Projector<'a> {
    pub model: &'a Model,
    pub baseline: Option<&'a Model>,
    pub measure: &'a Measure,
    pub seed: u64,
    /// Where each run starts, for scenarios that continue another (each run's start is
    /// projected once, whatever is set after it).
    pub starts: &'a Starts,
}

impl Projector<'_> {
    /// The measure (the scenario's, or its difference from the baseline) of run `r`'s draws,
    /// with slot `set` at a value in both scenarios.
    pub fn at(&self, r: u64, set: Option<(&str, f64)>) -> Result<f64, String> {
        let with = (self.measure, self.starts);
        let s = projected(self.model, with, r, self.seed, set)?;
        Ok(match self.baseline {
            Some(b) => s - projected(b, with, r, self.seed, set)?,
            None => s,
        })
    }
}

/// Runs the analysis: `y` is the measure in each run, `slots` every drawn parameter slot,
/// `change(slot, x)` the average change in the measure over the first `draws` runs' draws with
/// the slot at `x`.
pub fn analyse(
    measure_label: String,
    y: &[f64],
    slots: &[Slot],
    draws: usize,
    change: impl Fn(&str, f64) -> Result<f64, String> + Sync,
) -> Result<Sensitivity, String> {
    let n = y.len();
    if let Some(x) = slots.iter().find(|x| x.draws.len() != n) {
        return Err(format!(
            "parameter `{}` has {} draws but the measure has {n} runs",
            x.parameter,
            x.draws.len()
        ));
    }
    let central = summarise(y).p50;
    use rayon::prelude::*;
    let mut rows = slots
        .par_iter()
        .filter(|x| x.draws.iter().any(|&d| d != x.draws[0]))
        .map(|x| {
            let mut sorted = x.draws.clone();
            sorted.sort_by(f64::total_cmp);
            let (lo, hi) = (
                quantile_sorted(&sorted, LOW),
                quantile_sorted(&sorted, HIGH),
            );
            Ok(Row {
                parameter: x.parameter.clone(),
                description: x.description.clone(),
                low_value: lo,
                high_value: hi,
                at_low: central + change(&x.parameter, lo)?,
                at_high: central + change(&x.parameter, hi)?,
            })
        })
        .collect::<Result<Vec<Row>, String>>()?;
    // Stable sort: ties keep the scenario's parameter order.
    rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
    Ok(Sensitivity {
        measure_label,
        central,
        runs: n,
        draws,
        rows,
    })
}

/// The average change in `p`'s measure over runs `0..draws` with slot `name` at `x`, paired with
/// `base[r]`, the measure of run `r`'s own draws.
pub fn average_change(p: &Projector, base: &[f64], name: &str, x: f64) -> Result<f64, String> {
    let mut sum = 0.0;
    for (r, b) in base.iter().enumerate() {
        sum += p.at(r as u64, Some((name, x)))? - b;
    }
    Ok(sum / base.len().max(1) as f64)
}

/// A CSV field, quoted where it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `sensitivity.csv`, largest swing first.
pub fn csv(s: &Sensitivity) -> String {
    let mut out = String::from(
        "parameter,description,p10_value,p90_value,measure_median,measure_at_p10,measure_at_p90,swing\n",
    );
    for r in &s.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.parameter,
            field(&r.description),
            fmt(r.low_value),
            fmt(r.high_value),
            fmt(s.central),
            fmt(r.at_low),
            fmt(r.at_high),
            fmt(r.swing())
        ));
    }
    out
}

/// Six significant digits, no exponent for ordinary magnitudes.
pub fn fmt(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirichlet_components_are_rescaled_to_sum_to_one() {
        let mut v = vec![9.0, 0.5, 0.3, 0.2];
        set_slot(&mut v, 1, 3, 0, 0.8);
        assert!((v[1] - 0.8).abs() < 1e-12);
        assert!((v[2] + v[3] - 0.2).abs() < 1e-12);
        assert!((v[2] / v[3] - 1.5).abs() < 1e-12);
        assert_eq!(v[0], 9.0);
    }

    fn slot(name: &str, draws: Vec<f64>) -> Slot {
        Slot {
            parameter: name.into(),
            description: format!("the {name}"),
            draws,
        }
    }

    #[test]
    fn bars_are_centred_on_the_median_and_sorted_by_swing() {
        let y = vec![3.0, 1.0, 2.0, 10.0, 4.0];
        let slots = vec![
            slot("small", vec![1.0, 2.0, 3.0, 4.0, 5.0]),
            slot("fixed", vec![7.0; 5]),
            slot("big", vec![0.0, 10.0, 20.0, 30.0, 40.0]),
        ];
        // The change is the slot's value times one for `big`, a tenth for `small`.
        let s = analyse("y".into(), &y, &slots, 5, |name, x| {
            Ok(if name == "big" { x } else { x / 10.0 })
        })
        .unwrap();
        assert_eq!(s.central, 3.0);
        let names: Vec<&str> = s.rows.iter().map(|r| r.parameter.as_str()).collect();
        assert_eq!(
            names,
            ["big", "small"],
            "a slot that never varies has no bar"
        );
        let big = &s.rows[0];
        assert_eq!((big.low_value, big.high_value), (4.0, 36.0));
        assert_eq!((big.at_low, big.at_high), (7.0, 39.0));
        assert_eq!(big.description, "the big");
    }

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(fmt(4.271234567), "4.27123");
        assert_eq!(fmt(12106.04), "12106.0");
        assert_eq!(fmt(-0.0123456789), "-0.0123457");
    }

    #[test]
    fn descriptions_with_commas_are_quoted() {
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}
