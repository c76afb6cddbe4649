//! The Monte Carlo step's view of one year's transition tables: a family's row is the sum of three
//! table lookups (no clamping), and its 53-bit draw is compared with integer thresholds that give
//! exactly the decisions of comparing the uniform `bits / 2^53` with the cumulative probabilities.

use super::tables::Tables;

/// Ages and months in a state are looked up for every `u16`, so no clamping is needed.
const ALL_U16: usize = 1 << 16;

/// A row: the threshold of any move at all (0 for a row without moves) and where its entries are.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub threshold: u64,
    pub start: u32,
    pub len: u32,
}

/// One possible move: a draw below `threshold` (and at or above the previous entry's) takes it.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub threshold: u64,
    pub dest: u16,
    pub cost: u16,
    pub tag: u16,
}

/// The threshold of cumulative probability `p`: for an integer `n`, `n < threshold` exactly when
/// `n / 2^53 < p` (scaling by 2^53 is exact, so this is the ceiling of `p * 2^53`).
pub(crate) fn threshold(p: f64) -> u64 {
    (p * (1u64 << 53) as f64).ceil() as u64
}

/// Row lookups for one year.
pub struct Lookup {
    n_groups: usize,
    /// First row of each (state, group).
    state_group: Vec<u32>,
    /// Row offset of each age in months (its age band times the duration bands).
    age: Box<[u32; ALL_U16]>,
    /// Duration band of each number of months in a state (held at the tables' cap).
    dur: Box<[u8; ALL_U16]>,
    pub rows: Vec<Row>,
    pub entries: Vec<Entry>,
}

impl Lookup {
    pub fn new(t: &Tables) -> Lookup {
        let n_sg = t.rows.len() / (t.n_age * t.n_dur).max(1);
        let age_row = |band: &u8| u32::from(*band) * t.n_dur as u32;
        Lookup {
            n_groups: t.n_groups,
            state_group: (0..n_sg).map(|k| (k * t.n_age * t.n_dur) as u32).collect(),
            age: every_u16(t.age_band_of.iter().map(age_row)),
            dur: every_u16(t.dur_band_of.iter().copied()),
            rows: t
                .rows
                .iter()
                .map(|r| Row {
                    threshold: if r.len == 0 { 0 } else { threshold(r.total) },
                    start: r.start,
                    len: r.len,
                })
                .collect(),
            entries: t
                .entries
                .iter()
                .map(|e| Entry {
                    threshold: threshold(e.cum),
                    dest: e.dest,
                    cost: e.cost,
                    tag: e.tag,
                })
                .collect(),
        }
    }

    /// The row of a family in `state` and `group`, aged `age` months, `dur` months in the state.
    #[inline]
    pub fn row(&self, state: u16, group: u8, age: u16, dur: u16) -> &Row {
        let sg = self.state_group[state as usize * self.n_groups + group as usize];
        &self.rows[(sg + self.age[age as usize] + u32::from(self.dur[dur as usize])) as usize]
    }

    /// The move a draw `bits` (below 2^53) takes from `row`, if any.
    #[inline]
    pub fn pick(&self, row: &Row, bits: u64) -> Option<&Entry> {
        if bits >= row.threshold {
            return None;
        }
        self.entries[row.start as usize..(row.start + row.len) as usize]
            .iter()
            .find(|e| bits < e.threshold)
    }
}

/// A table of every `u16`: `values` for the first ones, then the last value repeated (the
/// tables hold ages and durations past their last band in it).
fn every_u16<T: Copy + Default + std::fmt::Debug>(
    values: impl Iterator<Item = T>,
) -> Box<[T; ALL_U16]> {
    let mut v: Vec<T> = values.take(ALL_U16).collect();
    let last = v.last().copied().unwrap_or_default();
    v.resize(ALL_U16, last);
    v.into_boxed_slice().try_into().expect("one value per u16")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_thresholds_give_the_same_decisions_as_the_uniform() {
        let scale = (1u64 << 53) as f64;
        for p in [0.0, 1e-300, 0.1, 0.25, 0.3, 1.0 - 1e-16, 1.0] {
            let t = threshold(p);
            for n in [t.saturating_sub(1), t, t + 1, 0, (1 << 53) - 1] {
                if n < 1 << 53 {
                    assert_eq!(n < t, (n as f64 / scale) < p, "p {p} n {n}");
                }
            }
        }
    }

    #[test]
    fn tables_of_every_u16_hold_the_last_value() {
        let t: Box<[u8; ALL_U16]> = every_u16([3u8, 4, 5].into_iter());
        assert_eq!((t[0], t[2], t[3], t[ALL_U16 - 1]), (3, 5, 5, 5));
    }
}
