//! One month of the cohort engine: arrivals, expected transitions out of every cell (ageing a
//! twelfth of each age year), then family-help places given to waiting families as the fraction
//! of demand that the free places can serve, higher-priority classes first.

use super::grid::Grid;
use crate::engine::tables::{Tables, EXIT, NO_COST, TAG_REREFERRAL_12M};
use crate::engine::year_metrics::YearExtras;
use crate::scenario::model::{Dest, Model, Role, Targeting};

/// Expected families and children in every cell, and the children among them whose family has
/// had a child protection plan (a marker that moves with its cell, for repeat plans).
#[derive(Debug, Clone)]
pub struct Mass {
    pub fam: Vec<f64>,
    pub ch: Vec<f64>,
    pub had_plan: Vec<f64>,
}

impl Mass {
    pub fn zeros(n: usize) -> Mass {
        Mass {
            fam: vec![0.0; n],
            ch: vec![0.0; n],
            had_plan: vec![0.0; n],
        }
    }

    #[inline]
    pub fn add(&mut self, i: usize, f: f64, c: f64, k: f64) {
        self.fam[i] += f;
        self.ch[i] += c;
        self.had_plan[i] += k;
    }
}

/// Flows between states within a year (index `n_states` is outside the model).
#[derive(Debug, Clone)]
pub struct Flows {
    pub n: usize,
    pub children: Vec<f64>,
    pub families: Vec<f64>,
}

impl Flows {
    pub fn new(n_states: usize) -> Flows {
        let n = n_states + 1;
        Flows {
            n,
            children: vec![0.0; n * n],
            families: vec![0.0; n * n],
        }
    }

    #[inline]
    pub fn add(&mut self, from: usize, to: usize, children: f64, families: f64) {
        let k = from * self.n + to;
        self.children[k] += children;
        self.families[k] += families;
    }
}

/// What a year accumulates month by month.
#[derive(Debug, Clone)]
pub struct YearAcc {
    pub occ_ch: Vec<f64>,
    pub occ_fam: Vec<f64>,
    pub oneoff: [f64; 3],
    pub flows: Flows,
    pub extras: YearExtras,
}

impl YearAcc {
    pub fn new(n_states: usize) -> YearAcc {
        YearAcc {
            occ_ch: vec![0.0; n_states],
            occ_fam: vec![0.0; n_states],
            oneoff: [0.0; 3],
            flows: Flows::new(n_states),
            extras: YearExtras::default(),
        }
    }
}

/// Moves every cell's mass one month on (transitions, then a birthday for the share of each age
/// cell that reaches the next one); `next` receives the mass before family-help places are given.
/// `age_out` is where each state's families go when they age out this year.
#[allow(clippy::too_many_arguments)]
pub fn transitions(
    model: &Model,
    grid: &Grid,
    tables: &Tables,
    runs: &[Vec<(usize, usize, usize)>],
    age_out: &[Dest],
    cur: &Mass,
    next: &mut Mass,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let s_n = model.states.len();
    let is_plan = |s: usize| model.states[s].role == Role::ChildProtection;
    next.fam.iter_mut().for_each(|x| *x = 0.0);
    next.ch.iter_mut().for_each(|x| *x = 0.0);
    next.had_plan.iter_mut().for_each(|x| *x = 0.0);
    for (s, sc) in grid.states.iter().enumerate() {
        let (nd, nw) = (sc.n_dur, sc.n_wait);
        for g in 0..grid.n_groups {
            for a in 0..sc.n_age {
                let base = grid.cell(s, g, a, 0, 0);
                let block = base..base + nd * nw;
                let (bf, bc) = (&cur.fam[block.clone()], &cur.ch[block.clone()]);
                let bk = &cur.had_plan[block.clone()];
                let f_all: f64 = bf.iter().sum();
                let c_all: f64 = bc.iter().sum();
                if f_all == 0.0 && c_all == 0.0 {
                    continue;
                }
                acc.occ_ch[s] += c_all;
                acc.occ_fam[s] += f_all;
                if (a * grid.age_unit) as u32 >= sc.age_out_months {
                    match age_out[s] {
                        Dest::State(t) if t == cap && s != cap => {
                            for d in 0..nd {
                                let to = grid.cell(s, g, a, d + 1, 1);
                                for w in 0..nw {
                                    let i = d * nw + w;
                                    next.add(to, bf[i], bc[i], bk[i]);
                                }
                            }
                        }
                        Dest::State(t) => {
                            acc.flows.add(s, t, c_all, f_all);
                            let k_all: f64 = bk.iter().sum();
                            next.add(grid.cell(t, g, a, 0, 0), f_all, c_all, k_all);
                        }
                        Dest::Exit => acc.flows.add(s, s_n, c_all, f_all),
                    }
                    continue;
                }
                let row0 = grid.row(tables, s, g, a, 0);
                for &(d0, d1, dr) in &runs[s] {
                    let row = row0 + dr;
                    let band = d0 * nw..d1 * nw;
                    let f: f64 = bf[band.clone()].iter().sum();
                    let c: f64 = bc[band.clone()].iter().sum();
                    let k: f64 = bk[band.clone()].iter().sum();
                    let r = tables.rows[row];
                    let (start, len) = (r.start, r.len);
                    let mut prev = 0.0;
                    let mut leave = 0.0f64;
                    let mut wait = 0.0f64;
                    if f != 0.0 || c != 0.0 {
                        for e in &tables.entries[start as usize..(start + len) as usize] {
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
                            } else {
                                acc.flows.add(s, t, pc, pf);
                                let pk = if is_plan(t) && !is_plan(s) {
                                    acc.extras.repeat_plans += pk;
                                    pc
                                } else {
                                    pk
                                };
                                next.add(grid.cell(t, g, a, 0, 0), pf, pc, pk);
                            }
                        }
                    }
                    let stay = (1.0 - leave).max(0.0);
                    let stay_free = (1.0 - leave - wait).max(0.0);
                    for d in d0..d1 {
                        let dn = (d + 1).min(nd - 1);
                        if nw == 1 {
                            let i = base + dn;
                            next.fam[i] += stay * bf[d];
                            next.ch[i] += stay * bc[d];
                            next.had_plan[i] += stay * bk[d];
                        } else {
                            let (f0, c0, f1, c1) =
                                (bf[2 * d], bc[2 * d], bf[2 * d + 1], bc[2 * d + 1]);
                            let (k0, k1) = (bk[2 * d], bk[2 * d + 1]);
                            let i = base + 2 * dn;
                            next.fam[i] += stay_free * f0;
                            next.ch[i] += stay_free * c0;
                            next.had_plan[i] += stay_free * k0;
                            next.fam[i + 1] += wait * f0 + stay * f1;
                            next.ch[i + 1] += wait * c0 + stay * c1;
                            next.had_plan[i + 1] += wait * k0 + stay * k1;
                        }
                    }
                }
            }
        }
    }
    age(grid, next);
}

/// Mass below which a cell is set to zero.
const TINY: f64 = 1e-6;

/// Birthdays: a share 1/(months per age cell) of each age cell moves up one cell (ages are taken
/// as uniform within the cell); the last cell of a state (ageing out next month) keeps its mass.
fn age(grid: &Grid, m: &mut Mass) {
    let rate = 1.0 / grid.age_unit as f64;
    for sc in &grid.states {
        let blk = sc.n_dur * sc.n_wait;
        for g in 0..grid.n_groups {
            let g0 = sc.offset + g * sc.n_age * blk;
            for a in (0..sc.n_age.saturating_sub(1)).rev() {
                let i = g0 + a * blk;
                for v in [&mut m.fam, &mut m.ch, &mut m.had_plan] {
                    let (lo, hi) = v.split_at_mut(i + blk);
                    for (x, y) in lo[i..].iter_mut().zip(&mut hi[..blk]) {
                        let up = *x * rate;
                        *x -= up;
                        *y += up;
                        // Below a millionth of a family a cell is empty (and stays out of
                        // the slow subnormal range of floating point).
                        if x.abs() < TINY {
                            *x = 0.0;
                        }
                    }
                }
            }
        }
    }
}

/// Priority class of waiting families in state `s`, group `g` (lower is served first).
fn class_of(model: &Model, s: usize, g: usize) -> u64 {
    match model.policy.targeting {
        Targeting::NeedFirst => u64::from(model.groups[g].1),
        Targeting::FirstCome => 0,
        Targeting::StepDownFirst => u64::from(s == model.need_state),
    }
}

/// Gives up to `places` family-help places (less those in use) to waiting families: each
/// priority class in turn is served in full or in the proportion the remaining places allow.
/// `bought` is what the budget buys; a coverage duty (`coverage`, a share of the families in
/// `need` or family help) adds places, whose family-months are counted in `acc.extras`.
pub fn allocate(
    model: &Model,
    grid: &Grid,
    m: &mut Mass,
    bought: f64,
    coverage: f64,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let state_fam = |m: &Mass, s: usize| {
        let c = &grid.states[s];
        let end = c.offset + grid.n_groups * c.n_age * c.n_dur * c.n_wait;
        m.fam[c.offset..end].iter().sum::<f64>()
    };
    let in_cap = state_fam(m, cap);
    let duty = if coverage > 0.0 {
        coverage * (state_fam(m, model.need_state) + in_cap)
    } else {
        0.0
    };
    let places = bought.max(duty);
    let mut free = (places - in_cap).max(0.0);
    let free_at_start = free;
    let count_duty = |acc: &mut YearAcc, free_left: f64| {
        // The duty pays for the places in use between what the budget bought and the duty.
        let used = in_cap + (free_at_start - free_left);
        acc.extras.duty_family_months += (used.min(duty) - bought).max(0.0);
    };
    if free <= 0.0 {
        count_duty(acc, free);
        return;
    }
    let mut classes: Vec<u64> = Vec::new();
    for s in 0..grid.states.len() {
        if grid.states[s].n_wait == 2 {
            for g in 0..grid.n_groups {
                classes.push(class_of(model, s, g));
            }
        }
    }
    classes.sort_unstable();
    classes.dedup();
    for k in classes {
        if free <= 0.0 {
            break;
        }
        let mut demand = 0.0;
        each_waiting(model, grid, k, |i, _, _, _, _| demand += m.fam[i]);
        if demand <= 0.0 {
            continue;
        }
        let share = (free / demand).min(1.0);
        free -= share * demand;
        let mut moves = Vec::new();
        each_waiting(model, grid, k, |i, s, g, a, _| moves.push((i, s, g, a)));
        for (i, s, g, a) in moves {
            let (f, ch, k) = (m.fam[i] * share, m.ch[i] * share, m.had_plan[i] * share);
            if f == 0.0 && ch == 0.0 {
                continue;
            }
            m.fam[i] -= f;
            m.ch[i] -= ch;
            m.had_plan[i] -= k;
            acc.flows.add(s, cap, ch, f);
            let j = grid.cell(cap, g, a, 0, 0);
            m.add(j, f, ch, k);
        }
    }
    count_duty(acc, free);
}

/// Calls `f(cell, state, group, age, months)` for every waiting cell of priority class `k`.
fn each_waiting(
    model: &Model,
    grid: &Grid,
    k: u64,
    mut f: impl FnMut(usize, usize, usize, usize, usize),
) {
    for (s, sc) in grid.states.iter().enumerate() {
        if sc.n_wait != 2 {
            continue;
        }
        for g in 0..grid.n_groups {
            if class_of(model, s, g) != k {
                continue;
            }
            for a in 0..sc.n_age {
                for d in 0..sc.n_dur {
                    f(grid.cell(s, g, a, d, 1), s, g, a, d);
                }
            }
        }
    }
}
