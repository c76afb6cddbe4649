//! Walker's alias method (Vose's construction): a draw from any finite distribution with two
//! random words and no search, used for new families' (group, age) pairs.

use super::lookup::threshold;
use crate::rng::Words;

/// An alias table over outcomes `0..n`.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Per column: the 53-bit draw below which the column's own outcome is taken.
    cut: Vec<u64>,
    /// Per column: the outcome taken otherwise.
    alias: Vec<u32>,
}

impl Alias {
    /// A table over outcomes with weights `weights` (negative weights count as zero; all zero,
    /// or none: the last outcome always, as `sampler`'s cumulative picks do).
    pub fn new(weights: &[f64]) -> Alias {
        let n = weights.len().max(1);
        let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
        let mut p: Vec<f64> = if total > 0.0 {
            weights
                .iter()
                .map(|w| w.max(0.0) * n as f64 / total)
                .collect()
        } else {
            let mut v = vec![0.0; n];
            v[n - 1] = n as f64;
            v
        };
        let mut cut = vec![1u64 << 53; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| p[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            cut[s] = threshold(p[s]);
            alias[s] = l as u32;
            p[l] = (p[l] + p[s]) - 1.0;
            if p[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Columns left over hold (to rounding) exactly one outcome's share: their own.
        Alias { cut, alias }
    }

    /// Draws an outcome with the next two words of `w`: a column, then own or alias.
    #[inline]
    pub fn draw(&self, w: &mut Words) -> usize {
        let col = ((u128::from(w.word()) * self.cut.len() as u128) >> 64) as usize;
        let own = w.bits53() < self.cut[col];
        if own {
            col
        } else {
            self.alias[col] as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_weights() {
        let weights = [0.5, 0.0, 2.0, 1.0, 0.25, 0.25];
        let table = Alias::new(&weights);
        let n = 400_000u32;
        let mut counts = [0u32; 6];
        for k in 0..n {
            counts[table.draw(&mut Words::new(17, k))] += 1;
        }
        assert_eq!(counts[1], 0, "an outcome of weight zero is never drawn");
        let total: f64 = weights.iter().sum();
        let chi2: f64 = weights
            .iter()
            .zip(counts)
            .filter(|(w, _)| **w > 0.0)
            .map(|(w, c)| {
                let e = f64::from(n) * w / total;
                (f64::from(c) - e).powi(2) / e
            })
            .sum();
        // 4 degrees of freedom: the 99.9th percentile is 18.5.
        assert!(chi2 < 18.5, "chi-square {chi2}, counts {counts:?}");
    }

    #[test]
    fn all_zero_weights_give_the_last_outcome() {
        let table = Alias::new(&[0.0, -1.0, 0.0]);
        assert!((0..1000).all(|k| table.draw(&mut Words::new(3, k)) == 2));
        let one = Alias::new(&[4.0]);
        assert_eq!(one.draw(&mut Words::new(3, 0)), 0);
    }
}
