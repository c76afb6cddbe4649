//! One month of the cohort engine's transitions, done in place: expected moves out of every cell,
//! written one month on (one age cell up, one month more in state). Within a (state, group) the
//! months-in-state vectors are updated from the last down to month 0, so each is read before the
//! families who stay in the one below overwrite it; moves into other states go to `Entrants`,
//! which become the month-0 vectors once every state has moved on. For each run of cells that
//! share a table row (a run of months in state by a run of ages), one pass writes the families
//! who stay (shifted along their own age vectors) and sums the run over months by age; each move
//! out is then one scaled vector added to the destination's entrants. States held as delay lines
//! (`lines`) are moved by `delay_step` instead.

use super::delay_step::line_step;
use super::entrants::Entrants;
use super::grid::{Grid, Runs};
use super::lines::Lines;
use super::mass::{Mass, Real, YearAcc};
use super::shift;
use super::sum::sum;
use crate::engine::tables::{Entry, Tables, EXIT, NO_COST, TAG_REREFERRAL_12M};
use crate::scenario::model::{Dest, Model, Role};

/// Buffers of the in-place step, reused from month to month.
#[derive(Debug, Clone)]
pub struct Work {
    /// Per-age sums over the months-in-state cells of one run.
    sums: Mass,
    /// Last month's last months-in-state vectors (both waiting halves) of one (state, group):
    /// they receive their own stays, so they are read from this copy.
    last: Mass,
    /// Last month's cells at or past the age-out age of one (state, group), by (age, months,
    /// waiting), saved before the stays overwrite them.
    aged: Mass,
    /// Moves into month-0 vectors, written into the grid at the end of the step.
    pub entrants: Entrants,
    /// The age runs of one run of months with their table row's probabilities.
    rows: Vec<AgeRun>,
}

/// An age run of one run of months: ages `a0..a1`, its table row and the row's probabilities of
/// staying (`stay`), staying without starting to wait (`free`) and starting to wait (`wait`).
#[derive(Debug, Clone, Copy)]
struct AgeRun {
    a0: usize,
    a1: usize,
    row: usize,
    stay: f64,
    free: f64,
    wait: f64,
}

impl Work {
    /// Room for the largest (state, group) of `grid`.
    pub fn new(grid: &Grid) -> Work {
        let ages = grid.states.iter().map(|s| s.n_age).max().unwrap_or(0);
        let last = grid
            .states
            .iter()
            .map(|s| s.n_wait * s.n_age)
            .max()
            .unwrap_or(0);
        let aged = grid
            .states
            .iter()
            .map(|s| (s.n_age - s.live_ages()) * s.n_dur * s.n_wait)
            .max()
            .unwrap_or(0);
        Work {
            sums: Mass::zeros(ages),
            last: Mass::zeros(last),
            aged: Mass::zeros(aged),
            entrants: Entrants::new(grid),
            rows: Vec::new(),
        }
    }
}

/// Probabilities of leaving the state and of starting to wait for family help (state `cap`)
/// in the moves of a row out of state `s`.
pub(super) fn leave_and_wait(moves: &[Entry], s: usize, cap: usize) -> (f64, f64) {
    let (mut prev, mut leave, mut wait) = (0.0, 0.0, 0.0);
    for e in moves {
        let p = e.cum - prev;
        prev = e.cum;
        if p <= 0.0 {
            continue;
        }
        if e.dest != EXIT && e.dest as usize == cap {
            if s != cap {
                wait += p;
            }
        } else {
            leave += p;
        }
    }
    (leave, wait)
}

/// Moves every cell's mass of `m` one month on, in place; `m` then holds the mass before
/// family-help places are given. `runs` are `grid.runs(tables)`; `age_out` is where each state's
/// families go when they age out this year.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn transitions(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    runs: &Runs,
    age_out: &[Dest],
    (m, lines): (&mut Mass, &mut Lines),
    work: &mut Work,
    acc: &mut YearAcc,
) {
    for (s, &to) in age_out.iter().enumerate() {
        for g in 0..grid.n_groups {
            if lines.held(s) {
                let (segs, age_row) = lines.group_mut(s, g);
                let at = (s, g, age_row);
                line_step(
                    model,
                    grid,
                    tables,
                    at,
                    to,
                    m,
                    segs,
                    &mut work.entrants,
                    acc,
                );
            } else {
                state_group(model, grid, tables, runs, s, g, to, m, work, acc);
            }
        }
    }
    work.entrants.settle(grid, m);
}

/// Moves the cells of state `s`, group `g` one month on (see `transitions`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn state_group(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    runs: &Runs,
    s: usize,
    g: usize,
    to: Dest,
    m: &mut Mass,
    work: &mut Work,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let sc = &grid.states[s];
    let (nd, nw, na) = (sc.n_dur, sc.n_wait, sc.n_age);
    let (live, len) = (sc.live_ages(), nw * na);
    let cover = live.min(na - 1);
    let base = grid.ages(s, g, 0, 0);
    let Work {
        sums,
        last,
        aged,
        entrants,
        rows,
    } = work;
    // Save what the stays overwrite before reading it: the age-out cells and the last vectors.
    for (v, a_buf, l_buf) in [
        (&m.fam, &mut aged.fam, &mut last.fam),
        (&m.ch, &mut aged.ch, &mut last.ch),
        (&m.had_plan, &mut aged.had_plan, &mut last.had_plan),
    ] {
        for a in live..na {
            for j in 0..nd * nw {
                a_buf[(a - live) * nd * nw + j] = v[base + j * na + a];
            }
        }
        let at = base + (nd - 1) * len;
        l_buf[..len].copy_from_slice(&v[at..at + len]);
    }
    let row0 = grid.row(tables, s, g, 0, 0);
    for &(d0, d1, dr) in runs.dur[s].iter().rev() {
        rows.clear();
        for &(a0, a1, ar) in &runs.age[s] {
            let row = row0 + ar + dr;
            let (leave, wait) = leave_and_wait(tables.moves(row), s, cap);
            rows.push(AgeRun {
                a0,
                a1,
                row,
                stay: (1.0 - leave).max(0.0),
                free: (1.0 - leave - wait).max(0.0),
                wait,
            });
        }
        // Stays, one pass over the run's cells that also sums them by age.
        for (v, l_buf, sum) in [
            (&mut m.fam, &last.fam, &mut sums.fam),
            (&mut m.ch, &last.ch, &mut sums.ch),
            (&mut m.had_plan, &last.had_plan, &mut sums.had_plan),
        ] {
            for d in (d0..d1).rev() {
                let to = base + (d + 1).min(nd - 1) * len;
                // Month `nd - 2` joins the last vector, which has been set from its own copy.
                let add = d + 2 == nd;
                let (src, dst): (&[Real], &mut [Real]) = if d + 1 == nd {
                    (&l_buf[..len], &mut v[to..to + len])
                } else {
                    let (lo, hi) = v.split_at_mut(to);
                    let from = base + d * len;
                    (&lo[from..from + len], &mut hi[..len])
                };
                if !add {
                    // Cells no stay writes: the first age cell and any past the live ages.
                    for x in dst.chunks_exact_mut(na) {
                        x[0] = 0.0;
                        if cover + 1 < na {
                            x[cover + 1..].fill(0.0);
                        }
                    }
                }
                // The run's first vector (its last month) starts the sums.
                match (add, d + 1 == d1) {
                    (false, false) => stays::<false, false>(dst, src, rows, na, sum),
                    (false, true) => stays::<false, true>(dst, src, rows, na, sum),
                    (true, false) => stays::<true, false>(dst, src, rows, na, sum),
                    (true, true) => stays::<true, true>(dst, src, rows, na, sum),
                }
            }
        }
        for r in rows.iter() {
            let ages = (r.a0, r.a1);
            move_out(
                model,
                grid,
                tables,
                (s, g),
                r.row,
                ages,
                sums,
                entrants,
                acc,
            );
        }
    }
    // After the stays, which set the last age cell that waiting age-leavers join.
    age_out_cells(model, grid, s, g, to, aged, entrants, m, acc);
}

/// The moves out of state `s`, group `g` under table row `row` of the families summed by age in
/// `sums` (ages `a0..a1`): counted as occupancy, flows and one-off costs, and added one age cell
/// up to the destinations' entrants (moves to family help are the waiting flag's, not these).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn move_out(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    (s, g): (usize, usize),
    row: usize,
    (a0, a1): (usize, usize),
    sums: &Mass,
    entrants: &mut Entrants,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let s_n = model.states.len();
    let is_plan = |s: usize| model.states[s].role == Role::ChildProtection;
    let (sf, sc_, sk) = (&sums.fam, &sums.ch, &sums.had_plan);
    let f = sum(&sf[a0..a1]);
    let c = sum(&sc_[a0..a1]);
    if f == 0.0 && c == 0.0 {
        return;
    }
    let k = sum(&sk[a0..a1]);
    acc.occ_ch[s] += c;
    acc.occ_fam[s] += f;
    let mut prev = 0.0;
    for e in tables.moves(row) {
        let p = e.cum - prev;
        prev = e.cum;
        let t = e.dest as usize;
        if p <= 0.0 || (e.dest != EXIT && t == cap) {
            continue;
        }
        let (pf, pc, pk) = (p * f, p * c, p * k);
        if e.tag & TAG_REREFERRAL_12M != 0 {
            acc.extras.rereferrals += pc;
        }
        if e.cost != NO_COST {
            let (per_child, per_family, class) = tables.costs[e.cost as usize];
            acc.oneoff[class as usize] += per_child * pc + per_family * pf;
        }
        if e.dest == EXIT {
            acc.flows.add(s, s_n, pc, pf);
            continue;
        }
        acc.flows.add(s, t, pc, pf);
        let marker = if is_plan(t) && !is_plan(s) {
            acc.extras.repeat_plans += pk;
            sc_
        } else {
            sk
        };
        if let Some(q) = entrants.pools.of[t] {
            // Added once for the whole pool, below.
            entrants.row_p[q] += p;
            continue;
        }
        let into = entrants.ages(grid, t, g);
        let e = &mut entrants.mass;
        shift::add_aged(&mut e.fam[into.clone()], a0, a1, p, sf);
        shift::add_aged(&mut e.ch[into.clone()], a0, a1, p, sc_);
        shift::add_aged(&mut e.had_plan[into], a0, a1, p, marker);
    }
    for q in 0..entrants.row_p.len() {
        let p = std::mem::take(&mut entrants.row_p[q]);
        if p == 0.0 {
            continue;
        }
        let marker = if entrants.pools.members[q].1 && !is_plan(s) {
            sc_
        } else {
            sk
        };
        let into = entrants.pool_ages(grid, q, g);
        let e = &mut entrants.pooled;
        shift::add_aged(&mut e.fam[into.clone()], a0, a1, p, sf);
        shift::add_aged(&mut e.ch[into.clone()], a0, a1, p, sc_);
        shift::add_aged(&mut e.had_plan[into], a0, a1, p, marker);
    }
}

/// The stays from one months-in-state vector `src` (both waiting halves where it has them, each
/// `na` long) into `dst`, for each age run of `rows`, summed by age into `sum` (`ADD`, `FIRST`:
/// see `shift::stay`).
#[inline(always)]
fn stays<const ADD: bool, const FIRST: bool>(
    dst: &mut [Real],
    src: &[Real],
    rows: &[AgeRun],
    na: usize,
    sum: &mut [Real],
) {
    for r in rows {
        let ages = (r.a0, r.a1);
        if src.len() == na {
            shift::stay::<ADD, FIRST>(dst, src, ages, r.stay, sum);
        } else {
            let (dst, src) = (dst.split_at_mut(na), src.split_at(na));
            let p = (r.free, r.wait, r.stay);
            shift::stay_or_wait::<ADD, FIRST>(dst, src, ages, p, sum);
        }
    }
}

/// The cells of state `s`, group `g` at or beyond the state's age-out age (`aged`, as saved at
/// the start of the month): they leave for this year's age-out destination, or wait (one month
/// more in state) where it is family help.
#[allow(clippy::too_many_arguments)]
fn age_out_cells(
    model: &Model,
    grid: &Grid,
    s: usize,
    g: usize,
    to: Dest,
    aged: &Mass,
    entrants: &mut Entrants,
    m: &mut Mass,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let sc = &grid.states[s];
    let (nd, nw, live) = (sc.n_dur, sc.n_wait, sc.live_ages());
    for a in live..sc.n_age {
        let at = (a - live) * nd * nw;
        let cells = at..at + nd * nw;
        let f = sum(&aged.fam[cells.clone()]);
        let c = sum(&aged.ch[cells.clone()]);
        if f == 0.0 && c == 0.0 {
            continue;
        }
        let k = sum(&aged.had_plan[cells]);
        acc.occ_ch[s] += c;
        acc.occ_fam[s] += f;
        match to {
            Dest::State(t) if t == cap && s != cap => {
                // The age cell is the state's last, so the families stay in it.
                for d in 0..nd {
                    let j = grid.cell(s, g, a, d + 1, 1);
                    for w in 0..nw {
                        let i = at + d * nw + w;
                        let v = (aged.fam[i], aged.ch[i], aged.had_plan[i]);
                        m.add(j, v.0.into(), v.1.into(), v.2.into());
                    }
                }
            }
            Dest::State(t) => {
                acc.flows.add(s, t, c, f);
                let into = entrants.ages(grid, t, g);
                let i = into.start + (a + 1).min(into.len() - 1);
                entrants.mass.add(i, f, c, k);
            }
            Dest::Exit => acc.flows.add(s, model.states.len(), c, f),
        }
    }
}
