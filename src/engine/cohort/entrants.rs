//! Families entering a state during the cohort step (`Entrants`): the grid is updated in place,
//! so moves into a state's month-0 vectors are gathered here and written into the grid once
//! every state has moved its own month-0 families on.

use super::grid::Grid;
use super::mass::Mass;

/// Next month's month-0, not-waiting age vector of every (state, group).
#[derive(Debug, Clone)]
pub struct Entrants {
    pub mass: Mass,
    /// Where state `s`'s vectors start; group `g`'s follows at `g * n_age`.
    offset: Vec<usize>,
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
        }
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
    pub fn settle(&mut self, grid: &Grid, m: &mut Mass) {
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
