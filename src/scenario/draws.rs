//! Checks that must hold in every parameter draw, not only at central values: validation draws
//! the parameters of the scenario's first runs and evaluates each checked expression, so a
//! distribution whose tail gives a probability above 1 or a negative cost is rejected with its
//! path before any simulation starts, rather than failing (or silently misbehaving) mid-run.

use super::expr::Expr;
use super::params::ParamSet;
use super::validate::Check;
use crate::rng;

/// Parameter draws examined by validation: runs 0 to 199 of the scenario's own seed.
pub const DRAWS_CHECKED: u64 = 200;

/// A checked expression that leaves its range in some draws.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawProblem {
    /// Index into the checks given.
    pub check: usize,
    /// The first run whose draw is out of range, and the message for it.
    pub run: u64,
    pub message: String,
    pub fix: &'static str,
    /// In how many of the draws.
    pub count: u64,
}

/// A parameter (derived) that cannot be computed in some draw: (name, run, message).
pub type DerivedFailure = (String, u64, String);

/// Draws the parameters of runs `0..DRAWS_CHECKED` under `seed` and checks every expression,
/// in every year of `years` (financial years by their first calendar year) where it reads a time
/// path, and in the first year otherwise.
pub(crate) fn check_draws(
    params: &ParamSet,
    seed: u64,
    years: std::ops::Range<i32>,
    checks: &[(String, Expr, Check)],
) -> Result<Vec<DrawProblem>, DerivedFailure> {
    let mut found: Vec<Option<DrawProblem>> = vec![None; checks.len()];
    let varying = params.varying_slots();
    let reads_path: Vec<bool> = checks
        .iter()
        .map(|(_, e, _)| super::validate::varying_slot(e, &varying).is_some())
        .collect();
    for run in 0..DRAWS_CHECKED {
        let values = params
            .draw(rng::run_seed(seed, run))
            .map_err(|(name, msg)| (name, run, msg))?;
        let later: Vec<Vec<f64>> = if params.paths.is_empty() {
            Vec::new()
        } else {
            years
                .clone()
                .skip(1)
                .map(|y| params.at_year(&values, y))
                .collect::<Result<_, _>>()
                .map_err(|(name, msg)| (name, run, msg))?
        };
        for (i, (_, e, check)) in checks.iter().enumerate() {
            let at = |v: &[f64]| match e.eval(v) {
                Ok(x) => check.problem(x),
                Err(err) => Some((
                    format!("cannot be evaluated: {err}"),
                    "check the expression and the parameters it uses",
                )),
            };
            let mut problem = at(&values);
            if problem.is_none() && reads_path[i] {
                problem = later.iter().find_map(|v| at(v));
            }
            if let Some((message, fix)) = problem {
                match &mut found[i] {
                    Some(p) => p.count += 1,
                    slot => {
                        *slot = Some(DrawProblem {
                            check: i,
                            run,
                            message,
                            fix,
                            count: 1,
                        })
                    }
                }
            }
        }
    }
    Ok(found.into_iter().flatten().collect())
}
