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
    /// Each row's threshold on its own (8 bytes a row), for `Scan`.
    thresholds: Vec<u64>,
    pub entries: Vec<Entry>,
}

/// States are looked up in `Scan` with this mask, so its state table needs no bounds check; the
/// scenario limit of 1,000 states leaves the slot where holes (state `EXIT`) land unused.
const STATE_SLOTS: usize = 1024;
const _: () = assert!(crate::engine::tables::EXIT as usize % STATE_SLOTS == STATE_SLOTS - 1);
const _: () = assert!(crate::scenario::validate::MAX_STATES < STATE_SLOTS);

/// What a scan of many families needs to tell, without branching, which of them may change in
/// a month of one year (see `Scan::row`): per state its first row and age-out age, and the row
/// lookups and thresholds of the year's `Lookup`.
pub struct Scan<'a> {
    /// By state (masked): first row of (state, group 0) in the low 32 bits, age-out age in months
    /// in the high 32 bits (0 for holes, so a hole is always at its age-out age).
    state: Box<[u64; STATE_SLOTS]>,
    /// Rows per group within a state.
    group_rows: u32,
    age: &'a [u32; ALL_U16],
    dur: &'a [u8; ALL_U16],
    thresholds: &'a [u64],
}

impl Scan<'_> {
    /// The scan of `lookup`'s year, with each state's age-out age in months (`age_out`).
    pub fn new(lookup: &Lookup, age_out: impl Iterator<Item = u32>) -> Scan<'_> {
        let mut state = Box::new([0u64; STATE_SLOTS]);
        for (s, ao) in age_out.enumerate() {
            let first = lookup.state_group[s * lookup.n_groups];
            state[s % STATE_SLOTS] = (u64::from(ao) << 32) | u64::from(first);
        }
        let group_rows = match lookup.state_group.as_slice() {
            [a, b, ..] if lookup.n_groups > 1 => b - a,
            _ => 0,
        };
        Scan {
            state,
            group_rows,
            age: &lookup.age,
            dur: &lookup.dur,
            thresholds: &lookup.thresholds,
        }
    }

    /// The row (an index into `Lookup::rows`) of a family in `state` (or a hole, `EXIT`, with any
    /// other values) and `group`, aged `age` months, `dur` months in the state; and whether the
    /// family may change: a hole, a family at or past its state's age-out age, or a `draw` below
    /// the row's threshold (a move, or a request for a place).
    #[inline(always)]
    pub fn row(&self, state: u16, group: u8, age: u16, dur: u16, draw: u64) -> (u32, bool) {
        let st = self.state[state as usize % STATE_SLOTS];
        let r = (st as u32)
            + u32::from(group) * self.group_rows
            + self.age[age as usize]
            + u32::from(self.dur[dur as usize]);
        let threshold = self.thresholds.get(r as usize).copied().unwrap_or(0);
        let aged = u32::from(age) >= (st >> 32) as u32;
        (r, aged | (draw < threshold))
    }
}

impl Lookup {
    pub fn new(t: &Tables) -> Lookup {
        let n_sg = t.rows.len() / (t.n_age * t.n_dur).max(1);
        let age_row = |band: &u8| u32::from(*band) * t.n_dur as u32;
        let rows: Vec<Row> = t
            .rows
            .iter()
            .map(|r| Row {
                threshold: if r.len == 0 { 0 } else { threshold(r.total) },
                start: r.start,
                len: r.len,
            })
            .collect();
        Lookup {
            n_groups: t.n_groups,
            thresholds: rows.iter().map(|r| r.threshold).collect(),
            rows,
            state_group: (0..n_sg).map(|k| (k * t.n_age * t.n_dur) as u32).collect(),
            age: every_u16(t.age_band_of.iter().map(age_row)),
            dur: every_u16(t.dur_band_of.iter().copied()),
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
    fn a_scan_finds_the_tables_rows_and_lists_exactly_the_families_that_may_change() {
        use crate::engine::tables::{Tables, EXIT};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.json");
        let model = crate::scenario::load_model(path.as_ref()).expect("baseline loads");
        let values = model.params.draw(7).expect("parameters draw");
        let t = Tables::build(&model, &values, 3).expect("tables build");
        let lk = Lookup::new(&t);
        let age_out: Vec<u32> = model.states.iter().map(|s| s.age_out_months).collect();
        let scan = Scan::new(&lk, age_out.iter().copied());
        let (mut listed_n, mut unlisted_n) = (0, 0);
        for (s, &ao) in age_out.iter().enumerate() {
            for g in 0..model.groups.len() {
                for age in [0u16, 1, 59, 60, 61, 191, 192, 215, 216, 217, 400] {
                    for dur in [0u16, 1, 2, 3, 5, 6, 11, 12, 23, 24, 25, 700] {
                        let r = t.row(s, g, age, dur);
                        let th = lk.rows[r].threshold;
                        let draws = [0, th.saturating_sub(1), th, th + 1, (1 << 53) - 1];
                        for draw in draws {
                            let (got, listed) = scan.row(s as u16, g as u8, age, dur, draw);
                            assert_eq!(got as usize, r, "state {s} group {g} age {age} dur {dur}");
                            let want = u32::from(age) >= ao || draw < th;
                            assert_eq!(listed, want, "state {s} age {age} draw {draw}");
                            if listed {
                                listed_n += 1;
                            } else {
                                unlisted_n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(listed_n > 0 && unlisted_n > 0);
        // A hole is always listed, whatever its last family's columns say.
        for (g, age, dur) in [(0u8, 0u16, 0u16), (2, 100, 5), (1, 700, 700)] {
            assert!(scan.row(EXIT, g, age, dur, (1 << 53) - 1).1);
        }
    }

    #[test]
    fn tables_of_every_u16_hold_the_last_value() {
        let t: Box<[u8; ALL_U16]> = every_u16([3u8, 4, 5].into_iter());
        assert_eq!((t[0], t[2], t[3], t[ALL_U16 - 1]), (3, 5, 5, 5));
    }
}
