//! Families entering a state during the cohort step (`Entrants`): the grid is updated in place,
//! so moves into a state's month-0 vectors are gathered here and written into the grid once
//! every state has moved its own month-0 families on. Moves into a pool of states (`pools`) are
//! gathered once for the pool and shared out among its states when they settle.

use super::grid::Grid;
use super::mass::{Mass, Real};
use super::pools::Pools;

/// Next month's month-0, not-waiting age vector of every (state, group).
#[derive(Debug, Clone)]
pub struct Entrants {
    pub mass: Mass,
    /// Where state `s`'s vectors start; group `g`'s follows at `g * n_age`.
    offset: Vec<usize>,
    /// This year's pools.
    pub pools: Pools,
    /// Each pool's age vector of every group (laid out as a state's), in `pooled`.
    pub pooled: Mass,
    pool_offset: Vec<usize>,
    /// Each pool's probability in the row being moved out (`step::move_out`).
    pub row_p: Vec<f64>,
}

impl Entrants {
    /// No entrants, with room for every state of `grid`.
    pub fn new(grid: &Grid) -> Entrants {
        let mut offset = Vec::with_capacity(grid.states.len());
        let mut len = 0;
        for sc in &grid.states {
            offset.push(len);
            len += grid.n_groups * sc.n_age;
        }
        Entrants {
            mass: Mass::zeros(len),
            offset,
            pools: Pools::default(),
            pooled: Mass::zeros(0),
            pool_offset: Vec::new(),
            row_p: Vec::new(),
        }
    }

    /// Uses `pools` from now on (pooled entrants are always empty between months).
    pub fn set_pools(&mut self, grid: &Grid, pools: Pools) {
        self.pool_offset.clear();
        let mut len = 0;
        for (members, _) in &pools.members {
            self.pool_offset.push(len);
            len += grid.n_groups * grid.states[members[0].0].n_age;
        }
        self.pooled = Mass::zeros(len);
        self.row_p = vec![0.0; pools.members.len()];
        self.pools = pools;
    }

    /// The cells of pool `q`'s age vector of group `g`.
    #[inline]
    pub fn pool_ages(&self, grid: &Grid, q: usize, g: usize) -> std::ops::Range<usize> {
        let n = grid.states[self.pools.members[q].0[0].0].n_age;
        let at = self.pool_offset[q] + g * n;
        at..at + n
    }

    /// The cells of the age vector of state `s`, group `g`.
    #[inline]
    pub fn ages(&self, grid: &Grid, s: usize, g: usize) -> std::ops::Range<usize> {
        let n = grid.states[s].n_age;
        let at = self.offset[s] + g * n;
        at..at + n
    }

    /// Writes the entrants into the month-0 vectors of `m` and empties them. In states tracked
    /// past month 0 the month-0 vectors (waiting or not) held last month's families, who have
    /// moved on, so they are replaced; in single-cell states they hold the families who stayed,
    /// so the entrants are added.
    #[inline(always)]
    pub fn settle(&mut self, grid: &Grid, m: &mut Mass) {
        // Pooled entrants first, each state taking its share.
        for q in 0..self.pools.members.len() {
            for g in 0..grid.n_groups {
                let from = self.pool_ages(grid, q, g);
                for k in 0..self.pools.members[q].0.len() {
                    let (t, w) = self.pools.members[q].0[k];
                    let w = w as Real;
                    let to = self.ages(grid, t, g);
                    for (dst, src) in self.mass.parts_mut().into_iter().zip(self.pooled.parts()) {
                        for (x, &v) in dst[to.clone()].iter_mut().zip(&src[from.clone()]) {
                            *x += w * v;
                        }
                    }
                }
            }
        }
        for v in self.pooled.parts_mut() {
            v.fill(0.0);
        }
        for (s, sc) in grid.states.iter().enumerate() {
            for g in 0..grid.n_groups {
                let from = self.ages(grid, s, g);
                let to = grid.ages(s, g, 0, 0);
                let (to, wait) = (to..to + sc.n_age, to + sc.n_age..to + sc.n_wait * sc.n_age);
                for (dst, src) in [
                    (&mut m.fam, &mut self.mass.fam),
                    (&mut m.ch, &mut self.mass.ch),
                    (&mut m.had_plan, &mut self.mass.had_plan),
                ] {
                    if sc.n_dur > 1 {
                        dst[to.clone()].copy_from_slice(&src[from.clone()]);
                        dst[wait.clone()].fill(0.0);
                    } else {
                        for (x, &v) in dst[to.clone()].iter_mut().zip(&src[from.clone()]) {
                            *x += v;
                        }
                    }
                    src[from.clone()].fill(0.0);
                }
            }
        }
    }
}
