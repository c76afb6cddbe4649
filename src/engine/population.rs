//! The families alive in one run, stored as columns, and how new and initial families are drawn.

use crate::scenario::model::{Band, Profile};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Marks a family that is not waiting for a family-help place.
pub const NOT_WAITING: u16 = u16::MAX;

/// Families as columns (structure of arrays); index `i` across all columns is one family.
#[derive(Debug, Default, Clone)]
pub struct Families {
    pub id: Vec<u32>,
    pub state: Vec<u16>,
    pub group: Vec<u8>,
    pub children: Vec<u8>,
    /// Age of the index child in months.
    pub age: Vec<u16>,
    /// Months in the current state (held at the tables' cap).
    pub dur: Vec<u16>,
    /// Month the family started waiting for a family-help place, or `NOT_WAITING`.
    pub wait_since: Vec<u16>,
    /// What the family has been through (`HAD_PLAN`).
    pub history: Vec<u8>,
    next_id: u32,
}

/// History bit: the family has had a child protection plan.
pub const HAD_PLAN: u8 = 1;

/// A family's attributes when it is created.
#[derive(Debug, Clone, Copy)]
pub struct NewFamily {
    pub state: u16,
    pub group: u8,
    pub children: u8,
    pub age: u16,
    pub dur: u16,
    pub history: u8,
}

impl Families {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Adds a family with the next id.
    pub fn push(&mut self, f: NewFamily) {
        self.id.push(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        self.state.push(f.state);
        self.group.push(f.group);
        self.children.push(f.children);
        self.age.push(f.age);
        self.dur.push(f.dur);
        self.wait_since.push(NOT_WAITING);
        self.history.push(f.history);
    }

    /// Removes the families at `sorted` indices (ascending), moving the last family into each
    /// hole: O(removed), and deterministic (results never depend on the order families are stored).
    pub fn remove_sorted(&mut self, sorted: &[u32]) {
        for &i in sorted.iter().rev() {
            let i = i as usize;
            self.id.swap_remove(i);
            self.state.swap_remove(i);
            self.group.swap_remove(i);
            self.children.swap_remove(i);
            self.age.swap_remove(i);
            self.dur.swap_remove(i);
            self.wait_since.swap_remove(i);
            self.history.swap_remove(i);
        }
    }

    /// Splits the columns into chunks of `size` families, for stepping chunks in parallel.
    pub fn chunks_mut(&mut self, size: usize) -> Vec<FamilyChunk<'_>> {
        let mut out = Vec::with_capacity(self.len().div_ceil(size.max(1)));
        let size = size.max(1);
        let cols = self
            .id
            .chunks(size)
            .zip(self.state.chunks_mut(size))
            .zip(self.group.chunks(size))
            .zip(self.children.chunks(size))
            .zip(self.age.chunks_mut(size))
            .zip(self.dur.chunks_mut(size))
            .zip(self.wait_since.chunks_mut(size))
            .zip(self.history.chunks_mut(size));
        for (k, (((((((id, state), group), children), age), dur), wait_since), history)) in
            cols.enumerate()
        {
            out.push(FamilyChunk {
                offset: k * size,
                id,
                state,
                group,
                children,
                age,
                dur,
                wait_since,
                history,
            });
        }
        out
    }
}

/// A contiguous run of families, as slices of each column.
#[derive(Debug)]
pub struct FamilyChunk<'a> {
    /// Index of the chunk's first family in the whole store.
    pub offset: usize,
    pub id: &'a [u32],
    pub state: &'a mut [u16],
    pub group: &'a [u8],
    pub children: &'a [u8],
    pub age: &'a mut [u16],
    pub dur: &'a mut [u16],
    pub wait_since: &'a mut [u16],
    pub history: &'a mut [u8],
}

/// A profile with its shares evaluated for one run, ready to sample from.
#[derive(Debug, Clone)]
pub struct Sampler {
    groups: Vec<f64>,
    ages: Bands,
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

fn pick(cum: &[f64], u: f64) -> usize {
    cum.iter()
        .position(|&c| u < c)
        .unwrap_or(cum.len().saturating_sub(1))
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
pub fn draw_band(bands: &Bands, unit: u32, rng: &mut ChaCha8Rng) -> u32 {
    let (lo, hi) = bands.ranges[pick(&bands.cum, rng.random())];
    let span = (hi - lo) * unit;
    lo * unit + rng.random_range(0..span.max(1))
}

impl Sampler {
    pub fn new(p: &Profile, values: &[f64]) -> Result<Sampler, String> {
        let groups = cumulative(
            p.group_shares
                .iter()
                .map(|e| e.eval(values).map_err(|e| e.0))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter(),
        );
        let ch: Vec<f64> = p
            .children
            .iter()
            .map(|(_, e)| e.eval(values).map_err(|e| e.0))
            .collect::<Result<_, _>>()?;
        let cum = cumulative(ch.into_iter());
        Ok(Sampler {
            groups,
            ages: eval_bands(&p.age, values)?,
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

    /// Draws (group, children, age in months).
    pub fn draw(&self, rng: &mut ChaCha8Rng, max_age_months: u32) -> (u8, u8, u16) {
        let group = pick(&self.groups, rng.random()) as u8;
        let children = self.children[pick(&self.children_cum, rng.random())].0;
        let age = draw_band(&self.ages, 12, rng).min(max_age_months.saturating_sub(1));
        (group, children, age as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_and_chunks_keep_columns_aligned() {
        let mut f = Families::default();
        for k in 0..5u8 {
            f.push(NewFamily {
                state: u16::from(k),
                group: k,
                children: k + 1,
                age: u16::from(k) * 10,
                dur: 0,
                history: k % 2,
            });
        }
        f.remove_sorted(&[1, 3]);
        assert_eq!(f.id, vec![0, 4, 2]);
        assert_eq!(f.state, vec![0, 4, 2]);
        assert_eq!(f.children, vec![1, 5, 3]);
        assert_eq!(f.age, vec![0, 40, 20]);
        assert_eq!(f.history, vec![0, 0, 0]);
        f.push(NewFamily {
            state: 9,
            group: 0,
            children: 1,
            age: 0,
            dur: 0,
            history: HAD_PLAN,
        });
        assert_eq!(f.history, vec![0, 0, 0, HAD_PLAN]);
        assert_eq!(f.id, vec![0, 4, 2, 5]);
        let chunks = f.chunks_mut(3);
        assert_eq!(chunks.len(), 2);
        assert_eq!((chunks[1].offset, chunks[1].id), (3, &[5u32][..]));
        assert_eq!(chunks[0].state, &[0, 4, 2]);
    }

    #[test]
    fn cumulative_normalises() {
        assert_eq!(
            cumulative([1.0, 1.0, 2.0].into_iter()),
            vec![0.25, 0.5, 1.0]
        );
        assert_eq!(pick(&[0.25, 0.5, 1.0], 0.3), 1);
        assert_eq!(pick(&[0.25, 0.5, 1.0], 0.99), 2);
    }
}
