//! One-way sensitivity with the cohort engine: every parameter slot with a distribution is set to
//! its p10 and then its p90, the others held at their central values, and the measure (a metric
//! of one scenario, or its change from a baseline under the same parameter values) recomputed.
//! A Dirichlet component is set to its beta-marginal quantile and the other components rescaled
//! in proportion so the shares still sum to one.

use super::{recompute_derived, Measure};
use crate::engine::cohort::project;
use crate::scenario::params::Dist;
use crate::scenario::quantile::quantiles;
use crate::scenario::Model;

/// Quantiles used for the low and high ends.
pub const LOW: f64 = 0.1;
pub const HIGH: f64 = 0.9;

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Slot name: `param` or `param.component`.
    pub parameter: String,
    pub central_value: f64,
    pub low_value: f64,
    pub high_value: f64,
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
    pub central: f64,
    /// Largest swing first.
    pub rows: Vec<Row>,
}

/// Sets slot `slot` (component `k` of a parameter starting at `first` with `n` slots) to `x`,
/// rescaling the other components of a Dirichlet.
fn set_slot(v: &mut [f64], first: usize, n: usize, k: usize, x: f64) {
    if n > 1 {
        let rest: f64 = (0..n).filter(|&j| j != k).map(|j| v[first + j]).sum();
        let f = if rest > 0.0 { (1.0 - x) / rest } else { 0.0 };
        for j in (0..n).filter(|&j| j != k) {
            v[first + j] *= f;
        }
    }
    v[first + k] = x;
}

/// Values of `model` at central values with slot `name` set to `x` (if the model has it).
fn values_with(model: &Model, name: Option<(&str, f64)>) -> Result<Vec<f64>, String> {
    let ps = &model.params;
    let mut v = ps
        .central()
        .map_err(|(p, e)| format!("parameter `{p}`: {e}"))?;
    if let Some((name, x)) = name {
        for p in &ps.params {
            let n = p.components.len().max(1);
            for k in 0..n {
                if ps.slot_names[p.slot + k] == name {
                    set_slot(&mut v, p.slot, n, k, x);
                }
            }
        }
    }
    recompute_derived(ps, &mut v)?;
    Ok(v)
}

/// The measure with slot `name` at `x`: the scenario's value, or its change from the baseline.
fn measure_at(
    model: &Model,
    baseline: Option<&Model>,
    m: &Measure,
    name: Option<(&str, f64)>,
) -> Result<f64, String> {
    let with = |mm: &Model| -> Result<f64, String> {
        let v = values_with(mm, name)?;
        let p = project(mm, &v).map_err(|e| match name {
            Some((n, x)) => format!("with {n} = {x}: {e}"),
            None => e,
        })?;
        Ok(m.of(&p))
    };
    let s = with(model)?;
    Ok(match baseline {
        Some(b) => s - with(b)?,
        None => s,
    })
}

/// Runs the one-way analysis over every slot with a distribution in `model`.
pub fn analyse(
    model: &Model,
    baseline: Option<&Model>,
    m: &Measure,
) -> Result<Sensitivity, String> {
    let central = measure_at(model, baseline, m, None)?;
    let cv = values_with(model, None)?;
    let mut jobs = Vec::new();
    for p in &model.params.params {
        let (Some(lo), Some(hi)) = (quantiles(&p.dist, LOW), quantiles(&p.dist, HIGH)) else {
            continue;
        };
        if matches!(p.dist, Dist::Fixed(_)) {
            continue;
        }
        for k in 0..lo.len() {
            let name = model.params.slot_names[p.slot + k].clone();
            jobs.push((name, cv[p.slot + k], lo[k], hi[k]));
        }
    }
    use rayon::prelude::*;
    let mut rows = jobs
        .into_par_iter()
        .map(|(name, c, lo, hi)| {
            Ok(Row {
                at_low: measure_at(model, baseline, m, Some((&name, lo)))?,
                at_high: measure_at(model, baseline, m, Some((&name, hi)))?,
                parameter: name,
                central_value: c,
                low_value: lo,
                high_value: hi,
            })
        })
        .collect::<Result<Vec<Row>, String>>()?;
    // Stable sort: ties keep the scenario's parameter order.
    rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
    let label = match baseline {
        Some(b) => format!(
            "change in {} ({} minus {})",
            m.label(model),
            model.name,
            b.name
        ),
        None => format!("{} ({})", m.label(model), model.name),
    };
    Ok(Sensitivity {
        measure_label: label,
        central,
        rows,
    })
}

/// `sensitivity.csv`, largest swing first.
pub fn csv(s: &Sensitivity) -> String {
    let mut out = String::from(
        "parameter,central_value,p10_value,p90_value,measure_central,measure_at_p10,measure_at_p90,swing\n",
    );
    for r in &s.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.parameter,
            fmt(r.central_value),
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

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(fmt(4.271234567), "4.27123");
        assert_eq!(fmt(12106.04), "12106.0");
        assert_eq!(fmt(-0.0123456789), "-0.0123457");
    }
}
