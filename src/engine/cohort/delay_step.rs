//! One month of the cohort step for a (state, group) held as delay lines (`delay`): the month-0
//! vector is taken from the grid into the first segment, then each segment, from the last to the
//! first, moves its families out under its table row (as the grid step does for a run of months),
//! gives up the families in the last age cell to ageing out, and moves on one month, passing the
//! families leaving its last month into the segment after it.

use super::delay::Seg;
use super::entrants::Entrants;
use super::grid::Grid;
use super::mass::{Mass, YearAcc};
use super::step::{leave_and_wait, move_out};
use crate::engine::tables::Tables;
use crate::scenario::model::{Dest, Model};

/// Moves state `s`, group `g` (held as `segs`, with age-run row offset `age_row`) one month on;
/// `to` is where its families go when they age out this year (never family help).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn line_step(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    (s, g, age_row): (usize, usize, usize),
    to: Dest,
    m: &Mass,
    segs: &mut [Seg],
    entrants: &mut Entrants,
    acc: &mut YearAcc,
) {
    let sc = &grid.states[s];
    let (na, live) = (sc.n_age, sc.live_ages());
    let row0 = grid.row(tables, s, g, 0, 0) + age_row;
    let mut aged = [0.0; 3];
    for k in (0..segs.len()).rev() {
        let (lo, hi) = segs.split_at_mut(k + 1);
        let seg = &mut lo[k];
        if k == 0 {
            seg.take_in(m, grid.ages(s, g, 0, 0));
        }
        let row = row0 + seg.dr;
        let (leave, _) = leave_and_wait(tables.moves(row), s, model.capacity_state);
        move_out(
            model,
            grid,
            tables,
            (s, g),
            row,
            (0, live),
            &seg.r,
            entrants,
            acc,
        );
        for (x, v) in aged.iter_mut().zip(seg.r.parts()) {
            *x += f64::from(v[na - 1]);
        }
        seg.advance((1.0 - leave).max(0.0), live, hi.first_mut());
    }
    let [f, c, k] = aged;
    if f == 0.0 && c == 0.0 {
        return;
    }
    acc.occ_ch[s] += c;
    acc.occ_fam[s] += f;
    match to {
        Dest::State(t) => {
            acc.flows.add(s, t, c, f);
            let into = entrants.ages(grid, t, g);
            let i = into.start + na.min(into.len() - 1);
            entrants.mass.add(i, f, c, k);
        }
        Dest::Exit => acc.flows.add(s, model.states.len(), c, f),
    }
}
