//! Which tunnel states the cohort engine holds as delay lines (`delay`) this year, and their
//! families as the rest of the engine reads them. A state is held when it has no waiting flag,
//! several months-in-state cells and one run of ages this year, its families leave the grid's
//! last age cell and never age out into family help, and it is neither family help nor need
//! (whose cells `places` reads). Its segments are this year's runs of months, the absorbing month
//! split off; when they change from one year to the next the state is written back into the grid
//! and taken from it again.

use super::delay::Seg;
use super::grid::{Grid, Runs};
use super::mass::Mass;
use super::sum::sum;
use crate::scenario::model::{Dest, Model};

/// The states held as delay lines, by state and group.
#[derive(Debug, Clone)]
pub struct Lines {
    /// States that may be held here: tunnel states with no waiting flag whose families age out
    /// of the grid's last age cell and never into family help, other than family help and need.
    candidate: Vec<bool>,
    /// Segments of each group of each state; empty where the state is held in the grid.
    segs: Vec<Vec<Vec<Seg>>>,
    /// Row offset of each held state's one age run from the row of age 0, this year.
    age_row: Vec<usize>,
}

impl Lines {
    /// No state held yet.
    pub fn new(model: &Model, grid: &Grid) -> Lines {
        let cap = model.capacity_state;
        let candidate: Vec<bool> = grid
            .states
            .iter()
            .enumerate()
            .map(|(s, sc)| {
                sc.n_wait == 1
                    && sc.n_dur > 1
                    && sc.n_age >= 2
                    && sc.live_ages() + 1 == sc.n_age
                    && s != cap
                    && s != model.need_state
                    && (0..model.years).all(|y| model.age_out_to(s, y) != Dest::State(cap))
            })
            .collect();
        Lines::with_candidates(candidate)
    }

    /// No state held yet; state `s` may be held where `candidate[s]`.
    fn with_candidates(candidate: Vec<bool>) -> Lines {
        let n = candidate.len();
        Lines {
            candidate,
            segs: vec![Vec::new(); n],
            age_row: vec![0; n],
        }
    }

    /// Whether state `s` is held here.
    #[inline]
    pub fn held(&self, s: usize) -> bool {
        !self.segs[s].is_empty()
    }

    /// The segments of state `s`, group `g`, and the row offset of the state's age run.
    pub fn group_mut(&mut self, s: usize, g: usize) -> (&mut [Seg], usize) {
        (&mut self.segs[s][g], self.age_row[s])
    }

    /// Fits the states to this year's `runs`: a candidate whose runs are one run of ages is held
    /// as segments of its runs of months (the absorbing month alone); a state whose segments
    /// change is first written back into the grid `m`.
    pub fn fit(&mut self, grid: &Grid, runs: &Runs, m: &mut Mass) {
        for s in 0..grid.states.len() {
            if !self.candidate[s] {
                continue;
            }
            let plan = plan(grid, runs, s);
            let same = match (&plan, self.segs[s].first()) {
                (Some(p), Some(segs)) => {
                    p.len() == segs.len()
                        && p.iter()
                            .zip(segs)
                            .all(|(&(d0, d1, _), x)| (d0, d1) == (x.d0, x.d1))
                }
                (None, None) => true,
                _ => false,
            };
            if !same {
                self.unload(grid, s, m);
            }
            let Some(plan) = plan else { continue };
            self.age_row[s] = runs.age[s][0].2;
            if same {
                for segs in &mut self.segs[s] {
                    for (x, &(_, _, dr)) in segs.iter_mut().zip(&plan) {
                        x.dr = dr;
                    }
                }
            } else {
                self.load(grid, s, &plan, m);
            }
        }
    }

    /// Holds state `s` as segments `plan`, taking its cells past month 0 from the grid.
    fn load(&mut self, grid: &Grid, s: usize, plan: &[(usize, usize, usize)], m: &mut Mass) {
        let sc = &grid.states[s];
        let na = sc.n_age;
        for g in 0..grid.n_groups {
            let segs: Vec<Seg> = plan
                .iter()
                .map(|&run| {
                    let mut x = Seg::new(run, na, run.1 == sc.n_dur);
                    x.load(grid, m, s, g);
                    x
                })
                .collect();
            let from = grid.ages(s, g, 1, 0);
            let to = grid.ages(s, g, sc.n_dur - 1, 0) + na;
            for v in m.parts_mut() {
                v[from..to].fill(0.0);
            }
            self.segs[s].push(segs);
        }
    }

    /// Moves every held state back into the grid's cells.
    pub fn unload_all(&mut self, grid: &Grid, m: &mut Mass) {
        for s in 0..self.segs.len() {
            self.unload(grid, s, m);
        }
    }

    /// Writes state `s` back into the grid and stops holding it.
    fn unload(&mut self, grid: &Grid, s: usize, m: &mut Mass) {
        for (g, segs) in self.segs[s].iter().enumerate() {
            for x in segs {
                x.unload(grid, m, s, g);
            }
        }
        self.segs[s].clear();
    }

    /// Adds the children and families of state `s`, group `g` held here to `ch` and `fam`, by
    /// age cell.
    pub fn add_ages(&self, s: usize, g: usize, ch: &mut [f64], fam: &mut [f64]) {
        if let Some(segs) = self.segs[s].get(g) {
            for x in segs {
                ch.iter_mut()
                    .zip(&x.r.ch)
                    .for_each(|(a, &b)| *a += f64::from(b));
                fam.iter_mut()
                    .zip(&x.r.fam)
                    .for_each(|(a, &b)| *a += f64::from(b));
            }
        }
    }

    /// Children and families of state `s` held here.
    pub fn totals(&self, s: usize) -> (f64, f64) {
        let (mut ch, mut fam) = (0.0, 0.0);
        for x in self.segs[s].iter().flatten() {
            ch += sum(&x.r.ch);
            fam += sum(&x.r.fam);
        }
        (ch, fam)
    }
}

/// This year's segments of state `s`, when its runs have one run of ages: its runs of months,
/// the absorbing month split off.
fn plan(grid: &Grid, runs: &Runs, s: usize) -> Option<Vec<(usize, usize, usize)>> {
    let sc = &grid.states[s];
    match runs.age[s].as_slice() {
        [(0, a1, _)] if *a1 == sc.live_ages() => {}
        _ => return None,
    }
    let mut out = Vec::with_capacity(runs.dur[s].len() + 1);
    for &(d0, d1, dr) in &runs.dur[s] {
        if d1 == sc.n_dur && d1 - d0 > 1 {
            out.extend([(d0, d1 - 1, dr), (d1 - 1, d1, dr)]);
        } else {
            out.push((d0, d1, dr));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cohort::grid::StateCells;
    use crate::engine::cohort::mass::Real;

    const NA: usize = 10;
    const ND: usize = 7;

    fn grid() -> Grid {
        let state = StateCells {
            offset: 0,
            n_age: NA,
            n_dur: ND,
            n_wait: 1,
            age_out_months: NA as u32 - 1,
            age_out_to: Dest::Exit,
        };
        Grid {
            n_groups: 1,
            age_unit: 1,
            states: vec![state],
            len: NA * ND,
        }
    }

    /// Some mass in every cell (children, families and marked children told apart).
    fn filled(seed: u64, n: usize) -> Mass {
        let mut m = Mass::zeros(n);
        let mut x = seed;
        for i in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let f = (x >> 11) as f64 / (1u64 << 53) as f64;
            m.add(i, f, 1.0 + 2.0 * f, 0.5 * f);
        }
        m
    }

    fn runs(dur: &[(usize, usize, usize)], ages: usize) -> Runs {
        let age = (0..ages).map(|k| (k, if k + 1 == ages { NA - 1 } else { k + 1 }, k));
        Runs {
            dur: vec![dur.to_vec()],
            age: vec![age.collect()],
        }
    }

    /// One month of the grid step, cell by cell: stays `p[row offset]`, new month 0 `entering`.
    fn reference(m: &mut Mass, dur: &[(usize, usize, usize)], p: &[f64], entering: &Mass) {
        for (v, e) in m.parts_mut().into_iter().zip(entering.parts()) {
            let old = v.clone();
            v.fill(0.0);
            for &(d0, d1, dr) in dur {
                for d in d0..d1 {
                    let to = (d + 1).min(ND - 1);
                    for a in 0..NA - 1 {
                        v[to * NA + a + 1] += p[dr] as Real * old[d * NA + a];
                    }
                }
            }
            v[..NA].copy_from_slice(&e[..NA]);
        }
    }

    /// Largest relative difference between per-age sums over months of `want` and what `lines`
    /// and the grid `m` hold.
    fn worst(lines: &Lines, m: &Mass, want: &Mass) -> f64 {
        let (mut ch, mut fam) = (vec![0.0; NA], vec![0.0; NA]);
        lines.add_ages(0, 0, &mut ch, &mut fam);
        let mut w: f64 = 0.0;
        for (got, m, want) in [(&ch, &m.ch, &want.ch), (&fam, &m.fam, &want.fam)] {
            for a in 0..NA {
                let held = got[a] + (0..ND).map(|d| f64::from(m[d * NA + a])).sum::<f64>();
                let exact = (0..ND).map(|d| f64::from(want[d * NA + a])).sum::<f64>();
                w = w.max((held - exact).abs() / exact.abs().max(1e-300));
            }
        }
        w
    }

    #[test]
    fn delay_lines_move_families_as_the_cells_do_across_changes_of_runs() {
        let grid = grid();
        let mut lines = Lines::with_candidates(vec![true]);
        let mut m = filled(1, grid.len);
        let mut want = m.clone();
        let p = [0.9, 0.7, 0.8];
        let plans = [
            vec![(0, 2, 0), (2, 5, 1), (5, 7, 2)],
            vec![(0, 3, 0), (3, 4, 2), (4, 7, 1)],
        ];
        for (month, dur) in plans
            .iter()
            .cycle()
            .take(4)
            .flat_map(|d| [d; 9])
            .enumerate()
        {
            if month % 9 == 0 {
                lines.fit(&grid, &runs(dur, 1), &mut m);
                assert!(lines.held(0));
                assert!(m.fam[NA..].iter().all(|&x| x == 0.0));
            }
            let entering = filled(month as u64 + 2, NA);
            reference(&mut want, dur, &p, &entering);
            let (segs, _) = lines.group_mut(0, 0);
            for k in (0..segs.len()).rev() {
                let (lo, hi) = segs.split_at_mut(k + 1);
                if k == 0 {
                    lo[0].take_in(&m, 0);
                }
                lo[k].advance(p[lo[k].dr], NA - 1, hi.first_mut());
            }
            for (v, e) in m.parts_mut().into_iter().zip(entering.parts()) {
                v[..NA].copy_from_slice(&e[..NA]);
            }
            // Cells are `f32`: the two ways of adding up round differently, by about 1e-7.
            assert!(worst(&lines, &m, &want) < 1e-5, "month {month}");
        }
        // Two runs of ages: the state goes back into the grid, cell by cell.
        lines.fit(&grid, &runs(&plans[0], 2), &mut m);
        assert!(!lines.held(0));
        for (got, want) in m.parts().into_iter().zip(want.parts()) {
            for (x, y) in got.iter().zip(want) {
                assert!((x - y).abs() <= 1e-5 * y.abs(), "{x} {y}");
            }
        }
    }
}
