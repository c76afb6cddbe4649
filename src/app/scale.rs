//! Refuses a `--scale` too small for Monte Carlo results to mean anything: too few simulated
//! families in a stage of the pathway that holds many nationally, or a metric expected to read
//! zero. The expected values come from one cohort-engine projection at central values.

use crate::charts::format::count as thousands;
use crate::engine::cohort;
use crate::error::Error;
use crate::results::metrics::{Unit, METRICS};
use crate::scenario::model::Role;
use crate::scenario::Model;

/// A stage of the pathway (a role, e.g. child protection) holds many children nationally when it
/// holds at least this many at the start.
pub const MANY_CHILDREN: f64 = 10_000.0;
/// Simulated families each such stage must start with: with fewer, one run's count of it is
/// mostly sampling noise (about 1/sqrt(n): 10% at 100 families).
pub const MIN_FAMILIES: f64 = 100.0;
/// Simulated children (or families) a count metric must expect in its largest year, where the
/// metric is not zero nationally; with fewer, about half the runs or more would report it as zero.
pub const MIN_METRIC_COUNT: f64 = 1.0;

/// Why a scale is needed: the smallest scale each rule allows, the largest of them binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// The smallest scale at which every rule holds.
    pub smallest: f64,
    /// What sets it, for messages (e.g. "child_protection: 29,071 families nationally at the start").
    pub reason: String,
}

/// The smallest scale at which `model`'s results mean something, with the rule that sets it.
pub fn need(model: &Model) -> Need {
    let mut best = Need {
        smallest: 0.0,
        reason: String::new(),
    };
    let Ok(values) = model.params.central() else {
        return best;
    };
    let mut consider = |smallest: f64, reason: String| {
        if smallest > best.smallest {
            best = Need { smallest, reason };
        }
    };
    for (role, children, families) in stages(model, &values) {
        if children >= MANY_CHILDREN && families > 0.0 {
            consider(
                MIN_FAMILIES / families,
                format!(
                    "{} ({} children, {} families nationally at the start) needs at least {MIN_FAMILIES} simulated families",
                    Role::NAMES[role],
                    thousands(children),
                    thousands(families)
                ),
            );
        }
    }
    // A scenario that continues another starts from that one's run 0.
    let start = cohort::start(model, 0).ok().flatten();
    if let Ok(p) = cohort::project_from(model, &values, start.as_ref()) {
        for (m, (name, unit)) in METRICS.iter().enumerate() {
            if !matches!(unit, Unit::Children | Unit::Families) {
                continue;
            }
            let (year, largest) = p
                .years
                .iter()
                .enumerate()
                .map(|(y, row)| (y, row[m]))
                .fold((0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
            if largest >= MIN_METRIC_COUNT {
                consider(
                    MIN_METRIC_COUNT / largest,
                    format!(
                        "{name} ({} {} nationally in {}, its largest year) needs at least {MIN_METRIC_COUNT} simulated",
                        thousands(largest),
                        unit.as_str(),
                        model.year_label(year)
                    ),
                );
            }
        }
    }
    best
}

/// Children and families at the start in each role, nationally: (role index, children, families).
fn stages(model: &Model, values: &[f64]) -> Vec<(usize, f64, f64)> {
    let mut out: Vec<(usize, f64, f64)> = Vec::new();
    for init in &model.initial {
        let children = init.children.eval(values).unwrap_or(0.0).max(0.0);
        let (mut weight, mut kids) = (0.0, 0.0);
        for (n, share) in &init.profile.children {
            let s = share.eval(values).unwrap_or(0.0).max(0.0);
            weight += s;
            kids += s * f64::from(*n);
        }
        let per_family = if weight > 0.0 && kids > 0.0 {
            kids / weight
        } else {
            1.0
        };
        let role = model.states[init.state].role as usize;
        match out.iter_mut().find(|(r, _, _)| *r == role) {
            Some(e) => {
                e.1 += children;
                e.2 += children / per_family;
            }
            None => out.push((role, children, children / per_family)),
        }
    }
    out
}

/// `scale` rounded up to two significant figures, so that the suggestion itself passes.
pub fn round_up(scale: f64) -> f64 {
    if scale <= 0.0 {
        return scale;
    }
    let step = 10f64.powf(scale.log10().floor() - 1.0);
    let up = (scale / step).ceil() * step;
    // Through two significant digits in text, so 33 x 1e-4 prints as 0.0033.
    format!("{up:.1e}").parse::<f64>().unwrap_or(up).min(1.0)
}

/// Checks `scale` for `model`: `Ok(None)` when it is large enough; with `force`, `Ok(Some(warning))`
/// for one that is not; otherwise a usage error (exit 2) naming the smallest sensible scale.
pub fn check(model: &Model, scale: f64, force: bool) -> Result<Option<String>, Error> {
    let need = need(model);
    if scale >= need.smallest {
        return Ok(None);
    }
    let smallest = round_up(need.smallest);
    let what = format!(
        "--scale {scale} is too small for `{}`'s results to mean anything: {}, so the smallest sensible scale is {smallest}",
        model.name, need.reason
    );
    if force {
        Ok(Some(format!(
            "{what}; run anyway with --force, so its results are mostly sampling noise or zero"
        )))
    } else {
        Err(Error::Usage(format!(
            "{what}. Use --scale {smallest} or larger (the engine's time grows with the scale), or --force to run it anyway"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_to_two_significant_figures() {
        assert_eq!(round_up(0.003_21), 0.0033);
        assert!((round_up(0.012_01) - 0.013).abs() < 1e-12);
        assert_eq!(round_up(0.7), 0.7);
        assert_eq!(round_up(0.991), 1.0);
    }
}
