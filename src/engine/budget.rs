//! Spending rules: the early budget of each year under `early_set` or `total_set`, extra
//! investment and the lag before new family-help places reach full effect.

use crate::scenario::model::{BudgetPath, Model, Rule};

/// The policy of one run with its parameters evaluated.
#[derive(Debug, Clone)]
pub struct Budgets {
    pub rule: Rule,
    /// The early budget (early_set) or the total budget (total_set) of each year, £m.
    pub path: Vec<f64>,
    /// Extra early money of each year, £m.
    pub extra: Vec<f64>,
    pub universal_share: f64,
    pub previous_late: f64,
    pub early_floor: f64,
    /// Under `total_set`, the protected early share of the total, if set.
    pub early_share: Option<f64>,
    pub lag_months: u32,
    /// First year with extra money, where the lag starts.
    pub programme_start: Option<usize>,
}

/// Value of a budget path in each year: base x index(y) x (1 + growth)^(y + 1), where index(y) is
/// the latest index listed at or before year y (1 if none) and the base is the year before the start.
pub fn path_values(path: &BudgetPath, values: &[f64], years: usize) -> Result<Vec<f64>, String> {
    let base = path.base.eval(values).map_err(|e| e.0)?;
    let growth = path.growth.eval(values).map_err(|e| e.0)?;
    Ok((0..years)
        .map(|y| {
            let idx = path
                .index
                .iter()
                .rev()
                .find(|(iy, _)| *iy <= y)
                .map_or(1.0, |(_, v)| *v);
            base * idx * (1.0 + growth).powi(y as i32 + 1)
        })
        .collect())
}

impl Budgets {
    pub fn new(model: &Model, values: &[f64]) -> Result<Budgets, String> {
        let p = &model.policy;
        let mut extra = vec![0.0; model.years];
        for (y, e) in &p.extra {
            extra[*y] += e.eval(values).map_err(|e| e.0)?;
        }
        Ok(Budgets {
            rule: p.rule,
            path: path_values(&p.budget, values, model.years)?,
            programme_start: extra.iter().position(|x| *x != 0.0),
            extra,
            universal_share: p.universal_share.eval(values).map_err(|e| e.0)?,
            previous_late: p.previous_late.eval(values).map_err(|e| e.0)?,
            early_floor: p.early_floor.eval(values).map_err(|e| e.0)?,
            early_share: match &p.early_share {
                Some(e) => Some(e.eval(values).map_err(|e| e.0)?),
                None => None,
            },
            lag_months: p.lag_months,
        })
    }

    /// The early budget before extra investment in year `y`, given last year's late spend.
    pub fn early_base(&self, y: usize, late_last_year: f64) -> f64 {
        match self.rule {
            Rule::EarlySet => self.path[y],
            Rule::TotalSet => match self.early_share {
                // Protected: a fixed share of the total, whatever late spend was.
                Some(share) => (self.path[y] * share).max(self.early_floor),
                None => (self.path[y] - late_last_year).max(self.early_floor),
            },
        }
    }

    /// Share of the extra money that has become places by month `m` of the run (0 to 1).
    pub fn ramp(&self, m: usize) -> f64 {
        match self.programme_start {
            None => 0.0,
            Some(_) if self.lag_months == 0 => 1.0,
            Some(y0) => {
                let since = m as f64 - (y0 * 12) as f64 + 1.0;
                (since / f64::from(self.lag_months)).clamp(0.0, 1.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::expr::Expr;

    #[test]
    fn paths_apply_growth_and_hold_the_latest_index() {
        let path = BudgetPath {
            base: Expr::Num(100.0),
            growth: Expr::Num(0.0),
            index: vec![(1, 0.5), (3, 0.8)],
        };
        assert_eq!(
            path_values(&path, &[], 5).unwrap(),
            vec![100.0, 50.0, 50.0, 80.0, 80.0]
        );
        let grow = BudgetPath {
            base: Expr::Num(100.0),
            growth: Expr::Num(0.1),
            index: vec![],
        };
        let v = path_values(&grow, &[], 2).unwrap();
        assert!((v[0] - 110.0).abs() < 1e-9 && (v[1] - 121.0).abs() < 1e-9);
    }

    #[test]
    fn total_set_gives_early_what_late_leaves_above_the_floor() {
        let b = Budgets {
            rule: Rule::TotalSet,
            path: vec![15_000.0],
            extra: vec![0.0],
            universal_share: 0.3,
            previous_late: 12_000.0,
            early_floor: 500.0,
            early_share: None,
            lag_months: 0,
            programme_start: None,
        };
        assert_eq!(b.early_base(0, 12_000.0), 3_000.0);
        assert_eq!(b.early_base(0, 14_800.0), 500.0);
    }

    #[test]
    fn a_protected_share_ignores_late_spend_but_keeps_the_floor() {
        let mut b = Budgets {
            rule: Rule::TotalSet,
            path: vec![14_942.0, 2_000.0],
            extra: vec![0.0; 2],
            universal_share: 0.3,
            previous_late: 12_106.0,
            early_floor: 400.0,
            early_share: Some(2_836.0 / 14_942.0),
            lag_months: 0,
            programme_start: None,
        };
        assert!((b.early_base(0, 12_106.0) - 2_836.0).abs() < 1e-9);
        assert!((b.early_base(0, 14_900.0) - 2_836.0).abs() < 1e-9);
        assert_eq!(b.early_base(1, 0.0), 400.0);
        b.early_share = None;
        assert_eq!(b.early_base(0, 14_900.0), 400.0);
    }

    #[test]
    fn ramp_rises_linearly_over_the_lag() {
        let b = Budgets {
            rule: Rule::EarlySet,
            path: vec![1.0; 3],
            extra: vec![0.0, 10.0, 10.0],
            universal_share: 0.0,
            previous_late: 0.0,
            early_floor: 0.0,
            early_share: None,
            lag_months: 12,
            programme_start: Some(1),
        };
        assert_eq!(b.ramp(5), 0.0);
        assert!((b.ramp(12) - 1.0 / 12.0).abs() < 1e-12);
        assert_eq!(b.ramp(23), 1.0);
        assert_eq!(b.ramp(40), 1.0);
    }
}
