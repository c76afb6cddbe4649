//! What reform levers do to the model once compiled: rate multipliers, redirected moves, extra
//! costs, price growth, age-outs and a family-help coverage duty, each phased in by year. Both
//! engines apply them through the per-year tables and state costs, so they behave identically.

use super::expr::Expr;
use super::model::{Cost, Dest};

/// How an effect phases in: nothing before year index `from`, then a linear rise to the full
/// effect over `ramp` years (0 or 1: full from `from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    pub from: usize,
    pub ramp: u32,
}

impl Phase {
    /// Fraction of the full effect in force in year index `y`, from 0 to 1.
    pub fn at(&self, y: usize) -> f64 {
        if y < self.from {
            return 0.0;
        }
        let ramp = self.ramp.max(1) as usize;
        ((y - self.from + 1) as f64 / ramp as f64).min(1.0)
    }
}

/// Multiplies the probability of some transitions by `1 + phase * (factor - 1)`.
#[derive(Debug, Clone)]
pub struct RateEffect {
    pub lever: &'static str,
    pub transitions: Vec<usize>,
    pub factor: Expr,
    pub phase: Phase,
}

/// Sends a share of some transitions' probability to another state instead (same one-off cost).
#[derive(Debug, Clone)]
pub struct Redirect {
    pub lever: &'static str,
    pub transitions: Vec<usize>,
    pub to: usize,
    pub share: Expr,
    pub phase: Phase,
}

/// Adds a one-off cost (times the phase) to some transitions.
#[derive(Debug, Clone)]
pub struct OneOff {
    pub lever: &'static str,
    pub transitions: Vec<usize>,
    pub cost: Cost,
    pub phase: Phase,
}

/// Changes the monthly cost of some states.
#[derive(Debug, Clone)]
pub enum CostChange {
    /// Adds this cost (times the phase); its class must match the state's.
    Add(Cost),
    /// Multiplies the state's cost by `1 + phase * (factor - 1)`.
    Scale(Expr),
    /// Replaces the state's real price growth by this one (blended by the phase) from the
    /// lever's first year on; earlier years keep their growth.
    Growth(Expr),
}

/// A change to the monthly cost of some states.
#[derive(Debug, Clone)]
pub struct StateCost {
    pub lever: &'static str,
    pub states: Vec<usize>,
    pub change: CostChange,
    pub phase: Phase,
}

/// While the phase is above zero, families ageing out of `state` go to `to` instead.
#[derive(Debug, Clone)]
pub struct AgeOut {
    pub lever: &'static str,
    pub state: usize,
    pub to: Dest,
    pub phase: Phase,
}

/// A duty to offer family help to a share of the families with need (in `need` or in family
/// help): places beyond what the budget buys are added, and paid for as early spend.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub share: Expr,
    pub phase: Phase,
}

/// Every compiled lever effect of a scenario (empty for a scenario without levers).
#[derive(Debug, Clone, Default)]
pub struct Effects {
    pub rates: Vec<RateEffect>,
    pub redirects: Vec<Redirect>,
    pub oneoffs: Vec<OneOff>,
    pub state_costs: Vec<StateCost>,
    pub age_outs: Vec<AgeOut>,
    pub coverage: Option<Coverage>,
    /// The levers present, in scenario order, for summaries and reports.
    pub levers: Vec<&'static str>,
}

impl Effects {
    /// The coverage duty's share of families with need in force in year index `y` (0 without a
    /// duty), for one parameter draw.
    pub fn coverage_at(&self, values: &[f64], y: usize) -> Result<f64, String> {
        match &self.coverage {
            None => Ok(0.0),
            Some(c) => Ok(c.phase.at(y) * c.share.eval(values).map_err(|e| e.0)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_rises_linearly_then_holds() {
        let p = Phase { from: 2, ramp: 4 };
        let got: Vec<f64> = (0..8).map(|y| p.at(y)).collect();
        assert_eq!(got, vec![0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        let now = Phase { from: 0, ramp: 0 };
        assert_eq!(now.at(0), 1.0);
    }
}
