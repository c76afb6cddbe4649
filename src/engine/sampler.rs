//! Profiles of new families (group, children, age and months-in-state bands) with their shares
//! evaluated for one run, and draws from them with counter-based `rng::Words`: the number of
//! children by its cumulative shares, then (group, age in months) from one alias table.

use super::alias::Alias;
use crate::rng::Words;
use crate::scenario::model::{Band, Profile};

/// A profile with its shares evaluated for one run, ready to sample from.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// (group, age in months) of each outcome of `group_age`.
    outcomes: Vec<(u8, u16)>,
    group_age: Alias,
    children: Vec<(u8, f64)>,
    children_cum: Vec<f64>,
}

/// Evaluated bands: (lo, hi) with their cumulative shares.
#[derive(Debug, Clone)]
pub struct Bands {
    ranges: Vec<(u32, u32)>,
    cum: Vec<f64>,
}

/// Cumulative, normalised weights.
fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = weights
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect();
    if acc > 0.0 {
        out.iter_mut().for_each(|x| *x /= acc);
    }
    out
}

/// The first index whose cumulative share exceeds `u` (the last if none does). Counting the
/// shares at or below `u` gives the same index (they are sorted) without a data-dependent branch.
fn pick(cum: &[f64], u: f64) -> usize {
    cum.iter()
        .map(|&c| usize::from(c <= u))
        .sum::<usize>()
        .min(cum.len().saturating_sub(1))
}

/// Evaluates bands' shares for one run.
pub fn eval_bands(bands: &[Band], values: &[f64]) -> Result<Bands, String> {
    let shares: Vec<f64> = bands
        .iter()
        .map(|b| b.share.eval(values).map_err(|e| e.0))
        .collect::<Result<_, _>>()?;
    Ok(Bands {
        ranges: bands.iter().map(|b| (b.lo, b.hi)).collect(),
        cum: cumulative(shares.into_iter()),
    })
}

/// Draws a value uniformly within a band chosen by share; `unit` converts band units to months.
#[inline]
pub fn draw_band(bands: &Bands, unit: u32, w: &mut Words) -> u32 {
    let (lo, hi) = bands.ranges[pick(&bands.cum, w.uniform())];
    let span = (hi - lo) * unit;
    lo * unit + w.below(span.max(1))
}

/// Normalised non-negative shares; all zero (or negative) puts everything on the last, as the
/// cumulative picks do.
fn shares(weights: Vec<f64>) -> Vec<f64> {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    let n = weights.len();
    weights
        .into_iter()
        .enumerate()
        .map(|(i, w)| match total > 0.0 {
            true => w.max(0.0) / total,
            false => f64::from(i + 1 == n),
        })
        .collect()
}

impl Sampler {
    /// The sampler of profile `p` under parameter `values`, for families younger than
    /// `max_age_months` (older draws are held at the last month below it).
    pub fn new(p: &Profile, values: &[f64], max_age_months: u32) -> Result<Sampler, String> {
        let eval = |e: &crate::scenario::expr::Expr| e.eval(values).map_err(|e| e.0);
        let groups = shares(p.group_shares.iter().map(eval).collect::<Result<_, _>>()?);
        let bands = shares(
            p.age
                .iter()
                .map(|b| eval(&b.share))
                .collect::<Result<_, _>>()?,
        );
        // Each band's share spread evenly over its months, clamped below the age limit.
        let limit = max_age_months.max(1);
        let mut ages: Vec<f64> = Vec::new();
        for (b, sh) in p.age.iter().zip(&bands) {
            let span = ((b.hi - b.lo) * 12).max(1);
            for k in 0..span {
                let m = (b.lo * 12 + k).min(limit - 1) as usize;
                if ages.len() <= m {
                    ages.resize(m + 1, 0.0);
                }
                ages[m] += sh / f64::from(span);
            }
        }
        let mut outcomes = Vec::with_capacity(groups.len() * ages.len());
        let mut weights = Vec::with_capacity(groups.len() * ages.len());
        for (g, sg) in groups.iter().enumerate() {
            for (a, sa) in ages.iter().enumerate() {
                if sg * sa > 0.0 {
                    outcomes.push((g as u8, a as u16));
                    weights.push(sg * sa);
                }
            }
        }
        if outcomes.is_empty() {
            outcomes.push((
                groups.len().saturating_sub(1) as u8,
                ages.len().saturating_sub(1) as u16,
            ));
            weights.push(1.0);
        }
        let ch: Vec<f64> = p
            .children
            .iter()
            .map(|(_, e)| eval(e))
            .collect::<Result<_, _>>()?;
        let cum = cumulative(ch.into_iter());
        Ok(Sampler {
            group_age: Alias::new(&weights),
            outcomes,
            children: p
                .children
                .iter()
                .map(|(n, _)| *n)
                .zip(cum.iter().copied())
                .collect(),
            children_cum: cum,
        })
    }

    /// Mean children per family.
    pub fn mean_children(&self) -> f64 {
        let mut prev = 0.0;
        self.children
            .iter()
            .map(|(n, c)| {
                let p = c - prev;
                prev = *c;
                f64::from(*n) * p
            })
            .sum()
    }

    /// The number of children: the first draw of `w`, so it can be drawn on its own first.
    pub fn children(&self, w: &mut Words) -> u8 {
        self.children[pick(&self.children_cum, w.uniform())].0
    }

    /// Draws (group, children, age in months).
    #[inline]
    pub fn draw(&self, w: &mut Words) -> (u8, u8, u16) {
        let children = self.children(w);
        let (group, age) = self.outcomes[self.group_age.draw(w)];
        (group, children, age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_normalises() {
        assert_eq!(
            cumulative([1.0, 1.0, 2.0].into_iter()),
            vec![0.25, 0.5, 1.0]
        );
        assert_eq!(pick(&[0.25, 0.5, 1.0], 0.3), 1);
        assert_eq!(pick(&[0.25, 0.5, 1.0], 0.99), 2);
        assert_eq!(pick(&[0.25, 0.25, 1.0], 0.25), 2);
        assert_eq!(pick(&[0.5, 1.0, 1.0], 0.75), 1);
        assert_eq!(pick(&[0.0, 0.0], 0.5), 1);
    }
}
