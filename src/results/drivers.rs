//! What the spread of a comparison's run-by-run change follows: the Spearman rank correlation,
//! across the paired runs, of each drawn parameter's value with the change, largest first. With
//! common random numbers the runs of a pair differ from run to run mostly through their parameter
//! draws, so the parameters at the top are the uncertain inputs the interval carries.

use super::store::{Col, Runs};
use crate::error::Error;
use crate::scenario::Model;

/// A parameter slot and its rank correlation with a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The slot's name (`name`, or `name.component` of a Dirichlet).
    pub parameter: String,
    pub rank_correlation: f64,
}

/// How many parameters `comparison.json` lists for each measure.
pub const TOP: usize = 5;

/// The fewest runs from which correlations are given: with fewer, chance alone makes them large
/// (with 3 runs every rank correlation is ±1 or ±0.5).
pub const MIN_RUNS: usize = 20;

/// Ranks of `x` from 1, ties given their average rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
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

/// Pearson's correlation of two equally long samples; `None` where either is constant or the
/// samples are shorter than 3.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len();
    if n < 3 || b.len() != n {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// Spearman's rank correlation: Pearson's on the ranks.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&ranks(a), &ranks(b))
}

/// The `top` drawn parameters of `model` (values from `runs`, in run order) with the largest
/// |rank correlation| with `change` (one value a run, in the same order); a parameter held
/// fixed, a change the same in every run, or fewer than `MIN_RUNS` runs give none.
pub fn drivers(
    model: &Model,
    runs: &dyn Runs,
    change: &[f64],
    top: usize,
) -> Result<Vec<Driver>, Error> {
    let mut out = Vec::new();
    if change.len() < MIN_RUNS {
        return Ok(out);
    }
    for p in model.params.params.iter().filter(|p| p.dist.is_drawn()) {
        for k in 0..p.components.len().max(1) {
            let slot = p.slot + k;
            let values = runs.column(Col::Param(slot))?;
            if let Some(r) = spearman(&values, change) {
                out.push(Driver {
                    parameter: model.params.slot_names[slot].clone(),
                    rank_correlation: r,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.rank_correlation
            .abs()
            .total_cmp(&a.rank_correlation.abs())
            .then_with(|| a.parameter.cmp(&b.parameter))
    });
    out.truncate(top);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_average_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn rank_correlation_follows_order_not_scale() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let up = [1.0, 10.0, 100.0, 1000.0, 1e4];
        let down = [9.0, 7.0, 5.0, 2.0, -40.0];
        assert!((spearman(&a, &up).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&a, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&a, &[2.0; 5]), None);
        assert_eq!(spearman(&a[..2], &up[..2]), None);
    }
}
