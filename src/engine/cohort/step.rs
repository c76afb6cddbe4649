//! One month of the cohort engine's transitions: expected moves out of every cell, written one
//! month on (one age cell up, one month more in state) into the next month's grid. Cells that
//! share a table row (a run of months in state by a run of ages) are summed over months and moved
//! as one vector over age; families who stay shift along their own age vector.

use super::grid::{Grid, Runs};
use super::mass::{Mass, YearAcc};
use crate::engine::tables::{Tables, EXIT, NO_COST, TAG_REREFERRAL_12M};
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

/// `out[at + a + 1] += p * src[a]` for ages `a` in `lo..hi`, the part beyond the vector's last
/// cell `last` (one past `at`'s end) being added to that cell: a transition or stay one month on.
#[inline]
fn add_aged(out: &mut [f64], at: usize, last: usize, lo: usize, hi: usize, p: f64, src: &[f64]) {
    let mid = hi.min(last).max(lo);
    for (x, &v) in out[at + lo + 1..at + mid + 1].iter_mut().zip(&src[lo..mid]) {
        *x += p * v;
    }
    if mid < hi {
        out[at + last] += p * src[mid..hi].iter().sum::<f64>();
    }
}

/// As `add_aged` with `p * src[a] + q * src2[a]`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn add_aged2(
    out: &mut [f64],
    at: usize,
    last: usize,
    lo: usize,
    hi: usize,
    (p, src): (f64, &[f64]),
    (q, src2): (f64, &[f64]),
) {
    let mid = hi.min(last).max(lo);
    let dst = out[at + lo + 1..at + mid + 1].iter_mut();
    for ((x, &v), &w) in dst.zip(&src[lo..mid]).zip(&src2[lo..mid]) {
        *x += p * v + q * w;
    }
    for a in mid..hi {
        out[at + last] += p * src[a] + q * src2[a];
    }
}

/// `out[a] = sum over j of src[j * stride + a]` for `a < out.len()`, `n` vectors.
fn sum_vectors(out: &mut [f64], src: &[f64], n: usize, stride: usize) {
    let len = out.len();
    out.copy_from_slice(&src[..len]);
    for j in 1..n {
        for (x, &v) in out.iter_mut().zip(&src[j * stride..j * stride + len]) {
            *x += v;
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
    next.clear();
    for (s, sc) in grid.states.iter().enumerate() {
        let (nd, nw, na) = (sc.n_dur, sc.n_wait, sc.n_age);
        let live = sc.live_ages();
        let last = na - 1;
        for g in 0..grid.n_groups {
            age_out_cells(model, grid, s, g, age_out[s], cur, next, acc);
            if live == 0 {
                continue;
            }
            let row0 = grid.row(tables, s, g, 0, 0);
            for &(d0, d1, dr) in &runs.dur[s] {
                let first = grid.ages(s, g, d0, 0);
                let n_vec = (d1 - d0) * nw;
                let (sf, sc_, sk) = (
                    &mut sums.fam[..live],
                    &mut sums.ch[..live],
                    &mut sums.had_plan[..live],
                );
                sum_vectors(sf, &cur.fam[first..], n_vec, na);
                sum_vectors(sc_, &cur.ch[first..], n_vec, na);
                sum_vectors(sk, &cur.had_plan[first..], n_vec, na);
                for &(a0, a1, ar) in &runs.age[s] {
                    let f: f64 = sf[a0..a1].iter().sum();
                    let c: f64 = sc_[a0..a1].iter().sum();
                    if f == 0.0 && c == 0.0 {
                        continue;
                    }
                    let k: f64 = sk[a0..a1].iter().sum();
                    acc.occ_ch[s] += c;
                    acc.occ_fam[s] += f;
                    let r = tables.rows[row0 + ar + dr];
                    let (start, len) = (r.start as usize, r.len as usize);
                    let mut prev = 0.0;
                    let mut leave = 0.0f64;
                    let mut wait = 0.0f64;
                    for e in &tables.entries[start..start + len] {
                        let p = e.cum - prev;
                        prev = e.cum;
                        if p <= 0.0 {
                            continue;
                        }
                        let t = e.dest as usize;
                        if e.dest != EXIT && t == cap {
                            if s != cap {
                                wait += p;
                            }
                            continue;
                        }
                        leave += p;
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
                            &*sc_
                        } else {
                            &*sk
                        };
                        let at = grid.ages(t, g, 0, 0);
                        let t_last = grid.states[t].n_age - 1;
                        add_aged(&mut next.fam, at, t_last, a0, a1, p, sf);
                        add_aged(&mut next.ch, at, t_last, a0, a1, p, sc_);
                        add_aged(&mut next.had_plan, at, t_last, a0, a1, p, marker);
                    }
                    let stay = (1.0 - leave).max(0.0);
                    let stay_free = (1.0 - leave - wait).max(0.0);
                    for d in d0..d1 {
                        let dn = (d + 1).min(nd - 1);
                        let (from, to) = (grid.ages(s, g, d, 0), grid.ages(s, g, dn, 0));
                        for (src, dst) in [
                            (&cur.fam, &mut next.fam),
                            (&cur.ch, &mut next.ch),
                            (&cur.had_plan, &mut next.had_plan),
                        ] {
                            if nw == 1 {
                                add_aged(dst, to, last, a0, a1, stay, &src[from..from + na]);
                            } else {
                                let (free, waiting) = (&src[from..from + na], &src[from + na..]);
                                add_aged(dst, to, last, a0, a1, stay_free, free);
                                let w = (wait, free);
                                add_aged2(dst, to + na, last, a0, a1, w, (stay, waiting));
                            }
                        }
                    }
                }
            }
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
