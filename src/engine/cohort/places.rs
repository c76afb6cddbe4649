//! Family-help places in the cohort engine: each month, after the transitions, the free places
//! go to waiting families as the fraction of demand they can serve, higher-priority classes first.

use super::grid::Grid;
use super::mass::{Mass, Real, YearAcc};
use super::sum::sum;
use crate::scenario::model::{Model, Targeting};

/// Priority class of waiting families in state `s`, group `g` (lower is served first).
fn class_of(model: &Model, s: usize, g: usize) -> u64 {
    match model.policy.targeting {
        Targeting::NeedFirst => u64::from(model.groups[g].1),
        Targeting::FirstCome => 0,
        Targeting::StepDownFirst => u64::from(s == model.need_state),
    }
}

/// The waiting (state, group) pairs of each priority class, highest priority first.
pub fn classes(model: &Model, grid: &Grid) -> Vec<Vec<(usize, usize)>> {
    let mut keyed: Vec<(u64, usize, usize)> = Vec::new();
    for (s, sc) in grid.states.iter().enumerate() {
        if sc.n_wait == 2 {
            for g in 0..grid.n_groups {
                keyed.push((class_of(model, s, g), s, g));
            }
        }
    }
    keyed.sort_unstable();
    let mut out: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut last = None;
    for (k, s, g) in keyed {
        if last != Some(k) {
            out.push(Vec::new());
            last = Some(k);
        }
        if let Some(c) = out.last_mut() {
            c.push((s, g));
        }
    }
    out
}

/// Families in state `s`.
fn state_fam(grid: &Grid, m: &Mass, s: usize) -> f64 {
    sum(&m.fam[grid.block(s)])
}

/// Gives up to `places` family-help places (less those in use) to waiting families: each
/// priority class in turn (`classes`, from `classes()`) is served in full or in the proportion
/// the remaining places allow. `bought` is what the budget buys; a coverage duty (`coverage`, a
/// share of the families in `need` or family help) adds places, whose family-months are counted
/// in `acc.extras`.
#[inline(always)]
pub fn allocate(
    model: &Model,
    grid: &Grid,
    classes: &[Vec<(usize, usize)>],
    m: &mut Mass,
    bought: f64,
    coverage: f64,
    acc: &mut YearAcc,
) {
    let cap = model.capacity_state;
    let in_cap = state_fam(grid, m, cap);
    let duty = if coverage > 0.0 {
        coverage * (state_fam(grid, m, model.need_state) + in_cap)
    } else {
        0.0
    };
    let places = bought.max(duty);
    let mut free = (places - in_cap).max(0.0);
    let free_at_start = free;
    for class in classes {
        if free <= 0.0 {
            break;
        }
        let mut demand = 0.0;
        for &(s, g) in class {
            for d in 0..grid.states[s].n_dur {
                let v = grid.ages(s, g, d, 1);
                demand += sum(&m.fam[v..v + grid.states[s].n_age]);
            }
        }
        if demand <= 0.0 {
            continue;
        }
        let share = (free / demand).min(1.0);
        free -= share * demand;
        for &(s, g) in class {
            serve(grid, cap, s, g, share, m, acc);
        }
    }
    // The duty pays for the places in use between what the budget bought and the duty.
    let used = in_cap + (free_at_start - free);
    acc.extras.duty_family_months += (used.min(duty) - bought).max(0.0);
}

/// Moves the share `share` of the waiting families of state `s`, group `g` into family help
/// (state `cap`), each at its own age.
fn serve(grid: &Grid, cap: usize, s: usize, g: usize, share: f64, m: &mut Mass, acc: &mut YearAcc) {
    let n_age = grid.states[s].n_age;
    let to = grid.ages(cap, g, 0, 0);
    let last = grid.states[cap].n_age - 1;
    let (mut fs, mut cs) = (0.0, 0.0);
    let share = share as Real;
    for d in 0..grid.states[s].n_dur {
        let v = grid.ages(s, g, d, 1);
        for a in 0..n_age {
            let i = v + a;
            let (f, ch, k) = (m.fam[i] * share, m.ch[i] * share, m.had_plan[i] * share);
            if f == 0.0 && ch == 0.0 {
                continue;
            }
            m.fam[i] -= f;
            m.ch[i] -= ch;
            m.had_plan[i] -= k;
            fs += f64::from(f);
            cs += f64::from(ch);
            m.add(to + a.min(last), f.into(), ch.into(), k.into());
        }
    }
    acc.flows.add(s, cap, cs, fs);
}
