//! One month of the cohort engine's transitions: expected moves out of every cell, written one
//! month on (one age cell up, one month more in state) into the next month's grid. For each run
//! of cells that share a table row (a run of months in state by a run of ages), one pass writes
//! the families who stay (shifted along their own age vectors) and sums the run over months by
//! age; each move out is then one scaled vector added to the destination's month-0 vector.

use super::grid::{Grid, Runs};
use super::mass::{Mass, YearAcc};
use super::shift;
use crate::engine::tables::{Entry, Tables, EXIT, NO_COST, TAG_REREFERRAL_12M};
use crate::scenario::model::{Dest, Model, Role};

/// Per-age sums over the months-in-state cells of one run, reused from month to month.
#[derive(Debug, Clone)]
pub struct Sums {
    fam: Vec<f64>,
    ch: Vec<f64>,
    had_plan: Vec<f64>,
}

impl Sums {
    /// Room for the longest age vector of `grid`.
    pub fn new(grid: &Grid) -> Sums {
        let n = grid.states.iter().map(|s| s.n_age).max().unwrap_or(0);
        Sums {
            fam: vec![0.0; n],
            ch: vec![0.0; n],
            had_plan: vec![0.0; n],
        }
    }
}

/// Probabilities of leaving the state and of starting to wait for family help (state `cap`)
/// in the moves of a row out of state `s`.
fn leave_and_wait(moves: &[Entry], s: usize, cap: usize) -> (f64, f64) {
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

/// Empties the cells of `next` that the month's stays do not overwrite: every month-0 vector
/// (arrivals from other states are added to them), and in longer states the first age cell and
/// any cells past the live ages.
fn clear_unwritten(grid: &Grid, next: &mut Mass) {
    for (s, sc) in grid.states.iter().enumerate() {
        let (na, nw) = (sc.n_age, sc.n_wait);
        let cover = sc.live_ages().min(na - 1);
        for g in 0..grid.n_groups {
            for v in [&mut next.fam, &mut next.ch, &mut next.had_plan] {
                let first = grid.ages(s, g, 0, 0);
                v[first..first + nw * na].fill(0.0);
                for j in nw..sc.n_dur * nw {
                    let at = first + j * na;
                    v[at] = 0.0;
                    v[at + cover + 1..at + na].fill(0.0);
                }
            }
        }
    }
}

/// Moves every cell's mass one month on; `next` receives the mass before family-help places are
/// given. `runs` are `grid.runs(tables)`; `age_out` is where each state's families go when they
/// age out this year.
#[allow(clippy::too_many_arguments)]
pub fn transitions(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    runs: &Runs,
    age_out: &[Dest],
    cur: &Mass,
    next: &mut Mass,
    sums: &mut Sums,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let s_n = model.states.len();
    let is_plan = |s: usize| model.states[s].role == Role::ChildProtection;
    clear_unwritten(grid, next);
    for (s, sc) in grid.states.iter().enumerate() {
        let (nd, nw, na) = (sc.n_dur, sc.n_wait, sc.n_age);
        for g in 0..grid.n_groups {
            let row0 = grid.row(tables, s, g, 0, 0);
            for &(d0, d1, dr) in &runs.dur[s] {
                for &(a0, a1, ar) in &runs.age[s] {
                    let r = tables.rows[row0 + ar + dr];
                    let moves = &tables.entries[r.start as usize..(r.start + r.len) as usize];
                    let (leave, wait) = leave_and_wait(moves, s, cap);
                    let stay = (1.0 - leave).max(0.0);
                    let stay_free = (1.0 - leave - wait).max(0.0);
                    // Stays, one pass over the run's cells that also sums them by age.
                    for (src, dst, sum) in [
                        (&cur.fam, &mut next.fam, &mut sums.fam),
                        (&cur.ch, &mut next.ch, &mut sums.ch),
                        (&cur.had_plan, &mut next.had_plan, &mut sums.had_plan),
                    ] {
                        sum[a0..a1].fill(0.0);
                        for d in d0..d1 {
                            // The first write to a vector past month 0 sets it.
                            let set = d + 1 < nd;
                            let from = grid.ages(s, g, d, 0);
                            let to = grid.ages(s, g, (d + 1).min(nd - 1), 0);
                            let (src, dst) =
                                (&src[from..from + nw * na], &mut dst[to..to + nw * na]);
                            let ages = (a0, a1);
                            if nw == 1 {
                                if set {
                                    shift::stay::<false>(dst, src, ages, stay, sum);
                                } else {
                                    shift::stay::<true>(dst, src, ages, stay, sum);
                                }
                            } else {
                                let (dst, src) = (dst.split_at_mut(na), src.split_at(na));
                                let p = (stay_free, wait, stay);
                                if set {
                                    shift::stay_or_wait::<false>(dst, src, ages, p, sum);
                                } else {
                                    shift::stay_or_wait::<true>(dst, src, ages, p, sum);
                                }
                            }
                        }
                    }
                    let (sf, sc_, sk) = (&sums.fam, &sums.ch, &sums.had_plan);
                    let f: f64 = sf[a0..a1].iter().sum();
                    let c: f64 = sc_[a0..a1].iter().sum();
                    if f == 0.0 && c == 0.0 {
                        continue;
                    }
                    let k: f64 = sk[a0..a1].iter().sum();
                    acc.occ_ch[s] += c;
                    acc.occ_fam[s] += f;
                    let mut prev = 0.0;
                    for e in moves {
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
                        let at = grid.ages(t, g, 0, 0);
                        let to = at..at + grid.states[t].n_age;
                        shift::add_aged(&mut next.fam[to.clone()], a0, a1, p, sf);
                        shift::add_aged(&mut next.ch[to.clone()], a0, a1, p, sc_);
                        shift::add_aged(&mut next.had_plan[to], a0, a1, p, marker);
                    }
                }
            }
            // After the stays, which set the last age cell that waiting age-leavers join.
            age_out_cells(model, grid, s, g, age_out[s], cur, next, acc);
        }
    }
}

/// The cells of state `s`, group `g` at or beyond the state's age-out age: they leave for this
/// year's age-out destination, or wait (one month more in state) where it is family help.
#[allow(clippy::too_many_arguments)]
fn age_out_cells(
    model: &Model,
    grid: &Grid,
    s: usize,
    g: usize,
    to: Dest,
    cur: &Mass,
    next: &mut Mass,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let sc = &grid.states[s];
    for a in sc.live_ages()..sc.n_age {
        let (mut f, mut c, mut k) = (0.0, 0.0, 0.0);
        for d in 0..sc.n_dur {
            for w in 0..sc.n_wait {
                let i = grid.cell(s, g, a, d, w);
                f += cur.fam[i];
                c += cur.ch[i];
                k += cur.had_plan[i];
            }
        }
        if f == 0.0 && c == 0.0 {
            continue;
        }
        acc.occ_ch[s] += c;
        acc.occ_fam[s] += f;
        match to {
            Dest::State(t) if t == cap && s != cap => {
                // The age cell is the state's last, so the families stay in it.
                for d in 0..sc.n_dur {
                    let j = grid.cell(s, g, a, d + 1, 1);
                    for w in 0..sc.n_wait {
                        let i = grid.cell(s, g, a, d, w);
                        next.add(j, cur.fam[i], cur.ch[i], cur.had_plan[i]);
                    }
                }
            }
            Dest::State(t) => {
                acc.flows.add(s, t, c, f);
                next.add(grid.cell(t, g, a + 1, 0, 0), f, c, k);
            }
            Dest::Exit => acc.flows.add(s, model.states.len(), c, f),
        }
    }
}
