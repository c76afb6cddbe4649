//! The cohort engine's state grid: expected families and children by (state, need group, months
//! in state up to the state's last duration band, waiting flag, age in months), and the profiles
//! of initial and new families spread over it. Age is the innermost axis: each (state, group,
//! months, waiting flag) holds one contiguous vector over age, so a month's ageing is a shift by
//! one cell and a table row applies to a run of ages at once.

use crate::engine::tables::{Tables, MAX_DUR_MONTHS};
use crate::scenario::model::{Band, Dest, Model, Profile, Role};
use crate::scenario::validate::MAX_AGE_YEARS;

/// Months of age per age cell. The monthly step ages every cell by exactly one cell, so this
/// must stay one.
pub const AGE_UNIT: usize = 1;
const _: () = assert!(
    AGE_UNIT == 1,
    "the cohort step ages cells by one cell a month"
);

/// Where one state's cells sit in the grid.
#[derive(Debug, Clone)]
pub struct StateCells {
    pub offset: usize,
    /// Age cells 0 ..= the age-out cell (families in the last cell leave next month).
    pub n_age: usize,
    /// Months-in-state cells: exact months 0 .. n_dur - 1, the last one meaning "this or more".
    pub n_dur: usize,
    /// 2 when families in this state can wait for a family-help place, else 1.
    pub n_wait: usize,
    /// Age in months at which families leave, and where to.
    pub age_out_months: u32,
    pub age_out_to: Dest,
}

/// The layout of the whole grid.
#[derive(Debug, Clone)]
pub struct Grid {
    pub n_groups: usize,
    /// Months of age per age cell (divides 12, so year bands fall on cell edges).
    pub age_unit: usize,
    pub states: Vec<StateCells>,
    pub len: usize,
}

impl Grid {
    /// Builds the layout. Months-in-state are tracked exactly up to the last duration boundary of
    /// the state's own rules that a family can reach within the horizon (tunnel states).
    pub fn new(model: &Model) -> Grid {
        match &model.continues {
            None => Grid::spanning(model, &[model], model.years),
            // Families carried over from the continued scenario keep their cells: one grid for
            // both, tracking months in state as far as either scenario's rules reach.
            Some(c) => Grid::spanning(&c.model, &[&c.model, model], c.model.years + model.years),
        }
    }

    /// The layout for families starting as `first`'s `initial` stocks and moving under the
    /// rules of each of `models` in turn, `years` in all.
    fn spanning(first: &Model, models: &[&Model], years: usize) -> Grid {
        let model = *models.last().expect("at least one model");
        let n_groups = model.groups.len();
        let horizon = years as u32 * 12;
        let mut offset = 0;
        let mut states = Vec::with_capacity(model.states.len());
        for (s, st) in model.states.iter().enumerate() {
            let start_max = first
                .initial
                .iter()
                .filter(|i| i.state == s)
                .flat_map(|i| i.months.iter().map(|b| b.hi))
                .max()
                .unwrap_or(0);
            let reach = start_max + horizon;
            let mut last = 0;
            for t in models
                .iter()
                .flat_map(|m| m.transitions.iter())
                .filter(|t| t.from == s)
            {
                for p in [t.months[0], t.months[1]] {
                    if p != u32::MAX && p <= MAX_DUR_MONTHS && p <= reach {
                        last = last.max(p);
                    }
                }
            }
            // Closed cases are tracked to 12 months at least, to tell re-referrals within 12
            // months (DfE's measure) from later ones.
            if st.role == Role::Closed && reach >= 12 {
                last = last.max(12);
            }
            let can_wait = models.iter().any(|m| {
                m.states.get(s).is_some_and(|ms| {
                    s != m.capacity_state
                        && (ms.age_out_to == Dest::State(m.capacity_state)
                            || m.transitions
                                .iter()
                                .any(|t| t.from == s && t.to == Dest::State(m.capacity_state)))
                })
            });
            let age_cells = st
                .age_out_months
                .min(MAX_AGE_YEARS * 12)
                .div_ceil(AGE_UNIT as u32);
            let cells = StateCells {
                offset,
                n_age: age_cells as usize + 1,
                n_dur: last as usize + 1,
                n_wait: if can_wait { 2 } else { 1 },
                age_out_months: st.age_out_months,
                age_out_to: st.age_out_to,
            };
            offset += n_groups * cells.n_age * cells.n_dur * cells.n_wait;
            states.push(cells);
        }
        Grid {
            n_groups,
            age_unit: AGE_UNIT,
            states,
            len: offset,
        }
    }

    /// The grid of the first `n` states only: the same cells, which come first.
    pub fn first_states(&self, n: usize) -> Grid {
        let states: Vec<StateCells> = self.states.iter().take(n).cloned().collect();
        let len = self.states.get(n).map_or(self.len, |c| c.offset);
        Grid {
            n_groups: self.n_groups,
            age_unit: self.age_unit,
            states,
            len,
        }
    }

    /// Index of a cell; ages beyond the state's last age cell are held there.
    #[inline]
    pub fn cell(&self, s: usize, g: usize, age: usize, dur: usize, wait: usize) -> usize {
        let c = &self.states[s];
        self.ages(s, g, dur, wait) + age.min(c.n_age - 1)
    }

    /// Index of the first cell (age 0) of the age vector of (state, group, months, waiting).
    #[inline]
    pub fn ages(&self, s: usize, g: usize, dur: usize, wait: usize) -> usize {
        let c = &self.states[s];
        let d = dur.min(c.n_dur - 1);
        c.offset + ((g * c.n_dur + d) * c.n_wait + wait.min(c.n_wait - 1)) * c.n_age
    }

    /// The cells of state `s`.
    pub fn block(&self, s: usize) -> std::ops::Range<usize> {
        let c = &self.states[s];
        c.offset..c.offset + self.n_groups * c.n_dur * c.n_wait * c.n_age
    }

    /// Row of the transition tables used by the cells of (state, group, age cell, months).
    pub fn row(&self, tables: &Tables, s: usize, g: usize, age: usize, dur: usize) -> usize {
        let age_m = ((age * self.age_unit) as u32).min(u32::from(u16::MAX)) as u16;
        let dur = (dur as u16).min(tables.dur_cap);
        tables.row(s, g, age_m, dur)
    }

    /// Runs of cells of each state whose table rows move families alike (see `Runs`): cells
    /// that share a row, joined with their neighbours where the rows' moves are equal in every
    /// group this year (as when a band boundary belongs to another state's rules).
    pub fn runs(&self, tables: &Tables) -> Runs {
        let mut dur = Vec::with_capacity(self.states.len());
        let mut age = Vec::with_capacity(self.states.len());
        for (s, sc) in self.states.iter().enumerate() {
            let r0 = self.row(tables, s, 0, 0, 0);
            let by_dur = group_runs((0..sc.n_dur).map(|d| self.row(tables, s, 0, 0, d) - r0));
            let by_age = group_runs((0..sc.live_ages()).map(|a| self.row(tables, s, 0, a, 0) - r0));
            // Row offsets `x` and `y` move families alike in every group.
            let alike = |x: usize, y: usize| {
                (0..self.n_groups).all(|g| {
                    let g0 = self.row(tables, s, g, 0, 0);
                    tables.moves(g0 + x) == tables.moves(g0 + y)
                })
            };
            let d_runs = join_runs(by_dur, |x, y| {
                by_age.iter().all(|&(_, _, ar)| alike(ar + x, ar + y))
            });
            let a_runs = join_runs(by_age, |x, y| {
                d_runs.iter().all(|&(_, _, dr)| alike(x + dr, y + dr))
            });
            dur.push(d_runs);
            age.push(a_runs);
        }
        Runs { dur, age }
    }
}

impl StateCells {
    /// Age cells whose families step normally this month (those below the age-out age); the
    /// rest (the last cell at most) age out.
    pub fn live_ages(&self) -> usize {
        self.n_age
            .min(self.age_out_months.div_ceil(AGE_UNIT as u32) as usize)
    }
}

/// Runs of cells of each state that move alike: `(first, end, offset of their first row)`, by
/// months in state (offset from the row of months 0) and by live age cell (offset from the row
/// of age 0); a cell moves as the row of (group, age 0, months 0) plus both offsets says.
#[derive(Debug, Clone)]
pub struct Runs {
    pub dur: Vec<Vec<(usize, usize, usize)>>,
    pub age: Vec<Vec<(usize, usize, usize)>>,
}

/// Joins neighbouring runs whose row offsets are `alike`, keeping the first one's offset.
fn join_runs(
    runs: Vec<(usize, usize, usize)>,
    alike: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::with_capacity(runs.len());
    for run in runs {
        match out.last_mut() {
            Some(last) if alike(last.2, run.2) => last.1 = run.1,
            _ => out.push(run),
        }
    }
    out
}

/// Groups consecutive equal row offsets into `(first, end, offset)` runs.
fn group_runs(offsets: impl Iterator<Item = usize>) -> Vec<(usize, usize, usize)> {
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (i, r) in offsets.enumerate() {
        match runs.last_mut() {
            Some(last) if last.2 == r => last.1 = i + 1,
            _ => runs.push((i, i + 1, r)),
        }
    }
    runs
}

/// A profile evaluated for one parameter draw: shares by group, by age year, mean children.
#[derive(Debug, Clone)]
pub struct Spread {
    pub groups: Vec<f64>,
    /// (age year, share) after clamping ages to below the age limit.
    pub ages: Vec<(usize, f64)>,
    pub mean_children: f64,
}

/// Normalised non-negative weights (all zero stays all zero, as the Monte Carlo sampler does).
fn normalise(w: Vec<f64>) -> Vec<f64> {
    let w: Vec<f64> = w.into_iter().map(|x| x.max(0.0)).collect();
    let s: f64 = w.iter().sum();
    if s > 0.0 {
        w.into_iter().map(|x| x / s).collect()
    } else {
        w
    }
}

/// Shares of each unit within bands drawn uniformly (`unit` months per band unit), clamped to
/// below `limit` months: (month, share) pairs are folded into cells by `cell_of`.
pub fn band_cells(
    bands: &[Band],
    values: &[f64],
    unit: u32,
    limit: u32,
    cell_of: impl Fn(u32) -> usize,
) -> Result<Vec<(usize, f64)>, String> {
    let shares = normalise(
        bands
            .iter()
            .map(|b| b.share.eval(values).map_err(|e| e.0))
            .collect::<Result<_, _>>()?,
    );
    let mut out: Vec<(usize, f64)> = Vec::new();
    for (b, sh) in bands.iter().zip(shares) {
        if sh <= 0.0 {
            continue;
        }
        let span = ((b.hi - b.lo) * unit).max(1);
        // Whole units are spread evenly; within a unit the clamp is applied month by month.
        for k in 0..span {
            let m = (b.lo * unit + k).min(limit.saturating_sub(1));
            let c = cell_of(m);
            let w = sh / f64::from(span);
            match out.iter_mut().find(|(cc, _)| *cc == c) {
                Some(e) => e.1 += w,
                None => out.push((c, w)),
            }
        }
    }
    Ok(out)
}

impl Spread {
    pub fn new(
        p: &Profile,
        values: &[f64],
        age_limit_months: u32,
        age_unit: usize,
    ) -> Result<Spread, String> {
        let groups = normalise(
            p.group_shares
                .iter()
                .map(|e| e.eval(values).map_err(|e| e.0))
                .collect::<Result<_, _>>()?,
        );
        let ch = normalise(
            p.children
                .iter()
                .map(|(_, e)| e.eval(values).map_err(|e| e.0))
                .collect::<Result<_, _>>()?,
        );
        let mean_children = p
            .children
            .iter()
            .zip(&ch)
            .map(|((n, _), s)| f64::from(*n) * s)
            .sum();
        let ages = band_cells(&p.age, values, 12, age_limit_months, |m| {
            m as usize / age_unit
        })?;
        Ok(Spread {
            groups,
            ages,
            mean_children,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_runs_that_move_alike_are_joined_under_the_first_offset() {
        let runs = group_runs([0, 0, 1, 2, 2, 3].into_iter());
        assert_eq!(runs, [(0, 2, 0), (2, 3, 1), (3, 5, 2), (5, 6, 3)]);
        // Offsets 0 and 1 move alike, as do 2 and 3; 1 and 2 differ.
        let alike = |x: usize, y: usize| x / 2 == y / 2;
        assert_eq!(join_runs(runs, alike), [(0, 3, 0), (3, 6, 2)]);
    }
}
